//! Opening the files a policy names — the policy file itself, its banned
//! and breached lists, the pepper, a directory's bind password and CA
//! certificates — under one set of rules, so that no program of pwpolicy
//! reads one of them more loosely than another.
//!
//! On Unix the rules are [`pwpolicy_trust`]'s (owned by root or this user,
//! writable by nobody else, every directory the path names checked, no link
//! in the file's place, never a FIFO that hangs the reader); which of them
//! apply depends on what the file holds ([`Rule`]). On Windows the operating
//! system's ACLs decide, and the file is read as it is.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use thiserror::Error;
use zeroize::Zeroizing;

/// Which rules a file is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// What root enforces (the policy file and its lists): as root, no one
    /// else may be able to write it or swap it; other users read it as it is.
    Enforced,
    /// What decides whom a program trusts (a CA file): no one else may be
    /// able to write it, whoever reads it.
    Trusted,
    /// A secret (the pepper, a bind password): no one else may be able to
    /// read or write it, whoever reads it.
    Secret,
}

/// A file that cannot be used. Messages name the file and, where one
/// exists, the `chown`/`chmod` that fixes it; never what the file holds.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum FileError {
    /// The file does not exist.
    #[error("{} does not exist", .0.display())]
    Missing(PathBuf),
    /// The file cannot be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file (or a directory on its path) breaks the ownership rules.
    #[error("{0}")]
    Untrusted(String),
    /// The file is larger than the reader takes.
    #[error("{} is larger than {max} bytes", .path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The most bytes read.
        max: u64,
    },
}

impl FileError {
    /// Whether the file is simply not there.
    pub fn is_missing(&self) -> bool {
        matches!(self, FileError::Missing(_))
    }
}

/// Opens `path` for reading under `rule`.
///
/// # Errors
///
/// [`FileError`]: missing, unreadable, or breaking the rule.
pub fn open(path: &Path, rule: Rule) -> Result<File, FileError> {
    imp::open(path, rule)
}

/// The bytes of `path`, at most `max` of them, read under `rule`.
///
/// # Errors
///
/// As [`open`], and [`FileError::TooLarge`].
pub fn read(path: &Path, rule: Rule, max: u64) -> Result<Vec<u8>, FileError> {
    let mut bytes = Vec::new();
    read_into(path, rule, max, &mut bytes)?;
    Ok(bytes)
}

/// The first line of a secret file (without its line end), wiped when
/// dropped, as every buffer that held it is.
///
/// # Errors
///
/// As [`read`], under [`Rule::Secret`].
pub fn read_secret_line(path: &Path, max: u64) -> Result<Zeroizing<Vec<u8>>, FileError> {
    let mut bytes = Zeroizing::new(Vec::new());
    read_into(path, Rule::Secret, max, &mut bytes)?;
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    Ok(Zeroizing::new(line.to_vec()))
}

fn read_into(path: &Path, rule: Rule, max: u64, bytes: &mut Vec<u8>) -> Result<(), FileError> {
    let file = open(path, rule)?;
    // Sized up front so that a secret never leaves a copy in a freed buffer.
    bytes.reserve_exact(usize::try_from(max.min(64 * 1024)).unwrap_or(0) + 1);
    file.take(max + 1)
        .read_to_end(bytes)
        .map_err(|source| FileError::Read {
            path: path.to_owned(),
            source,
        })?;
    if bytes.len() as u64 > max {
        return Err(FileError::TooLarge {
            path: path.to_owned(),
            max,
        });
    }
    Ok(())
}

fn io_error(path: &Path, source: std::io::Error) -> FileError {
    if source.kind() == ErrorKind::NotFound {
        FileError::Missing(path.to_owned())
    } else {
        FileError::Read {
            path: path.to_owned(),
            source,
        }
    }
}

#[cfg(unix)]
mod imp {
    use std::fs::{File, OpenOptions};
    use std::io::ErrorKind;
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::Path;

    use pwpolicy_trust::{Kind, TrustError};

    use super::{FileError, Rule, io_error};

    pub(super) fn open(path: &Path, rule: Rule) -> Result<File, FileError> {
        let kind = match rule {
            Rule::Enforced if pwpolicy_trust::euid() != 0 => return open_plain(path),
            Rule::Enforced | Rule::Trusted => Kind::Config,
            Rule::Secret => Kind::Secret,
        };
        pwpolicy_trust::open(path, kind)
            .map(pwpolicy_trust::TrustedFile::into_file)
            .map_err(|e| match e {
                TrustError::Missing(_) => FileError::Missing(path.to_owned()),
                TrustError::AccessDenied(_) => io_error(path, ErrorKind::PermissionDenied.into()),
                e => FileError::Untrusted(e.to_string()),
            })
    }

    /// A file as it is, but never a FIFO or device that would hang or feed
    /// the reader forever.
    fn open_plain(path: &Path) -> Result<File, FileError> {
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(path)
            .map_err(|e| io_error(path, e))?;
        let meta = file.metadata().map_err(|e| io_error(path, e))?;
        if !meta.is_file() {
            return Err(FileError::Untrusted(format!(
                "refusing {}: not a regular file",
                path.display()
            )));
        }
        Ok(file)
    }
}

#[cfg(not(unix))]
mod imp {
    use std::fs::File;
    use std::path::Path;

    use super::{FileError, Rule, io_error};

    pub(super) fn open(path: &Path, _: Rule) -> Result<File, FileError> {
        let file = File::open(path).map_err(|e| io_error(path, e))?;
        let meta = file.metadata().map_err(|e| io_error(path, e))?;
        if !meta.is_file() {
            return Err(FileError::Untrusted(format!(
                "refusing {}: not a regular file",
                path.display()
            )));
        }
        Ok(file)
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_fifo_is_refused_without_hanging_whatever_the_rule() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pw");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::set_permissions(&fifo, std::fs::Permissions::from_mode(0o600)).unwrap();
        for rule in [Rule::Enforced, Rule::Trusted, Rule::Secret] {
            let err = read(&fifo, rule, 10).unwrap_err();
            assert!(err.to_string().contains("not a regular file"), "{err}");
        }
    }

    #[test]
    fn a_secret_is_its_first_line_and_must_be_private() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "S3cret-Bind!\r\nignored\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = read_secret_line(&path, 100).unwrap_err().to_string();
        assert!(
            err.contains("chmod 600") && !err.contains("S3cret"),
            "{err}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(
            read_secret_line(&path, 100).unwrap().as_slice(),
            b"S3cret-Bind!"
        );
        assert!(matches!(
            read_secret_line(&path, 5),
            Err(FileError::TooLarge { max: 5, .. })
        ));
        assert!(
            read(&dir.path().join("absent"), Rule::Trusted, 10)
                .unwrap_err()
                .is_missing()
        );
    }
}
