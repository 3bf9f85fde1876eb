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
use pwpolicy_backend::accounts::Facts;

use crate::backend::{Answers, Standing, Unavailable};
use crate::ffi::Priority;
use crate::options::Options;
use crate::outcome::Outcome;
use crate::session::Session;

/// pam_unix's words, so users see one message whichever module expired them.
const EXPIRED: &str = "You are required to change your password immediately (password expired).";
const FORCED: &str =
    "You are required to change your password immediately (administrator enforced).";

/// `pam_sm_acct_mgmt`.
pub fn check(session: &mut Session<'_>, opts: &Options) -> Outcome {
    let user = match session.user() {
        Ok(user) => user,
        Err(code) => return code.into(),
    };
    let facts = Facts::lookup(&user);
    let coverage = facts.coverage(&opts.policy);
    if !coverage.expires() {
        session.log(
            Priority::Debug,
            &format!(
                "{user}: class {}, password expiry does not apply",
                coverage.class.as_str()
            ),
        );
        return Outcome::Ignore;
    }
    if facts.shadow.as_ref().is_some_and(|s| s.locked) {
        session.log(
            Priority::Info,
            &format!("{user}: password locked in shadow, expiry not applied (key logins only)"),
        );
        return Outcome::Ignore;
    }
    let mut backend = Answers::open(opts);
    let standing = match backend.standing(&facts) {
        Ok(s) => s,
        Err(e) => return unavailable(session, opts, &user, &e),
    };
    match standing {
        Standing::Unknown => unknown(session, opts, &mut backend, &user),
        Standing::Known(State::MustChange, _) => {
            session.error(FORCED);
            session.log(
                Priority::Notice,
                &format!("{user} must change their password (forced)"),
            );
            Outcome::NewAuthtokRequired
        }
        Standing::Known(State::Expired, _) => {
            session.error(EXPIRED);
            session.log(Priority::Notice, &format!("{user}'s password has expired"));
            Outcome::NewAuthtokRequired
        }
        Standing::Known(State::Warning, Some(days)) => {
            session.info(&warning(days));
            Outcome::Success
        }
        Standing::Known(..) => Outcome::Success,
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
    session: &mut Session<'_>,
    opts: &Options,
    backend: &mut Answers,
    user: &str,
) -> Outcome {
    match opts.policy.pam.unknown_user {
        UnknownUser::Ignore => Outcome::Success,
        UnknownUser::Enrol => match backend.enrol(user) {
            Ok(()) => {
                session.log(
                    Priority::Info,
                    &format!("enrolled {user}: password age counts from today"),
                );
                Outcome::Success
            }
            Err(e) => unavailable(session, opts, user, &e),
        },
        UnknownUser::Expire => match backend.expire(user) {
            Ok(()) => {
                session.error(FORCED);
                Outcome::NewAuthtokRequired
            }
            Err(e) => unavailable(session, opts, user, &e),
        },
    }
}

/// The store or service is down: refuse the login (`fail`) or let it
/// through without expiry (`ignore`), per `account_on_error` (else
/// `on_error`). Either way the log says what was decided.
fn unavailable(session: &Session<'_>, opts: &Options, user: &str, e: &Unavailable) -> Outcome {
    match opts.policy.pam.account_on_error() {
        OnError::Fail => {
            session.log(
                Priority::Err,
                &format!(
                    "password expiry unavailable, login of {user} refused: {}",
                    e.0
                ),
            );
            Outcome::StoreUnavailable
        }
        OnError::Ignore => {
            session.log(
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
