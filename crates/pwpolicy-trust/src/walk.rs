//! Walking a directory path from `/` by descriptor, as it is written,
//! checking each directory as it is opened, so that no link or swapped
//! directory can redirect the walk after the check.
//!
//! Every directory the path *names* is checked, not only those it resolves
//! to: a link to a trusted directory, held in a directory someone else could
//! write, is refused with that directory, because they could point it
//! elsewhere. A link met on the way is read from its (already checked)
//! directory and its target walked in turn, with the same checks (`/var/run`
//! → `/run` is fine: `/var` is root's).

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, Stat, fstat, openat, readlinkat, statat};
use rustix::io::Errno;

use crate::{TrustError, euid};

/// The sticky bit: in such a directory nobody but its owner (and root) can
/// rename or remove another user's entry.
const STICKY: u32 = 0o1000;
/// Write permission for group or others.
const GROUP_OTHER_WRITE: u32 = 0o022;
/// Links followed in one walk before giving up, as the kernel's `MAXSYMLINKS`.
const MAX_LINKS: usize = 40;

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

/// Opens `dir` one component at a time from `/` (a relative `dir` from the
/// working directory), checking every directory named on the way and every
/// directory a link on the way leads through.
pub(crate) fn walk(dir: &Path, file: &Path, last: LastDir) -> Result<CheckedDir, TrustError> {
    let mut todo: VecDeque<OsString> = VecDeque::new();
    if dir.is_relative() {
        // getcwd(3) gives the resolved path; its directories are walked too.
        let cwd = std::env::current_dir().map_err(|source| TrustError::Io {
            path: dir.to_owned(),
            source,
        })?;
        todo.extend(names(&cwd));
    }
    todo.extend(names(dir));
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let root = || openat(CWD, "/", flags, Mode::empty()).map_err(|e| io(Path::new("/"), e));
    // The open directories from `/` down to where the walk stands.
    let mut stack = vec![root()?];
    let mut at = PathBuf::from("/");
    check_dir(&stack[0], &at, file, false, last)?;
    let mut links = 0;
    while let Some(name) = todo.pop_front() {
        if name == ".." {
            if stack.len() > 1 {
                stack.pop();
                at.pop();
            }
            continue;
        }
        let here = stack.last().unwrap_or_else(|| unreachable!("never empty"));
        let next = at.join(&name);
        let st = statat(here, &name, AtFlags::SYMLINK_NOFOLLOW).map_err(|e| match e {
            Errno::NOENT => TrustError::Missing(file.to_owned()),
            Errno::ACCESS => TrustError::AccessDenied(next.clone()),
            e => io(&next, e),
        })?;
        if FileType::from_raw_mode(st.st_mode) == FileType::Symlink {
            links += 1;
            if links > MAX_LINKS {
                return Err(io(&next, Errno::LOOP));
            }
            // The link's directory is checked: nobody else can change it.
            let target = readlinkat(here, &name, Vec::new()).map_err(|e| io(&next, e))?;
            let target = Path::new(OsStr::from_bytes(target.as_bytes()));
            if target.is_absolute() {
                stack.truncate(1);
                at = PathBuf::from("/");
            }
            for (i, part) in names(target).into_iter().enumerate() {
                todo.insert(i, part);
            }
            continue;
        }
        let fd =
            openat(here, &name, flags | OFlags::NOFOLLOW, Mode::empty()).map_err(|e| match e {
                Errno::LOOP | Errno::NOTDIR | Errno::NOENT => TrustError::Changed(next.clone()),
                Errno::ACCESS => TrustError::AccessDenied(next.clone()),
                e => io(&next, e),
            })?;
        check_dir(&fd, &next, file, false, last)?;
        stack.push(fd);
        at = next;
    }
    let fd = stack.pop().unwrap_or_else(|| unreachable!("never empty"));
    // The file's own directory, held to the stricter rule for the last one.
    check_dir(&fd, &at, file, true, last)?;
    Ok(CheckedDir { fd, path: at })
}

/// The components of `path` to walk: names and `..`; `/` and `.` go.
fn names(path: &Path) -> Vec<OsString> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_owned()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .collect()
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
