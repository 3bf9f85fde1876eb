//! A real Samba AD DC, provisioned for this run (`samba-tool domain
//! provision --targetdir`): its accounts' NT hashes exported with
//! `scripts/samba-nt-hashes.sh` and audited against an NTLM filter, as
//! `docs/breached.md` tells administrators to.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

use pwpolicy_tests::{TestDir, breach_filter, is_root, run};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/samba-nt-hashes.sh");

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file())
}

/// Whether samba-tool (and root, which it needs to read sam.ldb) are here;
/// under CI a missing one fails the test: a skip is never a pass there.
fn samba_or_skip(test: &str) -> bool {
    let have = which("samba-tool").is_some() && is_root();
    if !have {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test}: CI must have samba-tool and root (scripts/test.sh installs samba-ad-dc)"
        );
        eprintln!(
            "SKIPPED {test}: needs root and samba-tool (apt-get install samba-ad-dc samba-ad-provision)"
        );
    }
    have
}

/// A provisioned DC in `dir`; returns its smb.conf.
fn provision(dir: &Path) -> PathBuf {
    let target = dir.join("dc");
    let out = Command::new("samba-tool")
        .args([
            "domain",
            "provision",
            "--server-role=dc",
            "--dns-backend=NONE",
        ])
        .args(["--realm=PWTEST.LAN", "--domain=PWTEST", "--use-rfc2307"])
        .arg("--adminpass=Adm1n-Pass-Word!")
        .arg(format!("--targetdir={}", target.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "provision: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    target.join("etc/smb.conf")
}

fn samba_tool(conf: &Path, args: &[&str]) {
    let out = Command::new("samba-tool")
        .args(args)
        .arg(format!("--configfile={}", conf.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "samba-tool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_samba_dcs_accounts_with_breached_passwords_are_found_by_their_nt_hashes() {
    if !samba_or_skip("a_samba_dcs_accounts_with_breached_passwords_are_found_by_their_nt_hashes") {
        return;
    }
    let dir = TestDir::new();
    let conf = provision(dir.path());
    samba_tool(&conf, &["user", "create", "erin", "Winter2025!"]);
    samba_tool(
        &conf,
        &["user", "create", "sam", "Long-Unique-Passphrase-77"],
    );
    samba_tool(&conf, &["user", "create", "noah", "P@ssw0rd-2024"]);

    let dump = run(
        Path::new(SCRIPT),
        &["--configfile", conf.to_str().unwrap()],
        b"",
    );
    assert_eq!(dump.code, 0, "{dump:?}");
    assert!(
        dump.stdout.contains("Guest:0:") && dump.stdout.contains("NO PASSWORD"),
        "{}",
        dump.stdout
    );

    let filter = breach_filter(
        &dir,
        "ntlm.pwbf",
        &[
            "Winter2025!",
            "P@ssw0rd-2024",
            "Adm1n-Pass-Word!",
            "letmein",
        ],
        "ntlm",
    );
    let out = pwpolicy_tests::pwpolicy_run(
        &[
            "breach",
            "audit",
            "--json",
            "--filter",
            filter.to_str().unwrap(),
            "-",
        ],
        dump.stdout.as_bytes(),
    );
    assert_eq!(out.code, 1, "{out:?}");
    let v = out.json();
    assert_eq!(
        v["breached"],
        serde_json::json!(["Administrator", "erin", "noah"]),
        "{v}"
    );
    assert_eq!(v["no_hash"], 1, "Guest: {v}");
    assert_eq!(v["bad_lines"], serde_json::json!([]), "{v}");
}
