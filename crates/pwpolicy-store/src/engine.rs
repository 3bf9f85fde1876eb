//! Building a [`Store`] on a database.
//!
//! What a store does — validate names, make salts, convert times, choose
//! which rows each verb reads and writes and in which transaction, and the
//! change protocol — is written once, here, for every database. A database engine
//! supplies an [`Engine`]: a connection whose transactions read and write
//! rows in that database's SQL, a statement or two per method of
//! [`ChangeTx`] (what the change protocol needs) and [`StoreTx`] (what the
//! other operations need). Every `Engine` is a [`Store`].
//!
//! SQLite ([`crate::SqliteStore`]) is built this way in this crate;
//! PostgreSQL in `pwpolicy-store-postgres`.
//!
//! An engine decides nothing: it does not judge a change, check a name or
//! read the clock. Times are whole seconds since the epoch, as both databases
//! store them.

use std::fmt;

use pwpolicy::UserSalt;
use time::OffsetDateTime;

use crate::change::{new_salt, validate_user};
use crate::protocol;
pub use crate::protocol::ChangeTx;
use crate::record::{
    ChangeOutcome, PasswordChange, ReminderKey, Seed, SeedSummary, UserHistory, UserRecord, Which,
};

/// A claim on a reminder that was never marked sent is taken over after
/// this long: the run that made it died between claiming and sending.
pub const CLAIM_GOES_STALE: time::Duration = time::Duration::HOUR;
use crate::{Store, StoreError, time_from, time_to};

/// A connection to one store's database, as a database engine provides it.
pub trait Engine: Send {
    /// A transaction on this connection. Dropping it without
    /// [`ChangeTx::commit`] rolls it back (a read transaction is simply
    /// dropped).
    type Tx<'a>: StoreTx
    where
        Self: 'a;

    /// Where the store is, for messages (passwords in URLs masked).
    fn location(&self) -> String;

    /// Whether the store's schema exists. A read-only open of a fresh store
    /// has none; reads then find nobody instead of failing.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be read.
    fn has_schema(&mut self) -> Result<bool, StoreError>;

    /// Begins a transaction.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database refuses (for a writer, e.g. busy).
    fn begin(&mut self, access: Access) -> Result<Self::Tx<'_>, StoreError>;
}

/// What a transaction is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads that take no lock. They see committed data only, at least as
    /// consistently as PostgreSQL's READ COMMITTED (each statement its own
    /// snapshot); SQLite gives the whole transaction one snapshot.
    Read,
    /// Reads and writes that commit or roll back as one. A change holds the
    /// user's lock from [`ChangeTx::lock_user`] on (an engine whose write
    /// transactions exclude each other already holds it from `begin`).
    Write,
}

/// A user's row and history as stored.
pub struct StoredUser {
    /// The history salt's bytes.
    pub salt: Vec<u8>,
    /// The last change, if any.
    pub last_change: Option<i64>,
    /// Whether a change is forced.
    pub must_change: bool,
    /// The history, oldest first. Numbers grow with every entry, so a new
    /// entry shows in the newest number.
    pub history: Vec<StoredEntry>,
}

/// One history row as stored.
pub struct StoredEntry {
    /// Its sequence number.
    pub seq: i64,
    /// The password's argon2id PHC string.
    pub phc: String,
    /// Its similarity stem's PHC string, when similarity was on as it was
    /// recorded.
    pub stem: Option<String>,
}

impl fmt::Debug for StoredUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredUser")
            .field("last_change", &self.last_change)
            .field("must_change", &self.must_change)
            .field("history", &self.history.len())
            .finish_non_exhaustive()
    }
}

/// What [`Store::user`] shows of a user, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredRecord {
    /// The last change, if any.
    pub last_change: Option<i64>,
    /// Whether a change is forced.
    pub must_change: bool,
    /// When the store first recorded the user.
    pub first_seen: i64,
    /// How many history entries the user has.
    pub history_len: i64,
}

/// A user's expiry columns: the last change and the must-change flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    /// The last change, if any.
    pub last_change: Option<i64>,
    /// Whether a change is forced.
    pub must_change: bool,
}

impl Expiry {
    /// Changed at `at`, nothing forced.
    pub(crate) fn changed(at: i64) -> Expiry {
        Expiry {
            last_change: Some(at),
            must_change: false,
        }
    }
}

/// A user row to add.
#[derive(Debug, Clone, Copy)]
pub struct NewUser<'a> {
    /// Account name.
    pub name: &'a str,
    /// The user's history salt.
    pub salt: &'a UserSalt,
    /// The expiry columns it starts with.
    pub expiry: Expiry,
    /// When the store first records the user.
    pub first_seen: i64,
}

/// Which users a report or listing visits, and in what order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Users who must change, by name.
    Forced,
    /// Users who need not, whose last change is at or before this time:
    /// oldest first, then by name.
    ChangedBefore(i64),
    /// Every user who need not change: oldest change first, then by name,
    /// then those with no change recorded, by name.
    Rest,
}

/// One user a report or listing visits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueRow {
    /// Account name.
    pub name: String,
    /// The last change, if any.
    pub last_change: Option<i64>,
    /// Whether a change is forced.
    pub must_change: bool,
    /// When the store first recorded the user.
    pub first_seen: i64,
    /// How many history entries the user has.
    pub history_len: i64,
}

/// What [`StoreTx::due`] calls for each row.
pub type Visit<'v> = dyn FnMut(DueRow) -> Result<(), StoreError> + 'v;

/// The rest of a transaction: what the other store operations read and
/// write, one statement each; "whether the user was known" is whether it
/// touched a row.
pub trait StoreTx: ChangeTx {
    /// What [`Store::user`] shows of a user, or `None` for a user the store lacks.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be read.
    fn record(&mut self, name: &str) -> Result<Option<StoredRecord>, StoreError>;

    /// Visits the users `due` selects, in its order, stopping at the first
    /// error `visit` returns.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be read, or what `visit` returns.
    fn due(&mut self, due: Due, visit: &mut Visit<'_>) -> Result<(), StoreError>;

    /// Sets a known user's must-change flag, keeping the last change;
    /// whether the user was known.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn force_change(&mut self, name: &str) -> Result<bool, StoreError>;

    /// Deletes all of a user's history entries.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn forget_history(&mut self, name: &str) -> Result<(), StoreError>;

    /// Replaces a known user's salt; whether the user was known.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn set_salt(&mut self, name: &str, salt: &UserSalt) -> Result<bool, StoreError>;

    /// Deletes a user's row (their history goes first, by
    /// [`StoreTx::forget_history`]); whether the user was known.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn delete_user(&mut self, name: &str) -> Result<bool, StoreError>;

    /// Adds a claim on `key` at `now` unless one exists, or takes over a
    /// claim made before `stale` and never marked sent (its run died);
    /// whether this transaction holds the claim now.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn claim_reminder(
        &mut self,
        key: &ReminderKey<'_>,
        now: i64,
        stale: i64,
    ) -> Result<bool, StoreError>;

    /// Marks the claim on `key` sent at `now`.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn reminder_sent(&mut self, key: &ReminderKey<'_>, now: i64) -> Result<(), StoreError>;

    /// Drops the claim on `key` if it was never marked sent.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn release_reminder(&mut self, key: &ReminderKey<'_>) -> Result<(), StoreError>;

    /// Whether the reminder `key` was sent.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be read.
    fn was_reminder_sent(&mut self, key: &ReminderKey<'_>) -> Result<bool, StoreError>;

    /// Drops every reminder of a user.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    fn forget_reminders(&mut self, name: &str) -> Result<(), StoreError>;
}

/// Adds a user with `expiry`, first seen `now`, or if the store knows them
/// does `known` to them instead, in one write transaction.
fn put_user<'e, E: Engine>(
    engine: &'e mut E,
    name: &str,
    expiry: Expiry,
    now: OffsetDateTime,
    known: impl FnOnce(&mut E::Tx<'e>) -> Result<bool, StoreError>,
) -> Result<(), StoreError> {
    validate_user(name)?;
    let salt = new_salt()?;
    let mut tx = engine.begin(Access::Write)?;
    let user = NewUser {
        name,
        salt: &salt,
        expiry,
        first_seen: time_to(now),
    };
    if !tx.add_user(&user)? {
        known(&mut tx)?;
    }
    tx.commit()
}

impl<E: Engine> Store for E {
    fn describe(&self) -> String {
        self.location()
    }

    fn user(&mut self, name: &str) -> Result<Option<UserRecord>, StoreError> {
        if !self.has_schema()? {
            return Ok(None);
        }
        let location = self.location();
        let Some(stored) = self.begin(Access::Read)?.record(name)? else {
            return Ok(None);
        };
        Ok(Some(UserRecord {
            name: name.to_owned(),
            last_change: stored
                .last_change
                .map(|t| time_from(&location, t))
                .transpose()?,
            must_change: stored.must_change,
            first_seen: time_from(&location, stored.first_seen)?,
            history_len: stored.history_len as usize,
        }))
    }

    fn history(&mut self, name: &str) -> Result<Option<UserHistory>, StoreError> {
        if !self.has_schema()? {
            return Ok(None);
        }
        let location = self.location();
        self.begin(Access::Read)?
            .read_user(name)?
            .map(|stored| UserHistory::from_stored(&location, stored))
            .transpose()
    }

    fn change_password(
        &mut self,
        change: &PasswordChange<'_>,
    ) -> Result<ChangeOutcome, StoreError> {
        protocol::change_password(self, change)
    }

    fn set_changed(
        &mut self,
        name: &str,
        at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let expiry = Expiry::changed(time_to(at));
        put_user(self, name, expiry, now, |tx| tx.update_user(name, expiry))
    }

    fn expire(&mut self, name: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        let expiry = Expiry {
            last_change: None,
            must_change: true,
        };
        put_user(self, name, expiry, now, |tx| tx.force_change(name))
    }

    fn clear_history(&mut self, name: &str) -> Result<bool, StoreError> {
        let salt = new_salt()?;
        let mut tx = self.begin(Access::Write)?;
        tx.forget_history(name)?;
        // A new salt too: nothing links old and new hashes of this user.
        let known = tx.set_salt(name, &salt)?;
        tx.commit()?;
        Ok(known)
    }

    fn remove_user(&mut self, name: &str) -> Result<bool, StoreError> {
        let mut tx = self.begin(Access::Write)?;
        tx.forget_history(name)?;
        tx.forget_reminders(name)?;
        let removed = tx.delete_user(name)?;
        tx.commit()?;
        Ok(removed)
    }

    fn claim_reminder(
        &mut self,
        key: &ReminderKey<'_>,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        validate_user(key.user)?;
        let mut tx = self.begin(Access::Write)?;
        let stale = time_to(now - CLAIM_GOES_STALE);
        let claimed = tx.claim_reminder(key, time_to(now), stale)?;
        tx.commit()?;
        Ok(claimed)
    }

    fn reminder_sent(
        &mut self,
        key: &ReminderKey<'_>,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin(Access::Write)?;
        tx.reminder_sent(key, time_to(now))?;
        tx.commit()
    }

    fn release_reminder(&mut self, key: &ReminderKey<'_>) -> Result<(), StoreError> {
        let mut tx = self.begin(Access::Write)?;
        tx.release_reminder(key)?;
        tx.commit()
    }

    fn was_reminder_sent(&mut self, key: &ReminderKey<'_>) -> Result<bool, StoreError> {
        if !self.has_schema()? {
            return Ok(false);
        }
        self.begin(Access::Read)?.was_reminder_sent(key)
    }

    fn records(
        &mut self,
        which: Which,
        visit: &mut dyn FnMut(UserRecord) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if !self.has_schema()? {
            return Ok(());
        }
        let location = self.location();
        let mut row = |row: DueRow| -> Result<(), StoreError> {
            visit(UserRecord {
                name: row.name,
                last_change: row
                    .last_change
                    .map(|t| time_from(&location, t))
                    .transpose()?,
                must_change: row.must_change,
                first_seen: time_from(&location, row.first_seen)?,
                history_len: usize::try_from(row.history_len).unwrap_or(0),
            })
        };
        // One read transaction: the forced and the rest are read together.
        let mut tx = self.begin(Access::Read)?;
        tx.due(Due::Forced, &mut row)?;
        match which {
            Which::Due {
                changed_before: Some(cutoff),
            } => tx.due(Due::ChangedBefore(time_to(cutoff)), &mut row),
            Which::Due {
                changed_before: None,
            } => Ok(()),
            Which::All => tx.due(Due::Rest, &mut row),
        }
    }

    fn seed(
        &mut self,
        seeds: &[Seed],
        overwrite: bool,
        now: OffsetDateTime,
        progress: &mut dyn FnMut(usize),
    ) -> Result<SeedSummary, StoreError> {
        for seed in seeds {
            validate_user(&seed.name)?;
        }
        // In name order, the users' B-tree grows at its right edge instead
        // of at a million random pages (a stable sort: a name given twice
        // keeps its order, so the first adds and the second updates or
        // stays, as in the file).
        let mut in_order: Vec<&Seed> = seeds.iter().collect();
        in_order.sort_by(|a, b| a.name.cmp(&b.name));
        let mut tx = self.begin(Access::Write)?;
        tx.bulk()?;
        let mut summary = SeedSummary::default();
        for (done, seed) in in_order.into_iter().enumerate() {
            if done % 4096 == 0 {
                progress(done);
            }
            let expiry = Expiry {
                last_change: seed.last_change.map(time_to),
                must_change: seed.last_change.is_none(),
            };
            let salt = new_salt()?;
            let user = NewUser {
                name: &seed.name,
                salt: &salt,
                expiry,
                first_seen: time_to(now),
            };
            if tx.add_user(&user)? {
                summary.added += 1;
            } else if overwrite {
                tx.update_user(&seed.name, expiry)?;
                summary.updated += 1;
            } else {
                summary.kept += 1;
            }
        }
        progress(seeds.len());
        tx.commit()?;
        Ok(summary)
    }
}
