//! `pwpolicy policy audit --against PROFILE` and `profile = "…"` policies,
//! through the built binary: the organisation's default, each profile's own
//! values, and a policy file that starts from a profile and overrides it,
//! checked field by field.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use pwpolicy_tests::{TestDir, pwpolicy_run};
use serde_json::{Value, json};

fn audit(policy: &str, profile: &str) -> (i32, Value) {
    let out = pwpolicy_run(
        &[
            "policy",
            "audit",
            "--config",
            policy,
            "--against",
            profile,
            "--json",
        ],
        b"",
    );
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    (out.code, out.json())
}

/// Findings without their messages (checked apart), as `[key, policy,
/// required, source]`.
fn points(json: &Value, which: &str) -> Vec<Value> {
    json[which]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert!(f["message"].as_str().is_some_and(|m| m.len() > 20), "{f}");
            json!([f["key"], f["policy"], f["required"], f["source"]])
        })
        .collect()
}

#[test]
fn the_organisations_default_fails_nist_on_length_composition_expiry_and_blocklist() {
    let (code, json) = audit("/dev/null", "nist-800-63b-4");
    assert_eq!((code, &json["conforms"]), (1, &json!(false)));
    assert_eq!(
        points(&json, "findings"),
        [
            json!(["min_length", 8, 15, "NIST SP 800-63B-4 §3.1.1.2 (1)"]),
            json!(["min_classes", 3, 0, "NIST SP 800-63B-4 §3.1.1.2 (5)"]),
            json!(["max_age_days", 90, 0, "NIST SP 800-63B-4 §3.1.1.2 (6)"]),
            json!([
                "breached.file",
                "unset",
                "a list of compromised passwords",
                "NIST SP 800-63B-4 §3.1.1.2 (blocklist)"
            ]),
        ]
    );
    let messages: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(messages[1].contains("composition rule, which the standard forbids"));
    assert!(messages[2].contains("periodic change, which the standard forbids"));

    let human = pwpolicy_run(
        &[
            "policy",
            "audit",
            "--config",
            "/dev/null",
            "--against",
            "nist-800-63b-4",
        ],
        b"",
    );
    assert_eq!(human.code, 1);
    assert!(
        human
            .stdout
            .ends_with("the policy: does not conform to nist-800-63b-4 (4 findings)\n"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("(NIST SP 800-63B-4 §3.1.1.2 (6))"));
}

#[test]
fn the_organisations_default_fails_pci_on_length_and_digits_only() {
    let (code, json) = audit("/dev/null", "pci-dss-4");
    assert_eq!(code, 1);
    assert_eq!(
        points(&json, "findings"),
        [
            json!(["min_length", 8, 12, "PCI DSS v4.0.1 requirement 8.3.6"]),
            json!([
                "letters_and_digits",
                false,
                true,
                "PCI DSS v4.0.1 requirement 8.3.6"
            ]),
        ]
    );
    assert_eq!(json["notes"], json!([]));
}

#[test]
fn each_profile_with_a_blocklist_conforms_to_itself_and_is_judged_by_the_other() {
    let dir = TestDir::new();
    let nist = dir.write(
        "nist.toml",
        "profile = \"nist-800-63b-4\"\n[breached]\nfile = \"/var/lib/pwpolicy/breached.pwbf\"\n",
    );
    let pci = dir.write("pci.toml", "profile = \"pci-dss-4\"\n");
    let (nist, pci) = (nist.to_str().unwrap(), pci.to_str().unwrap());

    let (code, json) = audit(nist, "nist-800-63b-4");
    assert_eq!(
        (code, &json["conforms"], &json["findings"]),
        (0, &json!(true), &json!([]))
    );
    let human = pwpolicy_run(
        &[
            "policy",
            "audit",
            "--config",
            nist,
            "--against",
            "nist-800-63b-4",
        ],
        b"",
    );
    assert_eq!(human.code, 0);
    assert!(
        human
            .stdout
            .ends_with("the policy: conforms to nist-800-63b-4\n"),
        "{}",
        human.stdout
    );

    let (code, json) = audit(pci, "pci-dss-4");
    assert_eq!((code, &json["findings"]), (0, &json!([])));

    // NIST's profile has no expiry and no composition rule: PCI wants both.
    let (code, json) = audit(nist, "pci-dss-4");
    assert_eq!(code, 1);
    assert_eq!(
        points(&json, "findings"),
        [
            json!([
                "letters_and_digits",
                false,
                true,
                "PCI DSS v4.0.1 requirement 8.3.6"
            ]),
            json!([
                "max_age_days",
                "never",
                90,
                "PCI DSS v4.0.1 requirement 8.3.9"
            ]),
        ]
    );
    // PCI's profile keeps 90 days and letters-and-digits, and has no list.
    let (_, json) = audit(pci, "nist-800-63b-4");
    let keys: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "min_length",
            "letters_and_digits",
            "max_age_days",
            "breached.file"
        ]
    );
}

#[test]
fn a_profile_is_a_starting_point_that_the_file_overrides_and_enforces() {
    let dir = TestDir::new();
    let policy = dir.write(
        "policy.toml",
        "profile = \"pci-dss-4\"\nmulti_factor = true\n[quality]\nmin_length = 14\n",
    );
    let policy = policy.to_str().unwrap();
    let shown = pwpolicy_run(&["policy", "show", "--config", policy], b"");
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    for line in [
        "profile = \"pci-dss-4\"",
        "multi_factor = true",
        "min_length = 14",
        "min_classes = 0",
        "letters_and_digits = true",
        "remember = 4",
        "max_age_days = 90",
    ] {
        assert!(
            shown.stdout.lines().any(|l| l == line),
            "{line}:\n{}",
            shown.stdout
        );
    }
    // Enforced, not only audited: letters and digits, 14 characters.
    let check = |password: &str| {
        let out = pwpolicy_run(
            &["check", "--json", "--config", policy],
            format!("{password}\n").as_bytes(),
        );
        out.json()["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["message"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        check("kettle-blue-staple"),
        ["needs both letters and digits: add a digit"]
    );
    assert_eq!(check("kettle-blue-42"), Vec::<String>::new());
    assert_eq!(check("kettle-blue-4").len(), 1, "13 characters");
    // Within multi-factor authentication, 8.3.9's expiry is a note.
    let (code, json) = audit(policy, "pci-dss-4");
    assert_eq!(code, 0);
    assert_eq!(
        points(&json, "notes"),
        [json!([
            "max_age_days",
            90,
            90,
            "PCI DSS v4.0.1 requirement 8.3.9"
        ])]
    );

    let bad = dir.write("bad.toml", "profile = \"nist\"\n");
    let out = pwpolicy_run(&["check", "--config", bad.to_str().unwrap()], b"x\n");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("line 1") && out.stderr.contains("nist-800-63b-4"),
        "{}",
        out.stderr
    );
    let out = pwpolicy_run(
        &[
            "policy",
            "audit",
            "--config",
            policy,
            "--against",
            "iso-27001",
        ],
        b"",
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("nist-800-63b-4, pci-dss-4"),
        "{}",
        out.stderr
    );
}

/// Defect 7 of issue 22: a PCI file with a class at `min_length = 6` /
/// `max_age_days = 365` and an exempt uid range "conformed", and `check`
/// then accepted `Zq9xwv` for a class member. Every class is now audited
/// under its own rules, and an exempt class is a finding.
#[test]
fn defect_7_a_pci_audit_holds_every_class_to_the_standard() {
    let dir = TestDir::new();
    let policy = dir.write(
        "pci.toml",
        "profile = \"pci-dss-4\"\n\
         [[accounts.class]]\nname = \"legacy\"\nusers = [\"leo\"]\nmin_length = 6\nmax_age_days = 365\n\
         [[accounts.class]]\nname = \"robots\"\nuids = \"2000-2999\"\nexempt = true\n",
    );
    let policy = policy.to_str().unwrap();
    let (code, json) = audit(policy, "pci-dss-4");
    assert_eq!((code, &json["conforms"]), (1, &json!(false)), "{json}");
    let classes: Vec<Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| json!([f["key"], f["class"], f["policy"]]))
        .collect();
    assert_eq!(
        classes,
        [
            json!(["min_length", "legacy", 6]),
            json!(["max_age_days", "legacy", 365]),
            json!(["exempt", "robots", true]),
        ]
    );
    // The password the audit warns of is what `check` accepts for a member:
    // the two answers are about the same rules.
    let out = pwpolicy_run(
        &["check", "--user", "leo", "--config", policy, "--json"],
        b"Zq9xwv\n",
    );
    assert_eq!(out.json()["accepted"], true, "{out:?}");
    // The text output names the class.
    let out = pwpolicy_run(
        &[
            "policy",
            "audit",
            "--config",
            policy,
            "--against",
            "pci-dss-4",
        ],
        b"",
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("finding min_length (class legacy): class `legacy`: "),
        "{}",
        out.stdout
    );
}
