//! The embedded default: one SQLite file, WAL mode, a busy timeout so that many
//! PAM processes at once wait their turn instead of failing.

use std::path::Path;
use std::time::Duration;

use pwpolicy::{HistoryEntry, UserSalt};
use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Params, Transaction, TransactionBehavior,
    params,
};

use crate::engine::{
    Access, ChangeTx, Due, DueRow, Engine, Expiry, NewUser, StoreTx, StoredEntry, StoredRecord,
    StoredUser, Visit,
};
use pwpolicy_trust::Kind;

use crate::record::ReminderKey;
use crate::{OpenMode, StoreError};

/// How long a writer waits for the lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// The files SQLite creates beside the database, by name, in its directory.
const SIBLINGS: [&str; 3] = ["-wal", "-shm", "-journal"];

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
    // 3: each entry's similarity stem, as an argon2id PHC string (never the
    // stem itself); NULL for entries recorded without similarity.
    "ALTER TABLE history ADD COLUMN stem TEXT;",
    // 4: reminders claimed and sent, once per (password, reason, step);
    // not tied to `users`: a directory's users get reminders too.
    "CREATE TABLE reminders (
         user       TEXT NOT NULL,
         cycle      INTEGER NOT NULL,
         reason     TEXT NOT NULL,
         step       INTEGER NOT NULL,
         claimed_at INTEGER NOT NULL,
         sent_at    INTEGER,
         PRIMARY KEY (user, cycle, reason, step)
     ) WITHOUT ROWID;",
    // 5: the report's index covers it again. Rows now carry first_seen,
    // which index 2 lacked, so each due row cost a lookup in the table:
    // a million-user report went from 0.25 s to 1.07 s. With name in the
    // key the order needs no sort either.
    "DROP INDEX users_by_expiry;
     CREATE INDEX users_by_expiry ON users (must_change, last_change, name, first_seen);",
];

/// The columns of a due row. The history count is an index range count
/// per row (history's key is (user, seq)); the rest come from the covering
/// index `users_by_expiry` alone (migration 5).
const DUE_COLUMNS: &str = "SELECT name, last_change, must_change, first_seen,
        (SELECT count(*) FROM history WHERE user = users.name) FROM users";

/// The filter and order of a due query, and its cutoff parameter.
fn due_filter(due: Due) -> (String, Option<i64>) {
    let (filter, cutoff) = match due {
        Due::Forced => ("WHERE must_change = 1 ORDER BY name", None),
        Due::ChangedBefore(cutoff) => (
            "WHERE must_change = 0 AND last_change <= ?1 ORDER BY last_change, name",
            Some(cutoff),
        ),
        Due::Rest => (
            "WHERE must_change = 0 ORDER BY last_change IS NULL, last_change, name",
            None,
        ),
    };
    (format!("{DUE_COLUMNS} {filter}"), cutoff)
}

/// A SQLite store.
pub struct SqliteStore {
    conn: Connection,
    /// The path, for messages.
    location: String,
}

impl SqliteStore {
    /// Opens (and for [`OpenMode::ReadWrite`], creates and migrates) the store at `path`.
    ///
    /// # Errors
    ///
    /// [`StoreError::Missing`] for a read-only open of a missing file,
    /// [`StoreError::Untrusted`] for a file others could reach or replace, and
    /// [`StoreError::Corrupt`] / [`StoreError::NewerSchema`] for a file that is
    /// not a store this build can use.
    pub fn open(path: &Path, mode: OpenMode) -> Result<SqliteStore, StoreError> {
        let write = mode == OpenMode::ReadWrite;
        if write {
            pwpolicy_trust::create_secret(path)?;
        }
        // The file, its directories and the files SQLite keeps beside it must
        // be root's (or ours) and closed to others; SQLite then opens the
        // checked, canonical path, and we make sure it opened the same file.
        // (Checked without opening the file for I/O: closing such a
        // descriptor would drop the POSIX locks SQLite's other connections in
        // this process hold on it; history was lost that way.)
        let trusted = pwpolicy_trust::verify(path, Kind::Secret, write)?;
        for sibling in SIBLINGS {
            trusted.check_sibling(sibling)?;
        }
        let flags = match mode {
            OpenMode::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE,
            OpenMode::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let location = path.display().to_string();
        let err = |e| map_err(&location, e);
        let conn = Connection::open_with_flags(trusted.path(), flags).map_err(err)?;
        trusted.still_at_path()?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        conn.execute_batch("PRAGMA foreign_keys = ON")
            .map_err(err)?;
        let mut store = SqliteStore {
            conn,
            location: location.clone(),
        };
        if mode == OpenMode::ReadWrite {
            // WAL lets readers go on while one writer commits; FULL makes a
            // committed change survive power loss, not only a crash.
            let journal: String = store
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(err)?;
            if !journal.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Database {
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

    fn err(&self, e: rusqlite::Error) -> StoreError {
        map_err(&self.location, e)
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
                location: self.location.clone(),
                found,
                supported,
            });
        }
        Ok(found)
    }

    /// Applies missing migrations, each in its own write transaction, so two
    /// processes opening a new store at once do not both create it.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let location = self.location.clone();
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
        _ => StoreError::Database {
            location: location.to_owned(),
            detail: e.to_string(),
        },
    }
}

impl Engine for SqliteStore {
    type Tx<'a> = SqliteTx<'a>;

    fn location(&self) -> String {
        self.location.clone()
    }

    fn has_schema(&mut self) -> Result<bool, StoreError> {
        Ok(self.version()? > 0)
    }

    /// A reader gets a deferred transaction (one WAL snapshot); a writer an
    /// immediate one, which holds the store's write lock from the start, so
    /// writers exclude each other here and [`ChangeTx::lock_user`] only reads.
    fn begin(&mut self, access: Access) -> Result<SqliteTx<'_>, StoreError> {
        let behavior = match access {
            Access::Read => TransactionBehavior::Deferred,
            Access::Write => TransactionBehavior::Immediate,
        };
        let tx = self
            .conn
            .transaction_with_behavior(behavior)
            .map_err(|e| map_err(&self.location, e))?;
        Ok(SqliteTx {
            tx,
            location: &self.location,
        })
    }
}

/// A transaction on a [`SqliteStore`].
pub struct SqliteTx<'a> {
    tx: Transaction<'a>,
    location: &'a str,
}

impl SqliteTx<'_> {
    fn err(&self, e: rusqlite::Error) -> StoreError {
        map_err(self.location, e)
    }

    /// Runs one statement; how many rows it changed.
    /// Runs a statement, parsed once per connection (rusqlite's statement
    /// cache): a bulk import runs the same few a million times.
    fn run(&self, sql: &str, params: impl Params) -> Result<usize, StoreError> {
        self.tx
            .prepare_cached(sql)
            .and_then(|mut statement| statement.execute(params))
            .map_err(|e| self.err(e))
    }
}

impl ChangeTx for SqliteTx<'_> {
    fn read_user(&mut self, name: &str) -> Result<Option<StoredUser>, StoreError> {
        let err = |e| map_err(self.location, e);
        let row: Option<(Vec<u8>, Option<i64>, bool)> = self
            .tx
            .query_row(
                "SELECT salt, last_change, must_change FROM users WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(err)?;
        let Some((salt, last_change, must_change)) = row else {
            return Ok(None);
        };
        let mut entries = self
            .tx
            .prepare_cached("SELECT seq, phc, stem FROM history WHERE user = ?1 ORDER BY seq")
            .map_err(err)?;
        let history = entries
            .query_map([name], |r| {
                Ok(StoredEntry {
                    seq: r.get(0)?,
                    phc: r.get(1)?,
                    stem: r.get(2)?,
                })
            })
            .and_then(Iterator::collect)
            .map_err(err)?;
        Ok(Some(StoredUser {
            salt,
            last_change,
            must_change,
            history,
        }))
    }

    fn lock_user(&mut self, user: &NewUser<'_>) -> Result<Option<StoredUser>, StoreError> {
        // The immediate transaction already holds the store's write lock.
        self.read_user(user.name)
    }

    fn add_user(&mut self, user: &NewUser<'_>) -> Result<bool, StoreError> {
        let added = self.run(
            "INSERT INTO users (name, salt, last_change, must_change, first_seen)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (name) DO NOTHING",
            params![
                user.name,
                user.salt.as_bytes().as_slice(),
                user.expiry.last_change,
                user.expiry.must_change,
                user.first_seen
            ],
        )?;
        Ok(added > 0)
    }

    /// 16 MiB of page cache (SQLite's default is 2 MiB) for the rest of
    /// this connection: a million-account import re-read its index pages
    /// from the kernel at every insert (4.2 s -> 2.2 s, +16 MiB peak). The
    /// CLI's connection ends with the command.
    fn bulk(&mut self) -> Result<(), StoreError> {
        self.tx
            .execute_batch("PRAGMA cache_size = -16384")
            .map_err(|e| self.err(e))
    }

    fn update_user(&mut self, name: &str, expiry: Expiry) -> Result<bool, StoreError> {
        let updated = self.run(
            "UPDATE users SET last_change = ?2, must_change = ?3 WHERE name = ?1",
            params![name, expiry.last_change, expiry.must_change],
        )?;
        Ok(updated > 0)
    }

    fn add_entry(
        &mut self,
        name: &str,
        entry: &HistoryEntry,
        stem: Option<&HistoryEntry>,
        at: i64,
    ) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO history (user, seq, phc, set_at, stem)
             VALUES (?1, coalesce((SELECT max(seq) FROM history WHERE user = ?1), 0) + 1, ?2, ?3, ?4)",
            params![name, entry.as_str(), at, stem.map(HistoryEntry::as_str)],
        )
        .map(drop)
    }

    fn trim_history(&mut self, name: &str, keep: usize) -> Result<(), StoreError> {
        self.run(
            "DELETE FROM history WHERE user = ?1 AND seq NOT IN
                 (SELECT seq FROM history WHERE user = ?1 ORDER BY seq DESC LIMIT ?2)",
            params![name, keep as i64],
        )
        .map(drop)
    }

    fn commit(self) -> Result<(), StoreError> {
        let location = self.location;
        self.tx.commit().map_err(|e| map_err(location, e))
    }
}

impl StoreTx for SqliteTx<'_> {
    fn record(&mut self, name: &str) -> Result<Option<StoredRecord>, StoreError> {
        self.tx
            .query_row(
                "SELECT last_change, must_change, first_seen,
                        (SELECT count(*) FROM history WHERE user = users.name)
                 FROM users WHERE name = ?1",
                [name],
                |r| {
                    Ok(StoredRecord {
                        last_change: r.get(0)?,
                        must_change: r.get(1)?,
                        first_seen: r.get(2)?,
                        history_len: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    fn due(&mut self, due: Due, visit: &mut Visit<'_>) -> Result<(), StoreError> {
        let err = |e| map_err(self.location, e);
        let (filter, cutoff) = due_filter(due);
        let mut stmt = self.tx.prepare_cached(&filter).map_err(err)?;
        // Rows stream from the index to `visit`, not through a buffer.
        let mut rows = stmt
            .query(rusqlite::params_from_iter(cutoff))
            .map_err(err)?;
        while let Some(row) = rows.next().map_err(err)? {
            visit(DueRow {
                name: row.get(0).map_err(err)?,
                last_change: row.get(1).map_err(err)?,
                must_change: row.get(2).map_err(err)?,
                first_seen: row.get(3).map_err(err)?,
                history_len: row.get(4).map_err(err)?,
            })?;
        }
        Ok(())
    }

    fn force_change(&mut self, name: &str) -> Result<bool, StoreError> {
        let updated = self.run("UPDATE users SET must_change = 1 WHERE name = ?1", [name])?;
        Ok(updated > 0)
    }

    fn forget_history(&mut self, name: &str) -> Result<(), StoreError> {
        self.run("DELETE FROM history WHERE user = ?1", [name])
            .map(drop)
    }

    fn set_salt(&mut self, name: &str, salt: &UserSalt) -> Result<bool, StoreError> {
        let updated = self.run(
            "UPDATE users SET salt = ?2 WHERE name = ?1",
            params![name, salt.as_bytes().as_slice()],
        )?;
        Ok(updated > 0)
    }

    fn claim_reminder(
        &mut self,
        key: &ReminderKey<'_>,
        now: i64,
        stale: i64,
    ) -> Result<bool, StoreError> {
        let claimed = self.run(
            "INSERT INTO reminders (user, cycle, reason, step, claimed_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (user, cycle, reason, step) DO UPDATE SET claimed_at = excluded.claimed_at
             WHERE reminders.sent_at IS NULL AND reminders.claimed_at < ?6",
            params![key.user, key.cycle, key.reason, key.step, now, stale],
        )?;
        Ok(claimed > 0)
    }

    fn reminder_sent(&mut self, key: &ReminderKey<'_>, now: i64) -> Result<(), StoreError> {
        self.run(
            "UPDATE reminders SET sent_at = ?5
             WHERE user = ?1 AND cycle = ?2 AND reason = ?3 AND step = ?4",
            params![key.user, key.cycle, key.reason, key.step, now],
        )
        .map(|_| ())
    }

    fn release_reminder(&mut self, key: &ReminderKey<'_>) -> Result<(), StoreError> {
        self.run(
            "DELETE FROM reminders
             WHERE user = ?1 AND cycle = ?2 AND reason = ?3 AND step = ?4 AND sent_at IS NULL",
            params![key.user, key.cycle, key.reason, key.step],
        )
        .map(|_| ())
    }

    fn was_reminder_sent(&mut self, key: &ReminderKey<'_>) -> Result<bool, StoreError> {
        self.tx
            .query_row(
                "SELECT 1 FROM reminders
                 WHERE user = ?1 AND cycle = ?2 AND reason = ?3 AND step = ?4
                   AND sent_at IS NOT NULL",
                params![key.user, key.cycle, key.reason, key.step],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| self.err(e))
    }

    fn forget_reminders(&mut self, name: &str) -> Result<(), StoreError> {
        self.run("DELETE FROM reminders WHERE user = ?1", [name])
            .map(|_| ())
    }

    fn delete_user(&mut self, name: &str) -> Result<bool, StoreError> {
        let removed = self.run("DELETE FROM users WHERE name = ?1", [name])?;
        Ok(removed > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Location;

    /// The report's query reads only the covering index, in its order: a
    /// column it lacks would cost a table lookup per row (a 1,000,000-user
    /// report went from 0.25 s to 1.07 s when first_seen was added).
    #[test]
    fn the_report_reads_only_its_covering_index_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join("state.db");
        drop(crate::open(&Location::Sqlite(path.clone()), OpenMode::ReadWrite).unwrap());
        let conn = Connection::open(&path).unwrap();
        let (sql, _) = due_filter(Due::ChangedBefore(0));
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map([0_i64], |row| row.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let plan = plan.join("\n");
        assert!(
            plan.contains("USING COVERING INDEX users_by_expiry"),
            "{plan}"
        );
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}
