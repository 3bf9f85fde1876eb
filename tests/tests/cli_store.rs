//! The store verbs of `pwpolicy` driven as a black box, each scenario on
//! SQLite and on PostgreSQL: reuse, remember depth, expiry states, report,
//! forced change, history clear, user removal, shadow import.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use pwpolicy_tests::{Output, TestDir, pg_database, pwpolicy_run};
use serde_json::Value;

/// A store for one test, with a cheap-hashing policy file beside it.
struct Db {
    dir: TestDir,
    db: String,
}

impl Db {
    fn sqlite() -> Option<Db> {
        let dir = TestDir::new();
        let db = dir
            .path()
            .join("store")
            .join("state.db")
            .to_str()
            .unwrap()
            .to_owned();
        Some(Db::with(dir, db))
    }

    fn postgres() -> Option<Db> {
        pg_database().map(|url| Db::with(TestDir::new(), url))
    }

    fn with(dir: TestDir, db: String) -> Db {
        dir.write(
            "policy.toml",
            "[history]\nremember = 3\nmemory_kib = 64\niterations = 1\n",
        );
        Db { dir, db }
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let config = self.dir.path().join("policy.toml");
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--db", &self.db, "--config", config.to_str().unwrap()]);
        pwpolicy_run(&full, stdin.as_bytes())
    }

    fn change(&self, user: &str, password: &str) -> (i32, Vec<String>) {
        let out = self.run(
            &["change", "--user", user, "--json"],
            &format!("{password}\n"),
        );
        let json = out.json();
        let codes = json["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["code"].as_str().unwrap().to_owned())
            .collect();
        (out.code, codes)
    }

    fn status(&self, user: &str) -> Value {
        let out = self.run(&["status", "--user", user, "--json"], "");
        assert_eq!(out.code, 0, "{out:?}");
        out.json()
    }
}

fn days_ago(n: i64) -> String {
    let day = time::OffsetDateTime::now_utc().date() - time::Duration::days(n);
    pwpolicy::format_date(day)
}

macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[test] fn $name() { if let Some(db) = super::Db::sqlite() { super::$name(&db) } } )* }
        mod postgres { $( #[test] fn $name() { if let Some(db) = super::Db::postgres() { super::$name(&db) } } )* }
    };
}

on_every_backend!(
    the_same_password_twice_is_reused,
    a_password_returns_after_remember_newer_ones,
    set_changed_drives_status_and_report,
    expire_forces_a_change_that_a_change_clears,
    history_clear_and_user_remove,
    import_shadow_seeds_dates,
    check_consults_the_history,
    list_shows_every_account_with_its_class_and_shadow,
    similarity_with_a_pepper_refuses_variations_of_any_earlier_password,
    defect_10_expire_and_set_changed_refuse_an_account_nobody_knows,
);

/// Defect 10 of issue 22: `expire --user nosuchuser` exited 0 and left a
/// `must_change` record that showed in `list`. An account neither this host
/// nor the store knows is refused (exit 1, nothing recorded) unless
/// `--create` says it is a fleet's user of other hosts.
fn defect_10_expire_and_set_changed_refuse_an_account_nobody_knows(db: &Db) {
    for verb in [
        vec!["expire", "--user", "nosuchuser"],
        vec!["set-changed", "--user", "nosuchuser", "--date", "today"],
    ] {
        let out = db.run(&verb, "");
        assert_eq!(out.code, 1, "{out:?}");
        assert!(
            out.stderr.contains("no account nosuchuser") && out.stderr.contains("--create"),
            "{}",
            out.stderr
        );
    }
    assert_eq!(db.status("nosuchuser")["state"], "unknown");
    let listed = db.run(&["list", "--json"], "");
    assert!(!listed.stdout.contains("nosuchuser"), "{listed:?}");
    // An account the store knows (though this host does not) is fine…
    assert_eq!(
        db.run(&["expire", "--create", "--user", "fleetuser"], "")
            .code,
        0
    );
    assert_eq!(db.run(&["expire", "--user", "fleetuser"], "").code, 0);
    assert_eq!(db.status("fleetuser")["state"], "must_change");
    // …and so is one this host knows (root), without --create.
    let root = db.run(&["set-changed", "--user", "root", "--date", "today"], "");
    assert_eq!(root.code, 0, "{root:?}");
}

/// `[history] similarity` with a pepper: `Summer#2025` after `Summer#2024`
/// is refused by `change` and by `check`, however far back, and a pepper
/// file anyone else could read is refused before anything is hashed.
fn similarity_with_a_pepper_refuses_variations_of_any_earlier_password(db: &Db) {
    use std::os::unix::fs::PermissionsExt;
    let secrets = db.dir.path().join("secrets");
    std::fs::create_dir(&secrets).unwrap();
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o700)).unwrap();
    let pepper = secrets.join("pepper");
    std::fs::write(&pepper, "bm90LWEtcmVhbC1wZXBwZXItYnV0LWxvbmc=\n").unwrap();
    std::fs::set_permissions(&pepper, std::fs::Permissions::from_mode(0o600)).unwrap();
    db.dir.write(
        "policy.toml",
        &format!(
            "[history]\nremember = \"all\"\nsimilarity = true\npepper_file = \"{}\"\n\
             memory_kib = 64\niterations = 1\n",
            pepper.display()
        ),
    );
    assert_eq!(db.change("erin", "Summer#2024"), (0, vec![]));
    assert_eq!(db.change("erin", "Kettle-Blue-42"), (0, vec![]));
    assert_eq!(db.change("erin", "Orbit-Staple-9"), (0, vec![]));
    assert_eq!(
        db.change("erin", "summer!2025"),
        (1, vec!["similar_to_history".to_owned()])
    );
    assert_eq!(
        db.change("erin", "Kettle-Blue-43"),
        (1, vec!["similar_to_history".to_owned()])
    );
    assert_eq!(
        db.change("erin", "Summer#2024"),
        (1, vec!["reused".to_owned()])
    );
    let out = db.run(&["check", "--user", "erin", "--json"], "SUMMER-2026!\n");
    assert_eq!(out.code, 1, "{out:?}");
    let message = out.json()["violations"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.starts_with("too like an earlier password"),
        "{message}"
    );
    assert_eq!(db.change("erin", "Winter#2025"), (0, vec![]));
    // Another user's history is theirs alone.
    assert_eq!(db.change("ann", "Summer#2025"), (0, vec![]));

    // The same entries without the pepper cannot be checked: an error,
    // never "not similar".
    std::fs::set_permissions(&pepper, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = db.run(&["change", "--user", "erin", "--json"], "Copper-Kite-36\n");
    assert_eq!(out.code, 2, "{out:?}");
    let error = out.json()["error"].as_str().unwrap().to_owned();
    assert!(
        error.starts_with("history pepper ") && error.contains("pepper"),
        "{error}"
    );
    assert!(
        !error.contains("bm90"),
        "the pepper is never shown: {error}"
    );
}

fn list_shows_every_account_with_its_class_and_shadow(db: &Db) {
    let today_days = time::OffsetDateTime::now_utc().unix_timestamp() / 86_400;
    let etc = TestDir::new();
    let passwd = etc.write(
        "passwd",
        "root:x:0:0:root:/root:/bin/bash\nmara:x:1001:1001:Mara:/:/bin/bash\n\
         olaf:x:1002:1002:Olaf:/:/bin/bash\nbot:x:1003:1003::/:/bin/sh\n",
    );
    etc.write("group", "mara:x:1001:\nolaf:x:1002:\nrobots:x:500:bot\n");
    etc.write(
        "shadow",
        &format!(
            "root:*:{d}::::::\nmara:$6$x:{d}::::::\nolaf:$6$y:0::::::\nbot:!:{d}::::::\n",
            d = today_days - 10
        ),
    );
    // bot's class is exempt by group; the policy file is this test's own.
    let config = db.dir.write(
        "policy.toml",
        "[history]\nremember = 3\nmemory_kib = 64\niterations = 1\n\
         [[accounts.class]]\nname = \"robots\"\ngroups = [\"robots\"]\nexempt = true\n",
    );
    assert!(config.exists());
    assert_eq!(
        db.run(
            &[
                "set-changed",
                "--create",
                "--user",
                "mara",
                "--date",
                &days_ago(10)
            ],
            ""
        )
        .code,
        0
    );
    assert_eq!(
        db.run(
            &[
                "set-changed",
                "--create",
                "--user",
                "olaf",
                "--date",
                &days_ago(40)
            ],
            ""
        )
        .code,
        0
    );
    assert_eq!(
        db.run(
            &[
                "set-changed",
                "--create",
                "--user",
                "remote",
                "--date",
                &days_ago(95)
            ],
            ""
        )
        .code,
        0
    );
    let out = db.run(
        &["list", "--json", "--passwd", passwd.to_str().unwrap()],
        "",
    );
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    let rows = rows.as_array().unwrap();
    let row = |user: &str| {
        rows.iter()
            .find(|r| r["user"] == user)
            .unwrap_or_else(|| panic!("{user}: {rows:?}"))
    };
    assert_eq!(
        rows.len(),
        5,
        "four local accounts and one only the store knows: {rows:?}"
    );
    assert_eq!(
        (&row("root")["class"], &row("root")["state"]),
        (&"system".into(), &"ok".into())
    );
    assert_eq!(row("mara")["shadow_agrees"], true, "{rows:?}");
    assert_eq!(row("mara")["state"], "ok");
    // passwd -e in shadow forces a change here too, and says so.
    assert_eq!(row("olaf")["state"], "must_change");
    assert!(row("olaf")["note"].as_str().unwrap().contains("passwd -e"));
    assert_eq!(
        (&row("bot")["class"], &row("bot")["exempt"]),
        (&"robots".into(), &true.into())
    );
    assert_eq!(row("remote")["state"], "expired");
    assert_eq!(row("remote")["uid"], Value::Null);
    // shadow's date differs from the record: status says so and what to run.
    assert_eq!(
        db.run(
            &[
                "set-changed",
                "--create",
                "--user",
                "mara",
                "--date",
                &days_ago(30)
            ],
            ""
        )
        .code,
        0
    );
    let out = db.run(&["list", "--csv", "--passwd", passwd.to_str().unwrap()], "");
    assert_eq!(out.code, 0, "{out:?}");
    let mara = out.stdout.lines().find(|l| l.starts_with("mara,")).unwrap();
    assert!(mara.ends_with(",false"), "{}", out.stdout);
    // The command that adopts shadow's date, apart from the note (pwpolicyd
    // leaves it out for a caller who cannot run it).
    let out = db.run(
        &["list", "--json", "--passwd", passwd.to_str().unwrap()],
        "",
    );
    let rows = out.json();
    let mara = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user"] == "mara")
        .unwrap();
    assert!(
        mara["remedy"]
            .as_str()
            .unwrap()
            .starts_with("pwpolicy set-changed --user mara --date "),
        "{mara}"
    );
    assert!(
        !mara["note"].as_str().unwrap().contains("set-changed"),
        "{mara}"
    );
    let out = db.run(&["list", "--passwd", passwd.to_str().unwrap()], "");
    assert!(out.stdout.contains("(differs)"), "{}", out.stdout);
    assert!(!out.stdout.contains("$6$"), "no hash is ever printed");
}

fn the_same_password_twice_is_reused(db: &Db) {
    assert_eq!(db.change("erin", "First-Pass-1"), (0, vec![]));
    assert_eq!(
        db.change("erin", "First-Pass-1"),
        (1, vec!["reused".to_owned()])
    );
    // Quality and history reasons are listed together.
    let (code, codes) = db.change("erin", "first");
    assert_eq!(code, 1);
    assert_eq!(codes, ["too_short", "too_few_classes"]);
    let (code, codes) = db.change("erin", "First-Pass-1x");
    assert_eq!((code, codes.len()), (0, 0));
    let status = db.status("erin");
    assert_eq!(status["state"], "ok");
    assert_eq!(status["days_left"], 90);
    assert_eq!(status["last_changed"], days_ago(0));
    assert_eq!(status["history_entries"], 2);
}

fn a_password_returns_after_remember_newer_ones(db: &Db) {
    for pw in ["Pass-A-1", "Pass-B-2", "Pass-C-3"] {
        assert_eq!(db.change("erin", pw).0, 0, "{pw}");
    }
    assert_eq!(db.change("erin", "Pass-A-1").1, ["reused"]);
    assert_eq!(db.change("erin", "Pass-D-4").0, 0);
    // remember = 3: after B, C, D, A is allowed again.
    assert_eq!(db.change("erin", "Pass-A-1").0, 0);
    assert_eq!(db.change("erin", "Pass-C-3").1, ["reused"]);
}

fn set_changed_drives_status_and_report(db: &Db) {
    for (user, days) in [("old", 91), ("warn", 80), ("fine", 10)] {
        let out = db.run(
            &[
                "set-changed",
                "--create",
                "--user",
                user,
                "--date",
                &days_ago(days),
            ],
            "",
        );
        assert_eq!(out.code, 0, "{out:?}");
    }
    let expect = [
        ("old", "expired", -1),
        ("warn", "warning", 10),
        ("fine", "ok", 80),
    ];
    for (user, state, left) in expect {
        let s = db.status(user);
        assert_eq!(
            (s["state"].as_str(), s["days_left"].as_i64()),
            (Some(state), Some(left)),
            "{user}: {s}"
        );
        assert!(s["expires"].is_string());
    }
    assert_eq!(db.status("ghost")["state"], "unknown");

    let out = db.run(&["report", "--expiring-within", "14", "--json"], "");
    assert_eq!(out.code, 0, "{out:?}");
    let report = out.json();
    let users: Vec<&str> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["old", "warn"], "sorted by expiry, fine is not due");
    let out = db.run(&["report", "--expiring-within", "100", "--csv"], "");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "user,last_changed,expires,days_left,state");
    assert_eq!(lines.len(), 4, "{}", out.stdout);
    assert!(
        lines[1].starts_with("old,") && lines[3].starts_with("fine,"),
        "{}",
        out.stdout
    );
    let table = db.run(&["report", "--expiring-within", "14"], "");
    assert!(
        table.stdout.contains("expired") && table.stdout.contains("warning"),
        "{}",
        table.stdout
    );
    assert!(!table.stdout.contains("fine"), "{}", table.stdout);
}

fn expire_forces_a_change_that_a_change_clears(db: &Db) {
    assert_eq!(db.change("erin", "Pass-A-1").0, 0);
    assert_eq!(
        db.run(&["expire", "--create", "--user", "erin"], "").code,
        0
    );
    assert_eq!(db.status("erin")["state"], "must_change");
    let report = db
        .run(&["report", "--expiring-within", "0", "--json"], "")
        .json();
    assert_eq!(report[0]["user"], "erin");
    assert_eq!(db.change("erin", "Pass-B-2").0, 0);
    assert_eq!(db.status("erin")["state"], "ok");
}

fn history_clear_and_user_remove(db: &Db) {
    assert_eq!(db.change("erin", "Pass-A-1").0, 0);
    assert_eq!(db.run(&["history", "clear", "--user", "erin"], "").code, 0);
    assert_eq!(
        db.change("erin", "Pass-A-1").0,
        0,
        "a cleared history allows old passwords"
    );
    assert_eq!(db.run(&["user", "remove", "--user", "erin"], "").code, 0);
    assert_eq!(db.status("erin")["state"], "unknown");
    let again = db.run(&["user", "remove", "--user", "erin"], "");
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("no record"), "{}", again.stderr);
}

fn import_shadow_seeds_dates(db: &Db) {
    let today_days = time::OffsetDateTime::now_utc().unix_timestamp() / 86_400;
    let old = today_days - 91;
    let shadow = format!(
        "root:$6$salt$hash:{old}:0:99999:7:::\ndaemon:*:{old}:0:99999:7:::\n\
         mara:$6$salt$hash:{old}:0:99999:7:::\nerin:!:0:0:90:14:::\nsvc:*:::::::\n"
    );
    // Without a passwd file people cannot be told from system accounts.
    let lone = TestDir::new();
    let file = lone.write("shadow", &shadow);
    let out = db.run(&["import-shadow", file.to_str().unwrap()], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("--passwd"), "{}", out.stderr);
    assert_eq!(db.status("mara")["state"], "unknown", "nothing seeded");

    let file = db.dir.write(
        "shadow",
        &format!("{shadow}nobody:*:{old}:0:99999:7:::\nlena:!$6$salt$hash:{old}:0:99999:7:::\n"),
    );
    db.dir.write(
        "passwd",
        "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/usr/sbin/nologin\n\
         mara:x:1001:1001:Mara:/home/mara:/bin/bash\nerin:x:1002:1002::/:/bin/bash\n\
         svc:x:998:998::/:/bin/false\nnobody:x:65534:65534::/:/usr/sbin/nologin\n\
         lena:x:1003:1003::/:/bin/bash\n",
    );
    let out = db.run(&["import-shadow", file.to_str().unwrap()], "");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("1 added") && out.stdout.contains("0 without"),
        "{}",
        out.stdout
    );
    // Issue 22, defect 8: nobody (above UID_MAX) is a system account and a
    // locked password has nothing to expire: neither becomes a person.
    assert!(
        out.stdout.contains(
            "Skipped 4 system accounts (uid below 1000 or from 60001 to 65535; the policy does not expire them): root, daemon, svc, nobody."
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("Skipped 2 accounts whose password is locked")
            && out.stdout.contains("erin, lena."),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("$6$"),
        "the hash must never be printed"
    );
    assert_eq!(db.status("mara")["state"], "expired");
    for skipped in ["erin", "lena", "nobody", "svc"] {
        // No record (this host may have a `nobody` of its own: a system
        // account, `ok`; the others it lacks: `unknown`).
        assert_eq!(db.status(skipped)["last_changed"], Value::Null, "{skipped}");
        assert_ne!(db.status(skipped)["state"], "expired", "{skipped}");
    }
    assert_eq!(db.status("daemon")["history_entries"], 0);
    // --all takes system and locked accounts too (all but svc, which has
    // no date, and mara, already known).
    let out = db.run(&["import-shadow", "--all", file.to_str().unwrap()], "");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("5 added"), "{}", out.stdout);
    // A malformed file names the line and seeds nothing.
    let bad = db.dir.write("bad-shadow", "alice:x:19000\nbob:x:notaday\n");
    let out = db.run(&["import-shadow", bad.to_str().unwrap()], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("line 2"), "{}", out.stderr);
    assert_eq!(db.status("alice")["state"], "unknown");
}

fn check_consults_the_history(db: &Db) {
    assert_eq!(db.change("erin", "Pass-A-1").0, 0);
    let out = db.run(&["check", "--user", "erin", "--json"], "Pass-A-1\n");
    assert_eq!(out.code, 1);
    let json = out.json();
    assert_eq!(json["history_checked"], true);
    assert_eq!(json["violations"][0]["code"], "reused");
    let out = db.run(&["check", "--user", "john", "--json"], "Pass-A-1\n");
    assert_eq!(
        (out.code, out.json()["history_checked"].as_bool()),
        (0, Some(true))
    );
}

#[test]
fn names_built_to_forge_lines_are_escaped_in_every_text_output() {
    // Regression (issue 27): names from passwd, the store or the command
    // line went raw into list, status, report and the verbs' messages, so
    // one with an escape could clear the screen of whoever read them, and
    // one with a right-to-left override could show as another.
    let db = Db::sqlite().unwrap();
    let etc = TestDir::new();
    let (evil, evil_shown) = ("ev\x1b[2Jil", "ev\\u{1b}[2Jil");
    let (reversed, reversed_shown) = ("erin\u{202e}nimda", "erin\\u{202e}nimda");
    let passwd = etc.write(
        "passwd",
        &format!("{evil}:x:1001:1001:Eve:/:/bin/sh\n{reversed}:x:1002:1002:Erin:/:/bin/sh\n"),
    );
    etc.write("group", "eve:x:1001:\nerin:x:1002:\n");
    let passwd = passwd.to_str().unwrap();
    // The store takes no control characters in a name, but an override is
    // no control character.
    let recorded = db.run(
        &[
            "set-changed",
            "--create",
            "--user",
            reversed,
            "--date",
            &days_ago(80),
        ],
        "",
    );
    assert_eq!(recorded.code, 0, "{recorded:?}");
    let runs: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["list", "--passwd", passwd],
            vec![evil_shown, reversed_shown],
        ),
        (
            vec!["list", "--csv", "--passwd", passwd],
            vec![evil_shown, reversed_shown],
        ),
        (vec!["status", "--user", evil], vec![evil_shown]),
        (vec!["status", "--user", reversed], vec![reversed_shown]),
        (
            vec!["report", "--expiring-within", "30"],
            vec![reversed_shown],
        ),
        (
            vec!["report", "--expiring-within", "30", "--csv"],
            vec![reversed_shown],
        ),
        (vec!["expire", "--user", reversed], vec![reversed_shown]),
        (
            vec!["expire", "--user", "nobody\u{202e}else"],
            vec!["nobody\\u{202e}else"],
        ),
        (
            vec!["history", "clear", "--user", reversed],
            vec![reversed_shown],
        ),
        (
            vec!["user", "remove", "--user", reversed],
            vec![reversed_shown],
        ),
        (
            vec!["user", "remove", "--user", reversed],
            vec![reversed_shown],
        ),
    ];
    for (args, shown) in runs {
        let out = db.run(&args, "");
        let said = format!("{}{}", out.stdout, out.stderr);
        assert!(
            !said.contains(['\x1b', '\u{202e}']),
            "{args:?} printed a raw escape or override: {said:?}"
        );
        for name in shown {
            assert!(
                said.contains(name),
                "{args:?} does not show {name}: {said:?}"
            );
        }
    }
}

#[test]
fn check_without_a_default_store_skips_history_and_says_so() {
    pwpolicy_tests::require!(
        !std::path::Path::new("/var/lib/pwpolicy/state.db").exists(),
        "this machine has a store at the default path"
    );
    let out = pwpolicy_run(&["check", "--user", "erin", "--json"], b"Blue-Kettle-42\n");
    assert_eq!(out.code, 0);
    assert_eq!(out.json()["history_checked"], false);
    assert!(
        out.stderr
            .contains("history not checked: no store at /var/lib/pwpolicy/state.db"),
        "{}",
        out.stderr
    );
    // The note names the store, never the password.
    assert!(
        !out.stderr.contains("Blue-Kettle") && !out.stdout.contains("Blue-Kettle"),
        "{out:?}"
    );
}

#[test]
fn store_trouble_is_a_clear_error() {
    let dir = TestDir::new();
    let bad = dir.write("garbage.db", &"x".repeat(10_000));
    std::fs::set_permissions(&bad, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let out = pwpolicy_run(
        &["change", "--user", "erin", "--db", bad.to_str().unwrap()],
        b"Blue-Kettle-42\n",
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("damaged"), "{}", out.stderr);

    let open = dir.write("open.db", "");
    std::fs::set_permissions(&open, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let out = pwpolicy_run(
        &["status", "--user", "erin", "--db", open.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("chmod 600"), "{}", out.stderr);

    let out = pwpolicy_run(
        &[
            "set-changed",
            "--user",
            "erin",
            "--date",
            "24/08/2026",
            "--db",
            "/nonexistent/x.db",
        ],
        b"",
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("YYYY-MM-DD"), "{}", out.stderr);

    let out = pwpolicy_run(
        &[
            "change",
            "--user",
            "",
            "--db",
            dir.path().join("s.db").to_str().unwrap(),
        ],
        b"Blue-Kettle-42\n",
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("invalid user name"), "{}", out.stderr);
}

#[test]
fn a_store_in_a_directory_this_user_cannot_write_is_a_clear_error() {
    // Root writes anywhere, so as root run the CLI as `nobody`; as an
    // ordinary user run it directly.
    let dir = TestDir::new();
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let db = dir.path().join("state.db");
    let bin = pwpolicy_tests::pwpolicy();
    let args = ["change", "--user", "erin", "--db", db.to_str().unwrap()];
    let out = if pwpolicy_tests::is_root() {
        let mut full = vec!["-u", "nobody", "--", bin.to_str().unwrap()];
        full.extend(args);
        pwpolicy_tests::run(std::path::Path::new("runuser"), &full, b"Blue-Kettle-42\n")
    } else {
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o555),
        )
        .unwrap();
        pwpolicy_tests::run(&bin, &args, b"Blue-Kettle-42\n")
    };
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("cannot create") && out.stderr.contains("state.db"),
        "{}",
        out.stderr
    );
    assert!(!db.exists());
}
