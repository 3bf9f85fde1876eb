//! pam_pwpolicy.so through the real libpam: service files in a private
//! directory (`pam_start_confdir`), a conversation that answers prompts and
//! records every message, and the store checked afterwards with the CLI.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use pwpolicy_tests::{
    Argon2Runs, Output, TestDir, is_root, pam_driver, pam_module, pwpolicy, pwpolicy_run, require,
    run,
};
use serde_json::Value;

const SUCCESS: i64 = 0;
const SERVICE_ERR: i64 = 3;
const AUTHINFO_UNAVAIL: i64 = 9;
const MAXTRIES: i64 = 11;
const NEW_AUTHTOK_REQD: i64 = 12;
const AUTHTOK_ERR: i64 = 20;

/// A private PAM configuration directory, a policy and a store.
struct Pam {
    dir: TestDir,
    config: PathBuf,
    db: PathBuf,
}

impl Pam {
    fn new() -> Pam {
        Pam::with_policy("[history]\nmemory_kib = 64\niterations = 1\n")
    }

    fn with_policy(policy: &str) -> Pam {
        let dir = TestDir::new();
        // Traversable, so that `nobody` can reach the files in the non-root tests.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let config = dir.write("policy.toml", policy);
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
        let state = dir.path().join("state");
        std::fs::create_dir(&state).unwrap();
        std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::create_dir(dir.path().join("pam.d")).unwrap();
        Pam {
            config,
            db: state.join("state.db"),
            dir,
        }
    }

    /// `pam_pwpolicy.so` with this test's policy and store, plus `args`.
    fn module(&self, args: &str) -> String {
        format!(
            "{} config={} db={} {args}",
            pam_module().display(),
            self.config.display(),
            self.db.display()
        )
    }

    /// Writes a service file.
    fn service(&self, name: &str, lines: &[String]) {
        let path = self.dir.path().join("pam.d").join(name);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }

    /// The usual stack: check, the module that changes the password, commit.
    fn standard(&self, name: &str, check_args: &str, changer: &str) {
        self.service(
            name,
            &[
                format!("password requisite {}", self.module(check_args)),
                format!("password requisite {changer}"),
                format!("password optional {}", self.module("commit")),
                format!("account required {}", self.module(check_args)),
            ],
        );
    }

    fn run(&self, service: &str, user: &str, action: &str, answers: &[&str]) -> Value {
        let confdir = self.dir.path().join("pam.d");
        let mut args = vec![confdir.to_str().unwrap(), service, user, action];
        args.extend(answers);
        parse(run(&pam_driver(), &args, b""))
    }

    fn run_as_nobody(&self, service: &str, user: &str, action: &str, answers: &[&str]) -> Value {
        let confdir = self.dir.path().join("pam.d");
        let driver = pam_driver();
        let mut args = vec![
            "-u",
            "nobody",
            "--",
            driver.to_str().unwrap(),
            confdir.to_str().unwrap(),
            service,
            user,
            action,
        ];
        args.extend(answers);
        parse(run(Path::new("runuser"), &args, b""))
    }

    fn status(&self, user: &str) -> Value {
        let out = pwpolicy_run(
            &[
                "status",
                "--user",
                user,
                "--json",
                "--db",
                self.db.to_str().unwrap(),
                "--config",
                self.config.to_str().unwrap(),
            ],
            b"",
        );
        assert_eq!(out.code, 0, "{out:?}");
        out.json()
    }

    fn cli(&self, args: &[&str]) {
        let mut full = args.to_vec();
        full.extend([
            "--db",
            self.db.to_str().unwrap(),
            "--config",
            self.config.to_str().unwrap(),
        ]);
        let out = pwpolicy_run(&full, b"");
        assert_eq!(out.code, 0, "{out:?}");
    }
}

fn parse(out: Output) -> Value {
    assert_eq!(out.code, 0, "driver failed: {out:?}");
    out.json()
}

fn result(v: &Value) -> i64 {
    v["result"].as_i64().unwrap()
}

/// Messages of one style, in order.
fn said(v: &Value, style: &str) -> Vec<String> {
    v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["style"] == style)
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect()
}

fn days_ago(n: i64) -> String {
    pwpolicy::format_date(time::OffsetDateTime::now_utc().date() - time::Duration::days(n))
}

#[test]
fn a_good_password_is_handed_on_and_recorded() {
    let pam = Pam::new();
    pam.standard("pw", "enforce_for_root", "pam_permit.so");
    let v = pam.run(
        "pw",
        "erin",
        "chauthtok",
        &["Blue-Kettle-42", "Blue-Kettle-42"],
    );
    assert_eq!(result(&v), SUCCESS, "{v}");
    assert_eq!(
        said(&v, "prompt_echo_off"),
        ["New password: ", "Retype new password: "]
    );
    assert!(said(&v, "error").is_empty(), "{v}");
    // The commit entry could only record it if the check entry set PAM_AUTHTOK.
    let status = pam.status("erin");
    assert_eq!(
        (
            status["history_entries"].as_i64(),
            status["last_changed"].as_str()
        ),
        (Some(1), Some(days_ago(0).as_str()))
    );
}

#[test]
fn a_bad_password_is_refused_with_every_reason() {
    let pam = Pam::new();
    pam.standard("pw", "enforce_for_root retry=1", "pam_permit.so");
    let v = pam.run("pw", "erin", "chauthtok", &["erin", "erin"]);
    assert_eq!(result(&v), MAXTRIES, "{v}");
    assert_eq!(
        said(&v, "error"),
        [
            "BAD PASSWORD: too short: use at least 8 characters (it has 4)",
            "BAD PASSWORD: too few kinds of character: use at least 3 of uppercase letters, lowercase letters, digits and symbols (it has 1); add uppercase letters, digits or symbols",
            "BAD PASSWORD: contains the account name: leave it out",
        ]
    );
    assert_eq!(
        pam.status("erin")["state"],
        "unknown",
        "nothing may be recorded"
    );
}

/// The syslog shim (`tests/pam/syslog_to_file.c`), compiled into `dir`.
fn syslog_shim(dir: &Path) -> PathBuf {
    let shim = dir.join("syslog_to_file.so");
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/pam/syslog_to_file.c");
    let out = std::process::Command::new("gcc")
        .args(["-shared", "-fPIC", "-O2", "-Wall", "-o"])
        .arg(&shim)
        .arg(source)
        .output()
        .unwrap();
    assert!(out.status.success(), "gcc: {out:?}");
    shim
}

#[test]
fn a_user_name_built_to_forge_log_lines_is_logged_escaped() {
    // Regression (issue 27): PAM_USER comes from whatever the application
    // was told (a login prompt, an ssh client), and went raw into syslog.
    let pam = Pam::new();
    pam.standard("pw", "enforce_for_root retry=1", "pam_permit.so");
    let shim = syslog_shim(pam.dir.path());
    let log = pam.dir.path().join("syslog.txt");
    let forged = "erin\nFAKE: Password accepted.\x1b[2J\u{202e}";
    let confdir = pam.dir.path().join("pam.d");
    let out = std::process::Command::new(pam_driver())
        .args([
            confdir.to_str().unwrap(),
            "pw",
            forged,
            "chauthtok",
            "short",
            "short",
        ])
        .env("LD_PRELOAD", &shim)
        .env("PWPOLICY_TEST_SYSLOG", &log)
        .env_remove("PWPOLICY_CONFIG")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result(&v), MAXTRIES, "{v}");
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        logged.contains(
            "refused the new password of erin\\nFAKE: Password accepted.\\u{1b}[2J\\u{202e}"
        ),
        "the refusal is logged, the name escaped:\n{logged}"
    );
    pwpolicy_tests::assert_no_forged_line(&logged);
}

#[test]
fn retries_mismatches_and_running_out_of_tries() {
    let pam = Pam::new();
    pam.standard("pw", "enforce_for_root retry=3", "pam_permit.so");
    let v = pam.run(
        "pw",
        "erin",
        "chauthtok",
        &[
            "short",
            "Blue-Kettle-42",
            "Blue-Kettle-43",
            "Blue-Kettle-42",
            "Blue-Kettle-42",
        ],
    );
    assert_eq!(result(&v), SUCCESS, "{v}");
    assert_eq!(
        said(&v, "prompt_echo_off"),
        [
            "New password: ",
            "New password: ",
            "Retype new password: ",
            "New password: ",
            "Retype new password: "
        ],
        "{v}"
    );
    assert!(
        said(&v, "error").contains(&"Sorry, passwords do not match.".to_owned()),
        "{v}"
    );
    pam.standard("pw2", "enforce_for_root retry=2", "pam_permit.so");
    let v = pam.run(
        "pw2",
        "john",
        "chauthtok",
        &["short", "alsoshort", "Unused-Answer-1"],
    );
    assert_eq!(result(&v), MAXTRIES, "{v}");
    assert_eq!(v["answers_left"], 1, "only retry=2 tries may be asked for");
}

#[test]
fn a_refused_password_is_refused_before_the_retype_prompt() {
    // Regression: users typed every refused password twice.
    let pam = Pam::new();
    pam.standard("pw", "enforce_for_root retry=1", "pam_permit.so");
    let v = pam.run("pw", "erin", "chauthtok", &["erin-Blue-42", "unused"]);
    assert_eq!(result(&v), MAXTRIES, "{v}");
    let kinds: Vec<String> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        // The rules told before the prompt are another test's.
        .filter(|m| m["style"] != "info")
        .map(|m| {
            format!(
                "{}: {}",
                m["style"].as_str().unwrap(),
                m["text"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "prompt_echo_off: New password: ",
            "error: BAD PASSWORD: contains the account name: leave it out"
        ],
        "{v}"
    );
    assert_eq!(v["answers_left"], 1, "no retype was asked for");
}

#[test]
fn a_reused_password_is_refused_through_the_store() {
    let pam = Pam::new();
    pam.standard("pw", "enforce_for_root retry=1", "pam_permit.so");
    assert_eq!(
        result(&pam.run(
            "pw",
            "erin",
            "chauthtok",
            &["Blue-Kettle-42", "Blue-Kettle-42"]
        )),
        SUCCESS
    );
    let v = pam.run(
        "pw",
        "erin",
        "chauthtok",
        &["Blue-Kettle-42", "Blue-Kettle-42"],
    );
    assert_eq!(result(&v), MAXTRIES, "{v}");
    assert_eq!(
        said(&v, "error"),
        ["BAD PASSWORD: is your current password: choose a new one"]
    );
    assert_eq!(
        result(&pam.run(
            "pw",
            "erin",
            "chauthtok",
            &["Green-Teapot-7", "Green-Teapot-7"]
        )),
        SUCCESS
    );
    assert_eq!(pam.status("erin")["history_entries"], 2);
    // An earlier one, not the current: "used before".
    let v = pam.run(
        "pw",
        "erin",
        "chauthtok",
        &["Blue-Kettle-42", "Blue-Kettle-42"],
    );
    assert_eq!(
        (result(&v), said(&v, "error")),
        (
            MAXTRIES,
            vec!["BAD PASSWORD: was used before: choose a password that has not been used".into()]
        ),
        "{v}"
    );
}

/// A change through PAM's two entries costs one argon2 run (two with
/// similarity stems): the check hashes the candidate under the user's salt
/// while looking it up, and the commit records those very entries. Counted
/// with strace ([`Argon2Runs`]), at a cost of 48 MiB a run.
#[test]
fn a_change_through_check_and_commit_hashes_once() {
    const MEMORY_KIB: u32 = 48 * 1024;
    for (similarity, per_change) in [(false, 1), (true, 2)] {
        let pam = Pam::with_policy(&format!(
            "[history]\nmemory_kib = {MEMORY_KIB}\niterations = 1\nsimilarity = {similarity}\n"
        ));
        pam.standard("pw", "enforce_for_root retry=1", "pam_permit.so");
        let confdir = pam.dir.path().join("pam.d");
        let change = |password: &str| {
            let args = [
                confdir.to_str().unwrap(),
                "pw",
                "erin",
                "chauthtok",
                password,
                password,
            ];
            let (out, runs) = Argon2Runs::run(pam.dir.path(), MEMORY_KIB, &pam_driver(), &args);
            (parse(out), runs.count())
        };
        // The first change (no history yet, no salt to hash with before
        // the commit makes one), then two changes with a history.
        for password in ["Blue-Kettle-42", "Green-Teapot-7", "Red-Lantern-93"] {
            let (v, runs) = change(password);
            assert_eq!(result(&v), SUCCESS, "{v}");
            assert_eq!(
                runs, per_change,
                "argon2 runs for one change of {password} (similarity {similarity})"
            );
        }
        assert_eq!(pam.status("erin")["history_entries"], 3);
        // What was recorded is each password's own entry: all three are
        // refused now, the last as the current one.
        for (password, said_) in [
            ("Blue-Kettle-42", "was used before"),
            ("Red-Lantern-93", "is your current password"),
        ] {
            let (v, _) = change(password);
            assert_eq!(result(&v), MAXTRIES, "{v}");
            assert!(v.to_string().contains(said_), "{password}: {v}");
        }
    }
}

#[test]
fn nothing_is_recorded_when_a_later_module_fails() {
    let pam = Pam::new();
    pam.standard("denied", "enforce_for_root", "pam_deny.so");
    let v = pam.run(
        "denied",
        "erin",
        "chauthtok",
        &["Blue-Kettle-42", "Blue-Kettle-42"],
    );
    assert_ne!(result(&v), SUCCESS, "{v}");
    assert_eq!(
        pam.status("erin")["state"],
        "unknown",
        "a failed change must record nothing"
    );
    pam.standard("permitted", "enforce_for_root", "pam_permit.so");
    assert_eq!(
        result(&pam.run(
            "permitted",
            "erin",
            "chauthtok",
            &["Blue-Kettle-42", "Blue-Kettle-42"]
        )),
        SUCCESS
    );
    assert_eq!(pam.status("erin")["history_entries"], 1);
}

#[test]
fn use_authtok_checks_what_pam_pwquality_asked_for() {
    let pwquality = Path::new("/lib/x86_64-linux-gnu/security/pam_pwquality.so");
    require!(
        pwquality.exists(),
        "no pam_pwquality.so (apt-get install libpam-pwquality)"
    );
    let pam = Pam::new();
    pam.service(
        "stacked",
        &[
            "password requisite pam_pwquality.so retry=1 minlen=6 dictcheck=0".to_owned(),
            format!(
                "password requisite {}",
                pam.module("use_authtok enforce_for_root")
            ),
            "password requisite pam_permit.so".to_owned(),
            format!("password optional {}", pam.module("commit")),
        ],
    );
    // pwquality accepts two classes; the organisation's policy does not.
    let v = pam.run(
        "stacked",
        "erin",
        "chauthtok",
        &["kettle-harbor", "kettle-harbor"],
    );
    assert_eq!(result(&v), AUTHTOK_ERR, "{v}");
    assert_eq!(
        said(&v, "prompt_echo_off").len(),
        2,
        "only pwquality prompts: {v}"
    );
    assert!(
        said(&v, "error")[0].contains("too few kinds of character"),
        "{v}"
    );
    assert_eq!(pam.status("erin")["state"], "unknown");
    let v = pam.run(
        "stacked",
        "erin",
        "chauthtok",
        &["Blue-Kettle-42", "Blue-Kettle-42"],
    );
    assert_eq!(result(&v), SUCCESS, "{v}");
    assert_eq!(pam.status("erin")["history_entries"], 1);
}

#[test]
fn root_gets_warnings_only_unless_enforce_for_root() {
    require!(is_root(), "needs root");
    let pam = Pam::new();
    pam.standard("pw", "", "pam_permit.so");
    let v = pam.run("pw", "erin", "chauthtok", &["weak", "weak"]);
    assert_eq!(result(&v), SUCCESS, "{v}");
    assert!(
        said(&v, "error").iter().any(|e| e.contains("too short")),
        "root still sees why: {v}"
    );
}

#[test]
fn audit_mode_reports_but_refuses_nothing() {
    let pam = Pam::new();
    pam.standard("pw", "enforce_for_root audit", "pam_permit.so");
    let v = pam.run("pw", "erin", "chauthtok", &["weak", "weak"]);
    assert_eq!(result(&v), SUCCESS, "{v}");
    assert!(
        said(&v, "error").iter().any(|e| e.contains("too short")),
        "{v}"
    );
}

#[test]
fn the_account_phase_enforces_expiry() {
    let pam = Pam::new();
    pam.standard("pw", "", "pam_permit.so");
    pam.cli(&[
        "set-changed",
        "--create",
        "--user",
        "old",
        "--date",
        &days_ago(91),
    ]);
    pam.cli(&[
        "set-changed",
        "--create",
        "--user",
        "soon",
        "--date",
        &days_ago(80),
    ]);
    pam.cli(&[
        "set-changed",
        "--create",
        "--user",
        "fine",
        "--date",
        &days_ago(10),
    ]);
    pam.cli(&[
        "set-changed",
        "--create",
        "--user",
        "forced",
        "--date",
        &days_ago(10),
    ]);
    pam.cli(&["expire", "--create", "--user", "forced"]);

    let v = pam.run("pw", "old", "acct", &[]);
    assert_eq!(result(&v), NEW_AUTHTOK_REQD, "{v}");
    assert_eq!(
        said(&v, "error"),
        ["You are required to change your password immediately (password expired)."]
    );
    let v = pam.run("pw", "soon", "acct", &[]);
    assert_eq!(result(&v), SUCCESS, "{v}");
    assert_eq!(
        said(&v, "info"),
        ["Warning: your password will expire in 10 days."]
    );
    let v = pam.run("pw", "fine", "acct", &[]);
    assert_eq!(
        (result(&v), v["messages"].as_array().unwrap().len()),
        (SUCCESS, 0),
        "{v}"
    );
    let v = pam.run("pw", "forced", "acct", &[]);
    assert_eq!(result(&v), NEW_AUTHTOK_REQD, "{v}");
    assert!(
        said(&v, "error")[0].contains("required to change your password"),
        "{v}"
    );

    // The forced change, as login does it: the change clears the flag.
    let v = pam.run(
        "pw",
        "forced",
        "chauthtok-expired",
        &["Blue-Kettle-42", "Blue-Kettle-42"],
    );
    assert_eq!(result(&v), SUCCESS, "{v}");
    assert_eq!(result(&pam.run("pw", "forced", "acct", &[])), SUCCESS);
}

#[test]
fn users_the_store_has_never_seen() {
    let pam = Pam::new();
    pam.standard("enrol", "", "pam_permit.so");
    assert_eq!(result(&pam.run("enrol", "newbie", "acct", &[])), SUCCESS);
    let status = pam.status("newbie");
    assert_eq!(
        (status["state"].as_str(), status["last_changed"].as_str()),
        (Some("ok"), Some(days_ago(0).as_str()))
    );
    pam.standard("expire", "unknown_user=expire", "pam_permit.so");
    assert_eq!(
        result(&pam.run("expire", "stranger", "acct", &[])),
        NEW_AUTHTOK_REQD
    );
    pam.standard("ignore", "unknown_user=ignore", "pam_permit.so");
    assert_eq!(result(&pam.run("ignore", "ghost", "acct", &[])), SUCCESS);
    assert_eq!(pam.status("ghost")["state"], "unknown");
}

#[test]
fn configuration_errors_fail_with_a_message_and_unknown_arguments_do_not() {
    let pam = Pam::new();
    let broken = pam.dir.write("broken.toml", "[quality]\nminlen = 8\n");
    std::fs::set_permissions(&broken, std::fs::Permissions::from_mode(0o644)).unwrap();
    pam.service(
        "broken",
        &[
            format!(
                "password requisite {} config={}",
                pam_module().display(),
                broken.display()
            ),
            format!(
                "account required {} config={}",
                pam_module().display(),
                broken.display()
            ),
        ],
    );
    let v = pam.run(
        "broken",
        "erin",
        "chauthtok",
        &["Blue-Kettle-42", "Blue-Kettle-42"],
    );
    assert_eq!(result(&v), SERVICE_ERR, "{v}");
    if is_root() {
        assert!(
            said(&v, "error")[0].contains("line 2"),
            "root sees the detail: {v}"
        );
        let v = pam.run_as_nobody(
            "broken",
            "nobody",
            "chauthtok",
            &["Blue-Kettle-42", "Blue-Kettle-42"],
        );
        assert_eq!(result(&v), SERVICE_ERR, "{v}");
        assert_eq!(
            said(&v, "error"),
            ["System configuration error. Please contact your administrator."]
        );
    }
    assert_eq!(result(&pam.run("broken", "erin", "acct", &[])), SERVICE_ERR);
    // Root and system accounts still log in (to fix the file), as the
    // built-in policy would decide; people do not.
    pam.service(
        "broken-login",
        &[
            format!(
                "account required {} config={}",
                pam_module().display(),
                broken.display()
            ),
            "account required pam_permit.so".to_owned(),
        ],
    );
    assert_eq!(
        result(&pam.run("broken-login", "root", "acct", &[])),
        SUCCESS
    );
    assert_eq!(
        result(&pam.run("broken-login", "daemon", "acct", &[])),
        SUCCESS
    );
    assert_eq!(
        result(&pam.run("broken-login", "erin", "acct", &[])),
        SERVICE_ERR
    );
    // Regression: login, sshd and display managers run as root, so the person
    // at their prompt saw the detail meant for an administrator (file names,
    // lines, socket paths). A forced change and the account phase show none.
    let generic = ["System configuration error. Please contact your administrator."];
    let v = pam.run("broken", "erin", "acct", &[]);
    assert_eq!(said(&v, "error"), generic, "{v}");
    let v = pam.run(
        "broken",
        "erin",
        "chauthtok-expired",
        &["Blue-Kettle-42", "Blue-Kettle-42"],
    );
    assert_eq!(
        (result(&v), said(&v, "error")),
        (SERVICE_ERR, generic.map(String::from).to_vec()),
        "{v}"
    );

    pam.standard(
        "lenient",
        "enforce_for_root bogus_argument=1 try_first_pass",
        "pam_permit.so",
    );
    assert_eq!(
        result(&pam.run(
            "lenient",
            "erin",
            "chauthtok",
            &["Blue-Kettle-42", "Blue-Kettle-42"]
        )),
        SUCCESS
    );
}

#[test]
fn the_full_name_comes_from_the_passwd_database() {
    // root is in every passwd database, with GECOS "root".
    let pam = Pam::new();
    pam.standard("pw", "enforce_for_root retry=1", "pam_permit.so");
    let v = pam.run(
        "pw",
        "root",
        "chauthtok",
        &["Big-Root-Tree-9", "Big-Root-Tree-9"],
    );
    assert_eq!(result(&v), MAXTRIES, "{v}");
    let errors = said(&v, "error").join("\n");
    assert!(
        errors.contains("account name") && errors.contains("full name"),
        "{errors}"
    );
}

#[test]
fn an_ordinary_user_changes_their_own_password() {
    require!(is_root(), "needs root to become nobody");
    let pam = Pam::new();
    let state = pam.db.parent().unwrap();
    std::os::unix::fs::chown(state, Some(65534), Some(65534)).unwrap();
    std::os::unix::fs::chown(pam.dir.path().join("pam.d"), Some(0), Some(0)).unwrap();
    pam.standard("pw", "retry=1", "pam_permit.so");
    // Not root, so the policy binds without enforce_for_root.
    let v = pam.run_as_nobody("pw", "nobody", "chauthtok", &["weak", "weak"]);
    assert_eq!(result(&v), MAXTRIES, "{v}");
    let v = pam.run_as_nobody(
        "pw",
        "nobody",
        "chauthtok",
        &["Blue-Kettle-42", "Blue-Kettle-42"],
    );
    assert_eq!(result(&v), SUCCESS, "{v}");
    // The store is nobody's now: root refuses to trust it, nobody reads it.
    let status = |runner: &[&str]| {
        let bin = pwpolicy();
        let db = pam.db.to_str().unwrap();
        let config = pam.config.to_str().unwrap();
        let mut args: Vec<&str> = runner.to_vec();
        args.extend([
            bin.to_str().unwrap(),
            "status",
            "--json",
            "--user",
            "nobody",
        ]);
        args.extend(["--db", db, "--config", config]);
        run(Path::new(args[0]), &args[1..], b"")
    };
    let as_nobody = status(&["runuser", "-u", "nobody", "--"]);
    assert_eq!(as_nobody.code, 0, "{as_nobody:?}");
    assert_eq!(as_nobody.json()["history_entries"], 1);
    let as_root = status(&["env"]);
    assert_eq!(as_root.code, 2, "{as_root:?}");
    assert!(as_root.stderr.contains("owned by uid 65534"), "{as_root:?}");
}

#[test]
fn an_unreachable_store_fails_closed_or_is_ignored_as_configured() {
    let pam = Pam::new();
    let nowhere = format!(
        "postgresql://pwpolicy@localhost/db?host={}&connect_timeout=2",
        pam.dir.path().display()
    );
    let module = |args: &str| {
        format!(
            "{} config={} db={nowhere} {args}",
            pam_module().display(),
            pam.config.display()
        )
    };
    pam.service(
        "closed",
        &[
            format!("password requisite {}", module("enforce_for_root")),
            format!("account required {}", module("")),
        ],
    );
    let v = pam.run(
        "closed",
        "erin",
        "chauthtok",
        &["Blue-Kettle-42", "Blue-Kettle-42"],
    );
    assert_eq!(result(&v), AUTHINFO_UNAVAIL, "{v}");
    assert!(!said(&v, "error").is_empty(), "{v}");
    assert_eq!(
        result(&pam.run("closed", "erin", "acct", &[])),
        AUTHINFO_UNAVAIL
    );
    pam.service(
        "open",
        &[
            format!(
                "password requisite {}",
                module("enforce_for_root on_error=ignore")
            ),
            format!("account required {}", module("on_error=ignore")),
            "account required pam_permit.so".to_owned(),
        ],
    );
    assert_eq!(result(&pam.run("open", "erin", "acct", &[])), SUCCESS);
}

#[test]
fn pamtester_changes_a_password_through_the_system_pam_configuration() {
    require!(
        is_root() && which("pamtester").is_some() && which("unshare").is_some(),
        "needs root, pamtester and unshare"
    );
    let pam = Pam::new();
    pam.standard("pwtest", "enforce_for_root retry=1", "pam_permit.so");
    let pamd = pam.dir.path().join("pam.d");
    // A private mount namespace: /etc/pam.d is replaced for this shell only.
    let script = format!(
        "mount --bind {} /etc/pam.d && printf 'Blue-Kettle-42\\nBlue-Kettle-42\\n' | pamtester pwtest erin chauthtok && pamtester pwtest erin acct_mgmt",
        pamd.display()
    );
    let out = run(Path::new("unshare"), &["--mount", "sh", "-c", &script], b"");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("authentication token altered successfully"),
        "{out:?}"
    );
    assert!(out.stdout.contains("account management done"), "{out:?}");
    assert!(
        out.stderr.contains("New password: "),
        "pamtester showed our prompts: {out:?}"
    );
    assert_eq!(pam.status("erin")["history_entries"], 1);
    assert!(
        std::fs::read_dir("/etc/pam.d").unwrap().count() > 0,
        "the host's /etc/pam.d is untouched"
    );
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(program))
            .find(|p| p.exists())
    })
}

#[test]
fn the_shared_vectors_through_the_password_phase() {
    // The full name comes from the passwd database in PAM, so the cases that
    // need one are left to the other front ends; the rest run here, each as
    // a real chauthtok with its own policy.
    let pam = Pam::new();
    let (mut ran, mut failures) = (0, Vec::new());
    for (i, case) in pwpolicy_tests::vectors::load().case.iter().enumerate() {
        if !case.full_name.is_empty() {
            continue;
        }
        let policy = format!(
            "{}\n[history]\nmemory_kib = 64\niterations = 1\n",
            case.policy
        );
        let policy = if case.policy.contains("[history]") {
            case.policy.clone()
        } else {
            policy
        };
        let config = pam.dir.write(&format!("vector-{i}.toml"), &policy);
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
        let module = format!(
            "{} config={} db={} enforce_for_root retry=1",
            pam_module().display(),
            config.display(),
            pam.dir.path().join(format!("vector-{i}.db")).display()
        );
        let service = format!("vector-{i}");
        pam.service(
            &service,
            &[
                format!("password requisite {module}"),
                "password requisite pam_permit.so".to_owned(),
            ],
        );
        let user = if case.user.is_empty() {
            "pwvector"
        } else {
            case.user.as_str()
        };
        let v = pam.run(
            &service,
            user,
            "chauthtok",
            &[&case.password, &case.password],
        );
        let accepted = result(&v) == SUCCESS;
        if accepted != case.expect.is_empty() {
            failures.push(format!(
                "{}: expected {:?}, got {v}",
                case.name, case.expect
            ));
        }
        // Every expected reason is told to the user.
        let told = said(&v, "error").join("\n");
        for code in &case.expect {
            let fragments: &[&str] = match code.as_str() {
                "too_short" => &["too short"],
                "too_long" => &["too long"],
                "too_few_classes" => &["too few kinds", "needs both letters and digits"],
                "contains_account_name" => &["account name"],
                "contains_name_part" => &["full name"],
                "too_guessable" => &["too easy to guess"],
                "contains_banned_word" => &["banned here"],
                other => &[other],
            };
            if !fragments.iter().any(|f| told.contains(f)) {
                failures.push(format!("{}: `{code}` not told: {told}", case.name));
            }
        }
        ran += 1;
    }
    assert!(ran >= 25, "only {ran} vectors ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_pam_auth_update_profiles_place_check_and_commit_around_pam_unix() {
    let tool = Path::new("/usr/sbin/pam-auth-update");
    require!(
        is_root() && tool.exists() && which("unshare").is_some(),
        "needs root, pam-auth-update and unshare"
    );
    // Copies of the system's PAM directories, mounted over the real ones in a
    // private mount namespace: the host's configuration is never touched.
    let dir = TestDir::new();
    let copy = |from: &str, to: &str| {
        let status = std::process::Command::new("cp")
            .args(["-a", from, dir.path().join(to).to_str().unwrap()])
            .status()
            .unwrap();
        assert!(status.success(), "cp {from}");
    };
    copy("/etc/pam.d", "pamd");
    copy("/usr/share/pam-configs", "configs");
    copy("/var/lib/pam", "varlib");
    // pam-auth-update also writes debconf's database (and takes its lock).
    copy("/var/cache/debconf", "debconf");
    let profiles = concat!(env!("CARGO_MANIFEST_DIR"), "/../pam-module/pam-configs");
    for profile in ["pwpolicy", "pwpolicy-commit"] {
        std::fs::copy(
            format!("{profiles}/{profile}"),
            dir.path().join("configs").join(profile),
        )
        .unwrap();
    }
    let d = dir.path().display();
    let script = format!(
        "mount --bind {d}/pamd /etc/pam.d && mount --bind {d}/configs /usr/share/pam-configs && \
         mount --bind {d}/varlib /var/lib/pam && mount --bind {d}/debconf /var/cache/debconf && \
         DEBIAN_FRONTEND=noninteractive pam-auth-update --disable pwquality --force >/dev/null 2>&1; \
         DEBIAN_FRONTEND=noninteractive pam-auth-update --enable pwpolicy pwpolicy-commit --force && \
         cat /etc/pam.d/common-password /etc/pam.d/common-account"
    );
    let out = run(Path::new("unshare"), &["--mount", "sh", "-c", &script], b"");
    assert_eq!(out.code, 0, "{out:?}");
    let stack: Vec<String> = out
        .stdout
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let position = |line: &str| {
        stack
            .iter()
            .position(|l| l == line)
            .unwrap_or_else(|| panic!("no `{line}` in {stack:#?}"))
    };
    let check = position("password requisite pam_pwpolicy.so");
    let unix = stack
        .iter()
        .position(|l| l.starts_with("password [success=1 default=ignore] pam_unix.so"))
        .unwrap();
    let deny = position("password requisite pam_deny.so");
    let commit = position("password optional pam_pwpolicy.so commit");
    assert!(check < unix && unix < deny && deny < commit, "{stack:#?}");
    position("account required pam_pwpolicy.so");
}

/// Whether a root-only test can run: under `CI` it must (a skip would hide it).
fn root_or_skip(test: &str) -> bool {
    if is_root() {
        return true;
    }
    pwpolicy_require::skip(test, "needs root");
    false
}

#[test]
fn a_forced_change_enforces_the_policy_even_though_login_runs_as_root() {
    // Regression (policy bypass): login and sshd call pam_chauthtok as root
    // with PAM_CHANGE_EXPIRED_AUTHTOK; the policy must hold there, history
    // included, and be refused before the changing module runs.
    if !root_or_skip("a_forced_change_enforces_the_policy_even_though_login_runs_as_root") {
        return;
    }
    let pam = Pam::new();
    pam.standard("pw", "retry=3", "pam_permit.so");
    pam.cli(&[
        "set-changed",
        "--create",
        "--user",
        "erin",
        "--date",
        &days_ago(100),
    ]);
    // Give erin a remembered password first (root, no flag: warnings only).
    let v = pam.run(
        "pw",
        "erin",
        "chauthtok",
        &["Old-Kettle-41", "Old-Kettle-41"],
    );
    assert_eq!(result(&v), SUCCESS, "{v}");
    pam.cli(&["expire", "--create", "--user", "erin"]);
    let v = pam.run(
        "pw",
        "erin",
        "chauthtok-expired",
        &["weak", "Old-Kettle-41", "erin-Kettle-1"],
    );
    assert_eq!(result(&v), MAXTRIES, "{v}");
    let errors = said(&v, "error");
    assert!(errors.iter().any(|e| e.contains("too short")), "{v}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("is your current password")),
        "{v}"
    );
    assert!(errors.iter().any(|e| e.contains("account name")), "{v}");
    assert!(
        !said(&v, "prompt_echo_off").contains(&"Retype new password: ".to_owned()),
        "{v}"
    );
    assert_eq!(
        pam.status("erin")["state"],
        "must_change",
        "nothing recorded"
    );
    let v = pam.run(
        "pw",
        "erin",
        "chauthtok-expired",
        &["Blue-Kettle-42", "Blue-Kettle-42"],
    );
    assert_eq!(result(&v), SUCCESS, "{v}");
    let status = pam.status("erin");
    assert_eq!(
        (&status["state"], &status["history_entries"]),
        (&"ok".into(), &2.into())
    );
}

#[test]
fn a_root_override_is_recorded_so_the_user_is_not_forced_again() {
    // Regression (forced-change loop): root set a reused password; it was
    // applied but "not recorded", so the must-change flag stayed.
    if !root_or_skip("a_root_override_is_recorded_so_the_user_is_not_forced_again") {
        return;
    }
    let pam = Pam::new();
    pam.standard("pw", "", "pam_permit.so");
    let v = pam.run(
        "pw",
        "erin",
        "chauthtok",
        &["Old-Kettle-41", "Old-Kettle-41"],
    );
    assert_eq!(result(&v), SUCCESS, "{v}");
    pam.cli(&["expire", "--create", "--user", "erin"]);
    let v = pam.run(
        "pw",
        "erin",
        "chauthtok",
        &["Old-Kettle-41", "Old-Kettle-41"],
    );
    assert_eq!(result(&v), SUCCESS, "{v}");
    assert!(
        said(&v, "error")
            .iter()
            .any(|e| e.contains("is your current password")),
        "root is told: {v}"
    );
    let status = pam.status("erin");
    assert_eq!(status["state"], "ok", "{status}");
    assert_eq!(status["must_change"], false, "{status}");
    assert_eq!(result(&pam.run("pw", "erin", "acct", &[])), SUCCESS);
}

#[test]
fn system_accounts_are_never_expired_unless_the_policy_includes_them() {
    // Regression (lockout on day one): root and daemons expired by the store.
    let pam = Pam::new();
    let with_permit = |name: &str, args: &str| {
        pam.service(
            name,
            &[
                format!("account required {}", pam.module(args)),
                "account required pam_permit.so".to_owned(),
            ],
        );
    };
    with_permit("acct", "");
    pam.cli(&[
        "set-changed",
        "--create",
        "--user",
        "root",
        "--date",
        &days_ago(400),
    ]);
    pam.cli(&[
        "set-changed",
        "--create",
        "--user",
        "daemon",
        "--date",
        &days_ago(400),
    ]);
    for user in ["root", "daemon"] {
        let v = pam.run("acct", user, "acct", &[]);
        assert_eq!(result(&v), SUCCESS, "{v}");
        assert!(v["messages"].as_array().unwrap().is_empty(), "{v}");
    }
    let status = pam.status("root");
    assert_eq!(
        (&status["class"], &status["state"]),
        (&"system".into(), &"ok".into())
    );
    assert_eq!(status["expires"], Value::Null);
    // The policy can bring them in.
    let config = pam.dir.write(
        "include.toml",
        "[history]\nmemory_kib = 64\niterations = 1\n[accounts]\ninclude_system = true\n",
    );
    let out = pwpolicy_run(
        &[
            "status",
            "--user",
            "root",
            "--json",
            "--db",
            pam.db.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.code, 0, "{out:?}");
    let status = out.json();
    // A person now; but root's password is locked here (`*`, key logins
    // only), and a locked password has nothing to expire (issue 22, 8).
    let locked = status["shadow"]["locked"] == true;
    assert_eq!(
        (&status["class"], &status["state"]),
        (
            &"person".into(),
            &(if locked { "ok" } else { "expired" }).into()
        ),
        "{status}"
    );
    if locked {
        assert!(
            status["note"].as_str().unwrap().contains("locked"),
            "{status}"
        );
    }
}

#[test]
fn an_outage_refuses_people_but_not_root() {
    // with on_error=fail the account phase refuses a person whose expiry it
    // cannot read; root (a system account) never needs the store there.
    let pam = Pam::new();
    let nowhere = pam.dir.path().join("nowhere").join("state.db");
    std::fs::create_dir(pam.dir.path().join("nowhere")).unwrap();
    std::fs::set_permissions(
        pam.dir.path().join("nowhere"),
        std::fs::Permissions::from_mode(0o777),
    )
    .unwrap();
    let module = |args: &str| {
        format!(
            "account required {} config={} db={} {args}",
            pam_module().display(),
            pam.config.display(),
            nowhere.display()
        )
    };
    pam.service(
        "fail",
        &[module(""), "account required pam_permit.so".to_owned()],
    );
    assert_eq!(
        result(&pam.run("fail", "erin", "acct", &[])),
        AUTHINFO_UNAVAIL
    );
    assert_eq!(result(&pam.run("fail", "root", "acct", &[])), SUCCESS);
    pam.service(
        "split",
        &[
            module("account_on_error=ignore"),
            "account required pam_permit.so".to_owned(),
        ],
    );
    assert_eq!(result(&pam.run("split", "erin", "acct", &[])), SUCCESS);
}

#[test]
fn db_postgres_in_the_module_points_at_pwpolicyd() {
    // The module carries no PostgreSQL client: a fleet's store is reached
    // through pwpolicyd, and `db=postgres://` says so instead of failing vaguely.
    if !root_or_skip("db_postgres_in_the_module_points_at_pwpolicyd") {
        return;
    }
    let pam = Pam::new();
    pam.service(
        "pg",
        &[format!(
            "password requisite {} config={} db=postgres://pwpolicy@db.example/pwpolicy enforce_for_root",
            pam_module().display(),
            pam.config.display()
        )],
    );
    let v = pam.run(
        "pg",
        "erin",
        "chauthtok",
        &["Blue-Kettle-42", "Blue-Kettle-42"],
    );
    assert_eq!(result(&v), AUTHINFO_UNAVAIL, "{v}");
    let errors = said(&v, "error");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("through pwpolicyd") && e.contains("socket=")),
        "{v}"
    );
}

#[test]
fn the_module_carries_no_database_client_or_async_runtime() {
    // Built as part of the whole workspace (cargo unifies features there),
    // pam_pwpolicy.so must still hold neither tokio nor the PostgreSQL client.
    let module = std::fs::read(pam_module()).unwrap();
    for crate_name in [
        "tokio_postgres",
        "tokio::runtime",
        "postgres_protocol",
        "pwpolicy_service",
    ] {
        assert!(
            !module
                .windows(crate_name.len())
                .any(|w| w == crate_name.as_bytes()),
            "pam_pwpolicy.so contains {crate_name}"
        );
    }
    let tree = std::process::Command::new(option_env!("CARGO").unwrap_or("cargo"))
        .args([
            "tree",
            "-p",
            "pam-pwpolicy",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(tree.status.success(), "{tree:?}");
    let tree = String::from_utf8_lossy(&tree.stdout);
    for banned in [
        "tokio ",
        "postgres ",
        "pwpolicy-service ",
        "pwpolicy-store-postgres ",
    ] {
        assert!(
            !tree.contains(banned),
            "pam-pwpolicy depends on {banned}:\n{tree}"
        );
    }
}

#[test]
fn a_breached_password_is_refused_and_a_broken_list_fails_closed_or_is_skipped() {
    let pam = Pam::new();
    let list = pwpolicy_tests::breach_filter(
        &pam.dir,
        "breached.pwbf",
        &["Winter2025!", "P@ssw0rd123"],
        "sha1",
    );
    let policy = format!(
        "[history]\nmemory_kib = 64\niterations = 1\n[breached]\nfile = \"{}\"\n",
        list.display()
    );
    std::fs::write(&pam.config, &policy).unwrap();
    pam.standard("pw", "enforce_for_root retry=1", "pam_permit.so");
    let v = pam.run("pw", "erin", "chauthtok", &["Winter2025!", "Winter2025!"]);
    assert_eq!(result(&v), MAXTRIES, "{v}");
    assert_eq!(
        said(&v, "error"),
        ["BAD PASSWORD: appears in a list of breached passwords: choose another"]
    );
    assert_eq!(pam.status("erin")["state"], "unknown", "nothing recorded");
    let v = pam.run(
        "pw",
        "erin",
        "chauthtok",
        &["Blue-Kettle-42", "Blue-Kettle-42"],
    );
    assert_eq!(result(&v), SUCCESS, "{v}");

    // A damaged list: every data page has a flipped byte, so any lookup
    // reads damage. on_error=fail (the default) refuses the change.
    let mut bytes = std::fs::read(&list).unwrap();
    for page in (4096..bytes.len() - 4096).step_by(4096) {
        bytes[page + 200] ^= 0x40;
    }
    std::fs::write(&list, &bytes).unwrap();
    let v = pam.run(
        "pw",
        "erin",
        "chauthtok",
        &["Other-Kettle-43", "Other-Kettle-43"],
    );
    assert_eq!(result(&v), AUTHINFO_UNAVAIL, "{v}");
    // With on_error=ignore the text rules still apply and the list is skipped.
    pam.standard(
        "open",
        "enforce_for_root retry=1 on_error=ignore",
        "pam_permit.so",
    );
    let v = pam.run(
        "open",
        "erin",
        "chauthtok",
        &["Other-Kettle-44", "Other-Kettle-44"],
    );
    assert_eq!(result(&v), SUCCESS, "{v}");
    let v = pam.run("open", "erin", "chauthtok", &["erin", "erin"]);
    assert_eq!(result(&v), MAXTRIES, "text rules still apply: {v}");

    // Missing entirely: the same.
    std::fs::remove_file(&list).unwrap();
    let v = pam.run(
        "pw",
        "erin",
        "chauthtok",
        &["Other-Kettle-45", "Other-Kettle-45"],
    );
    assert_eq!(result(&v), AUTHINFO_UNAVAIL, "{v}");
}

/// Defect 6 of issue 22: `pwpolicy policy check FILE` said `valid` for
/// files PAM then refused to load (mode 0666, another user's file, a
/// missing breached list), and every `su` and `passwd` answered "System
/// configuration error". Each setup here is judged by both: `policy check`
/// (as root, as PAM runs) says valid exactly when PAM, given the file,
/// accepts a good password.
#[test]
fn defect_6_policy_check_says_valid_exactly_when_pam_loads_the_file() {
    require!(is_root(), "needs root: the trust rules are root's");
    use std::os::unix::fs::{PermissionsExt, chown};
    let pam = Pam::new();
    let dir = &pam.dir;
    let mode =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    let base = "[history]\nmemory_kib = 64\niterations = 1\n";
    let list = pwpolicy_tests::breach_filter(dir, "breached.pwbf", &["Summer2024!"], "sha1");
    let secrets = dir.path().join("secrets");
    std::fs::create_dir(&secrets).unwrap();
    mode(&secrets, 0o700);
    let pepper = secrets.join("pepper");
    std::fs::write(&pepper, "c2l4dGVlbi1ieXRlcy1vZi1zZWNyZXQ=\n").unwrap();
    mode(&pepper, 0o600);
    let banned = dir.write("banned.txt", "Kingsbridge\n");
    mode(&banned, 0o644);
    let open_banned = dir.write("open-banned.txt", "Kingsbridge\n");
    mode(&open_banned, 0o666);
    let open_pepper = secrets.join("open-pepper");
    std::fs::write(&open_pepper, "c2l4dGVlbi1ieXRlcy1vZi1zZWNyZXQ=\n").unwrap();
    mode(&open_pepper, 0o644);
    /// What the setup is, its policy text, and what is done to its file.
    type Setup<'a> = (&'a str, String, Box<dyn Fn(&Path)>);
    let setups: Vec<Setup<'_>> = vec![
        ("a valid file", base.to_owned(), Box::new(|_| {})),
        (
            "mode 0666",
            base.to_owned(),
            Box::new(move |p| mode(p, 0o666)),
        ),
        (
            "owned by an ordinary user",
            base.to_owned(),
            Box::new(|p| chown(p, Some(4242), None).unwrap()),
        ),
        (
            "a breached list that does not exist",
            format!(
                "{base}[breached]\nfile = \"{}\"\n",
                dir.path().join("nope.pwbf").display()
            ),
            Box::new(|_| {}),
        ),
        (
            "a breached list that does",
            format!("{base}[breached]\nfile = \"{}\"\n", list.display()),
            Box::new(|_| {}),
        ),
        (
            "a banned list others may write",
            format!("{base}[banned]\nfile = \"{}\"\n", open_banned.display()),
            Box::new(|_| {}),
        ),
        (
            "a good banned list",
            format!("{base}[banned]\nfile = \"{}\"\n", banned.display()),
            Box::new(|_| {}),
        ),
        (
            "a pepper others may read",
            base.replace(
                "[history]\n",
                &format!("[history]\npepper_file = \"{}\"\n", open_pepper.display()),
            ),
            Box::new(|_| {}),
        ),
        (
            "a private pepper",
            base.replace(
                "[history]\n",
                &format!("[history]\npepper_file = \"{}\"\n", pepper.display()),
            ),
            Box::new(|_| {}),
        ),
    ];
    let mut disagreements = Vec::new();
    for (i, (what, text, spoil)) in setups.iter().enumerate() {
        let file = dir.write(&format!("setup-{i}.toml"), text);
        mode(&file, 0o644);
        spoil(&file);
        let check = pwpolicy_run(&["policy", "check", file.to_str().unwrap()], b"");
        assert_ne!(check.code, 2, "{what}: {check:?}");
        let valid = check.code == 0;
        let module = format!(
            "{} config={} db={} enforce_for_root",
            pam_module().display(),
            file.display(),
            dir.path().join(format!("state/setup-{i}.db")).display()
        );
        pam.service(
            &format!("setup-{i}"),
            &[
                format!("password requisite {module}"),
                "password requisite pam_permit.so".into(),
            ],
        );
        let v = pam.run(
            &format!("setup-{i}"),
            "erin",
            "chauthtok",
            &["Blue-Kettle-42", "Blue-Kettle-42"],
        );
        let loads = result(&v) == SUCCESS;
        if valid != loads {
            disagreements.push(format!("{what}: policy check {check:?}; PAM {v}"));
        }
        if !valid {
            assert!(
                check.stdout.contains("refusing")
                    || check.stdout.contains("does not exist")
                    || check.stdout.contains("cannot read"),
                "{what}: the reason is said: {}",
                check.stdout
            );
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn the_rules_are_told_once_before_the_first_prompt_unless_turned_off() {
    let pam = Pam::new();
    pam.standard("pw", "enforce_for_root", "pam_permit.so");
    let v = pam.run(
        "pw",
        "erin",
        "chauthtok",
        &["weak", "Blue-Kettle-42", "Blue-Kettle-42"],
    );
    assert_eq!(result(&v), SUCCESS, "{v}");
    let info = said(&v, "info");
    assert_eq!(info.len(), 1, "once, however many tries: {v}");
    assert!(
        info[0].starts_with("A new password must be:\n  - at least 8 characters long\n"),
        "{v}"
    );
    // The intro comes before the first prompt.
    let first = &v["messages"][0];
    assert_eq!(first["style"], "info", "{v}");

    pam.standard("quiet", "enforce_for_root show_rules=no", "pam_permit.so");
    let v = pam.run(
        "quiet",
        "erin",
        "chauthtok",
        &["Blue-Kettle-43", "Blue-Kettle-43"],
    );
    assert_eq!((result(&v), said(&v, "info").len()), (SUCCESS, 0), "{v}");
}

/// docs/pam.md section 8's table, cell by cell (default `on_error=fail`):
/// each kind of outage against root's reset, a forced change, a person's
/// login and root's login. (A person's own `passwd` is a forced change's
/// twin here and is driven with the real `passwd` in real_callers.rs.)
#[test]
fn the_outage_table_in_docs_pam_md_holds_cell_by_cell() {
    require!(is_root(), "root's reset is the row under test");
    const IGNORE_THEN_PERMIT: i64 = SUCCESS; // PAM_IGNORE, then pam_permit
    let pam = Pam::new();
    let good = ["Blue-Kettle-42", "Blue-Kettle-42"];
    // (outage, set-up) → the policy and store the module gets.
    let list = pwpolicy_tests::breach_filter(&pam.dir, "breached.pwbf", &["Winter2025!"], "sha1");
    let fast = "[history]\nmemory_kib = 64\niterations = 1\n";
    let outages: Vec<(&str, String, PathBuf)> = vec![
        (
            "service down",
            format!(
                "{fast}[service]\nsocket = \"{}\"\n",
                pam.dir.path().join("nobody-listens.sock").display()
            ),
            PathBuf::new(),
        ),
        ("store damaged", fast.to_owned(), {
            let db = pam.dir.path().join("damaged.db");
            std::fs::write(&db, vec![0x5a; 8192]).unwrap();
            db
        }),
        (
            "breached list missing",
            format!("{fast}[breached]\nfile = \"{}\"\n", list.display()),
            pam.db.clone(),
        ),
        (
            "policy file broken",
            format!("{fast}[quality]\nminlen = 8\n"),
            pam.db.clone(),
        ),
    ];
    for (outage, policy, db) in outages {
        let config = pam.dir.write("outage.toml", &policy);
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
        if outage == "breached list missing" {
            // Built and trusted when the file was checked, then gone.
            std::fs::remove_file(&list).ok();
        }
        let db_arg = if db.as_os_str().is_empty() {
            String::new()
        } else {
            format!("db={}", db.display())
        };
        let module = format!(
            "{} config={} {db_arg}",
            pam_module().display(),
            config.display()
        );
        pam.service(
            "outage",
            &[
                format!("password requisite {module}"),
                "password requisite pam_permit.so".to_owned(),
                format!("password optional {module} commit"),
                format!("account required {module}"),
                "account required pam_permit.so".to_owned(),
            ],
        );
        let broken = outage == "policy file broken";
        let login_refused = outage == "service down" || outage == "store damaged";
        // Root's reset: through, warned (refused only for a broken file).
        let v = pam.run("outage", "erin", "chauthtok", &good);
        if broken {
            assert_eq!(result(&v), SERVICE_ERR, "{outage}: {v}");
            assert!(said(&v, "error")[0].contains("line 5"), "{outage}: {v}");
        } else {
            assert_eq!(result(&v), SUCCESS, "{outage}: root's reset: {v}");
            let errors = said(&v, "error").join("\n");
            assert!(
                errors.contains("will not be recorded"),
                "{outage}: root is warned: {v}"
            );
        }
        // A forced change: refused, with the generic words.
        let v = pam.run("outage", "erin", "chauthtok-expired", &good);
        let (code, words) = if broken {
            (
                SERVICE_ERR,
                "System configuration error. Please contact your administrator.",
            )
        } else {
            (
                AUTHINFO_UNAVAIL,
                "The password history is unavailable. Please contact your administrator.",
            )
        };
        assert_eq!(
            (result(&v), said(&v, "error")),
            (code, vec![words.to_owned()]),
            "{outage}: forced change"
        );
        // A person's login, and root's.
        let v = pam.run("outage", "erin", "acct", &[]);
        let expected = if broken {
            SERVICE_ERR
        } else if login_refused {
            AUTHINFO_UNAVAIL
        } else {
            SUCCESS
        };
        assert_eq!(result(&v), expected, "{outage}: erin's login: {v}");
        let v = pam.run("outage", "root", "acct", &[]);
        assert_eq!(
            result(&v),
            IGNORE_THEN_PERMIT,
            "{outage}: root's login: {v}"
        );
    }
}

/// docs/pam.md's "What replacing pam_pwquality costs", as it says: four
/// passwords pam_pwquality (libpwquality with cracklib's dictionary, the
/// settings the docs name) refuses for alice, which the organisation's
/// default policy accepts, and which the one-line settings the docs give
/// refuse again, each through pam_pwpolicy in the same stack position.
#[test]
fn what_replacing_pam_pwquality_costs_and_the_settings_that_cover_it() {
    let pwquality = Path::new("/lib/x86_64-linux-gnu/security/pam_pwquality.so");
    require!(
        pwquality.exists() && Path::new("/var/cache/cracklib/cracklib_dict.pwd").exists(),
        "needs libpam-pwquality and cracklib-runtime"
    );
    let pam = Pam::new();
    pam.service(
        "pwquality",
        &[format!(
            "password requisite {} retry=1 enforce_for_root minlen=8 minclass=3 \
             maxrepeat=3 maxsequence=4 usercheck=1 dictcheck=1",
            pwquality.display()
        )],
    );
    pam.standard("pwpolicy", "enforce_for_root retry=1", "pam_permit.so");
    let losses = [
        ("Password1", "too_guessable"),
        ("12345678Aa", "contains_sequence"),
        ("aaaaaaaaaaaaaaa1A", "too_many_repeats"),
        ("ecilA-999", "too_guessable"),
    ];
    for (password, _) in losses {
        let v = pam.run("pwquality", "alice", "chauthtok", &[password, password]);
        // pam_pwquality ends a refused last try with PAM_AUTHTOK_ERR.
        assert_eq!(
            result(&v),
            AUTHTOK_ERR,
            "pam_pwquality accepts {password}: {v}"
        );
        assert!(
            said(&v, "error")[0].starts_with("BAD PASSWORD: "),
            "{password}: {v}"
        );
        let v = pam.run("pwpolicy", "alice", "chauthtok", &[password, password]);
        assert_eq!(
            result(&v),
            SUCCESS,
            "the default policy is the organisation's and accepts {password}: {v}"
        );
    }
    // The docs' settings: max_repeat and max_sequence without zxcvbn, and
    // guessability for the dictionary and the reversed name.
    std::fs::write(
        &pam.config,
        "[history]\nmemory_kib = 64\niterations = 1\n\
         [quality]\nmax_repeat = 3\nmax_sequence = 4\n[guessability]\nmin_score = 3\n",
    )
    .unwrap();
    for (password, code) in losses {
        let out = pwpolicy_run(
            &[
                "check",
                "--user",
                "alice",
                "--full-name",
                "Alice Liddell",
                "--json",
                "--config",
                pam.config.to_str().unwrap(),
                "--db",
                pam.db.to_str().unwrap(),
            ],
            format!("{password}\n").as_bytes(),
        );
        let codes: Vec<String> = out.json()["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["code"].as_str().unwrap().to_owned())
            .collect();
        assert!(codes.contains(&code.to_owned()), "{password}: {codes:?}");
        let v = pam.run("pwpolicy", "alice", "chauthtok", &[password, password]);
        assert_eq!(result(&v), MAXTRIES, "{password}: {v}");
    }
}
