//! The character-class rule: "use 3 of 4 of uppercase, lowercase, digits and
//! non-alphanumeric characters".
//!
//! Every code point of the NFKC-normalised password falls in at most one class,
//! decided by its Unicode general category:
//!
//! | category | class |
//! |---|---|
//! | `Lu`, `Lt` (uppercase, titlecase letters: `A`, `É`, `Ж`, `Σ`) | uppercase |
//! | `Ll` (lowercase letters: `a`, `é`, `ж`, `ß`) | lowercase |
//! | `Nd` (decimal digits of any script: `7`, `٣`, `७`) | digit |
//! | `Lo`, `Lm` (letters without case: `中`, `ש`, `ع`) | other letter: a fifth class only with `other_letters_class`, else none |
//! | `Mn`, `Mc`, `Me` (combining marks left after NFKC) | none: a mark belongs to its letter |
//! | everything else: punctuation, symbols (`€`, `©`, emoji), spaces, controls, `Nl`/`No` numbers that NFKC did not turn into digits | non-alphanumeric |
//!
//! NFKC runs first, so full-width `Ａ１` are an uppercase letter and a digit,
//! `①` is the digit `1`, and `e` + U+0301 is the one lowercase letter `é`.
//! Unlike Windows, currency symbols count as non-alphanumeric: the
//! organisation's rule says "non-alphanumeric", and `€` is not alphanumeric.

use unicode_properties::{GeneralCategory as Gc, UnicodeGeneralCategory};

use crate::verdict::{CharClass, Violation};

/// The class of one code point, or `None` for a combining mark.
pub fn classify(c: char) -> Option<CharClass> {
    if c.is_ascii() {
        return Some(match c {
            'A'..='Z' => CharClass::Uppercase,
            'a'..='z' => CharClass::Lowercase,
            '0'..='9' => CharClass::Digit,
            _ => CharClass::NonAlphanumeric,
        });
    }
    match c.general_category() {
        Gc::UppercaseLetter | Gc::TitlecaseLetter => Some(CharClass::Uppercase),
        Gc::LowercaseLetter => Some(CharClass::Lowercase),
        Gc::DecimalNumber => Some(CharClass::Digit),
        Gc::OtherLetter | Gc::ModifierLetter => Some(CharClass::OtherLetter),
        Gc::NonspacingMark | Gc::SpacingMark | Gc::EnclosingMark => None,
        _ => Some(CharClass::NonAlphanumeric),
    }
}

/// The set of classes present in a text, as a bit set over [`CharClass`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassSet(u8);

/// [`bit`] of each ASCII code point, for the loop most passwords take.
const ASCII_BITS: [u8; 128] = {
    let mut bits = [1 << CharClass::NonAlphanumeric as u8; 128];
    let mut b = 0;
    while b < 128 {
        bits[b] = match b as u8 {
            b'A'..=b'Z' => 1 << CharClass::Uppercase as u8,
            b'a'..=b'z' => 1 << CharClass::Lowercase as u8,
            b'0'..=b'9' => 1 << CharClass::Digit as u8,
            _ => 1 << CharClass::NonAlphanumeric as u8,
        };
        b += 1;
    }
    bits
};

/// Code points below this have their class bit in [`bits_table`].
const TABLE_END: u32 = 0x800;

/// The class bit of `c` (0 for a combining mark).
fn bit(c: char) -> u8 {
    classify(c).map_or(0, |class| 1 << class as u8)
}

/// [`bit`] for every code point below [`TABLE_END`] (Latin, Greek,
/// Cyrillic, Hebrew, Arabic…), computed once: a general-category lookup
/// is a search through hundreds of ranges.
fn bits_table() -> &'static [u8] {
    static TABLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (0..TABLE_END)
            .map(|n| char::from_u32(n).map_or(0, bit))
            .collect()
    })
}

impl ClassSet {
    /// The classes that appear in `text`.
    pub fn of(text: &str) -> ClassSet {
        let mut bits = 0u8;
        if text.is_ascii() {
            for b in text.bytes() {
                bits |= ASCII_BITS[usize::from(b & 0x7f)];
            }
        } else {
            for c in text.chars() {
                bits |= match bits_table().get(c as usize) {
                    Some(&b) => b,
                    None => bit(c),
                };
            }
        }
        ClassSet(bits)
    }

    /// Whether `class` appears.
    pub fn contains(self, class: CharClass) -> bool {
        self.0 & (1 << class as u8) != 0
    }
}

/// The classes that count under a policy: the four, plus other letters when
/// `other_letters_class` is on.
fn counted(other_letters_class: bool) -> &'static [CharClass] {
    if other_letters_class {
        &CharClass::ALL
    } else {
        &CharClass::ALL[..4]
    }
}

/// `too_few_classes` when `text` uses fewer than `required` counted classes.
pub fn check(text: &str, required: u8, other_letters_class: bool) -> Option<Violation> {
    if required == 0 {
        return None;
    }
    let present = ClassSet::of(text);
    let classes = counted(other_letters_class);
    let actual = classes.iter().filter(|&&c| present.contains(c)).count() as u8;
    (actual < required).then(|| Violation::TooFewClasses {
        required,
        actual,
        missing: classes
            .iter()
            .copied()
            .filter(|&c| !present.contains(c))
            .collect(),
    })
}

/// `too_few_classes` when `text` lacks a letter (of any case or script) or a
/// digit: PCI DSS's "both numeric and alphabetic characters", which no
/// count of the four classes says (3 of 4 can leave out the digits).
pub fn check_letters_and_digits(text: &str) -> Option<Violation> {
    let present = ClassSet::of(text);
    let letter = [
        CharClass::Uppercase,
        CharClass::Lowercase,
        CharClass::OtherLetter,
    ]
    .into_iter()
    .any(|c| present.contains(c))
        // A letter without case outside the fifth class still is a letter.
        || text.chars().any(char::is_alphabetic);
    let digit = present.contains(CharClass::Digit);
    (!letter || !digit).then_some(Violation::NoLetterOrDigit {
        letter: !letter,
        digit: !digit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Password;
    use CharClass::*;

    fn classes_of(raw: &str) -> Vec<Option<CharClass>> {
        Password::new(raw).expose().chars().map(classify).collect()
    }

    #[test]
    fn ascii_classes() {
        assert_eq!(
            classes_of("Aa0! \t~"),
            [
                Uppercase,
                Lowercase,
                Digit,
                NonAlphanumeric,
                NonAlphanumeric,
                NonAlphanumeric,
                NonAlphanumeric
            ]
            .map(Some)
        );
    }

    #[test]
    fn letters_of_other_scripts_have_case() {
        assert_eq!(classes_of("ÉЖΣ"), [Some(Uppercase); 3]);
        assert_eq!(classes_of("éжσß"), [Some(Lowercase); 4]);
    }

    #[test]
    fn digits_of_any_script_count_and_compatibility_forms_fold() {
        assert_eq!(classes_of("٣७"), [Some(Digit); 2]);
        assert_eq!(classes_of("１①²"), [Some(Digit); 3]);
        assert_eq!(classes_of("Ａ"), [Some(Uppercase)]);
    }

    #[test]
    fn symbols_spaces_and_emoji_are_non_alphanumeric() {
        for s in ["€", "£", "©", "😀", " ", "\u{3000}", "¿", "\u{7f}"] {
            assert_eq!(classes_of(s), [Some(NonAlphanumeric)], "{s:?}");
        }
    }

    #[test]
    fn caseless_letters_and_marks() {
        assert_eq!(classes_of("中ש"), [Some(OtherLetter); 2]);
        // U+0308 after `q` has no precomposed form, so it stays a lone mark.
        assert_eq!(classes_of("q\u{308}"), [Some(Lowercase), None]);
    }

    #[test]
    fn the_table_and_the_lookup_agree() {
        for c in (0..TABLE_END).filter_map(char::from_u32) {
            assert_eq!(ClassSet::of(c.encode_utf8(&mut [0; 4])).0, bit(c), "{c:?}");
        }
    }

    #[test]
    fn three_of_four() {
        assert_eq!(check("Password1", 3, false), None);
        assert_eq!(
            check("password1", 3, false),
            Some(Violation::TooFewClasses {
                required: 3,
                actual: 2,
                missing: vec![Uppercase, NonAlphanumeric]
            })
        );
        assert_eq!(check("", 0, false), None);
    }

    #[test]
    fn letters_and_digits_of_any_script() {
        assert_eq!(check_letters_and_digits("kettle42"), None);
        assert_eq!(check_letters_and_digits("中文٣"), None);
        assert_eq!(
            check_letters_and_digits("Kettle-Blue!"),
            Some(Violation::NoLetterOrDigit {
                letter: false,
                digit: true
            })
        );
        assert_eq!(
            check_letters_and_digits("!!"),
            Some(Violation::NoLetterOrDigit {
                letter: true,
                digit: true
            })
        );
    }

    #[test]
    fn other_letters_count_only_when_enabled() {
        assert!(check("中文abC12", 3, false).is_none());
        assert!(check("中文中文12", 3, false).is_some());
        assert!(check("中文中文12!", 3, false).is_some());
        assert!(check("中文中文12!", 3, true).is_none());
        assert!(check("中文中文1x", 4, true).is_some());
        assert!(check("中文中文1x!", 4, true).is_none());
    }
}
