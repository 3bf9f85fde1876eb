//! The account phase (`pam_sm_acct_mgmt`): an expired or force-changed
//! password makes login and sshd demand a new one; inside the warning window
//! the user is told how long is left.

use pwpolicy::{ExpiryState, OnError, UnknownUser};

use crate::backend::{Backend, Standing, Unavailable};
use crate::ffi::Priority;
use crate::options::Options;
use crate::outcome::Outcome;
use crate::session::Session;

const EXPIRED: &str = "Your password has expired. You must change it now.";
const FORCED: &str =
    "You are required to change your password immediately (administrator enforced).";

/// `pam_sm_acct_mgmt`.
pub fn check(session: &mut Session<'_>, opts: &Options) -> Outcome {
    let user = match session.user() {
        Ok(user) => user,
        Err(code) => return code.into(),
    };
    let backend = Backend::from(opts);
    let standing = match backend.standing(opts, &user) {
        Ok(s) => s,
        Err(e) => return unavailable(session, opts, &e),
    };
    match standing {
        Standing::Unknown => unknown(session, opts, &backend, &user),
        Standing::Known(ExpiryState::MustChange, _) => {
            session.error(FORCED);
            session.log(
                Priority::Notice,
                &format!("{user} must change their password (forced)"),
            );
            Outcome::NewAuthtokRequired
        }
        Standing::Known(ExpiryState::Expired, _) => {
            session.error(EXPIRED);
            session.log(Priority::Notice, &format!("{user}'s password has expired"));
            Outcome::NewAuthtokRequired
        }
        Standing::Known(ExpiryState::Warning, Some(days)) => {
            session.info(&match days {
                0 => "Your password will expire today".to_owned(),
                1 => "Your password will expire in 1 day".to_owned(),
                n => format!("Your password will expire in {n} days"),
            });
            Outcome::Success
        }
        Standing::Known(..) => Outcome::Success,
    }
}

/// A user the store has never seen, per `unknown_user`.
fn unknown(session: &mut Session<'_>, opts: &Options, backend: &Backend, user: &str) -> Outcome {
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
            Err(e) => unavailable(session, opts, &e),
        },
        UnknownUser::Expire => match backend.expire(user) {
            Ok(()) => {
                session.error(FORCED);
                Outcome::NewAuthtokRequired
            }
            Err(e) => unavailable(session, opts, &e),
        },
    }
}

fn unavailable(session: &Session<'_>, opts: &Options, e: &Unavailable) -> Outcome {
    session.log(
        Priority::Err,
        &format!("password expiry unavailable: {}", e.0),
    );
    match opts.policy.pam.on_error {
        OnError::Fail => Outcome::StoreUnavailable,
        OnError::Ignore => Outcome::Ignore,
    }
}
