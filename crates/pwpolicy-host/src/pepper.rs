//! The history pepper: a secret key, kept out of the store, that argon2 mixes
//! into every new history and stem hash (`[history] pepper_file`). Read where
//! history is hashed (the local store: root, or pwpolicyd), never by an
//! ordinary user's CLI, which asks pwpolicyd instead.

use std::path::{Path, PathBuf};

use pwpolicy::Policy;
use thiserror::Error;
use zeroize::Zeroizing;

use crate::files;

/// The shortest pepper accepted, in bytes (after trimming the line end):
/// 16 random bytes, or 22 characters of base64.
pub const MIN_PEPPER_BYTES: usize = 16;

/// The longest pepper file read.
const MAX_PEPPER_BYTES: u64 = 1024;

/// A pepper file that cannot be used. Never says what the file holds.
#[derive(Debug, Error)]
#[error("history pepper {}: {reason}", .path.display())]
pub struct PepperError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub reason: String,
}

/// The pepper the policy names, if any: the first line of its file, which
/// must be reachable by nobody but its owner (the rules of
/// [`crate::files::Rule::Secret`]: mode 0600, root's as root, its directory
/// writable by nobody else).
///
/// # Errors
///
/// [`PepperError`] for a file that is missing, unreadable, too open,
/// empty or too short: history is never hashed without the pepper the
/// policy asks for.
pub fn load(policy: &Policy) -> Result<Option<Zeroizing<Vec<u8>>>, PepperError> {
    let Some(file) = policy.history.pepper_file.as_deref() else {
        return Ok(None);
    };
    read(Path::new(file)).map(Some)
}

fn read(path: &Path) -> Result<Zeroizing<Vec<u8>>, PepperError> {
    let refuse = |reason: String| PepperError {
        path: PathBuf::from(path),
        reason,
    };
    let line = files::read_secret_line(path, MAX_PEPPER_BYTES).map_err(|e| match e {
        files::FileError::TooLarge { .. } => refuse(format!(
            "larger than {MAX_PEPPER_BYTES} bytes: a pepper is one line"
        )),
        e => refuse(e.to_string()),
    })?;
    if line.len() < MIN_PEPPER_BYTES {
        return Err(refuse(format!(
            "its first line has {} bytes; use at least {MIN_PEPPER_BYTES} random ones \
             (e.g. `openssl rand -base64 32`)",
            line.len()
        )));
    }
    Ok(line)
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_pepper_is_the_first_line_of_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        let path = dir.path().join("pepper");
        let mut policy = Policy::default();
        assert!(load(&policy).unwrap().is_none());
        policy.history.pepper_file = Some(path.to_str().unwrap().to_owned());

        let err = load(&policy).unwrap_err().to_string();
        assert!(
            err.starts_with("history pepper ") && err.contains("pepper"),
            "{err}"
        );
        std::fs::write(&path, "c2l4dGVlbi1ieXRlcy1vZi1zZWNyZXQ=\r\nignored\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load(&policy).unwrap_err().to_string();
        assert!(err.contains("0644") || err.contains("644"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(
            load(&policy).unwrap().unwrap().as_slice(),
            b"c2l4dGVlbi1ieXRlcy1vZi1zZWNyZXQ="
        );
        std::fs::write(&path, "short\n").unwrap();
        let err = load(&policy).unwrap_err().to_string();
        assert!(err.contains("has 5 bytes"), "{err}");
        assert!(!err.contains("short"), "the pepper is never shown: {err}");
    }
}
