//! The history pepper: a secret key, kept out of the store, that argon2 mixes
//! into every new history and stem hash (`[history] pepper_file`). Read where
//! history is hashed (the local store: root, or pwpolicyd), never by an
//! ordinary user's CLI, which asks pwpolicyd instead.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use pwpolicy::Policy;
use pwpolicy_store::StoreError;
use pwpolicy_trust::Kind;
use zeroize::Zeroizing;

/// The shortest pepper accepted, in bytes (after trimming the line end):
/// 16 random bytes, or 22 characters of base64.
pub const MIN_PEPPER_BYTES: usize = 16;

/// The longest pepper file read.
const MAX_PEPPER_BYTES: u64 = 1024;

/// The pepper the policy names, if any: the first line of its file, which
/// must be reachable by nobody but its owner (the rules of
/// [`pwpolicy_trust`] for secrets: mode 0600, root's as root, its directory
/// writable by nobody else).
///
/// # Errors
///
/// [`StoreError::Pepper`] for a file that is missing, unreadable, too open,
/// empty or too short: history is never hashed without the pepper the
/// policy asks for.
pub fn load(policy: &Policy) -> Result<Option<Zeroizing<Vec<u8>>>, StoreError> {
    let Some(file) = policy.history.pepper_file.as_deref() else {
        return Ok(None);
    };
    read(Path::new(file)).map(Some)
}

fn read(path: &Path) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let refuse = |reason: String| StoreError::Pepper {
        path: PathBuf::from(path),
        reason,
    };
    let file = pwpolicy_trust::open(path, Kind::Secret).map_err(|e| refuse(e.to_string()))?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.into_file()
        .take(MAX_PEPPER_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| refuse(format!("cannot read it: {e}")))?;
    if bytes.len() as u64 > MAX_PEPPER_BYTES {
        return Err(refuse(format!(
            "larger than {MAX_PEPPER_BYTES} bytes: a pepper is one line"
        )));
    }
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.len() < MIN_PEPPER_BYTES {
        return Err(refuse(format!(
            "its first line has {} bytes; use at least {MIN_PEPPER_BYTES} random ones \
             (e.g. `openssl rand -base64 32`)",
            line.len()
        )));
    }
    Ok(Zeroizing::new(line.to_vec()))
}

#[cfg(test)]
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
