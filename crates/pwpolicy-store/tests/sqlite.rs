//! The store suite on SQLite, plus what only a file can get wrong: permissions,
//! corruption, truncation, read-only directories, a newer schema.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "suite/mod.rs"]
mod suite;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use pwpolicy_store::{ChangeOutcome, Location, OpenMode, Store, StoreError};
use suite::try_change as change;

struct SqliteFixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl SqliteFixture {
    fn new() -> SqliteFixture {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join("state.db");
        SqliteFixture { _dir: dir, path }
    }
}

impl suite::Fixture for SqliteFixture {
    fn open(&self) -> Box<dyn Store> {
        pwpolicy_store::open(&Location::Sqlite(self.path.clone()), OpenMode::ReadWrite).unwrap()
    }
}

store_suite!(Some(SqliteFixture::new()));

fn open(path: &std::path::Path, mode: OpenMode) -> Result<Box<dyn Store>, StoreError> {
    pwpolicy_store::open(&Location::Sqlite(path.to_owned()), mode)
}

#[test]
fn a_new_store_is_private() {
    let f = SqliteFixture::new();
    drop(suite::Fixture::open(&f));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&f.path), 0o600);
    assert_eq!(mode(f.path.parent().unwrap()), 0o700);
}

#[test]
fn a_store_others_can_read_is_refused() {
    let f = SqliteFixture::new();
    drop(suite::Fixture::open(&f));
    std::fs::set_permissions(&f.path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = open(&f.path, OpenMode::ReadOnly).err().unwrap();
    assert!(
        matches!(
            err,
            StoreError::Untrusted(pwpolicy_trust::TrustError::Mode { mode: 0o644, .. })
        ),
        "{err}"
    );
    assert!(err.to_string().contains("chmod 600"), "{err}");
    assert!(open(&f.path, OpenMode::ReadWrite).is_err());
}

#[test]
fn a_missing_store_is_missing_for_readers_and_created_for_writers() {
    let f = SqliteFixture::new();
    assert!(matches!(
        open(&f.path, OpenMode::ReadOnly),
        Err(StoreError::Missing(_))
    ));
    assert!(!f.path.exists(), "a reader must not create the store");
    open(&f.path, OpenMode::ReadWrite).unwrap();
    let mut reader = open(&f.path, OpenMode::ReadOnly).unwrap();
    assert!(reader.user("anyone").unwrap().is_none());
}

#[test]
fn a_file_that_is_not_a_database_is_reported_as_damaged() {
    let f = SqliteFixture::new();
    std::fs::create_dir_all(f.path.parent().unwrap()).unwrap();
    std::fs::write(&f.path, vec![b'x'; 8192]).unwrap();
    std::fs::set_permissions(&f.path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let err = open(&f.path, OpenMode::ReadWrite).err().unwrap();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("damaged"), "{err}");
}

#[test]
fn a_truncated_store_is_an_error_not_an_empty_history() {
    let f = SqliteFixture::new();
    {
        let mut store = suite::Fixture::open(&f);
        for n in 0..200 {
            change(&mut *store, &format!("user{n}"), "Pass-A-1").unwrap();
        }
    }
    // Fold the WAL into the main file, then cut the file in half.
    let conn = rusqlite_checkpoint(&f.path);
    drop(conn);
    let len = std::fs::metadata(&f.path).unwrap().len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&f.path)
        .unwrap();
    file.set_len(len / 2).unwrap();
    drop(file);
    // Reused for a user whose rows are gone: must be an error, never "not reused".
    let result = open(&f.path, OpenMode::ReadWrite).and_then(|mut s| {
        (150..200).try_for_each(|n| change(&mut *s, &format!("user{n}"), "Pass-A-1").map(|_| ()))
    });
    assert!(
        result.is_err(),
        "a truncated store must not silently accept reused passwords"
    );
}

/// Checkpoints the WAL (through the store itself: opening read-write runs
/// SQLite's recovery; dropping the last connection checkpoints).
fn rusqlite_checkpoint(path: &std::path::Path) -> Box<dyn Store> {
    let store = open(path, OpenMode::ReadWrite).unwrap();
    drop(store);
    let wal = path.with_extension("db-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "WAL not folded"
    );
    open(path, OpenMode::ReadOnly).unwrap()
}

#[test]
fn a_read_only_directory_gives_a_clear_error() {
    // Root ignores directory permissions: as root, run this very test again
    // as `nobody` (the marker tells the second run it is that run).
    const MARKER: &str = "PWPOLICY_TEST_AS_NOBODY";
    if is_root() && std::env::var_os(MARKER).is_none() {
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new("runuser")
            .args(["-u", "nobody", "--"])
            .arg(&exe)
            .args(["--exact", "a_read_only_directory_gives_a_clear_error"])
            .env(MARKER, "1")
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && said.contains("1 passed"),
            "as nobody: {said}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o500)).unwrap();
    let path = dir.path().join("state.db");
    let err = open(&path, OpenMode::ReadWrite).err().unwrap();
    // It never ran before it ran as nobody (CI is root): the store cannot be
    // created there, and the message says where and why.
    let said = err.to_string();
    assert!(
        matches!(err, StoreError::AccessDenied(_) | StoreError::Untrusted(_))
            && said.contains(path.to_str().unwrap())
            && said.contains("ermission denied"),
        "{said}"
    );
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

#[test]
fn a_newer_schema_is_refused() {
    let f = SqliteFixture::new();
    drop(suite::Fixture::open(&f));
    bump_schema(&f.path);
    let err = open(&f.path, OpenMode::ReadWrite).err().unwrap();
    assert!(
        matches!(err, StoreError::NewerSchema { found: 99, .. }),
        "{err}"
    );
}

fn bump_schema(path: &std::path::Path) {
    let status = std::process::Command::new("python3")
        .args(["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version=99'); c.commit()"])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_bad_history_entry_is_an_error_not_a_miss() {
    let f = SqliteFixture::new();
    {
        let mut store = suite::Fixture::open(&f);
        change(&mut *store, "erin", "Pass-A-1").unwrap();
    }
    let status = std::process::Command::new("python3")
        .args(["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE history SET phc='$6$not$argon2'\"); c.commit()"])
        .arg(&f.path)
        .status()
        .unwrap();
    assert!(status.success());
    let mut store = suite::Fixture::open(&f);
    let err = change(&mut *store, "erin", "Pass-A-1").unwrap_err();
    assert!(err.to_string().contains("history entry 0"), "{err}");
}

#[test]
fn a_version_1_store_is_migrated_forward_keeping_its_data() {
    let f = SqliteFixture::new();
    {
        let mut store = suite::Fixture::open(&f);
        change(&mut *store, "erin", "Pass-A-1").unwrap();
    }
    // Put the file back to schema 1 as an older pwpolicy left it.
    let status = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); \
             c.executescript('DROP TABLE reminders; DROP INDEX users_by_expiry; CREATE INDEX users_by_last_change ON users (last_change); ALTER TABLE history DROP COLUMN stem; PRAGMA user_version=1;'); c.commit()",
        ])
        .arg(&f.path)
        .status()
        .unwrap();
    assert!(status.success());
    let mut store = suite::Fixture::open(&f);
    assert!(matches!(
        change(&mut *store, "erin", "Pass-A-1").unwrap(),
        ChangeOutcome::Rejected(_)
    ));
    drop(store);
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); \
             print(c.execute('PRAGMA user_version').fetchone()[0], \
                   [r[0] for r in c.execute(\"SELECT name FROM sqlite_master WHERE type='index' AND name LIKE 'users_by%'\")], \
                   [r[1] for r in c.execute('PRAGMA table_info(history)')], \
                   [r[0] for r in c.execute(\"SELECT name FROM sqlite_master WHERE type='table' AND name='reminders'\")])",
        ])
        .arg(&f.path)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "5 ['users_by_expiry'] ['user', 'seq', 'phc', 'set_at', 'stem'] ['reminders']"
    );
}

#[test]
fn stems_are_stored_only_as_argon2_hashes() {
    let f = SqliteFixture::new();
    let mut policy = pwpolicy::Policy::from_toml(
        "[history]\nsimilarity = true\nmemory_kib = 64\niterations = 1\n",
    )
    .unwrap();
    let stem = pwpolicy::Stem::of(&pwpolicy::Password::new("Kettle-Blue-Orbit#2024")).unwrap();
    assert_eq!(stem.expose(), "kettiebiueorbit");
    let mut store = suite::Fixture::open(&f);
    let changed = suite::try_change_under(&mut *store, &policy, "erin", "Kettle-Blue-Orbit#2024");
    assert!(matches!(changed.unwrap(), ChangeOutcome::Changed));
    drop(store);
    // Every byte the store keeps (the database and SQLite's files beside
    // it): neither the stem nor the password, in any case.
    let dir = f.path.parent().unwrap();
    for file in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(file.unwrap().path())
            .unwrap()
            .to_ascii_lowercase();
        for secret in ["kettiebiueorbit", "kettlebiueorbit", "kettle-blue-orbit"] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} in the store"
            );
        }
    }
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); \
             [print(r[0]) for r in c.execute('SELECT stem FROM history')]",
        ])
        .arg(&f.path)
        .output()
        .unwrap();
    let stored = String::from_utf8_lossy(&out.stdout);
    assert!(
        stored
            .trim()
            .starts_with("$argon2id$v=19$m=64,t=1,p=1,data=c3RlbQ$"),
        "{stored}"
    );
    // With similarity off, no stem is written.
    policy.history.similarity = false;
    let mut store = suite::Fixture::open(&f);
    suite::try_change_under(&mut *store, &policy, "erin", "Orbit-Staple-77").unwrap();
    let history = store.history("erin").unwrap().unwrap();
    assert_eq!(
        history
            .stems
            .iter()
            .map(Option::is_some)
            .collect::<Vec<_>>(),
        [true, false]
    );
}
