//! The one error type of the backend crate.

use std::io;
use std::path::PathBuf;

use pwpolicy_store::StoreError;
use thiserror::Error;

use crate::wire::ErrorKind;

/// What can go wrong asking a backend. No variant holds a password.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BackendError {
    /// The store could not be opened, read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The policy's breached-password list cannot be used.
    #[error(transparent)]
    Breached(#[from] pwpolicy_breach_file::BreachFileError),
    /// The service is not running or its socket cannot be reached.
    #[error("cannot reach the pwpolicy service at {}: {}", .socket.display(), unreachable(.error))]
    Unreachable {
        /// The socket.
        socket: PathBuf,
        /// Why (told in plain words, with what to do).
        error: io::Error,
    },
    /// The connection failed mid-request (e.g. the service was killed).
    #[error("the pwpolicy service at {} stopped answering: {}", .socket.display(), pwpolicy_host::plainly(.error))]
    Lost {
        /// The socket.
        socket: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// The service answered with an error.
    #[error("the pwpolicy service refused: {message}")]
    Refused {
        /// What kind of error.
        kind: ErrorKind,
        /// The service's explanation.
        message: String,
    },
    /// The answer was not a response of this protocol (or not to this request).
    #[error("the pwpolicy service sent an invalid response")]
    Protocol,
    /// The local store answers only for a named user.
    #[error("--user is required without the pwpolicy service")]
    NeedUser,
    /// A date that is not `YYYY-MM-DD` or `today`.
    #[error("{0}")]
    InvalidDate(String),
    /// The directory could not be reached, bound to or read (its error
    /// names the server and the entry, never the bind password).
    #[error(transparent)]
    Directory(Box<dyn std::error::Error + Send + Sync>),
    /// This backend does not do that (a directory answers for expiry only).
    #[error("{0}")]
    Unsupported(String),
    /// Sources given together that cannot be (a directory and a store).
    #[error("{0}")]
    Usage(String),
    /// A record for an account neither the host nor the store knows.
    #[error(
        "no account {0} on this host or in the store: check the name (pwpolicy records only accounts that exist)"
    )]
    UnknownAccount(String),
}

impl BackendError {
    /// Whether the store, the service or the breached-password list is
    /// unavailable (as opposed to a refusal or a mistake in the request):
    /// what PAM's `on_error` is about.
    pub fn is_unavailable(&self) -> bool {
        match self {
            BackendError::Store(_)
            | BackendError::Breached(_)
            | BackendError::Unreachable { .. }
            | BackendError::Lost { .. }
            | BackendError::Protocol
            | BackendError::Directory(_) => true,
            BackendError::Refused { kind, .. } => matches!(
                kind,
                ErrorKind::StoreUnavailable
                    | ErrorKind::ListUnavailable
                    | ErrorKind::Busy
                    | ErrorKind::Internal
            ),
            BackendError::NeedUser
            | BackendError::InvalidDate(_)
            | BackendError::Unsupported(_)
            | BackendError::Usage(_)
            | BackendError::UnknownAccount(_) => false,
        }
    }
}

/// Why a socket could not be reached, and what to do about it.
fn unreachable(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused => {
            "pwpolicyd is not running (no one listens on that socket): start it \
             (systemctl start pwpolicyd) or name a store with --db"
                .to_owned()
        }
        io::ErrorKind::PermissionDenied => {
            "permission denied: the socket's directory or file does not let this user in".to_owned()
        }
        _ => pwpolicy_host::plainly(e),
    }
}
