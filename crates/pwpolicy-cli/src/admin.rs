//! The administrator's verbs: set-changed, expire (locally or through the
//! service), history clear, user remove, import-shadow (local store only).

use anyhow::{Context, bail};
use pwpolicy_service::{Client, Request, ops};
use time::OffsetDateTime;

use crate::args::{ImportShadowArgs, SetChangedArgs, Sources, UserArgs};
use crate::config;
use crate::store_access::{self, Backend};
use crate::{EXIT_ACCEPTED, EXIT_REJECTED};

/// The backend for an admin verb.
fn backend(sources: &Sources) -> anyhow::Result<Backend> {
    let policy = config::load(sources.config.as_deref())?.policy;
    Ok(Backend::from(sources, &policy))
}

/// The local store, for verbs the service does not offer.
fn local_store(sources: &Sources, verb: &str) -> anyhow::Result<Box<dyn pwpolicy_store::Store>> {
    match backend(sources)? {
        Backend::Local(choice) => store_access::open_write(&choice),
        Backend::Service(socket) => bail!(
            "`{verb}` works on the store itself, not through the service at {}: run it where the store is, with --db",
            socket.display()
        ),
    }
}

/// `pwpolicy set-changed --user U --date YYYY-MM-DD`.
pub fn set_changed(args: &SetChangedArgs) -> anyhow::Result<u8> {
    let now = OffsetDateTime::now_utc();
    let at = ops::parse_day(&args.date, now).map_err(anyhow::Error::msg)?;
    if at > now {
        eprintln!("pwpolicy: warning: {} is in the future", args.date);
    }
    match backend(&args.sources)? {
        Backend::Service(socket) => {
            Client::connect(&socket)?.call(Request::SetChanged {
                user: args.user.clone(),
                date: args.date.clone(),
            })?;
        }
        Backend::Local(choice) => {
            store_access::open_write(&choice)?.set_changed(&args.user, at, now)?
        }
    }
    println!(
        "Last password change for {} set to {}.",
        args.user,
        pwpolicy::format_date(at.date())
    );
    Ok(EXIT_ACCEPTED)
}

/// `pwpolicy expire --user U`.
pub fn expire(args: &UserArgs) -> anyhow::Result<u8> {
    match backend(&args.sources)? {
        Backend::Service(socket) => {
            Client::connect(&socket)?.call(Request::Expire {
                user: args.user.clone(),
            })?;
        }
        Backend::Local(choice) => {
            store_access::open_write(&choice)?.expire(&args.user, OffsetDateTime::now_utc())?
        }
    }
    println!(
        "{} must change their password at the next login.",
        args.user
    );
    Ok(EXIT_ACCEPTED)
}

/// `pwpolicy history clear --user U`.
pub fn clear_history(args: &UserArgs) -> anyhow::Result<u8> {
    if local_store(&args.sources, "history clear")?.clear_history(&args.user)? {
        println!("Password history of {} cleared.", args.user);
        Ok(EXIT_ACCEPTED)
    } else {
        eprintln!("pwpolicy: the store has no record of {}", args.user);
        Ok(EXIT_REJECTED)
    }
}

/// `pwpolicy user remove --user U`.
pub fn remove_user(args: &UserArgs) -> anyhow::Result<u8> {
    if local_store(&args.sources, "user remove")?.remove_user(&args.user)? {
        println!("{} removed from the store.", args.user);
        Ok(EXIT_ACCEPTED)
    } else {
        eprintln!("pwpolicy: the store has no record of {}", args.user);
        Ok(EXIT_REJECTED)
    }
}

/// `pwpolicy import-shadow FILE`: the whole file is read and checked before
/// anything is written, and written in one transaction.
pub fn import_shadow(args: &ImportShadowArgs) -> anyhow::Result<u8> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (byte {})",
            args.file.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let parsed =
        pwpolicy_store::shadow::parse(&text).with_context(|| args.file.display().to_string())?;
    if parsed.seeds.is_empty() && parsed.without_date.is_empty() {
        bail!("{}: no accounts found", args.file.display());
    }
    let summary = local_store(&args.sources, "import-shadow")?.seed(
        &parsed.seeds,
        args.overwrite,
        OffsetDateTime::now_utc(),
    )?;
    println!(
        "Imported {}: {} added, {} updated, {} kept as they were; {} without a last-change date skipped.",
        args.file.display(),
        summary.added,
        summary.updated,
        summary.kept,
        parsed.without_date.len()
    );
    Ok(EXIT_ACCEPTED)
}
