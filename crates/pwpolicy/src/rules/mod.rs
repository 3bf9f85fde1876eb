//! The rules on the text of a password, one file each:
//! [`length`], [`classes`] ("3 of 4"), [`names`], and the opt-in
//! [`runs`] (pwquality's maxrepeat and maxsequence), [`banned`] words and
//! [`guessability`] (zxcvbn).

pub mod banned;
pub mod classes;
pub mod guessability;
pub mod length;
pub mod names;
pub mod runs;

use crate::policy::Policy;
use crate::secret::Password;
use crate::verdict::{Verdict, Violation};
use names::Names;

impl Policy {
    /// Checks a password against the text rules (length, classes, names,
    /// and when the policy turns them on, banned words and guessability) and
    /// returns every violation; a password longer than `max_length` is told
    /// only that, so no rule's work grows past the policy's own bound. History and minimum age need state and are
    /// checked with [`crate::Hasher::contains`] and [`crate::ExpiryRules::check_min_age`].
    ///
    /// ```
    /// use pwpolicy::{Names, Password, Policy};
    ///
    /// let policy = Policy::default();
    /// let names = Names::new("ehagens", "Erin M. Hagens");
    /// let verdict = policy.check(&Password::new("hagens"), &names);
    /// let codes: Vec<_> = verdict.violations().iter().map(|v| v.code()).collect();
    /// assert_eq!(codes, ["too_short", "too_few_classes", "contains_name_part"]);
    /// assert!(policy.check(&Password::new("Tr0ub4dor&3"), &names).is_accepted());
    /// ```
    pub fn check(&self, password: &Password, names: &Names) -> Verdict {
        let q = &self.quality;
        let text = password.expose();
        let mut verdict = Verdict::new();
        if let Some(v) = length::check(password.char_count(), q.min_length, q.max_length) {
            // Past the maximum, that is the one reason: every other rule
            // would run over text the policy refuses anyway, and NFKC can
            // make a short input very long (U+FDFB is 18 code points), so
            // their work would be the caller's to choose.
            let too_long = matches!(v, Violation::TooLong { .. });
            verdict.push(v);
            if too_long {
                return verdict;
            }
        }
        // One `too_few_classes` at most: a missing letter or digit is told
        // once the class count is met.
        if let Some(v) = classes::check(text, q.min_classes, q.other_letters_class).or_else(|| {
            q.letters_and_digits
                .then(|| classes::check_letters_and_digits(text))
                .flatten()
        }) {
            verdict.push(v);
        }
        for v in names.check(text, q.name_check) {
            verdict.push(v);
        }
        if let Some(v) = runs::repeats(text, q.max_repeat) {
            verdict.push(v);
        }
        if let Some(v) = runs::sequence(text, q.max_sequence) {
            verdict.push(v);
        }
        if self.banned.is_found_in(text) {
            verdict.push(Violation::ContainsBannedWord);
        }
        if let Some(min_score) = self.guessability.min_score {
            let inputs: Vec<&str> = names
                .inputs()
                .chain(self.banned.words.iter().map(String::as_str))
                .collect();
            if let Some(v) = guessability::check(text, min_score, &inputs) {
                verdict.push(v);
            }
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_maximum_length_is_the_one_reason() {
        // Issue 27's amplification: 8,000 of U+FDFB are 144,000 code points
        // after NFKC; with 10,800 of U+FDFA as the full name every rule used
        // to run over all of it (and said too_few_classes besides).
        let names = Names::new("erin", &"\u{fdfa}".repeat(10_800));
        let verdict = Policy::default().check(&Password::new(&"\u{fdfb}".repeat(8_000)), &names);
        let codes: Vec<_> = verdict.violations().iter().map(|v| v.code()).collect();
        assert_eq!(codes, ["too_long"]);
    }
}
