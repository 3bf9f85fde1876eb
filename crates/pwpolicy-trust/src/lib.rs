//! Whether pwpolicy may trust a file it reads or writes as root: the password
//! history store, the files SQLite keeps beside it, the policy file and
//! lists. One set of rules, in the spirit of sshd's `StrictModes`:
//!
//! - the file is opened without following a link in its place, relative to a
//!   directory reached from `/` one descriptor at a time, and judged by
//!   `fstat` on what was opened — never by a path looked up again;
//! - the file and every directory above it are owned by root or by this
//!   process's user;
//! - no directory above it is writable by group or others, except a sticky
//!   one such as `/tmp` (nobody can rename or remove an entry there that they
//!   do not own); a store's *own* directory may not be writable by others even
//!   if sticky, because SQLite creates `-wal`/`-shm` files there by name;
//! - a [`Kind::Secret`] file is reachable by nobody else at all; a
//!   [`Kind::Config`] file may be read by all but written by nobody else.
//!
//! A file that breaks a rule is refused with the `chown`/`chmod` that fixes
//! it; nothing is repaired silently.
//!
//! ```
//! use std::os::unix::fs::PermissionsExt;
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("state.db");
//! pwpolicy_trust::create_secret(&path)?;
//! pwpolicy_trust::verify(&path, pwpolicy_trust::Kind::Secret, true)?;
//! std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))?;
//! let err = pwpolicy_trust::verify(&path, pwpolicy_trust::Kind::Secret, false).unwrap_err();
//! assert!(err.to_string().contains("chmod 600"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

mod error;
mod walk;

use std::ffi::OsStr;
use std::fs::{DirBuilder, File};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use rustix::fs::{Access, AtFlags, CWD, FileType, Mode, OFlags, accessat, fstat, openat, statat};
use rustix::io::Errno;

pub use error::TrustError;
use walk::{CheckedDir, LastDir, io, owner_ok, walk};

/// Mode of a new secret file.
const SECRET_FILE_MODE: u32 = 0o600;
/// Mode of a new directory for secrets.
const SECRET_DIR_MODE: u32 = 0o700;

/// What a file holds, which decides who else may reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Password history: only its owner may read or write it, and its own
    /// directory is writable by nobody else, sticky or not.
    Secret,
    /// Settings and lists (the policy file, a breached list): anyone may read
    /// it, only its owner may write it, and a sticky directory may hold it.
    Config,
}

/// A file that passed the rules, open, to read from.
#[derive(Debug)]
pub struct TrustedFile {
    file: File,
    verified: Verified,
}

impl TrustedFile {
    /// The canonical path it was reached by.
    pub fn path(&self) -> &Path {
        self.verified.path()
    }

    /// The open file.
    pub fn into_file(self) -> File {
        self.file
    }
}

/// A file that passed the rules and its canonical path (hand that path, not
/// the one given, to whatever opens the file by name), with its directory
/// still open to check the files beside it.
#[derive(Debug)]
pub struct Verified {
    dir: std::os::fd::OwnedFd,
    path: PathBuf,
    kind: Kind,
    /// Device and inode of the file that was checked.
    id: (u64, u64),
}

impl Verified {
    /// The canonical path: the checked directories and the file's name.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Checks a file beside this one, if it exists, by the same rules (SQLite's
    /// `-wal`, `-shm` and `-journal`): a stray one planted or loosened by
    /// someone else is refused before the database engine opens it.
    ///
    /// # Errors
    ///
    /// [`TrustError`] naming the sibling and its fix.
    pub fn check_sibling(&self, suffix: &str) -> Result<(), TrustError> {
        let mut name = self
            .path
            .file_name()
            .map(OsStr::to_owned)
            .unwrap_or_default();
        name.push(suffix);
        let at = self.path.with_file_name(&name);
        match statat(&self.dir, &name, AtFlags::SYMLINK_NOFOLLOW) {
            Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(io(&at, e)),
            Ok(st) => judge_file(&st, &at, self.kind),
        }
    }

    /// Whether the canonical path still names the file that was checked,
    /// after another opener (SQLite) opened it by name.
    ///
    /// # Errors
    ///
    /// [`TrustError::Changed`] if it names another file now.
    pub fn still_at_path(&self) -> Result<(), TrustError> {
        let now = statat(CWD, &self.path, AtFlags::SYMLINK_NOFOLLOW)
            .map_err(|_| TrustError::Changed(self.path.clone()))?;
        if (now.st_dev, now.st_ino) == self.id {
            Ok(())
        } else {
            Err(TrustError::Changed(self.path.clone()))
        }
    }
}

/// Opens `path` for reading if it passes the rules for `kind`.
///
/// # Errors
///
/// [`TrustError`] for a missing, unreadable, linked, misowned or too-open
/// file or directory on its path.
pub fn open(path: &Path, kind: Kind) -> Result<TrustedFile, TrustError> {
    let (dir, name) = split(path)?;
    let checked = walk(dir, path, last_dir(kind))?;
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NOCTTY;
    // NONBLOCK: a FIFO planted in the file's place must not hang the open.
    let fd = openat(&checked.fd, name, flags | OFlags::NONBLOCK, Mode::empty())
        .map_err(|e| open_error(path, e))?;
    let verified = judge(checked, name, &fd, kind)?;
    Ok(TrustedFile {
        file: File::from(fd),
        verified,
    })
}

/// Checks `path` by the rules for `kind`, and that this process may read
/// (and write) it, without opening it for reading or writing: for a file
/// another opener (SQLite) opens by name. Only an `O_PATH` descriptor is
/// taken, because closing a real one would drop every POSIX lock this
/// process holds on the file — SQLite's, that keep other processes from
/// checkpointing or recovering under it.
///
/// # Errors
///
/// As [`open`].
pub fn verify(path: &Path, kind: Kind, write: bool) -> Result<Verified, TrustError> {
    let (dir, name) = split(path)?;
    let checked = walk(dir, path, last_dir(kind))?;
    let flags = OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = openat(&checked.fd, name, flags, Mode::empty()).map_err(|e| open_error(path, e))?;
    let access = if write {
        Access::READ_OK | Access::WRITE_OK
    } else {
        Access::READ_OK
    };
    accessat(
        &checked.fd,
        name,
        access,
        AtFlags::EACCESS | AtFlags::SYMLINK_NOFOLLOW,
    )
    .map_err(|e| open_error(path, e))?;
    judge(checked, name, &fd, kind)
}

/// Creates a secret file (0600) and any missing directories (0700) if the
/// file does not exist yet; the modes are set at creation (and the umask can
/// only narrow them), never by a `chmod` afterwards. The file is created in
/// the directory only after the directory passed the rules.
///
/// # Errors
///
/// [`TrustError`] if a directory cannot be made or fails the rules.
pub fn create_secret(path: &Path) -> Result<(), TrustError> {
    let (dir, name) = split(path)?;
    DirBuilder::new()
        .recursive(true)
        .mode(SECRET_DIR_MODE)
        .create(dir)
        .map_err(|source| TrustError::Create {
            path: path.to_owned(),
            source,
        })?;
    let checked = walk(dir, path, LastDir::Private)?;
    let flags = OFlags::CREATE
        | OFlags::EXCL
        | OFlags::RDWR
        | OFlags::NOFOLLOW
        | OFlags::CLOEXEC
        | OFlags::NOCTTY;
    match openat(
        &checked.fd,
        name,
        flags,
        Mode::from_raw_mode(SECRET_FILE_MODE),
    ) {
        Ok(_) | Err(Errno::EXIST) => Ok(()),
        Err(Errno::LOOP) => Err(TrustError::Symlink(path.to_owned())),
        Err(e) => Err(TrustError::Create {
            path: path.to_owned(),
            source: e.into(),
        }),
    }
}

/// Checks that `dir` may hold a file that others must not plant or replace
/// (pwpolicyd's socket): it and every directory above it are root's or ours,
/// and it is writable by nobody else, sticky or not. Returns its canonical
/// path.
///
/// # Errors
///
/// [`TrustError`] naming the directory at fault and the fix.
pub fn verify_dir(dir: &Path) -> Result<PathBuf, TrustError> {
    Ok(walk(dir, dir, LastDir::Private)?.path)
}

/// Whether `path` is a Unix socket owned by root or this process's user
/// (`Ok(false)` if nothing is there): only such a file may be removed as a
/// stale socket.
///
/// # Errors
///
/// [`TrustError`] for anything else at `path`: a file, a link, someone
/// else's socket.
pub fn is_own_socket(path: &Path) -> Result<bool, TrustError> {
    match statat(CWD, path, AtFlags::SYMLINK_NOFOLLOW) {
        Err(Errno::NOENT) => Ok(false),
        Err(e) => Err(io(path, e)),
        Ok(st) => match FileType::from_raw_mode(st.st_mode) {
            FileType::Socket => owner_ok(&st, path, "the socket").map(|()| true),
            FileType::Symlink => Err(TrustError::Symlink(path.to_owned())),
            _ => Err(TrustError::NotASocket(path.to_owned())),
        },
    }
}

/// The effective uid of this process: the rules allow files of root and of it.
pub fn euid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Splits `path` into its directory (`.` if none) and file name.
///
/// # Errors
///
/// [`TrustError::NotAFile`] for a path with no file name.
pub fn split(path: &Path) -> Result<(&Path, &OsStr), TrustError> {
    let name = path
        .file_name()
        .ok_or_else(|| TrustError::NotAFile(path.to_owned()))?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok((dir, name))
}

fn last_dir(kind: Kind) -> LastDir {
    match kind {
        Kind::Secret => LastDir::Private,
        Kind::Config => LastDir::StickyOk,
    }
}

/// Judges the file open at `fd` (a link opened with `O_PATH|O_NOFOLLOW` is
/// the link itself, and refused here).
fn judge(
    dir: CheckedDir,
    name: &OsStr,
    fd: &std::os::fd::OwnedFd,
    kind: Kind,
) -> Result<Verified, TrustError> {
    let path = dir.path.join(name);
    let st = fstat(fd).map_err(|e| io(&path, e))?;
    judge_file(&st, &path, kind)?;
    Ok(Verified {
        dir: dir.fd,
        path,
        kind,
        id: (st.st_dev, st.st_ino),
    })
}

/// A file: regular, owned by root or us, and closed to others as `kind` says.
fn judge_file(st: &rustix::fs::Stat, at: &Path, kind: Kind) -> Result<(), TrustError> {
    match FileType::from_raw_mode(st.st_mode) {
        FileType::RegularFile => {}
        FileType::Symlink => return Err(TrustError::Symlink(at.to_owned())),
        _ => return Err(TrustError::NotRegular(at.to_owned())),
    }
    owner_ok(st, at, "the file")?;
    let mode = st.st_mode & 0o7777;
    let (forbidden, reach, fix) = match kind {
        Kind::Secret => (0o077, "accessible", SECRET_FILE_MODE),
        Kind::Config => (0o022, "writable", mode & !0o022 & 0o777),
    };
    if mode & forbidden != 0 {
        return Err(TrustError::Mode {
            path: at.to_owned(),
            what: "the file",
            reach,
            mode,
            fix,
        });
    }
    Ok(())
}

fn open_error(path: &Path, e: Errno) -> TrustError {
    match e {
        Errno::LOOP => TrustError::Symlink(path.to_owned()),
        Errno::NOENT => TrustError::Missing(path.to_owned()),
        Errno::ACCESS | Errno::PERM => TrustError::AccessDenied(path.to_owned()),
        Errno::ISDIR | Errno::NXIO => TrustError::NotRegular(path.to_owned()),
        e => io(path, e),
    }
}

#[cfg(test)]
mod tests;
