//! `pwpolicy status` and `pwpolicy report`: whose password expires when.

use std::io::{BufWriter, Write};

use pwpolicy::{ExpiryRules, format_date};
use pwpolicy_store::{ReportRow, StoreError};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime, Time};

use crate::EXIT_ACCEPTED;
use crate::args::{ReportArgs, ReportFormat, StatusArgs};
use crate::config;
use crate::store_access::{self, Reading, StoreChoice};

/// Where one password stands, as `status` and `report` print it.
struct Standing {
    state: &'static str,
    last_change: Option<OffsetDateTime>,
    expires: Option<OffsetDateTime>,
    days_left: Option<i64>,
    must_change: bool,
}

impl Standing {
    fn of(
        rules: &ExpiryRules,
        last_change: Option<OffsetDateTime>,
        must_change: bool,
        now: OffsetDateTime,
    ) -> Standing {
        match last_change {
            Some(last) => {
                let s = rules.status(last, must_change, now);
                Standing {
                    state: s.state.as_str(),
                    last_change,
                    expires: s.expires,
                    days_left: s.days_left,
                    must_change,
                }
            }
            None => Standing {
                state: if must_change {
                    "must_change"
                } else {
                    "unknown"
                },
                last_change: None,
                expires: None,
                days_left: None,
                must_change,
            },
        }
    }

    fn unknown() -> Standing {
        Standing {
            state: "unknown",
            last_change: None,
            expires: None,
            days_left: None,
            must_change: false,
        }
    }

    fn json(&self, user: &str) -> Value {
        json!({
            "user": user,
            "state": self.state,
            "last_changed": self.last_change.map(|t| format_date(t.date())),
            "expires": self.expires.map(|t| format_date(t.date())),
            "days_left": self.days_left,
            "must_change": self.must_change,
        })
    }
}

fn date_or_never(t: Option<OffsetDateTime>, none: &str) -> String {
    t.map_or_else(|| none.to_owned(), |t| format_date(t.date()))
}

/// Runs `pwpolicy status`.
pub fn status(args: &StatusArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.sources.config.as_deref())?.policy;
    let choice = StoreChoice::from(&args.sources, &policy);
    let now = OffsetDateTime::now_utc();
    let (standing, history_len) = match store_access::open_read(&choice, true)? {
        Reading::Open(mut store) => match store.user(&args.user)? {
            Some(r) => (
                Standing::of(&policy.expiry, r.last_change, r.must_change, now),
                r.history_len,
            ),
            None => (Standing::unknown(), 0),
        },
        Reading::Absent(note) => {
            eprintln!("pwpolicy: note: {note}");
            (Standing::unknown(), 0)
        }
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut value = standing.json(&args.user);
        value["history_entries"] = json!(history_len);
        value["max_age_days"] = json!(policy.expiry.max_age_days);
        value["warn_days"] = json!(policy.expiry.warn_days);
        crate::render::json_line(&mut out, &value)?;
    } else {
        let never = if policy.expiry.max_age_days == 0 {
            "never"
        } else {
            "unknown"
        };
        writeln!(out, "User                    : {}", args.user)?;
        writeln!(
            out,
            "Last password change    : {}",
            date_or_never(standing.last_change, "never recorded")
        )?;
        writeln!(
            out,
            "Password expires        : {}",
            date_or_never(standing.expires, never)
        )?;
        writeln!(
            out,
            "Days left               : {}",
            standing.days_left.map_or("-".to_owned(), |d| d.to_string())
        )?;
        writeln!(
            out,
            "Must change at login    : {}",
            if standing.must_change { "yes" } else { "no" }
        )?;
        writeln!(out, "Passwords remembered    : {history_len}")?;
        writeln!(out, "State                   : {}", standing.state)?;
    }
    Ok(EXIT_ACCEPTED)
}

/// The last-change time at or before which a password expires within `days`
/// UTC calendar days of `now` (expiry date <= today + days), or `None` when
/// passwords never expire.
fn cutoff(rules: &ExpiryRules, days: u32, now: OffsetDateTime) -> Option<OffsetDateTime> {
    if rules.max_age_days == 0 {
        return None;
    }
    let midnight = now.replace_time(Time::MIDNIGHT);
    let end_of_window = midnight.checked_add(Duration::days(i64::from(days) + 1))?;
    end_of_window.checked_sub(Duration::days(i64::from(rules.max_age_days)) + Duration::SECOND)
}

/// Runs `pwpolicy report`.
pub fn report(args: &ReportArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.sources.config.as_deref())?.policy;
    let choice = StoreChoice::from(&args.sources, &policy);
    let now = OffsetDateTime::now_utc();
    let format = args.format();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    match format {
        ReportFormat::Table => writeln!(
            out,
            "{:<24} {:<12} {:<12} {:>9}  STATE",
            "USER", "LAST CHANGE", "EXPIRES", "DAYS LEFT"
        )?,
        ReportFormat::Csv => writeln!(out, "user,last_changed,expires,days_left,state")?,
        ReportFormat::Json => out.write_all(b"[")?,
    }
    let mut count = 0usize;
    let mut visit = |row: ReportRow| -> Result<(), StoreError> {
        let s = Standing::of(&policy.expiry, row.last_change, row.must_change, now);
        let io = |e: std::io::Error| StoreError::Backend {
            location: "standard output".into(),
            detail: e.to_string(),
        };
        match format {
            ReportFormat::Table => writeln!(
                out,
                "{:<24} {:<12} {:<12} {:>9}  {}",
                row.name,
                date_or_never(s.last_change, "-"),
                date_or_never(s.expires, "-"),
                s.days_left.map_or("-".to_owned(), |d| d.to_string()),
                s.state
            ),
            ReportFormat::Csv => writeln!(
                out,
                "{},{},{},{},{}",
                csv_field(&row.name),
                date_or_never(s.last_change, ""),
                date_or_never(s.expires, ""),
                s.days_left.map_or(String::new(), |d| d.to_string()),
                s.state
            ),
            ReportFormat::Json => (if count > 0 {
                out.write_all(b",")
            } else {
                Ok(())
            })
            .and_then(|()| {
                serde_json::to_writer(&mut out, &s.json(&row.name)).map_err(std::io::Error::from)
            }),
        }
        .map_err(io)?;
        count += 1;
        Ok(())
    };
    match store_access::open_read(&choice, true)? {
        Reading::Open(mut store) => store.expiring(
            cutoff(&policy.expiry, args.expiring_within, now),
            &mut visit,
        )?,
        Reading::Absent(note) => eprintln!("pwpolicy: note: {note}"),
    }
    if format == ReportFormat::Json {
        out.write_all(b"]\n")?;
    }
    out.flush()?;
    Ok(EXIT_ACCEPTED)
}

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn cutoff_matches_days_left() {
        let rules = ExpiryRules::default();
        let now = datetime!(2026-11-23 15:00 UTC);
        let cut = cutoff(&rules, 10, now).unwrap();
        // A password changed at the cutoff expires on the last day of the window…
        assert_eq!(rules.status(cut, false, now).days_left, Some(10));
        // …and one changed a second later, the day after.
        assert_eq!(
            rules.status(cut + Duration::SECOND, false, now).days_left,
            Some(11)
        );
        let mut never = ExpiryRules::default();
        never.max_age_days = 0;
        assert_eq!(cutoff(&never, 10, now), None);
    }

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("erin"), "erin");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
