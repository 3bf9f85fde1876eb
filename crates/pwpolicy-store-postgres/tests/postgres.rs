//! The store suite on a real PostgreSQL server, plus what only a network
//! store can get wrong: a connection that dies mid-change, a server that is
//! not there.
//!
//! `scripts/test.sh` starts a throwaway server and sets `PWPOLICY_TEST_PG_URL`;
//! each test gets its own database on it. Without the variable these tests
//! print `SKIPPED` and return, except under CI (`CI` set), where they fail:
//! a skipped test is never a pass there.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "../../pwpolicy-store/tests/suite/mod.rs"]
mod suite;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pwpolicy_store::{ChangeOutcome, Location, OpenMode, Store, StoreError};
use suite::try_change as change;

const URL_VAR: &str = "PWPOLICY_TEST_PG_URL";

struct PgFixture {
    url: String,
}

/// A fresh database on the test server, or `None` (with a loud note) when
/// there is no server outside CI.
fn fixture() -> Option<PgFixture> {
    let Ok(base) = std::env::var(URL_VAR) else {
        pwpolicy_require::skip(
            "the PostgreSQL store suite",
            &format!(
                "{URL_VAR} is not set (scripts/test.sh starts a server, as does scripts/pg-test-server.sh start DIR)"
            ),
        );
        return None;
    };
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "pwtest_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    Some(PgFixture {
        url: base.replacen("/postgres?", &format!("/{name}?"), 1),
    })
}

impl suite::Fixture for PgFixture {
    fn open(&self) -> Box<dyn Store> {
        pwpolicy_store_postgres::open(&Location::Postgres(self.url.clone()), OpenMode::ReadWrite)
            .unwrap()
    }
}

store_suite!(fixture());

#[test]
fn a_connection_killed_mid_change_gives_an_error_and_writes_nothing() {
    let Some(f) = fixture() else { return };
    let mut store = suite::Fixture::open(&f);
    assert_eq!(
        change(&mut *store, "erin", "Pass-A-1").unwrap(),
        ChangeOutcome::Changed
    );
    let before = store.user("erin").unwrap();

    // Another session holds erin's row, so our change blocks inside its transaction.
    let mut blocker = postgres::Client::connect(&f.url, postgres::NoTls).unwrap();
    let mut tx = blocker.transaction().unwrap();
    tx.execute(
        "SELECT 1 FROM pwpolicy_users WHERE name = 'erin' FOR UPDATE",
        &[],
    )
    .unwrap();

    let url = f.url.clone();
    let changer = std::thread::spawn(move || {
        let mut store =
            pwpolicy_store_postgres::open(&Location::Postgres(url), OpenMode::ReadWrite).unwrap();
        change(&mut *store, "erin", "Pass-B-2")
    });
    // Wait until the change is waiting on the lock, then kill its connection.
    let mut killed = 0;
    for _ in 0..200 {
        std::thread::sleep(Duration::from_millis(25));
        killed = tx
            .query_one(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE application_name = 'pwpolicy' AND wait_event_type = 'Lock'",
                &[],
            )
            .unwrap()
            .get::<_, i64>(0);
        if killed > 0 {
            break;
        }
    }
    assert_eq!(killed, 1, "the change never blocked on the row lock");
    tx.rollback().unwrap();
    let err = changer.join().unwrap().unwrap_err();
    assert!(matches!(err, StoreError::Database { .. }), "{err}");
    let shown = err.to_string();
    assert!(
        shown.contains("pwpolicy") || shown.contains("connection") || shown.contains("terminat"),
        "{shown}"
    );
    assert_eq!(
        store.user("erin").unwrap(),
        before,
        "a killed change must write nothing"
    );
    // And the password it tried is not in the history.
    assert_eq!(
        change(&mut *store, "erin", "Pass-B-2").unwrap(),
        ChangeOutcome::Changed
    );
}

#[test]
fn a_server_that_is_not_there_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "postgresql://pwpolicy:s3cret@localhost/db?host={}&connect_timeout=2",
        dir.path().display()
    );
    let err = pwpolicy_store_postgres::open(&Location::Postgres(url), OpenMode::ReadWrite)
        .err()
        .unwrap();
    let shown = err.to_string();
    assert!(shown.contains("cannot connect"), "{shown}");
    assert!(
        !shown.contains("s3cret"),
        "the URL's password leaked: {shown}"
    );
}

#[test]
fn sqlite_paths_open_through_the_same_function() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let mut store =
        pwpolicy_store_postgres::open(&Location::Sqlite(path.clone()), OpenMode::ReadWrite)
            .unwrap();
    assert_eq!(
        change(&mut *store, "erin", "Pass-A-1").unwrap(),
        ChangeOutcome::Changed
    );
    assert_eq!(store.describe(), path.display().to_string());
    assert!(path.exists());
}
