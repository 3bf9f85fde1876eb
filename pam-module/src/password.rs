//! The password phase (`pam_sm_chauthtok`): ask for the new password (or take
//! it from an earlier module), check it against the policy and the history,
//! hand it on in `PAM_AUTHTOK`; and, in a `commit` entry below the modules
//! that really change the password, record it.

use pwpolicy::OnError;
use zeroize::Zeroizing;

use crate::backend::{Backend, Found, Unavailable, text_rules};
use crate::ffi::{self, Priority};
use crate::options::Options;
use crate::outcome::Outcome;
use crate::session::Session;

/// Prompts, as pam_unix words them.
const PROMPT_NEW: &str = "New password: ";
const PROMPT_RETYPE: &str = "Retype new password: ";
const MISMATCH: &str = "Sorry, passwords do not match.";
/// What an ordinary user sees when the store is unreachable.
const STORE_DOWN: &str = "The password history is unavailable. Please contact your administrator.";

/// `PAM_UPDATE_AUTHTOK` in a checking entry.
pub fn check(session: &mut Session<'_>, opts: &Options) -> Outcome {
    let user = match session.user() {
        Ok(user) => user,
        Err(code) => return code.into(),
    };
    let full_name = ffi::gecos(&user)
        .map(|g| g.split(',').next().unwrap_or("").to_owned())
        .unwrap_or_default();
    let root = ffi::caller_is_root();
    let pam = &opts.policy.pam;
    let backend = Backend::from(opts);
    let tries = if opts.use_authtok { 1 } else { pam.retry };
    for attempt in 1..=tries {
        let password = match new_password(session, opts) {
            Ok(Some(p)) => p,
            Ok(None) => continue,
            Err(outcome) => return outcome,
        };
        let found = match backend.judge(opts, &user, &full_name, &password, !root) {
            Ok(found) => found,
            Err(e) => match unavailable(session, opts, &e) {
                // on_error=ignore: the text rules still apply, without history.
                Outcome::Ignore => text_rules(opts, &user, &full_name, &password),
                outcome => return outcome,
            },
        };
        if found.is_empty() {
            return hand_on(session, &password, &user, "accepted");
        }
        for f in &found {
            session.error(&format!("BAD PASSWORD: {}", f.message));
        }
        let codes = codes(&found);
        if pam.audit {
            session.log(
                Priority::Notice,
                &format!("audit: would refuse the new password of {user}: {codes}"),
            );
            return hand_on(session, &password, &user, "accepted in audit mode");
        }
        if root && !pam.enforce_for_root {
            return hand_on(session, &password, &user, "set by root despite the policy");
        }
        session.clear_authtok();
        session.log(
            Priority::Notice,
            &format!("refused the new password of {user} (try {attempt} of {tries}): {codes}"),
        );
    }
    if opts.use_authtok {
        Outcome::Refused
    } else {
        Outcome::TriesExhausted
    }
}

fn codes(found: &[Found]) -> String {
    found
        .iter()
        .map(|f| f.code.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The candidate: from `PAM_AUTHTOK` with `use_authtok`, else asked twice.
/// `Ok(None)` is a try that produced no password (a mismatch).
fn new_password(
    session: &Session<'_>,
    opts: &Options,
) -> Result<Option<Zeroizing<String>>, Outcome> {
    if opts.use_authtok {
        return match session.authtok() {
            Ok(Some(token)) => Ok(Some(token)),
            Ok(None) => {
                session.log(
                    Priority::Err,
                    "use_authtok: no password from an earlier module",
                );
                Err(Outcome::Refused)
            }
            Err(code) => Err(code.into()),
        };
    }
    let first = session.prompt_secret(PROMPT_NEW).map_err(Outcome::from)?;
    let second = session
        .prompt_secret(PROMPT_RETYPE)
        .map_err(Outcome::from)?;
    if *first != *second {
        session.error(MISMATCH);
        return Ok(None);
    }
    Ok(Some(first))
}

/// Hands the password on exactly as typed: the system must store what the
/// user will type at login (only our checks and hashes use the NFKC form).
fn hand_on(session: &mut Session<'_>, password: &str, user: &str, why: &str) -> Outcome {
    match session.set_authtok(password) {
        Ok(()) => {
            session.log(Priority::Debug, &format!("new password of {user} {why}"));
            Outcome::Success
        }
        Err(code) => code.into(),
    }
}

/// The store or service failed: fail closed, or carry on without it (`on_error=ignore`).
fn unavailable(session: &Session<'_>, opts: &Options, e: &Unavailable) -> Outcome {
    session.log(
        Priority::Err,
        &format!("password history unavailable: {}", e.0),
    );
    match opts.policy.pam.on_error {
        OnError::Fail => {
            if ffi::caller_is_root() {
                session.error(&format!("pwpolicy: {}", e.0));
            } else {
                session.error(STORE_DOWN);
            }
            Outcome::StoreUnavailable
        }
        OnError::Ignore => Outcome::Ignore,
    }
}

/// `PAM_UPDATE_AUTHTOK` in a `commit` entry: the modules above succeeded
/// (they must be `requisite`), so the new password in `PAM_AUTHTOK` is now
/// the user's. Record it in the history and move the last-change time.
pub fn commit(session: &mut Session<'_>, opts: &Options) -> Outcome {
    let user = match session.user() {
        Ok(user) => user,
        Err(code) => return code.into(),
    };
    let token = match session.authtok() {
        Ok(Some(token)) => token,
        Ok(None) => {
            session.log(
                Priority::Err,
                &format!("commit: no new password for {user} in PAM_AUTHTOK; nothing recorded"),
            );
            return Outcome::Ignore;
        }
        Err(code) => return code.into(),
    };
    match Backend::from(opts).commit(opts, &user, &token) {
        Ok(Ok(())) => {
            session.log(
                Priority::Info,
                &format!("recorded a password change for {user}"),
            );
            Outcome::Success
        }
        Ok(Err(found)) => {
            // Only a race can get here (the check entry refused reuse).
            session.log(
                Priority::Warning,
                &format!(
                    "password of {user} changed but not recorded: {}",
                    codes(&found)
                ),
            );
            Outcome::Success
        }
        Err(e) => {
            // The password is already changed; failing now would only
            // mislead. The administrator must see this in the log.
            session.log(
                Priority::Err,
                &format!("password of {user} changed but not recorded: {}", e.0),
            );
            Outcome::Success
        }
    }
}
