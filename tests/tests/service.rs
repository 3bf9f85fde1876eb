//! pwpolicyd with real processes: callers under different uids, the CLI and
//! the PAM module as clients, two services on one PostgreSQL, bounded and
//! timed-out connections, and a SIGKILL under load.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pwpolicy_backend::wire::ErrorKind;
use pwpolicy_backend::{
    BackendError, CheckRequest, CommitRequest, Expiry, Passwords, Records, Service,
};
use pwpolicy_tests::{
    Argon2Runs, Output, TestDir, binary, is_root, pam_driver, pam_module, pg_database, pwpolicy,
    run,
};
use serde_json::Value;

/// A running pwpolicyd, killed on drop.
struct Daemon {
    child: Child,
    socket: PathBuf,
    args: Vec<String>,
    /// Where its log goes, at what `PWPOLICYD_LOG` level (else: nowhere, at `warn`).
    log: Option<(&'static str, PathBuf)>,
}

impl Daemon {
    fn start(dir: &Path, name: &str, db: &str, extra: &[&str]) -> Daemon {
        Daemon::launch(dir, name, db, extra, None)
    }

    /// [`Daemon::start`], logging at `level` into `log`.
    fn start_logging(
        dir: &Path,
        name: &str,
        db: &str,
        level: &'static str,
        log: PathBuf,
    ) -> Daemon {
        Daemon::launch(dir, name, db, &[], Some((level, log)))
    }

    fn launch(
        dir: &Path,
        name: &str,
        db: &str,
        extra: &[&str],
        log: Option<(&'static str, PathBuf)>,
    ) -> Daemon {
        let socket = dir.join(format!("{name}.sock"));
        let config = dir.join("policy.toml");
        if !config.exists() {
            std::fs::write(&config, "[history]\nmemory_kib = 64\niterations = 1\n").unwrap();
            std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let mut args: Vec<String> = vec![
            "--socket".into(),
            socket.display().to_string(),
            "--db".into(),
            db.into(),
            "--config".into(),
            config.display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let child = spawn(&args, log.as_ref());
        let daemon = Daemon {
            child,
            socket,
            args,
            log,
        };
        daemon.wait_ready();
        daemon
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while UnixStream::connect(&self.socket).is_err() {
            assert!(
                Instant::now() < deadline,
                "pwpolicyd did not start on {}",
                self.socket.display()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn restart(&mut self) {
        self.kill();
        self.child = spawn(&self.args, self.log.as_ref());
        self.wait_ready();
    }

    /// A PAM service `pw` in `dir/pam.d` (returned) that asks this
    /// service: the check entry, pam_permit, the commit entry and the
    /// account phase.
    fn pam_service(&self, dir: &Path) -> PathBuf {
        let pamd = dir.join("pam.d");
        std::fs::create_dir(&pamd).unwrap();
        let module = format!(
            "{} socket={}",
            pam_module().display(),
            self.socket.display()
        );
        std::fs::write(
            pamd.join("pw"),
            format!(
                "password requisite {module} enforce_for_root retry=1\npassword requisite pam_permit.so\n\
                 password optional {module} commit\naccount required {module}\n"
            ),
        )
        .unwrap();
        pamd
    }

    fn client(&self) -> Service {
        Service::new(self.socket.clone())
    }

    /// The CLI against this service (`--socket`), optionally as `nobody`.
    fn cli(&self, as_nobody: bool, args: &[&str], stdin: &str) -> Output {
        let socket = self.socket.display().to_string();
        let mut with_socket: Vec<&str> = args.to_vec();
        with_socket.extend(["--socket", &socket]);
        let full = pwpolicy_tests::hermetic(&with_socket);
        let full: Vec<&str> = full.iter().map(String::as_str).collect();
        if as_nobody {
            let bin = pwpolicy();
            let mut with_runuser = vec!["-u", "nobody", "--", bin.to_str().unwrap()];
            with_runuser.extend(full);
            run(Path::new("runuser"), &with_runuser, stdin.as_bytes())
        } else {
            run(&pwpolicy(), &full, stdin.as_bytes())
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn(args: &[String], log: Option<&(&'static str, PathBuf)>) -> Child {
    let (level, stderr) = match log {
        // Appended: a restart keeps what was logged before it.
        Some((level, path)) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .unwrap();
            (*level, Stdio::from(file))
        }
        None => ("warn", Stdio::null()),
    };
    Command::new(binary("pwpolicy-service", "pwpolicyd"))
        .args(args)
        .env("PWPOLICYD_LOG", level)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap()
}

/// A scratch directory that `nobody` can traverse, with a private state dir.
fn scratch() -> (TestDir, String) {
    let dir = TestDir::new();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let state = dir.path().join("state");
    std::fs::create_dir(&state).unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).unwrap();
    let db = state.join("state.db").display().to_string();
    (dir, db)
}

/// erin changes her password to `password` (typed twice) through the PAM
/// service `pw` in `pamd`.
fn change_through_pam(pamd: &Path, password: &str) -> Output {
    let pamd = pamd.to_str().unwrap();
    run(
        &pam_driver(),
        &[pamd, "pw", "erin", "chauthtok", password, password],
        b"",
    )
}

fn secret(s: &str) -> zeroize::Zeroizing<String> {
    zeroize::Zeroizing::new(s.to_owned())
}

#[test]
fn ordinary_users_see_their_own_expiry_and_nobody_elses() {
    pwpolicy_tests::require!(is_root(), "needs root to run clients as nobody");
    let (dir, db) = scratch();
    let daemon = Daemon::start(dir.path(), "pw", &db, &[]);
    let ten_days_ago =
        pwpolicy::format_date(time::OffsetDateTime::now_utc().date() - time::Duration::days(10));
    for user in ["nobody", "root"] {
        let out = daemon.cli(
            false,
            &[
                "set-changed",
                "--create",
                "--user",
                user,
                "--date",
                &ten_days_ago,
            ],
            "",
        );
        assert_eq!(out.code, 0, "{out:?}");
    }
    // nobody asks about themselves: no --user needed, the kernel says who they are.
    let out = daemon.cli(true, &["status", "--json"], "");
    assert_eq!(out.code, 0, "{out:?}");
    let status = out.json();
    // Their record, under their coverage: `nobody` (uid 65534, above
    // UID_MAX, password `*`) is a system account, so nothing expires.
    assert_eq!(
        (
            status["user"].as_str(),
            status["last_changed"].as_str(),
            status["class"].as_str(),
            status["days_left"].as_i64()
        ),
        (
            Some("nobody"),
            Some(ten_days_ago.as_str()),
            Some("system"),
            None
        )
    );
    assert_eq!(
        daemon.cli(true, &["status", "--user", "nobody"], "").code,
        0
    );
    // …and is refused anyone else, and the admin verbs.
    for args in [
        vec!["status", "--user", "root"],
        vec!["report", "--expiring-within", "100"],
        vec!["expire", "--create", "--user", "nobody"],
        vec![
            "set-changed",
            "--create",
            "--user",
            "nobody",
            "--date",
            "today",
        ],
    ] {
        let out = daemon.cli(true, &args, "");
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stderr.contains("refused"), "{args:?}: {}", out.stderr);
    }
    let out = daemon.cli(
        true,
        &["check", "--user", "root", "--json"],
        "Blue-Kettle-42\n",
    );
    assert_eq!(
        out.code, 2,
        "checking another user's history is refused: {out:?}"
    );
    let out = daemon.cli(
        true,
        &["check", "--user", "nobody", "--json"],
        "Blue-Kettle-42\n",
    );
    assert_eq!(
        (out.code, out.json()["history_checked"].as_bool()),
        (0, Some(true)),
        "{out:?}"
    );
    // Root sees everyone whose password expires: neither nobody (uid
    // 65534, above UID_MAX) nor root, system accounts both (issue 22, 8).
    let out = daemon.cli(false, &["report", "--expiring-within", "100", "--json"], "");
    let rows = out.json();
    let users: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user"].as_str().unwrap())
        .collect();
    assert_eq!(users, Vec::<&str>::new(), "{out:?}");
    // `list` shows them, each as its own status says.
    let out = daemon.cli(false, &["list", "--json"], "");
    let rows = out.json();
    let nobody = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user"] == "nobody")
        .unwrap_or_else(|| panic!("{out:?}"));
    assert_eq!(
        (&nobody["class"], &nobody["state"], &nobody["last_changed"]),
        (
            &"system".into(),
            &"ok".into(),
            &ten_days_ago.as_str().into()
        )
    );
}

#[test]
fn an_admin_group_member_may_administer() {
    pwpolicy_tests::require!(is_root(), "needs root to run clients as nobody");
    let (dir, db) = scratch();
    let daemon = Daemon::start(dir.path(), "pw", &db, &["--admin-group", "nogroup"]);
    let out = daemon.cli(true, &["report", "--expiring-within", "10", "--json"], "");
    assert_eq!(out.code, 0, "nobody is in nogroup: {out:?}");
    assert_eq!(
        daemon
            .cli(true, &["expire", "--create", "--user", "erin"], "")
            .code,
        0
    );
    assert_eq!(
        daemon
            .cli(false, &["status", "--user", "erin", "--json"], "")
            .json()["state"],
        "must_change"
    );
}

#[test]
fn the_cli_changes_and_checks_through_the_service() {
    let (dir, db) = scratch();
    let daemon = Daemon::start(dir.path(), "pw", &db, &[]);
    assert_eq!(
        daemon
            .cli(false, &["change", "--user", "erin"], "Blue-Kettle-42\n")
            .code,
        0
    );
    let out = daemon.cli(
        false,
        &["change", "--user", "erin", "--json"],
        "Blue-Kettle-42\n",
    );
    assert_eq!(out.code, 1);
    assert_eq!(out.json()["violations"][0]["code"], "reused");
    let out = daemon.cli(
        false,
        &["check", "--user", "erin", "--full-name", "Erin Hagens"],
        "Hagens-Rules-1\n",
    );
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("[contains_name_part]"), "{out:?}");
    let status = daemon
        .cli(false, &["status", "--user", "erin", "--json"], "")
        .json();
    assert_eq!(status["history_entries"], 1);
    // What the service does not offer does not take --socket at all (nor
    // list it in its --help): the store-only verbs refuse it up front.
    let out = daemon.cli(false, &["history", "clear", "--user", "erin"], "");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unexpected argument '--socket'"),
        "{}",
        out.stderr
    );
    for verb in [
        &["import-shadow"][..],
        &["history", "clear"],
        &["user", "remove"],
    ] {
        let mut args = verb.to_vec();
        args.push("--help");
        let help = pwpolicy_tests::run(&pwpolicy(), &args, b"");
        assert_eq!(help.code, 0, "{help:?}");
        assert!(help.stdout.contains("--db"), "{verb:?}: {}", help.stdout);
        assert!(
            !help.stdout.contains("--socket"),
            "{verb:?}: {}",
            help.stdout
        );
    }
}

#[test]
fn the_pam_module_enforces_history_and_expiry_through_the_service() {
    let (dir, db) = scratch();
    let daemon = Daemon::start(dir.path(), "pw", &db, &[]);
    let pamd = daemon.pam_service(dir.path());
    let pam = |user: &str, action: &str, answers: &[&str]| -> Value {
        let mut args = vec![pamd.to_str().unwrap(), "pw", user, action];
        args.extend(answers);
        run(&pam_driver(), &args, b"").json()
    };
    assert_eq!(
        pam("erin", "chauthtok", &["Blue-Kettle-42", "Blue-Kettle-42"])["result"],
        0
    );
    let again = pam("erin", "chauthtok", &["Blue-Kettle-42", "Blue-Kettle-42"]);
    assert_eq!(again["result"], 11, "{again}");
    assert!(
        again.to_string().contains("is your current password"),
        "{again}"
    );
    assert_eq!(
        daemon
            .cli(false, &["status", "--user", "erin", "--json"], "")
            .json()["history_entries"],
        1
    );
    let long_ago =
        pwpolicy::format_date(time::OffsetDateTime::now_utc().date() - time::Duration::days(91));
    assert_eq!(
        daemon
            .cli(
                false,
                &[
                    "set-changed",
                    "--create",
                    "--user",
                    "erin",
                    "--date",
                    &long_ago
                ],
                ""
            )
            .code,
        0
    );
    let acct = pam("erin", "acct", &[]);
    assert_eq!(acct["result"], 12, "{acct}");
    // A stopped service: the module fails closed (on_error=fail, the default).
    drop(daemon);
    let down = pam("erin", "acct", &[]);
    assert_eq!(down["result"], 9, "{down}");
}

/// Through pwpolicyd too, PAM's check and commit cost one argon2 run for a
/// change (two with similarity stems): the check answers root with the
/// entries it hashed, and the commit hands them back. Counted with strace
/// attached to the daemon ([`Argon2Runs`]), at 48 MiB a run.
#[test]
fn a_change_through_pam_and_the_service_hashes_once() {
    const MEMORY_KIB: u32 = 48 * 1024;
    for (similarity, per_change) in [(false, 1), (true, 2)] {
        let (dir, db) = scratch();
        std::fs::write(
            dir.path().join("policy.toml"),
            format!(
                "[history]\nmemory_kib = {MEMORY_KIB}\niterations = 1\nsimilarity = {similarity}\n"
            ),
        )
        .unwrap();
        std::fs::set_permissions(
            dir.path().join("policy.toml"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let daemon = Daemon::start(dir.path(), "pw", &db, &[]);
        let pamd = daemon.pam_service(dir.path());
        for password in ["Blue-Kettle-42", "Green-Teapot-7", "Red-Lantern-93"] {
            let runs = Argon2Runs::attach(dir.path(), MEMORY_KIB, daemon.child.id());
            let v = change_through_pam(&pamd, password).json();
            assert_eq!(v["result"], 0, "{v}");
            assert_eq!(
                runs.count(),
                per_change,
                "argon2 runs in pwpolicyd for one change of {password} (similarity {similarity})"
            );
        }
        // The entries recorded are the passwords' own.
        let v = change_through_pam(&pamd, "Blue-Kettle-42").json();
        assert_eq!(v["result"], 11, "{v}");
        assert!(v.to_string().contains("was used before"), "{v}");
    }
}

/// An ordinary caller's check never carries entries: only a commit, which
/// is root's and administrators', has a use for them.
#[test]
fn only_an_administrator_is_answered_with_prehashed_entries() {
    let (dir, db) = scratch();
    let daemon = Daemon::start(dir.path(), "pw", &db, &[]);
    for user in ["root", "nobody"] {
        assert_eq!(
            daemon
                .cli(false, &["change", "--user", user], "Blue-Kettle-42\n")
                .code,
            0
        );
    }
    let candidate = secret("Green-Teapot-7");
    let request = CheckRequest {
        user: Some("root"),
        full_name: None,
        password: &candidate,
        enforce_min_age: false,
        prepare: true,
    };
    let mut client = daemon.client();
    let answer = client.check(&request).unwrap();
    assert!(answer.accepted, "{answer:?}");
    let prehashed = answer.prehashed.expect("root is answered with the entries");
    // They are the ones a commit records: the commit refuses nothing, and
    // the password is then the current one.
    let commit = client
        .commit(&CommitRequest {
            user: "root",
            password: &secret("Green-Teapot-7"),
            enforce_min_age: false,
            allow_reuse: false,
            prehashed: Some(&prehashed),
        })
        .unwrap();
    assert!(commit.changed, "{commit:?}");
    let again = client.check(&request).unwrap();
    assert!(again.tells_of_history(), "{again:?}");

    // nobody, who has a history too, asks for entries over the wire itself
    // (no client of ours asks for them as nobody) and is not given any.
    let out = run(
        Path::new("runuser"),
        &[
            "-u",
            "nobody",
            "--",
            "python3",
            "-c",
            PREPARE_AS_NOBODY,
            daemon.socket.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("\"check\""), "{out:?}");
    assert!(!out.stdout.contains("prehashed"), "{out:?}");
}

/// A pwpolicyd from before `compact` and `prepare` (a package upgrade's
/// window, until it restarts) refuses them as unknown fields; the client
/// then asks again in the older form, and gets the same answers.
#[test]
fn an_older_pwpolicyd_is_asked_again_without_the_new_fields() {
    let dir = TestDir::new();
    let socket = dir.path().join("old.sock");
    let log = dir.path().join("old.log");
    let mut old = Command::new("python3")
        .args(["-c", OLD_PWPOLICYD])
        .arg(&socket)
        .arg(&log)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while UnixStream::connect(&socket).is_err() {
        assert!(Instant::now() < deadline, "the old pwpolicyd did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let socket_arg = socket.display().to_string();
    let args = pwpolicy_tests::hermetic(&[
        "report",
        "--expiring-within",
        "30",
        "--json",
        "--socket",
        &socket_arg,
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&pwpolicy(), &args, b"");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("\"user\":\"erin\""), "{out:?}");

    let mut client = Service::new(socket.clone());
    let answer = client
        .check(&CheckRequest {
            user: Some("erin"),
            full_name: None,
            password: &secret("Green-Teapot-7"),
            enforce_min_age: false,
            prepare: true,
        })
        .unwrap();
    assert!(answer.accepted && answer.prehashed.is_none(), "{answer:?}");
    let _ = old.kill();
    let _ = old.wait();
    let asked = std::fs::read_to_string(&log).unwrap();
    let asked: Vec<&str> = asked.lines().collect();
    assert_eq!(
        asked,
        [
            "refused report",
            "answered report",
            "refused check",
            "answered check"
        ]
    );
}

/// A stand-in for pwpolicyd of protocol 3 before `compact` and `prepare`:
/// an unknown field is a bad request, as serde's `deny_unknown_fields`
/// makes it. argv: the socket, and a file it notes each request in.
const OLD_PWPOLICYD: &str = r#"
import json, os, socket, struct, sys
KNOWN = {"report": {"expiring_within"}, "check": {"user", "full_name", "password", "enforce_min_age"}}
ROW = {"user": "erin", "uid": None, "state": "must_change", "last_changed": None, "expires": None,
       "days_left": None, "must_change": True, "history_entries": 0, "max_age_days": 90,
       "warn_days": 14, "class": "person", "exempt": False}
def frame(conn, value):
    body = json.dumps(value).encode()
    conn.sendall(struct.pack(">I", len(body)) + body)
def read(conn, n):
    data = b""
    while len(data) < n:
        more = conn.recv(n - len(data))
        if not more:
            return None
        data += more
    return data
server = socket.socket(socket.AF_UNIX)
server.bind(sys.argv[1])
server.listen(4)
notes = open(sys.argv[2], "a", buffering=1)
while True:
    conn, _ = server.accept()
    while True:
        head = read(conn, 4)
        if head is None:
            break
        request = json.loads(read(conn, struct.unpack(">I", head)[0]))["request"]
        (op, fields), = request.items()
        if set(fields) - KNOWN[op]:
            notes.write("refused %s\n" % op)
            frame(conn, {"v": 3, "error": {"kind": "bad_request", "message": "unknown field"}})
        elif op == "report":
            notes.write("answered report\n")
            frame(conn, {"v": 3, "ok": {"rows": {"rows": [ROW], "more": False}}})
        else:
            notes.write("answered check\n")
            frame(conn, {"v": 3, "ok": {"check": {"accepted": True, "violations": [], "history_checked": True}}})
    conn.close()
"#;

/// Sends `check` with `prepare` on the socket named by argv[1], as
/// protocol 3 frames it, and prints the answer.
const PREPARE_AS_NOBODY: &str = r#"
import base64, json, socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
body = json.dumps({"v": 3, "request": {"check": {"password": base64.b64encode(b"Green-Teapot-7").decode(), "prepare": True}}}).encode()
s.sendall(struct.pack(">I", len(body)) + body)
n = struct.unpack(">I", s.recv(4))[0]
data = b""
while len(data) < n:
    data += s.recv(n - len(data))
print(data.decode())
"#;

#[test]
fn two_services_on_one_postgresql_share_history() {
    let Some(url) = pg_database() else { return };
    let (dir, _) = scratch();
    let host_a = Daemon::start(dir.path(), "host-a", &url, &[]);
    let host_b = Daemon::start(dir.path(), "host-b", &url, &[]);
    assert_eq!(
        host_a
            .cli(false, &["change", "--user", "erin"], "Blue-Kettle-42\n")
            .code,
        0
    );
    let out = host_b.cli(
        false,
        &["change", "--user", "erin", "--json"],
        "Blue-Kettle-42\n",
    );
    assert_eq!(
        (out.code, out.json()["violations"][0]["code"].as_str()),
        (1, Some("reused")),
        "{out:?}"
    );
    assert_eq!(
        host_b
            .cli(false, &["expire", "--create", "--user", "erin"], "")
            .code,
        0
    );
    assert_eq!(
        host_a
            .cli(false, &["status", "--user", "erin", "--json"], "")
            .json()["state"],
        "must_change"
    );
}

#[test]
fn bad_and_slow_clients_do_not_stall_others() {
    let (dir, db) = scratch();
    let daemon = Daemon::start(
        dir.path(),
        "pw",
        &db,
        &["--timeout", "1", "--max-connections", "8"],
    );
    // Garbage and an unknown version get errors, and the connection stays usable.
    let mut raw = UnixStream::connect(&daemon.socket).unwrap();
    let reply = |raw: &mut UnixStream, body: &[u8]| -> Value {
        raw.write_all(&(body.len() as u32).to_be_bytes()).unwrap();
        raw.write_all(body).unwrap();
        let mut len = [0u8; 4];
        raw.read_exact(&mut len).unwrap();
        let mut buf = vec![0u8; u32::from_be_bytes(len) as usize];
        raw.read_exact(&mut buf).unwrap();
        serde_json::from_slice(&buf).unwrap()
    };
    let v = reply(&mut raw, b"{not json, password=Sekrit-Value}");
    assert_eq!(v["error"]["kind"], "bad_request");
    assert!(!v.to_string().contains("Sekrit"), "{v}");
    assert_eq!(
        reply(&mut raw, br#"{"v":9,"op":"status"}"#)["error"]["kind"],
        "unsupported_version"
    );
    // A version 1 client is told which version this service speaks.
    let v1 = reply(&mut raw, br#"{"v":1,"op":"status","user":"erin"}"#);
    assert_eq!(v1["error"]["kind"], "unsupported_version", "{v1}");
    assert!(
        v1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("speaks 3"),
        "{v1}"
    );
    assert_eq!(
        reply(&mut raw, br#"{"v":3,"request":{"status":{"user":"erin"}}}"#)["ok"]["status"]["state"],
        "unknown"
    );
    // An oversized frame is refused and the connection closed.
    let mut big = UnixStream::connect(&daemon.socket).unwrap();
    big.write_all(&(1u32 << 30).to_be_bytes()).unwrap();
    let mut len = [0u8; 4];
    big.read_exact(&mut len).unwrap();
    // A client that sends half a request and stalls is cut off after the timeout…
    let mut slow = UnixStream::connect(&daemon.socket).unwrap();
    slow.write_all(&100u32.to_be_bytes()).unwrap();
    slow.write_all(b"{\"v\":2,").unwrap();
    // …while others are served meanwhile.
    let started = Instant::now();
    let mut client = daemon.client();
    client.status(Some("erin")).unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "a slow client stalled another"
    );
    slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 16];
    assert!(
        matches!(slow.read(&mut buf), Ok(0)),
        "the stalled connection is closed"
    );
}

#[test]
fn the_connection_cap_refuses_with_busy() {
    let (dir, db) = scratch();
    let daemon = Daemon::start(dir.path(), "pw", &db, &["--max-connections", "2"]);
    // Let the start-up probe's connection finish, then hold two that are
    // surely admitted: each has had a request answered.
    std::thread::sleep(Duration::from_millis(300));
    let held: Vec<Service> = (0..2)
        .map(|_| {
            let mut c = daemon.client();
            c.status(Some("erin")).unwrap();
            c
        })
        .collect();
    let err = daemon.client().status(Some("erin")).unwrap_err();
    assert!(
        matches!(
            err,
            BackendError::Refused {
                kind: ErrorKind::Busy,
                ..
            }
        ),
        "{err}"
    );
    drop(held);
    std::thread::sleep(Duration::from_millis(100));
    daemon.client().status(Some("erin")).unwrap();
}

#[test]
fn sigkill_under_load_loses_no_acknowledged_change() {
    let (dir, db) = scratch();
    let mut daemon = Daemon::start(dir.path(), "pw", &db, &[]);
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..6)
        .map(|w| {
            let (socket, acked, errors, stop) = (
                daemon.socket.clone(),
                Arc::clone(&acked),
                Arc::clone(&errors),
                Arc::clone(&stop),
            );
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let (user, password) = (format!("user{w}"), format!("Load-{w}-{n}-Pass"));
                    let result = Service::new(socket.clone()).commit(&CommitRequest {
                        user: &user,
                        password: &secret(&password),
                        enforce_min_age: false,
                        allow_reuse: false,
                        prehashed: None,
                    });
                    match result {
                        Ok(reply) if reply.changed => acked.lock().unwrap().push((user, password)),
                        Ok(reply) => panic!("unexpected refusal: {reply:?}"),
                        Err(e) => {
                            errors.lock().unwrap().push(e.to_string());
                            std::thread::sleep(Duration::from_millis(5));
                        }
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    daemon.kill(); // SIGKILL, mid-load
    std::thread::sleep(Duration::from_millis(300));
    let during_outage = errors.lock().unwrap().len();
    daemon.restart();
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap();
    let errors = errors.lock().unwrap();
    eprintln!(
        "kill test: {} changes acknowledged, {} client errors",
        acked.len(),
        errors.len()
    );
    assert!(during_outage > 0, "the kill was not noticed by any client");
    for e in errors.iter() {
        assert!(e.contains("pwpolicy service"), "unclear client error: {e}");
    }
    // Every acknowledged change is in the history (the service refuses it as reused).
    let mut client = daemon.client();
    for (user, password) in acked.iter() {
        let reply = client
            .check(&CheckRequest {
                user: Some(user),
                full_name: None,
                password: &secret(password),
                enforce_min_age: false,
                prepare: false,
            })
            .unwrap();
        assert_eq!(
            reply.violations[0].code(),
            "reused",
            "{user}: an acknowledged change was lost"
        );
    }
    drop(daemon);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}

#[test]
fn sigterm_stops_gracefully_and_removes_the_socket() {
    let (dir, db) = scratch();
    let mut daemon = Daemon::start(dir.path(), "pw", &db, &[]);
    let pid = daemon.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = daemon.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "pwpolicyd ignored SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    assert!(!daemon.socket.exists(), "the socket file is removed");
}

#[test]
fn sigterm_stops_even_when_the_socket_path_is_gone() {
    // Regression: shutdown woke the accept loop by connecting to the socket
    // path; with the path removed (or swapped) the daemon ran on.
    let (dir, db) = scratch();
    let mut daemon = Daemon::start(dir.path(), "pw", &db, &[]);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::symlink_metadata(&daemon.socket)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o666, "everyone may connect: {mode:o}");
    std::fs::remove_file(&daemon.socket).unwrap();
    let pid = daemon.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        if daemon.child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "pwpolicyd did not stop without its socket path"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn pwpolicyd_refuses_a_socket_directory_others_control_and_foreign_files() {
    // Regression (issue 12, point 4): in a directory an attacker can write,
    // a symlink swap after bind made a root-owned file 0666; a stale "socket"
    // was removed whatever it was.
    let (dir, db) = scratch();
    let start = |socket: &Path| {
        let out = Command::new(binary("pwpolicy-service", "pwpolicyd"))
            .args(["--socket", socket.to_str().unwrap(), "--db", &db])
            .args(["--config", "/dev/null"])
            .env("PWPOLICYD_LOG", "error")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let (code, stderr) = start(&shared.join("pw.sock"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("writable by others"), "{stderr}");
    assert!(!shared.join("pw.sock").exists());
    // Something that is not a socket at the path is left alone.
    let victim = dir.write("victim", "root's file\n");
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, stderr) = start(&victim);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("not a socket"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "root's file\n");
    let mode = std::fs::metadata(&victim).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let link = dir.path().join("link.sock");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let (code, stderr) = start(&link);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("symbolic link"), "{stderr}");
}

#[test]
fn socket_activation_and_the_systemd_units() {
    let Some(activate) = which("systemd-socket-activate") else {
        pwpolicy_tests::require!(false, "no systemd-socket-activate (package systemd)");
        return;
    };
    let (dir, db) = scratch();
    let socket = dir.path().join("activated.sock");
    let daemon = binary("pwpolicy-service", "pwpolicyd");
    let mut child = Command::new(activate)
        .args([
            "-l",
            socket.to_str().unwrap(),
            daemon.to_str().unwrap(),
            "--db",
            &db,
        ])
        .env("PWPOLICYD_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let reply = loop {
        // systemd-socket-activate listens at once and starts pwpolicyd on the
        // first connection, handing it the listening socket.
        match Service::new(socket.clone()).status(Some("erin")) {
            Ok(reply) => break reply,
            Err(e) => {
                assert!(
                    Instant::now() < deadline,
                    "no answer through the activated socket: {e}"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    };
    assert_eq!(reply.state, pwpolicy_backend::State::Unknown);
    let _ = child.kill();
    let _ = child.wait();

    let Some(analyze) = which("systemd-analyze") else {
        return;
    };
    let units = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/pwpolicy-service/systemd"
    );
    for unit in ["pwpolicyd.socket", "pwpolicyd.service"] {
        let text = std::fs::read_to_string(format!("{units}/{unit}")).unwrap();
        std::fs::write(
            dir.path().join(unit),
            text.replace("/usr/sbin/pwpolicyd", daemon.to_str().unwrap()),
        )
        .unwrap();
    }
    let out = run(
        &analyze,
        &[
            "verify",
            // The man pages are installed by the package (whose test
            // verifies with them); this host need not have them.
            "--man=no",
            dir.path().join("pwpolicyd.socket").to_str().unwrap(),
            dir.path().join("pwpolicyd.service").to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.code, 0, "{out:?}");
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(program))
            .find(|p| p.exists())
    })
}

/// The same command against a store directly (`--db`) and through a service
/// over another store with the same history: the outputs must be equal.
fn both(
    daemon: &Daemon,
    local_db: &str,
    config: &Path,
    args: &[&str],
    stdin: &str,
) -> (Output, Output) {
    let mut direct: Vec<&str> = args.to_vec();
    let config = config.to_str().unwrap();
    direct.extend(["--db", local_db, "--config", config]);
    let local = run(&pwpolicy(), &direct, stdin.as_bytes());
    let mut served: Vec<&str> = args.to_vec();
    served.extend(["--config", config]);
    (local, daemon.cli(false, &served, stdin))
}

/// A shadow file of `n` people whose passwords changed `days_ago` days ago.
fn people_shadow(n: usize, days_ago: i64) -> String {
    let day = time::OffsetDateTime::now_utc().unix_timestamp() / 86_400 - days_ago;
    (0..n)
        .map(|i| format!("person{i:05}:!:{}::::::\n", day - (i as i64 % 20)))
        .collect()
}

#[test]
fn report_through_the_service_past_540_users() {
    // Regression: the whole report was one frame (64 KiB), so a pwpolicyd
    // host's `pwpolicy report` failed past about 540 users.
    let (dir, db) = scratch();
    let local_db = dir
        .path()
        .join("state")
        .join("direct.db")
        .display()
        .to_string();
    let config = dir.path().join("policy.toml");
    let daemon = Daemon::start(dir.path(), "pw", &db, &[]);
    let shadow = dir.write("shadow", &people_shadow(5000, 80));
    for store in [&db, &local_db] {
        let out = run(
            &pwpolicy(),
            &[
                "import-shadow",
                "--all",
                shadow.to_str().unwrap(),
                "--db",
                store,
                "--config",
                config.to_str().unwrap(),
            ],
            b"",
        );
        assert_eq!(out.code, 0, "{out:?}");
    }
    for format in ["--json", "--csv"] {
        let (local, served) = both(
            &daemon,
            &local_db,
            &config,
            &["report", "--expiring-within", "30", format],
            "",
        );
        assert_eq!((local.code, served.code), (0, 0), "{served:?}");
        assert_eq!(
            served.stdout, local.stdout,
            "{format}: the service and the store disagree"
        );
    }
    let (local, _) = both(
        &daemon,
        &local_db,
        &config,
        &["report", "--expiring-within", "30", "--json"],
        "",
    );
    assert_eq!(local.json().as_array().unwrap().len(), 5000);
}

#[test]
fn every_verb_gives_the_same_answer_locally_and_through_the_service() {
    let (dir, db) = scratch();
    let local_db = dir
        .path()
        .join("state")
        .join("direct.db")
        .display()
        .to_string();
    let config = dir.path().join("policy.toml");
    std::fs::write(
        &config,
        "[history]\nmemory_kib = 64\niterations = 1\n[expiry]\nmin_age_days = 1\n",
    )
    .unwrap();
    let daemon = Daemon::start(dir.path(), "pw", &db, &[]);
    // (arguments, standard input, the exit code both must give)
    let steps: &[(&[&str], &str, i32)] = &[
        (
            &[
                "set-changed",
                "--create",
                "--user",
                "erin",
                "--date",
                "2026-01-02",
            ],
            "",
            0,
        ),
        (&["status", "--user", "erin", "--json"], "", 0),
        (
            &["change", "--user", "erin", "--json"],
            "Blue-Kettle-42\n",
            0,
        ),
        (
            &["change", "--user", "erin", "--json"],
            "Blue-Kettle-43\n",
            1,
        ),
        // Regression: --ignore-min-age was refused through the service.
        (
            &["change", "--user", "erin", "--json", "--ignore-min-age"],
            "Blue-Kettle-44\n",
            0,
        ),
        (
            &["change", "--user", "erin", "--json", "--ignore-min-age"],
            "Blue-Kettle-42\n",
            1,
        ),
        (
            &[
                "check",
                "--user",
                "erin",
                "--json",
                "--full-name",
                "Erin Hagens",
            ],
            "hagens\n",
            1,
        ),
        (&["check", "--json"], "Blue-Kettle-42\n", 0),
        (&["expire", "--create", "--user", "max"], "", 0),
        (&["status", "--user", "max", "--json"], "", 0),
        (&["status", "--user", "root", "--json"], "", 0),
        (&["report", "--expiring-within", "400", "--json"], "", 0),
        (
            &[
                "set-changed",
                "--create",
                "--user",
                "max",
                "--date",
                "20260102",
            ],
            "",
            2,
        ),
    ];
    for (args, stdin, code) in steps {
        let (local, served) = both(&daemon, &local_db, &config, args, stdin);
        assert_eq!(
            (local.code, &local.stdout),
            (served.code, &served.stdout),
            "{args:?}: local {local:?} / service {served:?}"
        );
        assert_eq!(local.code, *code, "{args:?}: {local:?}");
    }
    let (local, _) = both(
        &daemon,
        &local_db,
        &config,
        &["change", "--user", "erin", "--json"],
        "Blue-Kettle-45\n",
    );
    assert_eq!(
        local.json()["violations"][0]["code"],
        "too_recent",
        "{local:?}"
    );
}

#[test]
fn an_ordinary_users_check_never_confirms_their_current_password() {
    // Regressions: without --user, an ordinary user's check through the
    // service consulted no history; then it answered `reused` for the
    // current password, at once and without limit — a free password oracle
    // (issue 12, point 2). Now the newest entry is left out for callers who
    // are not administrators, and `reused` comes after a delay.
    pwpolicy_tests::require!(is_root(), "needs root");
    let (dir, db) = scratch();
    let daemon = Daemon::start(dir.path(), "pw", &db, &[]);
    for password in ["Old-Kettle-41\n", "Blue-Kettle-42\n"] {
        let out = daemon.cli(false, &["change", "--user", "nobody"], password);
        assert_eq!(out.code, 0, "{out:?}");
    }
    let out = daemon.cli(true, &["check", "--json"], "Blue-Kettle-42\n");
    assert_eq!(
        out.code, 0,
        "the current password is not confirmed: {out:?}"
    );
    assert_eq!(out.json()["history_checked"], true, "{out:?}");
    let started = Instant::now();
    let out = daemon.cli(true, &["check", "--json"], "Old-Kettle-41\n");
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.json()["violations"][0]["code"], "reused", "{out:?}");
    assert!(
        started.elapsed() >= Duration::from_secs(2), // pwpolicyd's REUSED_DELAY
        "a `reused` answer to an ordinary user comes after the delay"
    );
    // Root (passwd, after pam_unix took the current password) hears it all.
    let out = daemon.cli(
        false,
        &["check", "--json", "--user", "nobody"],
        "Blue-Kettle-42\n",
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.json()["violations"][0]["code"], "reused", "{out:?}");
}

#[test]
fn an_ordinary_users_similarity_check_is_slow_and_leaves_the_current_password_out() {
    // The stems are a history too: a variation of an old password is told
    // after the delay, a variation of the current one is not told at all
    // (it would confirm a guess of the current password's letters).
    pwpolicy_tests::require!(is_root(), "needs root");
    let (dir, db) = scratch();
    let config = dir.write(
        "policy.toml",
        "[history]\nsimilarity = true\nmemory_kib = 64\niterations = 1\n",
    );
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let daemon = Daemon::start(dir.path(), "pw", &db, &[]);
    for password in ["Old-Kettle-41\n", "Blue-Orbit-42\n"] {
        let out = daemon.cli(false, &["change", "--user", "nobody"], password);
        assert_eq!(out.code, 0, "{out:?}");
    }
    let out = daemon.cli(true, &["check", "--json"], "blue!orbit!2026\n");
    assert_eq!(
        out.code, 0,
        "the current password's stem is not confirmed: {out:?}"
    );
    let started = Instant::now();
    let out = daemon.cli(true, &["check", "--json"], "OLD-kettle-2026\n");
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.json()["violations"][0]["code"],
        "similar_to_history",
        "{out:?}"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(2), // pwpolicyd's REUSED_DELAY
        "a `similar_to_history` answer to an ordinary user comes after the delay"
    );
    // Root, after pam_unix took the current password, hears it all.
    let out = daemon.cli(
        false,
        &["check", "--json", "--user", "nobody"],
        "blue!orbit!2026\n",
    );
    assert_eq!(
        out.json()["violations"][0]["code"],
        "similar_to_history",
        "{out:?}"
    );
}

#[test]
fn pam_refuses_a_service_answer_that_lacks_its_violations() {
    // Regression: the module read the service's JSON by key, and a reply
    // without `violations` read as "no violations": accepted.
    let dir = TestDir::new();
    let socket = dir.path().join("fake.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let fake = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut len = [0u8; 4];
        stream.read_exact(&mut len).unwrap();
        let mut request = vec![0u8; u32::from_be_bytes(len) as usize];
        stream.read_exact(&mut request).unwrap();
        let answer = br#"{"v":3,"ok":{"check":{"accepted":true,"history_checked":true}}}"#;
        stream
            .write_all(&(answer.len() as u32).to_be_bytes())
            .unwrap();
        stream.write_all(answer).unwrap();
    });
    let pamd = dir.path().join("pam.d");
    std::fs::create_dir(&pamd).unwrap();
    let config = dir.write("policy.toml", "");
    std::fs::write(
        pamd.join("pw"),
        format!(
            "password requisite {} config={} socket={} enforce_for_root retry=1\npassword requisite pam_permit.so\n",
            pam_module().display(),
            config.display(),
            socket.display()
        ),
    )
    .unwrap();
    let v = change_through_pam(&pamd, "Blue-Kettle-42").json();
    fake.join().unwrap();
    assert_ne!(
        v["result"], 0,
        "a garbled answer must not accept the password: {v}"
    );
    assert_eq!(v["result"], 9, "on_error=fail: PAM_AUTHINFO_UNAVAIL: {v}");
}

#[test]
fn debug_logs_never_show_hashes_or_salts_of_a_postgresql_store() {
    // Regression: PWPOLICYD_LOG=debug let the PostgreSQL client log its
    // statement parameters: argon2id hashes and salts.
    let Some(url) = pg_database() else { return };
    let (dir, _) = scratch();
    let log = dir.path().join("pwpolicyd.log");
    let mut daemon = Daemon::start_logging(dir.path(), "debug", &url, "debug", log.clone());
    let mut client = daemon.client();
    for password in ["Blue-Kettle-42", "Blue-Kettle-43"] {
        let answer = client
            .commit(&CommitRequest {
                user: "erin",
                password: &secret(password),
                enforce_min_age: false,
                allow_reuse: false,
                prehashed: None,
            })
            .unwrap();
        assert!(answer.changed, "{answer:?}");
    }
    daemon.kill();
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("request"), "debug logging is on: {logged}");
    assert!(
        !logged.contains("$argon2id$"),
        "a hash was logged:\n{logged}"
    );
    assert!(!logged.contains("Blue-Kettle"), "a password was logged");
}

#[test]
fn account_names_built_to_forge_log_lines_are_logged_escaped() {
    // Regression (issue 27): a name a client sends went raw into the line
    // pwpolicyd logs for a request that failed on it.
    let (dir, db) = scratch();
    let log = dir.path().join("pwpolicyd.log");
    let mut daemon = Daemon::start_logging(dir.path(), "names", &db, "info", log.clone());
    let mut client = daemon.client();
    // Names the store refuses (control characters) and names it does not
    // (a right-to-left override), in every request that logs one.
    let forged = "erin\nFAKE: Password accepted.\x1b[2J";
    let reversed = "erin\u{202e}nimda";
    for user in [forged, reversed] {
        let _ = client.expire(user, false);
        let _ = client.set_changed(user, "2026-01-01", false);
        let _ = client.check(&CheckRequest {
            user: Some(user),
            full_name: Some(user),
            password: &secret("Blue-Kettle-42"),
            enforce_min_age: false,
            prepare: false,
        });
    }
    daemon.kill();
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("no account erin\\u{202e}nimda"),
        "the failed request is logged, its name escaped:\n{logged}"
    );
    pwpolicy_tests::assert_no_forged_line(&logged);
}

/// `service_attack --role ROLE` (benches) as `user` against `daemon`.
fn attack_role(daemon: &Daemon, user: &str, role: &str, extra: &[&str]) -> Child {
    let tool = binary("pwpolicy-benches", "service_attack");
    Command::new("runuser")
        .args(["-u", user, "--"])
        .arg(tool)
        .args(["--role", role, "--socket", daemon.socket.to_str().unwrap()])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The numbers a role printed on its one line.
fn printed(child: Child) -> Vec<u64> {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect()
}

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

/// A daemon on the built-in policy (default argon2id cost), where root has
/// given `nobody` and `daemon` two passwords each.
fn loaded_daemon(dir: &TestDir, db: &str, extra: &[&str]) -> Daemon {
    let config = dir.write("policy.toml", "");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let daemon = Daemon::start(dir.path(), "pw", db, extra);
    let mut root = daemon.client();
    for user in ["nobody", "daemon"] {
        for password in ["Old-Kettle-41", "Blue-Kettle-42"] {
            root.commit(&CommitRequest {
                user,
                password: &secret(password),
                enforce_min_age: false,
                allow_reuse: false,
                prehashed: None,
            })
            .unwrap();
        }
    }
    daemon
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|l| l.split_whitespace().next())
        .map_or(0, |n| n.parse().unwrap())
}

#[test]
fn one_users_check_loop_neither_starves_others_nor_grows_memory() {
    // Regression (issue 12, point 3): 16 connections of one user looping
    // `check` pushed another user's checks from 19 to 289 ms p50 and RSS to
    // 712 MiB. The argon2 gate serves the uid served longest ago first and
    // holds at most --hash-slots runs, so with the buckets opened wide (this
    // measures the gate alone) the other user waits for at most one run.
    pwpolicy_tests::require!(is_root(), "needs root");
    let (dir, db) = scratch();
    let unlimited = ["--user-burst", "1000000", "--user-rate", "1000000"];
    let mut extra = vec!["--hash-slots", "1"];
    extra.extend(unlimited);
    let daemon = loaded_daemon(&dir, &db, &extra);
    let quiet = printed(attack_role(
        &daemon,
        "daemon",
        "victim",
        &["--seconds", "3", "--every", "100"],
    ));
    let attack = attack_role(
        &daemon,
        "nobody",
        "attacker",
        &["--connections", "16", "--seconds", "6"],
    );
    std::thread::sleep(Duration::from_secs(1));
    let pid = daemon.child.id();
    let peak = std::thread::spawn(move || {
        let mut peak = 0;
        for _ in 0..40 {
            peak = peak.max(rss_kib(pid));
            std::thread::sleep(Duration::from_millis(100));
        }
        peak
    });
    let loud = printed(attack_role(
        &daemon,
        "daemon",
        "victim",
        &["--seconds", "3", "--every", "100"],
    ));
    let answered = printed(attack)[0];
    let peak_mib = peak.join().unwrap() / 1024;
    let (quiet, loud) = (median(quiet), median(loud));
    eprintln!(
        "other user's check p50: {quiet} µs unloaded, {loud} µs under attack; attacker answered {answered}; peak RSS {peak_mib} MiB"
    );
    assert!(answered >= 20, "the attack ran: {answered} answers");
    assert!(
        loud <= 3 * quiet + 30_000,
        "another user's check went from {quiet} to {loud} µs p50"
    );
    assert!(
        peak_mib < 160,
        "RSS is bounded by the slots: {peak_mib} MiB"
    );
}

#[test]
fn one_user_is_rate_limited_and_root_per_account() {
    // The buckets at their defaults: ten checks at once, then one a second
    // per ordinary uid; refused callers get `busy` after the longest wait.
    pwpolicy_tests::require!(is_root(), "needs root");
    let (dir, db) = scratch();
    let daemon = loaded_daemon(&dir, &db, &[]);
    let started = Instant::now();
    let counts = printed(attack_role(
        &daemon,
        "nobody",
        "attacker",
        &["--connections", "4", "--seconds", "5"],
    ));
    let seconds = started.elapsed().as_secs();
    let (answered, refused) = (counts[0], counts[1]);
    assert!(refused > 0, "the loop was refused: {counts:?}");
    assert!(
        answered <= 10 + seconds + 2,
        "burst 10, then 1/s: {answered} answers in {seconds} s"
    );
    // Meanwhile another user's bucket is full, and root's requests for many
    // accounts (a morning of forced changes through passwd) pass.
    let other = printed(attack_role(
        &daemon,
        "daemon",
        "victim",
        &["--seconds", "1", "--every", "100"],
    ));
    assert!(!other.is_empty());
    let mut root = daemon.client();
    for i in 0..300 {
        let answer = root.check(&CheckRequest {
            user: Some(&format!("user{i}")),
            full_name: None,
            password: &secret("Blue-Kettle-42"),
            enforce_min_age: false,
            prepare: false,
        });
        assert!(answer.is_ok(), "root, account {i}: {answer:?}");
    }
}

#[test]
fn pwpolicyd_screens_against_its_list_and_follows_a_replaced_one() {
    let (dir, db) = scratch();
    let scratch_dir = TestDir::new();
    let list = dir.path().join("breached.pwbf");
    let publish = |passwords: &[&str]| {
        // Built elsewhere and renamed into place, as the docs tell admins to.
        let built = pwpolicy_tests::breach_filter(&scratch_dir, "new.pwbf", passwords, "sha1");
        std::fs::rename(&built, &list).unwrap();
    };
    publish(&["Winter2025!"]);
    std::fs::write(
        dir.path().join("policy.toml"),
        format!(
            "[history]\nmemory_kib = 64\niterations = 1\n[breached]\nfile = \"{}\"\n",
            list.display()
        ),
    )
    .unwrap();
    let daemon = Daemon::start(dir.path(), "pw", &db, &[]);
    let check = |password: &str| {
        daemon.cli(
            false,
            &["check", "--user", "erin", "--json"],
            &format!("{password}\n"),
        )
    };
    let out = check("Winter2025!");
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.json()["violations"][0]["code"], "breached");
    assert_eq!(check("Spring2026!x").code, 0);
    // The same change through the service refuses it too.
    let out = daemon.cli(
        false,
        &["change", "--user", "erin", "--json"],
        "Winter2025!\n",
    );
    assert_eq!(out.code, 1, "{out:?}");

    publish(&["Spring2026!x"]);
    assert_eq!(check("Spring2026!x").code, 1, "the new list is used");
    assert_eq!(check("Winter2025!").code, 0, "the old one is not");

    // A broken replacement is an error from the service, never a pass.
    let broken = scratch_dir.write("broken.pwbf", "not a filter\n");
    std::fs::rename(&broken, &list).unwrap();
    let out = check("Blue-Kettle-42");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("breached-password list"),
        "{}",
        out.stderr
    );
}

/// Issue 22: pwpolicyd told an ordinary caller the paths and modes of
/// root's pepper and lists in its `store_unavailable` answers. They hear
/// only that the service is misconfigured; an administrator hears why.
#[test]
fn an_ordinary_caller_hears_only_that_the_service_is_misconfigured() {
    pwpolicy_tests::require!(is_root(), "needs root to run clients as nobody");
    let (dir, db) = scratch();
    let secrets = dir.path().join("secrets");
    std::fs::create_dir(&secrets).unwrap();
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o700)).unwrap();
    let pepper = secrets.join("history-pepper");
    std::fs::write(&pepper, "c2l4dGVlbi1ieXRlcy1vZi1zZWNyZXQ=\n").unwrap();
    std::fs::set_permissions(&pepper, std::fs::Permissions::from_mode(0o644)).unwrap();
    let config = dir.write(
        "policy.toml",
        &format!(
            "[history]\nmemory_kib = 64\niterations = 1\npepper_file = \"{}\"\n",
            pepper.display()
        ),
    );
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let daemon = Daemon::start(dir.path(), "pw", &db, &[]);
    let ordinary = daemon.cli(true, &["check", "--json"], "Blue-Kettle-42\n");
    assert_eq!(ordinary.code, 2, "{ordinary:?}");
    let said = format!("{}{}", ordinary.stdout, ordinary.stderr);
    assert!(said.contains("misconfigured"), "{said}");
    assert!(
        !said.contains("history-pepper") && !said.contains("0644") && !said.contains("secrets"),
        "an ordinary caller learns nothing of root's files: {said}"
    );
    let admin = daemon.cli(
        false,
        &["check", "--user", "erin", "--json"],
        "Blue-Kettle-42\n",
    );
    assert_eq!(admin.code, 2, "{admin:?}");
    assert!(
        admin.stderr.contains("history-pepper") && admin.stderr.contains("chmod 600"),
        "{admin:?}"
    );
    // An ordinary caller's names are the passwd database's: a full name
    // in the request does not make the name rule run over it.
    drop(daemon);
    std::fs::write(&config, "[history]\nmemory_kib = 64\niterations = 1\n").unwrap();
    let daemon = Daemon::start(dir.path(), "pw2", &db, &[]);
    let args = ["check", "--full-name", "Quixote Zebra", "--json"];
    let ordinary = daemon.cli(true, &args, "Zebra-Kettle-42\n");
    assert_eq!(ordinary.json()["accepted"], true, "{ordinary:?}");
    let admin = daemon.cli(false, &args, "Zebra-Kettle-42\n");
    assert_eq!(
        admin.json()["violations"][0]["code"],
        "contains_name_part",
        "{admin:?}"
    );
}
