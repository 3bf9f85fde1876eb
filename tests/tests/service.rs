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

use pwpolicy_service::{Client, ClientError, Request, Secret};
use pwpolicy_tests::{
    Output, TestDir, binary, is_root, pam_driver, pam_module, pg_database, pwpolicy, run,
};
use serde_json::Value;

/// A running pwpolicyd, killed on drop.
struct Daemon {
    child: Child,
    socket: PathBuf,
    args: Vec<String>,
}

impl Daemon {
    fn start(dir: &Path, name: &str, db: &str, extra: &[&str]) -> Daemon {
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
        let child = spawn(&args);
        let daemon = Daemon {
            child,
            socket,
            args,
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
        self.child = spawn(&self.args);
        self.wait_ready();
    }

    fn client(&self) -> Client {
        Client::connect(&self.socket).unwrap()
    }

    /// The CLI against this service (`--socket`), optionally as `nobody`.
    fn cli(&self, as_nobody: bool, args: &[&str], stdin: &str) -> Output {
        let socket = self.socket.display().to_string();
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--socket", &socket]);
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

fn spawn(args: &[String]) -> Child {
    Command::new(binary("pwpolicy-service", "pwpolicyd"))
        .args(args)
        .env("PWPOLICYD_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
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

fn secret(s: &str) -> Secret {
    Secret(zeroize::Zeroizing::new(s.to_owned()))
}

#[test]
fn ordinary_users_see_their_own_expiry_and_nobody_elses() {
    if !is_root() {
        eprintln!(
            "SKIPPED ordinary_users_see_their_own_expiry_and_nobody_elses: needs root to run clients as nobody"
        );
        return;
    }
    let (dir, db) = scratch();
    let daemon = Daemon::start(dir.path(), "pw", &db, &[]);
    let ten_days_ago =
        pwpolicy::format_date(time::OffsetDateTime::now_utc().date() - time::Duration::days(10));
    for user in ["nobody", "root"] {
        let out = daemon.cli(
            false,
            &["set-changed", "--user", user, "--date", &ten_days_ago],
            "",
        );
        assert_eq!(out.code, 0, "{out:?}");
    }
    // nobody asks about themselves: no --user needed, the kernel says who they are.
    let out = daemon.cli(true, &["status", "--json"], "");
    assert_eq!(out.code, 0, "{out:?}");
    let status = out.json();
    assert_eq!(
        (status["user"].as_str(), status["days_left"].as_i64()),
        (Some("nobody"), Some(80))
    );
    assert_eq!(
        daemon.cli(true, &["status", "--user", "nobody"], "").code,
        0
    );
    // …and is refused anyone else, and the admin verbs.
    for args in [
        vec!["status", "--user", "root"],
        vec!["report", "--expiring-within", "100"],
        vec!["expire", "--user", "nobody"],
        vec!["set-changed", "--user", "nobody", "--date", "today"],
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
    // Root sees everyone.
    let out = daemon.cli(false, &["report", "--expiring-within", "100", "--json"], "");
    assert_eq!(out.json().as_array().unwrap().len(), 2, "{out:?}");
}

#[test]
fn an_admin_group_member_may_administer() {
    if !is_root() {
        eprintln!(
            "SKIPPED an_admin_group_member_may_administer: needs root to run clients as nobody"
        );
        return;
    }
    let (dir, db) = scratch();
    let daemon = Daemon::start(dir.path(), "pw", &db, &["--admin-group", "nogroup"]);
    let out = daemon.cli(true, &["report", "--expiring-within", "10", "--json"], "");
    assert_eq!(out.code, 0, "nobody is in nogroup: {out:?}");
    assert_eq!(daemon.cli(true, &["expire", "--user", "erin"], "").code, 0);
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
    // The service refuses what it does not offer, clearly.
    let out = daemon.cli(false, &["history", "clear", "--user", "erin"], "");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not through the service"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_pam_module_enforces_history_and_expiry_through_the_service() {
    let (dir, db) = scratch();
    let daemon = Daemon::start(dir.path(), "pw", &db, &[]);
    let pamd = dir.path().join("pam.d");
    std::fs::create_dir(&pamd).unwrap();
    let module = format!(
        "{} socket={}",
        pam_module().display(),
        daemon.socket.display()
    );
    std::fs::write(
        pamd.join("pw"),
        format!(
            "password requisite {module} enforce_for_root retry=1\npassword requisite pam_permit.so\n\
             password optional {module} commit\naccount required {module}\n"
        ),
    )
    .unwrap();
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
    assert!(again.to_string().contains("was used before"), "{again}");
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
                &["set-changed", "--user", "erin", "--date", &long_ago],
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
    assert_eq!(host_b.cli(false, &["expire", "--user", "erin"], "").code, 0);
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
    assert_eq!(
        reply(&mut raw, br#"{"v":1,"op":"status","user":"erin"}"#)["ok"],
        true
    );
    // An oversized frame is refused and the connection closed.
    let mut big = UnixStream::connect(&daemon.socket).unwrap();
    big.write_all(&(1u32 << 30).to_be_bytes()).unwrap();
    let mut len = [0u8; 4];
    big.read_exact(&mut len).unwrap();
    // A client that sends half a request and stalls is cut off after the timeout…
    let mut slow = UnixStream::connect(&daemon.socket).unwrap();
    slow.write_all(&100u32.to_be_bytes()).unwrap();
    slow.write_all(b"{\"v\":1,").unwrap();
    // …while others are served meanwhile.
    let started = Instant::now();
    let mut client = daemon.client();
    client
        .call(Request::Status {
            user: Some("erin".into()),
        })
        .unwrap();
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
    let held: Vec<Client> = (0..2)
        .map(|_| {
            let mut c = daemon.client();
            c.call(Request::Status {
                user: Some("erin".into()),
            })
            .unwrap();
            c
        })
        .collect();
    let err = daemon
        .client()
        .call(Request::Status {
            user: Some("erin".into()),
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::Refused {
                kind: pwpolicy_service::protocol::ErrorKind::Busy,
                ..
            }
        ),
        "{err}"
    );
    drop(held);
    std::thread::sleep(Duration::from_millis(100));
    daemon
        .client()
        .call(Request::Status {
            user: Some("erin".into()),
        })
        .unwrap();
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
                    let result = Client::connect(&socket).and_then(|mut c| {
                        c.call(Request::Commit {
                            user: user.clone(),
                            password: secret(&password),
                            enforce_min_age: false,
                            allow_reuse: false,
                        })
                    });
                    match result {
                        Ok(reply) if reply["changed"] == true => {
                            acked.lock().unwrap().push((user, password))
                        }
                        Ok(reply) => panic!("unexpected refusal: {reply}"),
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
            .call(Request::Check {
                user: user.clone(),
                full_name: String::new(),
                password: secret(password),
            })
            .unwrap();
        assert_eq!(
            reply["violations"][0]["code"], "reused",
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
fn socket_activation_and_the_systemd_units() {
    let Some(activate) = which("systemd-socket-activate") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have systemd-socket-activate (package systemd)"
        );
        eprintln!("SKIPPED socket_activation_and_the_systemd_units: no systemd-socket-activate");
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
        match Client::connect(&socket).and_then(|mut c| {
            c.call(Request::Status {
                user: Some("erin".into()),
            })
        }) {
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
    assert_eq!(reply["status"]["state"], "unknown");
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
