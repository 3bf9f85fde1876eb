//! The banned-word rule: the organisation's own words (its name, its
//! schools, the trust, the town) may not appear in a password, however they
//! are dressed up.
//!
//! Password and words are both brought to a *skeleton* before matching:
//!
//! 1. NFKC (the password already is); then, in text that is not all ASCII,
//!    each non-ASCII character becomes the characters Unicode's confusables
//!    ([UTS #39](https://www.unicode.org/reports/tr39/#Confusable_Detection),
//!    its skeleton's prototypes) say it looks like — Cyrillic `А` `с` `е`
//!    and Greek `ϲ` become Latin `A` `c` `e`, `é` becomes `e` — and
//!    nonspacing and enclosing marks (accents, `U+0301` added to any letter)
//!    are dropped; the few prototypes that are small capitals or a barred
//!    `c` (from `м` `в` `н` `т` `к` `ь` `ε` `τ` `κ`) are read as the basic
//!    Latin letter they show;
//! 2. Unicode case folding;
//! 3. look-alike characters become the letter they stand for:
//!
//!    | written | read as |
//!    |---|---|
//!    | `@` `4` `^` | a |
//!    | `8` | b |
//!    | `(` `<` `{` `[` | c |
//!    | `3` `€` | e |
//!    | `6` `9` | g |
//!    | `#` | h |
//!    | `1` `!` `\|` `l` | i (so `1` is found as both i and l) |
//!    | `0` | o |
//!    | `$` `5` `§` | s |
//!    | `7` `+` | t |
//!    | `2` | z |
//!
//! 4. everything else that is not a letter (spaces, `-`, `_`, `.`, …) is
//!    dropped, so separators hide nothing.
//!
//! ASCII letters are never read as other letters by step 1, although UTS #39
//! reads `rn` as `m`, `vv` as `w` and `cl` as `d`: those pairs are in
//! ordinary words, and a password such as `Modern-Corn-7` refused for a
//! banned `Acme` because `rn` looks like `m` would be a refusal nobody could
//! understand. A look-alike from another script has no such innocent use in
//! a password of Latin words, so it is read as its letter; the cost of that
//! falls only on passwords that are not all ASCII.
//!
//! A word whose skeleton has 4 or more characters is refused anywhere in the
//! password (`Acme` in `Summer@cme-2025`); a shorter one only as the whole
//! password, since three letters turn up by chance in good passphrases.
//!
//! Compared with the peers: Lithnet Password Protection uses a similar table
//! (without `5`, `9`, `l`, `#` and `+`), but matches a banned word only
//! against the whole password once leading and trailing digits and symbols
//! are cut off, so `Winter2019` is caught and `MyWinter2019` is not; Entra
//! ID undoes case and common substitutions and matches fuzzily (its table
//! is not published in that detail). Matching substrings catches both, at
//! the cost of refusing a word that merely contains a banned one
//! (`Acmesia`); keep the list to
//! words of the organisation, not a dictionary (zxcvbn, `[guessability]`,
//! knows the dictionary).

use aho_corasick::AhoCorasick;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use zeroize::{Zeroize, Zeroizing};

use crate::Error;
use crate::secret::{fold, nfkc};

/// Banned words of fewer skeleton characters than this match only the whole
/// password.
pub const MIN_SUBSTRING_CHARS: usize = 4;

/// The longest line a banned-word list may have, in bytes.
pub const MAX_WORD_BYTES: usize = 256;

/// A compiled list of banned words, matched by skeleton.
#[derive(Clone, Default)]
pub struct BannedWords {
    /// Skeletons of 4 or more characters, found anywhere.
    long: Vec<String>,
    /// Skeletons of 1 to 3 characters, found only as the whole password.
    short: Vec<String>,
    matcher: Option<AhoCorasick>,
}

impl BannedWords {
    /// The list of these words (each a word or phrase, in any case, with any
    /// substitutions: all are read as their skeleton).
    pub fn new<'a>(words: impl IntoIterator<Item = &'a str>) -> BannedWords {
        let mut long = Vec::new();
        let mut short = Vec::new();
        for word in words {
            let skeleton = skeleton(word);
            match skeleton.chars().count() {
                0 => {}
                n if n < MIN_SUBSTRING_CHARS => short.push(skeleton.to_string()),
                _ => long.push(skeleton.to_string()),
            }
        }
        BannedWords::of_skeletons(long, short)
    }

    /// The list of skeletons already made. Never skeletons again: a
    /// skeleton's skeleton can differ (dropping a character between two
    /// combining marks lets NFKC reorder them), and a word would be lost.
    fn of_skeletons(mut long: Vec<String>, mut short: Vec<String>) -> BannedWords {
        for list in [&mut long, &mut short] {
            list.sort_unstable();
            list.dedup();
        }
        // Building fails only past limits far beyond any word list (the
        // list itself is bounded by the file's size); `None` then matches
        // by plain search, slower but the same answers.
        let matcher = (!long.is_empty())
            .then(|| AhoCorasick::new(&long).ok())
            .flatten();
        BannedWords {
            long,
            short,
            matcher,
        }
    }

    /// The words of a list file's text: one a line, `#` starting a comment
    /// line, blank lines skipped, LF or CRLF.
    ///
    /// # Errors
    ///
    /// [`Error::BannedList`] naming the first line longer than
    /// [`MAX_WORD_BYTES`] or holding a NUL.
    pub fn parse(text: &str) -> Result<Vec<&str>, Error> {
        let mut words = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let word = line.trim();
            if word.is_empty() || word.starts_with('#') {
                continue;
            }
            let refuse = |message: String| Error::BannedList {
                line: i + 1,
                message,
            };
            if word.len() > MAX_WORD_BYTES {
                return Err(refuse(format!(
                    "longer than {MAX_WORD_BYTES} bytes: one word or phrase a line"
                )));
            }
            if word.contains('\0') {
                return Err(refuse("holds a NUL byte: not a word list".into()));
            }
            words.push(word);
        }
        Ok(words)
    }

    /// Whether no word is listed.
    pub fn is_empty(&self) -> bool {
        self.long.is_empty() && self.short.is_empty()
    }

    /// How many distinct skeletons are listed.
    pub fn len(&self) -> usize {
        self.long.len() + self.short.len()
    }

    /// Whether `password` (NFKC) contains a banned word.
    pub fn is_found_in(&self, password: &str) -> bool {
        if self.is_empty() {
            return false;
        }
        let skeleton = skeleton(password);
        let found_long = match &self.matcher {
            Some(matcher) => matcher.is_match(skeleton.as_str()),
            None => self.long.iter().any(|w| skeleton.contains(w.as_str())),
        };
        found_long || self.short.binary_search(&skeleton).is_ok()
    }

    /// Merges another list into this one.
    pub fn extend(&mut self, other: &BannedWords) {
        let long = self.long.iter().chain(&other.long).cloned().collect();
        let short = self.short.iter().chain(&other.short).cloned().collect();
        *self = BannedWords::of_skeletons(long, short);
    }
}

impl PartialEq for BannedWords {
    fn eq(&self, other: &Self) -> bool {
        (&self.long, &self.short) == (&other.long, &other.short)
    }
}

impl Eq for BannedWords {}

impl std::fmt::Debug for BannedWords {
    /// The count only: a long list would drown any log it appeared in.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BannedWords({} words)", self.len())
    }
}

/// The skeleton of `text`: other scripts' look-alikes read as Latin, marks
/// dropped, case folded, look-alikes read as letters, all but letters
/// dropped (see the module's table). Zeroised on drop, since it is also
/// made of passwords.
pub fn skeleton(text: &str) -> Zeroizing<String> {
    // NFKC before folding as well as after, so that a word and its NFKC
    // form (what every password is) have one skeleton.
    let normal = Zeroizing::new(nfkc(text));
    let folded = if normal.is_ascii() {
        fold(&normal)
    } else {
        fold(&confusables_read(&normal))
    };
    let mut out = Zeroizing::new(String::with_capacity(folded.len()));
    for c in folded.chars() {
        match look_alike(c) {
            Some(letter) => out.push(letter),
            None if c.is_alphabetic() && !is_mark(c) => out.push(c),
            None => {}
        }
    }
    out
}

/// `text` with each non-ASCII character replaced by its UTS #39 prototype
/// (the characters it is confusable with) and nonspacing and enclosing
/// marks dropped, from its canonical decomposition, so that an accent,
/// precomposed or added, is dropped too. ASCII is kept as it is (see the
/// module's note on `rn`), and so are the non-ASCII characters of the
/// look-alike table (`€`, `§`).
fn confusables_read(text: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(text.len()));
    let mut one = [0u8; 4];
    for c in text.nfd() {
        if c.is_ascii() || look_alike(c).is_some() {
            out.push(c);
            continue;
        }
        if c == FINAL_SIGMA || c == CAPITAL_SIGMA {
            // NFKC, which every password is in, turns the lunate sigmas `ϲ`
            // and `Ϲ` (drawn as a `c` and a `C`, and read as them by UTS
            // #39) into `ς` and `Σ`: read those as the `c` they may have
            // been. A Greek word's sigma is then read as `c` too, which
            // only matters where a banned word has a `c` in that place.
            out.push('c');
            continue;
        }
        let c: &str = c.encode_utf8(&mut one);
        // A prototype may itself hold a mark (`ø` reads as `o` and U+0338).
        out.extend(
            unicode_security::skeleton(c)
                .filter(|&p| !is_mark(p))
                .map(latin_reading),
        );
    }
    one.zeroize();
    out
}

/// `ς`, what NFKC makes of the lunate sigma `ϲ`.
const FINAL_SIGMA: char = '\u{3c2}';
/// `Σ`, what NFKC makes of the capital lunate sigma `Ϲ`.
const CAPITAL_SIGMA: char = '\u{3a3}';

/// The basic Latin letter a reader sees in a UTS #39 prototype that is
/// itself no basic Latin letter: the small capitals and the barred `c`
/// that Cyrillic `в` `н` `т` `м` `к` `ь` and Greek `τ` `κ` `ε` map to.
/// (UTS #39 keeps them apart because they are distinct in print; a
/// password's reader takes `Асмε` for `Acme`.)
fn latin_reading(prototype: char) -> char {
    match prototype {
        '\u{299}' | '\u{185}' => 'b', // ʙ (в), ƅ (ь)
        '\u{a793}' => 'e',            // ꞓ (ε, ϵ, є)
        '\u{29c}' => 'h',             // ʜ (н)
        '\u{138}' => 'k',             // ĸ (κ, к)
        '\u{28d}' => 'm',             // ʍ (м)
        '\u{1d1b}' => 't',            // ᴛ (τ, т)
        other => other,
    }
}

/// Whether `c` is a nonspacing or enclosing mark: drawn on the letter
/// before it, so it leaves that letter looking the same. (Spacing marks
/// take their own place, as letters do.)
fn is_mark(c: char) -> bool {
    !c.is_ascii()
        && matches!(
            c.general_category(),
            GeneralCategory::NonspacingMark | GeneralCategory::EnclosingMark
        )
}

/// The letter a look-alike character stands for.
pub(crate) fn look_alike(c: char) -> Option<char> {
    Some(match c {
        '@' | '4' | '^' => 'a',
        '8' => 'b',
        '(' | '<' | '{' | '[' => 'c',
        '3' | '€' => 'e',
        '6' | '9' => 'g',
        '#' => 'h',
        '1' | '!' | '|' | 'l' => 'i',
        '0' => 'o',
        '$' | '5' | '§' => 's',
        '7' | '+' => 't',
        '2' => 'z',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn found(words: &[&str], password: &str) -> bool {
        BannedWords::new(words.iter().copied()).is_found_in(password)
    }

    #[test]
    fn skeletons_undo_case_look_alikes_and_separators() {
        assert_eq!(skeleton("P@55w0rd!").as_str(), "passwordi");
        assert_eq!(skeleton("W1nt3r-2019").as_str(), "winterzoig");
        assert_eq!(skeleton("Ｓｔ. Ｍａｒｙ's").as_str(), "stmarys");
        assert_eq!(skeleton("Straße").as_str(), "strasse");
        assert_eq!(skeleton("Hill").as_str(), skeleton("H1!|").as_str());
    }

    #[test]
    fn look_alikes_of_other_scripts_and_added_marks_read_as_their_letters() {
        // Issue 27: each of these let `acme` through.
        for dressed in [
            "\u{410}\u{441}m\u{435}-Harbor-7828", // Cyrillic А, с, е
            "A\u{3f2}me-Harbor-7828",             // Greek lunate sigma
            "Acme\u{301}-Harbor-7828",            // a combining acute
            "\u{391}cm\u{395}-Harbor-7828",       // Greek Α, Ε
            "A\u{20dd}cme-Harbor-7828",           // an enclosing circle
            "Acm\u{e9}-Harbor-7828",              // a precomposed é
            "A\u{3f9}me-Harbor-7828",             // capital lunate sigma Ϲ
            "Ac\u{43c}e-Harbor-7828",             // Cyrillic м
            "Acm\u{3b5}-Harbor-7828",             // Greek ε
            "Acm\u{454}-Harbor-7828",             // Cyrillic є
        ] {
            let password = crate::Password::new(dressed);
            assert!(found(&["acme"], password.expose()), "{dressed:?}");
        }
        assert_eq!(skeleton("\u{410}\u{441}m\u{435}").as_str(), "acme");
        // Small capitals and the barred c of other scripts' letters.
        assert_eq!(
            skeleton("\u{432}\u{43d}\u{442}\u{43c}\u{43a}\u{44c}\u{3c4}\u{3ba}\u{3b5}").as_str(),
            "bhtmkbtke"
        );
        assert_eq!(
            skeleton("J\u{fc}rgen-Stra\u{df}e").as_str(),
            "jurgenstrasse"
        );
        // A word written with look-alikes matches the plain word too.
        assert!(found(&["\u{410}\u{441}m\u{435}"], "My-acme-2025"));
    }

    #[test]
    fn ascii_letters_are_not_read_as_other_ascii_letters() {
        // UTS #39 reads `rn` as `m`, `vv` as `w`, `cl` as `d`: not here.
        assert_eq!(skeleton("Rnd0m-Words!").as_str(), "rndomwordsi");
        // Each of these words would be found in one of these passwords if
        // they were.
        for password in [
            "Acrne-Harbor-7828",
            "Rnd0m-Words!",
            "Modern-Times-7",
            "Clown-Vvall-42",
        ] {
            assert!(
                !found(&["acme", "modem", "down", "wall"], password),
                "{password}"
            );
        }
        // Nor is non-ASCII text that holds no look-alike of a word.
        for password in [
            "J\u{fc}rgen-Stra\u{df}e-42",
            "\u{421}\u{43e}\u{431}\u{430}\u{43a}\u{430}-42",
        ] {
            assert!(!found(&["acme", "kingsbridge"], password), "{password}");
        }
    }

    #[test]
    fn long_words_are_found_anywhere_short_ones_only_whole() {
        let words = ["Acme", "Kingsbridge Academy", "ICT"];
        assert!(found(&words, "Summer@cme-2025"));
        assert!(found(&words, "my.KINGSBRIDGE_academy!9"));
        assert!(found(&words, "k1ng5br1dg3 4c4d3my"));
        assert!(found(&words, "1(7"));
        assert!(!found(&words, "Strict-Kettle-42"));
        assert!(!found(&words, "Kingsbridge!2024"), "one word of the phrase");
    }

    #[test]
    fn a_list_reads_one_word_a_line_and_points_at_bad_lines() {
        let words = BannedWords::parse("# schools\r\nAcme\r\n\r\n  St Mary's  \n").unwrap();
        assert_eq!(words, ["Acme", "St Mary's"]);
        let long = format!("ok\n{}\n", "x".repeat(MAX_WORD_BYTES + 1));
        assert!(matches!(
            BannedWords::parse(&long),
            Err(Error::BannedList { line: 2, .. })
        ));
        assert!(matches!(
            BannedWords::parse("a\nb\0c\n"),
            Err(Error::BannedList { line: 2, .. })
        ));
    }

    #[test]
    fn a_merged_list_keeps_words_whose_skeleton_would_change_again() {
        // Found by fuzzing: dropping U+0015 between U+0653 and U+0652 lets
        // NFKC reorder the two marks, so this word's skeleton of its
        // skeleton is another string; merging lists must not re-make them.
        let word = "gU\u{653}\u{15}\u{652}k-sbridge";
        let mut list = BannedWords::default();
        list.extend(&BannedWords::new([word]));
        assert!(list.is_found_in(crate::Password::new(word).expose()));
    }

    #[test]
    fn lists_merge_and_compare_by_skeleton() {
        let mut a = BannedWords::new(["Acme"]);
        a.extend(&BannedWords::new(["acme", "Trust", "!", "--"]));
        assert_eq!(a, BannedWords::new(["ACME", "trust", "i"]));
        assert_eq!(a.len(), 3);
        assert_eq!(format!("{a:?}"), "BannedWords(3 words)");
    }

    /// Each letter of a word dressed up: its case flipped or a look-alike.
    fn dressed(word: &str) -> impl Strategy<Value = String> {
        let choices: Vec<BoxedStrategy<String>> = word
            .chars()
            .map(|c| {
                let mut forms = vec![c.to_string(), c.to_uppercase().to_string()];
                forms.extend(
                    "@4^8(<3€69#1!|0$5§7+2"
                        .chars()
                        .filter(|&l| look_alike(l) == look_alike(c).or(Some(c)))
                        .map(String::from),
                );
                proptest::sample::select(forms).boxed()
            })
            .collect();
        choices.prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn a_banned_word_is_found_in_any_case_substitution_and_setting(
            (word, form) in proptest::sample::select(vec!["acme", "kingsbridge", "trust", "stmarys"])
                .prop_flat_map(|w| (Just(w), dressed(w))),
            before in "[A-Za-z0-9 _.!-]{0,12}",
            after in "[A-Za-z0-9 _.!-]{0,12}",
            separator in proptest::sample::select(vec!["", "-", " ", "_", "."]),
        ) {
            let split = form.char_indices().nth(2).map_or(form.len(), |(i, _)| i);
            let password = format!("{before}{}{separator}{}{after}", &form[..split], &form[split..]);
            prop_assert!(found(&[word], &password), "{word} in {password}");
        }
    }
}
