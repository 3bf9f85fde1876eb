//! The PostgreSQL engine of pwpolicy's store, for fleets: every host's
//! store is the same database, so history and expiry follow a user from
//! host to host.
//!
//! [`PostgresStore`] is an [`Engine`](pwpolicy_store::engine::Engine), and
//! so a [`Store`]: this crate supplies the connection, the schema and the
//! SQL for each row; `pwpolicy-store` supplies what a store does with them,
//! the change protocol included, exactly as for SQLite. [`open`] opens
//! either kind of location; the CLI and pwpolicyd call it.
//!
//! What it is not: a client for login processes. The `postgres` client is
//! synchronous to its caller but runs a tokio runtime inside; neither
//! belongs in `sshd`, `login` or `su`. The PAM module depends on
//! `pwpolicy-store` alone (whose `open` refuses `postgres://` URLs,
//! pointing at pwpolicyd) and reaches a fleet's database through
//! pwpolicyd's socket.
//!
//! ```
//! use pwpolicy_store::{Location, OpenMode};
//!
//! let dir = tempfile::tempdir()?;
//! // What `--db` takes: a SQLite path, as here, or a postgres:// URL.
//! let db = dir.path().join("state.db");
//! let location = Location::Sqlite(db);
//! let mut store = pwpolicy_store_postgres::open(&location, OpenMode::ReadWrite)?;
//! assert!(store.user("erin")?.is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ```no_run
//! use pwpolicy_store::{Location, OpenMode};
//!
//! let url = "postgresql://pwpolicy@db.example/pwpolicy?sslmode=disable";
//! let store = pwpolicy_store_postgres::open(&Location::parse(url), OpenMode::ReadWrite)?;
//! println!("{}", store.describe()); // any password in the URL is masked
//! # Ok::<(), pwpolicy_store::StoreError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod postgres;

use pwpolicy_store::{Location, OpenMode, Store, StoreError};

pub use crate::postgres::{PostgresStore, PostgresTx};

/// Opens the store at `location`: a PostgreSQL URL here, a SQLite path
/// through [`pwpolicy_store::open`].
///
/// # Errors
///
/// [`StoreError`] when it cannot be reached, opened or created, or is not
/// a usable store.
pub fn open(location: &Location, mode: OpenMode) -> Result<Box<dyn Store>, StoreError> {
    match location {
        Location::Postgres(url) => Ok(Box::new(PostgresStore::connect(url, mode)?)),
        Location::Sqlite(_) => pwpolicy_store::open(location, mode),
    }
}
