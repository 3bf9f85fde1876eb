//! The guessability rule: zxcvbn's estimate of how many guesses an attacker
//! needs, as a score from 0 ("too guessable": under 10³ guesses) to 4 ("very
//! unguessable": 10¹⁰ or more), must reach the policy's `min_score`.
//!
//! zxcvbn knows common passwords, English words, names and surnames, keyboard
//! walks, repeats, sequences, dates and l33t substitutions, so it catches
//! `P@ssw0rd2024!`, which every composition rule lets through. The user's own
//! words go in as user inputs: the account name, the full-name tokens and the
//! policy's banned words, so `Hagens2024!` scores as a name and a year.
//!
//! Cost is bounded here, not left to the crate: only the first
//! [`MAX_SCORED_CHARS`] code points are scored (zxcvbn's matching grows with
//! the square of the length). Cutting a password short can only lower its
//! estimate, so the bound errs towards refusing, and a password of 100
//! characters that are not one long repeat scores 4 anyway.
//!
//! Two things zxcvbn does that the rest of the core does not: it reads the
//! clock (the current year, so that `2026` is "a recent year"; and a timer for
//! its own statistics, which is not used), and it copies parts of the
//! password into buffers it frees without wiping. Both are documented in
//! `docs/security.md`.

use zeroize::Zeroizing;

use crate::verdict::Violation;

/// The highest score zxcvbn gives.
pub const MAX_SCORE: u8 = 4;

/// Code points of a password that are scored; the rest is not looked at.
pub const MAX_SCORED_CHARS: usize = 100;

/// `too_guessable` when `password` (NFKC) scores below `min_score`, with
/// zxcvbn's warning and suggestions as advice. `inputs` are the user's own
/// words (names, banned words), which zxcvbn treats as the first words an
/// attacker would try.
pub fn check(password: &str, min_score: u8, inputs: &[&str]) -> Option<Violation> {
    if min_score == 0 {
        return None;
    }
    let scored: Zeroizing<String> =
        Zeroizing::new(password.chars().take(MAX_SCORED_CHARS).collect());
    let entropy = zxcvbn::zxcvbn(&scored, inputs);
    let score = u8::from(entropy.score());
    if score >= min_score {
        return None;
    }
    let (warning, suggestions) = match entropy.feedback() {
        Some(feedback) => (
            feedback.warning().map(|w| sentence(&w.to_string())),
            feedback
                .suggestions()
                .iter()
                .map(|s| sentence(&s.to_string()))
                .collect(),
        ),
        // zxcvbn gives no feedback from score 3 on: a score-3 password under
        // `min_score = 4` is refused with the advice that always helps.
        None => (None, vec![ADD_A_WORD.to_owned()]),
    };
    Some(Violation::TooGuessable {
        score,
        min_score,
        warning,
        suggestions,
    })
}

/// Advice for a password zxcvbn has no more to say about.
const ADD_A_WORD: &str = "add another word or two; uncommon words are better";

/// zxcvbn's `"Add another word or two. Uncommon words are better."` as our
/// messages write clauses: lower case first, no full stops.
fn sentence(text: &str) -> String {
    text.trim()
        .trim_end_matches('.')
        .split(". ")
        .map(|clause| {
            let mut chars = clause.chars();
            chars
                .next()
                .map(|first| first.to_lowercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score_of(violation: Option<Violation>) -> Option<u8> {
        match violation {
            Some(Violation::TooGuessable { score, .. }) => Some(score),
            _ => None,
        }
    }

    #[test]
    fn composition_rules_pass_what_zxcvbn_refuses() {
        // Four classes, twelve characters, and a dictionary word with l33t
        // substitutions and a year.
        let v = check("P@ssw0rd2024!", 3, &[]);
        assert!(score_of(v.clone()).is_some_and(|s| s < 3), "{v:?}");
        assert_eq!(check("correct-Horse-battery-42", 3, &[]), None);
    }

    #[test]
    fn the_users_own_words_count_against_them() {
        let alone = score_of(check("Hagens!Kettle", 4, &[]));
        let known = score_of(check("Hagens!Kettle", 4, &["ehagens", "erin", "hagens"]));
        assert!(known < alone || alone.is_none(), "{alone:?} {known:?}");
    }

    #[test]
    fn zero_checks_nothing_and_the_advice_is_ours_in_form() {
        assert_eq!(check("password", 0, &[]), None);
        let Some(Violation::TooGuessable {
            score,
            min_score,
            warning,
            suggestions,
        }) = check("password", 2, &[])
        else {
            panic!("`password` must be refused");
        };
        assert_eq!((score, min_score), (0, 2));
        assert_eq!(warning.as_deref(), Some("this is a top-10 common password"));
        assert!(!suggestions.is_empty());
        for s in &suggestions {
            assert!(
                !s.ends_with('.') && !s.starts_with(char::is_uppercase),
                "{s}"
            );
        }
    }

    #[test]
    fn a_score_3_password_under_min_score_4_still_gets_advice() {
        let Some(Violation::TooGuessable {
            score: 3,
            warning: None,
            suggestions,
            ..
        }) = check("Qm7#vL2pX9", 4, &[])
        else {
            panic!("a random 10 characters score 3");
        };
        assert_eq!(suggestions, [ADD_A_WORD]);
    }

    #[test]
    fn only_the_first_hundred_characters_are_scored() {
        // The same 100-character start, with and without a tail: same verdict.
        let head: String = "aaaaaaaaaa".repeat(10);
        let with_tail = format!("{head}Xq7#vL9!pZ2@mK4$");
        assert_eq!(check(&head, 3, &[]), check(&with_tail, 3, &[]));
    }

    #[test]
    fn sentences_become_clauses() {
        assert_eq!(
            sentence("Add another word or two. Uncommon words are better."),
            ADD_A_WORD
        );
        assert_eq!(sentence(""), "");
    }
}
