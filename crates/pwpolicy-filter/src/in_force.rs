//! The filter's decisions: which policy is in force (reloaded when its file
//! changes; the built-in default when there is no file or a broken one),
//! which breached-password list it names, and whether a password passes
//! both.
//!
//! No operating-system calls beyond reading files and no global state: the
//! exports hand in the registry's answer and where reports go, and keep the
//! process-wide policy in force.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use pwpolicy::{Names, OnError, Password, Policy, Verdict};

use crate::breached::{HOLD, List};
use crate::error::Error;
use crate::report::{Level, Report};

/// The environment variable naming the policy file (first choice).
pub const CONFIG_ENV: &str = "PWPOLICY_CONFIG";

/// What identifies one version of the policy file.
type Stamp = Option<(SystemTime, u64)>;

struct Loaded {
    policy: Arc<Policy>,
    /// The list `policy` names (`[breached] file`), if any.
    list: Option<Arc<List>>,
    stamp: Stamp,
    /// The banned-word list the policy file names (read into `policy`, or
    /// the reason it is the default) and its stamp: a new list is read
    /// without the policy file being touched.
    banned: Option<(PathBuf, Stamp)>,
}

impl Loaded {
    /// Whether the policy file and its banned-word list are as loaded.
    fn is_current(&self, stamp: &Stamp) -> bool {
        self.stamp == *stamp
            && self
                .banned
                .as_ref()
                .is_none_or(|(path, was)| *was == self::stamp(path))
    }
}

/// The policy in force, where it comes from, and the list it names.
pub struct InForce {
    path: Option<PathBuf>,
    loaded: RwLock<Loaded>,
    report: Report,
}

/// `PWPOLICY_CONFIG`, else what `registry` says (asked only then: the
/// registry's `ConfigPath`), else `%ProgramData%\pwpolicy\pwpolicy.toml`;
/// `None` when none applies. `env` reads the environment: the FFI layer
/// passes one that ignores it in setuid and setgid programs, so a caller
/// cannot point a privileged program that links the library at a weaker
/// policy.
pub fn policy_path(
    env: impl Fn(&str) -> Option<OsString>,
    registry: impl FnOnce() -> Option<PathBuf>,
) -> Option<PathBuf> {
    if let Some(path) = env(CONFIG_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    if let Some(path) = registry() {
        return Some(path);
    }
    env("ProgramData").map(|d| Path::new(&d).join("pwpolicy").join("pwpolicy.toml"))
}

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

impl InForce {
    /// The policy in force read from `path` (or only the built-in default), telling
    /// `report` about a broken policy file and about its refusals.
    pub fn new(path: Option<PathBuf>, report: Report) -> InForce {
        let in_force = InForce {
            path,
            loaded: RwLock::new(Loaded {
                policy: Arc::new(Policy::default()),
                list: None,
                stamp: None,
                banned: None,
            }),
            report,
        };
        in_force.reload_if_changed(true);
        in_force
    }

    /// The policy in force, reloading it first if its file changed.
    #[cfg(test)]
    pub fn policy(&self) -> Arc<Policy> {
        self.in_force().0
    }

    /// The policy in force and the list it names, reloading first if the
    /// policy file changed.
    fn in_force(&self) -> (Arc<Policy>, Option<Arc<List>>) {
        self.reload_if_changed(false);
        let loaded = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        (Arc::clone(&loaded.policy), loaded.list.clone())
    }

    /// Opens the policy's breached-password list, if it names one, and
    /// reports what is wrong with it: what LSASS's `InitializeChangeNotify`
    /// does, so a missing list shows in the event log at boot rather than at
    /// the first refused change.
    pub fn check_list(&self) {
        let (policy, list) = self.in_force();
        if let Some(Err(e)) = list.as_deref().map(List::open) {
            let (level, consequence) = match (policy.filter.on_error, policy.filter.audit) {
                (OnError::Fail, false) => (
                    Level::Error,
                    "password changes are refused until it is fixed (filter.on_error = fail)",
                ),
                (OnError::Fail, true) => (
                    Level::Warning,
                    "changes would be refused, but audit mode refuses nothing (filter.on_error = fail)",
                ),
                (OnError::Ignore, _) => (
                    Level::Warning,
                    "passwords are checked without it (filter.on_error = ignore)",
                ),
            };
            (self.report)(level, &format!("{e}: {consequence}"));
        }
    }

    /// What `PasswordFilter` answers under the policy in force: [`decide`].
    /// `password` is as typed (the list holds what people typed).
    pub fn decide(
        &self,
        account: &str,
        full_name: &str,
        password: &str,
        set_operation: bool,
    ) -> bool {
        let (policy, list) = self.in_force();
        decide(
            &policy,
            list.as_deref(),
            account,
            full_name,
            password,
            set_operation,
            self.report,
        )
    }

    fn reload_if_changed(&self, first: bool) {
        let Some(path) = &self.path else { return };
        let now = stamp(path);
        {
            let loaded = self.loaded.read().unwrap_or_else(|e| e.into_inner());
            if !first && loaded.is_current(&now) {
                return;
            }
        }
        let mut loaded = self.loaded.write().unwrap_or_else(|e| e.into_inner());
        if !first && loaded.is_current(&now) {
            return; // another thread reloaded meanwhile
        }
        let (policy, banned) = read(path, now.is_some(), self.report);
        loaded.banned = banned.map(|list| {
            let at = stamp(&list);
            (list, at)
        });
        // Same file, same map; another file (or none) drops the old map.
        loaded.list = List::new(&policy.breached, HOLD, loaded.list.as_deref()).map(Arc::new);
        loaded.policy = Arc::new(policy);
        loaded.stamp = now;
    }
}

/// The policy in the file at `path`, with the banned-word list it names:
/// read by `pwpolicy-host`'s one loader, as PAM and the CLI read it (on
/// Unix as root, under the trust rules: a file, list or directory someone
/// else could write is refused).
///
/// # Errors
///
/// [`Error::CannotRead`], [`Error::PolicyNotUtf8`] or
/// [`Error::InvalidPolicy`] (naming the line, or the list at fault).
pub fn load(path: &Path) -> Result<Policy, Error> {
    use pwpolicy_host::PolicyFileError as E;
    pwpolicy_host::policy_file::load(Some(path))
        .map(|loaded| loaded.policy)
        .map_err(|e| match e {
            E::Read {
                path,
                error: source,
            } => Error::CannotRead {
                path,
                reason: pwpolicy_host::plainly(&source),
            },
            E::NotUtf8 { path, .. } => Error::PolicyNotUtf8 { path },
            E::BannedList { path, reason } => Error::InvalidPolicy {
                path,
                reason: format!("banned-word list: {reason}"),
            },
            E::Invalid {
                path,
                error: source,
            } => Error::InvalidPolicy {
                path,
                reason: source.to_string(),
            },
            other => Error::InvalidPolicy {
                path: path.to_owned(),
                reason: pwpolicy_host::say(&other),
            },
        })
}

/// The policy in `path`; the built-in default when it is absent, or (with a
/// report) when it cannot be read or is invalid: never weaker than the default.
///
/// Also the banned-word list the file names, whether it could be read or
/// is why the default is in force, so that a new list is noticed.
fn read(path: &Path, exists: bool, report: Report) -> (Policy, Option<PathBuf>) {
    if !exists {
        return (Policy::default(), None);
    }
    match load(path) {
        Ok(policy) => {
            let banned = policy.banned.file.as_ref().map(PathBuf::from);
            (policy, banned)
        }
        Err(e) => {
            report(
                Level::Warning,
                &format!("{e}; enforcing the built-in default policy"),
            );
            // An error naming another file than the policy is its list's.
            let banned = match &e {
                Error::InvalidPolicy { path: list, .. } if list != path => Some(list.clone()),
                _ => None,
            };
            (Policy::default(), banned)
        }
    }
}

/// What `PasswordFilter` answers: whether `password` (as typed) may be set
/// under `policy` and, after its text rules, the breached-password `list`,
/// telling `report` about each refusal (and, in audit mode, each "would
/// refuse"). A list that cannot be read refuses the change under
/// `on_error = fail` and is skipped under `ignore`, reported either way.
pub fn decide(
    policy: &Policy,
    list: Option<&List>,
    account: &str,
    full_name: &str,
    password: &str,
    set_operation: bool,
    report: Report,
) -> bool {
    if set_operation && !policy.filter.check_resets {
        return true;
    }
    let mut verdict = policy.check(&Password::new(password), &Names::new(account, full_name));
    let what = if set_operation {
        "password reset"
    } else {
        "password change"
    };
    if let Some(Err(e)) = list.map(|list| list.screen(&mut verdict, password)) {
        const UNREAD: &str = "the breached-password list cannot be read";
        match (policy.filter.on_error, policy.filter.audit) {
            (OnError::Ignore, _) => report(
                Level::Warning,
                &format!(
                    "checking the {what} for {account} without the breached-password list \
                     (filter.on_error = ignore): {e}"
                ),
            ),
            (OnError::Fail, false) => {
                report(
                    Level::Error,
                    &format!(
                        "refused the {what} for {account}: {UNREAD} (filter.on_error = fail): {e}"
                    ),
                );
                return false;
            }
            (OnError::Fail, true) => {
                report(
                    Level::Warning,
                    &format!(
                        "audit: would refuse the {what} for {account}: {UNREAD} \
                         (filter.on_error = fail): {e}"
                    ),
                );
                return true;
            }
        }
    }
    if verdict.is_accepted() {
        return true;
    }
    if policy.filter.audit {
        report(
            Level::Info,
            &format!(
                "audit: would refuse the {what} for {account}: {}",
                codes(&verdict)
            ),
        );
        return true;
    }
    report(
        Level::Info,
        &format!("refused the {what} for {account}: {}", codes(&verdict)),
    );
    false
}

fn codes(verdict: &Verdict) -> String {
    verdict
        .violations()
        .iter()
        .map(|v| v.code())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::quiet;

    #[test]
    fn a_changed_file_is_reloaded_and_a_broken_one_enforces_the_default() {
        let dir = std::env::temp_dir().join(format!("pwpolicyfilt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("policy.toml");
        let in_force = InForce::new(Some(path.clone()), quiet);
        assert_eq!(
            *in_force.policy(),
            Policy::default(),
            "no file: the default"
        );
        std::fs::write(&path, "[quality]\nmin_length = 12\n").unwrap();
        assert_eq!(in_force.policy().quality.min_length, 12);
        std::fs::write(&path, "[quality]\nmin_length = 4\nmin_classes = 2\n").unwrap();
        assert_eq!(in_force.policy().quality.min_length, 4);
        std::fs::write(&path, "[quality]\nminimum = 4\n").unwrap();
        assert_eq!(
            *in_force.policy(),
            Policy::default(),
            "broken: the default, not the last good one"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn resets_and_audit() {
        let weak = "weak";
        let mut policy = Policy::default();
        assert!(!decide(&policy, None, "erin", "", weak, false, quiet));
        assert!(
            !decide(&policy, None, "erin", "", weak, true, quiet),
            "resets are checked by default"
        );
        policy.filter.check_resets = false;
        assert!(decide(&policy, None, "erin", "", weak, true, quiet));
        assert!(!decide(&policy, None, "erin", "", weak, false, quiet));
        policy.filter.audit = true;
        assert!(decide(&policy, None, "erin", "", weak, false, quiet));
    }

    thread_local! {
        static REPORTED: std::cell::RefCell<Vec<(Level, String)>> = const {
            std::cell::RefCell::new(Vec::new())
        };
    }

    /// A [`Report`] that keeps this thread's lines for [`reported`].
    fn keep(level: Level, message: &str) {
        REPORTED.with(|r| r.borrow_mut().push((level, message.to_owned())));
    }

    /// The lines [`keep`] kept since the last call.
    fn reported() -> Vec<(Level, String)> {
        REPORTED.with(|r| std::mem::take(&mut *r.borrow_mut()))
    }

    /// A policy naming the list at `path`, and that list.
    fn with_list(path: &Path) -> (Policy, List) {
        let mut policy = Policy::default();
        policy.breached.file = Some(path.to_str().unwrap().to_owned());
        let list = List::new(&policy.breached, HOLD, None).unwrap();
        (policy, list)
    }

    const MEMBER: &str = "Summer2024!";
    const GOOD: &str = "Blue-Kettle-42";

    #[test]
    fn a_listed_password_is_refused_and_reported_by_code() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.pwbf");
        crate::breached::write_filter(&path, &[MEMBER], 1);
        let (mut policy, list) = with_list(&path);
        assert!(decide(&policy, Some(&list), "erin", "", GOOD, false, keep));
        assert_eq!(reported(), []);
        assert!(!decide(
            &policy,
            Some(&list),
            "erin",
            "",
            MEMBER,
            false,
            keep
        ));
        assert_eq!(
            reported(),
            [(
                Level::Info,
                "refused the password change for erin: breached".to_owned()
            )]
        );
        // As typed: a full-width form of a listed password is found too (nfkc).
        let wide: String = MEMBER
            .chars()
            .map(|c| char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap())
            .collect();
        assert!(!decide(
            &policy,
            Some(&list),
            "erin",
            "",
            &wide,
            false,
            keep
        ));
        reported();
        policy.filter.audit = true;
        assert!(decide(&policy, Some(&list), "erin", "", MEMBER, true, keep));
        assert_eq!(
            reported(),
            [(
                Level::Info,
                "audit: would refuse the password reset for erin: breached".to_owned()
            )]
        );
    }

    #[test]
    fn a_list_that_cannot_be_read_follows_on_error_and_never_shows_the_password() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing.pwbf");
        let (mut policy, list) = with_list(&path);
        let shown = path.display().to_string();

        assert!(!decide(&policy, Some(&list), "erin", "", GOOD, false, keep));
        let lines = reported();
        assert_eq!(lines.len(), 1, "{lines:?}");
        let (level, line) = &lines[0];
        assert_eq!(*level, Level::Error);
        assert!(
            line.starts_with("refused the password change for erin: the breached-password list cannot be read (filter.on_error = fail): cannot read breached-password list ")
                && line.contains(&shown),
            "{line}"
        );

        policy.filter.audit = true;
        assert!(decide(&policy, Some(&list), "erin", "", GOOD, false, keep));
        let lines = reported();
        assert!(
            lines.len() == 1
                && lines[0].0 == Level::Warning
                && lines[0].1.starts_with("audit: would refuse"),
            "{lines:?}"
        );
        policy.filter.audit = false;

        policy.filter.on_error = OnError::Ignore;
        assert!(decide(&policy, Some(&list), "erin", "", GOOD, false, keep));
        let lines = reported();
        assert!(
            lines.len() == 1
                && lines[0].0 == Level::Warning
                && lines[0].1.starts_with("checking the password change for erin without the breached-password list (filter.on_error = ignore): ")
                && lines[0].1.contains(&shown),
            "{lines:?}"
        );
        assert!(
            !decide(&policy, Some(&list), "erin", "", "weak", false, keep),
            "ignore skips the list, not the text rules"
        );
        let lines = reported();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(
            lines[1].1,
            "refused the password change for erin: too_short, too_few_classes"
        );

        // Damaged where the lookup reads: the same, naming the damage.
        crate::breached::write_filter(&path, &[MEMBER], 1);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[4096 + 100] ^= 0x40; // inside the only data page
        std::fs::write(&path, &bytes).unwrap();
        policy.filter.on_error = OnError::Fail;
        let list = List::new(&policy.breached, HOLD, None).unwrap();
        assert!(!decide(
            &policy,
            Some(&list),
            "erin",
            "",
            MEMBER,
            false,
            keep
        ));
        let lines = reported();
        assert!(
            lines.len() == 1 && lines[0].1.contains("damaged (data page checksum)"),
            "{lines:?}"
        );
        for (_, line) in lines {
            assert!(!line.contains(MEMBER) && !line.contains(GOOD), "{line}");
        }
    }

    #[test]
    fn the_policy_in_force_follows_the_policy_to_another_list_and_reports_a_broken_one_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.pwbf"), dir.path().join("b.pwbf"));
        crate::breached::write_filter(&a, &[MEMBER], 1);
        crate::breached::write_filter(&b, &[GOOD], 1);
        let policy = dir.path().join("policy.toml");
        let names = |list: &Path| format!("[breached]\nfile = {:?}\n", list.to_str().unwrap());
        std::fs::write(&policy, names(&a)).unwrap();
        let in_force = InForce::new(Some(policy.clone()), keep);
        in_force.check_list();
        assert_eq!(reported(), []);
        assert!(!in_force.decide("erin", "", MEMBER, false));
        assert!(in_force.decide("erin", "", GOOD, false));
        std::fs::write(&policy, names(&b) + "# now the other list\n").unwrap();
        assert!(in_force.decide("erin", "", MEMBER, false));
        assert!(!in_force.decide("erin", "", GOOD, false));
        std::fs::write(&policy, "# no list at all\n").unwrap();
        assert!(in_force.decide("erin", "", GOOD, false));
        reported();
        std::fs::write(&policy, names(&dir.path().join("gone.pwbf"))).unwrap();
        in_force.check_list();
        let lines = reported();
        assert!(
            lines.len() == 1
                && lines[0].0 == Level::Error
                && lines[0].1.contains("gone.pwbf")
                && lines[0].1.ends_with(
                    "password changes are refused until it is fixed (filter.on_error = fail)"
                ),
            "{lines:?}"
        );
    }

    #[test]
    fn load_errors_name_the_file_and_the_line() {
        let dir = std::env::temp_dir().join(format!("pwpolicyfilt-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.toml");
        let e = load(&missing).unwrap_err();
        assert!(matches!(e, Error::CannotRead { .. }), "{e:?}");
        assert!(
            e.to_string()
                .starts_with(&format!("cannot read {}: ", missing.display())),
            "{e}"
        );
        let broken = dir.join("broken.toml");
        std::fs::write(&broken, "[quality]\nmin_length = 4\nminclasses = 1\n").unwrap();
        let e = load(&broken).unwrap_err();
        assert!(matches!(e, Error::InvalidPolicy { .. }), "{e:?}");
        assert!(e.to_string().contains("line 3"), "{e}");
        let latin1 = dir.join("latin1.toml");
        std::fs::write(&latin1, b"# \xe9\n").unwrap();
        assert_eq!(
            load(&latin1).unwrap_err(),
            Error::PolicyNotUtf8 { path: latin1 }
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_banned_list_is_enforced_and_an_unreadable_one_leaves_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("banned.txt");
        let policy = dir.path().join("policy.toml");
        std::fs::write(
            &policy,
            format!("[banned]\nfile = {:?}\n", list.to_str().unwrap()),
        )
        .unwrap();
        let e = load(&policy).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidPolicy { path, reason }
                if path == &list && reason.starts_with("banned-word list: cannot read it")),
            "{e:?}"
        );
        std::fs::write(&list, "Kingsbridge\r\n").unwrap();
        let in_force = InForce::new(Some(policy.clone()), keep);
        assert!(!in_force.decide("erin", "", "K1ngsbr1dge-2025!", false));
        assert!(in_force.decide("erin", "", "Blue-Kettle-42", false));
        assert_eq!(
            reported(),
            [(
                Level::Info,
                "refused the password change for erin: contains_banned_word".to_owned()
            )]
        );
        // A new list is read without the policy file being touched (its
        // length differs, so its stamp does even within a clock tick).
        std::fs::write(&list, "Kingsbridge\nOakfield\n").unwrap();
        assert!(!in_force.decide("erin", "", "0akf1eld-Rocks-7", false));
        reported();
        // No list: the default policy, not a policy without its banned
        // words: K1ngsbr1dge passes the rules, a short password still not.
        std::fs::remove_file(&list).unwrap();
        assert!(in_force.decide("erin", "", "K1ngsbr1dge-2025!", false));
        assert!(!in_force.decide("erin", "", "short", false));
        let lines = reported();
        assert!(
            lines.iter().any(|(l, m)| *l == Level::Warning
                && m.contains("banned-word list: cannot read it")
                && m.ends_with("enforcing the built-in default policy")),
            "{lines:?}"
        );
        // The list back: noticed, though the default was in force.
        std::fs::write(&list, "Kingsbridge\n").unwrap();
        assert!(!in_force.decide("erin", "", "K1ngsbr1dge-2025!", false));
    }
}
