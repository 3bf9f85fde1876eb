//! The filter's decisions: which policy is in force (reloaded when its file
//! changes; the built-in default when there is no file or a broken one) and
//! whether a password passes it.
//!
//! No operating-system calls and no global state: the exports hand in the
//! registry's answer and where reports go, and keep the process-wide engine.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use pwpolicy::{Names, Password, Policy, Verdict};

use crate::error::Error;
use crate::report::{Level, Report};

/// The environment variable naming the policy file (first choice).
pub const CONFIG_ENV: &str = "PWPOLICY_CONFIG";

/// What identifies one version of the policy file.
type Stamp = Option<(SystemTime, u64)>;

struct Loaded {
    policy: Arc<Policy>,
    stamp: Stamp,
}

/// The policy in force and where it comes from.
pub struct Engine {
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

impl Engine {
    /// An engine reading `path` (or only the built-in default), telling
    /// `report` about a broken policy file and about its refusals.
    pub fn new(path: Option<PathBuf>, report: Report) -> Engine {
        let engine = Engine {
            path,
            loaded: RwLock::new(Loaded {
                policy: Arc::new(Policy::default()),
                stamp: None,
            }),
            report,
        };
        engine.reload_if_changed(true);
        engine
    }

    /// The policy in force, reloading it first if its file changed.
    pub fn policy(&self) -> Arc<Policy> {
        self.reload_if_changed(false);
        let loaded = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        Arc::clone(&loaded.policy)
    }

    /// What `PasswordFilter` answers under the policy in force: [`decide`].
    pub fn decide(
        &self,
        account: &str,
        full_name: &str,
        password: &Password,
        set_operation: bool,
    ) -> bool {
        let policy = self.policy();
        decide(
            &policy,
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
            if !first && loaded.stamp == now {
                return;
            }
        }
        let mut loaded = self.loaded.write().unwrap_or_else(|e| e.into_inner());
        if !first && loaded.stamp == now {
            return; // another thread reloaded meanwhile
        }
        loaded.policy = Arc::new(read(path, now.is_some(), self.report));
        loaded.stamp = now;
    }
}

/// The policy in the file at `path`.
///
/// # Errors
///
/// [`Error::CannotRead`], [`Error::PolicyNotUtf8`] or
/// [`Error::InvalidPolicy`] (naming the line).
pub fn load(path: &Path) -> Result<Policy, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::CannotRead {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| Error::PolicyNotUtf8 {
        path: path.to_owned(),
    })?;
    Policy::from_toml(&text).map_err(|e| Error::InvalidPolicy {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

/// The policy in `path`; the built-in default when it is absent, or (with a
/// report) when it cannot be read or is invalid: never weaker than the default.
fn read(path: &Path, exists: bool, report: Report) -> Policy {
    if !exists {
        return Policy::default();
    }
    load(path).unwrap_or_else(|e| {
        report(
            Level::Warning,
            &format!("{e}; enforcing the built-in default policy"),
        );
        Policy::default()
    })
}

/// What `PasswordFilter` answers: whether `password` may be set, telling
/// `report` about each refusal (and, in audit mode, each "would refuse").
pub fn decide(
    policy: &Policy,
    account: &str,
    full_name: &str,
    password: &Password,
    set_operation: bool,
    report: Report,
) -> bool {
    if set_operation && !policy.filter.check_resets {
        return true;
    }
    let verdict = policy.check(password, &Names::new(account, full_name));
    if verdict.is_accepted() {
        return true;
    }
    let what = if set_operation {
        "password reset"
    } else {
        "password change"
    };
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
        let engine = Engine::new(Some(path.clone()), quiet);
        assert_eq!(*engine.policy(), Policy::default(), "no file: the default");
        std::fs::write(&path, "[quality]\nmin_length = 12\n").unwrap();
        assert_eq!(engine.policy().quality.min_length, 12);
        std::fs::write(&path, "[quality]\nmin_length = 4\nmin_classes = 2\n").unwrap();
        assert_eq!(engine.policy().quality.min_length, 4);
        std::fs::write(&path, "[quality]\nminimum = 4\n").unwrap();
        assert_eq!(
            *engine.policy(),
            Policy::default(),
            "broken: the default, not the last good one"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn resets_and_audit() {
        let weak = Password::new("weak");
        let mut policy = Policy::default();
        assert!(!decide(&policy, "erin", "", &weak, false, quiet));
        assert!(
            !decide(&policy, "erin", "", &weak, true, quiet),
            "resets are checked by default"
        );
        policy.filter.check_resets = false;
        assert!(decide(&policy, "erin", "", &weak, true, quiet));
        assert!(!decide(&policy, "erin", "", &weak, false, quiet));
        policy.filter.audit = true;
        assert!(decide(&policy, "erin", "", &weak, false, quiet));
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
}
