//! `pwpolicy change`: check a password like `check`, then record it as the
//! user's new one, atomically with the history check.

use pwpolicy::{Hasher, Names, Password};
use pwpolicy_store::{ChangeOutcome, PasswordChange};
use serde_json::Value;
use time::OffsetDateTime;

use crate::args::ChangeArgs;
use crate::check::{input_error, overlong, prompt_password, read_password, review_history};
use crate::config;
use crate::input::{InputError, Line};
use crate::render;
use crate::store_access::{self, Reading, StoreChoice};
use crate::{EXIT_ACCEPTED, EXIT_ERROR, EXIT_REJECTED};

/// Runs `pwpolicy change`.
pub fn run(args: &ChangeArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.sources.config.as_deref())?.policy;
    let choice = StoreChoice::from(&args.sources, &policy);
    pwpolicy_store::validate_user(&args.user)?;
    let line = match new_password(&policy) {
        Ok(line) => line,
        Err(e) => return input_error(args.json, &e),
    };
    let Line::Text(text) = line else {
        return finish(args, &overlong(&policy), false, false);
    };
    let password = Password::new(&text);
    let names = Names::new(&args.user, args.full_name.as_deref().unwrap_or(""));
    let mut verdict = policy.check(&password, &names);
    if !verdict.is_accepted() {
        // Nothing will be written; still list reuse and age, if there is a
        // store to ask, so the user sees every reason at once.
        let mut checked = false;
        if let Reading::Open(mut store) = store_access::open_read(&choice, true)? {
            for v in review_history(&mut *store, &args.user, &password, &policy)? {
                verdict.push(v);
            }
            checked = true;
        }
        return finish(args, &verdict, false, checked);
    }
    let mut store = store_access::open_write(&choice)?;
    let hasher = Hasher::new(&policy.history, None)?;
    let change = PasswordChange {
        user: &args.user,
        password: &password,
        policy: &policy,
        hasher: &hasher,
        now: OffsetDateTime::now_utc(),
        enforce_min_age: !args.ignore_min_age,
    };
    match store.change_password(&change)? {
        ChangeOutcome::Changed => finish(args, &verdict, true, true),
        ChangeOutcome::Rejected(violations) => {
            for v in violations {
                verdict.push(v);
            }
            finish(args, &verdict, false, true)
        }
    }
}

/// The new password: twice with echo off on a terminal, else the first line of stdin.
fn new_password(policy: &pwpolicy::Policy) -> Result<Line, InputError> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return read_password(policy, "");
    }
    let first = prompt_password("New password: ")?;
    let second = prompt_password("Retype new password: ")?;
    if *first != *second {
        eprintln!("pwpolicy: the passwords do not match");
        return Err(InputError::Mismatch);
    }
    Ok(Line::Text(first))
}

/// Prints the outcome; `checked` says whether the history was consulted.
fn finish(
    args: &ChangeArgs,
    verdict: &pwpolicy::Verdict,
    changed: bool,
    checked: bool,
) -> anyhow::Result<u8> {
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut value = render::verdict_json(verdict, checked);
        value["changed"] = Value::Bool(changed);
        render::json_line(&mut out, &value)?;
    } else if changed {
        use std::io::Write;
        writeln!(out, "Password changed for {}.", args.user)?;
    } else {
        render::verdict_human(&mut out, verdict)?;
    }
    Ok(match (changed, verdict.is_accepted()) {
        (true, _) => EXIT_ACCEPTED,
        (false, false) => EXIT_REJECTED,
        (false, true) => EXIT_ERROR,
    })
}
