//! A directory user's own password change over LDAPS, as the self-service
//! page makes it (issue 26): `pwpolicy-directory-ldap`'s
//! `Connection::change_password` against a real Samba AD DC that the test
//! provisions once and runs alone in a network namespace of its own, bound
//! as an ordinary service account. An ordinary, an expired and a
//! must-change account change their passwords (the last two cannot bind
//! first); a wrong current password and an unknown account get the same
//! answer in about the same time; the domain's lockout holds; the DC's own
//! rules and its check password script (`pwpolicy check --samba`) refuse.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use pwpolicy_directory::{ERROR_PASSWORD_EXPIRED, ERROR_PASSWORD_MUST_CHANGE, Refusal, bind_data};
use pwpolicy_directory_ldap::{
    ChangeError, Connection, DEFAULT_ANSWER_FLOOR, DirectoryError, Protection, Target,
};
use pwpolicy_tests::TestDir;
use pwpolicy_tests::samba::{Daemon, REALM, add_global, have_or_skip, provision, samba_tool};
use pwpolicy_tests::tls::certificates;
use pwpolicy_tests::web::{WebServer, encode};

/// The service account the change is sent over: an ordinary user.
const SERVICE: &str = "websvc";
const SERVICE_PASSWORD: &str = "Service-Bind-Secret-71";
/// Every user's first password.
const FIRST: &str = "Blue-Kettle-42";
/// A word only the check password script refuses (Samba has no banned
/// words): a refusal for it proves the script ran.
const BANNED: &str = "Quokka";

/// The ways to reach the DC.
struct Dc<'a> {
    dir: &'a TestDir,
    ca: PathBuf,
    files: std::cell::Cell<u32>,
}

impl Dc<'_> {
    /// A target bound as `user@REALM` with `password` (in a file of its own).
    fn target(&self, url: &str, user: &str, password: &str) -> Target {
        let n = self.files.get() + 1;
        self.files.set(n);
        let file = self
            .dir
            .write(&format!("bind{n}.pw"), &format!("{password}\n"));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        Target {
            url: url.to_owned(),
            bind_dn: Some(format!("{user}@{REALM}")),
            bind_password_file: Some(file),
            base: None,
            ca_file: Some(self.ca.clone()),
            protection: if url.starts_with("ldaps") {
                Protection::Tls
            } else {
                Protection::StartTls
            },
            timeout: Duration::from_secs(20),
        }
    }

    /// The service account's connection.
    fn service(&self) -> Connection {
        Connection::open(&self.target("ldaps://localhost", SERVICE, SERVICE_PASSWORD)).unwrap()
    }

    /// A bind as `user` with `password`, as a design that binds first
    /// would make: `Ok`, or the DC's answer.
    fn bind_as(&self, user: &str, password: &str) -> Result<(), String> {
        match Connection::open(&self.target("ldaps://localhost", user, password)) {
            Ok(_) => Ok(()),
            Err(e @ DirectoryError::Bind { .. }) => Err(e.to_string()),
            Err(e) => panic!("bind as {user}: not the bind's answer: {e}"),
        }
    }

    /// One change over a fresh service connection.
    fn change(&self, user: &str, current: &str, new: &str) -> Result<(), ChangeError> {
        self.service().change_password(None, user, current, new)
    }
}

/// `tool` (ldbmodify) applies `ldif` to sam.ldb before the DC starts, with
/// the control that lets pwdLastSet take a date (as tests/directory.rs).
fn sam_ldb(dc: &Path, dir: &Path, ldif: &str) {
    let file = dir.join("modify.ldif");
    std::fs::write(&file, ldif).unwrap();
    let out = Command::new("ldbmodify")
        .arg("-H")
        .arg(dc.join("private/sam.ldb"))
        .arg("--controls=local_oid:1.3.6.1.4.1.7165.4.3.20:0")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ldbmodify: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `user`'s badPwdCount as the DC's database holds it.
fn bad_pwd_count(dc: &Path, user: &str) -> u32 {
    let out = Command::new("ldbsearch")
        .arg("-H")
        .arg(dc.join("private/sam.ldb"))
        .arg(format!("(sAMAccountName={user})"))
        .arg("badPwdCount")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("badPwdCount: "))
        .map_or(0, |v| v.trim().parse().unwrap())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[test]
fn directory_users_change_their_own_passwords_over_ldaps() {
    let test = "directory_users_change_their_own_passwords_over_ldaps";
    if !have_or_skip(
        test,
        &[
            "samba-tool",
            "samba",
            "ldbmodify",
            "ldbsearch",
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
    // `pwpolicy check --samba` as the DC's check password script, as
    // docs/samba.md sets it, with one banned word of its own. And no grace
    // for an old password: Samba (as AD for NTLM) takes it for 60 minutes
    // after a change by default, in an LDAP simple bind too.
    let policy = dir.write(
        "policy.toml",
        &format!("[banned]\nwords = [\"{BANNED}\"]\n"),
    );
    add_global(
        &conf,
        &format!(
            "\tinterfaces = lo\n\tbind interfaces only = yes\n\ttls enabled = yes\n\ttls certfile = {0}/cert.pem\n\ttls keyfile = {0}/key.pem\n\ttls cafile = {0}/ca.pem\n\tcheck password script = {1} check --samba --config {2}\n\told password allowed period = 0\n",
            tls.display(),
            pwpolicy_tests::pwpolicy().display(),
            policy.display()
        ),
    );
    // No minimum age until it is tested: the users were made just now. A
    // lockout threshold of 100 for now (Samba counts bad attempts only
    // with one), 3 when the lockout is tested.
    samba_tool(
        &conf,
        &[
            "domain",
            "passwordsettings",
            "set",
            "--min-pwd-age=0",
            "--account-lockout-threshold=100",
            "--account-lockout-duration=30",
            "--reset-account-lockout-after=30",
        ],
    );
    samba_tool(&conf, &["user", "create", SERVICE, SERVICE_PASSWORD]);
    for user in [
        "alice", "expired", "bob", "carol", "dave", "timer", "wrongun", "pageexp", "pagebob",
    ] {
        samba_tool(&conf, &["user", "create", user, FIRST]);
    }
    for forced in ["forced", "pageforced"] {
        samba_tool(
            &conf,
            &[
                "user",
                "create",
                forced,
                FIRST,
                "--must-change-at-next-login",
            ],
        );
    }
    // Changed 50 days ago: past the domain's 42.
    let fifty_days_ago = {
        let t = time::OffsetDateTime::now_utc() - time::Duration::days(50);
        i64::try_from(t.unix_timestamp_nanos() / 100).unwrap() + 116_444_736_000_000_000
    };
    sam_ldb(
        &dc,
        dir.path(),
        &format!(
            "dn: CN=expired,CN=Users,DC=PWTEST,DC=LAN\nchangetype: modify\nreplace: pwdLastSet\npwdLastSet: {fifty_days_ago}\n\n\
             dn: CN=pageexp,CN=Users,DC=PWTEST,DC=LAN\nchangetype: modify\nreplace: pwdLastSet\npwdLastSet: {fifty_days_ago}\n"
        ),
    );
    let daemon = Daemon::start_isolated(&conf);
    let log = conf.with_file_name("samba.log");

    // The LDAP calls are this crate's own: a thread of their own joins the
    // DC's network namespace, where `localhost` is the DC.
    let mut errors: Vec<String> = Vec::new();
    std::thread::scope(|s| {
        s.spawn(|| {
            daemon.enter_network();
            let dc_ = Dc {
                dir: &dir,
                ca: ca.clone(),
                files: std::cell::Cell::new(0),
            };
            let dcx = &dc_;
            let mut seen = |e: &ChangeError| errors.push(format!("{e} / {e:?}"));

            // 1. An ordinary change: the new password binds, the old no longer.
            dcx.bind_as("alice", FIRST).unwrap();
            let started = Instant::now();
            dcx.change("alice", FIRST, "Green-Teapot-17").unwrap_or_else(|e| {
                panic!("{e}\n{}", std::fs::read_to_string(&log).unwrap_or_default())
            });
            eprintln!(
                "a change over a fresh connection (TLS, bind, search, modify): {:.1} ms",
                ms(started.elapsed())
            );
            dcx.bind_as("alice", "Green-Teapot-17").unwrap();
            let old = dcx.bind_as("alice", FIRST).unwrap_err();
            assert!(old.contains("result code 49"), "{old}");

            // 2. Expired: the DC refuses the user's own bind (data 532), so
            // a design that binds first could not change it; this can.
            let refused = dcx.bind_as("expired", FIRST).unwrap_err();
            eprintln!("bind as the expired user: {refused}");
            assert_eq!(bind_data(&refused), Some(ERROR_PASSWORD_EXPIRED), "{refused}");
            dcx.change("expired", FIRST, "Amber-Lantern-63").unwrap();
            dcx.bind_as("expired", "Amber-Lantern-63").unwrap();

            // 3. Must change at next logon (pwdLastSet 0): data 773, likewise.
            let refused = dcx.bind_as("forced", FIRST).unwrap_err();
            eprintln!("bind as the must-change user: {refused}");
            assert_eq!(
                bind_data(&refused),
                Some(ERROR_PASSWORD_MUST_CHANGE),
                "{refused}"
            );
            dcx.change("forced", FIRST, "Violet-Harbor-85").unwrap();
            dcx.bind_as("forced", "Violet-Harbor-85").unwrap();

            // 4. A wrong current password and an unknown account: one answer.
            let before = bad_pwd_count(&dc, "bob");
            let wrong = dcx.change("bob", "Not-Bobs-Password-1", "Silver-Comet-29").unwrap_err();
            assert!(matches!(wrong, ChangeError::WrongCurrent), "{wrong:?}");
            seen(&wrong);
            assert_eq!(
                bad_pwd_count(&dc, "bob"),
                before + 1,
                "the DC counted the bad attempt"
            );
            let unknown = dcx.change("nosuchuser", FIRST, "Silver-Comet-29").unwrap_err();
            assert!(matches!(unknown, ChangeError::WrongCurrent), "{unknown:?}");
            seen(&unknown);
            assert_eq!(wrong.to_string(), unknown.to_string());
            assert_eq!(format!("{wrong:?}"), format!("{unknown:?}"));
            // A name that is an LDAP filter does not find anyone either.
            let star = dcx.change("*", FIRST, "Silver-Comet-29").unwrap_err();
            assert!(matches!(star, ChangeError::WrongCurrent), "{star:?}");
            dcx.bind_as("bob", FIRST).unwrap();

            // 6. The DC's own rules and its check password script.
            let refused_for = |new: &str| match dcx.change("dave", FIRST, new) {
                Err(ChangeError::Refused { reason, diagnostic }) => {
                    eprintln!("refused {new:?}... as {reason:?}: {diagnostic}");
                    assert!(!diagnostic.contains(new), "{diagnostic}");
                    reason
                }
                other => panic!("{new}: {other:?}"),
            };
            // Only the script knows the banned word.
            assert_eq!(refused_for(&format!("Green-{BANNED}-88")), Refusal::Complexity);
            // The account name (the script, and Samba's complexity).
            assert_eq!(refused_for("Dave-Kettle-88x"), Refusal::Complexity);
            // Samba's minimum length (7).
            assert_eq!(refused_for("Ab1!x"), Refusal::TooShort);
            // Its history.
            assert_eq!(refused_for(FIRST), Refusal::Reused);
            dcx.bind_as("dave", FIRST).unwrap();
            // Its minimum age: alice changed a moment ago.
            samba_tool(
                &conf,
                &["domain", "passwordsettings", "set", "--min-pwd-age=1"],
            );
            match dcx.change("alice", "Green-Teapot-17", "Orange-Meadow-52") {
                Err(ChangeError::Refused { reason, diagnostic }) => {
                    eprintln!("refused a second change as {reason:?}: {diagnostic}");
                    assert_eq!(reason, Refusal::TooRecent);
                }
                other => panic!("{other:?}"),
            }
            samba_tool(
                &conf,
                &["domain", "passwordsettings", "set", "--min-pwd-age=0"],
            );

            // Timing over one service connection: a change, a wrong current
            // password, an unknown account (interleaved; the 28 bad attempts
            // stay under the threshold of 100).
            // First as the DC answers (no floor), then as callers get them.
            let mut conn = dcx.service();
            conn.set_answer_floor(Duration::ZERO);
            let (mut changed, mut wrong_t, mut unknown_t) = (vec![], vec![], vec![]);
            let mut current = FIRST.to_owned();
            for i in 0..20 {
                let next = format!("Cobalt-Wave-{i:02}-Zz");
                let t = Instant::now();
                conn.change_password(None, "timer", &current, &next).unwrap();
                changed.push(t.elapsed());
                current = next;
                let t = Instant::now();
                let e = conn
                    .change_password(None, "wrongun", "Not-The-Password-1", "Silver-Comet-29")
                    .unwrap_err();
                wrong_t.push(t.elapsed());
                assert!(matches!(e, ChangeError::WrongCurrent));
                let t = Instant::now();
                let e = conn
                    .change_password(None, "nosuchuser", FIRST, "Silver-Comet-29")
                    .unwrap_err();
                unknown_t.push(t.elapsed());
                assert!(matches!(e, ChangeError::WrongCurrent));
            }
            let (c, w, u) = (median(changed), median(wrong_t), median(unknown_t));
            eprintln!(
                "medians of 20 over one connection, no floor: change {:.1} ms, wrong current password {:.1} ms, unknown account {:.1} ms",
                ms(c),
                ms(w),
                ms(u)
            );
            let mut conn = dcx.service();
            let (mut wrong_t, mut unknown_t) = (vec![], vec![]);
            for _ in 0..8 {
                let t = Instant::now();
                let e = conn
                    .change_password(None, "wrongun", "Not-The-Password-1", "Silver-Comet-29")
                    .unwrap_err();
                wrong_t.push(t.elapsed());
                assert!(matches!(e, ChangeError::WrongCurrent));
                let t = Instant::now();
                let e = conn
                    .change_password(None, "nosuchuser", FIRST, "Silver-Comet-29")
                    .unwrap_err();
                unknown_t.push(t.elapsed());
                assert!(matches!(e, ChangeError::WrongCurrent));
            }
            let (w, u) = (median(wrong_t), median(unknown_t));
            eprintln!(
                "medians of 8 with the default floor: wrong current password {:.1} ms, unknown account {:.1} ms",
                ms(w),
                ms(u)
            );
            assert!(w >= DEFAULT_ANSWER_FLOOR && u >= DEFAULT_ANSWER_FLOOR);
            assert!(
                w.abs_diff(u) < Duration::from_millis(50),
                "the time tells: {w:?} against {u:?}"
            );

            // 5. The lockout holds: three wrong current passwords lock
            // carol, and then the right one is refused too.
            samba_tool(
                &conf,
                &[
                    "domain",
                    "passwordsettings",
                    "set",
                    "--account-lockout-threshold=3",
                ],
            );
            assert_eq!(bad_pwd_count(&dc, "wrongun"), 28);
            for i in 0..3 {
                let e = dcx
                    .change("carol", &format!("Wrong-Guess-{i}x"), "Copper-Kite-36")
                    .unwrap_err();
                eprintln!("carol's wrong attempt {}: {e:?}", i + 1);
                assert!(matches!(e, ChangeError::WrongCurrent), "{e:?}");
                seen(&e);
            }
            let locked = dcx.change("carol", FIRST, "Copper-Kite-36").unwrap_err();
            eprintln!("carol, right current password, after three wrong: {locked:?}");
            assert!(matches!(locked, ChangeError::LockedOut), "{locked:?}");
            seen(&locked);
            // Locked whatever the password: no oracle for guesses.
            let locked = dcx.change("carol", "Wrong-Guess-9x", "Copper-Kite-36").unwrap_err();
            assert!(matches!(locked, ChangeError::LockedOut), "{locked:?}");
            // Not worked around: her own bind is refused too (data 775),
            // and her password is still the first one.
            let refused = dcx.bind_as("carol", FIRST).unwrap_err();
            eprintln!("bind as the locked-out user: {refused}");
            assert_eq!(bind_data(&refused), Some(0x775), "{refused}");
            // An unknown account is still only "wrong".
            let unknown = dcx.change("nosuchuser", FIRST, "Copper-Kite-36").unwrap_err();
            assert!(matches!(unknown, ChangeError::WrongCurrent), "{unknown:?}");

            // Through the Directory (the expiry side's handle), with the
            // policy file's [directory] settings: a change, and a service
            // password that is wrong, which says so without the password.
            let directory = |password: &str| {
                pwpolicy_directory_ldap::Directory::new(
                    dcx.target("ldaps://localhost", SERVICE, password),
                    pwpolicy::Policy::default(),
                )
            };
            directory(SERVICE_PASSWORD)
                .change_password("dave", FIRST, "Indigo-Falcon-47")
                .unwrap();
            dcx.bind_as("dave", "Indigo-Falcon-47").unwrap();
            let down = directory("Wrong-Service-Secret-3")
                .change_password("dave", "Indigo-Falcon-47", "Scarlet-Maple-21")
                .unwrap_err();
            assert!(matches!(down, ChangeError::Unavailable(_)), "{down:?}");
            assert!(down.to_string().contains("refused the bind as websvc"), "{down}");
            seen(&down);
            for e in &errors {
                assert!(!e.contains("Wrong-Service-Secret-3") && !e.contains("Indigo"), "{e}");
            }

            // StartTLS on ldap:// carries a change too.
            let mut conn =
                Connection::open(&dcx.target("ldap://localhost", SERVICE, SERVICE_PASSWORD))
                    .unwrap();
            conn.change_password(None, "bob", FIRST, "Silver-Comet-29")
                .unwrap();
            dcx.bind_as("bob", "Silver-Comet-29").unwrap();

            // The self-service page, in the DC's network namespace, with the
            // policy file's [directory]: an expired and a must-change
            // account change there; a wrong password and an unknown account
            // get one answer; the lockout (3, set above) is the DC's.
            let bind_file = dir.write("page-bind.pw", &format!("{SERVICE_PASSWORD}\n"));
            std::fs::set_permissions(&bind_file, std::fs::Permissions::from_mode(0o600)).unwrap();
            let page_dir = dir.path().join("page");
            std::fs::create_dir_all(&page_dir).unwrap();
            let web = WebServer::start_wrapped(
                &page_dir,
                &format!(
                    "[directory]\nurl = \"ldaps://localhost\"\nbind_dn = \"{SERVICE}@{REALM}\"\n\
                     bind_password_file = \"{}\"\nca_file = \"{}\"\n",
                    bind_file.display(),
                    ca.display()
                ),
                "",
                |binary| daemon.command(binary),
            );
            let form = |user: &str, current: &str, new: &str| {
                format!(
                    "user={user}&current={}&new={}&confirm={}",
                    encode(current),
                    encode(new),
                    encode(new)
                )
            };
            for (user, new) in [("pageexp", "Amber-Lantern-64"), ("pageforced", "Violet-Harbor-86")] {
                assert!(dcx.bind_as(user, FIRST).is_err(), "{user} cannot bind first");
                let r = web.change(&form(user, FIRST, new));
                assert_eq!(r.json()["changed"], true, "{user}: {}\n{}", r.text(), web.log());
                dcx.bind_as(user, new).unwrap();
            }
            // The name rule with the directory's full name is the page's own.
            let r = web.change(&form("pagebob", FIRST, "Pagebob-Kettle-9"));
            assert_eq!(r.json()["violations"][0]["code"], "contains_account_name", "{}", r.text());
            // The DC's history, in the core's words.
            let r = web.change(&form("pageexp", "Amber-Lantern-64", FIRST));
            let v = r.json();
            assert_eq!(v["error"], "rejected", "{v}");
            assert_eq!(v["violations"][0]["code"], "reused", "{v}");
            let wrong = web.change(&form("pagebob", "Not-The-Password-1", "Silver-Comet-30"));
            let unknown = web.change(&form("nosuchuser", FIRST, "Silver-Comet-30"));
            let locked = web.change(&form("carol", FIRST, "Silver-Comet-30"));
            for r in [&wrong, &unknown, &locked] {
                assert_eq!(r.status, 403, "{}", r.text());
                assert_eq!(r.body, wrong.body, "one answer for all three");
            }
            eprintln!(
                "the page, through the DC: wrong password {:?}, unknown account {:?}, locked {:?}",
                wrong.elapsed, unknown.elapsed, locked.elapsed
            );
            let times = [wrong.elapsed, unknown.elapsed, locked.elapsed];
            let spread = times.iter().max().unwrap().saturating_sub(*times.iter().min().unwrap());
            assert!(spread < Duration::from_millis(500), "{times:?}");
            let log = web.log();
            for secret in [SERVICE_PASSWORD, FIRST, "Amber-Lantern-64", "Not-The-Password-1"] {
                assert!(!log.contains(secret), "{log}");
            }
        })
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
    });

    // No password and no bind password in any error's Display or Debug.
    for e in &errors {
        for secret in [
            SERVICE_PASSWORD,
            FIRST,
            "Silver-Comet-29",
            "Copper-Kite-36",
            "Not-Bobs",
        ] {
            assert!(!e.contains(secret), "{e}");
        }
    }
    assert!(errors.len() >= 6);
    drop(daemon);
}
