//! The embedded default: one SQLite file, WAL mode, a busy timeout so that many
//! PAM processes at once wait their turn instead of failing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};
use time::OffsetDateTime;

use crate::change::{self, validate_user};
use crate::record::{
    ChangeOutcome, PasswordChange, ReportRow, Seed, SeedSummary, UserHistory, UserRecord,
};
use crate::{OpenMode, Store, StoreError, perms, time_from, time_to};

/// How long a writer waits for the lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// Schema migrations, applied in order; `PRAGMA user_version` counts how many ran.
const MIGRATIONS: &[&str] = &[
    // 1: users and their history.
    "CREATE TABLE users (
         name        TEXT PRIMARY KEY NOT NULL,
         salt        BLOB NOT NULL,
         last_change INTEGER,
         must_change INTEGER NOT NULL DEFAULT 0,
         first_seen  INTEGER NOT NULL
     ) WITHOUT ROWID;
     CREATE INDEX users_by_last_change ON users (last_change);
     CREATE TABLE history (
         user   TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
         seq    INTEGER NOT NULL,
         phc    TEXT NOT NULL,
         set_at INTEGER NOT NULL,
         PRIMARY KEY (user, seq)
     ) WITHOUT ROWID;",
    // 2: the report's index: (must_change, last_change) plus the key (name)
    // covers the expiry query, so a report of a million users reads one
    // index in order instead of looking each row up in the table.
    "DROP INDEX users_by_last_change;
     CREATE INDEX users_by_expiry ON users (must_change, last_change);",
];

/// A SQLite store.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (and for [`OpenMode::ReadWrite`], creates and migrates) the store at `path`.
    ///
    /// # Errors
    ///
    /// [`StoreError::Missing`] for a read-only open of a missing file,
    /// [`StoreError::Permissions`] for a file others can reach, and
    /// [`StoreError::Corrupt`] / [`StoreError::NewerSchema`] for a file that is
    /// not a store this build can use.
    pub fn open(path: &Path, mode: OpenMode) -> Result<SqliteStore, StoreError> {
        if mode == OpenMode::ReadWrite {
            perms::create(path)?;
        }
        perms::check(path)?;
        perms::check_access(path, mode == OpenMode::ReadWrite)?;
        let flags = match mode {
            OpenMode::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE,
            OpenMode::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let location = path.display().to_string();
        let err = |e| map_err(&location, e);
        let conn = Connection::open_with_flags(path, flags).map_err(err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        conn.execute_batch("PRAGMA foreign_keys = ON")
            .map_err(err)?;
        let mut store = SqliteStore {
            conn,
            path: path.to_owned(),
        };
        if mode == OpenMode::ReadWrite {
            // WAL lets readers go on while one writer commits; FULL makes a
            // committed change survive power loss, not only a crash.
            let journal: String = store
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(err)?;
            if !journal.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Backend {
                    location,
                    detail: format!("cannot switch to WAL mode (journal mode is {journal})"),
                });
            }
            store
                .conn
                .execute_batch("PRAGMA synchronous = FULL")
                .map_err(err)?;
            store.migrate()?;
        } else {
            store.check_version()?;
        }
        Ok(store)
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        map_err(&self.location(), e)
    }

    fn version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    fn check_version(&self) -> Result<i64, StoreError> {
        let found = self.version()?;
        let supported = MIGRATIONS.len() as i64;
        if found > supported {
            return Err(StoreError::NewerSchema {
                location: self.location(),
                found,
                supported,
            });
        }
        Ok(found)
    }

    /// Applies missing migrations, each in its own write transaction, so two
    /// processes opening a new store at once do not both create it.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let location = self.location();
        let err = |e| map_err(&location, e);
        loop {
            if self.check_version()? == MIGRATIONS.len() as i64 {
                return Ok(());
            }
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(err)?;
            let version: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(err)?;
            if let Some(sql) = usize::try_from(version)
                .ok()
                .and_then(|v| MIGRATIONS.get(v))
            {
                tx.execute_batch(sql).map_err(err)?;
                tx.execute_batch(&format!("PRAGMA user_version = {}", version + 1))
                    .map_err(err)?;
            }
            tx.commit().map_err(err)?;
        }
    }

    /// Whether the schema exists (a read-only open of a fresh file has none).
    fn has_schema(&self) -> Result<bool, StoreError> {
        Ok(self.version()? > 0)
    }
}

fn map_err(location: &str, e: rusqlite::Error) -> StoreError {
    let code = e.sqlite_error_code();
    match code {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Busy(location.to_owned())
        }
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            location: location.to_owned(),
            detail: e.to_string(),
        },
        _ => StoreError::Backend {
            location: location.to_owned(),
            detail: e.to_string(),
        },
    }
}

/// A user row as stored: salt, last change, must change.
type UserRow = (Vec<u8>, Option<i64>, bool);

fn load(conn: &Connection, name: &str) -> rusqlite::Result<Option<UserRow>> {
    conn.query_row(
        "SELECT salt, last_change, must_change FROM users WHERE name = ?1",
        [name],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
}

/// A user's PHC strings, oldest first, and the number of the newest.
fn entries(conn: &Connection, name: &str) -> rusqlite::Result<(Vec<String>, Option<i64>)> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, phc FROM history WHERE user = ?1 ORDER BY seq")?;
    let rows: Vec<(i64, String)> = stmt
        .query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let newest = rows.last().map(|(seq, _)| *seq);
    Ok((rows.into_iter().map(|(_, phc)| phc).collect(), newest))
}

fn history_from(
    location: &str,
    row: UserRow,
    phcs: Vec<String>,
) -> Result<UserHistory, StoreError> {
    let (salt, last_change, must_change) = row;
    UserHistory::from_stored(location, salt, last_change, must_change, &phcs)
}

/// Snapshot decisions tried before deciding under the write lock.
const OPTIMISTIC_TRIES: usize = 3;

/// What a change depends on: the user's salt, last change, must-change flag
/// and newest history entry (numbers only grow, so a new entry shows).
type Fingerprint = (Vec<u8>, Option<i64>, bool, Option<i64>);

/// A user's state and its fingerprint; `None` for a user the store lacks.
fn read_state(
    location: &str,
    conn: &Connection,
    user: &str,
) -> Result<Option<(UserHistory, Fingerprint)>, StoreError> {
    let err = |e| map_err(location, e);
    let Some(row) = load(conn, user).map_err(err)? else {
        return Ok(None);
    };
    let (phcs, newest) = entries(conn, user).map_err(err)?;
    let print = (row.0.clone(), row.1, row.2, newest);
    Ok(Some((history_from(location, row, phcs)?, print)))
}

/// The state of a user the store does not know yet: a fresh salt, no history.
fn new_user() -> Result<UserHistory, StoreError> {
    Ok(UserHistory {
        salt: change::new_salt()?,
        entries: Vec::new(),
        last_change: None,
        must_change: false,
    })
}

/// Writes an accepted change: the user row, the new entry, the trim.
fn write_change(
    tx: &Connection,
    change: &PasswordChange<'_>,
    state: &UserHistory,
    commit: &change::Commit,
) -> rusqlite::Result<()> {
    let now = time_to(change.now);
    let updated = tx.execute(
        "UPDATE users SET last_change = ?2, must_change = 0 WHERE name = ?1",
        params![change.user, now],
    )?;
    if updated == 0 {
        tx.execute(
            "INSERT INTO users (name, salt, last_change, must_change, first_seen)
             VALUES (?1, ?2, ?3, 0, ?3)",
            params![change.user, state.salt.as_bytes().as_slice(), now],
        )?;
    }
    if let Some(entry) = &commit.entry {
        tx.execute(
            "INSERT INTO history (user, seq, phc, set_at)
             VALUES (?1, coalesce((SELECT max(seq) FROM history WHERE user = ?1), 0) + 1, ?2, ?3)",
            params![change.user, entry.as_str(), now],
        )?;
    }
    if let Some(keep) = commit.keep {
        tx.execute(
            "DELETE FROM history WHERE user = ?1 AND seq NOT IN
                 (SELECT seq FROM history WHERE user = ?1 ORDER BY seq DESC LIMIT ?2)",
            params![change.user, keep as i64],
        )?;
    }
    Ok(())
}

impl Store for SqliteStore {
    fn describe(&self) -> String {
        self.location()
    }

    fn user(&mut self, name: &str) -> Result<Option<UserRecord>, StoreError> {
        if !self.has_schema()? {
            return Ok(None);
        }
        let location = self.location();
        let row = self
            .conn
            .query_row(
                "SELECT last_change, must_change, first_seen,
                        (SELECT count(*) FROM history WHERE user = users.name)
                 FROM users WHERE name = ?1",
                [name],
                |r| {
                    Ok((
                        r.get::<_, Option<i64>>(0)?,
                        r.get::<_, bool>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.err(e))?;
        row.map(|(last, must, first, count)| {
            Ok(UserRecord {
                name: name.to_owned(),
                last_change: last.map(|t| time_from(&location, t)).transpose()?,
                must_change: must,
                first_seen: time_from(&location, first)?,
                history_len: count as usize,
            })
        })
        .transpose()
    }

    fn history(&mut self, name: &str) -> Result<Option<UserHistory>, StoreError> {
        if !self.has_schema()? {
            return Ok(None);
        }
        let location = self.location();
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(|e| map_err(&location, e))?;
        Ok(read_state(&location, &tx, name)?.map(|(state, _)| state))
    }

    fn change_password(
        &mut self,
        change: &PasswordChange<'_>,
    ) -> Result<ChangeOutcome, StoreError> {
        validate_user(change.user)?;
        let location = self.location();
        let err = |e| map_err(&location, e);
        // The argon2 run (tens of milliseconds) happens on a snapshot,
        // outside the write lock. The write transaction re-reads the user's
        // fingerprint and writes only if nothing changed meanwhile, so
        // writers hold the lock for a millisecond, not for a hash.
        for _ in 0..OPTIMISTIC_TRIES {
            let snapshot = {
                let tx = self.conn.unchecked_transaction().map_err(err)?;
                read_state(&location, &tx, change.user)?
            };
            let (state, print) = match snapshot {
                Some((state, print)) => (state, Some(print)),
                None => (new_user()?, None),
            };
            let commit = match change::decide(&state, change)? {
                Ok(commit) => commit,
                Err(violations) => return Ok(ChangeOutcome::Rejected(violations)),
            };
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(err)?;
            if read_state(&location, &tx, change.user)?.map(|(_, p)| p) == print {
                write_change(&tx, change, &state, &commit).map_err(err)?;
                tx.commit().map_err(err)?;
                return Ok(ChangeOutcome::Changed);
            }
            // Changed under us: dropping `tx` rolls back; look again.
        }
        // Still racing: decide while holding the lock, which is always right.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let state = match read_state(&location, &tx, change.user)? {
            Some((state, _)) => state,
            None => new_user()?,
        };
        match change::decide(&state, change)? {
            Ok(commit) => {
                write_change(&tx, change, &state, &commit).map_err(err)?;
                tx.commit().map_err(err)?;
                Ok(ChangeOutcome::Changed)
            }
            Err(violations) => Ok(ChangeOutcome::Rejected(violations)),
        }
    }

    fn set_changed(
        &mut self,
        name: &str,
        at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        validate_user(name)?;
        let salt = change::new_salt()?;
        self.conn
            .execute(
                "INSERT INTO users (name, salt, last_change, must_change, first_seen)
                 VALUES (?1, ?2, ?3, 0, ?4)
                 ON CONFLICT (name) DO UPDATE SET last_change = ?3, must_change = 0",
                params![name, salt.as_bytes().as_slice(), time_to(at), time_to(now)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn expire(&mut self, name: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        validate_user(name)?;
        let salt = change::new_salt()?;
        self.conn
            .execute(
                "INSERT INTO users (name, salt, last_change, must_change, first_seen)
                 VALUES (?1, ?2, NULL, 1, ?3)
                 ON CONFLICT (name) DO UPDATE SET must_change = 1",
                params![name, salt.as_bytes().as_slice(), time_to(now)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn clear_history(&mut self, name: &str) -> Result<bool, StoreError> {
        let salt = change::new_salt()?;
        let location = self.location();
        let err = |e| map_err(&location, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        tx.execute("DELETE FROM history WHERE user = ?1", [name])
            .map_err(err)?;
        // A new salt too: nothing links old and new hashes of this user.
        let known = tx
            .execute(
                "UPDATE users SET salt = ?2 WHERE name = ?1",
                params![name, salt.as_bytes().as_slice()],
            )
            .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(known > 0)
    }

    fn remove_user(&mut self, name: &str) -> Result<bool, StoreError> {
        let location = self.location();
        let err = |e| map_err(&location, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        tx.execute("DELETE FROM history WHERE user = ?1", [name])
            .map_err(err)?;
        let removed = tx
            .execute("DELETE FROM users WHERE name = ?1", [name])
            .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(removed > 0)
    }

    fn expiring(
        &mut self,
        changed_before: Option<OffsetDateTime>,
        visit: &mut dyn FnMut(ReportRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if !self.has_schema()? {
            return Ok(());
        }
        let location = self.location();
        let err = |e| map_err(&location, e);
        let tx = self.conn.unchecked_transaction().map_err(err)?;
        let mut forced = tx
            .prepare("SELECT name, last_change FROM users WHERE must_change = 1 ORDER BY name")
            .map_err(err)?;
        let mut rows = forced.query([]).map_err(err)?;
        while let Some(row) = rows.next().map_err(err)? {
            let last: Option<i64> = row.get(1).map_err(err)?;
            visit(ReportRow {
                name: row.get(0).map_err(err)?,
                last_change: last.map(|t| time_from(&location, t)).transpose()?,
                must_change: true,
            })?;
        }
        if let Some(cutoff) = changed_before {
            let mut due = tx
                .prepare(
                    "SELECT name, last_change FROM users
                     WHERE must_change = 0 AND last_change <= ?1
                     ORDER BY last_change, name",
                )
                .map_err(err)?;
            let mut rows = due.query([time_to(cutoff)]).map_err(err)?;
            while let Some(row) = rows.next().map_err(err)? {
                visit(ReportRow {
                    name: row.get(0).map_err(err)?,
                    last_change: Some(time_from(&location, row.get(1).map_err(err)?)?),
                    must_change: false,
                })?;
            }
        }
        Ok(())
    }

    fn seed(
        &mut self,
        seeds: &[Seed],
        overwrite: bool,
        now: OffsetDateTime,
    ) -> Result<SeedSummary, StoreError> {
        for seed in seeds {
            validate_user(&seed.name)?;
        }
        let location = self.location();
        let err = |e| map_err(&location, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let mut summary = SeedSummary::default();
        for seed in seeds {
            let known = load(&tx, &seed.name).map_err(err)?.is_some();
            let (last, must) = match seed.last_change {
                Some(t) => (Some(time_to(t)), false),
                None => (None, true),
            };
            if !known {
                tx.execute(
                    "INSERT INTO users (name, salt, last_change, must_change, first_seen)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        seed.name,
                        change::new_salt()?.as_bytes().as_slice(),
                        last,
                        must,
                        time_to(now)
                    ],
                )
                .map_err(err)?;
                summary.added += 1;
            } else if overwrite {
                tx.execute(
                    "UPDATE users SET last_change = ?2, must_change = ?3 WHERE name = ?1",
                    params![seed.name, last, must],
                )
                .map_err(err)?;
                summary.updated += 1;
            } else {
                summary.kept += 1;
            }
        }
        tx.commit().map_err(err)?;
        Ok(summary)
    }
}
