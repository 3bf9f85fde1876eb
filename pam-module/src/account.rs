//! The account phase (`pam_sm_acct_mgmt`): an expired or force-changed
//! password makes login and sshd demand a new one; inside the warning window
//! the user is told how long is left.
//!
//! What it leaves alone, before asking the store anything (so an outage
//! cannot lock them out): system accounts (uid below `UID_MIN`, root
//! included) unless the policy includes them, exempt classes, and accounts
//! whose password is locked (`!`/`*` in shadow): those log in by key only
//! and could not satisfy a password expiry.

use pwpolicy::{OnError, UnknownUser};
use pwpolicy_backend::State;
use pwpolicy_host::Facts;

use crate::backend::{Answers, Unavailable};
use crate::conversation::Conversation;
use crate::ffi::Priority;
use crate::options::Options;
use crate::outcome::Outcome;

/// pam_unix's words, so users see one message whichever module expired them.
const EXPIRED: &str = "You are required to change your password immediately (password expired).";
const FORCED: &str =
    "You are required to change your password immediately (administrator enforced).";

/// `pam_sm_acct_mgmt`.
pub fn check(conv: &mut Conversation<'_>, opts: &Options) -> Outcome {
    let user = match conv.user() {
        Ok(user) => user,
        Err(code) => return code.into(),
    };
    let facts = Facts::lookup(&user);
    let coverage = facts.coverage(&opts.policy);
    // System accounts, exempt classes and locked passwords: before asking
    // the store anything, so an outage cannot lock them out.
    if let Some(why) = coverage.why_no_expiry() {
        let priority = if coverage.locked {
            Priority::Info
        } else {
            Priority::Debug
        };
        conv.log(
            priority,
            &format!("{user}: class {}, {why}", coverage.class.as_str()),
        );
        return Outcome::Ignore;
    }
    let mut backend = Answers::open(opts);
    let status = match backend.status(&facts) {
        Ok(s) => s,
        Err(e) => return unavailable(conv, opts, &user, &e),
    };
    match status.state {
        State::Unknown => unknown(conv, opts, &mut backend, &user),
        State::MustChange => {
            conv.error(FORCED);
            conv.log(
                Priority::Notice,
                &format!("{user} must change their password (forced)"),
            );
            Outcome::NewAuthtokRequired
        }
        State::Expired => {
            conv.error(EXPIRED);
            conv.log(Priority::Notice, &format!("{user}'s password has expired"));
            Outcome::NewAuthtokRequired
        }
        State::Warning => {
            if let Some(days) = status.days_left {
                conv.info(&warning(days));
            }
            Outcome::Success
        }
        State::Ok => Outcome::Success,
    }
}

/// The policy file (or a module argument) is broken or untrusted: people
/// are refused (`outcome`), but root, system accounts and locked passwords
/// are let through as the built-in policy would, so the console and a root
/// SSH key still reach the host to fix the file.
pub fn without_policy(conv: &mut Conversation<'_>, outcome: Outcome) -> Outcome {
    let Ok(user) = conv.user() else {
        return outcome;
    };
    let built_in = pwpolicy::Policy::default();
    match Facts::lookup(&user).coverage(&built_in).why_no_expiry() {
        Some(why) => {
            conv.log(
                Priority::Err,
                &format!("policy unusable; {user} let in by the built-in policy: {why}"),
            );
            Outcome::Ignore
        }
        None => outcome,
    }
}

/// pam_unix's warning line (with "today" for the last day).
fn warning(days: i64) -> String {
    match days {
        ..=0 => "Warning: your password will expire today.".to_owned(),
        1 => "Warning: your password will expire in 1 day.".to_owned(),
        n => format!("Warning: your password will expire in {n} days."),
    }
}

/// A user the store has never seen, per `unknown_user`.
fn unknown(
    conv: &mut Conversation<'_>,
    opts: &Options,
    backend: &mut Answers,
    user: &str,
) -> Outcome {
    match opts.policy.pam.unknown_user {
        UnknownUser::Ignore => Outcome::Success,
        UnknownUser::Enrol => match backend.enrol(user) {
            Ok(()) => {
                conv.log(
                    Priority::Info,
                    &format!("enrolled {user}: password age counts from today"),
                );
                Outcome::Success
            }
            Err(e) => unavailable(conv, opts, user, &e),
        },
        UnknownUser::Expire => match backend.expire(user) {
            Ok(()) => {
                conv.error(FORCED);
                Outcome::NewAuthtokRequired
            }
            Err(e) => unavailable(conv, opts, user, &e),
        },
    }
}

/// The store or service is down: refuse the login (`fail`) or let it
/// through without expiry (`ignore`), per `account_on_error` (else
/// `on_error`). Either way the log says what was decided.
fn unavailable(conv: &Conversation<'_>, opts: &Options, user: &str, e: &Unavailable) -> Outcome {
    match opts.policy.pam.account_on_error() {
        OnError::Fail => {
            conv.log(
                Priority::Err,
                &format!(
                    "password expiry unavailable, login of {user} refused: {}",
                    e.0
                ),
            );
            Outcome::StoreUnavailable
        }
        OnError::Ignore => {
            conv.log(
                Priority::Warning,
                &format!(
                    "password expiry unavailable, login of {user} allowed without it (on_error=ignore): {}",
                    e.0
                ),
            );
            Outcome::Ignore
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_read_as_pam_unix_writes_them() {
        assert_eq!(warning(6), "Warning: your password will expire in 6 days.");
        assert_eq!(warning(1), "Warning: your password will expire in 1 day.");
        assert_eq!(warning(0), "Warning: your password will expire today.");
    }
}
