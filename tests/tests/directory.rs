//! Directory users' expiry and the domain's own settings, read over LDAPS
//! from a real Samba AD DC that the test provisions and runs alone in a
//! network namespace of its own: `status`, `report` (thousands of users,
//! made with one ldbadd) and `policy audit --directory`, as docs/samba.md
//! tells administrators to run them.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use pwpolicy_tests::samba::{
    ADMIN_PASSWORD, Daemon, REALM, add_global, have_or_skip, provision, samba_tool,
};
use pwpolicy_tests::smtp::{Mode, Options, SmtpServer};
use pwpolicy_tests::tls::certificates;
use pwpolicy_tests::{Output, TestDir, hermetic, pwpolicy};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

/// Users made in bulk; each third changed 5, 35 and 50 days ago, so with
/// the domain's 42 days they are ok, warning and expired, a day's drift
/// either way changing nothing.
const BULK: usize = 3000;
const BULK_AGES: [i64; 3] = [5, 35, 50];

/// `t` as AD's FILETIME.
/// `bytes` in base64, as LDIF's `attr:: value` takes a value with line
/// breaks.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn filetime(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 100).unwrap() + 116_444_736_000_000_000
}

/// `BULK` people in one ldbadd, straight into sam.ldb (the control lets
/// pwdLastSet take a date, as a migration would).
fn bulk_users(dc: &Path, dir: &Path) -> Duration {
    let now = OffsetDateTime::now_utc();
    let mut ldif = String::new();
    for i in 0..BULK {
        let changed = now - Duration::days(BULK_AGES[i % 3]);
        ldif.push_str(&format!(
            "dn: CN=bulk{i:05},CN=Users,DC=PWTEST,DC=LAN\nobjectClass: user\nsAMAccountName: bulk{i:05}\nuserAccountControl: 512\npwdLastSet: {}\n\n",
            filetime(changed)
        ));
    }
    let started = Instant::now();
    sam_ldb("ldbadd", dc, dir, &ldif);
    Duration::try_from(started.elapsed()).unwrap()
}

/// `tool` (ldbadd or ldbmodify) applies `ldif` straight to sam.ldb before
/// the DC starts, with the control that lets pwdLastSet take a date, as an
/// administrator's migration would: what samba-tool cannot set.
fn sam_ldb(tool: &str, dc: &Path, dir: &Path, ldif: &str) {
    let file = dir.join(format!("{tool}.ldif"));
    std::fs::write(&file, ldif).unwrap();
    let out = Command::new(tool)
        .arg("-H")
        .arg(dc.join("private/sam.ldb"))
        .arg("--controls=local_oid:1.3.6.1.4.1.7165.4.3.20:0")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The CLI, run where the DC's loopback is, hermetically.
fn cli(daemon: &Daemon, args: &[&str]) -> Output {
    let out = daemon
        .command(pwpolicy())
        .args(hermetic(args))
        .env_remove("PWPOLICY_CONFIG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn day(offset: i64) -> String {
    (OffsetDateTime::now_utc() + Duration::days(offset))
        .date()
        .to_string()
}

/// A file only its owner may read (unless `mode` says otherwise).
fn secret(dir: &TestDir, name: &str, text: &str, mode: u32) -> PathBuf {
    let path = dir.write(name, text);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

/// `verb` with the options that reach a DC at `url`: bind DN, password
/// file and CA file, each left out when `None`.
fn reaching(
    verb: &[&str],
    url: &str,
    bind: Option<(&str, &Path)>,
    ca: Option<&Path>,
) -> Vec<String> {
    let mut args: Vec<String> = verb.iter().map(|a| (*a).to_owned()).collect();
    args.extend(["--directory".to_owned(), url.to_owned()]);
    if let Some((dn, password)) = bind {
        args.extend(["--bind-dn".to_owned(), dn.to_owned()]);
        args.extend([
            "--bind-password-file".to_owned(),
            password.display().to_string(),
        ]);
    }
    if let Some(ca) = ca {
        args.extend(["--ca-file".to_owned(), ca.display().to_string()]);
    }
    args
}

#[test]
fn a_samba_dcs_users_expiry_and_settings_over_ldaps() {
    let test = "a_samba_dcs_users_expiry_and_settings_over_ldaps";
    if !have_or_skip(
        test,
        &[
            "samba-tool",
            "samba",
            "ldbadd",
            "openssl",
            "unshare",
            "nsenter",
            "ip",
        ],
    ) {
        return;
    }
    let dir = TestDir::new();
    let conf = provision(dir.path(), &["--backend-store=mdb"]);
    let dc = conf.parent().unwrap().parent().unwrap().to_owned();
    let ca = certificates(dir.path());
    let tls = dir.path().join("tls");
    add_global(
        &conf,
        &format!(
            "\tinterfaces = lo\n\tbind interfaces only = yes\n\ttls enabled = yes\n\ttls certfile = {0}/cert.pem\n\ttls keyfile = {0}/key.pem\n\ttls cafile = {0}/ca.pem\n",
            tls.display()
        ),
    );
    let pw = "Blue-Kettle-42";
    samba_tool(&conf, &["user", "create", "fresh", pw]);
    samba_tool(
        &conf,
        &[
            "user",
            "create",
            "forced",
            pw,
            "--must-change-at-next-login",
        ],
    );
    samba_tool(&conf, &["user", "create", "forever", pw]);
    samba_tool(&conf, &["user", "setexpiry", "forever", "--noexpiry"]);
    samba_tool(
        &conf,
        &["user", "create", "gone", pw, "--must-change-at-next-login"],
    );
    samba_tool(&conf, &["user", "disable", "gone"]);
    samba_tool(&conf, &["user", "create", "admin2", pw]);
    samba_tool(
        &conf,
        &[
            "domain",
            "passwordsettings",
            "pso",
            "create",
            "shortlived",
            "5",
            "--max-pwd-age=7",
        ],
    );
    samba_tool(
        &conf,
        &[
            "domain",
            "passwordsettings",
            "pso",
            "apply",
            "shortlived",
            "admin2",
        ],
    );
    let took = bulk_users(&dc, dir.path());
    eprintln!("ldbadd of {BULK} users: {:.1} s", took.as_seconds_f64());
    // For reminders: `forever` (never expires) still has the password it
    // was given 400 days ago; admin2 has a `mail` attribute, and a display
    // name that tries to add a header and a recipient.
    let injected = "Eve\r\nBcc: thief@evil.example";
    sam_ldb(
        "ldbmodify",
        &dc,
        dir.path(),
        &format!(
            "dn: CN=forever,CN=Users,DC=PWTEST,DC=LAN\nchangetype: modify\nreplace: pwdLastSet\npwdLastSet: {}\n\n\
             dn: CN=admin2,CN=Users,DC=PWTEST,DC=LAN\nchangetype: modify\nreplace: mail\nmail: admin2.mail@corp.example\n-\nreplace: displayName\ndisplayName:: {}\n",
            filetime(OffsetDateTime::now_utc() - Duration::days(400)),
            base64(injected.as_bytes())
        ),
    );

    let password_file = secret(&dir, "bind.pw", &format!("{ADMIN_PASSWORD}\n"), 0o600);
    let bind_dn = format!("Administrator@{REALM}");
    let admin = Some((bind_dn.as_str(), password_file.as_path()));
    let daemon = Daemon::start_isolated(&conf);
    let run_args = |args: &[String]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        cli(&daemon, &args)
    };
    let run = |verb: &[&str]| run_args(&reaching(verb, "ldaps://localhost", admin, Some(&ca)));
    let log = conf.with_file_name("samba.log");
    let status = |user: &str| {
        let out = run(&["status", "--user", user, "--json"]);
        assert_eq!(
            out.code,
            0,
            "{user}: {out:?}\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        out.json()
    };

    // A fresh password: the domain's 42 days.
    let s = status("fresh");
    assert_eq!(s["state"], "ok", "{s}");
    assert_eq!(s["last_changed"], day(0), "{s}");
    assert_eq!(s["expires"], day(42), "{s}");
    assert_eq!(s["days_left"], 42, "{s}");
    assert_eq!(s["must_change"], false, "{s}");
    assert_eq!(s["max_age_days"], 42, "{s}");
    assert_eq!(s["directory"]["settings"], "domain", "{s}");
    assert_eq!(
        s["directory"]["dn"], "CN=fresh,CN=Users,DC=pwtest,DC=lan",
        "{s}"
    );
    // pwdLastSet = 0.
    let s = status("forced");
    assert_eq!(s["state"], "must_change", "{s}");
    assert_eq!(s["must_change"], true, "{s}");
    assert_eq!(s["last_changed"], Value::Null, "{s}");
    assert_eq!(s["expires"], Value::Null, "{s}");
    // DONT_EXPIRE_PASSWORD.
    let s = status("forever");
    assert_eq!(s["state"], "ok", "{s}");
    assert_eq!(s["expires"], Value::Null, "{s}");
    assert_eq!(s["days_left"], Value::Null, "{s}");
    assert_eq!(s["directory"]["never_expires"], true, "{s}");
    // A disabled account says so.
    let s = status("gone");
    assert_eq!(s["directory"]["disabled"], true, "{s}");
    // A PSO's 7 days: inside the 14-day warning window.
    let s = status("admin2");
    assert_eq!(s["state"], "warning", "{s}");
    assert_eq!(s["expires"], day(7), "{s}");
    assert_eq!(s["max_age_days"], 7, "{s}");
    assert_eq!(s["directory"]["settings"], "shortlived", "{s}");
    // Bulk users as ldbadd dated them.
    let s = status("bulk00002");
    assert_eq!(
        (s["state"].as_str(), s["days_left"].as_i64()),
        (Some("expired"), Some(42 - 50)),
        "{s}"
    );
    let s = status("nosuchuser");
    assert_eq!(s["state"], "unknown", "{s}");

    // The report: forced first, then soonest; the disabled account only when asked.
    let started = Instant::now();
    let out = run(&["report", "--expiring-within", "14", "--json"]);
    let elapsed = started.elapsed();
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    let rows = rows.as_array().unwrap();
    eprintln!(
        "report --directory of {} users ({} due): {:.2} s",
        BULK + 6,
        rows.len(),
        elapsed.as_secs_f64()
    );
    let users: Vec<&str> = rows.iter().map(|r| r["user"].as_str().unwrap()).collect();
    assert_eq!(
        rows.len(),
        2 * BULK / 3 + 2,
        "forced, admin2 and two thirds of the bulk"
    );
    assert_eq!(users[0], "forced");
    assert!(!users.contains(&"gone") && !users.contains(&"fresh") && !users.contains(&"forever"));
    let expired = rows.iter().filter(|r| r["state"] == "expired").count();
    let warning = rows.iter().filter(|r| r["state"] == "warning").count();
    assert_eq!((expired, warning), (BULK / 3, BULK / 3 + 1));
    // Oldest expiry first after the forced ones.
    let expires: Vec<&str> = rows[1..]
        .iter()
        .map(|r| r["expires"].as_str().unwrap())
        .collect();
    assert!(expires.windows(2).all(|w| w[0] <= w[1]), "sorted by expiry");
    let out = run(&[
        "report",
        "--expiring-within",
        "14",
        "--json",
        "--include-disabled",
    ]);
    let with: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user"].as_str().unwrap().to_owned())
        .filter(|u| !users.contains(&u.as_str()))
        .collect();
    // Guest, disabled, has never set a password (pwdLastSet 0).
    assert_eq!(with, ["Guest", "gone"]);
    // The same CSV header as the store's report.
    let out = run(&["report", "--expiring-within", "0", "--csv"]);
    assert_eq!(
        out.stdout.lines().next(),
        Some("user,last_changed,expires,days_left,state")
    );
    assert_eq!(
        out.stdout.lines().count(),
        1 + 1 + BULK / 3,
        "{}",
        out.stderr
    );

    // One answer per question (issue 22): every directory user's `list`
    // row is its `status`, and the report is the list's due rows, whatever
    // the window.
    let out = run(&["list", "--json"]);
    assert_eq!(out.code, 0, "{out:?}");
    let list = out.json().as_array().unwrap().clone();
    assert!(list.len() > BULK, "{} listed", list.len());
    let without_note = |v: &Value| {
        let mut v = v.clone();
        v.as_object_mut().unwrap().remove("note");
        v
    };
    let listed = |user: &str| {
        list.iter()
            .find(|r| r["user"] == user)
            .unwrap_or_else(|| panic!("{user} not listed"))
    };
    for user in [
        "fresh",
        "forced",
        "forever",
        "gone",
        "admin2",
        "bulk00002",
        "bulk00003",
    ] {
        assert_eq!(
            without_note(&status(user)),
            without_note(listed(user)),
            "{user}"
        );
    }
    for days in [0u32, 14, 45] {
        let out = run(&[
            "report",
            "--expiring-within",
            &days.to_string(),
            "--json",
            "--include-disabled",
        ]);
        let mut reported: Vec<Value> = out.json().as_array().unwrap().clone();
        let mut due: Vec<Value> = list
            .iter()
            .filter(|r| {
                r["must_change"] == true
                    || r["days_left"]
                        .as_i64()
                        .is_some_and(|d| d <= i64::from(days))
            })
            .cloned()
            .collect();
        let by_user = |a: &Value, b: &Value| a["user"].as_str().cmp(&b["user"].as_str());
        reported.sort_by(by_user);
        due.sort_by(by_user);
        assert_eq!(reported.len(), due.len(), "window {days}");
        assert!(
            reported == due,
            "window {days}: the report is the list's due rows"
        );
    }

    // The store's users and the directory's in one report.
    let db = dir.path().join("state.db");
    let db = db.to_str().unwrap();
    let set = cli(
        &daemon,
        &[
            "set-changed",
            "--create",
            "--db",
            db,
            "--user",
            "localuser",
            "--date",
            &day(-80),
        ],
    );
    assert_eq!(set.code, 0, "{set:?}");
    let out = run(&[
        "report",
        "--expiring-within",
        "14",
        "--json",
        "--with-store",
        "--db",
        db,
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    assert_eq!(rows[0]["user"], "localuser", "the store's rows first");
    assert_eq!(rows[0].get("directory"), None);
    let named: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user"].as_str().unwrap())
        .filter(|u| !u.starts_with("bulk"))
        .collect();
    assert_eq!(named, ["localuser", "forced", "admin2"], "{}", out.stderr);
    assert_eq!(rows.as_array().unwrap().len(), 2 * BULK / 3 + 3);

    // Reminders for directory users: expiry and PSOs as status reads them,
    // `mail` before `[notify] to`, `whenCreated` for "never changed", what
    // was sent recorded in the local store; the SMTP server in the DC's
    // network namespace, requiring STARTTLS and AUTH.
    let smtp_login = ("mailer", "Mailer-Secret-88");
    let smtp = SmtpServer::start_with(
        dir.path(),
        &Options {
            mode: Mode::StartTls,
            login: Some((smtp_login.0.into(), smtp_login.1.into())),
            refuse: vec![],
            stop_after: None,
        },
        daemon.command(pwpolicy_tests::smtp::PYTHON),
    );
    let smtp_password = secret(&dir, "smtp.pw", &format!("{}\n", smtp_login.1), 0o600);
    let notify_policy = dir.write(
        "notify.toml",
        &format!(
            "[[accounts.class]]\nname = \"mailboxes\"\nusers = [\"forever\"]\nremind_after_days = 365\n\n\
             [directory]\nurl = \"ldaps://localhost\"\nbind_dn = \"{bind_dn}\"\nbind_password_file = \"{}\"\nca_file = \"{}\"\n\n\
             [notify]\nsmtp = \"smtp://localhost:{}\"\nca_file = \"{}\"\nusername = \"{}\"\npassword_file = \"{}\"\n\
             from = \"it@corp.example\"\nto = \"{{user}}@corp.example\"\nadmin = \"admins@corp.example\"\n\
             platforms = [\"windows\"]\n",
            password_file.display(),
            ca.display(),
            smtp.port(),
            ca.display(),
            smtp_login.0,
            smtp_password.display()
        ),
    );
    let notes = dir.path().join("notes");
    std::fs::create_dir(&notes).unwrap();
    std::fs::set_permissions(&notes, std::fs::Permissions::from_mode(0o700)).unwrap();
    let notes_db = notes.join("state.db").display().to_string();
    let notify = |send: bool| {
        let mut args = vec![
            "notify",
            "--json",
            "--config",
            notify_policy.to_str().unwrap(),
            "--db",
            &notes_db,
        ];
        if send {
            args.push("--send");
        }
        cli(&daemon, &args)
    };
    let by_reason = |out: &Output| {
        let json = out.json();
        let mut counts = std::collections::BTreeMap::<String, usize>::new();
        for m in json["messages"].as_array().unwrap() {
            *counts
                .entry(m["reason"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        counts
    };
    let dry = notify(false);
    assert_eq!(dry.code, 0, "{dry:?}");
    let due: std::collections::BTreeMap<String, usize> = [
        ("expired".to_owned(), BULK / 3),
        ("expiring".to_owned(), BULK / 3 + 1),
        ("must_change".to_owned(), 1),
        ("never_changed".to_owned(), 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(by_reason(&dry), due, "{}", dry.stderr);
    let messages = dry.json()["messages"].as_array().unwrap().clone();
    let find = |user: &str| messages.iter().find(|m| m["user"] == user).cloned();
    assert_eq!(find("admin2").unwrap()["to"], "admin2.mail@corp.example");
    assert_eq!(find("admin2").unwrap()["days_left"], 7);
    assert_eq!(find("bulk00001").unwrap()["to"], "bulk00001@corp.example");
    assert_eq!(find("bulk00000"), None, "5 days old: nothing due");
    assert_eq!(find("gone"), None, "disabled: no mail");
    assert!(smtp.received().is_empty());

    let started = Instant::now();
    let sent = notify(true);
    let took = started.elapsed();
    assert_eq!(sent.code, 0, "{sent:?}");
    assert_eq!(by_reason(&sent), due);
    let mail = smtp.received();
    let total: usize = due.values().sum();
    eprintln!(
        "notify --send of {total} directory reminders through a STARTTLS server: {:.2} s ({:.0} reminders/s)",
        took.as_secs_f64(),
        total as f64 / took.as_secs_f64()
    );
    assert_eq!(mail.len(), total + 1, "each reminder and one summary");
    let to_admin2: Vec<&pwpolicy_tests::smtp::Received> = mail
        .iter()
        .filter(|m| m.data.contains("admin2"))
        .filter(|m| m.rcpt_tos != ["admins@corp.example"])
        .collect();
    assert_eq!(to_admin2.len(), 1);
    assert_eq!(to_admin2[0].rcpt_tos, ["admin2.mail@corp.example"]);
    assert!(
        !to_admin2[0]
            .data
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
        "the display name added a header: {}",
        to_admin2[0].data
    );
    assert!(
        to_admin2[0].data.contains("Ctrl+Alt+Del"),
        "{}",
        to_admin2[0].data
    );
    assert!(mail.iter().all(|m| m.tls && m.authenticated));
    assert!(
        mail.iter()
            .all(|m| !m.rcpt_tos.iter().any(|r| r.contains("evil"))),
        "nobody else got mail"
    );
    // Recorded in the local store: the next run sends nothing.
    let again = notify(true);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(by_reason(&again).len(), 0, "{again:?}");
    assert_eq!(smtp.received().len(), total + 2, "only the second summary");
    drop(smtp);

    // The [directory] section of the policy file does the same.
    let policy = dir.write(
        "policy.toml",
        &format!(
            "[directory]\nurl = \"ldaps://localhost\"\nbind_dn = \"{bind_dn}\"\nbind_password_file = \"{}\"\nca_file = \"{}\"\n",
            password_file.display(),
            ca.display()
        ),
    );
    let out = cli(
        &daemon,
        &[
            "status",
            "--user",
            "admin2",
            "--json",
            "--config",
            policy.to_str().unwrap(),
        ],
    );
    assert_eq!(out.json()["directory"]["settings"], "shortlived", "{out:?}");

    // Errors: exit 2, saying what is wrong, never the password.
    let bad = |args: &[String], says: &str| {
        let out = run_args(args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
        assert!(
            !out.stderr.contains(ADMIN_PASSWORD) && !out.stdout.contains(ADMIN_PASSWORD),
            "{out:?}"
        );
    };
    let pwf = password_file.to_str().unwrap();
    let fresh = ["status", "--user", "fresh"];
    // The DC's own CA is not one the system trusts.
    bad(
        &reaching(&fresh, "ldaps://localhost", admin, None),
        "--ca-file",
    );
    // Another name than the certificate's.
    bad(
        &reaching(&fresh, "ldaps://127.0.0.2", None, Some(&ca)),
        "cannot connect to ldaps://127.0.0.2",
    );
    let wrong = secret(&dir, "wrong.pw", "Not-The-Password-1\n", 0o600);
    bad(
        &reaching(
            &fresh,
            "ldaps://localhost",
            Some((&bind_dn, &wrong)),
            Some(&ca),
        ),
        "refused the bind",
    );
    let open = secret(&dir, "open.pw", &format!("{ADMIN_PASSWORD}\n"), 0o644);
    bad(
        &reaching(
            &fresh,
            "ldaps://localhost",
            Some((&bind_dn, &open)),
            Some(&ca),
        ),
        "chmod 600",
    );
    // A simple bind in clear: Samba wants TLS, and the CLI warned first.
    let clear = dir.write(
        "clear.toml",
        &format!(
            "[directory]\nurl = \"ldap://localhost\"\nstarttls = false\nbind_dn = \"{bind_dn}\"\nbind_password_file = \"{pwf}\"\n"
        ),
    );
    let in_clear = [
        "status",
        "--user",
        "fresh",
        "--config",
        clear.to_str().unwrap(),
    ];
    bad(&in_clear.map(str::to_owned), "only over TLS");
    let warned = cli(&daemon, &in_clear);
    assert!(warned.stderr.contains("without TLS"), "{}", warned.stderr);
    // ldap:// upgraded by StartTLS works.
    let json = ["status", "--user", "fresh", "--json"];
    let out = run_args(&reaching(&json, "ldap://localhost", admin, Some(&ca)));
    assert_eq!(out.json()["expires"], day(42), "{out:?}");

    // An ordinary user sees the PSO but not its settings: the audit
    // refuses to pass the domain without them.
    let user_pw = secret(&dir, "fresh.pw", &format!("{pw}\n"), 0o600);
    let user = format!("fresh@{REALM}");
    bad(
        &reaching(
            &["policy", "audit"],
            "ldaps://localhost",
            Some((&user, &user_pw)),
            Some(&ca),
        ),
        "may not read the settings of 1 PSO",
    );

    // The drift audit: the provisioned minimum of 7 (and the PSO, which
    // copied it) is a finding; lined up, the domain conforms.
    let out = run(&["policy", "audit", "--json"]);
    assert_eq!(out.code, 1, "{out:?}");
    let audit = out.json();
    assert_eq!(audit["conforms"], false);
    let findings = audit["findings"].as_array().unwrap();
    let sources: Vec<&str> = findings
        .iter()
        .map(|f| f["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "domain DC=pwtest,DC=lan minPwdLength",
            "PSO shortlived msDS-MinimumPasswordLength"
        ],
        "{audit}"
    );
    for f in findings {
        assert_eq!(
            (&f["key"], &f["policy"], &f["required"], &f["actual"]),
            (
                &Value::from("min_length"),
                &Value::from(8),
                &Value::from(8),
                &Value::from(7)
            ),
            "{f}"
        );
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains("--min-pwd-length=8"),
            "{f}"
        );
    }
    let notes = audit["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["key"] == "min_age_days"
            && n["message"].as_str().unwrap().contains("never repeated")),
        "{audit}"
    );
    samba_tool(
        &conf,
        &["domain", "passwordsettings", "set", "--min-pwd-length=8"],
    );
    samba_tool(
        &conf,
        &[
            "domain",
            "passwordsettings",
            "pso",
            "set",
            "shortlived",
            "--min-pwd-length=8",
        ],
    );
    let out = run(&["policy", "audit", "--json"]);
    assert_eq!(
        (out.code, &out.json()["conforms"]),
        (0, &Value::from(true)),
        "{out:?}"
    );
    let human = run(&["policy", "audit"]);
    assert!(human.stdout.contains("conforms to the policy"), "{human:?}");
    // A domain that lets passwords live forever does not.
    samba_tool(
        &conf,
        &["domain", "passwordsettings", "set", "--max-pwd-age=0"],
    );
    let out = run(&["policy", "audit", "--json"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.json()["findings"][0]["key"], "max_age_days");
    assert_eq!(out.json()["findings"][0]["actual"], "never");
    drop(daemon);
}
