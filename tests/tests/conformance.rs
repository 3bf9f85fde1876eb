//! One answer per question (issue 22): `status`, `list` and `report` agree
//! about every account, on every backend — a local SQLite store, a local
//! PostgreSQL store and pwpolicyd — for a host of thousands of accounts
//! with classes by group, uid range and name, store-only accounts, a policy
//! whose own passwords never expire, forced changes in pwpolicy and in
//! shadow, locked, exempt and system accounts.
//!
//! The host is a sandbox: a copy of `/etc` whose passwd, group and shadow
//! files get the generated accounts, mounted over `/etc` in a private mount
//! namespace, where the CLI and pwpolicyd run and look the accounts up
//! through NSS as they would on a real host.
//!
//! Each regression of the issue's numbered defects is a test of its own
//! below, named after it, asking the same fixture.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use pwpolicy_tests::sandbox::{Sandbox, available};
use pwpolicy_tests::{binary, pg_database};
use serde_json::Value;

/// People by name only (`p0000`…), of whom every tenth is an admin and
/// every tenth but one a mail-only user.
const PEOPLE: usize = 2400;
/// Contractors, by uid range.
const CONTRACTORS: usize = 300;
/// Accounts only the store knows (`so000`…).
const STORE_ONLY: usize = 300;

/// The classes every fixture policy has.
const CLASSES: &str = r#"
[[accounts.class]]
name = "admins"
groups = ["pwadmins"]
max_age_days = 60

[[accounts.class]]
name = "contractors"
uids = "5000-5999"
max_age_days = 30

[[accounts.class]]
name = "named"
users = ["vip0", "vip1", "storevip"]
max_age_days = 45

[[accounts.class]]
name = "robots"
uids = "6000-6099"
exempt = true

[[accounts.class]]
name = "mail"
groups = ["pwmail"]
max_age_days = 0
"#;

/// The two policies the fixture is asked under: the organisation's 90
/// days, and one whose own passwords never expire (NIST's value) with the
/// same classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Variant {
    Ninety,
    Never,
}

impl Variant {
    const ALL: [Variant; 2] = [Variant::Ninety, Variant::Never];

    fn file(self) -> &'static str {
        match self {
            Variant::Ninety => "policy-90.toml",
            Variant::Never => "policy-never.toml",
        }
    }

    fn toml(self) -> String {
        let expiry = match self {
            Variant::Ninety => "",
            Variant::Never => "[expiry]\nmax_age_days = 0\nwarn_days = 0\n",
        };
        format!("[history]\nmemory_kib = 64\niterations = 1\n{expiry}{CLASSES}")
    }
}

/// Where the answers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Via {
    Sqlite,
    Postgres,
    Service,
}

/// Days before today, as shadow(5) counts days since 1970.
fn shadow_day(days_ago: i64) -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp() / 86_400 - days_ago
}

/// The generated host, the store contents, and every answer asked of it.
struct Fixture {
    sb: Sandbox,
    /// The host's account names in passwd order (the copy's own first).
    host: Vec<String>,
    /// Answers by (variant, via): `list`, and `report` for each window.
    lists: BTreeMap<(Variant, Via), Vec<Value>>,
    reports: BTreeMap<(Variant, Via, u32), Vec<Value>>,
    statuses: BTreeMap<(Variant, Via, String), Value>,
}

/// Windows the reports are asked for.
const WINDOWS: [u32; 3] = [0, 14, 60];

/// Accounts whose `status` is asked one by one (each a process).
const SAMPLE: &[&str] = &[
    "p0070", "p0071", "p0072", "p0003", "c025", "c039", "r00", "vip0", "vip1", "storevip", "s00",
    "l00", "f00", "f01", "hi0", "nobody", "so000", "so007", "so100", "root",
];

/// The fixture, built once for every test of this file (it takes seconds
/// to build and ask): `None` where the machine cannot run it.
fn fixture() -> Option<&'static Fixture> {
    static FIXTURE: OnceLock<Option<Fixture>> = OnceLock::new();
    FIXTURE
        .get_or_init(|| {
            available("conformance", &["useradd"]).then(|| {
                let url = pg_database().expect("a PostgreSQL test server (scripts/test.sh)");
                Fixture::build(&url)
            })
        })
        .as_ref()
}

impl Fixture {
    fn build(pg_url: &str) -> Fixture {
        let sb = Sandbox::new();
        let etc = sb.etc();
        let read = |name: &str| std::fs::read_to_string(etc.join(name)).unwrap();
        let (mut passwd, mut shadow, mut group) = (read("passwd"), read("shadow"), read("group"));
        // The store's seed: a shadow file with a date for every account,
        // store-only ones included, imported with --all.
        let mut seed = String::new();
        let mut host = Vec::new();
        let mut add = |name: &str, uid: u32, gecos: &str, hash: &str, live: i64, seeded: i64| {
            writeln!(passwd, "{name}:x:{uid}:100:{gecos}:/nonexistent:/bin/sh").unwrap();
            writeln!(shadow, "{name}:{hash}:{live}:0:99999:7:::").unwrap();
            writeln!(seed, "{name}:{hash}:{seeded}:0:99999:7:::").unwrap();
        };
        let hash = "$6$conformance$notarealhash";
        let (mut admins, mut mail) = (Vec::new(), Vec::new());
        for i in 0..PEOPLE {
            let name = format!("p{i:04}");
            let day = shadow_day((i % 130) as i64);
            add(
                &name,
                10_000 + i as u32,
                &format!("Person {i}"),
                hash,
                day,
                day,
            );
            match i % 10 {
                0 => admins.push(name),
                1 => mail.push(name),
                _ => {}
            }
        }
        for i in 0..CONTRACTORS {
            let day = shadow_day((i % 40) as i64);
            add(
                &format!("c{i:03}"),
                5000 + i as u32,
                "Contractor",
                hash,
                day,
                day,
            );
        }
        for i in 0..50 {
            let day = shadow_day(400);
            add(&format!("r{i:02}"), 6000 + i, "Robot", hash, day, day);
        }
        add(
            "vip0",
            7000,
            "Vip Zero",
            hash,
            shadow_day(50),
            shadow_day(50),
        );
        add(
            "vip1",
            7001,
            "Vip One",
            hash,
            shadow_day(40),
            shadow_day(40),
        );
        for i in 0..20 {
            let day = shadow_day(400);
            add(&format!("s{i:02}"), 200 + i, "System", hash, day, day);
            add(&format!("l{i:02}"), 8000 + i, "Locked", "!$6$x$y", day, day);
            // Forced by shadow (passwd -e) after pwpolicy recorded a change.
            add(
                &format!("f{i:02}"),
                8100 + i,
                "Forced",
                hash,
                0,
                shadow_day(10),
            );
        }
        for i in 0..5 {
            let day = shadow_day(95);
            add(
                &format!("hi{i}"),
                70_000 + i,
                "Directory Person",
                hash,
                day,
                day,
            );
        }
        for i in 0..STORE_ONLY {
            writeln!(
                seed,
                "so{i:03}:x:{}:0:99999:7:::",
                shadow_day((i % 130) as i64)
            )
            .unwrap();
        }
        writeln!(seed, "storevip:x:{}:0:99999:7:::", shadow_day(50)).unwrap();
        writeln!(group, "pwadmins:x:4000:{}", admins.join(",")).unwrap();
        writeln!(group, "pwmail:x:4001:{}", mail.join(",")).unwrap();
        for (name, text) in [("passwd", &passwd), ("shadow", &shadow), ("group", &group)] {
            std::fs::write(etc.join(name), text).unwrap();
        }
        for line in passwd.lines() {
            host.push(line.split(':').next().unwrap().to_owned());
        }
        let seed_file = sb.path().join("seed-shadow");
        std::fs::write(&seed_file, seed).unwrap();
        for variant in Variant::ALL {
            let path = sb.path().join(variant.file());
            std::fs::write(&path, variant.toml()).unwrap();
        }
        let sqlite = sb.path().join("state/conformance.db");
        let mut fixture = Fixture {
            sb,
            host,
            lists: BTreeMap::new(),
            reports: BTreeMap::new(),
            statuses: BTreeMap::new(),
        };
        let stores = [
            (Via::Sqlite, sqlite.to_str().unwrap().to_owned()),
            (Via::Postgres, pg_url.to_owned()),
        ];
        for (_, db) in &stores {
            fixture.seed(db, &seed_file);
        }
        for variant in Variant::ALL {
            for (via, db) in &stores {
                fixture.ask(variant, *via, &["--db", db]);
            }
            let daemon = fixture.daemon(variant, &stores[0].1);
            let socket = daemon.socket.to_str().unwrap().to_owned();
            fixture.ask(variant, Via::Service, &["--socket", &socket]);
        }
        fixture
    }

    fn config(&self, variant: Variant) -> String {
        self.sb
            .path()
            .join(variant.file())
            .to_str()
            .unwrap()
            .to_owned()
    }

    /// The same records in a store: the seed imported, and forced changes.
    fn seed(&self, db: &str, seed: &std::path::Path) {
        let config = self.config(Variant::Ninety);
        let out = self.sb.cli_ok(&[
            "import-shadow",
            "--all",
            seed.to_str().unwrap(),
            "--db",
            db,
            "--config",
            &config,
        ]);
        assert!(out.stdout.contains(" added"), "{out:?}");
        for user in ["p0003", "so007"] {
            self.sb
                .cli_ok(&["expire", "--user", user, "--db", db, "--config", &config]);
        }
    }

    /// Every answer under `variant` from the backend `source` names.
    fn ask(&mut self, variant: Variant, via: Via, source: &[&str]) {
        let config = self.config(variant);
        let json = |fixture: &Fixture, args: &[&str]| -> Value {
            let mut full = args.to_vec();
            full.extend(source);
            full.extend(["--config", &config]);
            let out = fixture.sb.cli_ok(&full);
            out.json()
        };
        let rows = |v: Value| v.as_array().unwrap().clone();
        let list = rows(json(self, &["list", "--json"]));
        self.lists.insert((variant, via), list);
        for days in WINDOWS {
            let report = rows(json(
                self,
                &["report", "--expiring-within", &days.to_string(), "--json"],
            ));
            self.reports.insert((variant, via, days), report);
        }
        for user in SAMPLE {
            let status = json(self, &["status", "--user", user, "--json"]);
            self.statuses
                .insert((variant, via, (*user).to_owned()), status);
        }
    }

    /// pwpolicyd inside the sandbox over `db`, under `variant`.
    fn daemon(&self, variant: Variant, db: &str) -> Daemon {
        let run = self.sb.path().join(format!("run-{variant:?}"));
        std::fs::create_dir_all(&run).unwrap();
        std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .unwrap();
        let socket = run.join("pwpolicyd.sock");
        let daemon = binary("pwpolicy-service", "pwpolicyd");
        let child = self
            .sb
            .command(
                daemon.to_str().unwrap(),
                &[
                    "--socket",
                    socket.to_str().unwrap(),
                    "--config",
                    &self.config(variant),
                    "--db",
                    db,
                ],
            )
            .env("PWPOLICYD_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "pwpolicyd did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Daemon { child, socket }
    }

    fn list(&self, variant: Variant, via: Via) -> &[Value] {
        &self.lists[&(variant, via)]
    }

    fn row(&self, variant: Variant, via: Via, user: &str) -> &Value {
        self.list(variant, via)
            .iter()
            .find(|r| r["user"] == user)
            .unwrap_or_else(|| panic!("{user} is not listed ({variant:?}, {via:?})"))
    }

    fn report(&self, variant: Variant, via: Via, days: u32) -> &[Value] {
        &self.reports[&(variant, via, days)]
    }

    fn reported(&self, variant: Variant, via: Via, days: u32, user: &str) -> Option<&Value> {
        self.report(variant, via, days)
            .iter()
            .find(|r| r["user"] == user)
    }

    fn backends(&self) -> impl Iterator<Item = (Variant, Via)> + '_ {
        self.lists.keys().copied()
    }
}

/// pwpolicyd in the sandbox, stopped on drop.
struct Daemon {
    child: Child,
    socket: PathBuf,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A status object as a report row: without what only `status` and `list` show.
fn as_row(status: &Value) -> Value {
    let mut row = status.clone();
    let map = row.as_object_mut().unwrap();
    for key in ["shadow", "shadow_agrees", "note", "remedy"] {
        map.remove(key);
    }
    row
}

/// Whether a listed account is due within `days`: the question the report
/// answers, asked of the list's own fields.
fn due(row: &Value, days: u32) -> bool {
    row["must_change"] == true
        || row["days_left"]
            .as_i64()
            .is_some_and(|d| d <= i64::from(days))
}

#[test]
fn status_list_and_report_agree_on_every_backend() {
    let Some(f) = fixture() else { return };
    for (variant, via) in f.backends() {
        let list = f.list(variant, via);
        // Every host account once, in passwd order, then the store's own.
        let names: Vec<&str> = list.iter().map(|r| r["user"].as_str().unwrap()).collect();
        assert_eq!(
            names[..f.host.len()],
            f.host.iter().map(String::as_str).collect::<Vec<_>>()[..],
            "{variant:?} {via:?}: the host's accounts first, in passwd order"
        );
        let mut seen = HashMap::new();
        for name in &names {
            *seen.entry(*name).or_insert(0) += 1;
        }
        assert!(
            seen.values().all(|&n| n == 1),
            "{variant:?} {via:?}: a name listed twice"
        );
        assert_eq!(
            names.len(),
            f.host.len() + STORE_ONLY + 1,
            "{variant:?} {via:?}: every store-only account is listed too"
        );
        // `status` of an account is its `list` row.
        for user in SAMPLE {
            let status = &f.statuses[&(variant, via, (*user).to_owned())];
            assert_eq!(
                status,
                f.row(variant, via, user),
                "{variant:?} {via:?} {user}"
            );
        }
        // `report` is the list's due rows, each as the list has it.
        for days in WINDOWS {
            let report = f.report(variant, via, days);
            let mut expected: BTreeMap<String, Value> = list
                .iter()
                .filter(|r| due(r, days))
                .map(|r| (r["user"].as_str().unwrap().to_owned(), as_row(r)))
                .collect();
            for row in report {
                let user = row["user"].as_str().unwrap();
                let listed = expected.remove(user).unwrap_or_else(|| {
                    panic!("{variant:?} {via:?} {days}: {user} reported but not due: {row}")
                });
                assert_eq!(*row, listed, "{variant:?} {via:?} {days}: {user}");
            }
            assert!(
                expected.is_empty(),
                "{variant:?} {via:?} {days}: due but not reported: {:?}",
                expected.keys().take(10).collect::<Vec<_>>()
            );
            // Forced changes first.
            let first_free = report
                .iter()
                .position(|r| r["must_change"] == false)
                .unwrap_or(report.len());
            assert!(
                report[first_free..]
                    .iter()
                    .all(|r| r["must_change"] == false),
                "{variant:?} {via:?} {days}: forced changes come first"
            );
        }
    }
    // The same answers from every backend.
    for variant in Variant::ALL {
        let sqlite = f.list(variant, Via::Sqlite);
        for via in [Via::Postgres, Via::Service] {
            assert_eq!(
                sqlite,
                f.list(variant, via),
                "{variant:?}: sqlite vs {via:?}"
            );
            for days in WINDOWS {
                assert_eq!(
                    f.report(variant, Via::Sqlite, days),
                    f.report(variant, via, days),
                    "{variant:?} {days}: sqlite vs {via:?}"
                );
            }
        }
    }
}

#[test]
fn defect_1_report_lists_members_of_a_class_with_a_shorter_max_age() {
    let Some(f) = fixture() else { return };
    for via in [Via::Sqlite, Via::Postgres, Via::Service] {
        // An admin (60 days) who changed 70 days ago…
        let admin = f
            .reported(Variant::Ninety, via, 14, "p0070")
            .unwrap_or_else(|| panic!("{via:?}: an admin 70 days in is missing from the report"));
        assert_eq!(
            (&admin["class"], &admin["state"], &admin["days_left"]),
            (&"admins".into(), &"expired".into(), &(-10).into())
        );
        // …and a contractor (30 days) 25 days in: 5 days left.
        let contractor = f.reported(Variant::Ninety, via, 14, "c025").unwrap();
        assert_eq!(
            (
                &contractor["class"],
                &contractor["state"],
                &contractor["days_left"]
            ),
            (&"contractors".into(), &"warning".into(), &5.into())
        );
        // The same, under a policy whose own passwords never expire.
        assert!(f.reported(Variant::Never, via, 14, "c025").is_some());
        assert!(f.reported(Variant::Never, via, 14, "p0070").is_some());
    }
}

#[test]
fn defect_2_list_shows_a_store_only_member_of_a_users_class_in_its_class() {
    let Some(f) = fixture() else { return };
    for via in [Via::Sqlite, Via::Postgres, Via::Service] {
        let row = f.row(Variant::Ninety, via, "storevip");
        assert_eq!(
            (&row["class"], &row["state"], &row["days_left"], &row["uid"]),
            (
                &"named".into(),
                &"expired".into(),
                &(-5).into(),
                &Value::Null
            ),
            "{via:?}"
        );
        assert_eq!(row, &f.statuses[&(Variant::Ninety, via, "storevip".into())]);
    }
}

#[test]
fn defect_3_a_policy_that_never_expires_still_lists_store_only_users() {
    let Some(f) = fixture() else { return };
    for via in [Via::Sqlite, Via::Postgres, Via::Service] {
        let row = f.row(Variant::Never, via, "so100");
        assert_eq!(
            (&row["class"], &row["state"], &row["expires"]),
            (&"person".into(), &"ok".into(), &Value::Null),
            "{via:?}"
        );
        // Only the forced ones and the classes that expire are reported.
        let report = f.report(Variant::Never, via, 60);
        assert!(
            report
                .iter()
                .all(|r| r["class"] != "person" || r["must_change"] == true)
        );
        assert!(
            report.iter().any(|r| r["user"] == "so007"),
            "a forced store-only user"
        );
    }
}

#[test]
fn defect_4_a_forced_change_in_shadow_is_must_change_everywhere() {
    let Some(f) = fixture() else { return };
    for (variant, via) in f.backends() {
        let status = &f.statuses[&(variant, via, "f00".to_owned())];
        assert_eq!(
            (&status["state"], &status["must_change"]),
            (&"must_change".into(), &true.into()),
            "{variant:?} {via:?}"
        );
        for days in WINDOWS {
            let row = f.reported(variant, via, days, "f00").unwrap();
            assert_eq!(row["state"], "must_change", "{variant:?} {via:?} {days}");
            // Reported once, among the forced.
            let count = f
                .report(variant, via, days)
                .iter()
                .filter(|r| r["user"] == "f00")
                .count();
            assert_eq!(count, 1);
        }
    }
}

#[test]
fn defect_8_locked_and_out_of_range_accounts_are_not_people() {
    let Some(f) = fixture() else { return };
    for (variant, via) in f.backends() {
        for (user, class) in [
            ("l00", "person"),
            ("nobody", "system"),
            ("s00", "system"),
            ("root", "system"),
        ] {
            let status = &f.statuses[&(variant, via, user.to_owned())];
            assert_eq!(
                (&status["class"], &status["state"], &status["expires"]),
                (&class.into(), &"ok".into(), &Value::Null),
                "{variant:?} {via:?} {user}"
            );
            for days in WINDOWS {
                assert!(
                    f.reported(variant, via, days, user).is_none(),
                    "{user} reported"
                );
            }
        }
        let locked = &f.statuses[&(variant, via, "l00".to_owned())];
        assert!(
            locked["note"].as_str().unwrap().contains("locked"),
            "{locked}"
        );
        // A directory user past 65535 is a person.
        let high = &f.statuses[&(variant, via, "hi0".to_owned())];
        assert_eq!(high["class"], "person", "{high}");
    }
}

#[test]
fn defect_9_report_rows_have_every_key_status_has() {
    let Some(f) = fixture() else { return };
    for (variant, via) in f.backends() {
        let report = f.report(variant, via, 60);
        assert!(!report.is_empty());
        for row in report {
            for key in [
                "user",
                "uid",
                "state",
                "last_changed",
                "expires",
                "days_left",
                "must_change",
                "history_entries",
                "max_age_days",
                "warn_days",
                "class",
                "exempt",
            ] {
                assert!(
                    row.get(key).is_some(),
                    "{variant:?} {via:?}: no {key} in {row}"
                );
            }
        }
    }
}

/// Defect 5 of issue 22, and the shared vectors with names taken from
/// passwd: each case whose names a passwd line can hold becomes an account
/// of the sandbox (the vector's account name, or `pwvecN` for a case
/// without one; GECOS the full name), and its password is checked with
/// nothing but the account name by the CLI, by pwpolicyd and by PAM (a real
/// chauthtok as root with `enforce_for_root`). All three must find exactly
/// the vector's violations, and PAM must tell the user the CLI's words.
#[test]
fn defect_5_the_shared_vectors_with_names_from_passwd_through_cli_pwpolicyd_and_pam() {
    let Some(f) = fixture() else { return };
    let vectors = pwpolicy_tests::vectors::load();
    // Account names whose full name differs between cases keep only the
    // case with a full name (passwd has one GECOS per account); a comma
    // cannot be in GECOS's full-name field.
    let mut gecos: BTreeMap<String, String> = BTreeMap::new();
    let mut cases = Vec::new();
    for (i, case) in vectors.case.iter().enumerate() {
        if case.full_name.contains(',') || case.full_name.contains(':') {
            continue;
        }
        let account = if case.user.is_empty() {
            format!("pwvec{i}")
        } else {
            case.user.clone()
        };
        match gecos.get(&account) {
            Some(full) if *full != case.full_name => continue,
            _ => {}
        }
        gecos.insert(account.clone(), case.full_name.clone());
        cases.push((i, account, case));
    }
    // Of the accounts wanted with an empty GECOS and also with a full name,
    // the full name wins: drop the cases that wanted it empty.
    cases.retain(|(_, account, case)| gecos[account] == case.full_name);
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let sb = &f.sb;
    // The accounts, appended to the copy of /etc (uids past the fixture's).
    let mut passwd = std::fs::read_to_string(sb.etc().join("passwd")).unwrap();
    let mut shadow = std::fs::read_to_string(sb.etc().join("shadow")).unwrap();
    for (k, (account, full)) in gecos.iter().enumerate() {
        if passwd.lines().any(|l| l.split(':').next() == Some(account)) {
            continue;
        }
        writeln!(
            passwd,
            "{account}:x:{}:100:{full}:/nonexistent:/bin/sh",
            20_000 + k
        )
        .unwrap();
        writeln!(shadow, "{account}:$6$x$y:{}:0:99999:7:::", shadow_day(1)).unwrap();
    }
    std::fs::write(sb.etc().join("passwd"), passwd).unwrap();
    std::fs::write(sb.etc().join("shadow"), shadow).unwrap();
    // One policy file, store, daemon and PAM service per distinct policy.
    let pamd = sb.path().join("vectors-pam.d");
    std::fs::create_dir_all(&pamd).unwrap();
    let mut by_policy: BTreeMap<&str, Vec<&(usize, String, &pwpolicy_tests::vectors::Case)>> =
        BTreeMap::new();
    for c in &cases {
        by_policy.entry(c.2.policy.as_str()).or_default().push(c);
    }
    let mut failures = Vec::new();
    for (n, (policy, cases)) in by_policy.iter().enumerate() {
        let text = if policy.contains("[history]") {
            (*policy).to_owned()
        } else {
            format!("{policy}\n[history]\nmemory_kib = 64\niterations = 1\n")
        };
        let config = sb.path().join(format!("vectors-{n}.toml"));
        std::fs::write(&config, text).unwrap();
        let config = config.to_str().unwrap().to_owned();
        let db = sb.path().join(format!("state/vectors-{n}.db"));
        let db = db.to_str().unwrap().to_owned();
        let run = sb.path().join(format!("run-vectors-{n}"));
        std::fs::create_dir_all(&run).unwrap();
        std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .unwrap();
        let socket = run.join("pwpolicyd.sock");
        let daemon_bin = binary("pwpolicy-service", "pwpolicyd");
        let child = sb
            .command(
                daemon_bin.to_str().unwrap(),
                &[
                    "--socket",
                    socket.to_str().unwrap(),
                    "--config",
                    &config,
                    "--db",
                    &db,
                ],
            )
            .env("PWPOLICYD_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let daemon = Daemon { child, socket };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !daemon.socket.exists() {
            assert!(Instant::now() < deadline, "pwpolicyd did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        let service = format!("vectors-{n}");
        std::fs::write(
            pamd.join(&service),
            format!(
                "password requisite {} config={config} db={db} enforce_for_root retry=1\n\
                 password requisite pam_permit.so\n",
                pwpolicy_tests::pam_module().display()
            ),
        )
        .unwrap();
        for (i, account, case) in cases.iter().map(|c| (&c.0, &c.1, c.2)) {
            let mut expect: Vec<String> = case.expect.clone();
            expect.sort();
            let input = format!("{}\n", case.password);
            let codes = |out: &pwpolicy_tests::Output| -> (Vec<String>, Vec<String>) {
                let json = out.json();
                let violations = json["violations"].as_array().cloned().unwrap_or_default();
                let mut codes: Vec<String> = violations
                    .iter()
                    .map(|v| v["code"].as_str().unwrap().to_owned())
                    .collect();
                codes.sort();
                let messages = violations
                    .iter()
                    .map(|v| v["message"].as_str().unwrap().to_owned())
                    .collect();
                (codes, messages)
            };
            let local = sb.cli_with(
                &[
                    "check", "--user", account, "--json", "--db", &db, "--config", &config,
                ],
                input.as_bytes(),
            );
            let (local_codes, messages) = codes(&local);
            let socket = daemon.socket.to_str().unwrap();
            let served = sb.cli_with(
                &[
                    "check", "--user", account, "--json", "--socket", socket, "--config", &config,
                ],
                input.as_bytes(),
            );
            let (served_codes, _) = codes(&served);
            let pam = sb.run(
                pwpolicy_tests::pam_driver().to_str().unwrap(),
                &[
                    pamd.to_str().unwrap(),
                    &service,
                    account,
                    "chauthtok",
                    &case.password,
                    &case.password,
                ],
                b"",
            );
            let pam: Value = serde_json::from_str(pam.stdout.trim())
                .unwrap_or_else(|e| panic!("pam_driver: {e}: {pam:?}"));
            let accepted = pam["result"] == 0;
            let told: Vec<String> = pam["messages"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| m["style"] == "error")
                .filter_map(|m| m["text"].as_str()?.strip_prefix("BAD PASSWORD: "))
                .map(str::to_owned)
                .collect();
            let mut told_sorted = told.clone();
            told_sorted.sort();
            let mut messages_sorted = messages.clone();
            messages_sorted.sort();
            if local_codes != expect
                || served_codes != expect
                || accepted != expect.is_empty()
                || told_sorted != messages_sorted
            {
                failures.push(format!(
                    "case {i} {:?} as {account}: expected {expect:?}; cli {local_codes:?}, \
                     pwpolicyd {served_codes:?}, pam accepted={accepted} told {told:?}",
                    case.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
