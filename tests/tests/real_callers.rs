//! pam_pwpolicy.so under the real programs that call PAM — `passwd`, `su`,
//! `login` and Debian's `sshd` — each on a pseudo-terminal, in a private
//! mount namespace over a copy of `/etc` whose PAM stack `pam-auth-update`
//! set up (see `pwpolicy_tests::sandbox`). pam_unix really changes the
//! passwords, in the copy's `/etc/shadow`; the store is checked afterwards
//! with the CLI. Shadow aging stays Debian's (no maximum age), so every
//! expiry seen here is pwpolicy's.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use pwpolicy_tests::sandbox::{Pty, Sandbox, available};
use serde_json::Value;

/// The module's prompts and pam_unix's.
const PASSWORD: &str = "Password: ";
const CURRENT: &str = "Current password: ";
const NEW: &str = "New password: ";
const RETYPE: &str = "Retype new password: ";
/// The account phase's messages.
const EXPIRED: &str = "You are required to change your password immediately (password expired).";
const FORCED: &str =
    "You are required to change your password immediately (administrator enforced).";

/// Made-up passwords. The good ones meet the default policy and differ
/// enough from each other for pam_unix's `obscure` check.
const ALICE_OLD: &str = "Tulip-Garden-71";
const ALICE_NEW: &str = "Zebra-Cloud-58";
const ALICE_NEWER: &str = "Copper-Kite-36";
const BOB: &str = "Oak-Barrel-93";
const WEAK: &str = "short";
/// Long enough and of four kinds, but holds the account name.
const WITH_ACCOUNT_NAME: &str = "Xalice-2024!";
/// Long enough and of four kinds, but holds a part of alice's full name.
const WITH_FULL_NAME: &str = "Liddell-Wonder-8";

/// A sandbox, or `None` when the machine cannot run the test (skipped, or a
/// failure under CI; see `sandbox::available`).
fn sandbox(test: &str, programs: &[&str]) -> Option<Sandbox> {
    available(test, programs).then(Sandbox::new)
}

fn days_ago(n: i64) -> String {
    pwpolicy::format_date(time::OffsetDateTime::now_utc().date() - time::Duration::days(n))
}

fn today() -> String {
    days_ago(0)
}

fn history_entries(status: &Value) -> i64 {
    status["history_entries"]
        .as_i64()
        .unwrap_or_else(|| panic!("no history_entries in {status}"))
}

/// After a refused password: the reason is told (`BAD PASSWORD: …`) and the
/// next prompt is `New password: ` again — never the retype prompt.
#[track_caller]
fn refused_and_asked_again(pty: &mut Pty, reason: &str) {
    let (which, before) = pty.expect_first(&[NEW, RETYPE]);
    if which != 0 {
        pty.fail(&format!(
            "a password refused for `{reason}` must not get the retype prompt"
        ));
    }
    if !(before.contains("BAD PASSWORD: ") && before.contains(reason)) {
        pty.fail(&format!(
            "expected `BAD PASSWORD: …{reason}…` before the next prompt, got {before:?}"
        ));
    }
}

/// The refusal on the last try: the reason is told, and the program gives up
/// without a retype prompt. Returns what it printed after the password.
#[track_caller]
fn refused_for_the_last_time(pty: &mut Pty, reason: &str) -> (String, i32) {
    let (rest, code) = pty.finish();
    if !(rest.contains("BAD PASSWORD: ") && rest.contains(reason)) {
        pty.fail(&format!("expected `BAD PASSWORD: …{reason}…`"));
    }
    if rest.contains(RETYPE) || rest.contains(NEW) {
        pty.fail("a refused last try must end the change, not prompt again");
    }
    (rest, code)
}

/// A shell runs on the terminal: it evaluates a command, then exits.
/// Returns what was printed before the shell's first prompt.
#[track_caller]
fn shell_works(pty: &mut Pty, prompt: &str) -> String {
    let before = pty.expect(prompt);
    pty.send_line("echo LOGGED-IN-$((6*7))");
    pty.expect("LOGGED-IN-42");
    pty.send_line("exit");
    pty.finish();
    before
}

/// The state the store reports for `user`, and its last change.
#[track_caller]
fn state(sb: &Sandbox, user: &str) -> (String, String) {
    let s = sb.status(user);
    (
        s["state"].as_str().unwrap_or("?").to_owned(),
        s["last_changed"].as_str().unwrap_or("null").to_owned(),
    )
}

#[test]
fn passwd_run_by_the_user_refuses_weak_named_and_reused_passwords_before_the_retype() {
    let Some(sb) = sandbox(
        "passwd_run_by_the_user_refuses_weak_named_and_reused_passwords_before_the_retype",
        &["passwd", "runuser"],
    ) else {
        return;
    };
    sb.add_person("alice", "Alice Liddell", ALICE_OLD);
    let hash = sb.shadow_hash("alice");
    let entries = history_entries(&sb.status("alice"));

    // retry=3: three refusals use up the tries; nothing changes.
    let mut pty = sb.spawn("runuser", &["-u", "alice", "--", "passwd"]);
    pty.answer(CURRENT, ALICE_OLD);
    pty.answer(NEW, WEAK);
    refused_and_asked_again(&mut pty, "too short");
    pty.send_secret(WITH_ACCOUNT_NAME);
    refused_and_asked_again(&mut pty, "account name");
    pty.send_secret(ALICE_OLD);
    let (_, code) = refused_for_the_last_time(&mut pty, "is your current password");
    assert_ne!(code, 0, "passwd must fail: {}", pty.transcript());
    assert_eq!(
        sb.shadow_hash("alice"),
        hash,
        "the refused tries changed /etc/shadow"
    );
    assert_eq!(history_entries(&sb.status("alice")), entries);

    // A good one gets the retype prompt and really changes the password.
    let mut pty = sb.spawn("runuser", &["-u", "alice", "--", "passwd"]);
    pty.answer(CURRENT, ALICE_OLD);
    pty.answer(NEW, ALICE_NEW);
    pty.answer(RETYPE, ALICE_NEW);
    pty.expect("password updated successfully");
    let (_, code) = pty.finish();
    assert_eq!(code, 0, "{}", pty.transcript());
    assert_ne!(
        sb.shadow_hash("alice"),
        hash,
        "pam_unix did not change /etc/shadow"
    );
    let status = sb.status("alice");
    assert_eq!(history_entries(&status), entries + 1, "{status}");
    assert_eq!(status["last_changed"], today(), "{status}");
}

#[test]
fn passwd_run_by_root_warns_about_a_weak_password_but_changes_and_records_it() {
    let Some(sb) = sandbox(
        "passwd_run_by_root_warns_about_a_weak_password_but_changes_and_records_it",
        &["passwd"],
    ) else {
        return;
    };
    sb.add_person("alice", "Alice Liddell", ALICE_OLD);
    sb.set_changed("alice", &days_ago(30));
    let hash = sb.shadow_hash("alice");
    let entries = history_entries(&sb.status("alice"));

    let mut pty = sb.spawn("passwd", &["alice"]);
    let before = pty.answer(NEW, WEAK);
    assert!(
        !before.contains(CURRENT),
        "root is not asked for alice's password: {before:?}"
    );
    let warned = pty.answer(RETYPE, WEAK);
    if !(warned.contains("BAD PASSWORD: ") && warned.contains("too short")) {
        pty.fail("root must see why the password is weak before the retype prompt");
    }
    pty.expect("password updated successfully");
    let (_, code) = pty.finish();
    assert_eq!(code, 0, "{}", pty.transcript());
    assert_ne!(
        sb.shadow_hash("alice"),
        hash,
        "pam_unix did not change /etc/shadow"
    );
    let status = sb.status("alice");
    assert_eq!(history_entries(&status), entries + 1, "{status}");
    assert_eq!(
        (status["last_changed"].as_str(), status["state"].as_str()),
        (Some(today().as_str()), Some("ok")),
        "{status}"
    );
}

#[test]
fn login_forces_the_change_of_an_expired_password_then_lets_the_user_in() {
    let Some(sb) = sandbox(
        "login_forces_the_change_of_an_expired_password_then_lets_the_user_in",
        &["login"],
    ) else {
        return;
    };
    sb.add_person("alice", "Alice Liddell", ALICE_OLD);
    sb.set_changed("alice", &days_ago(100));
    assert_eq!(sb.status("alice")["state"], "expired");
    let hash = sb.shadow_hash("alice");
    let entries = history_entries(&sb.status("alice"));

    let mut pty = sb.spawn("login", &["alice"]);
    pty.answer(PASSWORD, ALICE_OLD);
    pty.expect(EXPIRED);
    // login passes PAM_CHANGE_EXPIRED_AUTHTOK: pam_unix asks for the
    // current password although login runs as root, and the policy binds.
    pty.answer(CURRENT, ALICE_OLD);
    pty.answer(NEW, WEAK);
    refused_and_asked_again(&mut pty, "too short");
    pty.send_secret(ALICE_OLD);
    refused_and_asked_again(&mut pty, "is your current password");
    pty.send_secret(ALICE_NEW);
    pty.answer(RETYPE, ALICE_NEW);
    shell_works(&mut pty, "$ ");

    assert_ne!(
        sb.shadow_hash("alice"),
        hash,
        "pam_unix did not change /etc/shadow"
    );
    let status = sb.status("alice");
    assert_eq!(history_entries(&status), entries + 1, "{status}");
    assert_eq!(
        (status["state"].as_str(), status["last_changed"].as_str()),
        (Some("ok"), Some(today().as_str())),
        "{status}"
    );

    // The next login is an ordinary one.
    let mut pty = sb.spawn("login", &["alice"]);
    pty.answer(PASSWORD, ALICE_NEW);
    let before = shell_works(&mut pty, "$ ");
    assert!(
        !before.contains("change your password") && !before.contains(NEW),
        "no change may be demanded now: {}",
        pty.transcript()
    );
}

#[test]
fn login_warns_inside_the_warning_window_without_demanding_a_change() {
    let Some(sb) = sandbox(
        "login_warns_inside_the_warning_window_without_demanding_a_change",
        &["login"],
    ) else {
        return;
    };
    sb.add_person("alice", "Alice Liddell", ALICE_OLD);
    for (ago, expected) in [
        (85, "Warning: your password will expire in 5 days."),
        (89, "Warning: your password will expire in 1 day."),
    ] {
        sb.set_changed("alice", &days_ago(ago));
        let status = sb.status("alice");
        assert_eq!(
            (status["state"].as_str(), status["days_left"].as_i64()),
            (Some("warning"), Some(90 - ago)),
            "changed {ago} days ago, 90-day expiry: {status}"
        );
        let mut pty = sb.spawn("login", &["alice"]);
        pty.answer(PASSWORD, ALICE_OLD);
        let before = shell_works(&mut pty, "$ ");
        if !before.contains(expected) {
            pty.fail(&format!("expected `{expected}` before the shell"));
        }
        if before.contains("required to change") || before.contains(NEW) {
            pty.fail("a warning must not demand a change");
        }
        assert_eq!(sb.status("alice")["state"], "warning");
    }
}

#[test]
fn login_makes_the_user_change_a_password_an_administrator_expired() {
    let Some(sb) = sandbox(
        "login_makes_the_user_change_a_password_an_administrator_expired",
        &["login", "passwd"],
    ) else {
        return;
    };
    sb.add_person("alice", "Alice Liddell", ALICE_OLD);

    // pwpolicy's own flag.
    sb.cli_ok(&["expire", "--user", "alice"]);
    let mut pty = sb.spawn("login", &["alice"]);
    pty.answer(PASSWORD, ALICE_OLD);
    pty.expect(FORCED);
    pty.answer(CURRENT, ALICE_OLD);
    pty.answer(NEW, ALICE_NEW);
    pty.answer(RETYPE, ALICE_NEW);
    shell_works(&mut pty, "$ ");
    let status = sb.status("alice");
    assert_eq!(
        (status["state"].as_str(), status["must_change"].as_bool()),
        (Some("ok"), Some(false)),
        "the change clears the flag: {status}"
    );

    // Shadow's: last change 0 (pam_unix's account phase demands the change).
    sb.must("passwd", &["-e", "alice"], b"");
    assert_eq!(sb.entry("shadow", "alice")[2], "0");
    let entries = history_entries(&sb.status("alice"));
    let mut pty = sb.spawn("login", &["alice"]);
    pty.answer(PASSWORD, ALICE_NEW);
    pty.expect(FORCED);
    pty.answer(CURRENT, ALICE_NEW);
    pty.answer(NEW, ALICE_NEW);
    refused_and_asked_again(&mut pty, "is your current password");
    pty.send_secret(ALICE_NEWER);
    pty.answer(RETYPE, ALICE_NEWER);
    shell_works(&mut pty, "$ ");
    assert_ne!(
        sb.entry("shadow", "alice")[2],
        "0",
        "pam_unix set a new date"
    );
    assert_eq!(history_entries(&sb.status("alice")), entries + 1);
}

#[test]
fn su_run_by_an_ordinary_user_forces_the_change_of_an_expired_password() {
    let Some(sb) = sandbox(
        "su_run_by_an_ordinary_user_forces_the_change_of_an_expired_password",
        &["su", "runuser"],
    ) else {
        return;
    };
    sb.add_person("alice", "Alice Liddell", ALICE_OLD);
    sb.add_person("bob", "Bob Builder", BOB);
    sb.set_changed("alice", &days_ago(100));
    let hash = sb.shadow_hash("alice");

    let mut pty = sb.spawn("runuser", &["-u", "bob", "--", "su", "-", "alice"]);
    pty.answer(PASSWORD, ALICE_OLD);
    pty.expect(EXPIRED);
    pty.answer(CURRENT, ALICE_OLD);
    pty.answer(NEW, WEAK);
    refused_and_asked_again(&mut pty, "too short");
    // The full name comes from GECOS in the copy's /etc/passwd.
    pty.send_secret(WITH_FULL_NAME);
    refused_and_asked_again(&mut pty, "full name");
    pty.send_secret(ALICE_NEW);
    pty.answer(RETYPE, ALICE_NEW);
    shell_works(&mut pty, "$ ");

    assert_ne!(
        sb.shadow_hash("alice"),
        hash,
        "pam_unix did not change /etc/shadow"
    );
    assert_eq!(state(&sb, "alice"), ("ok".to_owned(), today()));
}

#[test]
fn sshd_keyboard_interactive_forces_the_change_of_an_expired_password() {
    let Some(sb) = sandbox(
        "sshd_keyboard_interactive_forces_the_change_of_an_expired_password",
        &["/usr/sbin/sshd", "ssh", "ssh-keygen"],
    ) else {
        return;
    };
    sb.add_person("alice", "Alice Liddell", ALICE_OLD);
    sb.set_changed("alice", &days_ago(100));
    let hash = sb.shadow_hash("alice");
    let sshd = sb.sshd();

    let mut pty = sb.ssh_keyboard_interactive(&sshd, "alice");
    pty.answer(PASSWORD, ALICE_OLD);
    pty.expect(EXPIRED);
    pty.answer(CURRENT, ALICE_OLD);
    pty.answer(NEW, WEAK);
    refused_and_asked_again(&mut pty, "too short");
    pty.send_secret(ALICE_NEW);
    pty.answer(RETYPE, ALICE_NEW);
    shell_works(&mut pty, "$ ");
    assert_ne!(
        sb.shadow_hash("alice"),
        hash,
        "pam_unix did not change /etc/shadow"
    );
    assert_eq!(state(&sb, "alice"), ("ok".to_owned(), today()));

    // And the next SSH login is an ordinary one.
    let mut pty = sb.ssh_keyboard_interactive(&sshd, "alice");
    pty.answer(PASSWORD, ALICE_NEW);
    let before = shell_works(&mut pty, "$ ");
    assert!(
        !before.contains("change your password") && !before.contains(NEW),
        "no change may be demanded now: {}\nsshd: {}",
        pty.transcript(),
        sshd.log()
    );
}

#[test]
fn sshd_key_login_with_a_terminal_lets_a_person_in() {
    let Some(sb) = sandbox(
        "sshd_key_login_with_a_terminal_lets_a_person_in",
        &["/usr/sbin/sshd", "ssh", "ssh-keygen"],
    ) else {
        return;
    };
    sb.add_person("bob", "Bob Builder", BOB);
    sb.authorize_key("bob");
    let sshd = sb.sshd();
    let mut pty = sb.ssh_key(&sshd, "bob");
    let before = shell_works(&mut pty, "$ ");
    assert!(
        !before.contains("expire"),
        "{}\nsshd: {}",
        pty.transcript(),
        sshd.log()
    );
}

#[test]
fn sshd_key_login_with_an_expired_password_makes_the_user_run_passwd() {
    // sshd itself handles an expired password after a key login: it runs
    // passwd as the user on the session's terminal, then ends the session.
    let Some(sb) = sandbox(
        "sshd_key_login_with_an_expired_password_makes_the_user_run_passwd",
        &["/usr/sbin/sshd", "ssh", "ssh-keygen"],
    ) else {
        return;
    };
    sb.add_person("alice", "Alice Liddell", ALICE_OLD);
    sb.set_changed("alice", &days_ago(100));
    sb.authorize_key("alice");
    let sshd = sb.sshd();
    let mut pty = sb.ssh_key(&sshd, "alice");
    pty.expect("You must change your password now and login again!");
    pty.answer(CURRENT, ALICE_OLD);
    pty.answer(NEW, WEAK);
    refused_and_asked_again(&mut pty, "too short");
    pty.send_secret(ALICE_NEW);
    pty.answer(RETYPE, ALICE_NEW);
    pty.expect("password updated successfully");
    pty.finish();
    assert_eq!(state(&sb, "alice"), ("ok".to_owned(), today()));

    // Logging in again with the key now gives a shell.
    let mut pty = sb.ssh_key(&sshd, "alice");
    shell_works(&mut pty, "$ ");
}

#[test]
fn sshd_key_login_of_a_locked_system_account_runs_a_command() {
    let Some(sb) = sandbox(
        "sshd_key_login_of_a_locked_system_account_runs_a_command",
        &["/usr/sbin/sshd", "ssh", "ssh-keygen"],
    ) else {
        return;
    };
    sb.add_system_account("svc");
    sb.must("usermod", &["-L", "svc"], b"");
    assert!(sb.shadow_hash("svc").starts_with('!'));
    assert!(sb.uid("svc") < 1000);
    // As if its shadow date had been imported before system accounts were
    // skipped: long past 90 days.
    sb.set_changed("svc", &days_ago(400));
    sb.authorize_key("svc");
    let sshd = sb.sshd();
    let out = sb.ssh_key_command(&sshd, "svc", "echo SVC-RAN-$((6*7))");
    assert!(
        out.code == 0 && out.stdout.contains("SVC-RAN-42"),
        "{out:?}\nsshd: {}",
        sshd.log()
    );
}

#[test]
fn sshd_key_login_of_a_locked_person_is_not_blocked_by_expiry() {
    let Some(sb) = sandbox(
        "sshd_key_login_of_a_locked_person_is_not_blocked_by_expiry",
        &["/usr/sbin/sshd", "ssh", "ssh-keygen"],
    ) else {
        return;
    };
    // A person who logs in by key only: the password is locked, and it
    // "expired" long ago.
    sb.add_person("dave", "Dave Keys", "Locked-Away-42");
    sb.must("usermod", &["-L", "dave"], b"");
    assert!(sb.shadow_hash("dave").starts_with('!'));
    sb.set_changed("dave", &days_ago(200));
    // Every verb says what the account phase does: a locked password has
    // nothing to expire (issue 22, 8), whatever the record's age.
    let status = sb.status("dave");
    assert_eq!(
        (&status["state"], &status["last_changed"]),
        (&"ok".into(), &days_ago(200).as_str().into()),
        "{status}"
    );
    assert!(
        status["note"].as_str().unwrap().contains("locked"),
        "{status}"
    );
    sb.authorize_key("dave");
    let sshd = sb.sshd();
    let out = sb.ssh_key_command(&sshd, "dave", "echo DAVE-RAN-$((6*7))");
    assert!(
        out.code == 0 && out.stdout.contains("DAVE-RAN-42"),
        "{out:?}\nsshd: {}",
        sshd.log()
    );
}

#[test]
fn import_shadow_expires_only_people_so_su_to_postgres_keeps_working() {
    let Some(sb) = sandbox(
        "import_shadow_expires_only_people_so_su_to_postgres_keeps_working",
        &["su"],
    ) else {
        return;
    };
    // A machine before pwpolicy: accounts whose dates only shadow knows.
    let has_postgres = std::fs::read_to_string(sb.etc().join("passwd"))
        .unwrap()
        .lines()
        .any(|l| l.starts_with("postgres:"));
    if !has_postgres {
        sb.add_system_account("postgres");
    }
    assert!(sb.uid("postgres") < 1000);
    sb.useradd("alice", &["-c", "Alice Liddell", "-s", "/bin/bash"]);
    sb.useradd("carol", &["-c", "Carol Jones", "-s", "/bin/bash"]);
    sb.set_password_without_pam("alice", ALICE_OLD);
    sb.set_password_without_pam("carol", "Quiet-River-19");
    for (user, date) in [
        ("root", "2019-03-01".to_owned()),
        ("postgres", "2018-06-01".to_owned()),
        ("daemon", "2018-06-01".to_owned()),
        ("alice", days_ago(120)),
        ("carol", days_ago(10)),
    ] {
        sb.must("chage", &["-d", &date, user], b"");
    }
    for user in ["root", "postgres", "alice", "carol"] {
        let status = sb.status(user);
        assert_eq!(
            status["last_changed"],
            Value::Null,
            "{user} is new to pwpolicy: {status}"
        );
    }

    let shadow = sb.etc().join("shadow");
    let out = sb.cli_ok(&["import-shadow", shadow.to_str().unwrap()]);
    let said = format!("{}{}", out.stdout, out.stderr).to_lowercase();
    assert!(
        said.contains("skip") && said.contains("system"),
        "import-shadow must say it skipped system accounts: {out:?}"
    );

    assert_eq!(state(&sb, "alice"), ("expired".to_owned(), days_ago(120)));
    assert_eq!(state(&sb, "carol"), ("ok".to_owned(), days_ago(10)));
    for user in ["root", "postgres", "daemon"] {
        let status = sb.status(user);
        assert!(
            !matches!(status["state"].as_str(), Some("expired" | "must_change")),
            "system account {user} must not be expired: {status}"
        );
        assert!(
            !matches!(
                status["last_changed"].as_str(),
                Some("2019-03-01" | "2018-06-01")
            ),
            "{user}'s shadow date must not be imported: {status}"
        );
    }

    // What breaks when a system account is expired: root's `su - postgres`.
    let out = sb.run("su", &["-", "postgres", "-c", "id"], b"");
    assert!(
        out.code == 0 && out.stdout.contains("(postgres)"),
        "su - postgres -c id: {out:?}"
    );
    // A person's expiry does bind: without a terminal there is no way to
    // change it, so su fails.
    let out = sb.run("su", &["-", "alice", "-c", "id"], b"");
    assert!(
        out.code != 0 && !out.stdout.contains("uid="),
        "su - alice must demand a change: {out:?}"
    );
}

#[test]
fn an_unreachable_store_refuses_people_but_not_root_unless_on_error_is_ignore() {
    let Some(sb) = sandbox(
        "an_unreachable_store_refuses_people_but_not_root_unless_on_error_is_ignore",
        &["login"],
    ) else {
        return;
    };
    const ROOT: &str = "Root-Sandbox-Pass-5";
    sb.add_person("alice", "Alice Liddell", ALICE_OLD);
    sb.move_home_into_sandbox("root");
    sb.set_password_without_pam("root", ROOT);
    // pwpolicyd is down: the policy names its socket, and nothing listens.
    let socket = sb.path().join("pwpolicyd.sock");
    let service = format!("[service]\nsocket = \"{}\"\n", socket.display());
    sb.write_policy(&service);

    let mut pty = sb.spawn("login", &["alice"]);
    pty.answer(PASSWORD, ALICE_OLD);
    let (rest, code) = pty.finish();
    assert!(
        code != 0 && !rest.contains("$ "),
        "with on_error=fail a person must not get in: {}",
        pty.transcript()
    );
    // login shows pam_strerror(PAM_AUTHINFO_UNAVAIL).
    assert!(
        rest.contains("Authentication service cannot retrieve authentication info"),
        "{}",
        pty.transcript()
    );

    // Root and system accounts do not need the store to log in.
    let mut pty = sb.spawn("login", &["root"]);
    pty.answer(PASSWORD, ROOT);
    shell_works(&mut pty, "# ");
    let out = sb.run("su", &["-", "daemon", "-s", "/bin/sh", "-c", "id"], b"");
    assert!(
        out.code == 0 && out.stdout.contains("(daemon)"),
        "su - daemon during the outage: {out:?}"
    );

    sb.write_policy(&format!("{service}\n[pam]\non_error = \"ignore\"\n"));
    let mut pty = sb.spawn("login", &["alice"]);
    pty.answer(PASSWORD, ALICE_OLD);
    shell_works(&mut pty, "$ ");
}

#[test]
fn an_unreachable_store_refuses_password_changes_unless_on_error_is_ignore() {
    let Some(sb) = sandbox(
        "an_unreachable_store_refuses_password_changes_unless_on_error_is_ignore",
        &["login", "passwd", "runuser"],
    ) else {
        return;
    };
    sb.add_person("alice", "Alice Liddell", ALICE_OLD);
    let hash = sb.shadow_hash("alice");
    let entries = history_entries(&sb.status("alice"));
    let socket = sb.path().join("pwpolicyd.sock");
    let service = format!("[service]\nsocket = \"{}\"\n", socket.display());

    // Logins carry on through the outage, password changes fail closed.
    sb.write_policy(&format!(
        "{service}\n[pam]\naccount_on_error = \"ignore\"\n"
    ));
    let mut pty = sb.spawn("login", &["alice"]);
    pty.answer(PASSWORD, ALICE_OLD);
    shell_works(&mut pty, "$ ");
    let mut pty = sb.spawn("runuser", &["-u", "alice", "--", "passwd"]);
    pty.answer(CURRENT, ALICE_OLD);
    pty.answer(NEW, ALICE_NEW);
    let (rest, code) = pty.finish();
    if code == 0
        || !rest.contains("The password history is unavailable. Please contact your administrator.")
        || rest.contains(RETYPE)
    {
        pty.fail("with on_error=fail a change must be refused, and the user told why");
    }
    assert_eq!(sb.shadow_hash("alice"), hash, "/etc/shadow changed");

    // on_error=ignore: without history, the text rules still apply.
    sb.write_policy(&format!("{service}\n[pam]\non_error = \"ignore\"\n"));
    let mut pty = sb.spawn("runuser", &["-u", "alice", "--", "passwd"]);
    pty.answer(CURRENT, ALICE_OLD);
    pty.answer(NEW, WEAK);
    refused_and_asked_again(&mut pty, "too short");
    pty.send_secret(ALICE_NEW);
    pty.answer(RETYPE, ALICE_NEW);
    pty.expect("password updated successfully");
    let (_, code) = pty.finish();
    assert_eq!(code, 0, "{}", pty.transcript());
    assert_ne!(
        sb.shadow_hash("alice"),
        hash,
        "pam_unix did not change /etc/shadow"
    );

    // The store (back in reach) could not record the change.
    sb.write_policy("");
    assert_eq!(history_entries(&sb.status("alice")), entries);
}

#[test]
fn passwd_run_by_the_user_refuses_a_breached_password_before_the_retype() {
    let Some(sb) = sandbox(
        "passwd_run_by_the_user_refuses_a_breached_password_before_the_retype",
        &["passwd", "runuser"],
    ) else {
        return;
    };
    // A list built by root beside the store, as an administrator would.
    let list_text = sb.path().join("leaked.txt");
    std::fs::write(&list_text, "Winter2025!x\nletmein\n").unwrap();
    let list = sb.path().join("breached.pwbf");
    let built = pwpolicy_tests::pwpolicy_run(
        &[
            "breach",
            "build",
            "--output",
            list.to_str().unwrap(),
            list_text.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(built.code, 0, "{built:?}");
    sb.write_policy(&format!("[breached]\nfile = \"{}\"\n", list.display()));
    sb.add_person("alice", "Alice Liddell", ALICE_OLD);
    let hash = sb.shadow_hash("alice");

    let mut pty = sb.spawn("runuser", &["-u", "alice", "--", "passwd"]);
    pty.answer(CURRENT, ALICE_OLD);
    pty.answer(NEW, "Winter2025!x");
    refused_and_asked_again(&mut pty, "appears in a list of breached passwords");
    assert_eq!(sb.shadow_hash("alice"), hash, "nothing changed yet");
    pty.send_secret(ALICE_NEW);
    pty.answer(RETYPE, ALICE_NEW);
    pty.expect("password updated successfully");
    let (_, code) = pty.finish();
    assert_eq!(code, 0, "{}", pty.transcript());
    assert_ne!(sb.shadow_hash("alice"), hash);
}

#[test]
fn passwd_run_by_the_user_refuses_variations_of_the_current_and_earlier_passwords() {
    let Some(sb) = sandbox(
        "passwd_run_by_the_user_refuses_variations_of_the_current_and_earlier_passwords",
        &["passwd", "runuser"],
    ) else {
        return;
    };
    // alice's first password is recorded before similarity is on, so the
    // history has no stem of it: only PAM_OLDAUTHTOK, which pam_unix sets
    // from the "Current password" it asked in its preliminary pass, can
    // tell that Tulip-Garden-72 is Tulip-Garden-71 again.
    sb.add_person("alice", "Alice Liddell", ALICE_OLD);
    sb.write_policy("similarity = true\n");
    let hash = sb.shadow_hash("alice");
    let mut pty = sb.spawn("runuser", &["-u", "alice", "--", "passwd"]);
    pty.answer(CURRENT, ALICE_OLD);
    pty.answer(NEW, "tulip-GARDEN-72");
    refused_and_asked_again(&mut pty, "too like an earlier password");
    assert_eq!(sb.shadow_hash("alice"), hash, "nothing changed yet");
    pty.send_secret(ALICE_NEW);
    pty.answer(RETYPE, ALICE_NEW);
    pty.expect("password updated successfully");
    assert_eq!(pty.finish().1, 0, "{}", pty.transcript());

    // ALICE_NEW's stem is in the history now: a variation of it is refused
    // after another change, when it is no longer the current password.
    let mut pty = sb.spawn("runuser", &["-u", "alice", "--", "passwd"]);
    pty.answer(CURRENT, ALICE_NEW);
    pty.answer(NEW, ALICE_NEWER);
    pty.answer(RETYPE, ALICE_NEWER);
    pty.expect("password updated successfully");
    assert_eq!(pty.finish().1, 0, "{}", pty.transcript());
    let mut pty = sb.spawn("runuser", &["-u", "alice", "--", "passwd"]);
    pty.answer(CURRENT, ALICE_NEWER);
    pty.answer(NEW, "Zebra!Cloud!2026");
    refused_and_asked_again(&mut pty, "too like an earlier password");
    pty.send_secret("Maple-Lantern-64");
    pty.answer(RETYPE, "Maple-Lantern-64");
    pty.expect("password updated successfully");
    assert_eq!(pty.finish().1, 0, "{}", pty.transcript());
}

/// The heading of the rules told before the first prompt (issue 24).
const RULES: &str = "A new password must be:";

#[test]
fn passwd_tells_the_rules_of_the_users_class_once_before_the_first_prompt() {
    let Some(sb) = sandbox(
        "passwd_tells_the_rules_of_the_users_class_once_before_the_first_prompt",
        &["passwd", "runuser"],
    ) else {
        return;
    };
    sb.add_person("alice", "Alice Liddell", ALICE_OLD);
    // A class of alice's own, so the words must come from her rules.
    sb.write_policy(
        "[[accounts.class]]\nname = \"admins\"\nusers = [\"alice\"]\nmin_length = 14\n",
    );
    let mut pty = sb.spawn("runuser", &["-u", "alice", "--", "passwd"]);
    pty.answer(CURRENT, ALICE_OLD);
    let before = pty.answer(NEW, WEAK);
    for line in [
        RULES,
        "  - at least 14 characters long",
        "  - made of at least 3 of: uppercase letters, lowercase letters, digits and symbols",
        "  - free of your account name and of every part of your full name",
        "  - not one you have used before",
    ] {
        if !before.contains(line) {
            pty.fail(&format!("the rules before the first prompt lack {line:?}"));
        }
    }
    // Told once: not again before the second try.
    let (which, again) = pty.expect_first(&[NEW, RETYPE]);
    if which != 0 || again.contains(RULES) || !again.contains("too short") {
        pty.fail("after a refusal: the reason, then the prompt, and no second intro");
    }
    pty.send_secret(ALICE_NEW);
    pty.answer(RETYPE, ALICE_NEW);
    pty.expect("password updated successfully");
    let (_, code) = pty.finish();
    assert_eq!(code, 0, "{}", pty.transcript());

    // Turned off by the policy key: straight to the prompt.
    sb.write_policy("[pam]\nshow_rules = false\n");
    let mut pty = sb.spawn("runuser", &["-u", "alice", "--", "passwd"]);
    pty.answer(CURRENT, ALICE_NEW);
    let before = pty.answer(NEW, ALICE_NEWER);
    if before.contains(RULES) {
        pty.fail("show_rules = false must leave the rules out");
    }
    pty.answer(RETYPE, ALICE_NEWER);
    let (_, code) = pty.finish();
    assert_eq!(code, 0, "{}", pty.transcript());
}

#[test]
fn pwpolicy_change_on_a_terminal_tells_the_rules_before_it_asks() {
    let Some(sb) = sandbox(
        "pwpolicy_change_on_a_terminal_tells_the_rules_before_it_asks",
        &["passwd"],
    ) else {
        return;
    };
    sb.add_person("alice", "Alice Liddell", ALICE_OLD);
    sb.write_policy(
        "[[accounts.class]]\nname = \"admins\"\nusers = [\"alice\"]\nmin_length = 14\n",
    );
    let cli = sb.cli_path();
    let config = sb.policy_file();
    let args = [
        "change",
        "--user",
        "alice",
        "--config",
        config.to_str().unwrap(),
    ];
    let mut pty = sb.spawn(cli.to_str().unwrap(), &args);
    let before = pty.answer(NEW, ALICE_NEW);
    if !(before.contains(RULES) && before.contains("at least 14 characters long")) {
        pty.fail("pwpolicy change must tell alice's rules before the prompt");
    }
    pty.answer(RETYPE, ALICE_NEW);
    let (_, code) = pty.finish();
    assert_eq!(code, 0, "{}", pty.transcript());
}

#[test]
fn root_resets_a_password_through_a_pwpolicyd_outage_with_a_warning() {
    let Some(sb) = sandbox(
        "root_resets_a_password_through_a_pwpolicyd_outage_with_a_warning",
        &["passwd", "runuser"],
    ) else {
        return;
    };
    sb.add_person("bobby", "Bobby Tables", BOB);
    let entries = history_entries(&sb.status("bobby"));
    let hash = sb.shadow_hash("bobby");
    // pwpolicyd is down (on_error = "fail", the default).
    let socket = sb.path().join("pwpolicyd.sock");
    sb.write_policy(&format!("[service]\nsocket = \"{}\"\n", socket.display()));

    // A person is refused, as documented.
    let mut pty = sb.spawn("runuser", &["-u", "bobby", "--", "passwd"]);
    pty.answer(CURRENT, BOB);
    pty.answer(NEW, ALICE_NEW);
    let (rest, code) = pty.finish();
    if code == 0 || !rest.contains("The password history is unavailable") {
        pty.fail("bobby's own change must be refused during the outage");
    }
    assert_eq!(sb.shadow_hash("bobby"), hash);

    // Root's reset goes through, warned, on the text rules alone.
    let mut pty = sb.spawn("passwd", &["bobby"]);
    pty.answer(NEW, ALICE_NEW);
    let warned = pty.answer(RETYPE, ALICE_NEW);
    if !(warned.contains("pwpolicy: ") && warned.contains("will not be recorded")) {
        pty.fail("root must be told the service is down and the change not recorded");
    }
    pty.expect("password updated successfully");
    let (_, code) = pty.finish();
    assert_eq!(code, 0, "{}", pty.transcript());
    assert_ne!(sb.shadow_hash("bobby"), hash, "pam_unix did not change it");

    // And a weak one still only warns root, as without an outage.
    let mut pty = sb.spawn("passwd", &["bobby"]);
    pty.answer(NEW, WEAK);
    let warned = pty.answer(RETYPE, WEAK);
    if !warned.contains("too short") {
        pty.fail("root still sees the text rules' reasons during the outage");
    }
    pty.expect("password updated successfully");
    let (_, code) = pty.finish();
    assert_eq!(code, 0, "{}", pty.transcript());

    // With the service back in reach (the store itself), nothing was recorded.
    sb.write_policy("");
    assert_eq!(history_entries(&sb.status("bobby")), entries);
}

#[test]
fn policy_check_with_no_file_checks_the_default_path_as_pam_reads_it() {
    let Some(sb) = sandbox(
        "policy_check_with_no_file_checks_the_default_path_as_pam_reads_it",
        &[],
    ) else {
        return;
    };
    let cli = sb.cli_path();
    let cli = cli.to_str().unwrap();
    sb.write_policy("[quality]\nmin_length = 12\n");
    let out = sb.run(cli, &["policy", "check"], b"");
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "/etc/security/pwpolicy.toml: valid\n");
    sb.write_policy("[quality]\nminlen = 12\n");
    let out = sb.run(cli, &["policy", "check"], b"");
    assert!(
        out.code == 1 && out.stdout.contains("unknown key `minlen`"),
        "{out:?}"
    );
    // No file at the default path: the built-in policy, as PAM decides.
    std::fs::remove_file(sb.policy_file()).unwrap();
    let out = sb.run(cli, &["policy", "check"], b"");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("built-in default policy"), "{out:?}");
    let out = sb.run(
        cli,
        &["policy", "check", "/etc/security/pwpolicy.toml"],
        b"",
    );
    assert_eq!(out.code, 2, "a file named and missing is an error: {out:?}");
}

#[test]
fn an_ordinary_users_status_through_pwpolicyd_does_not_tell_them_to_run_roots_command() {
    let Some(sb) = sandbox(
        "an_ordinary_users_status_through_pwpolicyd_does_not_tell_them_to_run_roots_command",
        &["runuser", "chage"],
    ) else {
        return;
    };
    sb.add_person("alice", "Alice Liddell", ALICE_OLD);
    // Shadow's date now differs from pwpolicy's record of the change.
    sb.must("chage", &["-d", &days_ago(10), "alice"], b"");
    let daemon = sb.pwpolicyd();
    let socket = daemon.socket().to_str().unwrap().to_owned();
    let cli = sb.cli_path();
    let cli = cli.to_str().unwrap();
    let status = |runner: &[&str]| {
        let mut args: Vec<&str> = runner.to_vec();
        args.extend([
            cli, "status", "--user", "alice", "--json", "--socket", &socket,
        ]);
        let out = sb.run(args[0], &args[1..], b"");
        assert_eq!(out.code, 0, "{out:?}");
        out.json()
    };
    let roots = status(&["env"]);
    assert!(
        roots["note"].as_str().unwrap().contains("shadow says"),
        "{roots}"
    );
    assert_eq!(
        roots["remedy"],
        format!("pwpolicy set-changed --user alice --date {}", days_ago(10)),
        "{roots}"
    );
    let alices = status(&["runuser", "-u", "alice", "--"]);
    assert!(
        alices["note"].as_str().unwrap().contains("shadow says"),
        "alice is told the facts: {alices}"
    );
    assert!(
        alices.get("remedy").is_none(),
        "not root's command: {alices}"
    );
    // And in words, as alice sees them.
    let out = sb.run(
        "runuser",
        &[
            "-u", "alice", "--", cli, "status", "--user", "alice", "--socket", &socket,
        ],
        b"",
    );
    assert!(
        out.code == 0 && !out.stdout.contains("set-changed"),
        "{out:?}"
    );
}
