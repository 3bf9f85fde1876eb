//! The banned-word rule: the organisation's own words (its name, its
//! schools, the trust, the town) may not appear in a password, however they
//! are dressed up.
//!
//! Password and words are both brought to a *skeleton* before matching:
//!
//! 1. NFKC (the password already is) and Unicode case folding;
//! 2. look-alike characters become the letter they stand for:
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
//! 3. everything else that is not a letter (spaces, `-`, `_`, `.`, …) is
//!    dropped, so separators hide nothing.
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
use zeroize::Zeroizing;

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

/// The skeleton of `text`: case folded, look-alikes read as letters, all but
/// letters dropped (see the module's table). Zeroised on drop, since it is
/// also made of passwords.
pub fn skeleton(text: &str) -> Zeroizing<String> {
    // NFKC before folding as well as after, so that a word and its NFKC
    // form (what every password is) have one skeleton.
    let folded = fold(&Zeroizing::new(nfkc(text)));
    let mut out = Zeroizing::new(String::with_capacity(folded.len()));
    for c in folded.chars() {
        match look_alike(c) {
            Some(letter) => out.push(letter),
            None if c.is_alphabetic() => out.push(c),
            None => {}
        }
    }
    out
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
