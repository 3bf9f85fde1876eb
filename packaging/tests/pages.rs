//! The man pages, completions and shipped policy file against the code they
//! describe: a verb, flag, policy key or default that changes in the code
//! fails here until the page follows.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

fn written(page: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("man").join(page)
}

/// groff's warnings for a page (all of them: `-ww`); empty when clean.
fn groff_warnings(page: &Path) -> String {
    let out = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(page)
        .output()
        .expect("groff (package groff-base) runs");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every command below `cmd` (and itself), with the page name clap_mangen gives it.
fn commands(cmd: &clap::Command, prefix: &str, out: &mut Vec<(String, clap::Command)>) {
    let name = if prefix.is_empty() {
        cmd.get_name().to_owned()
    } else {
        format!("{prefix}-{}", cmd.get_name())
    };
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        commands(sub, &name, out);
    }
    out.push((name, cmd.clone()));
}

/// Every command with a generated page and the page's name: pwpolicy's
/// verbs (as `write_man_pages` builds them), pwpolicyd and pwpolicy-web.
fn every_page_command() -> Vec<(String, clap::Command)> {
    let mut cmd = pwpolicy_packaging::pwpolicy_command().disable_help_subcommand(true);
    cmd.build();
    let mut all = Vec::new();
    commands(&cmd, "", &mut all);
    all.push((
        "pwpolicyd".to_owned(),
        pwpolicy_packaging::pwpolicyd_command(),
    ));
    all.push((
        "pwpolicy-web".to_owned(),
        pwpolicy_packaging::pwpolicy_web_command(),
    ));
    all
}

#[test]
fn every_verb_and_flag_has_its_generated_page() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pwpolicy_packaging::write_man_pages(dir.path()).unwrap();
    let all = every_page_command();
    assert_eq!(pages.len(), all.len(), "{pages:?}");
    for (name, cmd) in &all {
        let section = if name == "pwpolicyd" || name == "pwpolicy-web" {
            "8"
        } else {
            "1"
        };
        let page = dir.path().join(format!("man{section}/{name}.{section}"));
        let roff = std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{name}: {e}"));
        for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
            if let Some(long) = arg.get_long() {
                // roff escapes the dashes: \-\-flag
                assert!(
                    roff.contains(&format!("\\-\\-{}", long.replace('-', "\\-"))),
                    "{name}({section}) lacks --{long}"
                );
            }
        }
        let warnings = groff_warnings(&page);
        assert!(warnings.is_empty(), "{name}: {warnings}");
    }
}

#[test]
fn completions_cover_every_verb_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    let files = pwpolicy_packaging::write_completions(dir.path()).unwrap();
    assert_eq!(files.len(), 3);
    let cmd = pwpolicy_packaging::pwpolicy_command();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for verb in cmd.get_subcommands() {
            assert!(
                text.contains(verb.get_name()),
                "{} lacks {}",
                file.display(),
                verb.get_name()
            );
        }
    }
}

#[test]
fn the_written_pages_are_clean_roff() {
    for page in ["pam_pwpolicy.8", "pwpolicy.toml.5"] {
        let warnings = groff_warnings(&written(page));
        assert!(warnings.is_empty(), "{page}: {warnings}");
    }
}

/// `section.key` for every key the policy file takes, from the code.
fn policy_keys() -> Vec<String> {
    let shown: toml::Table = toml::from_str(&pwpolicy::Policy::default().to_toml()).unwrap();
    let mut keys: Vec<String> = shown
        .iter()
        .flat_map(|(section, table)| {
            table
                .as_table()
                .into_iter()
                .flat_map(move |t| t.keys().map(move |k| format!("{section}.{k}")))
        })
        .collect();
    // Keys with no value unless set (left out of the default's TOML).
    for key in [
        "store.db",
        "pam.account_on_error",
        "service.socket",
        "service.admin_group",
        "accounts.uid_min",
        "accounts.uid_max",
        "breached.file",
        "breached.min_count",
        "guessability.min_score",
        "history.pepper_file",
        "banned.file",
        "directory.url",
        "directory.bind_dn",
        "directory.bind_password_file",
        "directory.base",
        "directory.ca_file",
        "notify.smtp",
        "notify.ca_file",
        "notify.username",
        "notify.password_file",
        "notify.from",
        "notify.to",
        "notify.max_per_run",
        "notify.admin",
        "notify.subject_file",
        "notify.body_file",
        "notify.url",
    ] {
        keys.push(key.to_owned());
    }
    for key in [
        "name",
        "groups",
        "uids",
        "users",
        "exempt",
        "min_length",
        "min_classes",
        "max_age_days",
        "warn_days",
        "min_age_days",
        "remind_after_days",
    ] {
        keys.push(format!("accounts.class.{key}"));
    }
    keys
}

#[test]
fn pwpolicy_toml_5_documents_every_key() {
    let page = std::fs::read_to_string(written("pwpolicy.toml.5")).unwrap();
    for key in policy_keys() {
        let (section, name) = key.rsplit_once('.').unwrap();
        assert!(
            page.contains(&format!(".B {name}")),
            "pwpolicy.toml(5) lacks {key} (as `.B {name}`)"
        );
        assert!(page.contains(section), "pwpolicy.toml(5) lacks [{section}]");
    }
    // Every class key is accepted by the parser (the list above is not stale).
    let class: String = policy_keys()
        .iter()
        .filter_map(|k| k.strip_prefix("accounts.class."))
        .map(|k| match k {
            "name" => "name = \"c\"\n".to_owned(),
            "groups" | "users" => format!("{k} = [\"x\"]\n"),
            "uids" => "uids = \"2000-2999\"\n".to_owned(),
            "exempt" => "exempt = false\n".to_owned(),
            "min_classes" => "min_classes = 3\n".to_owned(),
            "max_age_days" => "max_age_days = 60\n".to_owned(),
            "warn_days" => "warn_days = 7\n".to_owned(),
            "min_age_days" => "min_age_days = 1\n".to_owned(),
            other => format!("{other} = 12\n"),
        })
        .collect();
    pwpolicy::Policy::from_toml(&format!("[[accounts.class]]\n{class}")).unwrap();
}

#[test]
fn the_shipped_policy_file_is_the_built_in_policy() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("pwpolicy.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        pwpolicy::Policy::from_toml(&text).unwrap(),
        pwpolicy::Policy::default()
    );
    // Each commented setting shows the default: uncommented, nothing changes
    // (but the optional keys, which have no default value, and the example
    // classes).
    let mut uncommented = String::new();
    for line in text.lines() {
        if line.starts_with("# [[accounts.class]]") {
            break;
        }
        match line.strip_prefix("# ") {
            Some(setting) if setting.contains(" = ") && !setting.contains(':') => {
                uncommented.push_str(setting);
            }
            _ => uncommented.push_str(line),
        }
        uncommented.push('\n');
    }
    let mut policy =
        pwpolicy::Policy::from_toml(&uncommented).unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
    assert_eq!(
        policy.store.db.take().as_deref(),
        Some("/var/lib/pwpolicy/state.db")
    );
    assert_eq!(
        policy.service.socket.take().as_deref(),
        Some("/run/pwpolicy/pwpolicyd.sock")
    );
    policy.service.admin_group = None;
    assert_eq!(policy.accounts.uid_min.take(), Some(1000));
    assert_eq!(policy.accounts.uid_max.take(), Some(60000));
    policy.pam.account_on_error = None;
    assert_eq!(
        policy.breached.file.take().as_deref(),
        Some("/var/lib/pwpolicy/breached.pwbf")
    );
    assert_eq!(policy.breached.min_count.take(), Some(1));
    assert_eq!(policy.guessability.min_score.take(), Some(3));
    assert!(policy.history.pepper_file.take().is_some());
    assert_eq!(policy.banned.words.len(), 2);
    policy.banned.words.clear();
    assert!(policy.banned.file.take().is_some());
    // `url` stays commented out (its `://` reads as prose above): the rest
    // of the section is checked.
    assert_eq!(policy.directory.url, None);
    assert!(policy.directory.bind_dn.take().is_some());
    assert_eq!(
        policy.directory.bind_password_file.take().as_deref(),
        Some("/etc/pwpolicy/ldap.pw")
    );
    assert!(policy.directory.base.take().is_some());
    assert!(policy.directory.ca_file.take().is_some());
    // [notify]: `smtp` stays commented out (`://`), the optional rest is set.
    assert_eq!(policy.notify.smtp, None);
    for key in [
        policy.notify.ca_file.take(),
        policy.notify.username.take(),
        policy.notify.password_file.take(),
        policy.notify.from.take(),
        policy.notify.to.take(),
        policy.notify.admin.take(),
        policy.notify.subject_file.take(),
        policy.notify.body_file.take(),
    ] {
        assert!(key.is_some());
    }
    assert_eq!(policy.notify.max_per_run.take(), Some(500));
    // [web]: `url` stays commented out (`://`), the files and service are set.
    assert_eq!(policy.web.url, None);
    assert!(policy.web.cert_file.take().is_some());
    assert!(policy.web.key_file.take().is_some());
    assert_eq!(
        policy.web.pam_service.take().as_deref(),
        Some("pwpolicy-web")
    );
    assert_eq!(policy, pwpolicy::Policy::default());
}

/// Issue 24: every generated page reads like a man page, not like --help:
/// no backticks (NAME included), a synopsis with each option's value, and
/// EXIT STATUS and EXAMPLES sections whose commands use only options the
/// command has.
#[test]
fn generated_pages_have_value_placeholders_exit_status_and_examples() {
    let dir = tempfile::tempdir().unwrap();
    let all = every_page_command();
    let pages = pwpolicy_packaging::write_man_pages(dir.path()).unwrap();
    assert_eq!(pages.len(), all.len());
    let table: Vec<&str> = pwpolicy_packaging::sections::pages().collect();
    assert_eq!(
        table.len(),
        all.len(),
        "sections.rs has a page no command has: {table:?}"
    );
    for (name, cmd) in &all {
        let section = if name == "pwpolicyd" || name == "pwpolicy-web" {
            "8"
        } else {
            "1"
        };
        let page = dir.path().join(format!("man{section}/{name}.{section}"));
        let roff = std::fs::read_to_string(&page).unwrap();
        assert!(!roff.contains('`'), "{name}: a backtick");
        let synopsis = roff
            .split(".SH SYNOPSIS\n")
            .nth(1)
            .and_then(|s| s.lines().next())
            .unwrap_or_else(|| panic!("{name}: no synopsis"));
        for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
            let (Some(long), true) = (arg.get_long(), arg.get_action().takes_values()) else {
                continue;
            };
            let flag = format!("\\-\\-{}\\fR \\fI", long.replace('-', "\\-"));
            assert!(
                synopsis.contains(&flag),
                "{name}: --{long} without its value in {synopsis}"
            );
        }
        for heading in [".SH \"EXIT STATUS\"\n.TP\n.B 0\n", ".SH EXAMPLES\n"] {
            assert!(roff.contains(heading), "{name}: no {heading:?}");
        }
        // The examples' options are the command's own.
        let examples = roff.split(".SH EXAMPLES\n").nth(1).unwrap();
        let examples = examples.split(".SH ").next().unwrap().replace("\\-", "-");
        let words = format!("{} ", cmd.get_bin_name().unwrap_or(cmd.get_name()));
        let longs: Vec<&str> = cmd.get_arguments().filter_map(|a| a.get_long()).collect();
        for line in examples.lines().filter(|l| l.contains(&words)) {
            for word in line.split_whitespace().filter(|w| w.starts_with("--")) {
                let word = word.trim_start_matches('-').trim_end_matches("\\fR");
                let word = word.split('=').next().unwrap();
                assert!(
                    longs.contains(&word) || cmd.has_subcommands(),
                    "{name}: its example uses --{word}, which it does not take"
                );
            }
        }
    }
}
