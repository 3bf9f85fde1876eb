//! Why a file was not trusted, with the command that fixes it.

use std::path::PathBuf;

use thiserror::Error;

/// A file (or a directory on its way) that pwpolicy will not use. Each message
/// names the path and, where one exists, the `chown`/`chmod` to run: pwpolicy
/// refuses rather than repairing silently.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TrustError {
    /// The file does not exist.
    #[error("{} does not exist", .0.display())]
    Missing(PathBuf),
    /// This process may not open the file.
    #[error("permission denied opening {}", .0.display())]
    AccessDenied(PathBuf),
    /// The file itself is a symbolic link: it is never followed, so that a
    /// link planted in its place cannot point root at another file.
    #[error("refusing {}: it is a symbolic link; name the file it points to instead", .0.display())]
    Symlink(PathBuf),
    /// Not a regular file (a directory, FIFO, device or socket).
    #[error("refusing {}: not a regular file", .0.display())]
    NotRegular(PathBuf),
    /// Something other than a socket where a socket is to be made: it is
    /// not removed, since only a stale socket of ours may be.
    #[error("refusing {}: it exists and is not a socket; remove it if it is stale", .0.display())]
    NotASocket(PathBuf),
    /// Owned by someone other than root and this process's user, who could
    /// rewrite it or, for a directory, swap what it holds.
    #[error(
        "refusing {}: {what} is owned by uid {owner}, not by root{}; run `chown {fix} {}`",
        .path.display(),
        if *.euid == 0 { String::new() } else { format!(" or uid {}", .euid) },
        .path.display()
    )]
    Owner {
        /// The file or directory at fault.
        path: PathBuf,
        /// "the file" or "a directory on its path".
        what: &'static str,
        /// Its owner.
        owner: u32,
        /// This process's effective uid.
        euid: u32,
        /// The owner to give it (`root` or the euid).
        fix: String,
    },
    /// Group or others may read or write the file, or write a directory on its path.
    #[error(
        "refusing {}: {what} is {reach} by group or others (mode {mode:04o}); run `chmod {fix:o} {}`",
        .path.display(),
        .path.display()
    )]
    Mode {
        /// The file or directory at fault.
        path: PathBuf,
        /// "the file", "its directory" or "a directory on its path".
        what: &'static str,
        /// "accessible" or "writable".
        reach: &'static str,
        /// Its permission bits.
        mode: u32,
        /// The mode to set.
        fix: u32,
    },
    /// A store file whose own directory others may write, even if sticky (like
    /// /tmp): they could plant the files SQLite creates beside it.
    #[error(
        "refusing {}: its directory {} is writable by others (mode {mode:04o}); keep the store in a directory of its own, e.g. `mkdir -m 700 DIR`",
        .path.display(),
        .dir.display()
    )]
    SharedDirectory {
        /// The file.
        path: PathBuf,
        /// Its directory.
        dir: PathBuf,
        /// The directory's permission bits.
        mode: u32,
    },
    /// A path component changed between resolving and checking it (a race, or
    /// a directory replaced by a link): nothing was opened.
    #[error("refusing {}: the path changed while it was being checked; try again", .0.display())]
    Changed(PathBuf),
    /// The file (or its directory) could not be created.
    #[error("cannot create {}: {source}", .path.display())]
    Create {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The path has no file name (`/`, `..`, empty).
    #[error("{}: not a file path", .0.display())]
    NotAFile(PathBuf),
    /// Any other I/O failure.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}
