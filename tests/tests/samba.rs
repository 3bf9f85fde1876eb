//! A real Samba AD DC, provisioned for each test (`samba-tool domain
//! provision --targetdir`, no daemon): `pwpolicy check --samba` as its check
//! password script, as `docs/samba.md` sets it up, through `samba-tool user
//! create` and `setpassword`; and its accounts' NT hashes exported with
//! `scripts/samba-nt-hashes.sh` and audited against an NTLM filter, as
//! `docs/breached.md` tells administrators to.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::Path;

use pwpolicy_tests::samba::{Daemon, have_or_skip, provision, samba_tool, try_samba_tool};
use pwpolicy_tests::{TestDir, breach_filter, run};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/samba-nt-hashes.sh");

/// Makes `pwpolicy check --samba --config POLICY` the DC's check password
/// script, the line docs/samba.md gives (plus `global`, more `[global]`
/// lines), and turns Samba's own length, history and age off, so that
/// every verdict is the script's. Complexity stays on: it is what makes
/// Samba run the script.
fn script_decides(conf: &Path, policy: &Path, global: &str) {
    samba_tool(
        conf,
        &[
            "domain",
            "passwordsettings",
            "set",
            "--complexity=on",
            "--min-pwd-length=0",
            "--history-length=0",
            "--min-pwd-age=0",
        ],
    );
    let smb = std::fs::read_to_string(conf).unwrap();
    let lines = format!(
        "[global]\n{global}\tcheck password script = {} check --samba --config {}\n",
        pwpolicy_tests::pwpolicy().display(),
        policy.display()
    );
    std::fs::write(conf, smb.replacen("[global]\n", &lines, 1)).unwrap();
}

#[test]
fn a_samba_dcs_accounts_with_breached_passwords_are_found_by_their_nt_hashes() {
    if !have_or_skip(
        "a_samba_dcs_accounts_with_breached_passwords_are_found_by_their_nt_hashes",
        &["samba-tool"],
    ) {
        return;
    }
    let dir = TestDir::new();
    let conf = provision(dir.path(), &[]);
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

#[test]
fn samba_tool_sets_passwords_through_check_password_script_with_the_shared_verdicts() {
    let test = "samba_tool_sets_passwords_through_check_password_script_with_the_shared_verdicts";
    if !have_or_skip(test, &["samba-tool"]) {
        return;
    }
    let dir = TestDir::new();
    let conf = provision(dir.path(), &[]);
    // Only pwpolicy decides: Samba's own length, history and age off;
    // complexity stays on, which is what makes Samba run the script.
    let policy = dir.path().join("policy.toml");
    script_decides(&conf, &policy, "");

    let mut mismatches = Vec::new();
    for (i, case) in pwpolicy_tests::vectors::load().case.iter().enumerate() {
        std::fs::write(&policy, &case.policy).unwrap();
        let user = if case.user.is_empty() {
            format!("zzq{i}")
        } else {
            case.user.clone()
        };
        let mut args = vec!["user", "create", user.as_str(), case.password.as_str()];
        let given = format!("--given-name={}", case.full_name);
        if !case.full_name.is_empty() {
            args.push(&given);
        }
        let accepted = try_samba_tool(&conf, &args).is_ok();
        if accepted {
            samba_tool(&conf, &["user", "delete", &user]);
        }
        if accepted != case.expect.is_empty() {
            mismatches.push(format!(
                "{}: samba accepted={accepted}, expected {:?}",
                case.name, case.expect
            ));
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");

    // The script decides, not Samba's own complexity check, which would
    // refuse a password of one class that this policy allows.
    std::fs::write(&policy, "[quality]\nmin_classes = 0\n").unwrap();
    samba_tool(&conf, &["user", "create", "solo", "onlylowercaseletters"]);
    // And a refusal from the script refuses the change.
    std::fs::write(&policy, "[quality]\nmin_length = 30\n").unwrap();
    let refused = try_samba_tool(&conf, &["user", "create", "longer", "Blue-Kettle-42"]);
    assert!(refused.is_err(), "the script's refusal must refuse");

    // A user's password set later goes through the script too.
    std::fs::write(&policy, "").unwrap();
    samba_tool(
        &conf,
        &[
            "user",
            "create",
            "ehagens",
            "Blue-Kettle-42",
            "--given-name=Erin M. Hagens",
        ],
    );
    let refused = try_samba_tool(
        &conf,
        &[
            "user",
            "setpassword",
            "ehagens",
            "--newpassword=Hagens-2024!",
        ],
    );
    assert!(refused.is_err(), "a full-name part must be refused");
    samba_tool(
        &conf,
        &[
            "user",
            "setpassword",
            "ehagens",
            "--newpassword=Copper-Kite-36",
        ],
    );
}

/// A user's own change over SMB (SAMR, as a Windows client makes it).
/// A user's own change over SMB: `Ok` if the DC took it, else what
/// smbpasswd said.
fn smbpasswd(daemon: &Daemon, conf: &Path, user: &str, old: &str, new: &str) -> Result<(), String> {
    use std::io::Write as _;
    let mut child = daemon
        .command("smbpasswd")
        .args([
            "-s",
            "-r",
            "127.0.0.1",
            "-U",
            user,
            "-c",
            conf.to_str().unwrap(),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    write!(child.stdin.take().unwrap(), "{old}\n{new}\n{new}\n").unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

#[test]
fn the_running_dc_runs_the_script_for_ldap_resets_and_users_own_changes() {
    let test = "the_running_dc_runs_the_script_for_ldap_resets_and_users_own_changes";
    if !have_or_skip(test, &["samba-tool", "samba", "smbpasswd"]) {
        return;
    }
    let dir = TestDir::new();
    let conf = provision(dir.path(), &[]);
    // Samba's own rules out of the way: a refusal below is the script's.
    let policy = dir.write("policy.toml", "");
    script_decides(
        &conf,
        &policy,
        "\tinterfaces = lo\n\tbind interfaces only = yes\n",
    );
    samba_tool(&conf, &["user", "create", "erin", "Blue-Kettle-42"]);
    // Alone in a network namespace: its ports clash with no samba of the host's.
    let daemon = Daemon::start_isolated(&conf);

    // An administrator's reset over LDAP.
    let reset = |password: &str| {
        let out = daemon
            .command("samba-tool")
            .args([
                "user",
                "setpassword",
                "erin",
                &format!("--newpassword={password}"),
                "-H",
                "ldap://127.0.0.1",
                "-UAdministrator%Adm1n-Pass-Word!",
            ])
            .arg(format!("--configfile={}", conf.display()))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    };
    // The script's refusal is Samba's "complexity" one: it replaces it.
    let refused = reset("Xerin-2024!");
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("does not meet the complexity criteria")),
        "holds the account name: {refused:?}"
    );
    reset("Copper-Kite-36").unwrap();
    // The user's own change over SMB.
    let refused = smbpasswd(&daemon, &conf, "erin", "Copper-Kite-36", "Xerin-2025!");
    // Refused by the rules (the script), not for want of a connection.
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("password update rule has been violated")),
        "holds the account name: {refused:?}"
    );
    smbpasswd(&daemon, &conf, "erin", "Copper-Kite-36", "Zebra-Cloud-58").unwrap();
}
