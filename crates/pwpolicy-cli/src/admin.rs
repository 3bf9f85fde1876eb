//! The administrator's verbs: set-changed, expire, history clear, user
//! remove, import-shadow.

use anyhow::{Context, bail};
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time};

use crate::args::{ImportShadowArgs, SetChangedArgs, UserArgs};
use crate::config;
use crate::store_access::{self, StoreChoice};
use crate::{EXIT_ACCEPTED, EXIT_REJECTED};

fn open(sources: &crate::args::Sources) -> anyhow::Result<Box<dyn pwpolicy_store::Store>> {
    let policy = config::load(sources.config.as_deref())?.policy;
    store_access::open_write(&StoreChoice::from(sources, &policy))
}

/// `YYYY-MM-DD` (or `today`) as midnight UTC of that day.
fn parse_day(text: &str, now: OffsetDateTime) -> anyhow::Result<OffsetDateTime> {
    let date = if text == "today" {
        now.date()
    } else {
        Date::parse(text, format_description!("[year]-[month]-[day]"))
            .with_context(|| format!("invalid date `{text}`: use YYYY-MM-DD"))?
    };
    Ok(date.with_time(Time::MIDNIGHT).assume_utc())
}

/// `pwpolicy set-changed --user U --date YYYY-MM-DD`.
pub fn set_changed(args: &SetChangedArgs) -> anyhow::Result<u8> {
    let now = OffsetDateTime::now_utc();
    let at = parse_day(&args.date, now)?;
    if at > now {
        eprintln!("pwpolicy: warning: {} is in the future", args.date);
    }
    open(&args.sources)?.set_changed(&args.user, at, now)?;
    println!(
        "Last password change for {} set to {}.",
        args.user,
        pwpolicy::format_date(at.date())
    );
    Ok(EXIT_ACCEPTED)
}

/// `pwpolicy expire --user U`.
pub fn expire(args: &UserArgs) -> anyhow::Result<u8> {
    open(&args.sources)?.expire(&args.user, OffsetDateTime::now_utc())?;
    println!(
        "{} must change their password at the next login.",
        args.user
    );
    Ok(EXIT_ACCEPTED)
}

/// `pwpolicy history clear --user U`.
pub fn clear_history(args: &UserArgs) -> anyhow::Result<u8> {
    if open(&args.sources)?.clear_history(&args.user)? {
        println!("Password history of {} cleared.", args.user);
        Ok(EXIT_ACCEPTED)
    } else {
        eprintln!("pwpolicy: the store has no record of {}", args.user);
        Ok(EXIT_REJECTED)
    }
}

/// `pwpolicy user remove --user U`.
pub fn remove_user(args: &UserArgs) -> anyhow::Result<u8> {
    if open(&args.sources)?.remove_user(&args.user)? {
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
    let summary =
        open(&args.sources)?.seed(&parsed.seeds, args.overwrite, OffsetDateTime::now_utc())?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn days() {
        let now = datetime!(2026-11-23 15:00 UTC);
        assert_eq!(
            parse_day("2026-08-24", now).unwrap(),
            datetime!(2026-08-24 00:00 UTC)
        );
        assert_eq!(
            parse_day("today", now).unwrap(),
            datetime!(2026-11-23 00:00 UTC)
        );
        for bad in ["2026-13-01", "24/08/2026", "", "2026-02-30"] {
            assert!(parse_day(bad, now).is_err(), "{bad}");
        }
    }
}
