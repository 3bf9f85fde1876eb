//! The SQLite store under load and faults, through real `pwpolicy`
//! processes: many changes at once, and writers killed with SIGKILL at
//! random moments.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pwpolicy_tests::{TestDir, pwpolicy, pwpolicy_run};

struct Store {
    dir: TestDir,
    db: PathBuf,
    config: PathBuf,
}

impl Store {
    fn new(memory_kib: u32) -> Store {
        let dir = TestDir::new();
        let config = dir.write(
            "policy.toml",
            &format!("[history]\nremember = \"all\"\nmemory_kib = {memory_kib}\niterations = 1\n"),
        );
        let db = dir.path().join("state.db");
        Store { dir, db, config }
    }

    fn spawn_change(&self, user: &str, password: &str) -> Child {
        let mut child = Command::new(pwpolicy())
            .args(["change", "--user", user, "--db"])
            .arg(&self.db)
            .arg("--config")
            .arg(&self.config)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        child
    }

    fn check(&self, user: &str, password: &str) -> i32 {
        let args = [
            "check",
            "--user",
            user,
            "--db",
            self.db.to_str().unwrap(),
            "--config",
            self.config.to_str().unwrap(),
        ];
        pwpolicy_run(&args, format!("{password}\n").as_bytes()).code
    }
}

fn exit_code(child: Child) -> i32 {
    let out = child.wait_with_output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "a change failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    code
}

#[test]
fn concurrent_changes_lose_nothing_and_let_no_reuse_through() {
    let store = Store::new(64);
    for wave in 0..3 {
        let shared: Vec<Child> = (0..8)
            .map(|_| store.spawn_change("shared", &format!("Common-Pass-{wave}")))
            .collect();
        let multi: Vec<Child> = (0..8)
            .map(|i| store.spawn_change("multi", &format!("Distinct-{wave}-{i}-x")))
            .collect();
        let own: Vec<Child> = (0..8)
            .map(|i| store.spawn_change(&format!("user{i}"), &format!("Own-{wave}-Pass")))
            .collect();
        let shared_ok = shared
            .into_iter()
            .map(exit_code)
            .filter(|&c| c == 0)
            .count();
        assert_eq!(
            shared_ok, 1,
            "wave {wave}: exactly one identical change may win"
        );
        assert!(
            multi.into_iter().all(|c| exit_code(c) == 0),
            "wave {wave}: distinct passwords all pass"
        );
        assert!(
            own.into_iter().all(|c| exit_code(c) == 0),
            "wave {wave}: separate users do not interfere"
        );
    }
    let status = |user: &str| {
        let args = [
            "status",
            "--user",
            user,
            "--json",
            "--db",
            store.db.to_str().unwrap(),
        ];
        pwpolicy_run(&args, b"").json()
    };
    assert_eq!(
        status("multi")["history_entries"],
        24,
        "no history entry may be lost"
    );
    assert_eq!(status("shared")["history_entries"], 3);
    for i in 0..8 {
        assert_eq!(status(&format!("user{i}"))["history_entries"], 3);
    }
    for wave in 0..3 {
        assert_eq!(
            store.check("multi", &format!("Distinct-{wave}-5-x")),
            1,
            "remembered as reused"
        );
    }
}

/// A small deterministic generator, so a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

fn sqlite(db: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(db).unwrap()
}

#[test]
fn sigkill_at_random_moments_leaves_every_user_old_or_new() {
    // Enough argon2 work that kills land inside the write transaction too.
    let store = Store::new(2048);
    assert_eq!(exit_code(store.spawn_change("u0", "Warm-Up-Pass-0")), 0);
    // Time a change on the existing store: the first one also created it.
    let started = Instant::now();
    assert_eq!(exit_code(store.spawn_change("u0", "Warm-Up-Pass-1")), 0);
    let one_change = started.elapsed().as_micros() as u64;
    let mut rng = Lcg(0x5eed);
    let mut committed: Vec<(String, String)> = vec![
        ("u0".into(), "Warm-Up-Pass-0".into()),
        ("u0".into(), "Warm-Up-Pass-1".into()),
    ];
    let (mut killed, mut finished) = (0, 0);
    // The kill window adapts to how long changes take right now (a loaded
    // machine slows them), keeping about half of the writers killed.
    let mut window = one_change;
    for i in 0..300 {
        let user = format!("u{}", i % 5);
        let password = format!("Crash-Pass-{i}-x");
        let mut child = store.spawn_change(&user, &password);
        std::thread::sleep(Duration::from_micros(rng.below(window * 3 / 2)));
        match child.try_wait().unwrap() {
            Some(status) => {
                assert_eq!(status.code(), Some(0), "change {i} failed");
                committed.push((user, password));
                finished += 1;
                window = (window * 4 / 5).max(100);
            }
            None => {
                child.kill().unwrap();
                child.wait().unwrap();
                killed += 1;
                window = (window * 11 / 10).min(one_change * 4);
            }
        }
        if i % 25 == 24 {
            assert_consistent(&store.db);
        }
    }
    eprintln!(
        "crash test: {killed} writers killed, {finished} finished (one change ~{one_change} µs)"
    );
    assert!(
        killed >= 50,
        "too few kills landed ({killed}); the test proves nothing"
    );
    assert_consistent(&store.db);
    // Nothing that committed was lost, and the store still works.
    for (user, password) in &committed {
        assert_eq!(
            store.check(user, password),
            1,
            "{user}'s committed password was lost"
        );
    }
    assert_eq!(
        exit_code(store.spawn_change("u1", "After-The-Crashes-1")),
        0
    );
    drop(store.dir);
}

/// integrity_check passes, and every user is wholly in one state: the last
/// change is the time of the newest history entry, history numbers run
/// without gaps, and no entry belongs to an unknown user.
fn assert_consistent(db: &Path) {
    let conn = sqlite(db);
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let mut stmt = conn
        .prepare(
            "SELECT u.name, u.last_change, max(h.set_at), count(h.seq), min(h.seq), max(h.seq)
             FROM users u LEFT JOIN history h ON h.user = u.name GROUP BY u.name",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, Option<i64>>(5)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (name, last, newest, count, min, max) = row.unwrap();
        assert_eq!(
            last, newest,
            "{name}: last change and newest history entry disagree"
        );
        assert_eq!(
            (min, max),
            (Some(1), Some(count)),
            "{name}: history has gaps"
        );
    }
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM history WHERE user NOT IN (SELECT name FROM users)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
}
