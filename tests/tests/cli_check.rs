//! `pwpolicy check` and `pwpolicy policy` driven as a black box, through the
//! built binary: exit codes, JSON shape, bad input, and the shared vectors.

use std::collections::BTreeSet;

use pwpolicy_tests::{TestDir, pwpolicy_run, vectors};

#[test]
fn shared_vectors_through_the_cli() {
    let dir = TestDir::new();
    let mut failures = Vec::new();
    for (i, case) in vectors::load().case.iter().enumerate() {
        let policy = dir.write(&format!("policy-{i}.toml"), &case.policy);
        let policy = policy.to_str().unwrap();
        let mut args = vec!["check", "--json", "--config", policy];
        if !case.user.is_empty() {
            args.extend(["--user", &case.user]);
        }
        if !case.full_name.is_empty() {
            args.extend(["--full-name", &case.full_name]);
        }
        let out = pwpolicy_run(&args, format!("{}\n", case.password).as_bytes());
        let json = out.json();
        let got: BTreeSet<String> = json["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["code"].as_str().unwrap().to_owned())
            .collect();
        let want: BTreeSet<String> = case.expect.iter().cloned().collect();
        let want_code = if want.is_empty() { 0 } else { 1 };
        if got != want || out.code != want_code || json["accepted"] != want.is_empty() {
            failures.push(format!(
                "{}: want {want:?} (exit {want_code}), got {got:?} (exit {})",
                case.name, out.code
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn exit_codes_and_human_output() {
    let ok = pwpolicy_run(&["check"], b"Blue-Kettle-42\n");
    assert_eq!((ok.code, ok.stdout.trim()), (0, "Password accepted."));

    let bad = pwpolicy_run(
        &["check", "--user", "erin", "--full-name", "Erin Hagens"],
        b"erin\n",
    );
    assert_eq!(bad.code, 1);
    assert!(
        bad.stdout.starts_with("Password rejected:"),
        "{}",
        bad.stdout
    );
    for code in [
        "too_short",
        "too_few_classes",
        "contains_account_name",
        "contains_name_part",
    ] {
        assert!(
            bad.stdout.contains(&format!("[{code}]")),
            "{code} missing: {}",
            bad.stdout
        );
    }
    assert!(
        bad.stdout.contains("use at least 8 characters"),
        "{}",
        bad.stdout
    );
}

#[test]
fn json_shape_is_the_documented_contract() {
    let out = pwpolicy_run(&["check", "--json"], b"abc\n");
    assert_eq!(out.code, 1);
    let json = out.json();
    assert_eq!(json["accepted"], false);
    assert_eq!(json["history_checked"], false);
    let short = &json["violations"][0];
    assert_eq!(
        (
            short["code"].as_str(),
            short["min"].as_u64(),
            short["actual"].as_u64()
        ),
        (Some("too_short"), Some(8), Some(3))
    );
    assert!(short["message"].as_str().unwrap().contains("at least 8"));
    let classes = &json["violations"][1];
    assert_eq!(classes["code"], "too_few_classes");
    assert_eq!(classes["required"], 3);
    assert_eq!(
        classes["missing"],
        serde_json::json!(["uppercase", "digit", "non_alphanumeric"])
    );
}

#[test]
fn passwords_are_never_taken_from_arguments() {
    let out = pwpolicy_run(&["check", "Blue-Kettle-42"], b"");
    assert_eq!(out.code, 2, "{out:?}");
    let out = pwpolicy_run(&["check", "--password", "Blue-Kettle-42"], b"");
    assert_eq!(out.code, 2, "{out:?}");
}

#[test]
fn only_the_first_line_is_the_password() {
    let out = pwpolicy_run(&["check", "--json"], b"Blue-Kettle-42\r\nsecond line\n");
    assert_eq!(out.code, 0, "{out:?}");
    let out = pwpolicy_run(&["check", "--json"], b"Blue-Kettle-42");
    assert_eq!(
        out.code, 0,
        "a last line without newline is a line: {out:?}"
    );
}

#[test]
fn bad_input_exits_2_with_a_clear_error() {
    for (input, needle) in [
        (&b"Blue\xff-Kettle-42\n"[..], "not valid UTF-8"),
        (&b"\xed\xa0\x80abcdefgh\n"[..], "not valid UTF-8"),
        (&b"Blue\0Kettle-42\n"[..], "NUL"),
        (&b""[..], "no password"),
    ] {
        let out = pwpolicy_run(&["check", "--json"], input);
        assert_eq!(out.code, 2, "{input:?}: {out:?}");
        assert!(out.stderr.contains(needle), "{input:?}: {}", out.stderr);
        assert!(out.json()["error"].as_str().unwrap().contains(needle));
    }
}

#[test]
fn a_megabyte_password_is_too_long_not_a_crash() {
    let mut input = "Aa1!".repeat(1 << 18).into_bytes();
    input.push(b'\n');
    let out = pwpolicy_run(&["check", "--json"], &input);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(json["violations"][0]["code"], "too_long");
    assert_eq!(json["violations"][0]["max"], 256);
}

#[test]
fn endless_input_is_cut_off_not_read_forever() {
    // 64 MiB without a newline: the CLI must stop at its line limit.
    let input = vec![b'a'; 64 << 20];
    let out = pwpolicy_run(&["check", "--json"], &input);
    assert_eq!(out.code, 1);
    assert_eq!(out.json()["violations"][0]["code"], "too_long");
    let zeros = vec![0u8; 64 << 20];
    assert_eq!(pwpolicy_run(&["check"], &zeros).code, 2);
}

#[test]
fn the_password_never_appears_in_any_output() {
    let secret = "Zq9Zq9Zq9";
    let dir = TestDir::new();
    let strict = dir.write(
        "strict.toml",
        "[quality]\nmin_length = 64\nmin_classes = 4\n",
    );
    for args in [
        vec!["check"],
        vec!["check", "--json"],
        vec![
            "check",
            "--json",
            "--user",
            "zq9zq9",
            "--full-name",
            "Zq9 Zq9",
        ],
        vec!["check", "--config", strict.to_str().unwrap()],
    ] {
        for input in [
            format!("{secret}\n"),
            format!("{secret}\u{0}\n"),
            format!("{secret}\u{ff}x\n"),
        ] {
            let out = pwpolicy_run(&args, input.as_bytes());
            assert!(
                !out.stdout.contains(secret) && !out.stderr.contains(secret),
                "{args:?}: {out:?}"
            );
        }
    }
    let batch =
        format!("{{\"password\": \"{secret}\", \"oops\": 1}}\n{{\"password\": \"{secret}\"\n");
    let out = pwpolicy_run(&["check", "--batch"], batch.as_bytes());
    assert!(
        !out.stdout.contains(secret) && !out.stderr.contains(secret),
        "{out:?}"
    );
}

#[test]
fn batch_mode_writes_one_verdict_per_line() {
    let input = "{\"user\":\"ehagens\",\"full_name\":\"Erin M. Hagens\",\"password\":\"Hagens2024!\"}\n\
                 {\"user\":\"jsmith\",\"password\":\"Blue-Kettle-42\"}\n";
    let out = pwpolicy_run(&["check", "--batch"], input.as_bytes());
    assert_eq!(out.code, 1);
    let lines: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["violations"][0]["code"], "contains_name_part");
    assert_eq!(lines[1]["accepted"], true);
    let all_good = pwpolicy_run(
        &["check", "--batch"],
        b"{\"password\":\"Blue-Kettle-42\"}\n",
    );
    assert_eq!(all_good.code, 0);
}

#[test]
fn broken_policy_files_point_at_the_line() {
    let dir = TestDir::new();
    let unknown = dir.write("unknown.toml", "[quality]\nmin_length = 8\nminlen = 9\n");
    let out = pwpolicy_run(
        &["check", "--config", unknown.to_str().unwrap()],
        b"Blue-Kettle-42\n",
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("line 3") && out.stderr.contains("minlen"),
        "{}",
        out.stderr
    );

    let impossible = dir.write("impossible.toml", "[quality]\nmin_length = 300\n");
    let out = pwpolicy_run(&["policy", "check", impossible.to_str().unwrap()], b"");
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("line 2") && out.stdout.contains("min_length"),
        "{}",
        out.stdout
    );

    let good = dir.write("good.toml", "[expiry]\nmax_age_days = 60\n");
    assert_eq!(
        pwpolicy_run(&["policy", "check", good.to_str().unwrap()], b"").code,
        0
    );

    let missing = dir.path().join("missing.toml");
    let out = pwpolicy_run(
        &["check", "--config", missing.to_str().unwrap()],
        b"Blue-Kettle-42\n",
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("missing.toml"), "{}", out.stderr);
    assert_eq!(
        pwpolicy_run(&["policy", "check", missing.to_str().unwrap()], b"").code,
        2
    );

    let binary = dir.write("binary.toml", "");
    std::fs::write(&binary, b"[quality]\nmin_length = 8\xff\n").unwrap();
    let out = pwpolicy_run(
        &["check", "--config", binary.to_str().unwrap()],
        b"Blue-Kettle-42\n",
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("UTF-8"), "{}", out.stderr);
}

#[test]
fn policy_show_prints_every_key_and_round_trips() {
    let out = pwpolicy_run(&["policy", "show"], b"");
    assert_eq!(out.code, 0);
    let shown = pwpolicy::Policy::from_toml(&out.stdout).unwrap();
    assert_eq!(shown, pwpolicy::Policy::default());
    for key in [
        "min_length",
        "max_length",
        "min_classes",
        "other_letters_class",
        "name_check",
        "max_age_days",
        "warn_days",
        "min_age_days",
        "remember",
        "memory_kib",
    ] {
        assert!(out.stdout.contains(key), "{key} missing");
    }

    let dir = TestDir::new();
    let custom = dir.write("custom.toml", "[quality]\nmin_length = 12\n");
    let out = pwpolicy_run(
        &["policy", "show", "--config", custom.to_str().unwrap()],
        b"",
    );
    let shown = pwpolicy::Policy::from_toml(&out.stdout).unwrap();
    assert_eq!(shown.quality.min_length, 12);
    assert_eq!(shown.quality.min_classes, 3);
}

#[test]
fn policy_show_redacts_database_credentials() {
    let dir = TestDir::new();
    let config = dir.write(
        "policy.toml",
        "[store]\ndb = \"postgres://pwpolicy:hunter2@db.example/pwpolicy?password=hunter3\"\n",
    );
    let out = pwpolicy_run(
        &["policy", "show", "--config", config.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains("hunter"), "{}", out.stdout);
    assert!(
        out.stdout.contains("postgres://pwpolicy:***@db.example"),
        "{}",
        out.stdout
    );
}

#[test]
fn an_explicit_store_that_cannot_be_opened_is_an_error() {
    let dir = TestDir::new();
    let db = dir.path().join("nope").join("state.db");
    let out = pwpolicy_run(
        &["check", "--user", "erin", "--db", db.to_str().unwrap()],
        b"Blue-Kettle-42\n",
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("state.db"), "{}", out.stderr);
    // Asked for JSON, the error comes as JSON too.
    let json_args = [
        "check",
        "--json",
        "--user",
        "erin",
        "--db",
        db.to_str().unwrap(),
    ];
    let out = pwpolicy_run(&json_args, b"Blue-Kettle-42\n");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.json()["error"].as_str().unwrap().contains("state.db"),
        "{out:?}"
    );
}

#[test]
fn a_terminal_gets_a_prompt_with_echo_off() {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    // `script` gives the CLI a real pseudo-terminal; the password is typed
    // only after the prompt shows, as a person would.
    let cmd = format!("{} check", pwpolicy_tests::pwpolicy().display());
    let Ok(mut child) = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    else {
        pwpolicy_tests::require!(false, "no `script` (util-linux)");
        return;
    };
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("Password: ") {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "no prompt: {:?}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    // Give the CLI a moment to switch echo off after printing the prompt.
    std::thread::sleep(std::time::Duration::from_millis(200));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Zq9-Secret-Kettle\n")
        .unwrap();
    stdout.read_to_end(&mut seen).unwrap();
    let shown = String::from_utf8_lossy(&seen);
    assert!(child.wait().unwrap().success(), "{shown}");
    assert!(shown.contains("Password accepted."), "{shown}");
    assert!(
        !shown.contains("Zq9-Secret"),
        "the password was echoed: {shown}"
    );
}

#[test]
fn policy_show_prints_every_key_and_a_header_that_does_not_lie() {
    let dir = TestDir::new();
    let show = |config: &std::path::Path| {
        let out = pwpolicy_tests::run(
            &pwpolicy_tests::pwpolicy(),
            &["policy", "show", "--config", config.to_str().unwrap()],
            b"",
        );
        assert_eq!(out.code, 0, "{out:?}");
        out.stdout
    };
    // Redirected into the file it reads: the shell has emptied the file, so
    // the header must not claim its settings.
    let target = dir.write("pwpolicy.toml", "");
    let shown = show(&target);
    assert!(
        shown.starts_with("# effective policy: the built-in default (")
            && shown.lines().next().unwrap().ends_with("sets nothing)"),
        "{shown}"
    );
    for key in ["db", "account_on_error", "socket", "admin_group", "uid_min"] {
        assert!(
            shown.lines().any(|l| l.starts_with(&format!("# {key} = "))),
            "unset key {key} missing:\n{shown}"
        );
    }
    // What it prints is a valid policy file that reads back as the same policy.
    std::fs::write(&target, &shown).unwrap();
    let again = show(&target);
    assert!(
        again.starts_with("# effective policy, read from"),
        "{again}"
    );
    assert_eq!(
        shown.lines().skip(1).collect::<Vec<_>>(),
        again.lines().skip(1).collect::<Vec<_>>()
    );
    // A set key is printed as set, not as a comment.
    std::fs::write(&target, "[service]\nadmin_group = \"ops\"\n").unwrap();
    let set = show(&target);
    assert!(set.contains("admin_group = \"ops\""), "{set}");
    assert!(!set.contains("# admin_group"), "{set}");
}

/// `pwpolicy check --samba` with Samba's environment and `password` on stdin.
fn samba_check(env: &[(&str, &str)], password: &[u8]) -> (i32, String, String) {
    use std::io::Write as _;
    let mut cmd = std::process::Command::new(pwpolicy_tests::pwpolicy());
    cmd.args(["check", "--samba", "--config", "/dev/null"])
        .env_remove("SAMBA_CPS_ACCOUNT_NAME")
        .env_remove("SAMBA_CPS_FULL_NAME")
        .env_remove("SAMBA_CPS_USER_PRINCIPAL_NAME")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn pwpolicy");
    // A refusal that needs no password (no account name) may exit before
    // reading it: a closed pipe is that answer arriving first, not an error.
    match child.stdin.take().expect("stdin pipe").write_all(password) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            panic!("write the password: {e}")
        }
        _ => {}
    }
    let out = child.wait_with_output().expect("wait for pwpolicy");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_samba_reads_samba_s_variables_and_all_of_stdin_and_refuses_on_any_error() {
    let erin = [
        ("SAMBA_CPS_ACCOUNT_NAME", "ehagens"),
        ("SAMBA_CPS_FULL_NAME", "Erin M. Hagens"),
    ];
    assert_eq!(samba_check(&erin, b"Blue-Kettle-42").0, 0);
    let (code, out, _) = samba_check(&erin, b"Hagens-2024!");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("contains_name_part"), "{out}");
    // The principal name's local part is an account name too.
    let upn = [
        ("SAMBA_CPS_ACCOUNT_NAME", "eh"),
        ("SAMBA_CPS_USER_PRINCIPAL_NAME", "erinhag@pwtest.lan"),
    ];
    let (code, out, _) = samba_check(&upn, b"Xerinhag-2024");
    assert_eq!(code, 1);
    assert!(out.contains("contains_account_name"), "{out}");
    // All of stdin is the password: a newline is part of it, not an end.
    assert_eq!(samba_check(&erin, b"Blue-Kettle-42\nmore").0, 0);
    // Errors refuse, and say why without the password.
    let (code, _, err) = samba_check(&[], b"Blue-Kettle-42");
    assert_eq!(code, 2);
    assert!(err.contains("SAMBA_CPS_ACCOUNT_NAME is not set"), "{err}");
    let (code, _, err) = samba_check(&erin, b"Blue-\xffKettle");
    assert_eq!(code, 2);
    assert!(
        err.contains("not UTF-8") && !err.contains("Kettle"),
        "{err}"
    );
    let (code, _, err) = samba_check(&erin, b"Blue\0Kettle-42");
    assert_eq!(code, 2);
    assert!(err.contains("NUL"), "{err}");
    let (code, out, _) = samba_check(&erin, &vec![b'a'; 10_000]);
    assert_eq!(code, 1);
    assert!(out.contains("too_long"), "{out}");
}

/// An account name built to forge a line in a log and clear the terminal
/// that shows it (issue 27).
const FORGED: &str = "erin\nFAKE: Password accepted.\x1b[2J";
/// How it must be shown: on its own line, every control character visible.
const FORGED_SHOWN: &str = "erin\\nFAKE: Password accepted.\\u{1b}[2J";

#[test]
fn check_samba_shows_an_account_name_that_would_forge_a_log_line_escaped() {
    // Regression: Samba's log got the name raw, newline and escape and all.
    let forged = [("SAMBA_CPS_ACCOUNT_NAME", FORGED)];
    for (password, code, verdict) in [
        (&b"Blue-Kettle-42"[..], 0, "Password accepted."),
        (&b"short"[..], 1, "Password rejected:"),
    ] {
        let (got, out, err) = samba_check(&forged, password);
        assert_eq!(got, code, "{out}{err}");
        let first = out.lines().next().unwrap_or_default();
        assert_eq!(first, format!("{FORGED_SHOWN}: {verdict}"), "{out:?}");
        assert!(
            !out.contains('\x1b') && !out.contains("\nFAKE"),
            "a raw control character: {out:?}"
        );
    }
}

#[test]
fn errors_say_once_in_plain_words_what_is_wrong_and_where() {
    let dir = TestDir::new();
    let missing = dir.path().join("nonexistent.toml");
    let missing = missing.to_str().unwrap();
    let out = pwpolicy_run(&["check", "--config", missing], b"x\n");
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        out.stderr,
        format!("pwpolicy: cannot read policy file {missing}: no such file\n")
    );
    let twice = dir.write(
        "twice.toml",
        "[notify]\nto = \"{user}@a.example\"\nto = \"b\"\n",
    );
    let wrong = dir.write("wrong.toml", "[quality]\nmin_classes = \"three\"\n");
    for (file, says) in [
        (&twice, "duplicate key"),
        (&wrong, "min_classes must be a whole number"),
    ] {
        let out = pwpolicy_run(&["policy", "show", "--config", file.to_str().unwrap()], b"");
        assert_eq!(out.code, 2, "{out:?}");
        assert_eq!(out.stderr.matches(says).count(), 1, "{}", out.stderr);
        assert!(
            out.stderr.contains("line 3") || out.stderr.contains("line 2"),
            "{}",
            out.stderr
        );
    }
    let shadow = dir.write("shadow", "alice:$6$s$h:20000:0:99999:7:::\n");
    let store = dir.path().join("store");
    std::fs::create_dir(&store).unwrap();
    std::fs::set_permissions(&store, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let out = pwpolicy_run(
        &[
            "import-shadow",
            shadow.to_str().unwrap(),
            "--db",
            store.join("state.db").to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        out.stderr.matches("no such file").count(),
        1,
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("os error"), "{}", out.stderr);
    // A service that is not there: said once, with what to do.
    let socket = dir.path().join("none.sock");
    let out = pwpolicy_run(&["check", "--socket", socket.to_str().unwrap()], b"x\n");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("pwpolicyd is not running")
            && out.stderr.contains("systemctl start pwpolicyd")
            && !out.stderr.contains("os error")
            && out.stderr.lines().count() == 1,
        "{}",
        out.stderr
    );
}

#[test]
fn options_that_say_where_to_look_may_come_before_the_verb() {
    let dir = TestDir::new();
    let config = dir.write("p.toml", "[quality]\nmin_length = 12\n");
    let config = config.to_str().unwrap();
    let after = pwpolicy_run(&["check", "--config", config, "--json"], b"Short-Pass1\n");
    let before = pwpolicy_run(&["--config", config, "--json", "check"], b"Short-Pass1\n");
    assert_eq!(after.code, 1, "{after:?}");
    assert_eq!((before.code, &before.stdout), (after.code, &after.stdout));
    let socket = dir.path().join("none.sock");
    let socket = format!("--socket={}", socket.display());
    let out = pwpolicy_run(&[&socket, "status", "--user", "alice"], b"");
    assert!(
        out.code == 2 && out.stderr.contains("pwpolicyd is not running"),
        "{out:?}"
    );
    // A verb that does not take the option says so, naming it.
    let out = pwpolicy_run(&[&socket, "import-shadow", "/nonexistent"], b"");
    assert!(
        out.code == 2 && out.stderr.contains("unexpected argument '--socket"),
        "{out:?}"
    );
}
