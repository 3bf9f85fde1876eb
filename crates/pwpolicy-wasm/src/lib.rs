//! The core's password check for the self-service page, compiled to
//! WebAssembly: the page hands it what `GET /api/rules?user=NAME` answered
//! and the password being typed, and gets back which of the rules shown
//! beside the field are met.
//!
//! The verdict is [`pwpolicy::Policy::check`]'s, the very function the CLI,
//! PAM and the filter call; this crate only decodes its input and encodes
//! the answer. The logic is plain Rust ([`check`], [`check_json`]), tested
//! natively; the `#[wasm_bindgen]` export in [`web`] is a thin shell.
//!
//! ```
//! let rules = serde_json::json!({
//!     "user": "ehagens",
//!     "full_name": "Erin M. Hagens",
//!     "policy": pwpolicy::Policy::default(),
//!     "rules": pwpolicy::Policy::default().rules_shown(),
//! });
//! let answer: serde_json::Value =
//!     serde_json::from_str(&pwpolicy_wasm::check_json(&rules.to_string(), "hagens42!X")).unwrap();
//! assert_eq!(answer["accepted"], false);
//! assert_eq!(answer["violations"][0]["code"], "contains_name_part");
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod web;

use pwpolicy::{Names, Password, Policy, ShownRule};
use serde::{Deserialize, Serialize};

/// A user's rules, as `GET /api/rules?user=NAME` answers them. Fields the
/// page does not need (and any the server adds later) are ignored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UserRules {
    /// The account name (checked against the password).
    pub user: String,
    /// The user's full name (its parts are checked against the password).
    pub full_name: String,
    /// The effective policy of the user's class.
    pub policy: Policy,
    /// The rules the page shows ([`Policy::rules_shown`]).
    pub rules: Vec<ShownRule>,
}

/// Whether the password meets one rule the page ticks off as it is typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleMet {
    /// The rule's violation code.
    pub code: String,
    /// No violation with that code.
    pub met: bool,
}

/// One violation, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViolationShown {
    /// The stable violation code.
    pub code: &'static str,
    /// The core's message: what is wrong and what to do.
    pub message: String,
}

/// The answer for one password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checked {
    /// The core accepted the password (the server may still refuse it on
    /// submit, for what only it can tell: history, breached list…).
    pub accepted: bool,
    /// Every rule the page ticks off as the password is typed (`on_submit`
    /// false), in the order given.
    pub rules: Vec<RuleMet>,
    /// Every violation the core found, in its order.
    pub violations: Vec<ViolationShown>,
}

/// Input that cannot be checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    /// What is wrong with the rules JSON (never the password).
    pub error: String,
}

/// Decodes the rules JSON and validates its policy.
///
/// # Errors
///
/// The JSON is not a rules answer, or its policy is not a valid one.
pub fn parse_rules(rules_json: &str) -> Result<UserRules, Refused> {
    let rules: UserRules = serde_json::from_str(rules_json).map_err(|e| Refused {
        error: format!("rules JSON: {e}"),
    })?;
    rules.policy.validate().map_err(|e| Refused {
        error: format!("rules JSON: {e}"),
    })?;
    Ok(rules)
}

/// Checks `password` under `rules`: the core's verdict for the user's names
/// and policy, and which shown rules it meets.
pub fn check(rules: &UserRules, password: &Password) -> Checked {
    let names = Names::new(&rules.user, &rules.full_name);
    let verdict = rules.policy.check(password, &names);
    let violations = verdict.violations();
    Checked {
        accepted: verdict.is_accepted(),
        rules: rules
            .rules
            .iter()
            .filter(|rule| !rule.on_submit)
            .map(|rule| RuleMet {
                code: rule.code.clone(),
                met: !violations.iter().any(|v| v.code() == rule.code),
            })
            .collect(),
        violations: violations
            .iter()
            .map(|v| ViolationShown {
                code: v.code(),
                message: v.message(),
            })
            .collect(),
    }
}

/// [`check`] from JSON to JSON, as the page calls it: a [`Checked`], or a
/// [`Refused`] (`{"error": "..."}`) when the rules JSON is bad. Never
/// panics.
pub fn check_json(rules_json: &str, password: &str) -> String {
    let answer = parse_rules(rules_json).map(|rules| check(&rules, &Password::new(password)));
    let encoded = match &answer {
        Ok(checked) => serde_json::to_string(checked),
        Err(refused) => serde_json::to_string(refused),
    };
    // Plain structs of strings and booleans always serialize; the fallback
    // keeps the promise of no panic all the same.
    encoded.unwrap_or_else(|_| r#"{"error":"cannot encode the answer"}"#.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_rules(user: &str, full_name: &str) -> String {
        serde_json::json!({
            "user": user,
            "full_name": full_name,
            "policy": Policy::default(),
            "rules": Policy::default().rules_shown(),
        })
        .to_string()
    }

    fn answer(rules: &str, password: &str) -> serde_json::Value {
        serde_json::from_str(&check_json(rules, password)).expect("the answer is JSON")
    }

    #[test]
    fn every_rule_checked_as_typed_is_listed_and_the_submit_ones_are_not() {
        let got = answer(&default_rules("ehagens", "Erin M. Hagens"), "abc");
        let codes: Vec<&str> = got["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .map(|r| r["code"].as_str().expect("code"))
            .collect();
        assert_eq!(
            codes,
            [
                "too_short",
                "too_few_classes",
                "contains_account_name",
                "contains_name_part"
            ]
        );
        let met: Vec<bool> = got["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .map(|r| r["met"].as_bool().expect("met"))
            .collect();
        assert_eq!(met, [false, false, true, true]);
        assert_eq!(got["accepted"], false);
        assert_eq!(got["violations"][0]["code"], "too_short");
        assert!(
            got["violations"][0]["message"]
                .as_str()
                .expect("message")
                .contains("at least 8")
        );
    }

    #[test]
    fn names_come_from_the_rules_answer() {
        let got = answer(&default_rules("ehagens", "Erin M. Hagens"), "Hagens-2024!");
        assert_eq!(got["accepted"], false);
        assert_eq!(got["violations"][0]["code"], "contains_name_part");
        let got = answer(&default_rules("", ""), "Hagens-2024!");
        assert_eq!(got["accepted"], true);
        assert_eq!(got["violations"], serde_json::json!([]));
    }

    #[test]
    fn bad_json_is_an_error_never_a_panic() {
        for bad in [
            "",
            "{",
            "null",
            r#"{"policy": 3}"#,
            r#"{"policy": {"quality": {"min_length": "eight"}}}"#,
            r#"{"rules": [{"code": 1}]}"#,
            r#"{"policy": {"quality": {"max_length": 100000000}}}"#,
        ] {
            let got = answer(bad, "Blue-Kettle-42");
            let error = got["error"].as_str().unwrap_or_else(|| {
                panic!("{bad:?} gave no error: {got}");
            });
            assert!(error.starts_with("rules JSON: "), "{bad:?}: {error}");
            assert!(!error.contains("Blue-Kettle-42"));
        }
    }

    #[test]
    fn an_empty_object_is_the_default_policy_without_names() {
        let got = answer("{}", "Blue-Kettle-42");
        assert_eq!(got["accepted"], true);
        assert_eq!(got["rules"], serde_json::json!([]));
    }
}
