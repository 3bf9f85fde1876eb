//! The name rule: the password may not contain the account name, nor any part
//! of the user's full name longer than two consecutive characters.
//!
//! By default this is Microsoft's "Password must meet complexity requirements"
//! rule, word for word:
//!
//! - the account name is checked whole, and skipped if shorter than 3 characters;
//! - the full name is split on commas, periods, dashes and hyphens (any Unicode
//!   dash), underscores, spaces (any white space), pound signs and tabs; every
//!   token of 3 or more characters is checked whole; shorter tokens are ignored;
//! - matching ignores case, with Unicode case folding on NFKC text, so `ERIN`,
//!   `erin` and full-width `ｅｒｉｎ` are all "Erin".
//!
//! [`NameCheck::Strict`] instead refuses any 3 consecutive characters of the
//! account name or of a full-name token.

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use zeroize::Zeroize;

use crate::policy::NameCheck;
use std::borrow::Cow;

use crate::normal::{is_nfkc, push_fold};
use crate::secret::{fold, nfkc};
use crate::verdict::Violation;

/// Names shorter than this many characters are not checked.
const MIN_NAME_CHARS: usize = 3;

/// Of each name, only this many characters of its NFKC form are checked:
/// more than any directory holds (AD's displayName is at most 256), and a
/// bound on the name rule's work whoever supplies the name.
pub const MAX_NAME_CHARS: usize = 256;

/// Of each name as given, only this many bytes are read (cut at a
/// character): room for [`MAX_NAME_CHARS`] in any normalisation form, so
/// a name in NFD or NFKC checks the same, and a bound on the work of
/// normalising a name made to be long.
pub const MAX_NAME_BYTES: usize = 16 * 1024;

/// At most this many full-name tokens are checked (a name of 256
/// characters split at every third has 64).
pub const MAX_NAME_TOKENS: usize = 64;

/// The names a password is checked against, folded once so that checking many
/// candidates for one user costs no repeated work.
///
/// The folded names sit back to back in one string (checking a password
/// builds one of these, so its allocations count).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// The folded account name (when it is checked), then each folded
    /// full-name token after a [`TOKEN_SEPARATOR`].
    folded: String,
    /// Where the account name ends in `folded`; 0 when it is not checked.
    account_end: usize,
}

/// Marks where a token starts in [`Names`]: a comma splits a full name, so
/// no token holds one (NFKC runs before the split, and folding makes no
/// comma).
const TOKEN_SEPARATOR: char = ',';

impl Names {
    /// Names for an account with an optional full name (GECOS or displayName).
    /// Either may be empty.
    pub fn new(account: &str, full_name: &str) -> Names {
        let mut names = Names {
            folded: String::with_capacity(account.len() + full_name.len() + 8),
            account_end: 0,
        };
        let account = nfkc_cow(first_bytes(account));
        let account = first_chars(&account);
        if is_long_enough(account) {
            push_fold(account, &mut names.folded);
            names.account_end = names.folded.len();
        }
        let full_name = nfkc_cow(first_bytes(full_name));
        let full_name = first_chars(&full_name);
        let tokens = full_name.split(is_delimiter).filter(|t| is_long_enough(t));
        for token in tokens.take(MAX_NAME_TOKENS) {
            names.folded.push(TOKEN_SEPARATOR);
            push_fold(token, &mut names.folded);
        }
        names
    }

    /// No names: only the text rules apply.
    pub fn none() -> Names {
        Names::default()
    }

    /// The folded account name, when it is long enough to be checked.
    fn account(&self) -> Option<&str> {
        (self.account_end > 0).then(|| &self.folded[..self.account_end])
    }

    /// The folded full-name tokens long enough to be checked.
    fn tokens(&self) -> impl Iterator<Item = &str> {
        // Each token follows its separator; one scan finds them all.
        let mut rest = &self.folded[self.account_end..];
        std::iter::from_fn(move || {
            let after = rest.strip_prefix(TOKEN_SEPARATOR)?;
            let end = after
                .bytes()
                .position(|b| b == TOKEN_SEPARATOR as u8)
                .unwrap_or(after.len());
            let token;
            (token, rest) = after.split_at(end);
            Some(token)
        })
    }

    /// The account name and full-name tokens (case folded), for checks that
    /// weigh the user's own words, such as zxcvbn's user inputs.
    pub fn inputs(&self) -> impl Iterator<Item = &str> {
        self.account().into_iter().chain(self.tokens())
    }

    /// Violations of the name rule by an already-normalised password.
    pub fn check(&self, password: &str, mode: NameCheck) -> Vec<Violation> {
        let mut out = Vec::new();
        if mode == NameCheck::Off || self.folded.is_empty() {
            return out;
        }
        // The password folded, as the names are: an ASCII one is lowercased
        // on the stack, anything else folded by the general path.
        let mut stack = [0u8; STACK_FOLD];
        let folded;
        let text: &[u8] = if password.is_ascii() && password.len() <= STACK_FOLD {
            let lowered = &mut stack[..password.len()];
            lowered.copy_from_slice(password.as_bytes());
            lowered.make_ascii_lowercase();
            lowered
        } else {
            folded = fold(password);
            folded.as_bytes()
        };
        let found = |name: &str| match mode {
            NameCheck::Windows => contains(text, name.as_bytes()),
            NameCheck::Strict => contains_any_window(text, name),
            NameCheck::Off => false,
        };
        if self.account().is_some_and(found) {
            out.push(Violation::ContainsAccountName);
        }
        if self.tokens().any(found) {
            out.push(Violation::ContainsNamePart);
        }
        // Only the bytes a password was copied to (nothing here panics in
        // between, so the wipe is always reached).
        stack[..password.len().min(STACK_FOLD)].zeroize();
        out
    }
}

/// The first [`MAX_NAME_BYTES`] of `name`, cut at a character.
fn first_bytes(name: &str) -> &str {
    if name.len() <= MAX_NAME_BYTES {
        return name;
    }
    let end = (0..=MAX_NAME_BYTES)
        .rev()
        .find(|&i| name.is_char_boundary(i))
        .unwrap_or(0);
    &name[..end]
}

/// The first [`MAX_NAME_CHARS`] characters of `name`.
fn first_chars(name: &str) -> &str {
    match name.char_indices().nth(MAX_NAME_CHARS) {
        Some((end, _)) => &name[..end],
        None => name,
    }
}

/// Whether a name has the characters to be checked (at least
/// [`MIN_NAME_CHARS`]), counted no further than needed.
fn is_long_enough(name: &str) -> bool {
    name.chars().nth(MIN_NAME_CHARS - 1).is_some()
}

/// NFKC of `s`, borrowed when `s` is normal already (nearly every name).
fn nfkc_cow(s: &str) -> Cow<'_, str> {
    if is_nfkc(s) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(nfkc(s))
    }
}

/// Passwords up to this many bytes of ASCII are folded on the stack.
const STACK_FOLD: usize = 256;

/// Whether `needle` occurs in `hay` (both folded): a scan for its first byte
/// and a comparison there, cheaper than a general substring search (or a
/// SIMD scan's set-up) at the length of a password.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let Some(last_start) = hay.len().checked_sub(needle.len()) else {
        return false;
    };
    hay[..=last_start]
        .iter()
        .enumerate()
        .any(|(i, &b)| b == first && hay[i + 1..].starts_with(rest))
}

/// The full-name delimiters of Microsoft's rule, widened to every Unicode dash
/// and white space.
fn is_delimiter(c: char) -> bool {
    match c as u32 {
        0..0x80 => matches!(c, ',' | '.' | '_' | '#' | '-' | '\t') || c.is_ascii_whitespace(),
        // Latin, Greek, Cyrillic, Hebrew…: the dash is a table lookup, not a
        // search through the general categories.
        n @ 0x80..DELIMITER_TABLE_END => delimiter_table()[n as usize],
        _ => is_delimiter_by_category(c),
    }
}

/// Code points below this have their answer in [`delimiter_table`].
const DELIMITER_TABLE_END: u32 = 0x800;

fn is_delimiter_by_category(c: char) -> bool {
    c.is_whitespace() || c.general_category() == GeneralCategory::DashPunctuation
}

fn delimiter_table() -> &'static [bool] {
    static TABLE: std::sync::OnceLock<Vec<bool>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (0..DELIMITER_TABLE_END)
            .map(|n| char::from_u32(n).is_some_and(is_delimiter_by_category))
            .collect()
    })
}

/// Whether any 3 consecutive characters of `name` appear in `text`. A name
/// that folding made shorter than 3 characters (`J̌a` folds to `ǰa`) must
/// appear whole, as under the Windows rule.
fn contains_any_window(text: &[u8], name: &str) -> bool {
    if !is_long_enough(name) {
        return contains(text, name.as_bytes());
    }
    let bounds: Vec<usize> = name
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(name.len()))
        .collect();
    bounds
        .windows(MIN_NAME_CHARS + 1)
        .any(|w| contains(text, &name.as_bytes()[w[0]..w[MIN_NAME_CHARS]]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Password;
    use NameCheck::*;

    fn codes(names: &Names, password: &str, mode: NameCheck) -> Vec<&'static str> {
        names
            .check(Password::new(password).expose(), mode)
            .iter()
            .map(Violation::code)
            .collect()
    }

    #[test]
    fn microsoft_example_erin_m_hagens() {
        let n = Names::new("ehagens", "Erin M. Hagens");
        assert_eq!(n.tokens().collect::<Vec<_>>(), ["erin", "hagens"]);
        assert_eq!(codes(&n, "xxERINxx1!", Windows), ["contains_name_part"]);
        assert_eq!(codes(&n, "Hagens2024!", Windows), ["contains_name_part"]);
        // "M" is one character: ignored. Substrings of tokens are not checked.
        assert!(codes(&n, "M-Hagen-Eri!", Windows).is_empty());
        assert_eq!(
            codes(&n, "myEHAGENS!1", Windows),
            ["contains_account_name", "contains_name_part"]
        );
    }

    #[test]
    fn short_account_names_are_skipped() {
        let n = Names::new("ab", "");
        assert!(codes(&n, "xxab12!!", Windows).is_empty());
        let n = Names::new("abc", "");
        assert_eq!(codes(&n, "xxABc12!!", Windows), ["contains_account_name"]);
    }

    #[test]
    fn the_delimiter_table_agrees_with_the_categories() {
        for c in (0x80..DELIMITER_TABLE_END).filter_map(char::from_u32) {
            assert_eq!(is_delimiter(c), is_delimiter_by_category(c), "{c:?}");
        }
        assert!(is_delimiter('\u{a0}') && is_delimiter('\u{58a}') && is_delimiter('\u{2014}'));
    }

    #[test]
    fn a_name_made_to_be_expensive_is_read_only_so_far() {
        // Issue 27's amplification: U+FDFA is 18 code points after NFKC,
        // four tokens of them; 10,800 of it made about 43,000 tokens.
        let names = Names::new(&"\u{fdfa}".repeat(10_800), &"\u{fdfa}".repeat(10_800));
        assert!(names.tokens().count() <= MAX_NAME_TOKENS);
        assert!(names.folded.chars().count() <= 2 * 3 * MAX_NAME_CHARS);
        // What fits is read whole.
        let n = Names::new("erin", &format!("{} Hagens", "x".repeat(200)));
        assert_eq!(
            n.tokens().collect::<Vec<_>>(),
            ["x".repeat(200), "hagens".into()]
        );
    }

    #[test]
    fn the_bound_is_the_same_in_every_normalisation_form() {
        use unicode_normalization::UnicodeNormalization;
        // Found by fuzzing: cutting the name as given, not its NFKC form,
        // made a decomposed name check differently.
        let full = format!("{}Straße Hagens", "Ö".repeat(250));
        let nfd: String = full.nfd().collect();
        assert_eq!(Names::new("", &full), Names::new("", &nfd));
    }

    #[test]
    fn every_delimiter_splits() {
        let n = Names::new("", "Ann,Bob.Cid-Dan_Eve Fay#Gus\tHal–Ivy");
        assert_eq!(
            n.tokens().collect::<Vec<_>>(),
            [
                "ann", "bob", "cid", "dan", "eve", "fay", "gus", "hal", "ivy"
            ]
        );
    }

    #[test]
    fn matching_folds_case_and_compatibility_forms() {
        let n = Names::new("", "Jürgen Straße");
        assert_eq!(codes(&n, "JÜRGEN99!", Windows), ["contains_name_part"]);
        assert_eq!(codes(&n, "xSTRASSEx1", Windows), ["contains_name_part"]);
        let n = Names::new("erin", "");
        assert_eq!(
            codes(&n, "ＥＲＩＮ2024!", Windows),
            ["contains_account_name"]
        );
    }

    #[test]
    fn strict_mode_refuses_any_three_characters() {
        let n = Names::new("", "Erin M. Hagens");
        assert!(codes(&n, "Hag!2024x", Windows).is_empty());
        assert_eq!(codes(&n, "Hag!2024x", Strict), ["contains_name_part"]);
        assert_eq!(codes(&n, "xxRIN!2024", Strict), ["contains_name_part"]);
        assert!(codes(&n, "Ha!ri!en1", Strict).is_empty());
    }

    #[test]
    fn strict_mode_finds_names_that_fold_shorter() {
        // Found by fuzzing: NFKC keeps J + U+030C + a as 3 characters, case
        // folding makes them the 2 of ǰa; strict mode must still refuse it.
        let n = Names::new("J\u{30c}a", "");
        assert_eq!(
            codes(&n, "xJ\u{30c}ax1!", Windows),
            ["contains_account_name"]
        );
        assert_eq!(
            codes(&n, "xJ\u{30c}ax1!", Strict),
            ["contains_account_name"]
        );
    }

    #[test]
    fn off_checks_nothing() {
        let n = Names::new("erin", "Erin Hagens");
        assert!(codes(&n, "erinhagens", Off).is_empty());
    }
}
