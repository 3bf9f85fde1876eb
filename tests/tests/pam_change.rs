//! pwpolicyd's `pam_change`, the self-service page's way to change a local
//! account's password, with the real components: pwpolicyd in the sandbox
//! (a private mount namespace over a copy of `/etc` whose stacks
//! pam-auth-update set up, see `pwpolicy_tests::sandbox`), the packaged PAM
//! service `pwpolicy-web` installed in the copy's `/etc/pam.d`, pam_unix
//! writing the copy's shadow, and pam_pwpolicy in that stack talking back to
//! the same pwpolicyd (`[service] socket`) while it waits for its helper,
//! with a single argon2 slot. The caller is an ordinary account named as
//! `[web] user`, through the backend's client (`pam_change_client`).
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pwpolicy_tests::sandbox::{Pwpolicyd, Sandbox, available};
use serde_json::Value;

const ALICE_OLD: &str = "Tulip-Garden-71";
const ALICE_NEW: &str = "Zebra-Cloud-58";
const ALICE_NEWER: &str = "Copper-Kite-36";
const BOB: &str = "Oak-Barrel-93";
const WRONG: &str = "Wrong-Guess-11";
/// Long enough and of four kinds, but holds the account name.
const WITH_ACCOUNT_NAME: &str = "Xalice-2024!";
/// The page's account.
const WEB: &str = "pwweb";

fn sandbox(test: &str) -> Option<Sandbox> {
    available(test, &["runuser", "chage"]).then(Sandbox::new)
}

/// The sandbox with alice, bob and the page's account, the packaged PAM
/// service installed, and a policy that turns changes through PAM on.
fn set_up(sb: &Sandbox) {
    sb.add_person("alice", "Alice Liddell", ALICE_OLD);
    sb.add_person("bob", "Bob Builder", BOB);
    sb.useradd(WEB, &["-s", "/usr/sbin/nologin"]);
    let service = Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging/pam.d/pwpolicy-web");
    std::fs::copy(&service, sb.etc().join("pam.d/pwpolicy-web")).unwrap();
    sb.write_policy(&web_policy(sb));
}

fn web_policy(sb: &Sandbox) -> String {
    format!(
        "[service]\nsocket = \"{}\"\n\n[web]\npam_service = \"pwpolicy-web\"\nuser = \"{WEB}\"\n",
        socket(sb).display()
    )
}

fn socket(sb: &Sandbox) -> PathBuf {
    sb.path().join("pwpolicyd.sock")
}

/// pwpolicyd with one argon2 slot (so that a slot held while pam_pwpolicy
/// asks would deadlock), logging at debug level to `$T/pwpolicyd.log`.
fn daemon(sb: &Sandbox) -> Pwpolicyd {
    sb.pwpolicyd_with(&["--hash-slots", "1"], Some(&log_path(sb)))
}

fn log_path(sb: &Sandbox) -> PathBuf {
    sb.path().join("pwpolicyd.log")
}

/// A `pam_change` of `user`'s password made by `caller`; the answer and how
/// long it took.
fn change(sb: &Sandbox, caller: &str, user: &str, current: &str, new: &str) -> (Value, Duration) {
    let client = pwpolicy_tests::binary("pwpolicy-tests", "pam_change_client");
    let socket = socket(sb);
    let started = Instant::now();
    let out = sb.run(
        "runuser",
        &[
            "-u",
            caller,
            "--",
            client.to_str().unwrap(),
            socket.to_str().unwrap(),
            user,
        ],
        format!("{current}\n{new}\n").as_bytes(),
    );
    let took = started.elapsed();
    assert_eq!(out.code, 0, "{out:?}");
    (out.json(), took)
}

fn today_days() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    (secs / 86_400).to_string()
}

fn history_entries(sb: &Sandbox, user: &str) -> i64 {
    sb.status(user)["history_entries"].as_i64().unwrap()
}

#[test]
fn pam_change_changes_shadow_records_history_and_refuses_what_the_policy_refuses() {
    let Some(sb) =
        sandbox("pam_change_changes_shadow_records_history_and_refuses_what_the_policy_refuses")
    else {
        return;
    };
    set_up(&sb);
    let pwpolicyd = daemon(&sb);
    let hash = sb.shadow_hash("alice");
    let entries = history_entries(&sb, "alice");

    // Wrong current password: nothing changes.
    let (answer, _) = change(&sb, WEB, "alice", WRONG, ALICE_NEW);
    assert_eq!(answer["outcome"], "wrong_credentials", "{answer}");
    assert_eq!(sb.shadow_hash("alice"), hash);

    // The policy's own verdict, in its words, before PAM changes anything.
    let (answer, _) = change(&sb, WEB, "alice", ALICE_OLD, WITH_ACCOUNT_NAME);
    assert_eq!(answer["outcome"], "rejected", "{answer}");
    let codes: Vec<&str> = answer["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"contains_account_name"), "{answer}");
    assert_eq!(
        sb.shadow_hash("alice"),
        hash,
        "a rejected change wrote shadow"
    );

    // Someone who is neither root nor the page's account is refused.
    let (answer, _) = change(&sb, "bob", "alice", ALICE_OLD, ALICE_NEW);
    assert_eq!(answer["error"]["kind"], "forbidden", "{answer}");
    assert_eq!(sb.shadow_hash("alice"), hash);

    // A good change: pam_unix writes shadow, pam_pwpolicy (through this
    // same pwpolicyd) records it.
    let (answer, took) = change(&sb, WEB, "alice", ALICE_OLD, ALICE_NEW);
    assert_eq!(answer["outcome"], "changed", "{answer}");
    eprintln!("a good change took {took:?}");
    assert_ne!(
        sb.shadow_hash("alice"),
        hash,
        "pam_unix did not write shadow"
    );
    assert_eq!(sb.entry("shadow", "alice")[2], today_days());
    assert_eq!(history_entries(&sb, "alice"), entries + 1);
    let status = sb.status("alice");
    assert_eq!(
        status["last_changed"].as_str(),
        Some(pwpolicy::format_date(time::OffsetDateTime::now_utc().date()).as_str()),
        "{status}"
    );

    // The old password is history now: back to it is refused as reused.
    let hash = sb.shadow_hash("alice");
    let (answer, _) = change(&sb, WEB, "alice", ALICE_NEW, ALICE_OLD);
    assert_eq!(answer["outcome"], "rejected", "{answer}");
    assert_eq!(answer["violations"][0]["code"], "reused", "{answer}");
    assert_eq!(sb.shadow_hash("alice"), hash);

    // Root may ask too.
    let (answer, _) = change(&sb, "root", "alice", ALICE_NEW, ALICE_NEWER);
    assert_eq!(answer["outcome"], "changed", "{answer}");

    // Neither password of any request reached the log.
    drop(pwpolicyd);
    let log = std::fs::read_to_string(log_path(&sb)).unwrap();
    assert!(log.contains("pam_change"), "the requests are logged: {log}");
    for secret in [ALICE_OLD, ALICE_NEW, ALICE_NEWER, WRONG, WITH_ACCOUNT_NAME] {
        assert!(
            !log.contains(secret),
            "a password in pwpolicyd's log:\n{log}"
        );
    }
    pwpolicy_tests::assert_no_forged_line(&log);
    // pam_pwpolicy in the helper recorded the changes through this same
    // pwpolicyd (as root, uid 0), while it waited for the helper.
    assert!(
        log.lines()
            .any(|l| l.contains(r#"op="commit""#) && l.contains("uid=0") && l.contains("alice")),
        "no commit from pam_pwpolicy in the log:\n{log}"
    );

    // With [web] pam_service unset, nobody may.
    sb.write_policy(&format!(
        "[service]\nsocket = \"{}\"\n",
        socket(&sb).display()
    ));
    let _pwpolicyd = daemon(&sb);
    let hash = sb.shadow_hash("alice");
    let (answer, _) = change(&sb, "root", "alice", ALICE_NEWER, ALICE_NEW);
    assert_eq!(answer["error"]["kind"], "forbidden", "{answer}");
    assert_eq!(sb.shadow_hash("alice"), hash);
}

#[test]
fn pam_change_changes_expired_and_must_change_passwords() {
    let Some(sb) = sandbox("pam_change_changes_expired_and_must_change_passwords") else {
        return;
    };
    set_up(&sb);
    let _pwpolicyd = daemon(&sb);

    // Shadow's "must change" (last change 0): pam_unix's account phase
    // answers PAM_NEW_AUTHTOK_REQD, which is what the page is for.
    sb.must("chage", &["-d", "0", "alice"], b"");
    let (answer, _) = change(&sb, WEB, "alice", ALICE_OLD, ALICE_NEW);
    assert_eq!(answer["outcome"], "changed", "{answer}");
    assert_eq!(sb.entry("shadow", "alice")[2], today_days());

    // pwpolicy's own expiry (changed 100 days ago, 90-day maximum).
    let long_ago = time::OffsetDateTime::now_utc().date() - time::Duration::days(100);
    sb.set_changed("alice", &pwpolicy::format_date(long_ago));
    assert_eq!(sb.status("alice")["state"], "expired");
    let (answer, _) = change(&sb, WEB, "alice", ALICE_NEW, ALICE_NEWER);
    assert_eq!(answer["outcome"], "changed", "{answer}");
    assert_eq!(sb.status("alice")["state"], "ok");
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[test]
fn pam_change_answers_a_wrong_password_an_unknown_account_and_root_alike() {
    let Some(sb) = sandbox("pam_change_answers_a_wrong_password_an_unknown_account_and_root_alike")
    else {
        return;
    };
    set_up(&sb);
    // More people, so that the per-account limit (5 failures) is not met.
    let people = ["carol", "dave", "erin", "frank", "grace"];
    for person in people {
        sb.add_person(person, "Some Person", BOB);
    }
    // Root has a password the test knows: the page still will not take it.
    sb.set_password("root", BOB);
    let root_hash = sb.shadow_hash("root");
    let _pwpolicyd = daemon(&sb);

    let (mut wrong, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..10 {
        let (answer, took) = change(&sb, WEB, people[i % people.len()], WRONG, ALICE_NEW);
        assert_eq!(answer["outcome"], "wrong_credentials", "{answer}");
        wrong.push(took);
        let (answer, took) = change(&sb, WEB, &format!("nosuch{i}"), WRONG, ALICE_NEW);
        assert_eq!(answer["outcome"], "wrong_credentials", "{answer}");
        unknown.push(took);
    }
    let (wrong, unknown) = (median(wrong), median(unknown));
    eprintln!("median time: wrong password {wrong:?}, unknown account {unknown:?}");
    let (fast, slow) = (wrong.min(unknown), wrong.max(unknown));
    assert!(
        slow < fast * 3,
        "wrong password {wrong:?} vs unknown account {unknown:?}"
    );

    // Root's right password is answered as a wrong one, and nothing changes.
    let (answer, took) = change(&sb, WEB, "root", BOB, ALICE_NEW);
    eprintln!("root with its right password: {took:?}");
    assert_eq!(answer["outcome"], "wrong_credentials", "{answer}");
    assert_eq!(sb.shadow_hash("root"), root_hash);
    assert!(took > fast / 3, "root's answer came early: {took:?}");

    // Five failures on one account in 15 minutes: the sixth is not tried,
    // not even with the right password.
    for _ in 0..3 {
        let (answer, _) = change(&sb, WEB, "carol", WRONG, ALICE_NEW);
        assert_eq!(answer["outcome"], "wrong_credentials", "{answer}");
    }
    let (answer, _) = change(&sb, WEB, "carol", BOB, ALICE_NEW);
    assert_eq!(answer["outcome"], "too_many_attempts", "{answer}");
    assert!(
        answer["retry_after_secs"].as_u64().unwrap() > 800,
        "{answer}"
    );
    // Another account is not held back by carol's.
    let (answer, _) = change(&sb, WEB, "bob", BOB, ALICE_NEW);
    assert_eq!(answer["outcome"], "changed", "{answer}");
}
