//! `pwpolicy list`: every account's password state in one listing, like
//! `passwd -S -a`: the host's accounts first (in passwd order, each with its
//! class and shadow's view), then the users only the store knows.

use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use pwpolicy_backend::accounts::AccountFiles;
use pwpolicy_backend::{ReportRow, Status};
use pwpolicy_store::shadow::{self, ShadowEntry};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::EXIT_ACCEPTED;
use crate::args::{ListArgs, ReportFormat};
use crate::config;
use crate::status::{csv_field, each_row};
use crate::store_access;

/// A report window that takes in every recorded password (about 5,000
/// years; the dates stay representable).
const EVERYONE_DAYS: u32 = 2_000_000;

/// Runs `pwpolicy list`.
pub fn run(args: &ListArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.sources.config.as_deref())?.policy;
    let files = AccountFiles::read(&args.passwd)?;
    let shadow = ShadowFile::beside(&args.passwd);
    let mut backend = store_access::backend(&args.sources, &policy, true);
    let stdout = std::io::stdout();
    let mut out = Listing::start(
        BufWriter::with_capacity(1 << 16, stdout.lock()),
        args.output.format(),
    )?;
    let mut local = HashSet::new();
    for user in &files.users {
        let mut facts = files.facts_of(user);
        facts.shadow = shadow.entry(&facts.name);
        let status = backend.status_of(&facts)?;
        out.row(&Row::Account(&status, Some(user.uid)))?;
        local.insert(user.name.as_str());
    }
    // Then every recorded user this host's files do not have (forced ones
    // first, then by last change), streamed.
    each_row(&mut *backend, EVERYONE_DAYS, "listing", |row| {
        if local.contains(row.user.as_str()) {
            return Ok(());
        }
        out.row(&Row::StoreOnly(&row))
    })?;
    out.finish().context("cannot write the listing")?;
    Ok(EXIT_ACCEPTED)
}

/// One line of the listing.
enum Row<'a> {
    /// An account of the host's files, with its uid.
    Account(&'a Status, Option<u32>),
    /// A user only the store knows.
    StoreOnly(&'a ReportRow),
}

/// A line of the listing as JSON: the status object with the uid, or a
/// report row with `uid: null` and `class: "person"`.
#[derive(Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    status: Either<'a>,
    uid: Option<u32>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Either<'a> {
    Status(&'a Status),
    Row {
        #[serde(flatten)]
        row: &'a ReportRow,
        class: &'static str,
    },
}

impl Row<'_> {
    fn user(&self) -> &str {
        match self {
            Row::Account(s, _) => &s.user,
            Row::StoreOnly(r) => &r.user,
        }
    }

    fn fields(&self) -> Fields<'_> {
        match self {
            Row::Account(s, uid) => Fields {
                uid: *uid,
                class: &s.class,
                state: s.state.as_str(),
                last_changed: s.last_changed.as_deref(),
                expires: s.expires.as_deref(),
                days_left: s.days_left,
                must_change: s.must_change,
                shadow: s.shadow.as_ref().and_then(|v| v.last_changed.as_deref()),
                shadow_agrees: s.shadow_agrees,
            },
            Row::StoreOnly(r) => Fields {
                uid: None,
                class: "person",
                state: r.state.as_str(),
                last_changed: r.last_changed.as_deref(),
                expires: r.expires.as_deref(),
                days_left: r.days_left,
                must_change: r.must_change,
                shadow: None,
                shadow_agrees: None,
            },
        }
    }

    fn line(&self) -> Line<'_> {
        match self {
            Row::Account(s, uid) => Line {
                status: Either::Status(s),
                uid: *uid,
            },
            Row::StoreOnly(r) => Line {
                status: Either::Row {
                    row: r,
                    class: "person",
                },
                uid: None,
            },
        }
    }
}

/// The columns of the table and the CSV.
struct Fields<'a> {
    uid: Option<u32>,
    class: &'a str,
    state: &'a str,
    last_changed: Option<&'a str>,
    expires: Option<&'a str>,
    days_left: Option<i64>,
    must_change: bool,
    shadow: Option<&'a str>,
    shadow_agrees: Option<bool>,
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

    fn row(&mut self, row: &Row<'_>) -> std::io::Result<()> {
        let f = row.fields();
        let num = |n: Option<i64>, none: &str| n.map_or(none.to_owned(), |n| n.to_string());
        let uid = f.uid.map(i64::from);
        match self.format {
            ReportFormat::Table => {
                let differs = if f.shadow_agrees == Some(false) {
                    " (differs)"
                } else {
                    ""
                };
                writeln!(
                    self.out,
                    "{:<20} {:>6} {:<10} {:<12} {:<12} {:<12} {:>5}  {}{differs}",
                    row.user(),
                    num(uid, "-"),
                    f.class,
                    f.state,
                    f.last_changed.unwrap_or("-"),
                    f.expires.unwrap_or("never"),
                    num(f.days_left, "-"),
                    f.shadow.unwrap_or("-"),
                )?
            }
            ReportFormat::Csv => writeln!(
                self.out,
                "{},{},{},{},{},{},{},{},{},{}",
                csv_field(row.user()),
                num(uid, ""),
                csv_field(f.class),
                f.state,
                f.last_changed.unwrap_or(""),
                f.expires.unwrap_or(""),
                num(f.days_left, ""),
                f.must_change,
                f.shadow.unwrap_or(""),
                f.shadow_agrees.map_or(String::new(), |b| b.to_string()),
            )?,
            ReportFormat::Json => {
                if self.count > 0 {
                    self.out.write_all(b",")?;
                }
                serde_json::to_writer(&mut self.out, &row.line())?;
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
