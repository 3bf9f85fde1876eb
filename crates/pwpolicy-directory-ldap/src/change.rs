//! A directory user's own password change: AD's `unicodePwd` delete (the
//! current password) and add (the new one) in one modify, sent over the
//! service account's bind. Any principal may send it (the "Change
//! Password" right belongs to Everyone), and the DC checks the current
//! password itself, so it works for accounts whose own bind the DC
//! refuses (expired, must change at next logon), a wrong current password
//! counts towards the lockout, and the DC's policy and password filter or
//! check password script judge the new one as for any change.

use std::collections::HashSet;
use std::fmt;
use std::time::{Duration, Instant};

use ldap3::{Mod, Scope};
use pwpolicy_directory::{ChangeAnswer, Refusal, USER_FILTER, classify_change, unicode_pwd};
use thiserror::Error;
use zeroize::Zeroizing;

use crate::connection::{Connection, describe, server_says};
use crate::error::DirectoryError;

/// LDAP result `noSuchObject`.
const NO_SUCH_OBJECT: u32 = 32;
/// The attribute a change deletes and adds.
const UNICODE_PWD: &[u8] = b"unicodePwd";
/// The entry an unknown account's change is sent to, under the base: it
/// does not exist, so the DC answers `noSuchObject` after a round trip of
/// the same shape as a real change's.
const ABSENT_RDN: &str = "CN=pwpolicy-no-such-account";

/// The least time a [`ChangeError::WrongCurrent`] answer takes by
/// default, from the call to the answer. The DC answers an unknown account
/// at once (5 ms against the test DC) but a wrong password only after
/// hashing the new one and counting the bad attempt (116 ms), so without a
/// floor the time would say whether the account exists; one second is
/// also what a failed login costs (pam_faildelay).
pub const DEFAULT_ANSWER_FLOOR: Duration = Duration::from_secs(1);

/// Why a password change did not happen. None of these holds a password.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ChangeError {
    /// The current password is wrong, or there is no such account: one
    /// answer for both, so that it does not tell whether an account exists.
    /// The DC counted a bad attempt against an account that exists.
    #[error("the account name or the current password is wrong")]
    WrongCurrent,
    /// The DC says the account is locked out (`00000775` in its
    /// diagnostic): the change was refused whatever the passwords.
    #[error("the account is locked out: try again later or ask the help desk")]
    LockedOut,
    /// The current password was right; the domain's policy, its password
    /// filter or its check password script refused the new one.
    #[error("{reason}")]
    Refused {
        /// Which rule, as far as the DC says.
        reason: Refusal,
        /// The DC's result code and diagnostic, for the log.
        diagnostic: String,
    },
    /// The directory cannot be reached, bound to or searched.
    #[error(transparent)]
    Unavailable(DirectoryError),
    /// The DC answered something else (no right to change, unwilling to
    /// perform over a connection in clear, …).
    #[error("{url} refused the password change of {user}: {why}")]
    Failed {
        /// The server.
        url: String,
        /// The account name asked for.
        user: String,
        /// The DC's result code and diagnostic.
        why: String,
    },
}

impl From<DirectoryError> for ChangeError {
    fn from(e: DirectoryError) -> ChangeError {
        ChangeError::Unavailable(e)
    }
}

/// The passwords of one change, encoded and wiped on drop.
struct Values {
    current: Zeroizing<Vec<u8>>,
    new: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Values(<redacted>)")
    }
}

impl Connection {
    /// Sets the least time a [`ChangeError::WrongCurrent`] answer takes
    /// ([`DEFAULT_ANSWER_FLOOR`] unless set): above the DC's time to refuse
    /// a wrong password, so that an unknown account's answer, which the DC
    /// gives at once, takes as long. `Duration::ZERO` turns it off.
    pub fn set_answer_floor(&mut self, floor: Duration) {
        self.answer_floor = floor;
    }

    /// Changes `user`'s password from `current` to `new`, as that user
    /// would: one modify of their entry that deletes `unicodePwd` =
    /// `current` and adds `unicodePwd` = `new`. `user` is the
    /// `sAMAccountName`, searched for under `base` (default: the domain).
    ///
    /// Both passwords are sent as given (not normalised: AD compares the
    /// UTF-16 the user types at logon); their encoded copies are wiped.
    /// An unknown account costs the same two round trips as a known one
    /// (a search, then a modify of an entry that does not exist) and gets
    /// the same [`ChangeError::WrongCurrent`], which is not answered before
    /// the answer floor ([`Connection::set_answer_floor`]) has passed.
    ///
    /// The connection is TLS unless the target says `ldap://` with
    /// `starttls = false` ([`crate::Protection::Clear`]), the one escape
    /// hatch, which the caller warns of as the CLI does for a bind in clear
    /// (a Samba DC refuses a simple bind in clear by default, and AD a
    /// `unicodePwd` change: [`ChangeError::Failed`]).
    ///
    /// # Errors
    ///
    /// [`ChangeError`]: wrong current password or unknown account, locked
    /// out, new password refused, directory unavailable, or another answer.
    pub fn change_password(
        &mut self,
        base: Option<&str>,
        user: &str,
        current: &str,
        new: &str,
    ) -> Result<(), ChangeError> {
        let started = Instant::now();
        let result = self.send_change(base, user, current, new);
        if matches!(result, Err(ChangeError::WrongCurrent))
            && let Some(rest) = self.answer_floor.checked_sub(started.elapsed())
        {
            std::thread::sleep(rest);
        }
        result
    }

    /// The change itself, answered as soon as the DC answers.
    fn send_change(
        &mut self,
        base: Option<&str>,
        user: &str,
        current: &str,
        new: &str,
    ) -> Result<(), ChangeError> {
        let base = base.map_or_else(|| self.naming_context().to_owned(), str::to_owned);
        let found = self.account_dn(&base, user)?;
        let values = Values {
            current: unicode_pwd(current),
            new: unicode_pwd(new),
        };
        let (dn, values) = match &found {
            Some(dn) => (dn.clone(), values),
            // The same sizes on the wire, none of the passwords' bytes.
            None => {
                let real = values;
                let zeros = Values {
                    current: Zeroizing::new(vec![0; real.current.len()]),
                    new: Zeroizing::new(vec![0; real.new.len()]),
                };
                (format!("{ABSENT_RDN},{base}"), zeros)
            }
        };
        let mods = vec![
            Mod::Delete(UNICODE_PWD, HashSet::from([values.current.as_slice()])),
            Mod::Add(UNICODE_PWD, HashSet::from([values.new.as_slice()])),
        ];
        let result = self.ldap.modify(&dn, mods).map_err(|e| {
            ChangeError::Unavailable(DirectoryError::Connect {
                url: self.url.clone(),
                why: describe(&e),
            })
        })?;
        drop(values);
        let said = || scrub(&server_says(&result), &[current, new]);
        if found.is_none() && result.rc == NO_SUCH_OBJECT {
            return Err(ChangeError::WrongCurrent);
        }
        match classify_change(result.rc, &result.text) {
            ChangeAnswer::Changed => Ok(()),
            ChangeAnswer::WrongCurrent => Err(ChangeError::WrongCurrent),
            ChangeAnswer::LockedOut => Err(ChangeError::LockedOut),
            ChangeAnswer::Refused(reason) => Err(ChangeError::Refused {
                reason,
                diagnostic: said(),
            }),
            _ => Err(ChangeError::Failed {
                url: self.url.clone(),
                user: user.to_owned(),
                why: said(),
            }),
        }
    }

    /// The DN of the person whose `sAMAccountName` is `user`, if any.
    fn account_dn(&mut self, base: &str, user: &str) -> Result<Option<String>, DirectoryError> {
        let filter = format!(
            "(&{USER_FILTER}(sAMAccountName={}))",
            ldap3::ldap_escape(user)
        );
        let (entries, result) =
            match self
                .ldap
                .search(base, Scope::Subtree, &filter, vec!["sAMAccountName"])
            {
                Ok(r) => (r.0, r.1),
                Err(e) => return Err(self.search_error(base, describe(&e))),
            };
        match result.rc {
            0 | NO_SUCH_OBJECT => {}
            _ => return Err(self.search_error(base, server_says(&result))),
        }
        // AD answers a search from the domain's root with references to
        // its other partitions too (DomainDnsZones, …): not entries.
        Ok(entries
            .into_iter()
            .find(|e| !e.is_ref() && !e.is_intermediate())
            .map(|e| ldap3::SearchEntry::construct(e).dn))
    }
}

/// `text` with every non-empty one of `secrets` cut out: a DC's
/// diagnostic is not expected to quote a password, and this makes sure.
fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if out.contains(secret) {
            out = out.replace(secret, "<redacted>");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_cuts_out_passwords() {
        assert_eq!(
            scrub("result code 19: 0000052D: x Secret-1 y", &["Secret-1", ""]),
            "result code 19: 0000052D: x <redacted> y"
        );
        assert_eq!(scrub("nothing here", &["", "abc"]), "nothing here");
    }

    #[test]
    fn errors_hold_no_password() {
        let errors = [
            ChangeError::WrongCurrent,
            ChangeError::LockedOut,
            ChangeError::Refused {
                reason: Refusal::Complexity,
                diagnostic: scrub("0000052D: quoting New-Secret-9", &["New-Secret-9"]),
            },
        ];
        for e in &errors {
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("New-Secret-9"), "{shown}");
        }
        let v = Values {
            current: unicode_pwd("Old-Secret-1"),
            new: unicode_pwd("New-Secret-9"),
        };
        assert_eq!(format!("{v:?}"), "Values(<redacted>)");
    }
}
