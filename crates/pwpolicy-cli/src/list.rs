//! `pwpolicy list`: every account's password state in one listing, like
//! `passwd -S -a`: the host's accounts first (in passwd order, each with its
//! class and shadow's view), then the users only the store knows — each row
//! the status object `status` prints for that account.

use std::io::{BufWriter, Write};

use anyhow::Context;
use pwpolicy::printable;
use pwpolicy_backend::{BackendError, Expiry, Local, Source, Status};
use pwpolicy_host::HostAccounts;

use crate::EXIT_ACCEPTED;
use crate::args::{ListArgs, ReportFormat};
use crate::config;
use crate::status::{Shown, csv_field};
use crate::store_access;

/// Runs `pwpolicy list`.
pub fn run(args: &ListArgs) -> anyhow::Result<u8> {
    if args.output.format() == ReportFormat::Html {
        anyhow::bail!("the HTML page is `pwpolicy report --html`");
    }
    let policy = config::load(args.sources.config.as_deref())?.policy;
    let mut backend: Box<dyn Expiry> = match &args.passwd {
        // Another host's files: only the store itself can be asked about them.
        Some(passwd) => {
            let host = HostAccounts::from_files(passwd)?;
            match store_access::expiry_source(
                &args.sources,
                &crate::args::DirectoryArgs::default(),
                &policy,
            )? {
                Source::Local { location, explicit } => Box::new(
                    Local::new(policy.clone(), location, explicit, store_access::OPEN_STORE)
                        .missing_store_is_empty(true)
                        .with_accounts(host),
                ),
                _ => anyhow::bail!(
                    "--passwd lists another host's files against a store opened here (--db); \
                     through the service or a directory, the service's or directory's own accounts are listed"
                ),
            }
        }
        None => store_access::expiry(&args.sources, &args.directory, &policy, true)?,
    };
    let stdout = std::io::stdout();
    let mut out = Listing::start(
        BufWriter::with_capacity(1 << 16, stdout.lock()),
        args.output.format(),
    )?;
    let mut failed = None;
    let listed = backend.list(&mut |status| {
        out.row(&status).map_err(|e| {
            failed = Some(e);
            BackendError::Protocol
        })
    });
    if let Some(e) = failed {
        return Err(anyhow::Error::new(e).context("cannot write the listing"));
    }
    listed?;
    if let Some(why) = backend.absence() {
        errln!("note: {why}");
    }
    out.finish().context("cannot write the listing")?;
    Ok(EXIT_ACCEPTED)
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
            ReportFormat::Table | ReportFormat::Html => writeln!(
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

    fn row(&mut self, s: &Status) -> std::io::Result<()> {
        let shadow = s.shadow.as_ref().and_then(|v| v.last_changed.as_deref());
        match self.format {
            ReportFormat::Table | ReportFormat::Html => {
                let differs = if s.shadow_agrees == Some(false) {
                    " (differs)"
                } else {
                    ""
                };
                writeln!(
                    self.out,
                    "{:<20} {:>6} {:<10} {:<12} {:<12} {:<12} {:>5}  {}{differs}",
                    printable(&s.user),
                    Shown(s.uid, "-"),
                    printable(&s.class),
                    s.state.as_str(),
                    s.last_changed.as_deref().unwrap_or("-"),
                    s.expires.as_deref().unwrap_or("never"),
                    Shown(s.days_left, "-"),
                    shadow.unwrap_or("-"),
                )?
            }
            ReportFormat::Csv => writeln!(
                self.out,
                "{},{},{},{},{},{},{},{},{},{}",
                csv_field(&s.user),
                Shown(s.uid, ""),
                csv_field(&s.class),
                s.state.as_str(),
                s.last_changed.as_deref().unwrap_or(""),
                s.expires.as_deref().unwrap_or(""),
                Shown(s.days_left, ""),
                s.must_change,
                shadow.unwrap_or(""),
                Shown(s.shadow_agrees, ""),
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
