//! The account phase (`pam_sm_acct_mgmt`): an expired or force-changed
//! password makes login and sshd demand a new one; inside the warning window
//! the user is told how long is left.

use pwpolicy::{ExpiryState, OnError, UnknownUser};
use pwpolicy_store::{OpenMode, StoreError};
use time::OffsetDateTime;

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
    let now = OffsetDateTime::now_utc();
    let record = match pwpolicy_store::open(&opts.store, OpenMode::ReadOnly) {
        Ok(mut store) => store.user(&user),
        Err(StoreError::Missing(_)) => Ok(None),
        Err(e) => Err(e),
    };
    let record = match record {
        Ok(r) => r,
        Err(e) => return unavailable(session, opts, &e),
    };
    let Some(record) = record else {
        return unknown(session, opts, &user, now);
    };
    let state = match record.last_change {
        Some(last) => {
            let status = opts.policy.expiry.status(last, record.must_change, now);
            if status.changed_in_future {
                session.log(
                    Priority::Warning,
                    &format!("{user}: last password change is in the future"),
                );
            }
            (status.state, status.days_left)
        }
        None if record.must_change => (ExpiryState::MustChange, None),
        None => (ExpiryState::Ok, None),
    };
    match state {
        (ExpiryState::MustChange, _) => {
            session.error(FORCED);
            session.log(
                Priority::Notice,
                &format!("{user} must change their password (forced)"),
            );
            Outcome::NewAuthtokRequired
        }
        (ExpiryState::Expired, _) => {
            session.error(EXPIRED);
            session.log(Priority::Notice, &format!("{user}'s password has expired"));
            Outcome::NewAuthtokRequired
        }
        (ExpiryState::Warning, Some(days)) => {
            session.info(&match days {
                0 => "Your password will expire today".to_owned(),
                1 => "Your password will expire in 1 day".to_owned(),
                n => format!("Your password will expire in {n} days"),
            });
            Outcome::Success
        }
        _ => Outcome::Success,
    }
}

/// A user the store has never seen, per `unknown_user`.
fn unknown(session: &mut Session<'_>, opts: &Options, user: &str, now: OffsetDateTime) -> Outcome {
    let write = |f: &dyn Fn(&mut dyn pwpolicy_store::Store) -> Result<(), StoreError>| {
        pwpolicy_store::open(&opts.store, OpenMode::ReadWrite).and_then(|mut s| f(&mut *s))
    };
    match opts.policy.pam.unknown_user {
        UnknownUser::Ignore => Outcome::Success,
        UnknownUser::Enrol => match write(&|s| s.set_changed(user, now, now)) {
            Ok(()) => {
                session.log(
                    Priority::Info,
                    &format!("enrolled {user}: password age counts from today"),
                );
                Outcome::Success
            }
            Err(e) => unavailable(session, opts, &e),
        },
        UnknownUser::Expire => match write(&|s| s.expire(user, now)) {
            Ok(()) => {
                session.error(FORCED);
                Outcome::NewAuthtokRequired
            }
            Err(e) => unavailable(session, opts, &e),
        },
    }
}

fn unavailable(session: &Session<'_>, opts: &Options, e: &StoreError) -> Outcome {
    session.log(Priority::Err, &format!("password expiry unavailable: {e}"));
    match opts.policy.pam.on_error {
        OnError::Fail => Outcome::StoreUnavailable,
        OnError::Ignore => Outcome::Ignore,
    }
}
