//! The change protocol, written once for every database.
//!
//! A change costs an argon2 run per (salt, parameters) group of the history:
//! tens of milliseconds. Holding a write lock that long would queue every
//! other login on the store behind it, so the decision is made on a
//! snapshot, outside any lock; the write transaction then takes the user's
//! lock, re-reads the user's fingerprint, and writes only if nothing
//! changed meanwhile. Writers hold the lock for a millisecond, not for a
//! hash. After [`OPTIMISTIC_TRIES`] lost races the change is decided while
//! holding the lock, which is always right.

use pwpolicy::{HistoryEntry, UserSalt};

use crate::change::{self, new_salt, validate_user};
use crate::engine::{Access, Engine, Expiry, NewUser, StoredUser};
use crate::record::{ChangeOutcome, PasswordChange, UserHistory};
use crate::{StoreError, time_to};

/// Snapshot decisions tried before deciding under the lock.
const OPTIMISTIC_TRIES: usize = 3;

/// What a transaction offers the change protocol: read a user, lock them,
/// write an accepted change, commit. Each method reads or writes rows as
/// told, in a statement or two; the protocol decides.
pub trait ChangeTx {
    /// A user's row and history, or `None` for a user the store lacks.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be read.
    fn read_user(&mut self, name: &str) -> Result<Option<StoredUser>, StoreError>;

    /// In an [`Access::Write`] transaction: holds the lock that serialises
    /// writers to `user.name` until the transaction ends, and returns the user
    /// as they were before it, or `None` for a user the store lacked. An
    /// engine that locks rows may add `user` to have a row to lock (and still
    /// returns `None`: a row this transaction created cannot have changed);
    /// an engine whose write transactions exclude each other just reads.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the lock cannot be had or the store cannot be read.
    fn lock_user(&mut self, user: &NewUser<'_>) -> Result<Option<StoredUser>, StoreError>;

    /// Adds `user` unless the store has a user by that name; whether it added them.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn add_user(&mut self, user: &NewUser<'_>) -> Result<bool, StoreError>;

    /// Sets a known user's expiry columns; whether the user was known.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn update_user(&mut self, name: &str, expiry: Expiry) -> Result<bool, StoreError>;

    /// Says that this transaction writes many rows (an import), so an
    /// engine may give it more memory for the pages it touches. Nothing by
    /// default.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the engine refuses the setting.
    fn bulk(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Adds `entry` (with its similarity `stem`, if any), set at `at`, to a
    /// user's history, numbered one past their newest entry.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn add_entry(
        &mut self,
        name: &str,
        entry: &HistoryEntry,
        stem: Option<&HistoryEntry>,
        at: i64,
    ) -> Result<(), StoreError>;

    /// Keeps only a user's `keep` newest history entries.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn trim_history(&mut self, name: &str, keep: usize) -> Result<(), StoreError>;

    /// Commits the transaction.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the commit fails; nothing is then written.
    fn commit(self) -> Result<(), StoreError>;
}

/// What a change depends on: the user's salt, last change, must-change flag
/// and newest history entry.
#[derive(PartialEq, Eq)]
struct Fingerprint {
    salt: Vec<u8>,
    last_change: Option<i64>,
    must_change: bool,
    newest: Option<i64>,
}

impl Fingerprint {
    fn of(user: &StoredUser) -> Fingerprint {
        Fingerprint {
            salt: user.salt.clone(),
            last_change: user.last_change,
            must_change: user.must_change,
            newest: user.history.last().map(|entry| entry.seq),
        }
    }
}

/// The user's state to decide on: as stored, or for a user the store lacks,
/// `salt` and no history.
fn state(
    location: &str,
    stored: Option<StoredUser>,
    salt: impl FnOnce() -> Result<UserSalt, StoreError>,
) -> Result<UserHistory, StoreError> {
    match stored {
        Some(stored) => UserHistory::from_stored(location, stored),
        None => Ok(UserHistory {
            salt: salt()?,
            entries: Vec::new(),
            stems: Vec::new(),
            last_change: None,
            must_change: false,
        }),
    }
}

/// The row a change locks, for a user the store lacks: `salt`, first seen
/// now, nothing set yet (an engine that adds it to lock it adds this).
fn absent<'a>(change: &'a PasswordChange<'_>, salt: &'a UserSalt) -> NewUser<'a> {
    NewUser {
        name: change.user,
        salt,
        expiry: Expiry {
            last_change: None,
            must_change: false,
        },
        first_seen: time_to(change.now),
    }
}

/// Writes an accepted change and commits: the user's last change (adding
/// them with `salt` if the store lacks them), the new entry, the trim.
fn write<T: ChangeTx>(
    mut tx: T,
    change: &PasswordChange<'_>,
    salt: &UserSalt,
    commit: &change::Commit,
) -> Result<ChangeOutcome, StoreError> {
    let now = time_to(change.now);
    let expiry = Expiry::changed(now);
    if !tx.update_user(change.user, expiry)? {
        tx.add_user(&NewUser {
            expiry,
            ..absent(change, salt)
        })?;
    }
    if let Some(entry) = &commit.entry {
        tx.add_entry(change.user, entry, commit.stem.as_ref(), now)?;
    }
    if let Some(keep) = commit.keep {
        tx.trim_history(change.user, keep)?;
    }
    tx.commit()?;
    Ok(ChangeOutcome::Changed)
}

/// [`crate::Store::change_password`] on any engine.
pub(crate) fn change_password<E: Engine>(
    engine: &mut E,
    change: &PasswordChange<'_>,
) -> Result<ChangeOutcome, StoreError> {
    validate_user(change.user)?;
    let location = engine.location();
    for _ in 0..OPTIMISTIC_TRIES {
        let snapshot = engine.begin(Access::Read)?.read_user(change.user)?;
        let print = snapshot.as_ref().map(Fingerprint::of);
        let state = state(&location, snapshot, new_salt)?;
        let commit = match change::decide(&state, change)? {
            Ok(commit) => commit,
            Err(violations) => return Ok(ChangeOutcome::Rejected(violations)),
        };
        let mut tx = engine.begin(Access::Write)?;
        let locked = tx.lock_user(&absent(change, &state.salt))?;
        if locked.as_ref().map(Fingerprint::of) == print {
            return write(tx, change, &state.salt, &commit);
        }
        // Changed under us: dropping `tx` rolls back; look again.
    }
    // Still racing: decide while holding the lock.
    let salt = new_salt()?;
    let mut tx = engine.begin(Access::Write)?;
    let locked = tx.lock_user(&absent(change, &salt))?;
    let state = state(&location, locked, || Ok(salt.clone()))?;
    match change::decide(&state, change)? {
        Ok(commit) => write(tx, change, &state.salt, &commit),
        Err(violations) => Ok(ChangeOutcome::Rejected(violations)),
    }
}
