//! `pwpolicy check`: one password from standard input (or JSON Lines with
//! `--batch`, in batch.rs), checked locally or by the service.

use std::io::IsTerminal;

use anyhow::Context;
use pwpolicy::{Password, Policy, Verdict, Violation};
use pwpolicy_service::accounts::Facts;
use pwpolicy_service::{Client, Request, Secret, ops};
use serde_json::{Value, json};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::args::CheckArgs;
use crate::config;
use crate::input::{self, InputError, Line};
use crate::render;
use crate::store_access::{self, Backend, Reading};
use crate::{EXIT_ACCEPTED, EXIT_ERROR, EXIT_REJECTED};

/// Runs `pwpolicy check`.
pub fn run(args: &CheckArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.sources.config.as_deref())?.policy;
    if args.batch {
        return crate::batch::batch(
            &policy,
            &mut std::io::stdin().lock(),
            &mut std::io::stdout().lock(),
        );
    }
    let backend = Backend::from(&args.sources, &policy);
    // An explicit store is opened even without --user, so a wrong --db is
    // reported instead of silently unused.
    let mut history = match &backend {
        Backend::Local(choice) if args.user.is_some() || choice.explicit => {
            Some(store_access::open_read(choice, false)?)
        }
        _ => None,
    };
    let line = match read_password(&policy, "Password: ") {
        Ok(line) => line,
        Err(e) => return input_error(args.json, &e),
    };
    let user = args.user.as_deref().unwrap_or("");
    let full_name = args.full_name.as_deref().unwrap_or("");
    let verdict: Value = match (line, &backend) {
        (Line::TooLong, _) => render::verdict_json(&overlong(&policy), false),
        (Line::Text(text), Backend::Service(socket)) if args.user.is_some() => {
            let mut client = Client::connect(socket)?;
            client.call(Request::Check {
                user: user.to_owned(),
                full_name: full_name.to_owned(),
                password: Secret(text),
            })?
        }
        (Line::Text(text), _) => {
            // With --user, the account's class may set its own rules.
            let facts = if user.is_empty() {
                Facts::unknown(user)
            } else {
                Facts::lookup(user)
            };
            let coverage = facts.coverage(&policy);
            let policy = &*coverage.policy;
            let password = Password::new(&text);
            let store = match (&args.user, history.as_mut()) {
                (Some(_), Some(reading)) => reading.store(),
                _ => None,
            };
            let checked = store.is_some();
            let verdict = ops::check(
                store,
                policy,
                user,
                full_name,
                &password,
                OffsetDateTime::now_utc(),
            )
            .context("cannot check the password history")?;
            render::verdict_json(&verdict, checked)
        }
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        let verdict = json!({
            "accepted": verdict["accepted"],
            "violations": verdict["violations"],
            "history_checked": verdict["history_checked"],
        });
        render::json_line(&mut out, &verdict)?;
    } else {
        render::verdict_human(&mut out, &verdict)?;
    }
    if let (Some(_), Some(Reading::Absent(why))) = (&args.user, &history) {
        eprintln!("pwpolicy: note: password history not checked: {why}");
    }
    Ok(if verdict["accepted"] == true {
        EXIT_ACCEPTED
    } else {
        EXIT_REJECTED
    })
}

/// The first line of standard input, or a prompt with echo off on a terminal.
pub fn read_password(policy: &Policy, prompt: &str) -> Result<Line, InputError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return prompt_password(prompt).map(Line::Text);
    }
    input::read_line(
        &mut stdin.lock(),
        input::line_limit(policy.quality.max_length),
    )?
    .ok_or(InputError::Empty)
}

/// Asks on the terminal with echo off.
pub fn prompt_password(prompt: &str) -> Result<Zeroizing<String>, InputError> {
    let text = rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| InputError::Io(e.kind()))?;
    if text.contains('\0') {
        return Err(InputError::Nul);
    }
    Ok(text)
}

/// The verdict for input cut off at the line limit: far too long, whatever else.
pub fn overlong(policy: &Policy) -> Verdict {
    let mut verdict = Verdict::new();
    verdict.push(Violation::TooLong {
        max: policy.quality.max_length,
        actual: None,
    });
    verdict
}

/// Reports bad input: exit 2, and a JSON error object when JSON was asked for.
pub fn input_error(json: bool, e: &InputError) -> anyhow::Result<u8> {
    if json {
        render::json_line(
            &mut std::io::stdout().lock(),
            &json!({ "error": e.to_string() }),
        )?;
    }
    eprintln!("pwpolicy: {e}");
    Ok(EXIT_ERROR)
}
