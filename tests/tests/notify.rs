//! `pwpolicy notify` against a real SMTP server on loopback (Debian's
//! python3-aiosmtpd, `tests/src/smtp_server.py`) that requires STARTTLS
//! and AUTH with a certificate from the test's own CA: who gets which
//! reminder, once; what a server that is down, unverified, plain, refusing
//! or stopping does to a run (nothing lost, nothing sent twice); the cap;
//! the administrator's summary.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use pwpolicy_tests::smtp::{Mode, Options, Received, SmtpServer};
use pwpolicy_tests::{Output, TestDir, pwpolicy_run};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

const LOGIN: (&str, &str) = ("pwpolicy-mailer", "Smtp-Login-Secret-7");

/// A store of accounts at known ages, and the files a policy names.
struct World {
    dir: TestDir,
    db: String,
    ca: PathBuf,
    password_file: PathBuf,
}

/// `days` ago, as `set-changed --date` takes it.
fn day(days_ago: i64) -> String {
    let d = OffsetDateTime::now_utc().date() - Duration::days(days_ago);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

impl World {
    /// A new world, or `None` (the test skipped, which fails under CI)
    /// when the SMTP server cannot run here.
    fn new() -> Option<World> {
        if !std::path::Path::new("/usr/lib/python3/dist-packages/aiosmtpd").exists() {
            pwpolicy_tests::skip(
                "a notify test",
                "python3-aiosmtpd is not installed (scripts/test.sh installs it)",
            );
            return None;
        }
        let dir = TestDir::new();
        let ca = pwpolicy_tests::tls::certificates(dir.path());
        let password_file = dir.write("smtp-password", &format!("{}\n", LOGIN.1));
        std::fs::set_permissions(&password_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let db = dir.path().join("state.db").display().to_string();
        Some(World {
            dir,
            db,
            ca,
            password_file,
        })
    }

    fn server(&self, mode: Mode) -> SmtpServer {
        self.server_with(Options {
            mode,
            login: Some((LOGIN.0.into(), LOGIN.1.into())),
            refuse: vec![],
            stop_after: None,
        })
    }

    fn server_with(&self, options: Options) -> SmtpServer {
        SmtpServer::start(self.dir.path(), &options)
    }

    /// Records `user`'s last change `days_ago`.
    fn changed(&self, user: &str, days_ago: i64) {
        let out = pwpolicy_run(
            &[
                "set-changed",
                "--user",
                user,
                "--date",
                &day(days_ago),
                "--create",
                "--db",
                &self.db,
            ],
            b"",
        );
        assert_eq!(out.code, 0, "set-changed {user}: {out:?}");
    }

    /// A policy with a never-expiring `mail` class reminded yearly, and
    /// `[notify]` sending through `url` with the CA and login, plus `extra`.
    fn policy(&self, url: &str, extra: &str) -> PathBuf {
        self.policy_named("pwpolicy.toml", url, extra)
    }

    fn policy_named(&self, name: &str, url: &str, extra: &str) -> PathBuf {
        self.dir.write(
            name,
            &format!(
                "[[accounts.class]]\nname = \"mail\"\nusers = [\"m_never\", \"m_annual\"]\n\
                 max_age_days = 0\nremind_after_days = 365\n\n\
                 [notify]\nsmtp = \"{url}\"\nusername = \"{}\"\npassword_file = \"{}\"\n\
                 from = \"Password reminders <pwpolicy@example.org>\"\n\
                 to = \"{{user}}@example.org\"\ntimeout_seconds = 5\n{extra}",
                LOGIN.0,
                self.password_file.display()
            ),
        )
    }

    fn ca_line(&self) -> String {
        format!("ca_file = \"{}\"\n", self.ca.display())
    }

    fn notify(&self, config: &std::path::Path, args: &[&str]) -> Output {
        let mut all = vec![
            "notify",
            "--json",
            "--db",
            &self.db,
            "--config",
            config.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        pwpolicy_run(&all, b"")
    }
}

/// `(user, reason)` of each message a run printed, sorted.
fn messages(out: &Output) -> Vec<(String, String)> {
    let json = out.json();
    let mut m: Vec<(String, String)> = json["messages"]
        .as_array()
        .unwrap_or_else(|| panic!("no messages in {out:?}"))
        .iter()
        .map(|m| {
            (
                m["user"].as_str().unwrap().to_owned(),
                m["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    m.sort();
    m
}

/// The users whose reminders the server took (the admin's summary left out).
fn recipients(mail: &[Received]) -> Vec<String> {
    let mut r: Vec<String> = mail
        .iter()
        .flat_map(|m| m.rcpt_tos.clone())
        .filter(|r| r != "admins@example.org")
        .collect();
    r.sort();
    r
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .iter()
        .map(|(u, r)| ((*u).to_owned(), (*r).to_owned()))
        .collect();
    v.sort();
    v
}

/// Seven accounts due a reminder (one of each reason, three thresholds) and
/// one that is not.
fn populate(world: &World) -> Vec<(String, String)> {
    world.changed("e14", 76); // 14 days left
    world.changed("e10", 80); // 10 days left: the 14-day reminder
    world.changed("e7", 83); // 7 days left
    world.changed("gone", 100); // expired
    world.changed("forced", 5);
    let out = pwpolicy_run(&["expire", "--user", "forced", "--db", &world.db], b"");
    assert_eq!(out.code, 0, "{out:?}");
    world.changed("fresh", 10); // 80 days left: nothing
    // Set before anything saw the account: still its first password.
    world.changed("m_never", 400);
    // Seen 500 days ago, changed 400 days ago: a yearly reminder.
    world.changed("m_annual", 400);
    let conn = rusqlite::Connection::open(&world.db).unwrap();
    let seen = OffsetDateTime::now_utc().unix_timestamp() - 500 * 86_400;
    assert_eq!(
        conn.execute(
            "UPDATE users SET first_seen = ?1 WHERE name = 'm_annual'",
            [seen]
        )
        .unwrap(),
        1
    );
    pairs(&[
        ("e10", "expiring"),
        ("e14", "expiring"),
        ("e7", "expiring"),
        ("forced", "must_change"),
        ("gone", "expired"),
        ("m_annual", "annual"),
        ("m_never", "never_changed"),
    ])
}

#[test]
fn each_reminder_arrives_once_over_starttls_with_auth_and_the_admin_gets_the_picture() {
    let Some(world) = World::new() else { return };
    let due = populate(&world);
    let server = world.server(Mode::StartTls);
    let config = world.policy(
        &format!("smtp://localhost:{}", server.port()),
        &format!("{}admin = \"admins@example.org\"\n", world.ca_line()),
    );

    // The dry run lists, sends nothing and records nothing.
    let dry = world.notify(&config, &[]);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert_eq!(dry.json()["dry_run"], Value::Bool(true));
    assert_eq!(messages(&dry), due, "{dry:?}");
    let e7 = dry.json()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user"] == "e7")
        .cloned()
        .unwrap();
    assert_eq!(e7["to"], "e7@example.org");
    assert_eq!(e7["days_left"], 7);
    assert!(e7["expires"].as_str().is_some(), "{e7}");
    assert!(server.received().is_empty());
    assert_eq!(
        messages(&world.notify(&config, &[])),
        due,
        "a dry run records nothing"
    );

    // The first --send sends each once, encrypted and logged in.
    let sent = world.notify(&config, &["--send"]);
    assert_eq!(sent.code, 0, "{sent:?}");
    assert_eq!(sent.json()["dry_run"], Value::Bool(false));
    assert_eq!(messages(&sent), due);
    let mail = server.received();
    let mut want: Vec<String> = due
        .iter()
        .map(|(u, _)| format!("{u}@example.org"))
        .collect();
    want.sort();
    assert_eq!(recipients(&mail), want);
    for m in &mail {
        assert!(m.tls && m.authenticated, "{m:?}");
        assert_eq!(m.mail_from, "pwpolicy@example.org");
        assert_eq!(m.rcpt_tos.len(), 1, "{m:?}");
    }
    let to_e7 = mail
        .iter()
        .find(|m| m.rcpt_tos == ["e7@example.org"])
        .unwrap();
    assert_eq!(
        to_e7.header("Subject").as_deref(),
        Some("Your password expires in 7 days")
    );
    assert!(
        to_e7.data.contains("passwd"),
        "how to change it: {}",
        to_e7.data
    );
    assert!(
        to_e7.data.contains("at least 8 characters"),
        "the rules: {}",
        to_e7.data
    );
    let never = mail
        .iter()
        .find(|m| m.rcpt_tos == ["m_never@example.org"])
        .unwrap();
    assert_eq!(
        never.header("Subject").as_deref(),
        Some("You have never changed your password")
    );

    // The administrator's summary: counts, and the page attached.
    let summaries: Vec<&Received> = mail
        .iter()
        .filter(|m| m.rcpt_tos == ["admins@example.org"])
        .collect();
    assert_eq!(summaries.len(), 1);
    let summary = summaries[0];
    assert!(
        summary
            .header("Subject")
            .is_some_and(|s| s.contains("7 reminders sent")),
        "{:?}",
        summary.header("Subject")
    );
    assert!(
        summary.data.contains("password-expiry.html"),
        "{}",
        summary.data
    );
    assert!(summary.data.contains("text/html"), "{}", summary.data);

    // Again: nothing more to anyone, in a send or a dry run.
    let again = world.notify(&config, &["--send"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(messages(&again), vec![]);
    assert_eq!(
        recipients(&server.received()),
        want,
        "nobody got a second one"
    );
    assert_eq!(messages(&world.notify(&config, &[])), vec![]);

    // A change starts a new cycle: e7's new password is 0 days old and due
    // nothing; the others are untouched.
    world.changed("e7", 0);
    assert_eq!(messages(&world.notify(&config, &[])), vec![]);
}

#[test]
fn a_server_that_is_down_or_unverified_fails_the_run_and_loses_nothing() {
    let Some(world) = World::new() else { return };
    let due = populate(&world);

    // Nothing listens: exit 2 before anything is claimed.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let config = world.policy(&format!("smtp://localhost:{closed}"), &world.ca_line());
    let down = world.notify(&config, &["--send"]);
    assert_eq!(down.code, 2, "{down:?}");
    assert!(down.stderr.contains("mail server"), "{}", down.stderr);
    assert_eq!(
        messages(&world.notify(&config, &[])),
        due,
        "nothing was recorded"
    );

    // A server whose certificate nothing here trusts: exit 2, nothing sent.
    let server = world.server(Mode::StartTls);
    let url = format!("smtp://localhost:{}", server.port());
    let untrusted = world.policy_named("untrusted.toml", &url, "");
    let refused = world.notify(&untrusted, &["--send"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("ca_file"), "{}", refused.stderr);
    assert!(server.received().is_empty());
    // The name must match too: 127.0.0.1 is in the certificate, a wrong
    // name is not.
    let wrong_name = world.policy_named(
        "wrong-name.toml",
        &format!("smtp://127.0.0.2:{}", server.port()),
        &world.ca_line(),
    );
    let wrong = world.notify(&wrong_name, &["--send"]);
    assert_eq!(wrong.code, 2, "{wrong:?}");

    // With the CA named, the next run sends every one of them.
    let trusted = world.policy_named("trusted.toml", &url, &world.ca_line());
    let sent = world.notify(&trusted, &["--send"]);
    assert_eq!(sent.code, 0, "{sent:?}");
    assert_eq!(messages(&sent), due);
    assert_eq!(recipients(&server.received()).len(), due.len());

    // A wrong login is a run that cannot start either.
    let bad_login = world.dir.write("bad-password", "not-the-password\n");
    std::fs::set_permissions(&bad_login, std::fs::Permissions::from_mode(0o600)).unwrap();
    let text = std::fs::read_to_string(&trusted).unwrap().replace(
        world.password_file.to_str().unwrap(),
        bad_login.to_str().unwrap(),
    );
    let bad = world.dir.write("bad-login.toml", &text);
    let out = world.notify(&bad, &["--send"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(!out.stderr.contains("not-the-password"), "{}", out.stderr);
}

#[test]
fn plain_text_only_when_the_file_says_so_and_smtps_from_the_first_byte() {
    let Some(world) = World::new() else { return };
    world.changed("e7", 83);
    let plain = world.server(Mode::Plain);
    let url = format!("smtp://localhost:{}", plain.port());
    let config = world.policy(&url, &world.ca_line());
    let refused = world.notify(&config, &["--send"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(plain.received().is_empty(), "no mail, no login in clear");

    let clear = world.policy_named(
        "clear.toml",
        &url,
        &format!("{}starttls = false\n", world.ca_line()),
    );
    let sent = world.notify(&clear, &["--send"]);
    assert_eq!(sent.code, 0, "{sent:?}");
    assert!(sent.stderr.contains("without TLS"), "{}", sent.stderr);
    let mail = plain.received();
    assert_eq!(recipients(&mail), ["e7@example.org"]);
    assert!(!mail[0].tls);

    world.changed("e3", 87);
    let tls = world.server(Mode::Tls);
    let smtps = world.policy_named(
        "smtps.toml",
        &format!("smtps://localhost:{}", tls.port()),
        &world.ca_line(),
    );
    let sent = world.notify(&smtps, &["--send"]);
    assert_eq!(sent.code, 0, "{sent:?}");
    let mail = tls.received();
    assert_eq!(recipients(&mail), ["e3@example.org"]);
    assert!(mail[0].tls && mail[0].authenticated);
}

#[test]
fn the_cap_leaves_the_rest_for_the_next_run() {
    let Some(world) = World::new() else { return };
    for i in 0..5 {
        world.changed(&format!("u{i}"), 83);
    }
    let server = world.server(Mode::StartTls);
    let config = world.policy(
        &format!("smtp://localhost:{}", server.port()),
        &format!("{}max_per_run = 2\n", world.ca_line()),
    );
    for (run, (sent, waiting)) in [(2, 3), (2, 1), (1, 0), (0, 0)].into_iter().enumerate() {
        let out = world.notify(&config, &["--send"]);
        assert_eq!(out.code, 0, "run {run}: {out:?}");
        assert_eq!(messages(&out).len(), sent, "run {run}: {out:?}");
        assert_eq!(out.json()["waiting"], waiting, "run {run}: {out:?}");
        if waiting > 0 {
            assert!(
                out.stderr.contains(&format!("{waiting} reminder"))
                    && out.stderr.contains("max_per_run"),
                "{}",
                out.stderr
            );
        }
    }
    let got = recipients(&server.received());
    assert_eq!(got.len(), 5, "each once: {got:?}");
    let mut unique = got.clone();
    unique.dedup();
    assert_eq!(unique, got);
}

#[test]
fn a_refused_recipient_stays_due_and_a_server_that_stops_stops_the_run() {
    let Some(world) = World::new() else { return };
    for i in 0..4 {
        world.changed(&format!("u{i}"), 83);
    }
    let refusing = world.server_with(Options {
        mode: Mode::StartTls,
        login: Some((LOGIN.0.into(), LOGIN.1.into())),
        refuse: vec!["u1@example.org".into()],
        stop_after: None,
    });
    let config = world.policy(
        &format!("smtp://localhost:{}", refusing.port()),
        &world.ca_line(),
    );
    let out = world.notify(&config, &["--send"]);
    assert_eq!(out.code, 1, "{out:?}");
    let failed = out.json()["failed"].clone();
    assert_eq!(failed.as_array().unwrap().len(), 1, "{failed}");
    assert_eq!(failed[0]["user"], "u1");
    assert!(
        failed[0]["error"].as_str().unwrap().contains("550"),
        "{failed}"
    );
    assert_eq!(recipients(&refusing.received()).len(), 3);
    drop(refusing);

    // u1 is still due; a server that takes one message and then says
    // "try later" takes it, and the run stops there.
    world.changed("u4", 83);
    world.changed("u5", 83);
    let stopping = world.server_with(Options {
        mode: Mode::StartTls,
        login: Some((LOGIN.0.into(), LOGIN.1.into())),
        refuse: vec![],
        stop_after: Some(1),
    });
    let config = world.policy_named(
        "stopping.toml",
        &format!("smtp://localhost:{}", stopping.port()),
        &world.ca_line(),
    );
    let out = world.notify(&config, &["--send"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(messages(&out).len(), 1, "{out:?}");
    let failed = out.json()["failed"].as_array().unwrap().clone();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(
        failed
            .iter()
            .any(|f| f["error"].as_str().unwrap().contains("not tried")),
        "{failed:?}"
    );
    assert!(out.stderr.contains("stopped taking mail"), "{}", out.stderr);
    drop(stopping);

    // The two left are due, and go in the next run.
    let fine = world.server(Mode::StartTls);
    let config = world.policy_named(
        "fine.toml",
        &format!("smtp://localhost:{}", fine.port()),
        &world.ca_line(),
    );
    let out = world.notify(&config, &["--send"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(messages(&out).len(), 2, "{out:?}");
    assert_eq!(messages(&world.notify(&config, &[])), vec![]);
}

#[test]
fn names_and_settings_that_would_inject_are_refused() {
    let Some(world) = World::new() else { return };
    let server = world.server(Mode::StartTls);
    let url = format!("smtp://localhost:{}", server.port());
    // A `to` that is not a template naming the user, and a `from` that
    // carries a second header, are configuration errors (exit 2).
    let text = std::fs::read_to_string(world.policy(&url, &world.ca_line())).unwrap();
    let bad_to = world.dir.write(
        "bad-to.toml",
        &text.replace("{user}@example.org", "all@example.org"),
    );
    let out = world.notify(&bad_to, &[]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("notify.to"), "{}", out.stderr);
    let text = std::fs::read_to_string(world.policy(&url, &world.ca_line()))
        .unwrap()
        .replace(
            "from = \"Password reminders <pwpolicy@example.org>\"",
            "from = \"x@example.org\\r\\nBcc: thief@evil.example\"",
        );
    let bad_from = world.dir.write("bad-from.toml", &text);
    let out = world.notify(&bad_from, &["--send"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(server.received().is_empty());

    // An account name that would make two addresses of one is not sent to,
    // and nothing reaches the second address.
    let name = "u1@evil.example,thief";
    let made = pwpolicy_run(
        &[
            "set-changed",
            "--user",
            name,
            "--date",
            &day(83),
            "--create",
            "--db",
            &world.db,
        ],
        b"",
    );
    assert_eq!(made.code, 0, "a fleet may have such a name: {made:?}");
    {
        let config = world.policy(&url, &world.ca_line());
        let out = world.notify(&config, &["--send"]);
        assert_eq!(out.code, 1, "{out:?}");
        assert!(
            out.json()["failed"][0]["error"]
                .as_str()
                .unwrap()
                .contains("not one mail address"),
            "{out:?}"
        );
        assert!(server.received().is_empty(), "{:?}", server.received());
    }
}

/// `n` accounts `u0000…` changed 83 days ago (7 days left), in one
/// import-shadow into `db`.
fn many_due(world: &World, db: &str, n: usize) {
    let day = OffsetDateTime::now_utc().unix_timestamp() / 86_400 - 83;
    let shadow: String = (0..n)
        .map(|i| format!("u{i:04}:$6$s$h:{day}:0:99999:7:::\n"))
        .collect();
    let file = world.dir.write("shadow", &shadow);
    let out = pwpolicy_run(
        &["import-shadow", "--all", file.to_str().unwrap(), "--db", db],
        b"",
    );
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
fn two_runs_at_once_send_each_reminder_once_on_sqlite_and_postgresql() {
    let Some(world) = World::new() else { return };
    let Some(pg) = pwpolicy_tests::pg_database() else {
        return;
    };
    const N: usize = 300;
    for (name, db) in [("sqlite", world.db.clone()), ("postgresql", pg)] {
        many_due(&world, &db, N);
        let server = world.server(Mode::StartTls);
        let config = world.policy_named(
            &format!("{name}.toml"),
            &format!("smtp://localhost:{}", server.port()),
            &world.ca_line(),
        );
        let args = pwpolicy_tests::hermetic(&[
            "notify",
            "--send",
            "--json",
            "--db",
            &db,
            "--config",
            config.to_str().unwrap(),
        ]);
        let runs: Vec<std::process::Child> = (0..2)
            .map(|_| {
                std::process::Command::new(pwpolicy_tests::pwpolicy())
                    .args(&args)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut listed = 0;
        for run in runs {
            let out = run.wait_with_output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{name}: {text} {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let json: Value = serde_json::from_str(text.trim()).unwrap();
            listed += json["messages"].as_array().unwrap().len();
        }
        let got = recipients(&server.received());
        let mut unique = got.clone();
        unique.dedup();
        assert_eq!(unique.len(), N, "{name}: every account reminded");
        assert_eq!(got.len(), N, "{name}: nobody twice");
        assert_eq!(listed, N, "{name}: the two runs shared the work");
    }
}

#[test]
fn through_pwpolicyd_the_service_records_what_was_sent_and_only_admins_ask() {
    pwpolicy_tests::require!(
        pwpolicy_tests::is_root(),
        "needs root to run a client as nobody"
    );
    let Some(world) = World::new() else { return };
    std::fs::set_permissions(world.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let state = world.dir.path().join("state");
    std::fs::create_dir(&state).unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).unwrap();
    let db = state.join("state.db").display().to_string();
    many_due(&world, &db, 20);
    let server = world.server(Mode::StartTls);
    let config = world.policy(
        &format!("smtp://localhost:{}", server.port()),
        &world.ca_line(),
    );
    let socket = world.dir.path().join("pwpolicyd.sock");
    let _daemon = KillOnDrop(
        std::process::Command::new(pwpolicy_tests::binary("pwpolicy-service", "pwpolicyd"))
            .args(["--socket", socket.to_str().unwrap(), "--db", &db])
            .args(["--config", config.to_str().unwrap()])
            .env("PWPOLICYD_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "pwpolicyd did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let notify = |send: bool| {
        let mut args = vec![
            "notify",
            "--json",
            "--socket",
            socket.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ];
        if send {
            args.push("--send");
        }
        pwpolicy_run(&args, b"")
    };
    let sent = notify(true);
    assert_eq!(sent.code, 0, "{sent:?}");
    assert_eq!(messages(&sent).len(), 20);
    assert_eq!(recipients(&server.received()).len(), 20);
    let again = notify(true);
    assert_eq!(messages(&again), vec![], "the service recorded them");
    // An ordinary user may not read everyone's standing, nor record mail.
    let bin = pwpolicy_tests::pwpolicy();
    let nobody = pwpolicy_tests::run(
        std::path::Path::new("runuser"),
        &[
            "-u",
            "nobody",
            "--",
            bin.to_str().unwrap(),
            "notify",
            "--socket",
            socket.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(nobody.code, 2, "{nobody:?}");
    assert!(nobody.stderr.contains("admin group"), "{}", nobody.stderr);
    assert_eq!(recipients(&server.received()).len(), 20);
}

/// A child process killed when the test ends, passed or not.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn files_others_could_change_are_refused_before_anything_is_sent() {
    let Some(world) = World::new() else { return };
    world.changed("e7", 83);
    let server = world.server(Mode::StartTls);
    let url = format!("smtp://localhost:{}", server.port());
    // The SMTP password readable by others.
    let open_password = world.dir.write("open.pw", &format!("{}\n", LOGIN.1));
    std::fs::set_permissions(&open_password, std::fs::Permissions::from_mode(0o644)).unwrap();
    let text = std::fs::read_to_string(world.policy(&url, &world.ca_line()))
        .unwrap()
        .replace(
            world.password_file.to_str().unwrap(),
            open_password.to_str().unwrap(),
        );
    let config = world.dir.write("open-password.toml", &text);
    let out = world.notify(&config, &["--send"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("chmod"), "{}", out.stderr);
    assert!(!out.stderr.contains(LOGIN.1), "{}", out.stderr);
    // A CA file anyone may rewrite: whoever does decides which server is
    // trusted with the login.
    let ca = world.dir.path().join("ca-anyone.pem");
    std::fs::copy(&world.ca, &ca).unwrap();
    std::fs::set_permissions(&ca, std::fs::Permissions::from_mode(0o666)).unwrap();
    let config = world.policy_named(
        "open-ca.toml",
        &url,
        &format!("ca_file = \"{}\"\n", ca.display()),
    );
    let out = world.notify(&config, &["--send"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("ca_file"), "{}", out.stderr);
    // A body template anyone may rewrite (it would put words in IT's mouth).
    let body = world.dir.write("body.txt", "Hello {{ name }}\n");
    std::fs::set_permissions(&body, std::fs::Permissions::from_mode(0o666)).unwrap();
    let config = world.policy_named(
        "open-body.toml",
        &url,
        &format!("{}body_file = \"{}\"\n", world.ca_line(), body.display()),
    );
    let out = world.notify(&config, &[]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("body_file"), "{}", out.stderr);
    assert!(server.received().is_empty());
    assert_eq!(
        messages(&world.notify(&world.policy(&url, &world.ca_line()), &[])),
        pairs(&[("e7", "expiring")]),
        "nothing was recorded"
    );
}

#[test]
fn a_server_that_accepts_and_never_answers_cannot_hang_the_run() {
    let Some(world) = World::new() else { return };
    world.changed("e7", 83);
    // Takes the connection, says nothing (a tarpit, or a port that is not
    // SMTP at all).
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let conns: Vec<_> = silent.incoming().take(1).collect();
        std::thread::sleep(std::time::Duration::from_secs(20));
        drop(conns);
    });
    let config = world.policy(&format!("smtp://localhost:{port}"), &world.ca_line());
    let started = std::time::Instant::now();
    let out = world.notify(&config, &["--send"]);
    let took = started.elapsed();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        took < std::time::Duration::from_secs(15),
        "timeout_seconds = 5, yet the run took {took:?}"
    );
    assert_eq!(
        messages(&world.notify(&config, &[])),
        pairs(&[("e7", "expiring")]),
        "nothing was recorded"
    );
    drop(held);
}
