//! A password held in memory that wipes itself and never prints itself.

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

/// A candidate password, stored NFKC-normalised.
///
/// Every rule and every hash sees the normalised form, so `ﬁ` (U+FB01) and `fi`,
/// or a full-width `Ａ` and `A`, are the same password. The buffer is zeroised on
/// drop and `Debug` prints `Password(<redacted>)`; there is deliberately no
/// `Display`.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Normalises `raw` (NFKC) into a new password. `raw` itself is left to the
    /// caller to wipe; [`Password::from_string`] takes ownership and wipes it.
    pub fn new(raw: &str) -> Self {
        Password(Zeroizing::new(nfkc(raw)))
    }

    /// Normalises `raw` and zeroises the original buffer.
    pub fn from_string(mut raw: String) -> Self {
        let password = Password::new(&raw);
        raw.zeroize();
        password
    }

    /// The normalised text. Handle with care: never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Length in Unicode code points of the normalised text.
    pub fn char_count(&self) -> usize {
        self.0.chars().count()
    }
}

impl From<&str> for Password {
    fn from(raw: &str) -> Self {
        Password::new(raw)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Case-folded NFKC form of NFKC text, for caseless matching (ASCII stays a
/// cheap lowercase): what the name rule, banned words and stems compare.
/// Zeroised on drop, since it is also made of passwords.
pub(crate) fn fold(s: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(s.len()));
    crate::normal::push_fold(s, &mut out);
    out
}

/// NFKC normal form of `s`, without re-allocating work for text that is already
/// normal (all ASCII text is, and most passwords are ASCII).
pub(crate) fn nfkc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    crate::normal::push_nfkc(s, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let p = Password::new("Hunter2!secret");
        let shown = format!("{p:?} {:?}", vec![p.clone()]);
        assert!(!shown.contains("Hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn compatibility_forms_are_folded() {
        assert_eq!(Password::new("ﬁＡ①").expose(), "fiA1");
        // NFD input composes: e + combining acute is one code point.
        assert_eq!(Password::new("e\u{301}").char_count(), 1);
    }
}
