//! The files a `[directory]` section names: the bind password (owner-only,
//! as libpq insists for `.pgpass`) and the CA certificates (writable by
//! nobody else), read under the rules of [`crate::files`] whoever reads
//! them: a planted link, a FIFO or a file someone else may write would hand
//! the bind password to whoever controls it.

use std::path::{Path, PathBuf};

use thiserror::Error;
use zeroize::Zeroizing;

use crate::files::{self, FileError, Rule};

/// The most bytes read from a bind password file.
const MAX_PASSWORD_FILE: u64 = 4096;
/// The most bytes read from a CA file (a bundle of a few hundred CAs).
const MAX_CA_FILE: u64 = 4 << 20;

/// A directory file that cannot be used: which, and why (never its content).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DirectoryFileError {
    /// The bind password file.
    #[error("bind password file {}: {why}", .path.display())]
    PasswordFile {
        /// The file.
        path: PathBuf,
        /// Why.
        why: String,
    },
    /// The CA file.
    #[error("CA file {}: {why}", .path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why.
        why: String,
    },
}

/// The bind password in `path`: the first line of an owner-only file, at
/// most 4 KiB, UTF-8 without NUL, wiped after use.
///
/// # Errors
///
/// [`DirectoryFileError::PasswordFile`] when the file is missing, breaks
/// the secret rules, is empty, not UTF-8 or holds a NUL.
pub fn bind_password(path: &Path) -> Result<Zeroizing<String>, DirectoryFileError> {
    let fail = |why: String| DirectoryFileError::PasswordFile {
        path: path.to_owned(),
        why,
    };
    let line = files::read_secret_line(path, MAX_PASSWORD_FILE).map_err(|e| {
        fail(match e {
            FileError::TooLarge { .. } => format!("is longer than {MAX_PASSWORD_FILE} bytes"),
            e => e.to_string(),
        })
    })?;
    if line.is_empty() {
        return Err(fail("is empty: its first line is the password".into()));
    }
    if line.contains(&0) {
        return Err(fail("holds a NUL byte".into()));
    }
    let text = std::str::from_utf8(&line).map_err(|_| fail("is not UTF-8".into()))?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// The bytes of the CA file `path` (PEM), which nobody else may write.
///
/// # Errors
///
/// [`DirectoryFileError::CaFile`] when it is missing, too large, or breaks
/// the rules.
pub fn ca_file(path: &Path) -> Result<Vec<u8>, DirectoryFileError> {
    files::read(path, Rule::Trusted, MAX_CA_FILE).map_err(|e| DirectoryFileError::CaFile {
        path: path.to_owned(),
        why: e.to_string(),
    })
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn file(dir: &Path, bytes: &[u8], mode: u32) -> PathBuf {
        let p = dir.join(format!("pw{mode:o}{}", bytes.len()));
        std::fs::write(&p, bytes).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        p
    }

    fn private_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        dir
    }

    #[test]
    fn first_line_of_an_owner_only_file() {
        let dir = private_dir();
        let p = file(dir.path(), b"S3cret-Bind!\r\nignored\n", 0o600);
        assert_eq!(bind_password(&p).unwrap().as_str(), "S3cret-Bind!");
        let p = file(dir.path(), b"S3cret-Bind!", 0o400);
        assert_eq!(bind_password(&p).unwrap().as_str(), "S3cret-Bind!");
    }

    #[test]
    fn refusals_name_the_file_and_never_the_password() {
        let dir = private_dir();
        for (bytes, mode, why) in [
            (&b"S3cret-Bind!\n"[..], 0o644, "chmod 600"),
            (b"S3cret-Bind!\n", 0o640, "mode 0640"),
            (b"\nS3cret-Bind!\n", 0o600, "is empty"),
            (b"S3cret\0Bind\n", 0o600, "NUL"),
            (b"S3cret-\xffBind\n", 0o600, "not UTF-8"),
        ] {
            let p = file(dir.path(), bytes, mode);
            let err = bind_password(&p).unwrap_err().to_string();
            assert!(
                err.contains(why) && err.contains(&*p.to_string_lossy()),
                "{err}"
            );
            assert!(!err.contains("S3cret"), "{err}");
        }
        let big = file(dir.path(), &[b'a'; 5000], 0o600);
        assert!(
            bind_password(&big)
                .unwrap_err()
                .to_string()
                .contains("longer than")
        );
        assert!(bind_password(&dir.path().join("absent")).is_err());
        assert!(bind_password(dir.path()).is_err());
    }

    #[test]
    fn a_link_to_another_secret_is_not_followed() {
        // The attack (issue 22): a link planted at the bind password file's
        // path sent the first line of root's pepper to a listener.
        let dir = private_dir();
        let pepper = file(dir.path(), b"the-pepper-of-root\n", 0o600);
        let link = dir.path().join("ldap.pw");
        std::os::unix::fs::symlink(&pepper, &link).unwrap();
        let err = bind_password(&link).unwrap_err().to_string();
        assert!(
            err.contains("symbolic link") && !err.contains("pepper-of"),
            "{err}"
        );
    }

    #[test]
    fn a_ca_file_others_may_write_is_refused() {
        let dir = private_dir();
        let ca = file(dir.path(), b"-----BEGIN CERTIFICATE-----\n", 0o666);
        let err = ca_file(&ca).unwrap_err().to_string();
        assert!(
            err.starts_with("CA file") && err.contains("chmod 644"),
            "{err}"
        );
        std::fs::set_permissions(&ca, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(ca_file(&ca).is_ok());
    }
}
