//! What a host knows about its accounts: uid, groups and full name from the
//! passwd and group databases (NSS: files, LDAP, sssd…), `UID_MIN` and
//! `UID_MAX` from login.defs, and the account's shadow line (lock, forced
//! change). The one place that turns an account name into the facts the
//! core decides from ([`pwpolicy::Policy::for_account`]): `check`, `change`,
//! `status`, `list`, `report`, `import-shadow`, PAM and pwpolicyd all use it,
//! so the same account gets the same names, class and standing everywhere.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant, SystemTime};

use pwpolicy::{Account, Coverage, LoginDefs, Policy};
use thiserror::Error;

use crate::nss;
use crate::passwd::{AccountsFileError, PasswdLine, groups_of, parse_passwd};
use crate::shadow::{ShadowChange, ShadowEntry};

/// Where `UID_MIN` and `UID_MAX` are read from.
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
    /// What login.defs says of uids.
    pub login_defs: LoginDefs,
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
        let mut facts = Facts::lookup_account(user, host_login_defs());
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

    /// Forgets what [`Facts::lookup`] keeps of `user`, so that its next
    /// lookup reads the databases again: after a change this process knows
    /// of (pwpolicyd's change through PAM wrote shadow).
    pub fn forget(user: &str) {
        FACTS_CACHE
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(user);
    }

    /// [`Facts::lookup`] without the shadow file or the cache, with
    /// login.defs already read.
    pub fn lookup_account(user: &str, login_defs: LoginDefs) -> Facts {
        let mut facts = Facts {
            name: user.to_owned(),
            login_defs,
            ..Facts::default()
        };
        if let Some(entry) = nss::passwd_entry(user) {
            facts.uid = Some(entry.uid);
            facts.full_name = full_name(&entry.gecos);
            facts.groups = nss::group_ids(user, entry.gid)
                .into_iter()
                .filter_map(nss::group_name)
                .collect();
        }
        facts
    }

    /// A user this host knows nothing about (the policy applies as to a person
    /// unless a class names them).
    pub fn unknown(user: &str) -> Facts {
        Facts {
            name: user.to_owned(),
            ..Facts::default()
        }
    }

    /// Whether this host's passwd database has the account.
    pub fn is_known(&self) -> bool {
        self.uid.is_some()
    }

    /// The account as the core sees it.
    pub fn account(&self) -> Account<'_> {
        Account {
            name: &self.name,
            uid: self.uid,
            groups: &self.groups,
            locked: self.shadow.as_ref().is_some_and(|s| s.locked),
            forced_by_shadow: self.shadow.as_ref().is_some_and(ShadowEntry::forces_change),
        }
    }

    /// How `policy` applies to this account.
    pub fn coverage<'p>(&self, policy: &'p Policy) -> Coverage<'p> {
        policy.for_account(&self.account(), self.login_defs)
    }
}

/// The uid and primary gid of `user` in the passwd database.
pub fn passwd_ids(user: &str) -> Option<(u32, u32)> {
    nss::passwd_entry(user).map(|entry| (entry.uid, entry.gid))
}

/// The full name in a GECOS field: its first comma-separated part.
pub fn full_name(gecos: &str) -> String {
    gecos.split(',').next().unwrap_or("").to_owned()
}

/// Every account of a host, looked up once: what `report` and `list` ask
/// about each of thousands of rows without a lookup per row.
#[derive(Debug, Default)]
pub struct HostAccounts {
    /// The accounts, in passwd order.
    accounts: Vec<Facts>,
    /// Where each name's first entry is in `accounts`.
    by_name: HashMap<String, usize>,
    /// What login.defs says (for accounts the host lacks).
    login_defs: LoginDefs,
}

impl HostAccounts {
    /// This host's accounts, enumerated through NSS (passwd, group, and
    /// shadow when this process may read it), with its login.defs.
    pub fn enumerate() -> HostAccounts {
        let login_defs = host_login_defs();
        let groups = nss::group_all();
        let by_gid: HashMap<u32, &str> = groups.iter().map(|g| (g.gid, g.name.as_str())).collect();
        let mut memberships: HashMap<&str, Vec<&str>> = HashMap::new();
        for group in &groups {
            for member in &group.members {
                memberships.entry(member).or_default().push(&group.name);
            }
        }
        let mut shadow: HashMap<String, ShadowEntry> = nss::shadow_all()
            .into_iter()
            .map(|(name, locked, lastchg)| {
                let entry = ShadowEntry {
                    name: name.clone(),
                    locked,
                    last_change: shadow_change(lastchg),
                };
                (name, entry)
            })
            .collect();
        let accounts = nss::passwd_all()
            .into_iter()
            .map(|row| {
                let mut names: Vec<String> = Vec::new();
                let primary = by_gid.get(&row.entry.gid).copied();
                for group in primary.into_iter().chain(
                    memberships
                        .get(row.name.as_str())
                        .into_iter()
                        .flatten()
                        .copied(),
                ) {
                    if !names.iter().any(|g| g == group) {
                        names.push(group.to_owned());
                    }
                }
                Facts {
                    uid: Some(row.entry.uid),
                    groups: names,
                    full_name: full_name(&row.entry.gecos),
                    shadow: shadow.remove(&row.name),
                    login_defs,
                    name: row.name,
                }
            })
            .collect();
        HostAccounts::of(accounts, login_defs)
    }

    /// A host's account files, read from one directory (`/etc` or a copy
    /// of another host's): `passwd` (required), and the `group`, `shadow`
    /// and `login.defs` beside it if there (shadow only if readable here).
    ///
    /// # Errors
    ///
    /// [`AccountFilesError`] when passwd cannot be read, or a file is malformed.
    pub fn from_files(passwd: &Path) -> Result<HostAccounts, AccountFilesError> {
        let read = |path: &Path| {
            std::fs::read(path)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .map_err(|error| AccountFilesError::Read {
                    path: path.to_owned(),
                    error,
                })
        };
        let invalid = |path: &Path| {
            let path = path.to_owned();
            move |source| AccountFilesError::Invalid { path, source }
        };
        let users = parse_passwd(&read(passwd)?).map_err(invalid(passwd))?;
        let dir = passwd.parent().unwrap_or(Path::new("/"));
        let group = dir.join("group");
        let mut groups = match read(&group) {
            Ok(text) => groups_of(&text, &users).map_err(invalid(&group))?,
            Err(_) => HashMap::new(),
        };
        // The hashes are never kept: only names, locks and dates are parsed.
        let mut shadow: HashMap<String, ShadowEntry> = std::fs::read(dir.join("shadow"))
            .ok()
            .map(zeroize::Zeroizing::new)
            .and_then(|bytes| {
                let text = std::str::from_utf8(&bytes).ok()?;
                crate::shadow::parse(text).ok()
            })
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.name.clone(), e))
            .collect();
        let login_defs = read_login_defs(&dir.join("login.defs"));
        let accounts = users
            .into_iter()
            .map(|user: PasswdLine| Facts {
                uid: Some(user.uid),
                groups: groups.remove(&user.name).unwrap_or_default(),
                full_name: user.full_name,
                shadow: shadow.remove(&user.name),
                login_defs,
                name: user.name,
            })
            .collect();
        Ok(HostAccounts::of(accounts, login_defs))
    }

    fn of(accounts: Vec<Facts>, login_defs: LoginDefs) -> HostAccounts {
        let mut by_name = HashMap::with_capacity(accounts.len());
        for (i, facts) in accounts.iter().enumerate() {
            by_name.entry(facts.name.clone()).or_insert(i);
        }
        HostAccounts {
            accounts,
            by_name,
            login_defs,
        }
    }

    /// The account `name`, if the host has it.
    pub fn get(&self, name: &str) -> Option<&Facts> {
        self.by_name.get(name).map(|&i| &self.accounts[i])
    }

    /// The account `name` as the host has it, else as an account known by
    /// name only (a store or directory user), under the host's login.defs.
    pub fn facts_of(&self, name: &str) -> Facts {
        self.get(name).cloned().unwrap_or_else(|| Facts {
            login_defs: self.login_defs,
            ..Facts::unknown(name)
        })
    }

    /// Every account, in passwd order.
    pub fn iter(&self) -> impl Iterator<Item = &Facts> {
        self.accounts.iter()
    }

    /// How many accounts.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// What login.defs says of uids.
    pub fn login_defs(&self) -> LoginDefs {
        self.login_defs
    }
}

/// Account files that cannot be used.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AccountFilesError {
    /// A file cannot be read.
    // The cause is in the message, not a `source` (a chain would repeat it).
    #[error("cannot read {}: {}", .path.display(), crate::plainly(.error))]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
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

/// The gids of every group `user` (primary group `primary`) is in, from
/// the name service (`getgrouplist`, grown until every group fits).
pub fn group_ids(user: &str, primary: u32) -> Vec<u32> {
    nss::group_ids(user, primary)
}

/// This host's login.defs, re-read only when the file changes (pwpolicyd
/// asks on every request).
pub fn host_login_defs() -> LoginDefs {
    static CACHE: Mutex<Option<(Option<SystemTime>, LoginDefs)>> = Mutex::new(None);
    let path = Path::new(LOGIN_DEFS);
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    match *cache {
        Some((at, value)) if at == modified && modified.is_some() => value,
        _ => {
            let value = read_login_defs(path);
            *cache = Some((modified, value));
            value
        }
    }
}

/// `user`'s entry in this host's shadow database, when this process may
/// read it (root): through NSS, as pam_unix reads it.
pub fn host_shadow_entry(user: &str) -> Option<ShadowEntry> {
    let (locked, lastchg) = nss::shadow_entry(user)?;
    Some(ShadowEntry {
        name: user.to_owned(),
        locked,
        last_change: shadow_change(lastchg),
    })
}

/// `sp_lstchg` as shadow(5) means it: negative (empty) is unset, 0 forces
/// a change, else a day since 1970-01-01.
fn shadow_change(lastchg: i64) -> ShadowChange {
    match lastchg {
        ..0 => ShadowChange::Unset,
        0 => ShadowChange::MustChange,
        days => ShadowChange::On(
            time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(days.min(2_932_896)),
        ),
    }
}

/// A login.defs file; the defaults when it is missing or silent.
pub fn read_login_defs(path: &Path) -> LoginDefs {
    std::fs::read_to_string(path)
        .map(|text| LoginDefs::parse(&text))
        .unwrap_or_default()
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
        let host = HostAccounts::enumerate();
        let enumerated = host.get("root").expect("root is enumerated");
        assert_eq!(
            (enumerated.uid, &enumerated.groups, &enumerated.full_name),
            (root.uid, &root.groups, &root.full_name),
            "one lookup and the enumeration agree"
        );
    }

    #[test]
    fn an_unknown_user_is_a_person() {
        let nobody_here = Facts::lookup("no-such-user-pwpolicy-test");
        assert_eq!(nobody_here.uid, None);
        assert!(!nobody_here.is_known());
        assert!(nobody_here.coverage(&Policy::default()).expires());
    }

    #[test]
    fn account_files_with_shadow_and_login_defs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("login.defs"), "UID_MIN 2000\n").unwrap();
        std::fs::write(
            dir.path().join("passwd"),
            "erin:x:1500:1500:Erin M. Hagens,,,:/:/bin/sh\n\
             max:x:2500:2500:Max:/:/bin/sh\n\
             nobody:x:65534:65534:nobody:/:/usr/sbin/nologin\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("group"), "erin:x:1500:\nsudo:x:27:erin\n").unwrap();
        std::fs::write(
            dir.path().join("shadow"),
            "erin:$6$hash:20000::::::\nmax:!$6$hash:0::::::\nnobody:*:20000::::::\n",
        )
        .unwrap();
        let files = HostAccounts::from_files(&dir.path().join("passwd")).unwrap();
        let erin = files.get("erin").unwrap();
        assert_eq!(
            (erin.uid, erin.groups.as_slice(), erin.full_name.as_str()),
            (
                Some(1500),
                &["erin".to_owned(), "sudo".to_owned()][..],
                "Erin M. Hagens"
            )
        );
        let policy = Policy::default();
        assert_eq!(
            erin.coverage(&policy).class,
            pwpolicy::AccountClass::System,
            "UID_MIN 2000 from the login.defs beside it"
        );
        let max = files.get("max").unwrap().coverage(&policy);
        assert!(max.locked && max.forced_by_shadow && !max.expires());
        let nobody = files.get("nobody").unwrap().coverage(&policy);
        assert_eq!(nobody.class, pwpolicy::AccountClass::System);
        let ghost = files.facts_of("ghost");
        assert_eq!((ghost.uid, ghost.login_defs.uid_min), (None, Some(2000)));
        assert_eq!(
            files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            ["erin", "max", "nobody"]
        );
    }
}
