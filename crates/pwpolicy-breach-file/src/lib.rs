//! A breached-password set's file, memory-mapped: opened once, looked up
//! many times, and mapped again when the file at its path is replaced.
//!
//! Sets are immutable. A new one is built under a temporary name and
//! renamed over the old (`pwpolicy breach build` does exactly that, and
//! rsync and DFS-R replace files the same way), so a reader holding the old
//! map keeps a whole, consistent file until it notices the change and maps
//! the new one. Nothing here reads a page except the lookup's two.
//!
//! What it does not do: decide whether a file may be trusted (the caller
//! opens it, with its ownership rules) or decide what a failure means (the
//! caller's `on_error`).

#![deny(unsafe_code)]
#![warn(missing_docs)]

#[allow(unsafe_code)] // the one FFI module: mapping a file
mod map;

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use memmap2::Mmap;
use pwpolicy::{BreachedRules, Verdict};
use pwpolicy_breach::{BreachedSet, SetError};
use thiserror::Error;

/// A breached set's file that cannot be used. Messages name the file.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BreachFileError {
    /// The file cannot be opened, read or mapped.
    #[error("cannot read breached-password list {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The caller's rules refuse the file (e.g. root and a file others may write).
    #[error("breached-password list {}: {reason}", .path.display())]
    Untrusted {
        /// The file.
        path: PathBuf,
        /// Which rule, and the fix.
        reason: String,
    },
    /// The file is not a usable breached set.
    #[error("breached-password list {}: {source}", .path.display())]
    Unusable {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: SetError,
    },
}

/// How a caller opens the file: with its own ownership rules.
pub type Opener = fn(&Path) -> Result<File, BreachFileError>;

/// Opens `path` for reading, with no rules beyond the operating system's.
///
/// # Errors
///
/// [`BreachFileError::Read`].
pub fn open_plain(path: &Path) -> Result<File, BreachFileError> {
    File::open(path).map_err(|source| BreachFileError::Read {
        path: path.to_owned(),
        source,
    })
}

/// A mapped breached set and the file version it came from.
#[derive(Debug)]
pub struct MappedSet {
    set: BreachedSet<Mmap>,
    path: PathBuf,
    stamp: Stamp,
}

impl MappedSet {
    /// Maps the breached set at `path`, opened with `open`.
    ///
    /// # Errors
    ///
    /// [`BreachFileError`] when it cannot be opened, or is empty, truncated,
    /// of another version or damaged where opening reads.
    pub fn open(path: &Path, open: Opener) -> Result<MappedSet, BreachFileError> {
        let file = open(path)?;
        let read_error = |source| BreachFileError::Read {
            path: path.to_owned(),
            source,
        };
        let meta = file.metadata().map_err(read_error)?;
        let filter_error = |source| BreachFileError::Unusable {
            path: path.to_owned(),
            source,
        };
        if meta.len() == 0 {
            return Err(filter_error(SetError::Empty));
        }
        let bytes = map::map(&file).map_err(read_error)?;
        Ok(MappedSet {
            set: BreachedSet::open(bytes).map_err(filter_error)?,
            path: path.to_owned(),
            stamp: Stamp::of(&meta),
        })
    }

    /// The set.
    pub fn set(&self) -> &BreachedSet<Mmap> {
        &self.set
    }

    /// The path it was opened by.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Checks every byte ([`BreachedSet::verify`]), reading the file in order:
    /// the map is told to read ahead for this (lookups want no read-ahead),
    /// so a cold multi-GB filter is read at disk speed, not page by page.
    ///
    /// # Errors
    ///
    /// [`BreachFileError::Unusable`] naming the first damage found.
    pub fn verify(&self) -> Result<(), BreachFileError> {
        map::sequential(self.set.bytes(), true);
        let verified = self.set.verify().map_err(|e| self.error(e));
        map::sequential(self.set.bytes(), false);
        verified
    }

    /// Whether this filter holds every password a policy asking for
    /// `min_count` wants refused ([`pwpolicy_breach::meets`]).
    ///
    /// # Errors
    ///
    /// [`BreachFileError::Unusable`] naming the file, when it is too sparse.
    pub fn meets(&self, min_count: Option<u64>) -> Result<(), BreachFileError> {
        pwpolicy_breach::meets(self.set.header(), min_count).map_err(|e| self.error(e))
    }

    /// The policy's screening, the one every front end asks: the filter must
    /// meet `rules.min_count`, then `breached` is added to `verdict` when
    /// `password` (as typed, and with `rules.nfkc` its NFKC form) is listed.
    ///
    /// # Errors
    ///
    /// [`BreachFileError::Unusable`] naming the file, when it is too sparse or
    /// a page the lookup reads is damaged; `verdict` is then unchanged.
    pub fn screen(
        &self,
        rules: &BreachedRules,
        verdict: &mut Verdict,
        password: &str,
    ) -> Result<(), BreachFileError> {
        self.meets(rules.min_count)?;
        pwpolicy_breach::screen(verdict, &self.set, password, rules.nfkc).map_err(|e| self.error(e))
    }

    /// A lookup error, naming this file.
    pub fn error(&self, source: SetError) -> BreachFileError {
        BreachFileError::Unusable {
            path: self.path.clone(),
            source,
        }
    }
}

/// What identifies one version of a file: a replaced file has another
/// inode (or file index), and usually another time and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: {
                use std::os::unix::fs::MetadataExt;
                (meta.dev(), meta.ino())
            },
        }
    }
}

/// The breached set at a path, mapped again when the file there is replaced.
/// Each [`Watched::current`] costs one `stat`; a failed reopen is reported
/// every time, and the old map is not used in its place (a file that was
/// replaced by a broken one is an error, not yesterday's list).
#[derive(Debug)]
pub struct Watched {
    path: PathBuf,
    open: Opener,
    current: Mutex<Option<Arc<MappedSet>>>,
}

impl Watched {
    /// Watches `path`, opening it with `open` (nothing is opened yet).
    pub fn new(path: impl Into<PathBuf>, open: Opener) -> Watched {
        Watched {
            path: path.into(),
            open,
            current: Mutex::new(None),
        }
    }

    /// The path watched.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The set now at the path.
    ///
    /// # Errors
    ///
    /// [`BreachFileError`] when the file is missing or unusable.
    pub fn current(&self) -> Result<Arc<MappedSet>, BreachFileError> {
        let meta = std::fs::metadata(&self.path).map_err(|source| BreachFileError::Read {
            path: self.path.clone(),
            source,
        })?;
        let now = Stamp::of(&meta);
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(mapped) = current.as_ref().filter(|m| m.stamp == now) {
            return Ok(Arc::clone(mapped));
        }
        *current = None;
        let mapped = Arc::new(MappedSet::open(&self.path, self.open)?);
        *current = Some(Arc::clone(&mapped));
        Ok(mapped)
    }
}
