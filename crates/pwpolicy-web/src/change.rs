//! Where a submitted change goes, and what it gave.
//!
//! A password lives in one place: a local account's in shadow (changed
//! through PAM by pwpolicyd, as `passwd` would), a directory account's in
//! the directory (changed over LDAPS with the current password). Which
//! place answers for an account is decided here, once ([`Destinations`]).
//! Every destination answers an unknown account exactly as a wrong
//! password: [`Outcome::WrongCredentials`].

use serde::Serialize;
use zeroize::Zeroizing;

/// A rule a refused password broke, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Broken {
    /// The violation code (`reused`, `too_short`, …).
    pub code: String,
    /// The core's message for it.
    pub message: String,
}

impl Broken {
    /// The page's view of the core's violations.
    pub fn from_violations(violations: &[pwpolicy::Violation]) -> Vec<Broken> {
        violations
            .iter()
            .map(|v| Broken {
                code: v.code().to_owned(),
                message: v.message(),
            })
            .collect()
    }
}

/// What one submit gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The password was changed.
    Changed,
    /// The account name and current password do not match (or the account
    /// is unknown, locked, or may not change here: one answer for all).
    WrongCredentials,
    /// `new` and `confirm` differ.
    Mismatch,
    /// The new password breaks the policy: the rules it broke.
    Rejected(Vec<Broken>),
    /// Where the password lives refused the new one for a reason of its own
    /// (its words, made printable).
    Refused(String),
    /// Too many requests from this address or for this account.
    RateLimited,
    /// Where the password lives cannot be reached now.
    Unavailable,
    /// The form did not come from this page (CSRF token or origin), or was
    /// malformed.
    BadForm,
}

impl Outcome {
    /// The `error` code of the JSON answer (and the log's outcome):
    /// `changed` for a change made, which the JSON answer gives as `null`.
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::Changed => "changed",
            Outcome::WrongCredentials => "wrong_credentials",
            Outcome::Mismatch => "mismatch",
            Outcome::Rejected(_) => "rejected",
            Outcome::Refused(_) => "refused",
            Outcome::RateLimited => "rate_limited",
            Outcome::Unavailable => "unavailable",
            Outcome::BadForm => "csrf",
        }
    }

    /// What the person is told.
    pub fn message(&self) -> String {
        match self {
            Outcome::Changed => "Your password has been changed.".to_owned(),
            Outcome::WrongCredentials => "The account name or the current password is wrong, \
                 or the account cannot change its password here."
                .to_owned(),
            Outcome::Mismatch => "The new password and its confirmation differ.".to_owned(),
            Outcome::Rejected(_) => "The new password does not meet the policy:".to_owned(),
            Outcome::Refused(why) => format!("The new password was refused: {why}"),
            Outcome::RateLimited => "Too many attempts: wait a while and try again.".to_owned(),
            Outcome::Unavailable => "Passwords cannot be changed right now; try again later, \
                 or ask the help desk."
                .to_owned(),
            Outcome::BadForm => "The form has expired: reload the page and try again.".to_owned(),
        }
    }

    /// The JSON answer the page's script reads.
    pub fn to_json(&self) -> serde_json::Value {
        let violations = match self {
            Outcome::Rejected(v) => serde_json::to_value(v).unwrap_or_default(),
            _ => serde_json::Value::Array(Vec::new()),
        };
        serde_json::json!({
            "changed": matches!(self, Outcome::Changed),
            "error": if matches!(self, Outcome::Changed) { None } else { Some(self.code()) },
            "message": self.message(),
            "violations": violations,
        })
    }

    /// Whether the answer may tell an attacker something by when it comes:
    /// these wait for [`crate::app::ANSWER_FLOOR`].
    pub fn is_a_failed_attempt(&self) -> bool {
        matches!(
            self,
            Outcome::WrongCredentials | Outcome::Unavailable | Outcome::Refused(_)
        )
    }
}

/// One place passwords live. Calls block (PAM, LDAP): the server runs
/// them off its reactor.
pub trait Destination: Send + Sync {
    /// Changes `user`'s password from `current` to `new`, the current one
    /// proven first; an unknown account is [`Outcome::WrongCredentials`].
    /// Both are the text as typed, not normalised: that is what the
    /// password's owner will type at a login, and what PAM and the
    /// directory hash.
    fn change(&self, user: &str, current: &Zeroizing<String>, new: &Zeroizing<String>) -> Outcome;
    /// The account's full name here, for the name rule; `None` when the
    /// account is unknown here.
    fn full_name(&self, user: &str) -> Option<String>;
}

/// Where changes go: local accounts (known to this host's passwd
/// database) through PAM when `[web] pam_service` is set, every other
/// account to the directory when `[directory] url` is set.
#[derive(Default)]
pub struct Destinations {
    /// Local accounts, through pwpolicyd and PAM.
    pub local: Option<Box<dyn Destination>>,
    /// Directory accounts, over LDAPS.
    pub directory: Option<Box<dyn Destination>>,
}

impl Destinations {
    /// The destinations the policy configures.
    ///
    /// # Errors
    ///
    /// A destination's settings cannot be used.
    pub fn from_policy(policy: &pwpolicy::Policy) -> anyhow::Result<Destinations> {
        let local = policy.web.pam_service.as_ref().map(|_| {
            let socket = policy
                .service
                .socket
                .clone()
                .unwrap_or_else(|| pwpolicy_backend::DEFAULT_SOCKET.to_owned());
            Box::new(crate::local::ThroughPam::new(socket.into())) as Box<dyn Destination>
        });
        let directory =
            pwpolicy_directory_ldap::Target::from_settings(&policy.directory)?.map(|target| {
                Box::new(crate::directory::InDirectory::new(target)) as Box<dyn Destination>
            });
        Ok(Destinations { local, directory })
    }

    /// The destination that answers for `user`: local when the host knows the
    /// account and local changes are on, else the directory, else none.
    pub fn for_user(&self, user_is_local: bool) -> Option<&dyn Destination> {
        match (&self.local, &self.directory, user_is_local) {
            (Some(local), _, true) => Some(local.as_ref()),
            (_, Some(directory), _) => Some(directory.as_ref()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_answer_names_the_error_and_the_broken_rules() {
        let v = Outcome::Rejected(vec![Broken {
            code: "reused".into(),
            message: "used before".into(),
        }])
        .to_json();
        assert_eq!(v["changed"], false);
        assert_eq!(v["error"], "rejected");
        assert_eq!(v["violations"][0]["code"], "reused");
        let ok = Outcome::Changed.to_json();
        assert_eq!(ok["changed"], true);
        assert!(ok["error"].is_null());
    }

    #[test]
    fn an_unknown_account_and_a_wrong_password_read_the_same() {
        // There is one variant for both; its words name neither.
        let m = Outcome::WrongCredentials.message();
        assert!(m.contains("or the current password"), "{m}");
    }
}
