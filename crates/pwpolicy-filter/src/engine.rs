//! The filter's decisions: which policy is in force (reloaded when its file
//! changes; the built-in default when there is no file or a broken one) and
//! whether a password passes it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::SystemTime;

use pwpolicy::{Names, Password, Policy, Verdict};

use crate::report::{Level, report};

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
}

static ENGINE: OnceLock<Engine> = OnceLock::new();

/// The process-wide engine, created on first use.
pub fn engine() -> &'static Engine {
    ENGINE.get_or_init(|| Engine::new(policy_path()))
}

/// `PWPOLICY_CONFIG`, else the registry's `ConfigPath`, else
/// `%ProgramData%\pwpolicy\pwpolicy.toml`; `None` when none applies.
fn policy_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(CONFIG_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    #[cfg(windows)]
    if let Some(path) = crate::ffi::registry_config_path() {
        return Some(path);
    }
    std::env::var_os("ProgramData").map(|d| Path::new(&d).join("pwpolicy").join("pwpolicy.toml"))
}

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

impl Engine {
    /// An engine reading `path` (or only the built-in default).
    pub fn new(path: Option<PathBuf>) -> Engine {
        let engine = Engine {
            path,
            loaded: RwLock::new(Loaded {
                policy: Arc::new(Policy::default()),
                stamp: None,
            }),
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
        loaded.policy = Arc::new(read(path, now.is_some()));
        loaded.stamp = now;
    }
}

/// The policy in `path`; the built-in default when it is absent, or (with a
/// report) when it cannot be read or is invalid: never weaker than the default.
fn read(path: &Path, exists: bool) -> Policy {
    if !exists {
        return Policy::default();
    }
    let text = match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            report(
                Level::Warning,
                &format!(
                    "{}: not UTF-8; enforcing the built-in default policy",
                    path.display()
                ),
            );
            return Policy::default();
        }
        Err(e) => {
            report(
                Level::Warning,
                &format!(
                    "cannot read {}: {e}; enforcing the built-in default policy",
                    path.display()
                ),
            );
            return Policy::default();
        }
    };
    match Policy::from_toml(&text) {
        Ok(policy) => policy,
        Err(e) => {
            report(
                Level::Warning,
                &format!(
                    "{}: {e}; enforcing the built-in default policy",
                    path.display()
                ),
            );
            Policy::default()
        }
    }
}

/// What `PasswordFilter` answers.
pub fn decide(
    policy: &Policy,
    account: &str,
    full_name: &str,
    password: &Password,
    set_operation: bool,
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

    #[test]
    fn a_changed_file_is_reloaded_and_a_broken_one_enforces_the_default() {
        let dir = std::env::temp_dir().join(format!("pwpolicyfilt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("policy.toml");
        let engine = Engine::new(Some(path.clone()));
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
        assert!(!decide(&policy, "erin", "", &weak, false));
        assert!(
            !decide(&policy, "erin", "", &weak, true),
            "resets are checked by default"
        );
        policy.filter.check_resets = false;
        assert!(decide(&policy, "erin", "", &weak, true));
        assert!(!decide(&policy, "erin", "", &weak, false));
        policy.filter.audit = true;
        assert!(decide(&policy, "erin", "", &weak, false));
    }
}
