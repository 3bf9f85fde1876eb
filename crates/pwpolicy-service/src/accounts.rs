//! What this host knows about an account: uid, groups and full name from the
//! passwd and group databases (NSS: files, LDAP, sssd…), `UID_MIN` from
//! login.defs, and the account's line of the local shadow file. The core
//! decides from these ([`pwpolicy::Policy::for_account`]); this module only
//! looks them up.

use std::path::Path;

use pwpolicy::{Account, Coverage, Policy, uid_min_from_login_defs};
use pwpolicy_store::shadow::{self, ShadowEntry};

use crate::ffi;

/// Where `UID_MIN` is read from.
pub const LOGIN_DEFS: &str = "/etc/login.defs";
/// The local shadow file.
pub const SHADOW: &str = "/etc/shadow";

/// One account as the host sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The account name.
    pub name: String,
    /// Its uid, if the passwd database has the account.
    pub uid: Option<u32>,
    /// Its groups by name, primary first.
    pub groups: Vec<String>,
    /// The full name: the first comma-separated field of GECOS.
    pub full_name: String,
    /// Its shadow line, when the shadow file is readable (root) and has one.
    pub shadow: Option<ShadowEntry>,
    /// `UID_MIN` of login.defs, if set there.
    pub login_defs_uid_min: Option<u32>,
}

impl Facts {
    /// Looks `user` up in this host's databases. Nothing here fails: what
    /// cannot be found is left out (a user only the store knows is a person).
    pub fn lookup(user: &str) -> Facts {
        let mut facts = Facts {
            name: user.to_owned(),
            login_defs_uid_min: login_defs_uid_min(Path::new(LOGIN_DEFS)),
            shadow: shadow_entry(Path::new(SHADOW), user),
            ..Facts::default()
        };
        if let Some(entry) = ffi::passwd_entry(user) {
            facts.uid = Some(entry.uid);
            facts.full_name = entry.gecos.split(',').next().unwrap_or("").to_owned();
            facts.groups = ffi::group_ids(user, entry.gid)
                .into_iter()
                .filter_map(ffi::group_name)
                .collect();
        }
        facts
    }

    /// A user this host knows nothing about (the policy applies as to a person).
    pub fn unknown(user: &str) -> Facts {
        Facts {
            name: user.to_owned(),
            ..Facts::default()
        }
    }

    /// The account as the core sees it.
    pub fn account(&self) -> Account<'_> {
        Account {
            name: &self.name,
            uid: self.uid,
            groups: &self.groups,
        }
    }

    /// How `policy` applies to this account.
    pub fn coverage<'p>(&self, policy: &'p Policy) -> Coverage<'p> {
        policy.for_account(&self.account(), self.login_defs_uid_min)
    }
}

/// `UID_MIN` from a login.defs file; `None` when it is missing or silent.
pub fn login_defs_uid_min(path: &Path) -> Option<u32> {
    uid_min_from_login_defs(&std::fs::read_to_string(path).ok()?)
}

/// `user`'s line of a shadow file, or `None` when the file cannot be read
/// (not root) or has no well-formed line for the user.
pub fn shadow_entry(path: &Path, user: &str) -> Option<ShadowEntry> {
    // The hash is in there: read into a buffer that is wiped afterwards.
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).ok()?);
    shadow::find(&text, user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_found_and_is_a_system_account() {
        let root = Facts::lookup("root");
        assert_eq!(root.uid, Some(0));
        assert!(root.groups.iter().any(|g| g == "root"), "{root:?}");
        assert_eq!(
            root.coverage(&Policy::default()).class,
            pwpolicy::AccountClass::System
        );
    }

    #[test]
    fn an_unknown_user_is_a_person() {
        let nobody_here = Facts::lookup("no-such-user-pwpolicy-test");
        assert_eq!(nobody_here.uid, None);
        assert!(nobody_here.coverage(&Policy::default()).expires());
    }

    #[test]
    fn login_defs_and_shadow_files() {
        let dir = tempfile::tempdir().unwrap();
        let defs = dir.path().join("login.defs");
        std::fs::write(&defs, "UID_MIN 2000\n").unwrap();
        assert_eq!(login_defs_uid_min(&defs), Some(2000));
        assert_eq!(login_defs_uid_min(&dir.path().join("missing")), None);
        let shadow = dir.path().join("shadow");
        std::fs::write(&shadow, "erin:!:0::::::\n").unwrap();
        assert!(shadow_entry(&shadow, "erin").unwrap().locked);
    }
}
