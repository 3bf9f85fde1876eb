//! Per-user password state for pwpolicy: when each password last changed,
//! whether a change is forced, and a salted argon2id history.
//!
//! One [`Store`] trait over every database. This crate holds SQLite, the
//! embedded default (`/var/lib/pwpolicy/state.db`, private permissions,
//! WAL); PostgreSQL, for fleets, is the `pwpolicy-store-postgres` crate.
//! What a store does — the rules of a change (minimum age, reuse, history
//! depth), the change protocol (decide on a snapshot, write only if the user
//! is unchanged) and every other operation — is written once, in
//! [`engine`], over the rows a database engine reads and writes; each database engine
//! supplies only its SQL. A change is checked and recorded atomically.
//!
//! What it does not do: judge the text of a password (that is
//! [`pwpolicy::Policy::check`], which the caller runs first), read the
//! clock (`now` is passed in), or talk to PostgreSQL. It parses and redacts
//! `postgres://` locations, but [`open`] refuses them with
//! [`StoreError::PostgresNeedsService`]: a program that has no PostgreSQL
//! client (the PAM module) reaches a fleet's database through pwpolicyd.
//!
//! ```
//! use pwpolicy::{Hasher, Password, Policy};
//! use pwpolicy_store::{ChangeOutcome, Location, OpenMode, PasswordChange};
//!
//! let dir = tempfile::tempdir()?;
//! let mut store = pwpolicy_store::open(&Location::Sqlite(dir.path().join("state.db")), OpenMode::ReadWrite)?;
//! let mut policy = Policy::default();
//! policy.history.memory_kib = 64; // cheap for the example
//! let hasher = Hasher::new(&policy.history, None)?;
//! let password = Password::new("Blue-Kettle-42");
//! let change = PasswordChange {
//!     user: "erin", password: &password, policy: &policy, hasher: &hasher,
//!     now: time::OffsetDateTime::now_utc(), enforce_min_age: true, allow_reuse: false,
//!     prehashed: None,
//! };
//! assert_eq!(store.change_password(&change)?, ChangeOutcome::Changed);
//! assert!(matches!(store.change_password(&change)?, ChangeOutcome::Rejected(_))); // reused
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod change;
pub mod engine;
mod error;
mod location;
mod protocol;
mod record;
mod sqlite;

use time::OffsetDateTime;

pub use change::{Reviewed, review, validate_user};
pub use error::StoreError;
pub use location::{DEFAULT_STORE_PATH, Location};
pub use record::{
    ChangeOutcome, HistoryScope, PasswordChange, ReminderKey, Seed, SeedSummary, UserHistory,
    UserRecord, Which,
};
pub use sqlite::{SqliteStore, SqliteTx};

/// How a store is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Reading only; a missing SQLite file is [`StoreError::Missing`].
    ReadOnly,
    /// Reading and writing; a missing SQLite file (and its directory) is created.
    ReadWrite,
}

/// The operations every database provides. Each is one transaction. A store
/// may move between threads (the service keeps a pool of them).
pub trait Store: Send {
    /// Where the store is, for messages (passwords in URLs masked).
    fn describe(&self) -> String;

    /// One user's record, or `None` if the store has never seen them.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be read.
    fn user(&mut self, name: &str) -> Result<Option<UserRecord>, StoreError>;

    /// One user's salt and history, for a read-only check.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be read or holds a bad entry.
    fn history(&mut self, name: &str) -> Result<Option<UserHistory>, StoreError>;

    /// Checks the change against the history (at the policy's depth) and the
    /// minimum age, and if allowed appends the new hash, trims the history,
    /// sets the last-change time and clears must-change, atomically.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be read or written; nothing is then
    /// recorded.
    fn change_password(&mut self, change: &PasswordChange<'_>)
    -> Result<ChangeOutcome, StoreError>;

    /// Sets the last-change time (like `chage -d`) and clears must-change,
    /// adding the user if unknown.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn set_changed(
        &mut self,
        name: &str,
        at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Forces a change at the next login, adding the user if unknown.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn expire(&mut self, name: &str, now: OffsetDateTime) -> Result<(), StoreError>;

    /// Forgets a user's history (and gives them a new salt). Returns whether
    /// the user was known.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn clear_history(&mut self, name: &str) -> Result<bool, StoreError>;

    /// Removes a user and their history. Returns whether the user was known.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn remove_user(&mut self, name: &str) -> Result<bool, StoreError>;

    /// Visits, streamed in one read transaction, the users who must change
    /// (by name), then the others `which` selects.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be read, or what `visit` returns.
    fn records(
        &mut self,
        which: Which,
        visit: &mut dyn FnMut(UserRecord) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// Claims the reminder `key` for this run, so that no other run (on
    /// this host or another sharing the store) sends it: `false` when it
    /// was sent, or another run holds a fresh claim. A claim never marked
    /// sent is taken over after [`engine::CLAIM_GOES_STALE`].
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn claim_reminder(
        &mut self,
        key: &ReminderKey<'_>,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Records that the claimed reminder `key` went out at `now`.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn reminder_sent(
        &mut self,
        key: &ReminderKey<'_>,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Gives up the claim on `key` (the mail could not be sent): it stays
    /// due for the next run.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn release_reminder(&mut self, key: &ReminderKey<'_>) -> Result<(), StoreError>;

    /// Whether the reminder `key` was sent (a dry run leaves those out).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be read.
    fn was_reminder_sent(&mut self, key: &ReminderKey<'_>) -> Result<bool, StoreError>;

    /// Seeds last-change dates for many users in one transaction; known users
    /// keep their state unless `overwrite`. `progress` hears how many are
    /// done, now and then (a million take seconds), and all of them before
    /// the commit.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written; nothing is then seeded.
    fn seed(
        &mut self,
        seeds: &[Seed],
        overwrite: bool,
        now: OffsetDateTime,
        progress: &mut dyn FnMut(usize),
    ) -> Result<SeedSummary, StoreError>;
}

/// Opens the store at `location`: a SQLite file. (`pwpolicy-store-postgres`
/// has the `open` that also reaches PostgreSQL.)
///
/// # Errors
///
/// [`StoreError`] when it cannot be opened, created, or is not a usable
/// store; [`StoreError::PostgresNeedsService`] for a `postgres://` URL.
pub fn open(location: &Location, mode: OpenMode) -> Result<Box<dyn Store>, StoreError> {
    match location {
        Location::Sqlite(path) => Ok(Box::new(SqliteStore::open(path, mode)?)),
        Location::Postgres(_) => Err(StoreError::PostgresNeedsService(location.to_string())),
    }
}

/// Seconds since the epoch, as both databases store time.
fn time_to(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

fn time_from(location: &str, seconds: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| StoreError::Corrupt {
        location: location.to_owned(),
        detail: format!("time {seconds} is out of range"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_url_points_at_pwpolicyd_without_its_password() {
        let location = Location::parse("postgres://pw:s3cret@db.example/pwpolicy");
        let Err(err) = open(&location, OpenMode::ReadWrite) else {
            panic!("this crate must not open a postgres:// store");
        };
        assert!(matches!(err, StoreError::PostgresNeedsService(_)), "{err}");
        let shown = format!("{err} {err:?}");
        assert!(
            shown.contains("postgres://pw:***@db.example/pwpolicy"),
            "{shown}"
        );
        assert!(shown.contains("through pwpolicyd"), "{shown}");
        assert!(shown.contains("socket="), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
