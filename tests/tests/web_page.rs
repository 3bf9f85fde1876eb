//! The self-service page doing its job with the real components: a local
//! account changed through the page, pwpolicyd and PAM in a sandbox (a
//! copy of `/etc` in a private mount namespace: pam_unix writes its
//! shadow, pam_pwpolicy records the history), the page running as an
//! unprivileged account as the package's unit runs it.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::Path;
use std::time::Duration;

use pwpolicy_tests::browser;
use pwpolicy_tests::sandbox::{Pwpolicyd, Sandbox, available};
use pwpolicy_tests::web::{WebServer, encode};
use serde_json::{Value, json};

const OLD: &str = "Tulip-Garden-71";
const NEW: &str = "Zebra-Cloud-58";
/// The account the page runs as.
const WEB: &str = "pwweb";

/// A sandbox with erin (a person with a full name), the page's account and
/// the packaged PAM service; the page and pwpolicyd running in it.
fn local_page(test: &str) -> Option<(Sandbox, WebServer, Pwpolicyd)> {
    local_page_with(test, |_| {})
}

/// As [`local_page`], with more accounts made by `accounts` before the
/// page and pwpolicyd start.
fn local_page_with(
    test: &str,
    accounts: impl FnOnce(&Sandbox),
) -> Option<(Sandbox, WebServer, Pwpolicyd)> {
    if !available(test, &["setpriv", "runuser"]) {
        return None;
    }
    let sb = Sandbox::new();
    sb.add_person("erin", "Erin M. Hagens", OLD);
    accounts(&sb);
    sb.useradd(WEB, &["-r", "-s", "/usr/sbin/nologin"]);
    let service = Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging/pam.d/pwpolicy-web");
    std::fs::copy(&service, sb.etc().join("pam.d/pwpolicy-web")).unwrap();
    let socket = sb.path().join("pwpolicyd.sock");
    let web = WebServer::start_in(
        &sb,
        WEB,
        &format!("[service]\nsocket = \"{}\"\n", socket.display()),
        &format!("pam_service = \"pwpolicy-web\"\nuser = \"{WEB}\"\n"),
    );
    let daemon = sb.pwpolicyd();
    Some((sb, web, daemon))
}

fn form(user: &str, current: &str, new: &str) -> String {
    format!(
        "user={}&current={}&new={}&confirm={}",
        encode(user),
        encode(current),
        encode(new),
        encode(new)
    )
}

#[test]
fn a_local_account_changes_its_password_through_pam_and_the_history_remembers() {
    let Some((sb, web, _daemon)) = local_page("web_page::local_change") else {
        return;
    };
    // The page is not root: pwpolicyd takes its change as [web] user's.
    let status = std::fs::read_to_string(format!("/proc/{}/status", web.pid())).unwrap();
    let uid_line = status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .unwrap()
        .to_owned();
    let web_uid = sb.uid(WEB).to_string();
    assert!(
        uid_line.split_whitespace().skip(1).all(|u| u == web_uid),
        "{uid_line}"
    );

    let before = sb.shadow_hash("erin");
    let entries = sb.status("erin")["history_entries"].as_u64().unwrap();
    let r = web.change(&form("erin", OLD, NEW));
    assert_eq!(r.json()["changed"], true, "{}\n{}", r.text(), web.log());
    let after = sb.shadow_hash("erin");
    assert_ne!(before, after, "pam_unix wrote shadow");
    let status = sb.status("erin");
    assert_eq!(status["history_entries"], entries + 1, "{status}");

    // Back to the old one: PAM takes the new password as the current one
    // (a wrong one would be wrong_credentials), then the history refuses
    // the old, on submit, in its own words.
    let r = web.change(&form("erin", NEW, OLD));
    let v = r.json();
    assert_eq!(v["error"], "rejected", "{v}");
    assert_eq!(v["violations"][0]["code"], "reused", "{v}");
    assert_eq!(sb.shadow_hash("erin"), after, "nothing written");
    // What the page already shows as typed is refused before PAM is asked.
    let r = web.change(&form("erin", NEW, "Hagens-2024!x"));
    assert_eq!(r.json()["violations"][0]["code"], "contains_name_part");
}

#[test]
fn a_wrong_password_an_unknown_account_and_root_answer_alike() {
    let Some((sb, web, _daemon)) = local_page("web_page::same_answer") else {
        return;
    };
    let entries = sb.status("erin")["history_entries"].clone();
    let hash = sb.shadow_hash("erin");
    let mut times = Vec::new();
    for user in ["erin", "nosuch-user", "root", "erin", "nosuch-user", "root"] {
        let current = if user == "erin" {
            "Wrong-Guess-11"
        } else {
            OLD
        };
        let r = web.change(&form(user, current, NEW));
        let v = r.json();
        assert_eq!(r.status, 403, "{user}: {v}");
        assert_eq!(v["error"], "wrong_credentials", "{user}: {v}");
        assert_eq!(
            v["message"],
            "The account name or the current password is wrong, or the account cannot change \
             its password here."
        );
        times.push((user, r.elapsed));
    }
    // Every failed attempt is answered after the same floor (3 s), longer
    // than pam_unix's failure delay: the times differ by jitter only.
    let slowest = times.iter().map(|t| t.1).max().unwrap();
    let fastest = times.iter().map(|t| t.1).min().unwrap();
    eprintln!("failed attempts answered after {times:?}");
    assert!(fastest >= Duration::from_secs(3), "{times:?}");
    assert!(slowest - fastest < Duration::from_millis(700), "{times:?}");
    assert_eq!(sb.status("erin")["history_entries"], entries);
    assert_eq!(sb.shadow_hash("erin"), hash);
}

/// A page in Chromium: its rules, read after each step.
fn drive(web: &WebServer, steps: Vec<Value>) -> Vec<Value> {
    drive_with(web, true, steps)
}

/// As [`drive`], with scripts on or off.
fn drive_with(web: &WebServer, javascript: bool, steps: Vec<Value>) -> Vec<Value> {
    let seen = browser::drive(&json!({
        "url": web.url(),
        "ignore_https_errors": true,
        "javascript": javascript,
        "steps": steps,
    }));
    assert_eq!(seen["page_errors"], json!([]), "{seen}");
    // A request cut short by the next page's `goto` is not a failure.
    let failed: Vec<&Value> = seen["failed_requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["failure"] != "net::ERR_ABORTED")
        .collect();
    assert!(failed.is_empty(), "{seen}\n{}", web.log());
    seen["steps"].as_array().unwrap().clone()
}

fn met(rules: &Value, code: &str) -> bool {
    rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("no rule {code} in {rules}"))["met"]
        == true
}

#[test]
fn in_chromium_erin_sees_her_rules_as_she_types_and_changes_her_password() {
    let missing = browser::missing();
    pwpolicy_tests::require!(missing.is_none(), "{}", missing.unwrap_or_default());
    let Some((sb, web, _daemon)) = local_page("web_page::browser_change") else {
        return;
    };
    let shot = std::env::var_os("PWPOLICY_TEST_SCREENSHOT")
        .map_or_else(|| sb.path().join("page.png"), std::path::PathBuf::from);
    let s = drive(
        &web,
        vec![
            json!({"fill": "user", "text": "erin"}),
            json!({"wait_rules": true}),
            json!({"fill": "current", "text": OLD}),
            // Her surname, from passwd on the server, is in the browser's check.
            json!({"type": "new", "text": "hagens2024"}),
            json!({"rules": true}),
            json!({"fill": "new", "text": ""}),
            json!({"type": "new", "text": "Zebra-cl"}),
            json!({"rules": true}),
            json!({"screenshot": shot}),
            json!({"fill": "new", "text": NEW}),
            json!({"fill": "confirm", "text": NEW}),
            json!({"rules": true}),
            json!({"submit": true}),
            json!({"text": "#result"}),
            json!({"value": "new"}),
        ],
    );
    assert_eq!(s[1], "ready", "{s:?}");
    assert!(!met(&s[4], "contains_name_part"), "{}", s[4]);
    assert!(!met(&s[4], "too_few_classes"), "{}", s[4]);
    assert!(met(&s[4], "too_short") && met(&s[4], "contains_account_name"));
    assert!(met(&s[7], "contains_name_part") && met(&s[7], "too_few_classes"));
    let typed: Vec<&Value> = s[11]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["on_submit"] == false)
        .collect();
    assert!(typed.iter().all(|r| r["met"] == true), "{}", s[11]);
    let result = s[13].as_str().unwrap();
    assert!(
        result.contains("has been changed"),
        "{result}\n{}",
        web.log()
    );
    assert_eq!(s[14], "", "the password fields are cleared");
    assert!(
        sb.status("erin")["last_changed"].as_str().is_some(),
        "recorded"
    );

    // The old password again: the history refuses it on submit, in its words,
    // and the page marks the history's rule.
    let s = drive(
        &web,
        vec![
            json!({"fill": "user", "text": "erin"}),
            json!({"wait_rules": true}),
            json!({"fill": "current", "text": NEW}),
            json!({"fill": "new", "text": OLD}),
            json!({"fill": "confirm", "text": OLD}),
            json!({"submit": true}),
            json!({"rules": true}),
            json!({"text": "#result"}),
        ],
    );
    assert!(!met(&s[6], "reused"), "{}", s[6]);
    let result = s[7].as_str().unwrap();
    let words = pwpolicy::Violation::Reused { current: false }.message();
    assert!(result.contains(&words), "{result} should say {words}");

    // Without JavaScript: a plain form post, checked on submit only, and the
    // page that comes back says what happened.
    let third = "Copper-Kite-36";
    let s = drive_with(
        &web,
        false,
        vec![
            json!({"fill": "user", "text": "erin"}),
            json!({"fill": "current", "text": NEW}),
            json!({"fill": "new", "text": "erin-2024-Kite"}),
            json!({"fill": "confirm", "text": "erin-2024-Kite"}),
            json!({"submit": true}),
            json!({"text": "#result"}),
            json!({"value": "user"}),
            json!({"value": "new"}),
            json!({"fill": "current", "text": NEW}),
            json!({"fill": "new", "text": third}),
            json!({"fill": "confirm", "text": third}),
            json!({"submit": true}),
            json!({"text": "#result"}),
        ],
    );
    let refused = s[5].as_str().unwrap();
    assert!(
        refused.contains("does not meet the policy"),
        "{refused}\n{}",
        web.log()
    );
    assert!(refused.contains("account name"), "{refused}");
    assert_eq!(s[6], "erin", "the account is kept");
    assert_eq!(s[7], "", "the passwords are not");
    let changed = s[12].as_str().unwrap();
    assert!(
        changed.contains("has been changed"),
        "{changed}\n{}",
        web.log()
    );
}

#[test]
fn in_chromium_the_shared_vectors_tick_off_the_clis_verdicts_with_names_from_passwd() {
    let missing = browser::missing();
    pwpolicy_tests::require!(missing.is_none(), "{}", missing.unwrap_or_default());
    // The default policy's cases, each account in passwd with its full name.
    let vectors = pwpolicy_tests::vectors::load();
    // erin is the sandbox's own, with her full name.
    let mut gecos =
        std::collections::BTreeMap::from([("erin".to_owned(), "Erin M. Hagens".to_owned())]);
    let mut cases = Vec::new();
    for (i, case) in vectors.case.iter().enumerate() {
        // A case without an account gets one of its own, which no password
        // of the vectors contains (the CLI is asked with the same name).
        let user = if case.user.is_empty() {
            format!("pwvec{i}")
        } else {
            case.user.clone()
        };
        let name_ok = user.len() >= 3
            && user
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
        if !case.policy.trim().is_empty()
            || !name_ok
            || case.full_name.contains([',', ':'])
            || gecos.get(&user).is_some_and(|f| f != &case.full_name)
        {
            continue;
        }
        gecos.insert(user.clone(), case.full_name.clone());
        cases.push((user, case));
    }
    // An account wanted with no full name and also with one has it: drop the
    // cases that wanted none.
    cases.retain(|(user, case)| gecos[user] == case.full_name);
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let Some((_sb, web, _daemon)) = local_page_with("web_page::vectors", |sb| {
        // Appended to the copy's passwd as they are (useradd refuses a tab
        // in a full name; NSS does not).
        let mut passwd = std::fs::read_to_string(sb.etc().join("passwd")).unwrap();
        for (k, (user, full)) in gecos.iter().enumerate() {
            if passwd
                .lines()
                .any(|l| l.split(':').next() == Some(user.as_str()))
            {
                continue;
            }
            passwd.push_str(&format!(
                "{user}:x:{}:100:{full}:/nonexistent:/bin/sh\n",
                20_000 + k
            ));
        }
        std::fs::write(sb.etc().join("passwd"), passwd).unwrap();
    }) else {
        return;
    };
    let mut steps = Vec::new();
    for (user, case) in &cases {
        steps.push(json!({"goto": web.url()}));
        steps.push(json!({"fill": "user", "text": user}));
        steps.push(json!({"wait_rules": true}));
        steps.push(json!({"fill": "new", "text": case.password}));
        steps.push(json!({"rules": true}));
    }
    let s = drive(&web, steps);
    let mut failures = Vec::new();
    for (i, (user, case)) in cases.iter().enumerate() {
        assert_eq!(s[5 * i + 2], "ready", "{}", case.name);
        let rules = &s[5 * i + 4];
        let cli = pwpolicy_tests::pwpolicy_run(
            &[
                "check",
                "--json",
                "--user",
                user,
                "--full-name",
                &case.full_name,
                "--config",
                "/dev/null",
            ],
            format!("{}\n", case.password).as_bytes(),
        )
        .json();
        let cli: std::collections::BTreeSet<String> = cli["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["code"].as_str().unwrap().to_owned())
            .filter(|c| c != "reused")
            .collect();
        let page: std::collections::BTreeSet<String> = rules
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["met"] == false && r["on_submit"] == false)
            .map(|r| r["code"].as_str().unwrap().to_owned())
            .collect();
        if page != cli {
            failures.push(format!("{}: page {page:?}, CLI {cli:?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
