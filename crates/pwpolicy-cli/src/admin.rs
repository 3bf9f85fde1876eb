//! The administrator's verbs: set-changed, expire (locally or through the
//! service), history clear, user remove, import-shadow (local store only).

use anyhow::{Context, bail};
use pwpolicy::{AccountClass, Policy, printable};
use pwpolicy_backend::BackendError;
use pwpolicy_backend::ops;
use pwpolicy_backend::wire::ErrorKind;
use pwpolicy_host::HostAccounts;
use pwpolicy_host::shadow::{ShadowChange, ShadowEntry};
use pwpolicy_store::Seed;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::args::{ExpireArgs, ImportShadowArgs, SetChangedArgs, Sources, UserArgs};
use crate::config;
use crate::store_access;
use crate::{EXIT_ACCEPTED, EXIT_REJECTED};

/// `pwpolicy set-changed --user U --date YYYY-MM-DD`.
pub fn set_changed(args: &SetChangedArgs) -> anyhow::Result<u8> {
    let now = OffsetDateTime::now_utc();
    let at = ops::parse_day(&args.date, now).map_err(anyhow::Error::msg)?;
    if at > now {
        errln!("warning: {} is in the future", args.date);
    }
    let policy = config::load(args.sources.config.as_deref())?.policy;
    let set = store_access::records(&args.sources, &policy)?.set_changed(
        &args.user,
        &args.date,
        args.create,
    );
    if let Some(code) = unknown_account(set)? {
        return Ok(code);
    }
    outln!(
        "Last password change for {} set to {}.",
        printable(&args.user),
        pwpolicy::format_date(at.date())
    )?;
    Ok(EXIT_ACCEPTED)
}

/// `pwpolicy expire --user U`.
pub fn expire(args: &ExpireArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.sources.config.as_deref())?.policy;
    let expired = store_access::records(&args.sources, &policy)?.expire(&args.user, args.create);
    if let Some(code) = unknown_account(expired)? {
        return Ok(code);
    }
    outln!(
        "{} must change their password at the next login.",
        printable(&args.user)
    )?;
    Ok(EXIT_ACCEPTED)
}

/// An account neither the host nor the store knows: said, and exit 1 (as
/// for `history clear` of an unknown user), nothing recorded.
fn unknown_account(outcome: Result<(), BackendError>) -> anyhow::Result<Option<u8>> {
    match outcome {
        Ok(()) => Ok(None),
        Err(e @ BackendError::UnknownAccount(_))
        | Err(
            e @ BackendError::Refused {
                kind: ErrorKind::UnknownAccount,
                ..
            },
        ) => {
            errln!("{e}; nothing recorded (--create records it anyway)");
            Ok(Some(EXIT_REJECTED))
        }
        Err(e) => Err(e.into()),
    }
}

/// The store itself, for a verb the service does not offer.
fn local_store(sources: &Sources, verb: &str) -> anyhow::Result<Box<dyn pwpolicy_store::Store>> {
    let policy = config::load(sources.config.as_deref())?.policy;
    store_access::local_store(sources, &policy, verb)
}

/// `pwpolicy history clear --user U`.
pub fn clear_history(args: &UserArgs) -> anyhow::Result<u8> {
    if local_store(&args.sources.sources(), "history clear")?.clear_history(&args.user)? {
        outln!("Password history of {} cleared.", printable(&args.user))?;
        Ok(EXIT_ACCEPTED)
    } else {
        errln!("the store has no record of {}", args.user);
        Ok(EXIT_REJECTED)
    }
}

/// `pwpolicy user remove --user U`.
pub fn remove_user(args: &UserArgs) -> anyhow::Result<u8> {
    if local_store(&args.sources.sources(), "user remove")?.remove_user(&args.user)? {
        outln!("{} removed from the store.", printable(&args.user))?;
        Ok(EXIT_ACCEPTED)
    } else {
        errln!("the store has no record of {}", args.user);
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
        pwpolicy_host::shadow::parse(&text).with_context(|| args.file.display().to_string())?;
    if parsed.is_empty() {
        bail!("{}: no accounts found", args.file.display());
    }
    let policy = config::load(args.sources.config.as_deref())?.policy;
    let (entries, skipped) = if args.all {
        (parsed, Skipped::default())
    } else {
        let passwd = args.passwd.clone().unwrap_or_else(|| {
            args.file
                .parent()
                .unwrap_or(std::path::Path::new("."))
                .join("passwd")
        });
        let files = HostAccounts::from_files(&passwd).with_context(|| {
            "cannot tell system accounts from people; name the passwd file with --passwd, \
             or import every account with --all"
        })?;
        people_only(parsed, &files, &policy)
    };
    let without_date = entries
        .iter()
        .filter(|e| e.last_change == ShadowChange::Unset)
        .count();
    let seeds: Vec<Seed> = entries
        .into_iter()
        .filter_map(|e| {
            let last_change = match e.last_change {
                ShadowChange::Unset => return None,
                ShadowChange::MustChange => None,
                ShadowChange::On(day) => Some(day),
            };
            Some(Seed {
                name: e.name,
                last_change,
            })
        })
        .collect();
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
    let summary = local_store(&args.sources.sources(), "import-shadow")?.seed(
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
    outln!(
        "Imported {}: {} added, {} updated, {} kept as they were; {} without a last-change date skipped.",
        printable(&args.file.display().to_string()),
        summary.added,
        summary.updated,
        summary.kept,
        without_date
    )?;
    if !skipped.system.is_empty() {
        outln!(
            "Skipped {} system account{} (uid below {} or from {} to 65535; the policy does not expire them): {}.",
            skipped.system.len(),
            if skipped.system.len() == 1 { "" } else { "s" },
            policy.uid_min(skipped.login_defs),
            policy.uid_max(skipped.login_defs).saturating_add(1),
            names(&skipped.system)
        )?;
    }
    if !skipped.locked.is_empty() {
        outln!(
            "Skipped {} account{} whose password is locked (`!` or `*`: no password logs in, so none expires): {}.",
            skipped.locked.len(),
            if skipped.locked.len() == 1 { "" } else { "s" },
            names(&skipped.locked)
        )?;
    }
    if !skipped.exempt.is_empty() {
        outln!(
            "Skipped {} account{} in exempt classes: {}.",
            skipped.exempt.len(),
            if skipped.exempt.len() == 1 { "" } else { "s" },
            names(&skipped.exempt)
        )?;
    }
    Ok(EXIT_ACCEPTED)
}

/// Accounts an import left out, and why.
#[derive(Debug, Default)]
struct Skipped {
    system: Vec<String>,
    locked: Vec<String>,
    exempt: Vec<String>,
    login_defs: pwpolicy::LoginDefs,
}

/// The shadow entries of accounts whose passwords the policy expires: the
/// core's coverage of each, from the passwd, group and login.defs files
/// and the entry's own lock.
fn people_only(
    entries: Vec<ShadowEntry>,
    files: &HostAccounts,
    policy: &Policy,
) -> (Vec<ShadowEntry>, Skipped) {
    let mut skipped = Skipped {
        login_defs: files.login_defs(),
        ..Skipped::default()
    };
    let kept = entries
        .into_iter()
        .filter(|entry| {
            // An account shadow has but passwd lacks is taken for a person.
            let mut facts = files.facts_of(&entry.name);
            facts.shadow = Some(entry.clone());
            let coverage = facts.coverage(policy);
            if coverage.exempt {
                skipped.exempt.push(entry.name.clone());
            } else if coverage.class == AccountClass::System {
                skipped.system.push(entry.name.clone());
            } else if coverage.locked {
                skipped.locked.push(entry.name.clone());
            } else {
                return true;
            }
            false
        })
        .collect();
    (kept, skipped)
}

/// The first few names (from a shadow file: made printable), and how many
/// more.
fn names(all: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut text = all
        .iter()
        .take(SHOWN)
        .map(|name| printable(name).into_owned())
        .collect::<Vec<_>>()
        .join(", ");
    if all.len() > SHOWN {
        text.push_str(&format!(" and {} more", all.len() - SHOWN));
    }
    text
}
