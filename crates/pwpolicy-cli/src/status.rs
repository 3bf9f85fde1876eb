//! `pwpolicy status` and `pwpolicy report`: whose password expires when,
//! from the local store or the service.

use std::io::{BufWriter, Write};

use pwpolicy::format_date;
use pwpolicy_service::accounts::Facts;
use pwpolicy_service::ops::{self, Standing};
use pwpolicy_service::{Client, Request};
use pwpolicy_store::StoreError;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::EXIT_ACCEPTED;
use crate::args::{ReportArgs, ReportFormat, StatusArgs};
use crate::config;
use crate::store_access::{self, Backend, Reading};

/// Runs `pwpolicy status`.
pub fn status(args: &StatusArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.sources.config.as_deref())?.policy;
    let now = OffsetDateTime::now_utc();
    let status = match Backend::from(&args.sources, &policy) {
        Backend::Service(socket) => {
            let mut client = Client::connect(&socket)?;
            client.call(Request::Status {
                user: args.user.clone(),
            })?["status"]
                .take()
        }
        Backend::Local(choice) => {
            let user = match &args.user {
                Some(user) => user.clone(),
                None => anyhow::bail!("--user is required without the pwpolicy service"),
            };
            let mut reading = store_access::open_read(&choice, true)?;
            if let Reading::Absent(why) = &reading {
                eprintln!("pwpolicy: note: {why}");
            }
            ops::status(reading.store(), &policy, &Facts::lookup(&user), now)?
        }
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        crate::render::json_line(&mut out, &status)?;
    } else {
        human(&mut out, &status)?;
    }
    Ok(EXIT_ACCEPTED)
}

/// `chage -l`-style lines from a status object.
fn human(out: &mut impl Write, s: &Value) -> std::io::Result<()> {
    let text = |key: &str, none: &str| s[key].as_str().unwrap_or(none).to_owned();
    let expires_never = s["max_age_days"] == 0 || s["exempt"] == true || s["class"] == "system";
    let never = if expires_never { "never" } else { "unknown" };
    writeln!(out, "User                    : {}", text("user", ""))?;
    writeln!(
        out,
        "Last password change    : {}",
        text("last_changed", "never recorded")
    )?;
    writeln!(out, "Password expires        : {}", text("expires", never))?;
    writeln!(
        out,
        "Days left               : {}",
        s["days_left"]
            .as_i64()
            .map_or("-".to_owned(), |d| d.to_string())
    )?;
    writeln!(
        out,
        "Must change at login    : {}",
        if s["must_change"] == true {
            "yes"
        } else {
            "no"
        }
    )?;
    writeln!(
        out,
        "Passwords remembered    : {}",
        s["history_entries"].as_u64().unwrap_or(0)
    )?;
    writeln!(
        out,
        "State                   : {}",
        text("state", "unknown")
    )?;
    if let Some(class) = s["class"].as_str() {
        let why = match (class, s["exempt"] == true) {
            (_, true) => " (exempt from the policy)",
            ("system", _) => " (system account: expiry does not apply)",
            _ => "",
        };
        writeln!(out, "Class                   : {class}{why}")?;
    }
    if let Some(shadow) = s["shadow"]["last_changed"].as_str() {
        writeln!(out, "Shadow last change      : {shadow}")?;
    }
    if let Some(note) = s["note"].as_str() {
        writeln!(out, "Note                    : {note}")?;
    }
    Ok(())
}

/// One report line, whichever backend produced it.
struct Row<'a> {
    user: &'a str,
    last_changed: Option<String>,
    expires: Option<String>,
    days_left: Option<i64>,
    state: &'a str,
}

impl<'a> Row<'a> {
    fn of(user: &'a str, s: &'a Standing) -> Row<'a> {
        Row {
            user,
            last_changed: s.last_change.map(|t| format_date(t.date())),
            expires: s.expires.map(|t| format_date(t.date())),
            days_left: s.days_left,
            state: s.state,
        }
    }

    fn from_json(v: &'a Value) -> Row<'a> {
        Row {
            user: v["user"].as_str().unwrap_or(""),
            last_changed: v["last_changed"].as_str().map(str::to_owned),
            expires: v["expires"].as_str().map(str::to_owned),
            days_left: v["days_left"].as_i64(),
            state: v["state"].as_str().unwrap_or("unknown"),
        }
    }

    fn json(&self) -> Value {
        json!({
            "user": self.user,
            "state": self.state,
            "last_changed": self.last_changed,
            "expires": self.expires,
            "days_left": self.days_left,
        })
    }
}

/// Writes report rows in one format, streaming.
struct Printer<W: Write> {
    out: W,
    format: ReportFormat,
    count: usize,
}

impl<W: Write> Printer<W> {
    fn start(mut out: W, format: ReportFormat) -> std::io::Result<Printer<W>> {
        match format {
            ReportFormat::Table => writeln!(
                out,
                "{:<24} {:<12} {:<12} {:>9}  STATE",
                "USER", "LAST CHANGE", "EXPIRES", "DAYS LEFT"
            )?,
            ReportFormat::Csv => writeln!(out, "user,last_changed,expires,days_left,state")?,
            ReportFormat::Json => out.write_all(b"[")?,
        }
        Ok(Printer {
            out,
            format,
            count: 0,
        })
    }

    fn row(&mut self, r: &Row<'_>) -> std::io::Result<()> {
        let or = |v: &Option<String>, none: &str| v.clone().unwrap_or_else(|| none.to_owned());
        let days = |none: &str| r.days_left.map_or(none.to_owned(), |d| d.to_string());
        match self.format {
            ReportFormat::Table => writeln!(
                self.out,
                "{:<24} {:<12} {:<12} {:>9}  {}",
                r.user,
                or(&r.last_changed, "-"),
                or(&r.expires, "-"),
                days("-"),
                r.state
            )?,
            ReportFormat::Csv => writeln!(
                self.out,
                "{},{},{},{},{}",
                csv_field(r.user),
                or(&r.last_changed, ""),
                or(&r.expires, ""),
                days(""),
                r.state
            )?,
            ReportFormat::Json => {
                if self.count > 0 {
                    self.out.write_all(b",")?;
                }
                serde_json::to_writer(&mut self.out, &r.json())?;
            }
        }
        self.count += 1;
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<()> {
        if self.format == ReportFormat::Json {
            self.out.write_all(b"]\n")?;
        }
        self.out.flush()
    }
}

/// Runs `pwpolicy report`.
pub fn report(args: &ReportArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.sources.config.as_deref())?.policy;
    let now = OffsetDateTime::now_utc();
    let stdout = std::io::stdout();
    let mut printer = Printer::start(
        BufWriter::with_capacity(1 << 16, stdout.lock()),
        args.format(),
    )?;
    match Backend::from(&args.sources, &policy) {
        Backend::Service(socket) => {
            let mut client = Client::connect(&socket)?;
            let reply = client.call(Request::Report {
                expiring_within: args.expiring_within,
            })?;
            for row in reply["rows"].as_array().into_iter().flatten() {
                printer.row(&Row::from_json(row))?;
            }
        }
        Backend::Local(choice) => match store_access::open_read(&choice, true)? {
            Reading::Open(mut store) => {
                let io = |e: std::io::Error| StoreError::Backend {
                    location: "standard output".into(),
                    detail: e.to_string(),
                };
                ops::report(
                    &mut *store,
                    &policy,
                    args.expiring_within,
                    now,
                    &mut |user, standing| printer.row(&Row::of(user, standing)).map_err(io),
                )?;
            }
            Reading::Absent(why) => eprintln!("pwpolicy: note: {why}"),
        },
    }
    printer.finish()?;
    Ok(EXIT_ACCEPTED)
}

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("erin"), "erin");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
