//! Finding and reading the policy file: one rule for the CLI, the PAM module
//! and pwpolicyd (the core only parses text it is handed).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use pwpolicy::Policy;
use thiserror::Error;

/// Where the policy lives unless a caller names another file.
pub const DEFAULT_POLICY_PATH: &str = "/etc/security/pwpolicy.toml";

/// The policy and where it came from, for messages.
#[derive(Debug)]
pub struct LoadedPolicy {
    /// The validated policy.
    pub policy: Policy,
    /// The file it was read from; `None` for the built-in default.
    pub source: Option<PathBuf>,
}

/// A policy file that cannot be used. Messages name the file (and the line).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PolicyFileError {
    /// The file cannot be read.
    #[error("cannot read policy file {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not UTF-8.
    #[error("{}: not UTF-8 text (byte {byte})", .path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Offset of the first bad byte.
        byte: usize,
    },
    /// The file is not a valid policy.
    #[error("{}: {source}", .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What the core said, with the line.
        source: pwpolicy::Error,
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
    match std::fs::read(path) {
        Ok(bytes) => Ok(LoadedPolicy {
            policy: parse(path, &bytes)?,
            source: Some(path.to_owned()),
        }),
        Err(e) if e.kind() == ErrorKind::NotFound && explicit.is_none() => Ok(LoadedPolicy {
            policy: Policy::default(),
            source: None,
        }),
        Err(source) => Err(PolicyFileError::Read {
            path: path.to_owned(),
            source,
        }),
    }
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
    Policy::from_toml(text).map_err(|source| PolicyFileError::Invalid {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
