//! The self-service page doing its job with the real components: a local
//! account changed through the page, pwpolicyd and PAM in a sandbox (a
//! copy of `/etc` in a private mount namespace: pam_unix writes its
//! shadow, pam_pwpolicy records the history), the page running as an
//! unprivileged account as the package's unit runs it.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::Path;
use std::time::Duration;

use pwpolicy_tests::sandbox::{Pwpolicyd, Sandbox, available};
use pwpolicy_tests::web::{WebServer, encode};

const OLD: &str = "Tulip-Garden-71";
const NEW: &str = "Zebra-Cloud-58";
/// The account the page runs as.
const WEB: &str = "pwweb";

/// A sandbox with erin (a person with a full name), the page's account and
/// the packaged PAM service; the page and pwpolicyd running in it.
fn local_page(test: &str) -> Option<(Sandbox, WebServer, Pwpolicyd)> {
    if !available(test, &["setpriv", "runuser"]) {
        return None;
    }
    let sb = Sandbox::new();
    sb.add_person("erin", "Erin M. Hagens", OLD);
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
    let r = web.change(&form("erin", OLD, NEW));
    assert_eq!(r.json()["changed"], true, "{}\n{}", r.text(), web.log());
    let after = sb.shadow_hash("erin");
    assert_ne!(before, after, "pam_unix wrote shadow");
    let status = sb.status("erin");
    assert_eq!(status["history_entries"], 1, "{status}");

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
    assert_eq!(sb.status("erin")["history_entries"], 0);
}
