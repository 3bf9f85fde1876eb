//! The PostgreSQL engine: connecting, the schema and its migrations, and
//! the SQL for each row a store reads and writes. Synchronous; writers to
//! one user are serialised by that user's row lock, so concurrent hosts
//! cannot both let a reused password through.

use std::time::Duration;

use ::postgres::types::{FromSql, ToSql};
use ::postgres::{Client, Config, NoTls, Row, Transaction};
use pwpolicy::{HistoryEntry, UserSalt};
use pwpolicy_store::ReminderKey;
use pwpolicy_store::engine::{
    Access, ChangeTx, Due, DueRow, Engine, Expiry, NewUser, StoreTx, StoredEntry, StoredRecord,
    StoredUser, Visit,
};
use pwpolicy_store::{Location, OpenMode, StoreError};

/// How long to wait for a server before giving up, unless the URL says.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The advisory lock that serialises schema migrations across hosts.
const MIGRATION_LOCK: i64 = 0x7077_706f_6c69; // "pwpoli"

/// Schema migrations, applied in order; `pwpolicy_schema.version` counts them.
const MIGRATIONS: &[&str] = &[
    // 1: users and their history.
    "CREATE TABLE pwpolicy_users (
         name        TEXT PRIMARY KEY,
         salt        BYTEA NOT NULL,
         last_change BIGINT,
         must_change BOOLEAN NOT NULL DEFAULT FALSE,
         first_seen  BIGINT NOT NULL
     );
     CREATE INDEX pwpolicy_users_by_last_change ON pwpolicy_users (last_change, name);
     CREATE TABLE pwpolicy_history (
         user_name TEXT NOT NULL REFERENCES pwpolicy_users (name) ON DELETE CASCADE,
         seq       BIGINT NOT NULL,
         phc       TEXT NOT NULL,
         set_at    BIGINT NOT NULL,
         PRIMARY KEY (user_name, seq)
     );",
    // 2: an index that covers the expiry report (index-only scans).
    "DROP INDEX pwpolicy_users_by_last_change;
     CREATE INDEX pwpolicy_users_by_expiry ON pwpolicy_users (must_change, last_change, name);",
    // 3: each entry's similarity stem, as an argon2id PHC string (never the
    // stem itself); NULL for entries recorded without similarity.
    "ALTER TABLE pwpolicy_history ADD COLUMN stem TEXT;",
    // 4: reminders claimed and sent, once per (password, reason, step);
    // not tied to the users table: a directory's users get reminders too.
    "CREATE TABLE pwpolicy_reminders (
         user_name  TEXT NOT NULL,
         cycle      BIGINT NOT NULL,
         reason     TEXT NOT NULL,
         step       BIGINT NOT NULL,
         claimed_at BIGINT NOT NULL,
         sent_at    BIGINT,
         PRIMARY KEY (user_name, cycle, reason, step)
     );",
    // 5: the report's rows carry first_seen: keep them index-only scans.
    "DROP INDEX pwpolicy_users_by_expiry;
     CREATE INDEX pwpolicy_users_by_expiry ON pwpolicy_users (must_change, last_change, name)
         INCLUDE (first_seen);",
];

/// A PostgreSQL store.
pub struct PostgresStore {
    client: Client,
    location: String,
    has_schema: bool,
}

impl PostgresStore {
    /// Connects to `url` and, for [`OpenMode::ReadWrite`], creates or migrates
    /// the schema.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`] when the server cannot be reached or refuses us,
    /// [`StoreError::NewerSchema`] for a schema from a newer pwpolicy.
    pub fn connect(url: &str, mode: OpenMode) -> Result<PostgresStore, StoreError> {
        let location = Location::Postgres(url.to_owned()).to_string();
        let mut config: Config = url.parse().map_err(|e| StoreError::Database {
            location: location.clone(),
            detail: format!("bad connection URL: {e}"),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("pwpolicy");
        let client = config.connect(NoTls).map_err(|e| StoreError::Database {
            location: location.clone(),
            detail: format!("cannot connect: {}", describe(&e)),
        })?;
        let mut store = PostgresStore {
            client,
            location,
            has_schema: false,
        };
        if mode == OpenMode::ReadWrite {
            store.migrate()?;
        }
        store.has_schema = store.version()?.is_some();
        Ok(store)
    }

    /// The schema version, or `None` when no pwpolicy schema exists.
    fn version(&mut self) -> Result<Option<i64>, StoreError> {
        let exists: Option<String> = self
            .client
            .query_one("SELECT to_regclass('pwpolicy_schema')::text", &[])
            .and_then(|r| r.try_get(0))
            .map_err(|e| map_err(&self.location, &e))?;
        if exists.is_none() {
            return Ok(None);
        }
        let version: i64 = self
            .client
            .query_one(
                "SELECT coalesce(max(version), 0)::bigint FROM pwpolicy_schema",
                &[],
            )
            .and_then(|r| r.try_get(0))
            .map_err(|e| map_err(&self.location, &e))?;
        let supported = MIGRATIONS.len() as i64;
        if version > supported {
            return Err(StoreError::NewerSchema {
                location: self.location.clone(),
                found: version,
                supported,
            });
        }
        Ok(Some(version))
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let location = self.location.clone();
        let err = |e: ::postgres::Error| map_err(&location, &e);
        let mut tx = self.client.transaction().map_err(err)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(err)?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS pwpolicy_schema (version INTEGER NOT NULL)")
            .map_err(err)?;
        let version: i64 = tx
            .query_one(
                "SELECT coalesce(max(version), 0)::bigint FROM pwpolicy_schema",
                &[],
            )
            .and_then(|r| r.try_get(0))
            .map_err(err)?;
        if version > MIGRATIONS.len() as i64 {
            return Err(StoreError::NewerSchema {
                location,
                found: version,
                supported: MIGRATIONS.len() as i64,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.batch_execute(sql).map_err(err)?;
            tx.execute("DELETE FROM pwpolicy_schema", &[])
                .map_err(err)?;
            tx.execute(
                "INSERT INTO pwpolicy_schema (version) VALUES ($1)",
                &[&(i as i32 + 1)],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }
}

/// A driver error, said plainly: the server's message, or what happened to the connection.
fn describe(e: &::postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None if e.is_closed() => "the connection to the server was lost".to_owned(),
        None => e.to_string(),
    }
}

fn map_err(location: &str, e: &::postgres::Error) -> StoreError {
    StoreError::Database {
        location: location.to_owned(),
        detail: describe(e),
    }
}

fn get<'a, T: FromSql<'a>>(location: &str, row: &'a Row, i: usize) -> Result<T, StoreError> {
    row.try_get(i).map_err(|e| StoreError::Corrupt {
        location: location.to_owned(),
        detail: format!("unexpected column type: {e}"),
    })
}

impl Engine for PostgresStore {
    type Tx<'a> = PostgresTx<'a>;

    fn location(&self) -> String {
        self.location.clone()
    }

    fn has_schema(&mut self) -> Result<bool, StoreError> {
        Ok(self.has_schema)
    }

    /// A reader runs each statement on its own (READ COMMITTED, no BEGIN
    /// round trip); a writer gets a transaction.
    fn begin(&mut self, access: Access) -> Result<PostgresTx<'_>, StoreError> {
        let conn = match access {
            Access::Read => Conn::Statements(&mut self.client),
            Access::Write => Conn::Transaction(
                self.client
                    .transaction()
                    .map_err(|e| map_err(&self.location, &e))?,
            ),
        };
        Ok(PostgresTx {
            conn,
            location: &self.location,
        })
    }
}

/// A transaction on a [`PostgresStore`].
pub struct PostgresTx<'a> {
    conn: Conn<'a>,
    location: &'a str,
}

/// Where a [`PostgresTx`] sends its statements.
enum Conn<'a> {
    /// A reader's: each statement commits by itself.
    Statements(&'a mut Client),
    /// A writer's: dropped without commit, it rolls back.
    Transaction(Transaction<'a>),
}

type Params<'p> = [&'p (dyn ToSql + Sync)];

impl PostgresTx<'_> {
    fn execute(&mut self, sql: &str, params: &Params<'_>) -> Result<u64, StoreError> {
        match &mut self.conn {
            Conn::Statements(client) => client.execute(sql, params),
            Conn::Transaction(tx) => tx.execute(sql, params),
        }
        .map_err(|e| map_err(self.location, &e))
    }

    fn query(&mut self, sql: &str, params: &Params<'_>) -> Result<Vec<Row>, StoreError> {
        match &mut self.conn {
            Conn::Statements(client) => client.query(sql, params),
            Conn::Transaction(tx) => tx.query(sql, params),
        }
        .map_err(|e| map_err(self.location, &e))
    }

    /// Runs a query and hands each row to `visit` as it arrives, so a
    /// million-row report never sits in memory.
    fn query_each(
        &mut self,
        sql: &str,
        params: &Params<'_>,
        visit: &mut dyn FnMut(&Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        use postgres::fallible_iterator::FallibleIterator;
        let location = self.location;
        let params = params.iter().copied();
        let mut rows = match &mut self.conn {
            Conn::Statements(client) => client.query_raw(sql, params),
            Conn::Transaction(tx) => tx.query_raw(sql, params),
        }
        .map_err(|e| map_err(location, &e))?;
        while let Some(row) = rows.next().map_err(|e| map_err(location, &e))? {
            visit(&row)?;
        }
        Ok(())
    }

    fn query_opt(&mut self, sql: &str, params: &Params<'_>) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// A user's row (locked until the transaction ends, when `lock`) and history.
    fn user_rows(&mut self, name: &str, lock: bool) -> Result<Option<StoredUser>, StoreError> {
        let sql = if lock {
            "SELECT salt, last_change, must_change FROM pwpolicy_users WHERE name = $1 FOR UPDATE"
        } else {
            "SELECT salt, last_change, must_change FROM pwpolicy_users WHERE name = $1"
        };
        let Some(row) = self.query_opt(sql, &[&name])? else {
            return Ok(None);
        };
        let loc = self.location;
        let history = self
            .query(
                "SELECT seq, phc, stem FROM pwpolicy_history WHERE user_name = $1 ORDER BY seq",
                &[&name],
            )?
            .iter()
            .map(|r| {
                Ok(StoredEntry {
                    seq: get(loc, r, 0)?,
                    phc: get(loc, r, 1)?,
                    stem: get(loc, r, 2)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Some(StoredUser {
            salt: get(loc, &row, 0)?,
            last_change: get(loc, &row, 1)?,
            must_change: get(loc, &row, 2)?,
            history,
        }))
    }
}

impl ChangeTx for PostgresTx<'_> {
    fn read_user(&mut self, name: &str) -> Result<Option<StoredUser>, StoreError> {
        self.user_rows(name, false)
    }

    /// Locks the user's row, adding `user` first if there is none: a row
    /// this transaction added is locked by the insert and cannot have
    /// changed. A row deleted between the insert and the lock is added again.
    fn lock_user(&mut self, user: &NewUser<'_>) -> Result<Option<StoredUser>, StoreError> {
        for _ in 0..2 {
            if self.add_user(user)? {
                return Ok(None);
            }
            if let Some(found) = self.user_rows(user.name, true)? {
                return Ok(Some(found));
            }
        }
        Err(StoreError::Database {
            location: self.location.to_owned(),
            detail: "user row vanished".into(),
        })
    }

    fn add_user(&mut self, user: &NewUser<'_>) -> Result<bool, StoreError> {
        let added = self.execute(
            "INSERT INTO pwpolicy_users (name, salt, last_change, must_change, first_seen)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
            &[
                &user.name,
                &user.salt.as_bytes().as_slice(),
                &user.expiry.last_change,
                &user.expiry.must_change,
                &user.first_seen,
            ],
        )?;
        Ok(added == 1)
    }

    fn update_user(&mut self, name: &str, expiry: Expiry) -> Result<bool, StoreError> {
        let updated = self.execute(
            "UPDATE pwpolicy_users SET last_change = $2, must_change = $3 WHERE name = $1",
            &[&name, &expiry.last_change, &expiry.must_change],
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
        self.execute(
            "INSERT INTO pwpolicy_history (user_name, seq, phc, set_at, stem)
             VALUES ($1, coalesce((SELECT max(seq) FROM pwpolicy_history WHERE user_name = $1), 0) + 1, $2, $3, $4)",
            &[&name, &entry.as_str(), &at, &stem.map(HistoryEntry::as_str)],
        )?;
        Ok(())
    }

    fn trim_history(&mut self, name: &str, keep: usize) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM pwpolicy_history WHERE user_name = $1 AND seq NOT IN
                 (SELECT seq FROM pwpolicy_history WHERE user_name = $1 ORDER BY seq DESC LIMIT $2)",
            &[&name, &(keep as i64)],
        )?;
        Ok(())
    }

    fn commit(self) -> Result<(), StoreError> {
        match self.conn {
            Conn::Statements(_) => Ok(()),
            Conn::Transaction(tx) => tx.commit().map_err(|e| map_err(self.location, &e)),
        }
    }
}

impl StoreTx for PostgresTx<'_> {
    fn record(&mut self, name: &str) -> Result<Option<StoredRecord>, StoreError> {
        let Some(row) = self.query_opt(
            "SELECT last_change, must_change, first_seen,
                    (SELECT count(*) FROM pwpolicy_history WHERE user_name = u.name)
             FROM pwpolicy_users u WHERE name = $1",
            &[&name],
        )?
        else {
            return Ok(None);
        };
        let loc = self.location;
        Ok(Some(StoredRecord {
            last_change: get(loc, &row, 0)?,
            must_change: get(loc, &row, 1)?,
            first_seen: get(loc, &row, 2)?,
            history_len: get(loc, &row, 3)?,
        }))
    }

    fn due(&mut self, due: Due, visit: &mut Visit<'_>) -> Result<(), StoreError> {
        let location = self.location;
        let mut each = |row: &Row| {
            visit(DueRow {
                name: get(location, row, 0)?,
                last_change: get(location, row, 1)?,
                must_change: get(location, row, 2)?,
                first_seen: get(location, row, 3)?,
                history_len: get(location, row, 4)?,
            })
        };
        const COLUMNS: &str = "SELECT name, last_change, must_change, first_seen,
                (SELECT count(*) FROM pwpolicy_history WHERE user_name = u.name)
             FROM pwpolicy_users u";
        match due {
            Due::Forced => self.query_each(
                &format!("{COLUMNS} WHERE must_change ORDER BY name"),
                &[],
                &mut each,
            ),
            Due::ChangedBefore(cutoff) => self.query_each(
                &format!(
                    "{COLUMNS} WHERE NOT must_change AND last_change <= $1 \
                     ORDER BY last_change, name"
                ),
                &[&cutoff],
                &mut each,
            ),
            Due::Rest => self.query_each(
                &format!(
                    "{COLUMNS} WHERE NOT must_change \
                     ORDER BY last_change IS NULL, last_change, name"
                ),
                &[],
                &mut each,
            ),
        }
    }

    fn force_change(&mut self, name: &str) -> Result<bool, StoreError> {
        let updated = self.execute(
            "UPDATE pwpolicy_users SET must_change = TRUE WHERE name = $1",
            &[&name],
        )?;
        Ok(updated > 0)
    }

    fn forget_history(&mut self, name: &str) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM pwpolicy_history WHERE user_name = $1",
            &[&name],
        )?;
        Ok(())
    }

    fn set_salt(&mut self, name: &str, salt: &UserSalt) -> Result<bool, StoreError> {
        let updated = self.execute(
            "UPDATE pwpolicy_users SET salt = $2 WHERE name = $1",
            &[&name, &salt.as_bytes().as_slice()],
        )?;
        Ok(updated > 0)
    }

    fn claim_reminder(
        &mut self,
        key: &ReminderKey<'_>,
        now: i64,
        stale: i64,
    ) -> Result<bool, StoreError> {
        let step = i64::from(key.step);
        let claimed = self.execute(
            "INSERT INTO pwpolicy_reminders (user_name, cycle, reason, step, claimed_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (user_name, cycle, reason, step)
             DO UPDATE SET claimed_at = EXCLUDED.claimed_at
             WHERE pwpolicy_reminders.sent_at IS NULL AND pwpolicy_reminders.claimed_at < $6",
            &[&key.user, &key.cycle, &key.reason, &step, &now, &stale],
        )?;
        Ok(claimed > 0)
    }

    fn reminder_sent(&mut self, key: &ReminderKey<'_>, now: i64) -> Result<(), StoreError> {
        let step = i64::from(key.step);
        self.execute(
            "UPDATE pwpolicy_reminders SET sent_at = $5
             WHERE user_name = $1 AND cycle = $2 AND reason = $3 AND step = $4",
            &[&key.user, &key.cycle, &key.reason, &step, &now],
        )?;
        Ok(())
    }

    fn release_reminder(&mut self, key: &ReminderKey<'_>) -> Result<(), StoreError> {
        let step = i64::from(key.step);
        self.execute(
            "DELETE FROM pwpolicy_reminders
             WHERE user_name = $1 AND cycle = $2 AND reason = $3 AND step = $4
               AND sent_at IS NULL",
            &[&key.user, &key.cycle, &key.reason, &step],
        )?;
        Ok(())
    }

    fn was_reminder_sent(&mut self, key: &ReminderKey<'_>) -> Result<bool, StoreError> {
        let step = i64::from(key.step);
        Ok(self
            .query_opt(
                "SELECT 1 FROM pwpolicy_reminders
                 WHERE user_name = $1 AND cycle = $2 AND reason = $3 AND step = $4
                   AND sent_at IS NOT NULL",
                &[&key.user, &key.cycle, &key.reason, &step],
            )?
            .is_some())
    }

    fn forget_reminders(&mut self, name: &str) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM pwpolicy_reminders WHERE user_name = $1",
            &[&name],
        )?;
        Ok(())
    }

    fn delete_user(&mut self, name: &str) -> Result<bool, StoreError> {
        let removed = self.execute("DELETE FROM pwpolicy_users WHERE name = $1", &[&name])?;
        Ok(removed > 0)
    }
}
