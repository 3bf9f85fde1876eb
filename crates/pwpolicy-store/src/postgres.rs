//! PostgreSQL for fleets: every login host's store is the same database, so
//! history and expiry follow a user from host to host. Synchronous (a PAM
//! module has no async runtime); each operation is one transaction, and a
//! change locks the user's row so concurrent hosts cannot both let a reused
//! password through.

use std::time::Duration;

use ::postgres::{Client, Config, GenericClient, NoTls, Row};
use pwpolicy::UserSalt;
use time::OffsetDateTime;

use crate::change::{self, validate_user};
use crate::location::Location;
use crate::record::{
    ChangeOutcome, PasswordChange, ReportRow, Seed, SeedSummary, UserHistory, UserRecord,
};
use crate::{OpenMode, Store, StoreError, time_from, time_to};

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
    /// [`StoreError::Backend`] when the server cannot be reached or refuses us,
    /// [`StoreError::NewerSchema`] for a schema from a newer pwpolicy.
    pub fn connect(url: &str, mode: OpenMode) -> Result<PostgresStore, StoreError> {
        let location = Location::Postgres(url.to_owned()).to_string();
        let mut config: Config = url.parse().map_err(|e| StoreError::Backend {
            location: location.clone(),
            detail: format!("bad connection URL: {e}"),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("pwpolicy");
        let client = config.connect(NoTls).map_err(|e| StoreError::Backend {
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

    fn err(&self, e: ::postgres::Error) -> StoreError {
        map_err(&self.location, &e)
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
    StoreError::Backend {
        location: location.to_owned(),
        detail: describe(e),
    }
}

fn get<'a, T: ::postgres::types::FromSql<'a>>(
    location: &str,
    row: &'a Row,
    i: usize,
) -> Result<T, StoreError> {
    row.try_get(i).map_err(|e| StoreError::Corrupt {
        location: location.to_owned(),
        detail: format!("unexpected column type: {e}"),
    })
}

/// Snapshot decisions tried before deciding under the row lock.
const OPTIMISTIC_TRIES: usize = 3;

/// What a change depends on: the user's salt, last change, must-change flag
/// and newest history entry (numbers only grow, so a new entry shows).
type Fingerprint = (Vec<u8>, Option<i64>, bool, Option<i64>);

/// A user's state and its fingerprint, locking the user's row when `lock`;
/// `None` for a user the store lacks.
fn read_state(
    location: &str,
    client: &mut impl GenericClient,
    name: &str,
    lock: bool,
) -> Result<Option<(UserHistory, Fingerprint)>, StoreError> {
    let sql = if lock {
        "SELECT salt, last_change, must_change FROM pwpolicy_users WHERE name = $1 FOR UPDATE"
    } else {
        "SELECT salt, last_change, must_change FROM pwpolicy_users WHERE name = $1"
    };
    let Some(row) = client
        .query_opt(sql, &[&name])
        .map_err(|e| map_err(location, &e))?
    else {
        return Ok(None);
    };
    let (salt, last, must): (Vec<u8>, Option<i64>, bool) = (
        get(location, &row, 0)?,
        get(location, &row, 1)?,
        get(location, &row, 2)?,
    );
    let rows = client
        .query(
            "SELECT seq, phc FROM pwpolicy_history WHERE user_name = $1 ORDER BY seq",
            &[&name],
        )
        .map_err(|e| map_err(location, &e))?;
    let newest = match rows.last() {
        Some(r) => Some(get::<i64>(location, r, 0)?),
        None => None,
    };
    let phcs = rows
        .iter()
        .map(|r| get::<String>(location, r, 1))
        .collect::<Result<Vec<_>, _>>()?;
    let print = (salt.clone(), last, must, newest);
    let state = UserHistory::from_stored(location, salt, last, must, &phcs)?;
    Ok(Some((state, print)))
}

/// Adds the user with `salt` unless present; whether this call added them.
fn insert_if_absent(
    tx: &mut impl GenericClient,
    user: &str,
    salt: &UserSalt,
    now: i64,
) -> Result<bool, ::postgres::Error> {
    let added = tx.execute(
        "INSERT INTO pwpolicy_users (name, salt, last_change, must_change, first_seen)
         VALUES ($1, $2, NULL, FALSE, $3) ON CONFLICT (name) DO NOTHING",
        &[&user, &salt.as_bytes().as_slice(), &now],
    )?;
    Ok(added == 1)
}

/// The state of a user the store does not know yet.
fn new_user(salt: &UserSalt) -> UserHistory {
    UserHistory {
        salt: salt.clone(),
        entries: Vec::new(),
        last_change: None,
        must_change: false,
    }
}

/// Writes an accepted change: last change, the new entry, the trim.
fn write_change(
    tx: &mut impl GenericClient,
    user: &str,
    now: i64,
    commit: &change::Commit,
) -> Result<(), ::postgres::Error> {
    tx.execute(
        "UPDATE pwpolicy_users SET last_change = $2, must_change = FALSE WHERE name = $1",
        &[&user, &now],
    )?;
    if let Some(entry) = &commit.entry {
        tx.execute(
            "INSERT INTO pwpolicy_history (user_name, seq, phc, set_at)
             VALUES ($1, coalesce((SELECT max(seq) FROM pwpolicy_history WHERE user_name = $1), 0) + 1, $2, $3)",
            &[&user, &entry.as_str(), &now],
        )?;
    }
    if let Some(keep) = commit.keep {
        tx.execute(
            "DELETE FROM pwpolicy_history WHERE user_name = $1 AND seq NOT IN
                 (SELECT seq FROM pwpolicy_history WHERE user_name = $1 ORDER BY seq DESC LIMIT $2)",
            &[&user, &(keep as i64)],
        )?;
    }
    Ok(())
}

impl Store for PostgresStore {
    fn describe(&self) -> String {
        self.location.clone()
    }

    fn user(&mut self, name: &str) -> Result<Option<UserRecord>, StoreError> {
        if !self.has_schema {
            return Ok(None);
        }
        let row = self
            .client
            .query_opt(
                "SELECT last_change, must_change, first_seen,
                        (SELECT count(*) FROM pwpolicy_history WHERE user_name = u.name)
                 FROM pwpolicy_users u WHERE name = $1",
                &[&name],
            )
            .map_err(|e| self.err(e))?;
        let Some(row) = row else { return Ok(None) };
        let loc = &self.location;
        let last: Option<i64> = get(loc, &row, 0)?;
        let count: i64 = get(loc, &row, 3)?;
        Ok(Some(UserRecord {
            name: name.to_owned(),
            last_change: last.map(|t| time_from(loc, t)).transpose()?,
            must_change: get(loc, &row, 1)?,
            first_seen: time_from(loc, get(loc, &row, 2)?)?,
            history_len: count as usize,
        }))
    }

    fn history(&mut self, name: &str) -> Result<Option<UserHistory>, StoreError> {
        if !self.has_schema {
            return Ok(None);
        }
        Ok(read_state(&self.location, &mut self.client, name, false)?.map(|(state, _)| state))
    }

    fn change_password(
        &mut self,
        change: &PasswordChange<'_>,
    ) -> Result<ChangeOutcome, StoreError> {
        validate_user(change.user)?;
        let location = self.location.clone();
        let err = |e: ::postgres::Error| map_err(&location, &e);
        let now = time_to(change.now);
        // As for SQLite: decide (the argon2 run) on a snapshot without locks,
        // then lock the user's row and write only if nothing changed. A row
        // this transaction created itself cannot have changed.
        for _ in 0..OPTIMISTIC_TRIES {
            let (state, print) = match read_state(&location, &mut self.client, change.user, false)?
            {
                Some((state, print)) => (state, Some(print)),
                None => (new_user(&change::new_salt()?), None),
            };
            let commit = match change::decide(&state, change)? {
                Ok(commit) => commit,
                Err(violations) => return Ok(ChangeOutcome::Rejected(violations)),
            };
            let mut tx = self.client.transaction().map_err(err)?;
            let created = insert_if_absent(&mut tx, change.user, &state.salt, now).map_err(err)?;
            let now_print = read_state(&location, &mut tx, change.user, true)?.map(|(_, p)| p);
            let unchanged = match print {
                Some(print) => now_print == Some(print),
                None => created,
            };
            if unchanged {
                write_change(&mut tx, change.user, now, &commit).map_err(err)?;
                tx.commit().map_err(err)?;
                return Ok(ChangeOutcome::Changed);
            }
            // Changed under us: dropping `tx` rolls back; look again.
        }
        // Still racing: decide while holding the row lock, which is always right.
        let mut tx = self.client.transaction().map_err(err)?;
        insert_if_absent(&mut tx, change.user, &change::new_salt()?, now).map_err(err)?;
        let (state, _) = read_state(&location, &mut tx, change.user, true)?.ok_or_else(|| {
            StoreError::Backend {
                location: location.clone(),
                detail: "user row vanished".into(),
            }
        })?;
        match change::decide(&state, change)? {
            Ok(commit) => {
                write_change(&mut tx, change.user, now, &commit).map_err(err)?;
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
        self.client
            .execute(
                "INSERT INTO pwpolicy_users (name, salt, last_change, must_change, first_seen)
                 VALUES ($1, $2, $3, FALSE, $4)
                 ON CONFLICT (name) DO UPDATE SET last_change = $3, must_change = FALSE",
                &[
                    &name,
                    &salt.as_bytes().as_slice(),
                    &time_to(at),
                    &time_to(now),
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn expire(&mut self, name: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        validate_user(name)?;
        let salt = change::new_salt()?;
        self.client
            .execute(
                "INSERT INTO pwpolicy_users (name, salt, last_change, must_change, first_seen)
                 VALUES ($1, $2, NULL, TRUE, $3)
                 ON CONFLICT (name) DO UPDATE SET must_change = TRUE",
                &[&name, &salt.as_bytes().as_slice(), &time_to(now)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn clear_history(&mut self, name: &str) -> Result<bool, StoreError> {
        let salt = change::new_salt()?;
        let location = self.location.clone();
        let err = |e: ::postgres::Error| map_err(&location, &e);
        let mut tx = self.client.transaction().map_err(err)?;
        tx.execute(
            "DELETE FROM pwpolicy_history WHERE user_name = $1",
            &[&name],
        )
        .map_err(err)?;
        let known = tx
            .execute(
                "UPDATE pwpolicy_users SET salt = $2 WHERE name = $1",
                &[&name, &salt.as_bytes().as_slice()],
            )
            .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(known > 0)
    }

    fn remove_user(&mut self, name: &str) -> Result<bool, StoreError> {
        let location = self.location.clone();
        let err = |e: ::postgres::Error| map_err(&location, &e);
        let mut tx = self.client.transaction().map_err(err)?;
        tx.execute(
            "DELETE FROM pwpolicy_history WHERE user_name = $1",
            &[&name],
        )
        .map_err(err)?;
        let removed = tx
            .execute("DELETE FROM pwpolicy_users WHERE name = $1", &[&name])
            .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(removed > 0)
    }

    fn expiring(
        &mut self,
        changed_before: Option<OffsetDateTime>,
        visit: &mut dyn FnMut(ReportRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if !self.has_schema {
            return Ok(());
        }
        let location = self.location.clone();
        let err = |e: ::postgres::Error| map_err(&location, &e);
        let mut tx = self
            .client
            .build_transaction()
            .read_only(true)
            .start()
            .map_err(err)?;
        for row in tx
            .query(
                "SELECT name, last_change FROM pwpolicy_users WHERE must_change ORDER BY name",
                &[],
            )
            .map_err(err)?
        {
            let last: Option<i64> = get(&location, &row, 1)?;
            visit(ReportRow {
                name: get(&location, &row, 0)?,
                last_change: last.map(|t| time_from(&location, t)).transpose()?,
                must_change: true,
            })?;
        }
        if let Some(cutoff) = changed_before {
            for row in tx
                .query(
                    "SELECT name, last_change FROM pwpolicy_users
                     WHERE NOT must_change AND last_change <= $1 ORDER BY last_change, name",
                    &[&time_to(cutoff)],
                )
                .map_err(err)?
            {
                visit(ReportRow {
                    name: get(&location, &row, 0)?,
                    last_change: Some(time_from(&location, get(&location, &row, 1)?)?),
                    must_change: false,
                })?;
            }
        }
        tx.commit().map_err(err)
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
        let location = self.location.clone();
        let err = |e: ::postgres::Error| map_err(&location, &e);
        let mut tx = self.client.transaction().map_err(err)?;
        let mut summary = SeedSummary::default();
        for seed in seeds {
            let last = seed.last_change.map(time_to);
            let must = seed.last_change.is_none();
            let salt = change::new_salt()?;
            let added = tx
                .execute(
                    "INSERT INTO pwpolicy_users (name, salt, last_change, must_change, first_seen)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
                    &[
                        &seed.name,
                        &salt.as_bytes().as_slice(),
                        &last,
                        &must,
                        &time_to(now),
                    ],
                )
                .map_err(err)?;
            if added > 0 {
                summary.added += 1;
            } else if overwrite {
                tx.execute(
                    "UPDATE pwpolicy_users SET last_change = $2, must_change = $3 WHERE name = $1",
                    &[&seed.name, &last, &must],
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
