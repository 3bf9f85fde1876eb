//! `pwpolicy status` and `pwpolicy report`: whose password expires when,
//! from whichever backend the command has.

use std::borrow::Cow;
use std::io::{BufWriter, Write};

use pwpolicy::printable;
use pwpolicy_backend::{BackendError, Expiry, Status};

use crate::EXIT_ACCEPTED;
use crate::args::{ReportArgs, ReportFormat, StatusArgs};
use crate::config;
use crate::store_access;

/// Runs `pwpolicy status`.
pub fn status(args: &StatusArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.sources.config.as_deref())?.policy;
    let mut backend = store_access::expiry(&args.sources, &args.directory, &policy, true)?;
    let status = backend.status(args.user.as_deref())?;
    if let Some(why) = backend.absence() {
        errln!("note: {why}");
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        crate::render::json_line(&mut out, &status)?;
    } else {
        human(&mut out, &status)?;
    }
    Ok(EXIT_ACCEPTED)
}

/// `chage -l`-style lines from a status. Names, the class, the directory's
/// values and notes about them are made printable: they come from passwd,
/// the directory or the policy, and a terminal would act on their escapes.
fn human(out: &mut impl Write, s: &Status) -> std::io::Result<()> {
    let never = match (&s.directory, s.state) {
        (_, pwpolicy_backend::State::Unknown) => "unknown",
        (Some(d), _) if d.never_expires => "never",
        (Some(_), _) => "unknown",
        _ if s.max_age_days == 0 || s.exempt || s.class == "system" => "never",
        _ => "unknown",
    };
    writeln!(out, "User                    : {}", printable(&s.user))?;
    writeln!(
        out,
        "Last password change    : {}",
        s.last_changed.as_deref().unwrap_or("never recorded")
    )?;
    writeln!(
        out,
        "Password expires        : {}",
        s.expires.as_deref().unwrap_or(never)
    )?;
    writeln!(
        out,
        "Days left               : {}",
        s.days_left.map_or("-".to_owned(), |d| d.to_string())
    )?;
    writeln!(
        out,
        "Must change at login    : {}",
        if s.must_change { "yes" } else { "no" }
    )?;
    match &s.directory {
        None => writeln!(out, "Passwords remembered    : {}", s.history_entries)?,
        Some(d) => {
            writeln!(out, "Directory entry         : {}", printable(&d.dn))?;
            writeln!(out, "Password settings       : {}", printable(&d.settings))?;
            if d.never_expires {
                writeln!(out, "Never expires           : yes")?;
            }
            if d.disabled {
                writeln!(out, "Account                 : disabled")?;
            }
        }
    }
    writeln!(out, "State                   : {}", s.state.as_str())?;
    let why = match (s.class.as_str(), s.exempt) {
        (_, true) => " (exempt from the policy)",
        ("system", _) => " (system account: expiry does not apply)",
        _ => "",
    };
    writeln!(
        out,
        "Class                   : {}{why}",
        printable(&s.class)
    )?;
    if s.shadow.as_ref().is_some_and(|v| v.locked) {
        writeln!(out, "Password locked         : yes (shadow)")?;
    }
    if let Some(shadow) = s.shadow.as_ref().and_then(|v| v.last_changed.as_deref()) {
        writeln!(out, "Shadow last change      : {shadow}")?;
    }
    match (&s.note, &s.remedy) {
        (Some(note), Some(remedy)) => writeln!(
            out,
            "Note                    : {} (to adopt shadow's date, as root: {})",
            printable(note),
            printable(remedy)
        )?,
        (Some(note), None) => writeln!(out, "Note                    : {}", printable(note))?,
        _ => {}
    }
    Ok(())
}

/// Writes report rows in one format, streaming. Nothing is written
/// before the first row (or the end), so a source that fails to open
/// leaves standard output to the error alone.
struct Printer<W: Write> {
    out: W,
    format: ReportFormat,
    count: usize,
    started: bool,
}

impl<W: Write> Printer<W> {
    fn start(out: W, format: ReportFormat) -> std::io::Result<Printer<W>> {
        Ok(Printer {
            out,
            format,
            count: 0,
            started: false,
        })
    }

    fn header(&mut self) -> std::io::Result<()> {
        if std::mem::replace(&mut self.started, true) {
            return Ok(());
        }
        match self.format {
            ReportFormat::Table | ReportFormat::Html => writeln!(
                self.out,
                "{:<24} {:<12} {:<12} {:>9}  {:<12} CLASS",
                "USER", "LAST CHANGE", "EXPIRES", "DAYS LEFT", "STATE"
            ),
            ReportFormat::Csv => writeln!(self.out, "user,last_changed,expires,days_left,state"),
            ReportFormat::Json => self.out.write_all(b"["),
        }
    }

    fn row(&mut self, r: &Status) -> std::io::Result<()> {
        self.header()?;
        // No per-row allocation beyond a quoted name: a report can be a
        // million rows.
        match self.format {
            ReportFormat::Table | ReportFormat::Html => writeln!(
                self.out,
                "{:<24} {:<12} {:<12} {:>9}  {:<12} {}",
                printable(&r.user),
                r.last_changed.as_deref().unwrap_or("-"),
                r.expires.as_deref().unwrap_or("-"),
                Shown(r.days_left, "-"),
                r.state.as_str(),
                printable(&r.class)
            )?,
            ReportFormat::Csv => writeln!(
                self.out,
                "{},{},{},{},{}",
                csv_field(&r.user),
                r.last_changed.as_deref().unwrap_or(""),
                r.expires.as_deref().unwrap_or(""),
                Shown(r.days_left, ""),
                r.state.as_str()
            )?,
            ReportFormat::Json => {
                if self.count > 0 {
                    self.out.write_all(b",")?;
                }
                serde_json::to_writer(&mut self.out, r)?;
            }
        }
        self.count += 1;
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<()> {
        self.header()?;
        if self.format == ReportFormat::Json {
            self.out.write_all(b"]\n")?;
        }
        self.out.flush()
    }
}

/// Runs `pwpolicy report`: rows are printed as they arrive, from the
/// store or from the service's pages, so memory stays flat at any size.
///
/// With a directory, its users in the window (disabled ones left out unless
/// asked for); with `--with-store` the store's rows come first.
pub fn report(args: &ReportArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.sources.config.as_deref())?.policy;
    // With --with-store, --db and --socket name the store read first; the
    // directory is read after it.
    let directory_sources = if args.with_store {
        crate::args::Sources {
            db: None,
            socket: None,
            ..args.sources.clone()
        }
    } else {
        args.sources.clone()
    };
    let source = store_access::expiry_source(&directory_sources, &args.directory, &policy)?;
    let is_directory = matches!(source, pwpolicy_backend::Source::Directory(_));
    if !is_directory && (args.with_store || args.include_disabled) {
        anyhow::bail!(
            "--with-store and --include-disabled go with a directory (--directory or [directory] url)"
        );
    }
    let mut backends: Vec<Box<dyn Expiry>> = Vec::new();
    if args.with_store {
        backends.push(store_access::store_expiry(&args.sources, &policy)?);
    }
    backends.push(store_access::expiry_of(
        source,
        &args.sources,
        &policy,
        args.include_disabled,
    )?);
    if args.output.format() == ReportFormat::Html {
        let window = args
            .expiring_within
            .unwrap_or_else(|| policy.notify.days.iter().copied().max().unwrap_or(14));
        return html(&mut backends, window);
    }
    let Some(days) = args.expiring_within else {
        anyhow::bail!("report needs --expiring-within DAYS (only --html has a default)");
    };
    let stdout = std::io::stdout();
    let mut printer = Printer::start(
        BufWriter::with_capacity(1 << 16, stdout.lock()),
        args.output.format(),
    )?;
    for backend in &mut backends {
        each_row(&mut **backend, days, "report", |row| printer.row(&row))?;
    }
    printer.finish()?;
    Ok(EXIT_ACCEPTED)
}

/// `report --html`: one page, its counts and chart from every account of
/// the sources (`list`), its table from those due within `days`.
fn html(backends: &mut [Box<dyn Expiry>], days: u32) -> anyhow::Result<u8> {
    let mut page = pwpolicy_notify::html::Page::new(time::OffsetDateTime::now_utc().date(), days);
    for backend in backends {
        backend.list(&mut |row| {
            page.add(row);
            Ok(())
        })?;
        if let Some(why) = backend.absence() {
            errln!("note: {why}");
        }
    }
    let mut out = std::io::stdout().lock();
    out.write_all(page.finish().as_bytes())?;
    out.flush()?;
    Ok(EXIT_ACCEPTED)
}

/// Streams the backend's report rows for `days` into `write`; a failed
/// write stops the report and is the error (`what` names the output).
pub fn each_row(
    backend: &mut dyn Expiry,
    days: u32,
    what: &str,
    mut write: impl FnMut(Status) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let mut failed = None;
    let result = backend.report(days, &mut |row| {
        write(row).map_err(|e| {
            failed = Some(e);
            BackendError::Protocol
        })
    });
    if let Some(e) = failed {
        return Err(anyhow::Error::new(e).context(format!("cannot write the {what}")));
    }
    result?;
    if let Some(why) = backend.absence() {
        errln!("note: {why}");
    }
    Ok(())
}

/// A CSV field, made printable (a CSV of names is read a line at a time,
/// with `grep` or `less`, far more often than by a parser that honours a
/// quoted line break) and quoted when it holds a comma or quote (RFC 4180).
pub fn csv_field(s: &str) -> Cow<'_, str> {
    let s = printable(s);
    if s.contains([',', '"']) {
        Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        s
    }
}

/// A number, or `none` in its place, padded as a format string asks.
pub struct Shown<'a, T>(pub Option<T>, pub &'a str);

impl<T: std::fmt::Display> std::fmt::Display for Shown<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(n) => n.fmt(f),
            None => f.pad(self.1),
        }
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
        assert_eq!(csv_field("a\nb\u{1b}[2J"), "a\\nb\\u{1b}[2J");
    }
}
