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
//! Cost is bounded here, not left to the crate: zxcvbn's matching grows
//! with the square of the length and, through its l33t tables, with every
//! look-alike character (64 characters of `P@$$w0rd!4e3` cost it 9 ms), so
//! only the first [`MAX_SCORED_CHARS`] code points are scored, keeping a
//! check under 0.3 ms at any length (see `benches/`). What the bound gives
//! up: weakness after the 16th character. A password that only repeats a
//! shorter one (`Summer2025!Summer2025!`) is scored as that shorter one, so
//! the commonest long weak form is still caught; past that, long passwords
//! are judged by their start, and the other rules see all of them.
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
pub const MAX_SCORED_CHARS: usize = 16;

/// `too_guessable` when `password` (NFKC) scores below `min_score`, with
/// zxcvbn's warning and suggestions as advice. `inputs` are the user's own
/// words (names, banned words), which zxcvbn treats as the first words an
/// attacker would try.
pub fn check(password: &str, min_score: u8, inputs: &[&str]) -> Option<Violation> {
    if min_score == 0 {
        return None;
    }
    let scored = scored_part(password);
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

/// What zxcvbn is shown: the shortest unit `password` repeats (if it is
/// nothing but repeats of one), then at most [`MAX_SCORED_CHARS`] of it.
fn scored_part(password: &str) -> Zeroizing<String> {
    let chars: Zeroizing<Vec<char>> = Zeroizing::new(password.chars().collect());
    let unit = &chars[..shortest_period(&chars)];
    Zeroizing::new(unit.iter().take(MAX_SCORED_CHARS).collect())
}

/// The length of the shortest unit that `chars` repeats (the last repeat
/// may be cut short), if it repeats one at least twice; else its length.
fn shortest_period(chars: &[char]) -> usize {
    // Knuth–Morris–Pratt's failure function: the longest proper prefix
    // that is also a suffix; the period is the length minus that.
    let mut border = vec![0usize; chars.len()];
    for i in 1..chars.len() {
        let mut k = border[i - 1];
        while k > 0 && chars[i] != chars[k] {
            k = border[k - 1];
        }
        if chars[i] == chars[k] {
            k += 1;
        }
        border[i] = k;
    }
    let period = chars.len() - border.last().copied().unwrap_or(0);
    if period * 2 <= chars.len() {
        period
    } else {
        chars.len()
    }
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
        // Under min_score 4 a score of 4 is no violation: read that as 4.
        let score = |inputs: &[&str]| score_of(check("Hagens!Kettle", 4, inputs)).unwrap_or(4);
        let (alone, known) = (score(&[]), score(&["ehagens", "erin", "hagens"]));
        assert!(known < alone, "{alone} {known}");
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
    fn only_the_first_sixteen_characters_are_scored() {
        let head = "Kettle-Blue-Ox-9";
        assert_eq!(head.chars().count(), MAX_SCORED_CHARS);
        for tail in [
            "",
            "password",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert_eq!(
                check(&format!("{head}{tail}"), 3, &[]),
                check(head, 3, &[]),
                "{tail}"
            );
        }
    }

    #[test]
    fn a_password_that_repeats_a_shorter_one_is_scored_as_that_one() {
        assert_eq!(shortest_period(&['a', 'b', 'a', 'b', 'a']), 2);
        assert_eq!(shortest_period(&['a', 'b', 'c', 'a', 'b']), 5, "not twice");
        assert_eq!(shortest_period(&[]), 0);
        // Cut at 16 it would read `Summer2025!Summe`, which zxcvbn scores 4.
        assert_eq!(
            check("Summer2025!Summer2025!", 3, &[]),
            check("Summer2025!", 3, &[])
        );
        assert!(check("Summer2025!Summer2025!", 3, &[]).is_some());
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
