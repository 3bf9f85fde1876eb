//! The policy's rules in words, as people are told them before they
//! choose a password: in a reminder mail, at a password prompt. Worded
//! from the rules in force (a class's, for its members) and only for the
//! rules that are on, one short clause each.

use serde::{Deserialize, Serialize};

use crate::policy::{NameCheck, Policy, Remember};

/// One rule a new password must meet, as a page lists it beside the field:
/// the violation code it answers to, its words, and whether it can be told
/// while the password is typed or only once it is submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShownRule {
    /// The violation code a password that breaks this rule gets
    /// ([`crate::Violation::code`]).
    pub code: String,
    /// The rule, as a clause to follow "A new password must be".
    pub words: String,
    /// Only the server can tell (the history, the breached list, the
    /// banned-word file, the minimum age): checked on submit.
    pub on_submit: bool,
}

impl ShownRule {
    fn new(code: &str, words: impl Into<String>, on_submit: bool) -> ShownRule {
        ShownRule {
            code: code.to_owned(),
            words: words.into(),
            on_submit,
        }
    }
}

impl Policy {
    /// The rules a new password must meet, one clause each, to follow "A
    /// new password must be" or a bullet: `at least 8 characters long`, …
    ///
    /// ```
    /// let rules = pwpolicy::Policy::default().rules_in_words();
    /// assert_eq!(rules[0], "at least 8 characters long");
    /// assert!(rules[1].starts_with("made of at least 3 of"));
    /// ```
    pub fn rules_in_words(&self) -> Vec<String> {
        let q = &self.quality;
        let mut rules = Vec::new();
        if q.min_length > 0 {
            rules.push(format!("at least {} characters long", q.min_length));
        }
        if q.min_classes > 0 {
            let fifth = if q.other_letters_class {
                ", symbols and letters without case"
            } else {
                " and symbols"
            };
            rules.push(format!(
                "made of at least {} of: uppercase letters, lowercase letters, digits{fifth}",
                q.min_classes
            ));
        }
        if q.letters_and_digits {
            rules.push("made of letters and digits both".to_owned());
        }
        match q.name_check {
            NameCheck::Windows => rules.push(
                "free of your account name and of every part of your full name longer than \
                 two characters"
                    .to_owned(),
            ),
            NameCheck::Strict => rules.push(
                "free of any three characters in a row of your account name or full name"
                    .to_owned(),
            ),
            NameCheck::Off => {}
        }
        if q.max_repeat > 0 {
            rules.push(format!(
                "free of any character more than {} times in a row",
                q.max_repeat
            ));
        }
        if q.max_sequence > 0 {
            rules.push(format!(
                "free of runs of more than {} characters in order, like abcd or 4321",
                q.max_sequence
            ));
        }
        let variation = if self.history.similarity {
            ", nor a variation of one"
        } else {
            ""
        };
        match self.history.remember {
            Remember::All => rules.push(format!("not one you have used before{variation}")),
            Remember::Last(0) => {}
            Remember::Last(1) => rules.push(format!("not your current one{variation}")),
            Remember::Last(n) => rules.push(format!("not one of your last {n}{variation}")),
        }
        if !self.banned.words.is_empty() || self.banned.file.is_some() {
            rules.push(
                "free of the organisation's banned words, however they are written".to_owned(),
            );
        }
        if self.breached.file.is_some() {
            rules.push("not in a list of passwords known to be breached".to_owned());
        }
        if let Some(score) = self.guessability.min_score {
            rules.push(format!("hard to guess (strength {score} of 4 or more)"));
        }
        rules
    }

    /// The rules in force, one for each violation code they can give, in the
    /// order [`Policy::rules_in_words`] tells them: what a page ticks off as
    /// a password is typed ([`ShownRule::on_submit`] false, decided by
    /// [`Policy::check`]) and what the server tells on submit.
    ///
    /// ```
    /// let codes: Vec<String> = pwpolicy::Policy::default()
    ///     .rules_shown()
    ///     .into_iter()
    ///     .map(|r| r.code)
    ///     .collect();
    /// assert_eq!(
    ///     codes,
    ///     ["too_short", "too_few_classes", "contains_account_name", "contains_name_part", "reused"]
    /// );
    /// ```
    pub fn rules_shown(&self) -> Vec<ShownRule> {
        let q = &self.quality;
        let mut rules = Vec::new();
        let words = self.rules_in_words();
        let mut words = words.iter();
        let mut next = || words.next().cloned().unwrap_or_default();
        if q.min_length > 0 {
            rules.push(ShownRule::new("too_short", next(), false));
        }
        if q.min_classes > 0 || q.letters_and_digits {
            let mut clause = Vec::new();
            if q.min_classes > 0 {
                clause.push(next());
            }
            if q.letters_and_digits {
                clause.push(next());
            }
            rules.push(ShownRule::new(
                "too_few_classes",
                clause.join(", and "),
                false,
            ));
        }
        match q.name_check {
            NameCheck::Windows => {
                next();
                rules.push(ShownRule::new(
                    "contains_account_name",
                    "free of your account name",
                    false,
                ));
                rules.push(ShownRule::new(
                    "contains_name_part",
                    "free of every part of your full name longer than two characters",
                    false,
                ));
            }
            NameCheck::Strict => {
                next();
                rules.push(ShownRule::new(
                    "contains_account_name",
                    "free of any three characters in a row of your account name",
                    false,
                ));
                rules.push(ShownRule::new(
                    "contains_name_part",
                    "free of any three characters in a row of your full name",
                    false,
                ));
            }
            NameCheck::Off => {}
        }
        if q.max_repeat > 0 {
            rules.push(ShownRule::new("too_many_repeats", next(), false));
        }
        if q.max_sequence > 0 {
            rules.push(ShownRule::new("contains_sequence", next(), false));
        }
        if self.history.remember != Remember::Last(0) {
            let clause = next();
            // The similarity clause rides on the history's ("…, nor a
            // variation of one"); on a page it is a rule of its own.
            let plain = clause.trim_end_matches(", nor a variation of one");
            rules.push(ShownRule::new("reused", plain, true));
            if self.history.similarity {
                rules.push(ShownRule::new(
                    "similar_to_history",
                    "not a variation of a password you have used before",
                    true,
                ));
            }
        }
        if self.expiry.min_age_days > 0 {
            rules.push(ShownRule::new(
                "too_recent",
                format!("changed at most once in {} days", self.expiry.min_age_days),
                true,
            ));
        }
        if !self.banned.words.is_empty() || self.banned.file.is_some() {
            rules.push(ShownRule::new("contains_banned_word", next(), true));
        }
        if self.breached.file.is_some() {
            rules.push(ShownRule::new("breached", next(), true));
        }
        if self.guessability.min_score.is_some() {
            rules.push(ShownRule::new("too_guessable", next(), false));
        }
        rules
    }

    /// The rules as told once before the first "New password:" prompt: a
    /// heading and one short line each, the same words as
    /// [`Policy::rules_in_words`]. Empty when no rule is on.
    ///
    /// ```
    /// let intro = pwpolicy::Policy::default().rules_before_prompt();
    /// assert!(intro.starts_with("A new password must be:\n  - at least 8 characters long\n"));
    /// ```
    pub fn rules_before_prompt(&self) -> String {
        let rules = self.rules_in_words();
        if rules.is_empty() {
            return String::new();
        }
        let mut text = String::from("A new password must be:");
        for rule in rules {
            text.push_str("\n  - ");
            text.push_str(&rule);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_organisations_policy_in_words() {
        assert_eq!(
            Policy::default().rules_in_words(),
            [
                "at least 8 characters long",
                "made of at least 3 of: uppercase letters, lowercase letters, digits and symbols",
                "free of your account name and of every part of your full name longer than two \
                 characters",
                "not one you have used before",
            ]
        );
    }

    #[test]
    fn every_rule_shown_once_and_the_typed_ones_are_what_check_decides() {
        let policy = Policy::from_toml(
            "[quality]\nletters_and_digits = true\nmax_repeat = 3\nmax_sequence = 4\n\
             [expiry]\nmin_age_days = 1\n\
             [history]\nsimilarity = true\n[banned]\nwords = [\"acme\"]\n\
             [guessability]\nmin_score = 3\n",
        )
        .unwrap();
        let shown = policy.rules_shown();
        let codes: Vec<&str> = shown.iter().map(|r| r.code.as_str()).collect();
        let mut unique = codes.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), codes.len(), "{codes:?}");
        assert!(shown.iter().all(|r| !r.words.is_empty()), "{shown:?}");
        // Every violation the check itself gives (it sees no history, list or
        // clock) is a rule shown as typed; the server's are shown on submit.
        let names = crate::Names::new("ehagens", "Erin M. Hagens");
        for password in [
            "aaaa",
            "ehagens-1234567",
            "Hagens#Acme",
            "abcdeXX!!!!1",
            "password",
        ] {
            let verdict = policy.check(&crate::Password::new(password), &names);
            for v in verdict.violations() {
                if v.code() == "too_long" {
                    continue;
                }
                let rule = shown.iter().find(|r| r.code == v.code());
                assert!(rule.is_some(), "{} not shown", v.code());
            }
        }
        let on_submit: Vec<&str> = shown
            .iter()
            .filter(|r| r.on_submit)
            .map(|r| r.code.as_str())
            .collect();
        assert_eq!(
            on_submit,
            [
                "reused",
                "similar_to_history",
                "too_recent",
                "contains_banned_word"
            ]
        );
        assert_eq!(
            shown.iter().find(|r| r.code == "reused").unwrap().words,
            "not one you have used before"
        );
    }

    #[test]
    fn the_prompts_intro_is_short_enough_for_a_login_prompt() {
        let intro = Policy::default().rules_before_prompt();
        assert_eq!(intro.lines().count(), 5, "{intro}");
        assert!(intro.lines().all(|l| l.len() <= 100), "{intro}");
        let none = Policy::from_toml(
            "[quality]\nmin_length = 0\nmin_classes = 0\nname_check = \"off\"\n\
             [history]\nremember = 0\n",
        )
        .unwrap();
        assert_eq!(none.rules_before_prompt(), "");
    }

    #[test]
    fn only_the_rules_that_are_on_and_a_classs_own_values() {
        let p = Policy::from_toml(
            "profile = \"nist-800-63b-4\"\n[history]\nremember = 4\nsimilarity = true\n\
             [guessability]\nmin_score = 3\n[banned]\nwords = [\"acme\"]\n\
             [[accounts.class]]\nname = \"admins\"\nusers = [\"ada\"]\nmin_length = 20\n",
        )
        .unwrap();
        let words = p.rules_in_words();
        assert_eq!(words[0], "at least 15 characters long");
        assert!(!words.iter().any(|w| w.contains("uppercase")), "{words:?}");
        assert!(words.contains(&"not one of your last 4, nor a variation of one".to_owned()));
        assert!(words.iter().any(|w| w.contains("banned words")));
        assert!(words.iter().any(|w| w.contains("strength 3 of 4")));
        let admin = p.accounts.class[0].apply(&p).rules_in_words();
        assert_eq!(admin[0], "at least 20 characters long");
    }
}
