//! `pwpolicy notify`: reminders by mail, a dry run unless `--send`.
//!
//! Every account's status comes from the chosen source (the store, pwpolicyd
//! or the directory) with the reminder the core found due in it; what was
//! sent is kept in the store (or pwpolicyd's), so each reminder goes once
//! per threshold per password, whichever host runs and however often. A
//! reminder is claimed before its mail is sent and released if the mail
//! does not go, so a failure loses nothing and two runs never send one
//! twice. Rows stream from the source: memory stays flat at any size.

use std::io::{BufWriter, Write};

use anyhow::Context;
use pwpolicy::{Policy, Reminder, printable};
use pwpolicy_backend::{BackendError, Reminders, Status};
use pwpolicy_notify::html::Page;
use pwpolicy_notify::smtp::{MailError, Protection};
use pwpolicy_notify::template::Templates;
use pwpolicy_notify::{Compose, Mailer, recipient};
use serde::Serialize;
use time::OffsetDateTime;

use crate::args::NotifyArgs;
use crate::config;
use crate::store_access;
use crate::{EXIT_ACCEPTED, EXIT_REJECTED};

/// The most bytes read from a template file.
const MAX_TEMPLATE: u64 = 64 * 1024;

/// One reminder of the run, as `--json` prints it.
#[derive(Serialize)]
struct Line<'a> {
    user: &'a str,
    to: String,
    reason: &'static str,
    days_left: Option<i64>,
    expires: Option<&'a str>,
}

/// One reminder that could not be sent (it stays due).
#[derive(Serialize)]
struct Failed {
    user: String,
    error: String,
}

/// What the run did, by outcome.
#[derive(Default)]
struct Tally {
    listed: u64,
    sent: u64,
    failed: Vec<Failed>,
    waiting: u64,
    /// Why the server stopped taking mail mid-run, once it has: nothing
    /// more is tried, and what is left stays due.
    stopped: Option<String>,
    by_reason: std::collections::BTreeMap<&'static str, u64>,
}

/// Runs `pwpolicy notify`.
pub fn run(args: &NotifyArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.sources.config.as_deref())?.policy;
    let notify = &policy.notify;
    // Everything that can be wrong with the configuration is found before
    // any account is read, and (with --send) before anything is claimed.
    let templates = Templates::new(
        read_template(notify.subject_file.as_deref(), "subject_file")?,
        read_template(notify.body_file.as_deref(), "body_file")?,
    )?;
    let from = notify
        .from
        .as_deref()
        .unwrap_or("pwpolicy <root@localhost>");
    let compose = Compose::new(&policy, from, templates)?;
    if let Some(admin) = notify.admin.as_deref() {
        admin
            .parse::<lettre::message::Mailbox>()
            .map_err(|_| anyhow::anyhow!("[notify] admin {admin:?} is not a mail address"))?;
    }
    let mailer = if args.send {
        let mailer = Mailer::new(notify)?;
        if mailer.protection() == Protection::Clear {
            errln!(
                "warning: sending to {} without TLS ([notify] starttls = false): mail and any password cross the network readable",
                mailer.url()
            );
        }
        mailer.verify()?;
        Some(mailer)
    } else {
        None
    };
    let mut statuses = store_access::reminded(&args.sources, &args.directory, &policy)?;
    let mut sent = store_access::reminders(&args.sources, &policy)?;
    let now = OffsetDateTime::now_utc();
    let window = notify.days.iter().copied().max().unwrap_or(14);
    let mut page = Page::new(now.date(), window);
    let mut tally = Tally::default();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.json {
        write!(out, "{{\"dry_run\":{},\"messages\":[", !args.send)?;
    }
    let cap = notify.max_per_run.map(u64::from);
    let mut io_failed = None;
    let walked = statuses.list(&mut |status: Status| {
        let Some(reminder) = status.reminder else {
            page.add(status);
            return Ok(());
        };
        let done = one(
            &status,
            &reminder,
            &Ctx {
                policy: &policy,
                compose: &compose,
                mailer: mailer.as_ref(),
                cap,
            },
            &mut *sent,
            &mut tally,
        );
        let line = match done {
            Ok(Some(to)) => Some(to),
            Ok(None) => None,
            Err(e) => return Err(e),
        };
        if let Some(to) = line {
            let line = Line {
                user: &status.user,
                to: to.to_string(),
                reason: reminder.reason.as_str(),
                days_left: status.days_left,
                expires: status.expires.as_deref(),
            };
            let written = if args.json {
                let sep = if tally.listed + tally.sent > 1 {
                    ","
                } else {
                    ""
                };
                write!(out, "{sep}").and_then(|()| {
                    serde_json::to_writer(&mut out, &line).map_err(std::io::Error::from)
                })
            } else {
                writeln!(
                    out,
                    "{} {:<24} {:<14} {}{}",
                    if args.send { "sent" } else { "would send" },
                    printable(&status.user),
                    reminder.reason.as_str(),
                    to,
                    status
                        .days_left
                        .filter(|_| reminder.reason == pwpolicy::Reason::Expiring)
                        .map_or(String::new(), |d| format!(" ({d} days left)"))
                )
            };
            if let Err(e) = written {
                io_failed = Some(e);
                return Err(BackendError::Protocol);
            }
        }
        page.add(status);
        Ok(())
    });
    if let Some(e) = io_failed {
        return Err(anyhow::Error::new(e).context("cannot write the run's output"));
    }
    walked.context("cannot read the accounts")?;
    if args.json {
        write!(out, "],\"failed\":")?;
        serde_json::to_writer(&mut out, &tally.failed)?;
        writeln!(out, ",\"waiting\":{}}}", tally.waiting)?;
    } else {
        for f in &tally.failed {
            writeln!(out, "not sent {:<20} {}", printable(&f.user), f.error)?;
        }
    }
    out.flush()?;
    if tally.waiting > 0 {
        errln!(
            "warning: {} reminder{} wait for the next run ([notify] max_per_run = {})",
            tally.waiting,
            if tally.waiting == 1 { "" } else { "s" },
            cap.unwrap_or(0)
        );
    }
    // The reminders are already sent and recorded: a summary that does not
    // go is a failure of this run (exit 1), not a configuration error.
    let mut summary_failed = false;
    if let (Some(mailer), Some(admin)) = (&mailer, notify.admin.as_deref())
        && let Err(e) = summary(mailer, admin, from, &tally, page)
    {
        errln!("the summary to [notify] admin was not sent: {e:#}");
        summary_failed = true;
    }
    if !args.json {
        errln!(
            "{} reminder{} {}, {} not sent, {} waiting",
            tally.sent + tally.listed,
            if tally.sent + tally.listed == 1 {
                ""
            } else {
                "s"
            },
            if args.send {
                "sent"
            } else {
                "due (dry run: nothing sent)"
            },
            tally.failed.len(),
            tally.waiting
        );
    }
    Ok(if tally.failed.is_empty() && !summary_failed {
        EXIT_ACCEPTED
    } else {
        EXIT_REJECTED
    })
}

/// What every reminder of a run needs.
struct Ctx<'a> {
    policy: &'a Policy,
    compose: &'a Compose<'a>,
    mailer: Option<&'a Mailer>,
    cap: Option<u64>,
}

/// Lists or sends one due reminder; the address it went (or would go) to,
/// or `None` when it was sent before, is capped, or failed (tallied).
fn one(
    status: &Status,
    reminder: &Reminder,
    ctx: &Ctx<'_>,
    sent: &mut dyn Reminders,
    tally: &mut Tally,
) -> Result<Option<lettre::Address>, BackendError> {
    // The error may quote the mail server's reply or an address built from
    // the directory: printable, like the name, wherever it is shown.
    let failed = |tally: &mut Tally, error: String| {
        tally.failed.push(Failed {
            user: printable(&status.user).into_owned(),
            error: printable(&error).into_owned(),
        });
    };
    let to = match recipient(status, ctx.policy.notify.to.as_deref()) {
        Ok(to) => to,
        Err(why) => {
            if !sent.was_sent(&status.user, reminder)? {
                failed(tally, why);
            }
            return Ok(None);
        }
    };
    let Some(mailer) = ctx.mailer else {
        // A dry run: what a run would send now.
        if sent.was_sent(&status.user, reminder)? {
            return Ok(None);
        }
        tally.listed += 1;
        *tally.by_reason.entry(reminder.reason.as_str()).or_default() += 1;
        return Ok(Some(to));
    };
    if ctx.cap.is_some_and(|cap| tally.sent >= cap) {
        if !sent.was_sent(&status.user, reminder)? {
            tally.waiting += 1;
        }
        return Ok(None);
    }
    if let Some(why) = &tally.stopped {
        if !sent.was_sent(&status.user, reminder)? {
            let why = format!("not tried: {why}");
            failed(tally, why);
        }
        return Ok(None);
    }
    if !sent.claim(&status.user, reminder)? {
        return Ok(None);
    }
    let outcome = match ctx.compose.message(status, reminder, to.clone()) {
        Ok(out) => mailer.send(&out.message),
        Err(e) => Err(MailError::Refused(e.to_string())),
    };
    match outcome {
        Ok(()) => {
            sent.sent(&status.user, reminder)?;
            tally.sent += 1;
            *tally.by_reason.entry(reminder.reason.as_str()).or_default() += 1;
            Ok(Some(to))
        }
        Err(e) => {
            sent.release(&status.user, reminder)?;
            if let MailError::Stopped(why) = &e {
                errln!(
                    "the mail server stopped taking mail ({why}); nothing more is sent this run"
                );
                tally.stopped = Some(format!("the mail server stopped taking mail: {why}"));
            }
            failed(tally, e.to_string());
            Ok(None)
        }
    }
}

/// The administrator's summary: the counts, and the report's page attached.
fn summary(
    mailer: &Mailer,
    admin: &str,
    from: &str,
    tally: &Tally,
    page: Page,
) -> anyhow::Result<()> {
    use lettre::message::header::ContentType;
    use lettre::message::{Attachment, Mailbox, Message, MultiPart, SinglePart};
    let to: Mailbox = admin
        .parse()
        .with_context(|| format!("[notify] admin {admin:?} is not a mail address"))?;
    let from: Mailbox = from.parse().context("[notify] from")?;
    let mut text = format!(
        "pwpolicy notify sent {} reminder{}; {} could not be sent (they stay due); {} wait for the next run.\n\n",
        tally.sent,
        if tally.sent == 1 { "" } else { "s" },
        tally.failed.len(),
        tally.waiting
    );
    for (reason, n) in &tally.by_reason {
        text.push_str(&format!("  {reason}: {n}\n"));
    }
    for f in tally.failed.iter().take(50) {
        text.push_str(&format!("  not sent to {}: {}\n", f.user, f.error));
    }
    text.push_str("\nThe attached page has every account's standing.\n");
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(format!(
            "pwpolicy: {} reminder{} sent, {} not sent",
            tally.sent,
            if tally.sent == 1 { "" } else { "s" },
            tally.failed.len()
        ))
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(text))
                .singlepart(
                    Attachment::new("password-expiry.html".to_owned())
                        .body(page.finish(), ContentType::TEXT_HTML),
                ),
        )?;
    mailer.send(&message)?;
    Ok(())
}

/// A template file's text (none named: the built-in template).
fn read_template(path: Option<&str>, key: &str) -> anyhow::Result<Option<String>> {
    let Some(path) = path else { return Ok(None) };
    let bytes = pwpolicy_host::files::read(
        std::path::Path::new(path),
        pwpolicy_host::files::Rule::Enforced,
        MAX_TEMPLATE,
    )
    .with_context(|| format!("[notify] {key}"))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| anyhow::anyhow!("[notify] {key} {path}: not UTF-8 text"))
}
