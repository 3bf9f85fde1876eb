//! What the page is told once an account is named: the rules in force for
//! it, and the names the name rule needs, so that the core compiled to
//! WebAssembly gives the same verdict as it does everywhere else.
//!
//! Only what the browser can decide goes there (the quality rules and the
//! guessability score); the history, the lists and the minimum age stay on
//! the server and are told on submit (their rules are listed with
//! `on_submit`). An unknown account gets an answer of the same shape: the
//! default class's rules and no full name.

use serde::Serialize;

use pwpolicy::{Policy, ShownRule};

/// The longest account name the page takes (Active Directory's
/// `sAMAccountName` is 20 characters, NSS names are shorter than this).
pub const MAX_USER_BYTES: usize = 256;

/// The answer to `GET /api/rules?user=NAME`.
#[derive(Debug, Serialize)]
pub struct RulesAnswer {
    /// The account, as typed.
    pub user: String,
    /// Its full name, for the name rule; empty when unknown.
    pub full_name: String,
    /// The policy the browser checks with: the account's class's quality
    /// and guessability rules over defaults.
    pub policy: Policy,
    /// Every rule in force, as [`Policy::rules_shown`] lists them.
    pub rules: Vec<ShownRule>,
}

/// The answer for `user` under `effective` (its class's policy).
pub fn answer(user: &str, full_name: &str, effective: &Policy) -> RulesAnswer {
    RulesAnswer {
        user: user.to_owned(),
        full_name: full_name.to_owned(),
        policy: browser_policy(effective),
        rules: effective.rules_shown(),
    }
}

/// The part of `effective` a browser can check: its quality and
/// guessability rules; nothing of the store, the lists, the directory or
/// the mail settings leaves the server.
pub fn browser_policy(effective: &Policy) -> Policy {
    let mut policy = Policy::default();
    policy.quality = effective.quality.clone();
    policy.guessability = effective.guessability.clone();
    // The browser has no history: it must not pretend to check one.
    policy.history.remember = pwpolicy::Remember::Last(0);
    policy
}

/// Whether `user` is an account name the page looks up at all: not empty,
/// not too long, no control characters.
pub fn plausible_user(user: &str) -> bool {
    !user.is_empty() && user.len() <= MAX_USER_BYTES && !user.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_gets_the_quality_rules_and_nothing_else() {
        let policy = Policy::from_toml(
            "[quality]\nmin_length = 12\n[breached]\nfile = \"/x\"\n\
             [directory]\nurl = \"ldaps://dc\"\nbind_dn = \"cn=x\"\nbind_password_file = \"/secret\"\n",
        )
        .unwrap();
        let a = answer("erin", "Erin Hagens", &policy);
        let json = serde_json::to_string(&a).unwrap();
        assert!(!json.contains("/secret") && !json.contains("ldaps") && !json.contains("/x"));
        assert_eq!(a.policy.quality.min_length, 12);
        // The breached rule is still listed, to be told on submit.
        assert!(a.rules.iter().any(|r| r.code == "breached" && r.on_submit));
        // What the browser gets parses back as a policy the core takes.
        let back: Policy =
            serde_json::from_value(serde_json::to_value(&a.policy).unwrap()).unwrap();
        assert_eq!(back, a.policy);
    }

    #[test]
    fn implausible_names_are_not_looked_up() {
        assert!(plausible_user("erin"));
        assert!(!plausible_user(""));
        assert!(!plausible_user("a\nb"));
        assert!(!plausible_user(&"a".repeat(MAX_USER_BYTES + 1)));
    }
}
