//! Finding and reading the policy file: one rule for the CLI, the PAM
//! module, pwpolicyd, the Windows filter and the C API (the core only parses
//! text it is handed). Every file the policy names is read under the rules
//! of [`crate::files`].

use std::path::{Path, PathBuf};

use pwpolicy::Policy;
use thiserror::Error;

use crate::files::{self, FileError, Rule};

/// Where the policy lives unless a caller names another file.
pub const DEFAULT_POLICY_PATH: &str = "/etc/security/pwpolicy.toml";

/// The largest policy file read; real ones are a few KiB.
pub const MAX_POLICY_BYTES: u64 = 1 << 20;

/// The largest banned-word list read: a million words of a few dozen
/// letters, far more than an organisation's own names.
pub const MAX_BANNED_LIST_BYTES: u64 = 64 << 20;

/// The conventional "no file": read as empty, i.e. the built-in default.
const DEV_NULL: &str = "/dev/null";

/// The policy and where it came from, for messages.
#[derive(Debug)]
pub struct LoadedPolicy {
    /// The validated policy.
    pub policy: Policy,
    /// The file it was read from; `None` for the built-in default.
    pub source: Option<PathBuf>,
    /// The file sets no key (it is empty, or section headers and comments
    /// only, like the shipped one): the policy is the built-in default.
    pub sets_nothing: bool,
}

/// A policy file that cannot be used. Messages name the file (and the line).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PolicyFileError {
    /// The file cannot be read.
    // The cause is in the message, so it is not also a `source`: an
    // anyhow chain printed with `{:#}` would say it twice.
    #[error("cannot read policy file {}: {}", .path.display(), crate::plainly(.error))]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// Read as root, the file (or a directory on its path) could be written
    /// or replaced by someone else: a weaker policy planted there would be
    /// enforced. Says which `chown`/`chmod` fixes it.
    #[error("policy file: {0}")]
    Untrusted(String),
    /// The file is larger than [`MAX_POLICY_BYTES`].
    #[error("{}: larger than {MAX_POLICY_BYTES} bytes; not a policy file", .path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The file is not UTF-8.
    #[error("{}: not UTF-8 text (byte {byte})", .path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Offset of the first bad byte.
        byte: usize,
    },
    /// The banned-word list the policy names (`[banned] file`) cannot be
    /// used: a policy that bans words never runs without them.
    #[error("banned-word list {}: {reason}", .path.display())]
    BannedList {
        /// The list.
        path: PathBuf,
        /// Why (never a line of the list).
        reason: String,
    },
    /// The file is not a valid policy.
    #[error("{}: {error}", .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What the core said, with the line.
        error: pwpolicy::Error,
    },
}

/// Reads the policy from `explicit`, else the default path, else the built-in
/// default. A file named explicitly must exist; a file at the default path that
/// exists but is broken is an error too, never a silent fallback to defaults.
///
/// # Errors
///
/// [`PolicyFileError`] for a file that is named but missing, unreadable, or invalid.
pub fn load(explicit: Option<&Path>) -> Result<LoadedPolicy, PolicyFileError> {
    let path = explicit.unwrap_or(Path::new(DEFAULT_POLICY_PATH));
    match read(path, MAX_POLICY_BYTES) {
        Ok(bytes) => Ok(LoadedPolicy {
            policy: {
                let mut policy = parse(path, &bytes)?;
                load_banned_list(&mut policy)?;
                policy
            },
            source: Some(path.to_owned()),
            // Parsed as UTF-8 above, so this view is exact. Section
            // headers alone set nothing (the shipped file is all headers
            // and comments).
            sets_nothing: String::from_utf8_lossy(&bytes)
                .lines()
                .map(str::trim)
                .all(|l| l.is_empty() || l.starts_with('#') || l.starts_with('[')),
        }),
        Err(PolicyFileError::Read { error: source, .. })
            if source.kind() == std::io::ErrorKind::NotFound && explicit.is_none() =>
        {
            Ok(LoadedPolicy {
                policy: Policy::default(),
                source: None,
                sets_nothing: true,
            })
        }
        Err(e) => Err(e),
    }
}

/// Reads the banned-word list the policy names, if any, into the policy,
/// under the same ownership rules as the policy file.
///
/// # Errors
///
/// [`PolicyFileError::BannedList`] for a list that is missing, untrusted,
/// too large, not UTF-8 or has a bad line (named).
pub fn load_banned_list(policy: &mut Policy) -> Result<(), PolicyFileError> {
    let Some(file) = policy.banned.file.clone() else {
        return Ok(());
    };
    let path = PathBuf::from(file);
    let refuse = |reason: String| PolicyFileError::BannedList {
        path: path.clone(),
        reason,
    };
    let bytes = read(&path, MAX_BANNED_LIST_BYTES).map_err(|e| match e {
        PolicyFileError::Read { error, .. } => refuse(format!("cannot read it: {error}")),
        PolicyFileError::TooLarge { .. } => refuse(format!(
            "larger than {MAX_BANNED_LIST_BYTES} bytes; keep the list to the organisation's \
             own words (zxcvbn knows the dictionary)"
        )),
        PolicyFileError::Untrusted(reason) => refuse(reason),
        e => refuse(e.to_string()),
    })?;
    policy.banned.load_list_bytes(&bytes).map_err(refuse)?;
    Ok(())
}

/// A file the policy names that a program would refuse, and why: the
/// message names what the file is for, the file and the fix (never a line
/// of it).
#[derive(Debug, Error)]
#[error("{message}")]
pub struct NamedFileError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong, for people.
    pub message: String,
}

/// Opens every file `policy` names that [`load`] does not read, as the
/// programs that use them open them: the breached-password list (mapped,
/// its header read and its `min_count` met, as PAM and pwpolicyd map it),
/// the history pepper, and the directory's bind password and CA files. With
/// [`load`], what `pwpolicy policy check` runs: every error at once.
pub fn verify_named_files(policy: &Policy) -> Vec<NamedFileError> {
    let mut errors = Vec::new();
    let mut refuse = |path: &str, e: &dyn std::error::Error| {
        errors.push(NamedFileError {
            path: PathBuf::from(path),
            message: e.to_string(),
        });
    };
    if let Some(path) = policy.breached.file.as_deref() {
        let mapped =
            pwpolicy_breach_file::MappedSet::open(Path::new(path), crate::breached::open_trusted)
                .and_then(|list| list.meets(policy.breached.min_count));
        if let Err(e) = mapped {
            refuse(path, &e);
        }
    }
    if let (Some(path), Err(e)) = (
        policy.history.pepper_file.as_deref(),
        crate::pepper::load(policy),
    ) {
        refuse(path, &e);
    }
    let directory = &policy.directory;
    if let Some(path) = directory.bind_password_file.as_deref()
        && let Err(e) = crate::directory_files::bind_password(Path::new(path))
    {
        refuse(path, &e);
    }
    if let Some(path) = directory.ca_file.as_deref()
        && let Err(e) = crate::directory_files::ca_file(Path::new(path))
    {
        refuse(path, &e);
    }
    errors
}

/// The file's bytes. Root enforces what the file says, so as root it must
/// pass the ownership rules of [`crate::files`] (root's, writable by nobody
/// else, no link in its place); other users read it as it is.
fn read(path: &Path, max_bytes: u64) -> Result<Vec<u8>, PolicyFileError> {
    if path == Path::new(DEV_NULL) {
        return Ok(Vec::new());
    }
    files::read(path, Rule::Enforced, max_bytes).map_err(|e| match e {
        FileError::Missing(_) => PolicyFileError::Read {
            path: path.to_owned(),
            error: std::io::ErrorKind::NotFound.into(),
        },
        FileError::Read { source, .. } => PolicyFileError::Read {
            path: path.to_owned(),
            error: source,
        },
        FileError::TooLarge { .. } => PolicyFileError::TooLarge {
            path: path.to_owned(),
        },
        e => PolicyFileError::Untrusted(e.to_string()),
    })
}

/// Parses policy file contents, naming the file in errors.
///
/// # Errors
///
/// [`PolicyFileError::NotUtf8`] or [`PolicyFileError::Invalid`].
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Policy, PolicyFileError> {
    let text = std::str::from_utf8(bytes).map_err(|e| PolicyFileError::NotUtf8 {
        path: path.to_owned(),
        byte: e.valid_up_to(),
    })?;
    Policy::from_toml(text).map_err(|error| PolicyFileError::Invalid {
        path: path.to_owned(),
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_banned_list_is_read_with_the_policy_and_a_bad_one_refuses_it() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("banned.txt");
        let policy = dir.path().join("policy.toml");
        std::fs::write(
            &policy,
            format!("[banned]\nfile = \"{}\"\n", list.display()),
        )
        .unwrap();
        let err = load(Some(&policy)).unwrap_err().to_string();
        assert!(
            err.starts_with("banned-word list") && err.contains("cannot read it"),
            "{err}"
        );
        std::fs::write(&list, "# our names\nKingsbridge\nAcme Trust\n").unwrap();
        let loaded = load(Some(&policy)).unwrap().policy;
        assert!(loaded.banned.is_found_in("My-K1ngsbr1dge-9"));
        assert!(!loaded.banned.is_found_in("Blue-Kettle-42"));
        std::fs::write(&list, b"Acme\n\xff\n").unwrap();
        let err = load(Some(&policy)).unwrap_err().to_string();
        assert!(err.ends_with("not UTF-8 text (byte 5)"), "{err}");
        std::fs::write(&list, format!("Acme\n{}\n", "x".repeat(300))).unwrap();
        let err = load(Some(&policy)).unwrap_err().to_string();
        assert!(err.contains("banned-word list line 2"), "{err}");
    }

    #[test]
    fn named_files_must_exist_and_errors_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.toml");
        let err = load(Some(&missing)).unwrap_err();
        assert!(
            err.to_string().starts_with("cannot read policy file")
                && err.to_string().contains("missing.toml"),
            "{err}"
        );
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "[quality]\nminlen = 8\n").unwrap();
        let err = load(Some(&bad)).unwrap_err();
        assert!(
            err.to_string().contains("bad.toml: policy file line 2"),
            "{err}"
        );
        let err = parse(&bad, b"ok = \xff").unwrap_err();
        assert!(
            err.to_string().ends_with("not UTF-8 text (byte 5)"),
            "{err}"
        );
        std::fs::write(&bad, "[quality]\nmin_length = 12\n").unwrap();
        let loaded = load(Some(&bad)).unwrap();
        assert_eq!(
            (loaded.policy.quality.min_length, loaded.source),
            (12, Some(bad))
        );
        let huge = dir.path().join("huge.toml");
        std::fs::write(&huge, vec![b'#'; MAX_POLICY_BYTES as usize + 1]).unwrap();
        assert!(matches!(
            load(Some(&huge)),
            Err(PolicyFileError::TooLarge { .. })
        ));
        let empty = load(Some(Path::new(DEV_NULL))).unwrap();
        assert_eq!(empty.policy, Policy::default());
    }

    #[test]
    #[cfg(unix)]
    fn root_refuses_a_policy_file_others_could_rewrite() {
        pwpolicy_require::require!(pwpolicy_trust::euid() == 0, "needs root");
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pwpolicy.toml");
        std::fs::write(&path, "[quality]\nmin_length = 4\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        let err = load(Some(&path)).unwrap_err();
        assert!(err.to_string().contains("chmod 644"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::os::unix::fs::chown(&path, Some(4242), None).unwrap();
        let err = load(Some(&path)).unwrap_err();
        assert!(err.to_string().contains("chown root"), "{err}");
        std::os::unix::fs::chown(&path, Some(0), None).unwrap();
        assert_eq!(load(Some(&path)).unwrap().policy.quality.min_length, 4);
        // A link in the default file's place is not followed either.
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert!(matches!(
            load(Some(&link)),
            Err(PolicyFileError::Untrusted(_))
        ));
    }
}
