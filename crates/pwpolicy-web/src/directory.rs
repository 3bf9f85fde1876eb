//! Directory accounts: the change goes to Active Directory (or a Samba AD
//! DC) over LDAPS as a change with the current password, `unicodePwd`
//! deleted and added in one modify over the service account's bind. That
//! works when the password has expired or must change at next logon,
//! where the user's own bind would be refused, and the DC checks it as any
//! change: the old password first (a wrong one counts towards the
//! lockout), then its policy, the password filter or Samba's `check
//! password script`.

use std::time::Duration;

use pwpolicy_directory_ldap::{ChangeError, Connection, Protection, Refusal, Target};
use zeroize::Zeroizing;

use crate::change::{Broken, Destination, Outcome};

/// Changes in the directory `[directory]` names.
#[derive(Debug)]
pub struct InDirectory {
    target: Target,
}

impl InDirectory {
    /// Changes in `target`'s directory.
    pub fn new(target: Target) -> InDirectory {
        if target.protection == Protection::Clear {
            tracing::warn!(
                url = %target.url,
                "[directory] starttls = false: passwords changed on the page cross the network readable"
            );
        }
        InDirectory { target }
    }

    fn connect(&self) -> Result<Connection, Outcome> {
        match Connection::open(&self.target) {
            Ok(mut connection) => {
                // The page answers every failed attempt after its own floor.
                connection.set_answer_floor(Duration::ZERO);
                Ok(connection)
            }
            Err(e) => {
                tracing::error!("the directory cannot be reached: {e}");
                Err(Outcome::Unavailable)
            }
        }
    }
}

impl Destination for InDirectory {
    fn change(&self, user: &str, current: &Zeroizing<String>, new: &Zeroizing<String>) -> Outcome {
        let mut connection = match self.connect() {
            Ok(c) => c,
            Err(outcome) => return outcome,
        };
        let base = self.target.base.as_deref();
        match connection.change_password(base, user, current, new) {
            Ok(()) => Outcome::Changed,
            // A locked account answers as a wrong password: which accounts
            // exist, and which are locked, is not the page's to tell.
            Err(ChangeError::WrongCurrent | ChangeError::LockedOut) => Outcome::WrongCredentials,
            Err(ChangeError::Refused { reason, .. }) => refused(reason),
            Err(e) => {
                tracing::error!(user = %pwpolicy::printable(user), "the directory's change failed: {e}");
                Outcome::Unavailable
            }
        }
    }

    fn full_name(&self, user: &str) -> Option<String> {
        let mut connection = self.connect().ok()?;
        let mut name = None;
        let found = connection.each_user(self.target.base.as_deref(), Some(user), &mut |a| {
            name = a.display_name;
            Ok(())
        });
        if let Err(e) = found {
            tracing::warn!("the directory's full name of an account cannot be read: {e}");
        }
        name
    }
}

/// What the DC refused, in the core's words where the core has the rule.
fn refused(reason: Refusal) -> Outcome {
    let (code, message) = match reason {
        Refusal::Reused => (
            "reused",
            pwpolicy::Violation::Reused { current: false }.message(),
        ),
        Refusal::TooShort => ("too_short", reason.to_string()),
        Refusal::TooRecent => ("too_recent", reason.to_string()),
        // The domain's own complexity rule, a filter or the check password
        // script: the page's own rules were met, so it is a rule only the
        // server holds (a banned word, the breached list).
        _ => return Outcome::Refused(reason.to_string()),
    };
    Outcome::Rejected(vec![Broken {
        code: code.to_owned(),
        message,
    }])
}
