//! `pwpolicy check`: one password from standard input (or JSON Lines with
//! `--batch`, in batch.rs), checked locally or by the service.

use std::io::IsTerminal;

use anyhow::Context;
use pwpolicy::{Policy, Verdict, Violation};
use pwpolicy_backend::CheckRequest;
use serde_json::json;
use zeroize::Zeroizing;

use crate::args::CheckArgs;
use crate::config;
use crate::input::{self, InputError, Line};
use crate::render;
use crate::store_access;
use crate::{EXIT_ACCEPTED, EXIT_ERROR, EXIT_REJECTED};

/// Runs `pwpolicy check`.
pub fn run(args: &CheckArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.sources.config.as_deref())?.policy;
    if args.samba {
        return crate::samba::check(&policy, args.json, &mut std::io::stdin().lock());
    }
    if args.batch {
        return crate::batch::batch(
            &policy,
            &mut std::io::stdin().lock(),
            &mut std::io::stdout().lock(),
        );
    }
    let mut backend = store_access::passwords(&args.sources, &policy, false)?;
    let line = match read_password(&policy, "Password: ") {
        Ok(line) => line,
        Err(e) => return input_error(args.json, &e),
    };
    let answer = match line {
        Line::TooLong => render::answer(&overlong(&policy), false),
        Line::Text(text) => backend
            .check(&CheckRequest {
                user: args.user.as_deref(),
                // Unless given, the account's own full name (GECOS), as PAM
                // takes it.
                full_name: args.full_name.as_deref(),
                password: &text,
                enforce_min_age: true,
                prepare: false,
            })
            .context("cannot check the password")?,
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        render::json_line(&mut out, &answer)?;
    } else {
        render::verdict_human(&mut out, &answer)?;
    }
    if let (Some(_), Some(why)) = (&args.user, backend.absence()) {
        errln!("note: password history not checked: {why}");
    }
    Ok(if answer.accepted {
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
    errln!("{e}");
    Ok(EXIT_ERROR)
}
