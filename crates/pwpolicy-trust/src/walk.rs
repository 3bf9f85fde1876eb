//! Walking a directory path from `/` by descriptor, checking each directory's
//! owner and mode as it is opened, so that no link or swapped directory can
//! redirect the walk after the check.

use std::os::fd::OwnedFd;
use std::path::{Component, Path, PathBuf};

use rustix::fs::{CWD, Mode, OFlags, Stat, fstat, openat};
use rustix::io::Errno;

use crate::{TrustError, euid};

/// The sticky bit: in such a directory nobody but its owner (and root) can
/// rename or remove another user's entry.
const STICKY: u32 = 0o1000;
/// Write permission for group or others.
const GROUP_OTHER_WRITE: u32 = 0o022;

/// How strictly the last directory (the file's own) is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LastDir {
    /// Writable by nobody else, sticky or not (store directories).
    Private,
    /// A sticky directory like /tmp is acceptable.
    StickyOk,
}

/// An open, checked directory and the canonical path it was reached by.
pub(crate) struct CheckedDir {
    /// An `O_PATH` descriptor for the directory.
    pub(crate) fd: OwnedFd,
    /// The canonical path walked.
    pub(crate) path: PathBuf,
}

/// Resolves `dir` once (links in it are followed: `/var/run` → `/run`), then
/// opens the resolved path again one component at a time without following
/// links, checking each directory. A component that changed in between fails
/// the walk.
pub(crate) fn walk(dir: &Path, file: &Path, last: LastDir) -> Result<CheckedDir, TrustError> {
    let canonical = std::fs::canonicalize(dir).map_err(|e| match e.kind() {
        // Named by the file asked for: that is what is missing to the caller.
        std::io::ErrorKind::NotFound => TrustError::Missing(file.to_owned()),
        std::io::ErrorKind::PermissionDenied => TrustError::AccessDenied(dir.to_owned()),
        _ => TrustError::Io {
            path: dir.to_owned(),
            source: e,
        },
    })?;
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let mut fd = openat(CWD, "/", flags, Mode::empty()).map_err(|e| io(&canonical, e))?;
    let mut at = PathBuf::from("/");
    let parts: Vec<_> = canonical
        .components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name),
            _ => None,
        })
        .collect();
    check_dir(&fd, &at, file, parts.is_empty(), last)?;
    for (i, name) in parts.iter().enumerate() {
        at.push(name);
        fd = openat(&fd, *name, flags | OFlags::NOFOLLOW, Mode::empty()).map_err(|e| match e {
            Errno::LOOP | Errno::NOTDIR | Errno::NOENT => TrustError::Changed(at.clone()),
            Errno::ACCESS => TrustError::AccessDenied(at.clone()),
            e => io(&at, e),
        })?;
        check_dir(&fd, &at, file, i + 1 == parts.len(), last)?;
    }
    Ok(CheckedDir {
        fd,
        path: canonical,
    })
}

/// One directory: owned by root or us, and writable by nobody else unless it
/// is sticky (and, for the store's own directory, not even then).
fn check_dir(
    fd: &OwnedFd,
    at: &Path,
    file: &Path,
    is_last: bool,
    last: LastDir,
) -> Result<(), TrustError> {
    let st = fstat(fd).map_err(|e| io(at, e))?;
    owner_ok(&st, at, "a directory on its path")?;
    let mode = st.st_mode & 0o7777;
    if mode & GROUP_OTHER_WRITE == 0 {
        return Ok(());
    }
    let sticky = mode & STICKY != 0;
    if is_last && last == LastDir::Private && sticky {
        return Err(TrustError::SharedDirectory {
            path: file.to_owned(),
            dir: at.to_owned(),
            mode,
        });
    }
    if sticky {
        return Ok(());
    }
    Err(TrustError::Mode {
        path: at.to_owned(),
        what: if is_last {
            "its directory"
        } else {
            "a directory on its path"
        },
        reach: "writable",
        mode,
        fix: mode & !GROUP_OTHER_WRITE & 0o777,
    })
}

/// Owned by root or by this process's effective user.
pub(crate) fn owner_ok(st: &Stat, at: &Path, what: &'static str) -> Result<(), TrustError> {
    let me = euid();
    if st.st_uid == 0 || st.st_uid == me {
        return Ok(());
    }
    Err(TrustError::Owner {
        path: at.to_owned(),
        what,
        owner: st.st_uid,
        euid: me,
        fix: if me == 0 {
            "root".to_owned()
        } else {
            me.to_string()
        },
    })
}

/// Any other system error on `at`.
pub(crate) fn io(at: &Path, e: Errno) -> TrustError {
    TrustError::Io {
        path: at.to_owned(),
        source: e.into(),
    }
}
