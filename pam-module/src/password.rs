//! The password phase (`pam_sm_chauthtok`): ask for the new password (or take
//! it from an earlier module), check it against the policy and the history,
//! hand it on in `PAM_AUTHTOK`; and, in a `commit` entry below the modules
//! that really change the password, record it.

use pwpolicy::{Hasher, Names, OnError, Password, Verdict};
use pwpolicy_store::{ChangeOutcome, OpenMode, PasswordChange, StoreError};
use time::OffsetDateTime;

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
    let full_name = ffi::gecos(&user).map(|g| g.split(',').next().unwrap_or("").to_owned());
    let names = Names::new(&user, full_name.as_deref().unwrap_or(""));
    let root = ffi::caller_is_root();
    let pam = &opts.policy.pam;
    let mut history = match open_history(session, opts) {
        Ok(h) => h,
        Err(outcome) => return outcome,
    };
    let tries = if opts.use_authtok { 1 } else { pam.retry };
    for attempt in 1..=tries {
        let password = match new_password(session, opts) {
            Ok(Some(p)) => p,
            Ok(None) => continue,
            Err(outcome) => return outcome,
        };
        let mut verdict = opts.policy.check(&password, &names);
        if let Some(store) = history.as_mut() {
            match review(&mut **store, &user, &password, opts, !root) {
                Ok(found) => found.into_iter().for_each(|v| verdict.push(v)),
                Err(e) => return store_failed(session, opts, &e),
            }
        }
        if verdict.is_accepted() {
            return hand_on(session, &password, &user, "accepted");
        }
        tell(session, &verdict);
        let codes: Vec<&str> = verdict.violations().iter().map(|v| v.code()).collect();
        if pam.audit {
            session.log(
                Priority::Notice,
                &format!(
                    "audit: would refuse the new password of {user}: {}",
                    codes.join(", ")
                ),
            );
            return hand_on(session, &password, &user, "accepted in audit mode");
        }
        if root && !pam.enforce_for_root {
            return hand_on(session, &password, &user, "set by root despite the policy");
        }
        session.clear_authtok();
        session.log(
            Priority::Notice,
            &format!(
                "refused the new password of {user} (try {attempt} of {tries}): {}",
                codes.join(", ")
            ),
        );
    }
    if opts.use_authtok {
        Outcome::Refused
    } else {
        Outcome::TriesExhausted
    }
}

/// Opens the store for reading reuse and age, if one is configured and there.
fn open_history(
    session: &Session<'_>,
    opts: &Options,
) -> Result<Option<Box<dyn pwpolicy_store::Store>>, Outcome> {
    if !opts.policy.history.remember.is_enabled() && opts.policy.expiry.min_age_days == 0 {
        return Ok(None);
    }
    match pwpolicy_store::open(&opts.store, OpenMode::ReadOnly) {
        Ok(store) => Ok(Some(store)),
        // No store yet: nobody has history; the commit entry will create it.
        Err(StoreError::Missing(_)) => Ok(None),
        Err(e) => Err(store_failed(session, opts, &e)),
    }
}

/// Reuse and minimum age for this user, read-only.
fn review(
    store: &mut dyn pwpolicy_store::Store,
    user: &str,
    password: &Password,
    opts: &Options,
    enforce_min_age: bool,
) -> Result<Vec<pwpolicy::Violation>, StoreError> {
    let Some(state) = store.history(user)? else {
        return Ok(Vec::new());
    };
    let hasher = Hasher::new(&opts.policy.history, None)?;
    let change = PasswordChange {
        user,
        password,
        policy: &opts.policy,
        hasher: &hasher,
        now: OffsetDateTime::now_utc(),
        enforce_min_age,
    };
    pwpolicy_store::review(&state, &change)
}

/// The candidate: from `PAM_AUTHTOK` with `use_authtok`, else asked twice.
/// `Ok(None)` is a try that produced no password (a mismatch).
fn new_password(session: &Session<'_>, opts: &Options) -> Result<Option<Password>, Outcome> {
    if opts.use_authtok {
        return match session.authtok() {
            Ok(Some(token)) => Ok(Some(Password::new(&token))),
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
    Ok(Some(Password::new(&first)))
}

fn tell(session: &Session<'_>, verdict: &Verdict) {
    for v in verdict.violations() {
        session.error(&format!("BAD PASSWORD: {v}"));
    }
}

fn hand_on(session: &mut Session<'_>, password: &Password, user: &str, why: &str) -> Outcome {
    match session.set_authtok(password.expose()) {
        Ok(()) => {
            session.log(Priority::Debug, &format!("new password of {user} {why}"));
            Outcome::Success
        }
        Err(code) => code.into(),
    }
}

/// The store failed: fail closed, or carry on without it (`on_error=ignore`).
fn store_failed(session: &Session<'_>, opts: &Options, e: &StoreError) -> Outcome {
    session.log(Priority::Err, &format!("password history unavailable: {e}"));
    match opts.policy.pam.on_error {
        OnError::Fail => {
            if ffi::caller_is_root() {
                session.error(&format!("pwpolicy: {e}"));
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
    let password = Password::new(&token);
    let result = Hasher::new(&opts.policy.history, None)
        .map_err(StoreError::from)
        .and_then(|hasher| {
            let mut store = pwpolicy_store::open(&opts.store, OpenMode::ReadWrite)?;
            store.change_password(&PasswordChange {
                user: &user,
                password: &password,
                policy: &opts.policy,
                hasher: &hasher,
                now: OffsetDateTime::now_utc(),
                // Checked by the entry above; the system has already changed it.
                enforce_min_age: false,
            })
        });
    match result {
        Ok(ChangeOutcome::Changed) => {
            session.log(
                Priority::Info,
                &format!("recorded a password change for {user}"),
            );
            Outcome::Success
        }
        Ok(ChangeOutcome::Rejected(violations)) => {
            // Only a race can get here (the check entry refused reuse).
            let codes: Vec<&str> = violations.iter().map(|v| v.code()).collect();
            session.log(
                Priority::Warning,
                &format!(
                    "password of {user} changed but not recorded: {}",
                    codes.join(", ")
                ),
            );
            Outcome::Success
        }
        Err(e) => {
            // The password is already changed; failing now would only
            // mislead. The administrator must see this in the log.
            session.log(
                Priority::Err,
                &format!("password of {user} changed but not recorded: {e}"),
            );
            Outcome::Success
        }
    }
}
