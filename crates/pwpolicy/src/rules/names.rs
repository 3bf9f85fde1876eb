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

use crate::policy::NameCheck;
use crate::secret::{fold, nfkc};
use crate::verdict::Violation;

/// Names shorter than this many characters are not checked.
const MIN_NAME_CHARS: usize = 3;

/// The names a password is checked against, folded once so that checking many
/// candidates for one user costs no repeated work.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    account: Option<String>,
    tokens: Vec<String>,
}

impl Names {
    /// Names for an account with an optional full name (GECOS or displayName).
    /// Either may be empty.
    pub fn new(account: &str, full_name: &str) -> Names {
        let account = nfkc(account);
        let account =
            (account.chars().count() >= MIN_NAME_CHARS).then(|| fold(&account).to_string());
        let full_name = nfkc(full_name);
        let tokens = full_name
            .split(is_delimiter)
            .filter(|t| t.chars().count() >= MIN_NAME_CHARS)
            .map(|t| fold(t).to_string())
            .collect();
        Names { account, tokens }
    }

    /// No names: only the text rules apply.
    pub fn none() -> Names {
        Names::default()
    }

    /// The account name and full-name tokens (case folded), for checks that
    /// weigh the user's own words, such as zxcvbn's user inputs.
    pub fn inputs(&self) -> impl Iterator<Item = &str> {
        self.account.iter().chain(&self.tokens).map(String::as_str)
    }

    /// Violations of the name rule by an already-normalised password.
    pub fn check(&self, password: &str, mode: NameCheck) -> Vec<Violation> {
        if mode == NameCheck::Off || (self.account.is_none() && self.tokens.is_empty()) {
            return Vec::new();
        }
        let folded = fold(password);
        let found = |name: &String| match mode {
            NameCheck::Windows => folded.contains(name.as_str()),
            NameCheck::Strict => contains_any_window(&folded, name),
            NameCheck::Off => false,
        };
        let mut violations = Vec::new();
        if self.account.as_ref().is_some_and(found) {
            violations.push(Violation::ContainsAccountName);
        }
        if self.tokens.iter().any(found) {
            violations.push(Violation::ContainsNamePart);
        }
        violations
    }
}

/// The full-name delimiters of Microsoft's rule, widened to every Unicode dash
/// and white space.
fn is_delimiter(c: char) -> bool {
    matches!(c, ',' | '.' | '_' | '#' | '-' | '\t')
        || c.is_whitespace()
        || (!c.is_ascii() && c.general_category() == GeneralCategory::DashPunctuation)
}

/// Whether any 3 consecutive characters of `name` appear in `text`. A name
/// that folding made shorter than 3 characters (`J̌a` folds to `ǰa`) must
/// appear whole, as under the Windows rule.
fn contains_any_window(text: &str, name: &str) -> bool {
    if name.chars().nth(MIN_NAME_CHARS - 1).is_none() {
        return text.contains(name);
    }
    let bounds: Vec<usize> = name
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(name.len()))
        .collect();
    bounds
        .windows(MIN_NAME_CHARS + 1)
        .any(|w| text.contains(&name[w[0]..w[MIN_NAME_CHARS]]))
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
        assert_eq!(n.tokens, ["erin", "hagens"]);
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
    fn every_delimiter_splits() {
        let n = Names::new("", "Ann,Bob.Cid-Dan_Eve Fay#Gus\tHal–Ivy");
        assert_eq!(
            n.tokens,
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
