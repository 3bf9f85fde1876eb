//! A password's *stem*: what stays of it when the parts people change from
//! one password to the next are taken away, so that `Summer#2025` is known
//! for `Summer#2024` again although only hashes of the old one are kept.
//!
//! The stem of a password (NFKC already) is made in three steps:
//!
//! 1. Unicode case folding;
//! 2. a run of digits and the look-alikes `@ $ € §` with a letter right
//!    before and right after it is read as letters, by the table of
//!    [`crate::rules::banned`] (`p@ssw0rd` → `password`, `w1nt3r` →
//!    `winter`); every other digit and symbol is dropped, so years,
//!    counters and punctuation at either end or between words go
//!    (`Summer#2024`, `2025summer!` → `summer`). Symbols that also stand for
//!    letters in the banned-word table (`! | + # ( <`…) are dropped here even
//!    between letters, because people use them as separators, and a
//!    separator changed (`Zebra-Cloud-58` → `Zebra!Cloud!2026`) is still
//!    the same password;
//! 3. `l` is read as `i`, as `1` is, so `he11o` and `hello` agree.
//!
//! A stem of fewer than [`MIN_STEM_CHARS`] letters says too little (all of
//! `12345678!` is digits and symbols): such a password has no stem and is
//! compared with no other.
//!
//! What it costs: a password whose letters, so read, are those of an earlier
//! one is refused, even if the user meant it as new (`Blue-Kettle-42` after
//! `Blue-Kettle-17`), which is the point; two passwords whose letters differ
//! are never called similar, however alike their digits. A stem is weaker
//! than a password (fewer guesses to find it), so it is stored only as an
//! argon2id hash with the user's salt, at the history's cost, keyed with the
//! pepper when there is one ([`crate::Hasher::hash_stem`]), and never in
//! clear; see `docs/security.md` for the trade-off.

use std::fmt;

use zeroize::Zeroizing;

use crate::rules::banned::look_alike;
use crate::secret::{Password, fold};

/// Stems shorter than this many characters are not compared.
pub const MIN_STEM_CHARS: usize = 4;

/// A password's stem, wiped on drop and never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Stem(Zeroizing<String>);

impl Stem {
    /// The stem of `password`, or `None` when it has fewer than
    /// [`MIN_STEM_CHARS`] letters.
    pub fn of(password: &Password) -> Option<Stem> {
        let folded: Zeroizing<Vec<char>> =
            Zeroizing::new(fold(password.expose()).chars().collect());
        let mut out = Zeroizing::new(String::with_capacity(folded.len()));
        let mut i = 0;
        while i < folded.len() {
            let c = folded[i];
            if c.is_alphabetic() {
                out.push(if c == 'l' { 'i' } else { c });
                i += 1;
                continue;
            }
            // A run of look-alikes: letters only between letters.
            let end = (i..folded.len())
                .find(|&j| inside_word(folded[j]).is_none() || folded[j].is_alphabetic())
                .unwrap_or(folded.len());
            let inside = end > i
                && i > 0
                && folded[i - 1].is_alphabetic()
                && folded.get(end).is_some_and(|c| c.is_alphabetic());
            if inside {
                out.extend(folded[i..end].iter().filter_map(|&c| inside_word(c)));
            }
            i = end.max(i + 1);
        }
        (out.chars().count() >= MIN_STEM_CHARS).then(|| Stem(out))
    }

    /// The stem's text. Handle with care: never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The letter a character stands for between letters: digits and the
/// look-alikes that are rarely separators.
fn inside_word(c: char) -> Option<char> {
    match c {
        '0'..='9' | '@' | '$' | '€' | '§' => look_alike(c),
        _ => None,
    }
}

impl fmt::Debug for Stem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Stem(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stem(p: &str) -> Option<String> {
        Stem::of(&Password::new(p)).map(|s| s.expose().to_owned())
    }

    #[test]
    fn changed_digits_symbols_case_and_look_alikes_leave_the_stem() {
        for (a, b) in [
            ("Summer#2024", "Summer#2025"),
            ("Summer#2024", "summer2026!"),
            ("2025Summer!", "Summer"),
            ("P@ssw0rd1", "password!!"),
            ("W1nt3r-2019!", "winter"),
            ("Blue-Kettle-42", "blue kettle 17"),
            ("he11o-World", "hello world"),
            ("Zebra-Cloud-58", "Zebra!Cloud!2026"),
            ("Blue+Kettle", "blue_kettle#9"),
            ("ＳＵＭＭＥＲ2024", "summer"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
            assert!(stem(a).is_some(), "{a}");
        }
        assert_eq!(stem("P@ssw0rd1").as_deref(), Some("password"));
        assert_eq!(stem("Tr0ub4dor&3").as_deref(), Some("troubador"));
    }

    #[test]
    fn different_letters_are_different_stems() {
        for (a, b) in [
            ("Summer#2024", "Winter#2024"),
            ("Blue-Kettle-42", "Red-Kettle-42"),
            ("correct-horse", "correct-house"),
        ] {
            assert_ne!(stem(a), stem(b), "{a} / {b}");
        }
    }

    #[test]
    fn too_few_letters_is_no_stem() {
        assert_eq!(stem("12345678!"), None);
        assert_eq!(stem("abc-2024-!!"), None);
        assert_eq!(stem("1!|0"), None);
        assert!(stem("abcd-2024").is_some());
    }

    #[test]
    fn a_stem_never_prints() {
        let s = Stem::of(&Password::new("Summer#2024")).unwrap();
        assert_eq!(format!("{s:?}"), "Stem(<redacted>)");
    }

    proptest! {
        /// Two passwords built from different words of the same length,
        /// with any digits and symbols around them, are never similar.
        #[test]
        fn unrelated_passwords_of_the_same_length_are_not_similar(
            (a, b, pads) in (5usize..12).prop_flat_map(|n| (
                proptest::string::string_regex(&format!("[a-z]{{{n}}}")).unwrap(),
                proptest::string::string_regex(&format!("[a-z]{{{n}}}")).unwrap(),
                proptest::collection::vec("[0-9!#%&*?-]{0,3}", 4),
            )),
        ) {
            prop_assume!(stem(&a) != stem(&b));
            let x = format!("{}{a}{}", pads[0], pads[1]);
            let y = format!("{}{b}{}", pads[2], pads[3]);
            prop_assert_ne!(stem(&x), stem(&y), "{} / {}", x, y);
        }

        /// A word dressed up with other digits, symbols and case stays one stem.
        #[test]
        fn a_word_with_new_digits_and_case_is_similar(
            word in "[a-z]{4,12}",
            before in "[0-9!#%&*?]{0,4}",
            after in "[0-9!#%&*?]{0,6}",
            upper in any::<bool>(),
        ) {
            let dressed = if upper { word.to_uppercase() } else { word.clone() };
            let dressed = format!("{before}{dressed}{after}");
            prop_assert_eq!(stem(&dressed), stem(&word));
        }
    }
}
