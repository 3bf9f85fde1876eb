//! `pwpolicy change`: check a password like `check`, then record it as the
//! user's new one, atomically with the history check (locally or through
//! the service).

use std::io::Write;

use pwpolicy::{Names, Password};
use pwpolicy_service::accounts::Facts;
use pwpolicy_service::{Client, Request, Secret, ops};
use serde_json::{Value, json};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::args::ChangeArgs;
use crate::check::{input_error, overlong, prompt_password, read_password};
use crate::config;
use crate::input::{InputError, Line};
use crate::render;
use crate::store_access::{self, Backend, Reading};
use crate::{EXIT_ACCEPTED, EXIT_REJECTED};

/// Runs `pwpolicy change`.
pub fn run(args: &ChangeArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.sources.config.as_deref())?.policy;
    pwpolicy_store::validate_user(&args.user)?;
    let line = match new_password(&policy) {
        Ok(line) => line,
        Err(e) => return input_error(args.json, &e),
    };
    let Line::Text(text) = line else {
        return finish(
            args,
            &render::verdict_json(&overlong(&policy), false),
            false,
        );
    };
    let full_name = args.full_name.as_deref().unwrap_or("");
    match Backend::from(&args.sources, &policy) {
        Backend::Service(socket) => {
            let mut client = Client::connect(&socket)?;
            let verdict = client.call(Request::Check {
                user: args.user.clone(),
                full_name: full_name.to_owned(),
                password: Secret(text.clone()),
            })?;
            if verdict["accepted"] != true {
                return finish(args, &verdict, false);
            }
            let outcome = client.call(Request::Commit {
                user: args.user.clone(),
                password: Secret(text),
                enforce_min_age: !args.ignore_min_age,
                allow_reuse: false,
            })?;
            let changed = outcome["changed"] == true;
            finish(
                args,
                &json!({ "accepted": changed, "violations": outcome["violations"], "history_checked": true }),
                changed,
            )
        }
        Backend::Local(choice) => {
            // The account's class may set its own length and age rules.
            let facts = Facts::lookup(&args.user);
            let coverage = facts.coverage(&policy);
            let policy = &*coverage.policy;
            let password = Password::new(&text);
            let now = OffsetDateTime::now_utc();
            let verdict = policy.check(&password, &Names::new(&args.user, full_name));
            if !verdict.is_accepted() {
                // Nothing will be written; still list reuse and age, if
                // there is a store to ask, so every reason shows at once.
                let mut reading = store_access::open_read(&choice, true)?;
                let checked = matches!(reading, Reading::Open(_));
                let verdict = ops::check(
                    reading.store(),
                    policy,
                    &args.user,
                    full_name,
                    &password,
                    now,
                )?;
                return finish(args, &render::verdict_json(&verdict, checked), false);
            }
            let mut store = store_access::open_write(&choice)?;
            let how = ops::ChangeRules {
                enforce_min_age: !args.ignore_min_age,
                allow_reuse: false,
            };
            match ops::commit(&mut *store, policy, &args.user, &password, how, now)? {
                Ok(()) => finish(args, &render::verdict_json(&verdict, true), true),
                Err(violations) => {
                    let verdict = json!({ "accepted": false, "violations": violations, "history_checked": true });
                    finish(args, &verdict, false)
                }
            }
        }
    }
}

/// The new password: twice with echo off on a terminal, else the first line of stdin.
fn new_password(policy: &pwpolicy::Policy) -> Result<Line, InputError> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return read_password(policy, "");
    }
    let first: Zeroizing<String> = prompt_password("New password: ")?;
    let second = prompt_password("Retype new password: ")?;
    if *first != *second {
        return Err(InputError::Mismatch);
    }
    Ok(Line::Text(first))
}

/// Prints the outcome: the verdict (JSON or human), and whether it was recorded.
fn finish(args: &ChangeArgs, verdict: &Value, changed: bool) -> anyhow::Result<u8> {
    let mut out = std::io::stdout().lock();
    if args.json {
        let value = json!({
            "accepted": verdict["accepted"] == true && changed,
            "violations": verdict["violations"],
            "history_checked": verdict["history_checked"],
            "changed": changed,
        });
        render::json_line(&mut out, &value)?;
    } else if changed {
        writeln!(out, "Password changed for {}.", args.user)?;
    } else {
        render::verdict_human(&mut out, verdict)?;
    }
    Ok(if changed {
        EXIT_ACCEPTED
    } else {
        EXIT_REJECTED
    })
}
