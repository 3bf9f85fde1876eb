//! The shared vectors (`tests/vectors/policy.toml`) through the page's
//! check: each case's policy laid over the default, sent as the server's
//! JSON, gives exactly the core's codes.

use std::collections::BTreeSet;

use pwpolicy::{Names, Password, Policy};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vectors {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    policy: String,
    password: String,
    expect: Vec<String>,
}

fn cases() -> Vec<Case> {
    let text = include_str!("../../../tests/vectors/policy.toml");
    toml::from_str::<Vectors>(text).expect("vectors parse").case
}

fn rules_json(case: &Case, policy: &Policy) -> String {
    serde_json::json!({
        "user": case.user,
        "full_name": case.full_name,
        "policy": policy,
        "rules": policy.rules_shown(),
    })
    .to_string()
}

fn codes(answer: &serde_json::Value) -> BTreeSet<String> {
    answer["violations"]
        .as_array()
        .unwrap_or_else(|| panic!("no violations in {answer}"))
        .iter()
        .map(|v| v["code"].as_str().expect("code").to_owned())
        .collect()
}

#[test]
fn every_vector_gives_the_cores_codes() {
    let mut failures = Vec::new();
    for case in cases() {
        let policy = Policy::from_toml(&case.policy).expect("the case's policy");
        let answer: serde_json::Value = serde_json::from_str(&pwpolicy_wasm::check_json(
            &rules_json(&case, &policy),
            &case.password,
        ))
        .expect("JSON answer");
        let got = codes(&answer);
        let core: BTreeSet<String> = policy
            .check(
                &Password::new(&case.password),
                &Names::new(&case.user, &case.full_name),
            )
            .violations()
            .iter()
            .map(|v| v.code().to_owned())
            .collect();
        let want: BTreeSet<String> = case.expect.iter().cloned().collect();
        if got != want || got != core || answer["accepted"] != want.is_empty() {
            failures.push(format!(
                "{}: want {want:?}, core {core:?}, page check {got:?}",
                case.name
            ));
        }
        // Every rule ticked off as typed is met exactly when its code is absent.
        for rule in answer["rules"].as_array().expect("rules") {
            let code = rule["code"].as_str().expect("code");
            if rule["met"] != !want.contains(code) {
                failures.push(format!("{}: rule {code} met = {}", case.name, rule["met"]));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_policy_a_server_ships_leaves_out_only_what_the_server_checks() {
    // The server ships quality and guessability; the rest is the default.
    let mut failures = Vec::new();
    for case in cases() {
        let policy = Policy::from_toml(&case.policy).expect("the case's policy");
        let mut shipped = Policy::default();
        shipped.quality = policy.quality.clone();
        shipped.guessability = policy.guessability.clone();
        let rules = serde_json::json!({
            "user": case.user,
            "full_name": case.full_name,
            "policy": shipped,
            "rules": policy.rules_shown(),
        })
        .to_string();
        let answer: serde_json::Value =
            serde_json::from_str(&pwpolicy_wasm::check_json(&rules, &case.password))
                .expect("JSON answer");
        let on_submit: BTreeSet<String> = policy
            .rules_shown()
            .into_iter()
            .filter(|r| r.on_submit)
            .map(|r| r.code)
            .collect();
        let want: BTreeSet<String> = case
            .expect
            .iter()
            .filter(|c| !on_submit.contains(*c))
            .cloned()
            .collect();
        let got = codes(&answer);
        if got != want {
            failures.push(format!("{}: want {want:?}, got {got:?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
