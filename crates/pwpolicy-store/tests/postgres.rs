//! The store suite on a real PostgreSQL server, plus what only a network
//! store can get wrong: a connection that dies mid-change, a server that is
//! not there.
//!
//! `scripts/test.sh` starts a throwaway server and sets `PWPOLICY_TEST_PG_URL`;
//! each test gets its own database on it. Without the variable these tests
//! skip loudly, except under CI, where they fail.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "suite/mod.rs"]
mod suite;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pwpolicy::{Hasher, Password, Policy};
use pwpolicy_store::{ChangeOutcome, Location, OpenMode, PasswordChange, Store, StoreError};

const URL_VAR: &str = "PWPOLICY_TEST_PG_URL";

struct PgFixture {
    url: String,
}

/// A fresh database on the test server, or `None` (with a loud note) when
/// there is no server outside CI.
fn fixture() -> Option<PgFixture> {
    let base = match std::env::var(URL_VAR) {
        Ok(url) => url,
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!(
                "{URL_VAR} is not set: CI must run the PostgreSQL tests (scripts/test.sh starts a server)"
            )
        }
        Err(_) => {
            eprintln!(
                "SKIPPED: {URL_VAR} is not set; run scripts/test.sh, or scripts/pg-test-server.sh start DIR"
            );
            return None;
        }
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
        pwpolicy_store::open(&Location::Postgres(self.url.clone()), OpenMode::ReadWrite).unwrap()
    }
}

store_suite!(fixture());

fn cheap_change<'a>(
    user: &'a str,
    password: &'a Password,
    policy: &'a Policy,
    hasher: &'a Hasher,
) -> PasswordChange<'a> {
    PasswordChange {
        user,
        password,
        policy,
        hasher,
        now: time::OffsetDateTime::now_utc(),
        enforce_min_age: true,
        allow_reuse: false,
    }
}

#[test]
fn a_connection_killed_mid_change_gives_an_error_and_writes_nothing() {
    let Some(f) = fixture() else { return };
    let policy = Policy::from_toml("[history]\nmemory_kib = 64\niterations = 1\n").unwrap();
    let hasher = Hasher::new(&policy.history, None).unwrap();
    let mut store = suite::Fixture::open(&f);
    let first = Password::new("Pass-A-1");
    assert_eq!(
        store
            .change_password(&cheap_change("erin", &first, &policy, &hasher))
            .unwrap(),
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
        let policy = Policy::from_toml("[history]\nmemory_kib = 64\niterations = 1\n").unwrap();
        let hasher = Hasher::new(&policy.history, None).unwrap();
        let mut store =
            pwpolicy_store::open(&Location::Postgres(url), OpenMode::ReadWrite).unwrap();
        let second = Password::new("Pass-B-2");
        store.change_password(&cheap_change("erin", &second, &policy, &hasher))
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
    assert!(matches!(err, StoreError::Backend { .. }), "{err}");
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
    let second = Password::new("Pass-B-2");
    assert_eq!(
        store
            .change_password(&cheap_change("erin", &second, &policy, &hasher))
            .unwrap(),
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
    let err = pwpolicy_store::open(&Location::Postgres(url), OpenMode::ReadWrite)
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
fn concurrent_hosts_never_both_accept_a_reused_password() {
    let Some(f) = fixture() else { return };
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let url = f.url.clone();
            std::thread::spawn(move || {
                let policy =
                    Policy::from_toml("[history]\nmemory_kib = 64\niterations = 1\n").unwrap();
                let hasher = Hasher::new(&policy.history, None).unwrap();
                let mut store =
                    pwpolicy_store::open(&Location::Postgres(url), OpenMode::ReadWrite).unwrap();
                let pw = Password::new("Same-Pass-1");
                store
                    .change_password(&cheap_change("erin", &pw, &policy, &hasher))
                    .unwrap()
            })
        })
        .collect();
    let changed = threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .filter(|o| *o == ChangeOutcome::Changed)
        .count();
    assert_eq!(
        changed, 1,
        "exactly one of eight concurrent identical changes may win"
    );
}

#[test]
fn concurrent_hosts_lose_no_history_entry() {
    let Some(f) = fixture() else { return };
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let url = f.url.clone();
            std::thread::spawn(move || {
                let policy =
                    Policy::from_toml("[history]\nmemory_kib = 64\niterations = 1\n").unwrap();
                let hasher = Hasher::new(&policy.history, None).unwrap();
                let mut store =
                    pwpolicy_store::open(&Location::Postgres(url), OpenMode::ReadWrite).unwrap();
                (0..5)
                    .map(|n| {
                        let pw = Password::new(&format!("Distinct-{i}-{n}-x"));
                        store
                            .change_password(&cheap_change("erin", &pw, &policy, &hasher))
                            .unwrap()
                    })
                    .filter(|o| *o == ChangeOutcome::Changed)
                    .count()
            })
        })
        .collect();
    let changed: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(changed, 40, "distinct passwords all pass");
    let mut store = suite::Fixture::open(&f);
    assert_eq!(
        store.user("erin").unwrap().unwrap().history_len,
        40,
        "no entry may be lost"
    );
}
