//! `pwpolicy list`: every account's password state in one listing, like
//! `passwd -S -a`: the host's accounts first (in passwd order, each with its
//! class and shadow's view), then the users only the store knows.

use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use pwpolicy_service::accounts::{AccountFiles, Facts};
use pwpolicy_service::ops::{self, Standing};
use pwpolicy_service::{Client, Request};
use pwpolicy_store::StoreError;
use pwpolicy_store::shadow::{self, ShadowEntry};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use zeroize::Zeroizing;

use crate::EXIT_ACCEPTED;
use crate::args::{ListArgs, ReportFormat};
use crate::config;
use crate::status::csv_field;
use crate::store_access::{self, Backend, Reading};

/// Runs `pwpolicy list`.
pub fn run(args: &ListArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.sources.config.as_deref())?.policy;
    let files = AccountFiles::read(&args.passwd)?;
    let shadow = ShadowFile::beside(&args.passwd);
    let now = OffsetDateTime::now_utc();
    let stdout = std::io::stdout();
    let mut out = Listing::start(
        BufWriter::with_capacity(1 << 16, stdout.lock()),
        args.format(),
    )?;
    let facts_of = |u| {
        let mut facts: Facts = files.facts_of(u);
        facts.shadow = shadow.entry(&facts.name);
        facts
    };
    match Backend::from(&args.sources, &policy) {
        Backend::Service(socket) => {
            // The service answers for the host's accounts; users only its
            // store knows are in `pwpolicy report`.
            let mut client = Client::connect(&socket)?;
            for user in &files.users {
                let mut status = client.call(Request::Status {
                    user: Some(user.name.clone()),
                })?["status"]
                    .take();
                status["uid"] = json!(user.uid);
                out.row(&status)?;
            }
        }
        Backend::Local(choice) => {
            let mut reading = store_access::open_read(&choice, true)?;
            if let Reading::Absent(why) = &reading {
                eprintln!("pwpolicy: note: {why}");
            }
            let mut local = HashSet::new();
            for user in &files.users {
                let mut status = ops::status(reading.store(), &policy, &facts_of(user), now)?;
                status["uid"] = json!(user.uid);
                out.row(&status)?;
                local.insert(user.name.as_str());
            }
            if let Reading::Open(store) = &mut reading {
                let io = |e: std::io::Error| StoreError::Backend {
                    location: "standard output".into(),
                    detail: e.to_string(),
                };
                // Every recorded user: forced ones, then by last change.
                store.expiring(Some(datetime!(9999-12-31 0:00 UTC)), &mut |row| {
                    if local.contains(row.name.as_str()) {
                        return Ok(());
                    }
                    let standing =
                        Standing::of(&policy.expiry, row.last_change, row.must_change, now);
                    let mut status = standing.json(&row.name);
                    status["uid"] = Value::Null;
                    status["class"] = json!("person");
                    out.row(&status).map_err(io)
                })?;
            }
        }
    }
    out.finish().context("cannot write the listing")?;
    Ok(EXIT_ACCEPTED)
}

/// The shadow file beside passwd, when this user may read it (root).
struct ShadowFile(Option<Zeroizing<String>>);

impl ShadowFile {
    fn beside(passwd: &Path) -> ShadowFile {
        let path = passwd.parent().unwrap_or(Path::new("/")).join("shadow");
        ShadowFile(std::fs::read_to_string(path).ok().map(Zeroizing::new))
    }

    fn entry(&self, user: &str) -> Option<ShadowEntry> {
        self.0.as_deref().and_then(|text| shadow::find(text, user))
    }
}

/// Writes listing rows in one format, streaming.
struct Listing<W: Write> {
    out: W,
    format: ReportFormat,
    count: usize,
}

impl<W: Write> Listing<W> {
    fn start(mut out: W, format: ReportFormat) -> std::io::Result<Listing<W>> {
        match format {
            ReportFormat::Table => writeln!(
                out,
                "{:<20} {:>6} {:<10} {:<12} {:<12} {:<12} {:>5}  SHADOW",
                "USER", "UID", "CLASS", "STATE", "LAST CHANGE", "EXPIRES", "DAYS"
            )?,
            ReportFormat::Csv => writeln!(
                out,
                "user,uid,class,state,last_changed,expires,days_left,must_change,shadow_last_changed,shadow_agrees"
            )?,
            ReportFormat::Json => out.write_all(b"[")?,
        }
        Ok(Listing {
            out,
            format,
            count: 0,
        })
    }

    fn row(&mut self, s: &Value) -> std::io::Result<()> {
        let text = |key: &str, none: &str| s[key].as_str().unwrap_or(none).to_owned();
        let number =
            |key: &str, none: &str| s[key].as_i64().map_or(none.to_owned(), |n| n.to_string());
        let shadow = s["shadow"]["last_changed"].as_str().unwrap_or("");
        match self.format {
            ReportFormat::Table => {
                let agrees = if s["shadow_agrees"] == false {
                    " (differs)"
                } else {
                    ""
                };
                writeln!(
                    self.out,
                    "{:<20} {:>6} {:<10} {:<12} {:<12} {:<12} {:>5}  {}{agrees}",
                    text("user", ""),
                    number("uid", "-"),
                    text("class", "-"),
                    text("state", "unknown"),
                    text("last_changed", "-"),
                    text("expires", "never"),
                    number("days_left", "-"),
                    if shadow.is_empty() { "-" } else { shadow },
                )?
            }
            ReportFormat::Csv => writeln!(
                self.out,
                "{},{},{},{},{},{},{},{},{},{}",
                csv_field(&text("user", "")),
                number("uid", ""),
                csv_field(&text("class", "")),
                text("state", "unknown"),
                text("last_changed", ""),
                text("expires", ""),
                number("days_left", ""),
                s["must_change"] == true,
                shadow,
                s["shadow_agrees"]
                    .as_bool()
                    .map_or(String::new(), |b| b.to_string()),
            )?,
            ReportFormat::Json => {
                if self.count > 0 {
                    self.out.write_all(b",")?;
                }
                serde_json::to_writer(&mut self.out, s)?;
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
