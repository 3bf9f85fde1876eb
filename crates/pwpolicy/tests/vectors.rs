//! The shared verdict vectors (`tests/vectors/policy.toml`) through the core crate.

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

#[test]
fn shared_vectors() {
    let text = include_str!("../../../tests/vectors/policy.toml");
    let vectors: Vectors = toml::from_str(text).unwrap();
    assert!(vectors.case.len() >= 40, "the vector file lost cases");
    let mut failures = Vec::new();
    for case in &vectors.case {
        let policy = Policy::from_toml(&case.policy).unwrap();
        let verdict = policy.check(
            &Password::new(&case.password),
            &Names::new(&case.user, &case.full_name),
        );
        let got: BTreeSet<&str> = verdict.violations().iter().map(|v| v.code()).collect();
        let want: BTreeSet<&str> = case.expect.iter().map(String::as_str).collect();
        if got != want {
            failures.push(format!("{}: expected {want:?}, got {got:?}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
