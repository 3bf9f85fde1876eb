//! `pwpolicy report --html`: the picture for administrators, one
//! self-contained page (no script, font, image or style sheet from
//! anywhere else): how many accounts stand where, by state and by class;
//! an inline SVG chart of the expiries in each of the next 13 weeks; and
//! the table of accounts due within the window. Numbers carry `data-*`
//! attributes, so a test (or a script) reads them from the DOM.
//!
//! It is built from the rows `list` gives, one at a time: the counts and
//! the chart from every row, the table from the due ones (at most
//! [`TABLE_ROWS`]; the page says how many more `report --csv` has).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use pwpolicy::{State, html_escape};
use pwpolicy_backend::Status;
use time::{Date, Duration};

/// The most rows the page's table holds.
pub const TABLE_ROWS: usize = 5000;
/// Weeks the chart shows.
pub const WEEKS: usize = 13;

const STATES: [State; 5] = [
    State::MustChange,
    State::Expired,
    State::Warning,
    State::Ok,
    State::Unknown,
];

/// A page being built.
#[derive(Debug)]
pub struct Page {
    today: Date,
    window: u32,
    by_state: BTreeMap<&'static str, u64>,
    by_class: BTreeMap<String, BTreeMap<&'static str, u64>>,
    weeks: [u64; WEEKS],
    rows: Vec<Status>,
    more: u64,
    total: u64,
}

impl Page {
    /// An empty page for `today`, its table holding what is due within
    /// `window` days.
    pub fn new(today: Date, window: u32) -> Page {
        Page {
            today,
            window,
            by_state: BTreeMap::new(),
            by_class: BTreeMap::new(),
            weeks: [0; WEEKS],
            rows: Vec::new(),
            more: 0,
            total: 0,
        }
    }

    /// Counts one account (a row of `list`).
    pub fn add(&mut self, row: Status) {
        self.total += 1;
        let state = row.state.as_str();
        *self.by_state.entry(state).or_default() += 1;
        *self
            .by_class
            .entry(row.class.clone())
            .or_default()
            .entry(state)
            .or_default() += 1;
        if let Some(expires) = row.expires.as_deref().and_then(parse_date) {
            let days = (expires - self.today).whole_days();
            if days >= 0 && days < WEEKS as i64 * 7 {
                self.weeks[(days / 7) as usize] += 1;
            }
        }
        let due = row.must_change || row.days_left.is_some_and(|d| d <= i64::from(self.window));
        if due {
            if self.rows.len() < TABLE_ROWS {
                self.rows.push(row.into_row());
            } else {
                self.more += 1;
            }
        }
    }

    /// The page.
    pub fn finish(mut self) -> String {
        // Forced first, then the soonest to expire.
        self.rows.sort_by(|a, b| {
            b.must_change
                .cmp(&a.must_change)
                .then(a.expires.cmp(&b.expires))
                .then(a.user.cmp(&b.user))
        });
        let mut h = String::with_capacity(4096 + self.rows.len() * 160);
        let today = pwpolicy::format_date(self.today);
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width\">\
             <title>Password expiry, {today}</title><style>{STYLE}</style></head><body>\
             <h1>Password expiry <small>{today}</small></h1>"
        );
        self.counts(&mut h);
        self.chart(&mut h);
        self.table(&mut h);
        h.push_str(
            "<footer>Made by <code>pwpolicy report --html</code>. Every number is also in \
             <code>pwpolicy report --json</code> and <code>pwpolicy list --json</code>.</footer>\
             </body></html>\n",
        );
        h
    }

    fn counts(&self, h: &mut String) {
        let _ = write!(
            h,
            "<section id=\"states\"><h2>Accounts by state</h2><table class=\"counts\"><tr>"
        );
        for state in STATES {
            let _ = write!(h, "<th>{}</th>", state.as_str().replace('_', " "));
        }
        let _ = write!(h, "<th>all</th></tr><tr>");
        for state in STATES {
            let n = self.by_state.get(state.as_str()).copied().unwrap_or(0);
            let _ = write!(
                h,
                "<td class=\"{0}\" data-state=\"{0}\" data-count=\"{n}\">{n}</td>",
                state.as_str()
            );
        }
        let _ = write!(
            h,
            "<td data-state=\"all\" data-count=\"{0}\">{0}</td></tr></table></section>",
            self.total
        );
        let _ = write!(
            h,
            "<section id=\"classes\"><h2>By class</h2><table class=\"counts\"><tr><th>class</th>"
        );
        for state in STATES {
            let _ = write!(h, "<th>{}</th>", state.as_str().replace('_', " "));
        }
        h.push_str("</tr>");
        for (class, counts) in &self.by_class {
            let class = html_escape(class);
            let _ = write!(h, "<tr data-class=\"{class}\"><th>{class}</th>");
            for state in STATES {
                let n = counts.get(state.as_str()).copied().unwrap_or(0);
                let _ = write!(
                    h,
                    "<td data-state=\"{}\" data-count=\"{n}\">{n}</td>",
                    state.as_str()
                );
            }
            h.push_str("</tr>");
        }
        h.push_str("</table></section>");
    }

    fn chart(&self, h: &mut String) {
        const W: usize = 660;
        const HEIGHT: usize = 200;
        const BAR: usize = W / WEEKS;
        let top = self.weeks.iter().copied().max().unwrap_or(0).max(1);
        let _ = write!(
            h,
            "<section id=\"chart\"><h2>Expiries in the next {} weeks</h2>\
             <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{}\" \
             viewBox=\"0 0 {W} {}\" role=\"img\" aria-label=\"expiries per week\">",
            WEEKS,
            HEIGHT + 40,
            HEIGHT + 40
        );
        for (week, &n) in self.weeks.iter().enumerate() {
            let height = (n as f64 / top as f64 * HEIGHT as f64).round() as usize;
            let x = week * BAR + 4;
            let starts = pwpolicy::format_date(self.today + Duration::weeks(week as i64));
            let _ = write!(
                h,
                "<g><title>week of {starts}: {n}</title>\
                 <rect x=\"{x}\" y=\"{}\" width=\"{}\" height=\"{height}\" data-week=\"{week}\" \
                 data-count=\"{n}\" data-starts=\"{starts}\"/>\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{n}</text>\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"week\">{}</text></g>",
                HEIGHT - height + 14,
                BAR - 8,
                x + (BAR - 8) / 2,
                HEIGHT - height + 10,
                x + (BAR - 8) / 2,
                HEIGHT + 32,
                &starts[5..]
            );
        }
        h.push_str("</svg></section>");
    }

    fn table(&self, h: &mut String) {
        let _ = write!(
            h,
            "<section id=\"due\"><h2>Due within {} days <small data-count=\"{}\">{} account{}</small></h2>\
             <table class=\"rows\"><tr><th>user</th><th>class</th><th>state</th>\
             <th>last change</th><th>expires</th><th>days left</th></tr>",
            self.window,
            self.rows.len() as u64 + self.more,
            self.rows.len() as u64 + self.more,
            if self.rows.len() as u64 + self.more == 1 {
                ""
            } else {
                "s"
            }
        );
        for r in &self.rows {
            let user = html_escape(&r.user);
            let _ = write!(
                h,
                "<tr data-user=\"{user}\" class=\"{state}\"><td>{user}</td><td>{}</td>\
                 <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                html_escape(&r.class),
                r.state.as_str().replace('_', " "),
                r.last_changed.as_deref().unwrap_or("–"),
                r.expires.as_deref().unwrap_or("–"),
                r.days_left.map_or("–".to_owned(), |d| d.to_string()),
                state = r.state.as_str(),
            );
        }
        h.push_str("</table>");
        if self.more > 0 {
            let _ = write!(
                h,
                "<p class=\"more\">…and {} more: <code>pwpolicy report --expiring-within {} --csv</code> lists them all.</p>",
                self.more, self.window
            );
        }
        h.push_str("</section>");
    }
}

fn parse_date(text: &str) -> Option<Date> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

const STYLE: &str = "body{font:15px/1.4 system-ui,sans-serif;margin:2em auto;max-width:60em;\
color:#222}h1 small,h2 small{color:#777;font-weight:normal}table{border-collapse:collapse;\
margin:.5em 0}th,td{padding:.2em .7em;text-align:right;border-bottom:1px solid #ddd}\
table.rows td:first-child,table.rows th:first-child,table.counts th:first-child{text-align:left}\
td.expired,tr.expired td:nth-child(3){color:#b00}td.must_change,tr.must_change td:nth-child(3)\
{color:#a40}td.warning,tr.warning td:nth-child(3){color:#b70}svg rect{fill:#4a7bb7}\
svg text{font-size:11px;fill:#333}svg text.week{fill:#777}footer{margin-top:2em;color:#777;\
font-size:13px}";

#[cfg(test)]
mod tests {
    use super::*;
    use pwpolicy::Standing;
    use time::macros::date;

    fn row(
        user: &str,
        class: &str,
        state: State,
        expires: Option<&str>,
        days: Option<i64>,
    ) -> Status {
        let standing = Standing {
            state,
            last_change: None,
            expires: None,
            days_left: days,
            must_change: state == State::MustChange,
        };
        Status {
            class: class.into(),
            expires: expires.map(str::to_owned),
            ..Status::standing(user, &standing)
        }
    }

    #[test]
    fn counts_chart_and_table_from_the_rows() {
        let mut page = Page::new(date!(2026 - 12 - 07), 14);
        page.add(row(
            "ada",
            "admins",
            State::Expired,
            Some("2026-12-01"),
            Some(-6),
        ));
        page.add(row(
            "bo",
            "person",
            State::Warning,
            Some("2026-12-10"),
            Some(3),
        ));
        page.add(row("cy", "person", State::Ok, Some("2026-12-30"), Some(23)));
        page.add(row("<script>", "person", State::MustChange, None, None));
        let html = page.finish();
        assert!(
            html.contains("data-state=\"expired\" data-count=\"1\""),
            "{html}"
        );
        assert!(
            html.contains("data-state=\"all\" data-count=\"4\""),
            "{html}"
        );
        assert!(html.contains("data-week=\"0\" data-count=\"1\""), "{html}");
        assert!(html.contains("data-week=\"3\" data-count=\"1\""), "{html}");
        assert!(html.contains("data-user=\"ada\""));
        assert!(!html.contains("data-user=\"cy\""), "not due within 14 days");
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"));
        // Forced first in the table.
        let forced = html.find("data-user=\"&lt;script&gt;\"").unwrap();
        assert!(forced < html.find("data-user=\"ada\"").unwrap());
        // Nothing from elsewhere.
        for external in ["src=", "href=", "@import", "url("] {
            assert!(!html.contains(external), "{external}");
        }
    }
}
