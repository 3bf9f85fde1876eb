//! The policy's rules in words, as people are told them before they
//! choose a password: in a reminder mail, at a password prompt. Worded
//! from the rules in force (a class's, for its members) and only for the
//! rules that are on, one short clause each.

use crate::policy::{NameCheck, Policy, Remember};

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
