//! The opt-in checks beyond the rules, through the built `pwpolicy` binary:
//! guessability (zxcvbn) and banned words from the policy and from a list
//! file. The shared vectors run them through every front end; this file
//! holds what the vectors cannot say: messages, JSON fields, the list file.

use pwpolicy_tests::{TestDir, pwpolicy_run};

#[test]
fn a_guessable_password_is_refused_with_advice_a_user_can_act_on() {
    let dir = TestDir::new();
    let policy = dir.write("policy.toml", "[guessability]\nmin_score = 3\n");
    let policy = policy.to_str().unwrap();
    let out = pwpolicy_run(&["check", "--json", "--config", policy], b"P@ssw0rd2024!\n");
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    let v = &json["violations"][0];
    assert_eq!(v["code"], "too_guessable");
    assert_eq!(v["min_score"], 3);
    assert!(v["score"].as_u64().unwrap() < 3, "{v}");
    assert_eq!(v["warning"], "this is similar to a commonly used password");
    assert!(
        v["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s.as_str().unwrap().starts_with("predictable substitutions")),
        "{v}"
    );
    let message = v["message"].as_str().unwrap();
    assert!(
        message.starts_with("too easy to guess (strength ")
            && message.contains("needs 3): this is similar to a commonly used password; "),
        "{message}"
    );
    assert!(message.len() < 200, "short enough for a prompt: {message}");

    let human = pwpolicy_run(&["check", "--config", policy], b"P@ssw0rd2024!\n");
    assert!(
        human.stdout.contains("too easy to guess"),
        "{}",
        human.stdout
    );
    assert!(!human.stdout.contains("P@ssw0rd") && !human.stderr.contains("P@ssw0rd"));
}

#[test]
fn the_users_names_make_a_password_more_guessable() {
    let dir = TestDir::new();
    // The name rule off, so only zxcvbn sees the names.
    let policy = dir.write(
        "policy.toml",
        "[quality]\nname_check = \"off\"\n[guessability]\nmin_score = 4\n",
    );
    let policy = policy.to_str().unwrap();
    let score = |args: &[&str]| {
        let mut all = vec!["check", "--json", "--config", policy];
        all.extend_from_slice(args);
        let json = pwpolicy_run(&all, b"Hagens!Kettle\n").json();
        json["violations"][0]["score"].as_u64().unwrap_or(4)
    };
    let stranger = score(&[]);
    let own = score(&["--user", "ehagens", "--full-name", "Erin Hagens"]);
    assert!(own < stranger, "own name {own}, stranger {stranger}");
}

#[test]
fn banned_words_from_a_list_file_are_matched_however_written() {
    let dir = TestDir::new();
    let list = dir.write(
        "banned.txt",
        "# the trust and its schools\r\nAcme Learning Trust\r\nKingsbridge\r\nSt Mary's\r\n",
    );
    let policy = dir.write(
        "policy.toml",
        &format!(
            "[banned]\nwords = [\"Oakfield\"]\nfile = \"{}\"\n",
            list.display()
        ),
    );
    let policy = policy.to_str().unwrap();
    for refused in [
        "K1ngsbr1dge#2025",
        "My-ST-MARYS-42!",
        "acme_learning_trust9!",
        "0akf1eld-Rocks-7",
    ] {
        assert_refused_as_banned(policy, refused);
    }
    let ok = pwpolicy_run(&["check", "--config", policy], b"Blue-Kettle-42\n");
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);

    let valid = pwpolicy_run(&["policy", "check", policy], b"");
    assert_eq!(valid.code, 0, "{}", valid.stdout);
}

#[test]
fn banned_words_written_with_look_alikes_of_other_scripts_are_refused() {
    // Regression (issue 27): Cyrillic А, с, е, a Greek lunate sigma and a
    // combining accent each let `acme` through.
    let dir = TestDir::new();
    let policy = dir.write("policy.toml", "[banned]\nwords = [\"acme\"]\n");
    let policy = policy.to_str().unwrap();
    for refused in [
        "\u{410}\u{441}m\u{435}-Harbor-7828",
        "A\u{3f2}me-Harbor-7828",
        "Acme\u{301}-Harbor-7828",
    ] {
        assert_refused_as_banned(policy, refused);
    }
    // Ordinary passwords without the word still pass, `rn` (which UTS #39
    // reads as `m`) and accented letters included.
    for accepted in [
        "Rnd0m-Words!",
        "Acrne-Harbor-7828",
        "J\u{fc}rgen-Stra\u{df}e-42",
    ] {
        let out = pwpolicy_run(
            &["check", "--config", policy],
            format!("{accepted}\n").as_bytes(),
        );
        assert_eq!(out.code, 0, "{accepted:?}: {}{}", out.stdout, out.stderr);
    }
}

#[test]
fn a_banned_list_that_cannot_be_used_is_an_error_never_a_pass() {
    let dir = TestDir::new();
    let list = dir.path().join("banned.txt");
    let policy = dir.write(
        "policy.toml",
        &format!("[banned]\nfile = \"{}\"\n", list.display()),
    );
    let policy = policy.to_str().unwrap();
    let out = pwpolicy_run(&["check", "--config", policy], b"Blue-Kettle-42\n");
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr.contains("banned-word list") && out.stderr.contains("banned.txt"),
        "{}",
        out.stderr
    );
    std::fs::write(&list, b"Acme\n\xffoops\n").unwrap();
    let out = pwpolicy_run(&["check", "--config", policy], b"Blue-Kettle-42\n");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not UTF-8 text (byte 5)"),
        "{}",
        out.stderr
    );
    let checked = pwpolicy_run(&["policy", "check", policy], b"");
    assert_eq!(checked.code, 1, "{}", checked.stdout);
    assert!(
        checked.stdout.contains("banned-word list"),
        "{}",
        checked.stdout
    );

    let relative = dir.write("relative.toml", "[banned]\nfile = \"banned.txt\"\n");
    let out = pwpolicy_run(
        &["check", "--config", relative.to_str().unwrap()],
        b"Blue-Kettle-42\n",
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("line 2") && out.stderr.contains("banned.file"),
        "{}",
        out.stderr
    );
}

/// `check --json` under `policy` refuses `refused` for a banned word first,
/// and its output never shows the password.
fn assert_refused_as_banned(policy: &str, refused: &str) {
    let out = pwpolicy_run(
        &["check", "--json", "--config", policy],
        format!("{refused}\n").as_bytes(),
    );
    let json = out.json();
    assert_eq!(
        (out.code, json["violations"][0]["code"].as_str()),
        (1, Some("contains_banned_word")),
        "{refused:?}: {json}"
    );
    assert!(!out.stdout.contains(refused), "{}", out.stdout);
}
