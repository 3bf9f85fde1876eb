//! Which backend a command uses: the local store (SQLite file or PostgreSQL)
//! or the pwpolicyd service, and opening the store with the right tolerance
//! for its absence.

use std::path::{Path, PathBuf};

use anyhow::Context;
use pwpolicy::Policy;
use pwpolicy_service::DEFAULT_SOCKET;
use pwpolicy_store::{Location, OpenMode, Store, StoreError};

use crate::args::Sources;

/// Where a command's state comes from.
pub enum Backend {
    /// The store itself.
    Local(StoreChoice),
    /// The service at this socket.
    Service(PathBuf),
}

impl Backend {
    /// `--socket`; else `--db` (local); else the policy's `[service] socket`;
    /// else its `[store] db` (local); else the service if its default socket
    /// exists; else the default store.
    pub fn from(sources: &Sources, policy: &Policy) -> Backend {
        if let Some(socket) = &sources.socket {
            return Backend::Service(socket.clone());
        }
        if sources.db.is_none() {
            if let Some(socket) = &policy.service.socket {
                return Backend::Service(PathBuf::from(socket));
            }
            if policy.store.db.is_none() && Path::new(DEFAULT_SOCKET).exists() {
                return Backend::Service(PathBuf::from(DEFAULT_SOCKET));
            }
        }
        Backend::Local(StoreChoice::from(sources, policy))
    }
}

/// The store a command will use.
pub struct StoreChoice {
    /// Where it is.
    pub location: Location,
    /// Named by `--db` or the policy file (so trouble is an error), rather
    /// than the built-in default path.
    pub explicit: bool,
}

impl StoreChoice {
    /// `--db`, else the policy's `[store] db`, else the default path.
    pub fn from(sources: &Sources, policy: &Policy) -> StoreChoice {
        match sources.db.as_deref().or(policy.store.db.as_deref()) {
            Some(db) => StoreChoice {
                location: Location::parse(db),
                explicit: true,
            },
            None => StoreChoice {
                location: Location::default_path(),
                explicit: false,
            },
        }
    }
}

/// A store opened for reading, or why there is none to read.
pub enum Reading {
    /// The store.
    Open(Box<dyn Store>),
    /// No store to consult, and why.
    Absent(Absence),
}

/// Why there is no store to read. It holds only a path, so a note about it
/// can never carry a password.
pub enum Absence {
    /// Nothing at this path yet.
    NoStore(PathBuf),
    /// This process may not open the default store.
    AccessDenied(PathBuf),
}

impl std::fmt::Display for Absence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Absence::NoStore(path) => write!(f, "no store at {}", path.display()),
            Absence::AccessDenied(path) => {
                write!(f, "permission denied opening store {}", path.display())
            }
        }
    }
}

impl Reading {
    /// The store, if there is one.
    pub fn store(&mut self) -> Option<&mut dyn Store> {
        match self {
            Reading::Open(store) => Some(&mut **store),
            Reading::Absent(_) => None,
        }
    }
}

/// Opens a store for reading. A missing store is tolerated when it is the
/// default one or when `missing_ok`; a store this process may not open is
/// tolerated only when it is the default one. Anything else is an error.
pub fn open_read(choice: &StoreChoice, missing_ok: bool) -> anyhow::Result<Reading> {
    match pwpolicy_store::open(&choice.location, OpenMode::ReadOnly) {
        Ok(store) => Ok(Reading::Open(store)),
        Err(StoreError::Missing(path)) if missing_ok || !choice.explicit => {
            Ok(Reading::Absent(Absence::NoStore(path)))
        }
        Err(StoreError::AccessDenied(path)) if !choice.explicit => {
            Ok(Reading::Absent(Absence::AccessDenied(path)))
        }
        Err(e) => Err(e).context("cannot open store"),
    }
}

/// Opens (creating if needed) a store for writing.
pub fn open_write(choice: &StoreChoice) -> anyhow::Result<Box<dyn Store>> {
    pwpolicy_store::open(&choice.location, OpenMode::ReadWrite).context("cannot open store")
}
