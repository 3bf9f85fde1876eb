//! What `pwpolicy` and `pwpolicyd` print depends on who reads it: progress
//! and colour on a terminal, plain text to a pipe, a file or the journal.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::fmt::Write as _;
use std::process::{Command, Stdio};

use pwpolicy_tests::sandbox::Pty;
use pwpolicy_tests::{TestDir, binary, pwpolicy, pwpolicy_run, run};

/// A shadow file of `n` people and the passwd beside it.
fn accounts(dir: &TestDir, n: usize) -> std::path::PathBuf {
    let (mut shadow, mut passwd) = (String::new(), String::new());
    for i in 0..n {
        writeln!(shadow, "user{i}:$y$j9T$salt$hash:20000:0:90:14:::").unwrap();
        writeln!(
            passwd,
            "user{i}:x:{}:100::/home/user{i}:/bin/sh",
            10_000 + i
        )
        .unwrap();
    }
    dir.write("passwd", &passwd);
    dir.write("shadow", &shadow)
}

#[test]
fn import_shadow_shows_progress_on_a_terminal_and_nothing_when_piped() {
    let dir = TestDir::new();
    let shadow = accounts(&dir, 20_000);
    let import = |db: &str| {
        vec![
            "import-shadow".to_owned(),
            shadow.display().to_string(),
            "--db".to_owned(),
            dir.path().join(db).display().to_string(),
            "--config".to_owned(),
            "/dev/null".to_owned(),
        ]
    };
    let args = import("piped.db");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let piped = pwpolicy_run(&args, b"");
    assert_eq!(piped.code, 0, "{piped:?}");
    assert!(piped.stdout.contains("20000 added"), "{piped:?}");
    assert!(
        !piped.stderr.contains("importing") && !piped.stderr.contains('\u{1b}'),
        "no progress to a pipe: {piped:?}"
    );
    let mut cmd = Command::new(pwpolicy());
    cmd.args(import("terminal.db"));
    let mut pty = Pty::spawn(cmd, "pwpolicy import-shadow");
    pty.expect("importing");
    let (transcript, code) = pty.finish();
    assert_eq!(code, 0, "{transcript}");
    assert!(transcript.contains("20000 added"), "{transcript}");
}

#[test]
fn completions_for_each_shell_know_every_verb() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef pwpolicy"),
        ("fish", "complete -c pwpolicy"),
    ] {
        let out = run(&pwpolicy(), &["completions", shell], b"");
        assert_eq!(out.code, 0, "{out:?}");
        assert!(out.stdout.contains(marker), "{shell}: {}", out.stdout);
        for verb in ["check", "change", "import-shadow", "report", "completions"] {
            assert!(out.stdout.contains(verb), "{shell} completion lacks {verb}");
        }
    }
    let out = run(&pwpolicy(), &["completions", "tcsh"], b"");
    assert_eq!(out.code, 2, "{out:?}");
}

#[test]
fn pwpolicyd_writes_no_colour_codes_to_a_file_or_pipe() {
    // Regression: ANSI colour codes landed in log files and the journal.
    let dir = TestDir::new();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(
        &shared,
        std::os::unix::fs::PermissionsExt::from_mode(0o1777),
    )
    .unwrap();
    let out = Command::new(binary("pwpolicy-service", "pwpolicyd"))
        .args(["--config", "/dev/null", "--db"])
        .arg(shared.join("state.db"))
        .args(["--socket"])
        .arg(dir.path().join("pw.sock"))
        .env("PWPOLICYD_LOG", "debug")
        .env_remove("JOURNAL_STREAM")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "the store cannot be opened: {stderr}"
    );
    assert!(stderr.contains("ERROR"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "colour codes in a pipe: {stderr:?}"
    );
}

#[test]
fn breach_build_shows_progress_on_a_terminal_and_nothing_when_piped() {
    let dir = TestDir::new();
    let mut list = String::new();
    for i in 0..300_000 {
        writeln!(list, "leaked-{i}").unwrap();
    }
    let input = dir.write("list.txt", &list);
    let build = |name: &str| {
        vec![
            "breach".to_owned(),
            "build".to_owned(),
            "--output".to_owned(),
            dir.path().join(name).display().to_string(),
            input.display().to_string(),
        ]
    };
    let args = build("piped.pwbf");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let piped = pwpolicy_run(&args, b"");
    assert_eq!(piped.code, 0, "{piped:?}");
    assert!(
        !piped.stderr.contains("reading") && !piped.stderr.contains('\u{1b}'),
        "no progress to a pipe: {piped:?}"
    );
    let mut cmd = Command::new(pwpolicy());
    cmd.args(build("terminal.pwbf"));
    let mut pty = Pty::spawn(cmd, "pwpolicy breach build");
    pty.expect("reading");
    let (transcript, code) = pty.finish();
    assert_eq!(code, 0, "{transcript}");
    assert!(transcript.contains("300,000 sha1 keys"), "{transcript}");
}

#[test]
fn every_command_ends_quietly_when_its_reader_has_gone() {
    // `pwpolicy list | head`, `pwpolicy completions bash | true`: the reader
    // closes the pipe. Deterministic here: the read end is closed before
    // the command starts, so its first write fails with EPIPE.
    let dir = TestDir::new();
    let store = dir.path().join("store");
    std::fs::create_dir(&store).unwrap();
    std::fs::set_permissions(&store, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let db = store.join("state.db");
    let shadow = accounts(&dir, 200);
    let out = pwpolicy_run(
        &[
            "import-shadow",
            "--all",
            shadow.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.code, 0, "{out:?}");
    let db = db.to_str().unwrap();
    for args in [
        vec!["completions", "bash"],
        vec!["policy", "show"],
        vec!["list", "--db", db],
        vec!["list", "--json", "--db", db],
        vec!["report", "--expiring-within", "400", "--db", db],
        vec!["report", "--expiring-within", "400", "--csv", "--db", db],
        vec!["report", "--html", "--db", db],
        vec!["status", "--user", "user1", "--json", "--db", db],
        vec!["notify", "--json", "--db", db],
        vec!["check", "--json"],
        vec!["--help"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(pwpolicy())
            .args(pwpolicy_tests::hermetic(&args))
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.is_empty(), "{args:?} said: {stderr}");
        // 141 (128 + SIGPIPE), as a C tool killed by the signal: never 0 or
        // 1, which would claim a verdict nobody read.
        let code = out.status.code();
        if args[0] == "--help" {
            assert!(matches!(code, Some(0 | 141)), "{args:?}: {code:?}");
        } else {
            assert_eq!(code, Some(141), "{args:?}");
        }
    }
}
