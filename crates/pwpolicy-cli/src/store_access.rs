//! Which store a command uses, and opening it with the right tolerance for
//! its absence.

use anyhow::Context;
use pwpolicy::Policy;
use pwpolicy_store::{Location, OpenMode, Store, StoreError};

use crate::args::Sources;

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
    /// No store to consult; the note says why.
    Absent(String),
}

/// Opens a store for reading. A missing store is tolerated when it is the
/// default one or when `missing_ok`; a store this process may not open is
/// tolerated only when it is the default one. Anything else is an error.
pub fn open_read(choice: &StoreChoice, missing_ok: bool) -> anyhow::Result<Reading> {
    match pwpolicy_store::open(&choice.location, OpenMode::ReadOnly) {
        Ok(store) => Ok(Reading::Open(store)),
        Err(StoreError::Missing(path)) if missing_ok || !choice.explicit => {
            Ok(Reading::Absent(format!("no store at {}", path.display())))
        }
        Err(StoreError::AccessDenied(path)) if !choice.explicit => Ok(Reading::Absent(format!(
            "permission denied opening store {}",
            path.display()
        ))),
        Err(e) => Err(e).context("cannot open store"),
    }
}

/// Opens (creating if needed) a store for writing.
pub fn open_write(choice: &StoreChoice) -> anyhow::Result<Box<dyn Store>> {
    pwpolicy_store::open(&choice.location, OpenMode::ReadWrite).context("cannot open store")
}
