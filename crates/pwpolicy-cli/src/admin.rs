//! The administrator's verbs: set-changed, expire (locally or through the
//! service), history clear, user remove, import-shadow (local store only).

use anyhow::{Context, bail};
use pwpolicy::{AccountClass, Policy};
use pwpolicy_backend::accounts::{AccountFiles, Facts};
use pwpolicy_backend::ops;
use pwpolicy_store::Seed;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::args::{ImportShadowArgs, SetChangedArgs, Sources, UserArgs};
use crate::config;
use crate::store_access;
use crate::{EXIT_ACCEPTED, EXIT_REJECTED};

/// `pwpolicy set-changed --user U --date YYYY-MM-DD`.
pub fn set_changed(args: &SetChangedArgs) -> anyhow::Result<u8> {
    let now = OffsetDateTime::now_utc();
    let at = ops::parse_day(&args.date, now).map_err(anyhow::Error::msg)?;
    if at > now {
        eprintln!("pwpolicy: warning: {} is in the future", args.date);
    }
    let policy = config::load(args.sources.config.as_deref())?.policy;
    store_access::backend(&args.sources, &policy, true).set_changed(&args.user, &args.date)?;
    println!(
        "Last password change for {} set to {}.",
        args.user,
        pwpolicy::format_date(at.date())
    );
    Ok(EXIT_ACCEPTED)
}

/// `pwpolicy expire --user U`.
pub fn expire(args: &UserArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.sources.config.as_deref())?.policy;
    store_access::backend(&args.sources, &policy, true).expire(&args.user)?;
    println!(
        "{} must change their password at the next login.",
        args.user
    );
    Ok(EXIT_ACCEPTED)
}

/// The store itself, for a verb the service does not offer.
fn local_store(sources: &Sources, verb: &str) -> anyhow::Result<Box<dyn pwpolicy_store::Store>> {
    let policy = config::load(sources.config.as_deref())?.policy;
    store_access::local_store(sources, &policy, verb)
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
/// anything is written, and written in one transaction. System accounts and
/// exempt classes are left out (the policy does not expire them), told from
/// people by the passwd file beside FILE.
pub fn import_shadow(args: &ImportShadowArgs) -> anyhow::Result<u8> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let text = Zeroizing::new(String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (byte {})",
            args.file.display(),
            e.utf8_error().valid_up_to()
        )
    })?);
    let parsed =
        pwpolicy_store::shadow::parse(&text).with_context(|| args.file.display().to_string())?;
    if parsed.seeds.is_empty() && parsed.without_date.is_empty() {
        bail!("{}: no accounts found", args.file.display());
    }
    let policy = config::load(args.sources.config.as_deref())?.policy;
    let (seeds, skipped) = if args.all {
        (parsed.seeds, Skipped::default())
    } else {
        let passwd = args.passwd.clone().unwrap_or_else(|| {
            args.file
                .parent()
                .unwrap_or(std::path::Path::new("."))
                .join("passwd")
        });
        let files = AccountFiles::read(&passwd).with_context(|| {
            "cannot tell system accounts from people; name the passwd file with --passwd, \
             or import every account with --all"
        })?;
        people_only(parsed.seeds, &files, &policy)
    };
    // A bar on a terminal only (indicatif hides it when stderr is piped).
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(seeds.len() as u64),
        indicatif::ProgressDrawTarget::stderr(),
    )
    .with_style(
        indicatif::ProgressStyle::with_template(
            "importing {bar:40} {pos}/{len} accounts, {eta} left {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let summary = local_store(&args.sources, "import-shadow")?.seed(
        &seeds,
        args.overwrite,
        OffsetDateTime::now_utc(),
        &mut |done| {
            bar.set_position(done as u64);
            if done == seeds.len() {
                bar.set_message("committing");
            }
        },
    );
    bar.finish_and_clear();
    let summary = summary?;
    println!(
        "Imported {}: {} added, {} updated, {} kept as they were; {} without a last-change date skipped.",
        args.file.display(),
        summary.added,
        summary.updated,
        summary.kept,
        parsed.without_date.len()
    );
    if !skipped.system.is_empty() {
        println!(
            "Skipped {} system account{} (uid below {}; the policy does not expire them): {}.",
            skipped.system.len(),
            if skipped.system.len() == 1 { "" } else { "s" },
            policy.uid_min(skipped.login_defs_uid_min),
            names(&skipped.system)
        );
    }
    if !skipped.exempt.is_empty() {
        println!(
            "Skipped {} account{} in exempt classes: {}.",
            skipped.exempt.len(),
            if skipped.exempt.len() == 1 { "" } else { "s" },
            names(&skipped.exempt)
        );
    }
    Ok(EXIT_ACCEPTED)
}

/// Accounts an import left out, and why.
#[derive(Debug, Default)]
struct Skipped {
    system: Vec<String>,
    exempt: Vec<String>,
    login_defs_uid_min: Option<u32>,
}

/// The seeds of accounts whose passwords the policy expires.
fn people_only(seeds: Vec<Seed>, files: &AccountFiles, policy: &Policy) -> (Vec<Seed>, Skipped) {
    let mut skipped = Skipped {
        login_defs_uid_min: files.login_defs_uid_min,
        ..Skipped::default()
    };
    let kept = seeds
        .into_iter()
        .filter(|seed| {
            // An account shadow has but passwd lacks is taken for a person.
            let facts = files
                .facts(&seed.name)
                .unwrap_or_else(|| Facts::unknown(&seed.name));
            let coverage = facts.coverage(policy);
            if coverage.exempt {
                skipped.exempt.push(seed.name.clone());
            } else if coverage.class == AccountClass::System {
                skipped.system.push(seed.name.clone());
            } else {
                return true;
            }
            false
        })
        .collect();
    (kept, skipped)
}

/// The first few names, and how many more.
fn names(all: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut text = all
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if all.len() > SHOWN {
        text.push_str(&format!(" and {} more", all.len() - SHOWN));
    }
    text
}
