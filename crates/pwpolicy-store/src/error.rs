//! The one error type of the store crate.

use std::path::PathBuf;

use thiserror::Error;

/// What can go wrong reaching or using the store. Messages name the store and
/// say what to do; none holds a password or a hash.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// There is no store at this path (and the caller asked not to create one).
    #[error("no store at {}", .0.display())]
    Missing(PathBuf),
    /// This process may not open the store (e.g. an ordinary user and a root-only file).
    #[error("permission denied opening store {}", .0.display())]
    AccessDenied(PathBuf),
    /// The store file, a file beside it or a directory on its path could be
    /// read, written or replaced by someone else: refused with the fix.
    #[error(transparent)]
    Untrusted(pwpolicy_trust::TrustError),
    /// The store file is not a database, or is damaged.
    #[error("store {location} is damaged or not a pwpolicy store: {detail}")]
    Corrupt {
        /// Where the store is.
        location: String,
        /// What the database engine said.
        detail: String,
    },
    /// The store was written by a newer pwpolicy.
    #[error(
        "store {location} has schema version {found}; this pwpolicy knows up to {supported}: upgrade pwpolicy"
    )]
    NewerSchema {
        /// Where the store is.
        location: String,
        /// The version found.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// The store stayed locked by other writers past the busy timeout.
    #[error("store {0} is busy (locked by another process): try again")]
    Busy(String),
    /// The store cannot be reached or refused the operation.
    #[error("store {location}: {detail}")]
    Database {
        /// Where the store is.
        location: String,
        /// What went wrong.
        detail: String,
    },
    /// A `postgres://` store opened by a program that has no PostgreSQL client
    /// (the PAM module): fleets reach PostgreSQL through pwpolicyd. Holds the
    /// URL with its password masked.
    #[error(
        "store {0}: PostgreSQL is reached through pwpolicyd here: run pwpolicyd on this store and use its socket (PAM: socket=)"
    )]
    PostgresNeedsService(String),
    /// A user name the store will not hold (empty, too long, control characters).
    #[error("invalid user name: {0}")]
    InvalidUser(&'static str),
    /// A stored history entry or hash could not be used.
    #[error(transparent)]
    Policy(#[from] pwpolicy::Error),
    /// The history pepper the policy names cannot be used (missing,
    /// unreadable, too open, too short). Never holds the pepper.
    #[error("history pepper {}: {reason}", .path.display())]
    Pepper {
        /// The pepper file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// No random bytes for a salt could be had from the operating system.
    #[error("cannot get random bytes for a salt: {0}")]
    Random(String),
}

impl From<pwpolicy_trust::TrustError> for StoreError {
    fn from(e: pwpolicy_trust::TrustError) -> Self {
        use pwpolicy_trust::TrustError;
        match e {
            TrustError::Missing(path) => StoreError::Missing(path),
            TrustError::AccessDenied(path) => StoreError::AccessDenied(path),
            e => StoreError::Untrusted(e),
        }
    }
}
