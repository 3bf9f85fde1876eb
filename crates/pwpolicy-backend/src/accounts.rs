//! What this host knows about an account: uid, groups and full name from the
//! passwd and group databases (NSS: files, LDAP, sssd…), `UID_MIN` from
//! login.defs, and the account's line of the local shadow file. The core
//! decides from these ([`pwpolicy::Policy::for_account`]); this module only
//! looks them up.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use pwpolicy::{Account, Coverage, Policy, uid_min_from_login_defs};
use pwpolicy_store::passwd::{AccountsFileError, PasswdLine, groups_of, parse_passwd};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant, SystemTime};

use pwpolicy_store::shadow::{ShadowChange, ShadowEntry};
use thiserror::Error;

use crate::ffi;

/// Where `UID_MIN` is read from.
pub const LOGIN_DEFS: &str = "/etc/login.defs";

/// How long [`Facts::lookup`] keeps an answer.
pub const FACTS_TTL: Duration = Duration::from_secs(5);
/// How many answers it keeps at most.
const FACTS_CACHE_ENTRIES: usize = 16_384;

static FACTS_CACHE: LazyLock<Mutex<HashMap<String, (Instant, Facts)>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

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
    ///
    /// Answers are kept for [`FACTS_TTL`] (NSS lookups cost tens of
    /// microseconds each, and pwpolicyd makes one per request), as nscd
    /// keeps them: a group or `passwd -e` change shows within that time.
    pub fn lookup(user: &str) -> Facts {
        let now = Instant::now();
        let cache = FACTS_CACHE.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, facts)) = cache.get(user)
            && now.duration_since(*at) < FACTS_TTL
        {
            return facts.clone();
        }
        drop(cache);
        let mut facts = Facts::lookup_account(user, host_uid_min());
        facts.shadow = host_shadow_entry(user);
        let mut cache = FACTS_CACHE.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= FACTS_CACHE_ENTRIES {
            cache.retain(|_, (at, _)| now.duration_since(*at) < FACTS_TTL);
            if cache.len() >= FACTS_CACHE_ENTRIES {
                cache.clear();
            }
        }
        cache.insert(user.to_owned(), (now, facts.clone()));
        facts
    }

    /// [`Facts::lookup`] without the shadow file, with `UID_MIN` already
    /// read (for many accounts at once).
    pub fn lookup_account(user: &str, login_defs_uid_min: Option<u32>) -> Facts {
        let mut facts = Facts {
            name: user.to_owned(),
            login_defs_uid_min,
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

/// The gids of every group `user` (primary group `primary`) is in, from
/// the name service (`getgrouplist`, grown until every group fits).
pub fn group_ids(user: &str, primary: u32) -> Vec<u32> {
    ffi::group_ids(user, primary)
}

/// `UID_MIN` of this host's login.defs, re-read only when the file changes
/// (pwpolicyd asks on every request).
pub fn host_uid_min() -> Option<u32> {
    static CACHE: Mutex<Option<(Option<SystemTime>, Option<u32>)>> = Mutex::new(None);
    let path = Path::new(LOGIN_DEFS);
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    match *cache {
        Some((at, value)) if at == modified && modified.is_some() => value,
        _ => {
            let value = login_defs_uid_min(path);
            *cache = Some((modified, value));
            value
        }
    }
}

/// `user`'s entry in this host's shadow database, when this process may
/// read it (root): through NSS, as pam_unix reads it.
pub fn host_shadow_entry(user: &str) -> Option<ShadowEntry> {
    let (locked, lastchg) = ffi::shadow_entry(user)?;
    Some(ShadowEntry {
        name: user.to_owned(),
        locked,
        last_change: match lastchg {
            ..0 => ShadowChange::Unset,
            0 => ShadowChange::MustChange,
            days => ShadowChange::On(
                time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(days.min(2_932_896)),
            ),
        },
    })
}

/// `UID_MIN` from a login.defs file; `None` when it is missing or silent.
pub fn login_defs_uid_min(path: &Path) -> Option<u32> {
    uid_min_from_login_defs(&std::fs::read_to_string(path).ok()?)
}

/// A host's account files, read from one directory (`/etc` or a copy of
/// another host's): passwd (required), group and login.defs (if there).
#[derive(Debug, Default)]
pub struct AccountFiles {
    /// The passwd lines, in file order.
    pub users: Vec<PasswdLine>,
    /// Where each name's first line is in `users`: `import-shadow` asks for
    /// every account of a file of a million, so a scan per name would be
    /// quadratic (it was: hours for 1M).
    by_name: HashMap<String, usize>,
    groups: HashMap<String, Vec<String>>,
    /// `UID_MIN` of the login.defs beside the passwd file.
    pub login_defs_uid_min: Option<u32>,
}

/// Account files that cannot be used.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AccountFilesError {
    /// A file cannot be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is malformed.
    #[error("{}: {source}", .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Where and why.
        source: AccountsFileError,
    },
}

impl AccountFiles {
    /// Reads `passwd`, and the `group` and `login.defs` files beside it.
    ///
    /// # Errors
    ///
    /// [`AccountFilesError`] when passwd cannot be read, or a file is malformed.
    pub fn read(passwd: &Path) -> Result<AccountFiles, AccountFilesError> {
        let read = |path: &Path| {
            std::fs::read(path)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .map_err(|source| AccountFilesError::Read {
                    path: path.to_owned(),
                    source,
                })
        };
        let invalid = |path: &Path| {
            let path = path.to_owned();
            move |source| AccountFilesError::Invalid { path, source }
        };
        let users = parse_passwd(&read(passwd)?).map_err(invalid(passwd))?;
        let dir = passwd.parent().unwrap_or(Path::new("/"));
        let group = dir.join("group");
        let groups = match read(&group) {
            Ok(text) => groups_of(&text, &users).map_err(invalid(&group))?,
            Err(_) => HashMap::new(),
        };
        let mut by_name = HashMap::with_capacity(users.len());
        for (i, user) in users.iter().enumerate() {
            by_name.entry(user.name.clone()).or_insert(i);
        }
        Ok(AccountFiles {
            users,
            by_name,
            groups,
            login_defs_uid_min: login_defs_uid_min(&dir.join("login.defs")),
        })
    }

    /// What these files say of `name` (no shadow line); `None` if absent.
    pub fn facts(&self, name: &str) -> Option<Facts> {
        let user = &self.users[*self.by_name.get(name)?];
        Some(self.facts_of(user))
    }

    /// What these files say of one of their users.
    pub fn facts_of(&self, user: &PasswdLine) -> Facts {
        Facts {
            name: user.name.clone(),
            uid: Some(user.uid),
            groups: self.groups.get(&user.name).cloned().unwrap_or_default(),
            full_name: user.full_name.clone(),
            shadow: None,
            login_defs_uid_min: self.login_defs_uid_min,
        }
    }
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
        std::fs::write(
            dir.path().join("passwd"),
            "erin:x:1500:1500:Erin:/:/bin/sh\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("group"), "erin:x:1500:\nsudo:x:27:erin\n").unwrap();
        let files = AccountFiles::read(&dir.path().join("passwd")).unwrap();
        let erin = files.facts("erin").unwrap();
        assert_eq!(
            (erin.uid, erin.groups.as_slice()),
            (Some(1500), &["erin".to_owned(), "sudo".to_owned()][..])
        );
        assert_eq!(
            erin.coverage(&Policy::default()).class,
            pwpolicy::AccountClass::System,
            "UID_MIN 2000 from the login.defs beside it"
        );
    }
}
