//! `pwpolicy check`: one password from standard input, or JSON Lines with `--batch`.

use std::io::IsTerminal;

use anyhow::Context;
use pwpolicy::{Hasher, Names, Password, Policy, Verdict, Violation};
use pwpolicy_store::{PasswordChange, Store};
use serde_json::json;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::args::CheckArgs;
use crate::config;
use crate::input::{self, InputError, Line};
use crate::render;
use crate::store_access::{self, Reading, StoreChoice};
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
    let choice = StoreChoice::from(&args.sources, &policy);
    // An explicit store is opened even without --user, so a wrong --db is
    // reported instead of silently unused.
    let mut history = if args.user.is_some() || choice.explicit {
        store_access::open_read(&choice, false)?
    } else {
        Reading::Absent(String::new())
    };
    let line = match read_password(&policy, "Password: ") {
        Ok(line) => line,
        Err(e) => return input_error(args.json, &e),
    };
    let mut checked = false;
    let verdict = match line {
        Line::Text(text) => {
            let password = Password::new(&text);
            let names = Names::new(
                args.user.as_deref().unwrap_or(""),
                args.full_name.as_deref().unwrap_or(""),
            );
            let mut verdict = policy.check(&password, &names);
            if let (Some(user), Reading::Open(store)) = (&args.user, &mut history) {
                for v in review_history(&mut **store, user, &password, &policy)? {
                    verdict.push(v);
                }
                checked = true;
            }
            verdict
        }
        Line::TooLong => overlong(&policy),
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        render::json_line(&mut out, &render::verdict_json(&verdict, checked))?;
    } else {
        render::verdict_human(&mut out, &verdict)?;
    }
    if let (Some(_), Reading::Absent(note)) = (&args.user, &history) {
        eprintln!("pwpolicy: note: password history not checked: {note}");
    }
    Ok(if verdict.is_accepted() {
        EXIT_ACCEPTED
    } else {
        EXIT_REJECTED
    })
}

/// Reuse and minimum age for `user`, read-only: what `change` would refuse.
pub fn review_history(
    store: &mut dyn Store,
    user: &str,
    password: &Password,
    policy: &Policy,
) -> anyhow::Result<Vec<Violation>> {
    let Some(state) = store
        .history(user)
        .context("cannot read the password history")?
    else {
        return Ok(Vec::new());
    };
    let hasher = Hasher::new(&policy.history, None)?;
    let change = PasswordChange {
        user,
        password,
        policy,
        hasher: &hasher,
        now: OffsetDateTime::now_utc(),
        enforce_min_age: true,
    };
    pwpolicy_store::review(&state, &change).context("cannot check the password history")
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
