//! `pwpolicy change`: check a password like `check`, then record it as the
//! user's new one, atomically with the history check (locally or through
//! the service).

use std::io::Write;

use pwpolicy_backend::{CheckAnswer, CheckRequest};
use serde_json::json;
use zeroize::Zeroizing;

use crate::args::ChangeArgs;
use crate::check::{input_error, overlong, prompt_password, read_password};
use crate::config;
use crate::input::{InputError, Line};
use crate::render;
use crate::store_access;
use crate::{EXIT_ACCEPTED, EXIT_REJECTED};

/// Runs `pwpolicy change`.
pub fn run(args: &ChangeArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.sources.config.as_deref())?.policy;
    pwpolicy_store::validate_user(&args.user)?;
    let line = match new_password(&policy, &args.user) {
        Ok(line) => line,
        Err(e) => return input_error(args.json, &e),
    };
    let Line::Text(text) = line else {
        return finish(args, &render::answer(&overlong(&policy), false), false);
    };
    let mut backend = store_access::passwords(&args.sources, &policy, true)?;
    // Every reason at once when refused; the record decides reuse and age
    // under the store's lock (see `Passwords::change`).
    let answer = backend.change(&CheckRequest {
        user: Some(&args.user),
        full_name: args.full_name.as_deref(),
        password: &text,
        enforce_min_age: !args.ignore_min_age,
        prepare: false,
    })?;
    finish(args, &answer.verdict, answer.changed)
}

/// The new password: twice with echo off on a terminal (after the rules of
/// the user's class, as PAM tells them), else the first line of stdin.
fn new_password(policy: &pwpolicy::Policy, user: &str) -> Result<Line, InputError> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return read_password(policy, "");
    }
    if policy.pam.show_rules {
        let facts = pwpolicy_host::Facts::lookup(user);
        let coverage = facts.coverage(policy);
        if coverage.checks_passwords() {
            let intro = coverage.policy().rules_before_prompt();
            if !intro.is_empty() {
                let _ = writeln!(std::io::stderr(), "{intro}");
            }
        }
    }
    let first: Zeroizing<String> = prompt_password("New password: ")?;
    let second = prompt_password("Retype new password: ")?;
    if *first != *second {
        return Err(InputError::Mismatch);
    }
    Ok(Line::Text(first))
}

/// Prints the outcome: the verdict (JSON or human), and whether it was recorded.
fn finish(args: &ChangeArgs, verdict: &CheckAnswer, changed: bool) -> anyhow::Result<u8> {
    let mut out = std::io::stdout().lock();
    if args.json {
        let value = json!({
            "accepted": verdict.accepted && changed,
            "violations": verdict.violations,
            "history_checked": verdict.history_checked,
            "changed": changed,
        });
        render::json_line(&mut out, &value)?;
    } else if changed {
        writeln!(
            out,
            "Password changed for {}.",
            pwpolicy::printable(&args.user)
        )?;
    } else {
        render::verdict_human(&mut out, verdict)?;
    }
    Ok(if changed {
        EXIT_ACCEPTED
    } else {
        EXIT_REJECTED
    })
}
