//! `pwpolicy check --samba`: Samba AD DC's `check password script`.
//!
//! Samba runs the script with `/bin/sh -c` as root for every password set
//! on the domain (`samdb_check_password()`, source4/dsdb/common/util.c):
//! the password on standard input as UTF-8 with no newline, the account in
//! `SAMBA_CPS_ACCOUNT_NAME`, the principal name (if set) in
//! `SAMBA_CPS_USER_PRINCIPAL_NAME`, the display name (if set) in
//! `SAMBA_CPS_FULL_NAME`. Exit 0 accepts, anything else refuses; what is
//! printed goes only to Samba's debug log. History, minimum age and minimum
//! length stay Samba's own (docs/samba.md). Every error refuses.

use std::io::Read;

use anyhow::{Context, bail};
use pwpolicy::{Names, Password, Policy, Violation, printable};
use pwpolicy_host::Lists;
use zeroize::Zeroizing;

use crate::input::line_limit;
use crate::render;
use crate::{EXIT_ACCEPTED, EXIT_REJECTED};

/// The account being changed.
pub const ACCOUNT_VAR: &str = "SAMBA_CPS_ACCOUNT_NAME";
/// Its display name, when it has one.
pub const FULL_NAME_VAR: &str = "SAMBA_CPS_FULL_NAME";
/// Its user principal name, when it has one.
pub const PRINCIPAL_VAR: &str = "SAMBA_CPS_USER_PRINCIPAL_NAME";

/// Judges the password Samba sends on `input` under `policy`.
///
/// # Errors
///
/// No account name, a password that is not UTF-8 or holds a NUL, or a
/// breached-password list that cannot be read: the caller exits 2, which
/// Samba reads as a refusal.
pub fn check(policy: &Policy, json: bool, input: &mut impl Read) -> anyhow::Result<u8> {
    let account = var(ACCOUNT_VAR)?
        .filter(|a| !a.is_empty())
        .with_context(|| {
            format!("{ACCOUNT_VAR} is not set: run as Samba's check password script")
        })?;
    let full_name = var(FULL_NAME_VAR)?.unwrap_or_default();
    let principal = var(PRINCIPAL_VAR)?.unwrap_or_default();

    // All of the input is the password; one byte more than any policy reads
    // shows it is too long without reading an unbounded amount.
    let limit = line_limit(policy.quality.max_length);
    let mut bytes = Zeroizing::new(Vec::new());
    input
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .context("cannot read the password from standard input")?;
    if bytes.len() > limit {
        let mut verdict = pwpolicy::Verdict::new();
        verdict.push(Violation::TooLong {
            max: policy.quality.max_length,
            actual: None,
        });
        return report(&account, json, &verdict);
    }
    if bytes.contains(&0) {
        bail!("the password holds a NUL byte");
    }
    let password = Zeroizing::new(String::from_utf8(std::mem::take(&mut *bytes)).map_err(|e| {
        let mut raw = e.into_bytes();
        zeroize::Zeroize::zeroize(&mut raw);
        anyhow::anyhow!("the password is not UTF-8")
    })?);
    let mut verdict = Lists::new().text_verdict(policy, &account, &full_name, &password)?;
    // The principal name's local part is held to the account-name rule too
    // (`erin.hagens@example.org` for account `ehagens`).
    // Only the name rule: length and classes are already judged.
    let local = principal.split('@').next().unwrap_or_default();
    if !local.is_empty() && !verdict.has("contains_account_name") {
        let found = Names::new(local, "")
            .check(Password::new(&password).expose(), policy.quality.name_check);
        if found.contains(&Violation::ContainsAccountName) {
            verdict.push(Violation::ContainsAccountName);
        }
    }
    report(&account, json, &verdict)
}

/// An environment variable; one that is set but not UTF-8 is an error.
fn var(name: &str) -> anyhow::Result<Option<String>> {
    match std::env::var(name) {
        Ok(v) => Ok(Some(v)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => bail!("{name} is not UTF-8"),
    }
}

/// Prints the verdict for Samba's log and returns the exit code.
fn report(account: &str, json: bool, verdict: &pwpolicy::Verdict) -> anyhow::Result<u8> {
    let answer = render::answer(verdict, false);
    let mut out = std::io::stdout().lock();
    if json {
        render::json_line(&mut out, &answer)?;
    } else {
        use std::io::Write;
        // Samba's variables are the directory's: a name can hold a newline
        // or a terminal escape, and this line goes to Samba's log.
        write!(out, "{}: ", printable(account))?;
        render::verdict_human(&mut out, &answer)?;
    }
    Ok(if answer.accepted {
        EXIT_ACCEPTED
    } else {
        EXIT_REJECTED
    })
}
