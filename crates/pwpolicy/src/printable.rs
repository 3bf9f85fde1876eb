//! The one way an untrusted value (an account name from Samba's
//! environment, a full name from GECOS or a directory, a `mail` attribute)
//! enters a line that is printed, logged or sent: control characters
//! escaped, so that no value can end a line, start a fake one, move the
//! terminal's cursor or add a mail header.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with `&`, `<`, `>`, `"` and `'` as entities: the one way a value
/// enters an HTML page (the report's, the self-service page's), in element
/// content or a quoted attribute.
///
/// ```
/// assert_eq!(pwpolicy::html_escape("<a href='x'>&\""), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;");
/// ```
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` with every control character (C0, DEL, C1), line or paragraph
/// separator, bidirectional override and direction mark escaped as `\n`, `\t`, `\r` or
/// `\u{…}`; a backslash is doubled so that an escape cannot be forged.
/// Text without any is returned as it is, without a copy.
///
/// ```
/// assert_eq!(pwpolicy::printable("erin"), "erin");
/// assert_eq!(
///     pwpolicy::printable("erin\nFAKE: Password accepted.\x1b[2J"),
///     "erin\\nFAKE: Password accepted.\\u{1b}[2J"
/// );
/// ```
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Whether `c` must be escaped (a backslash too, once any escaping is done).
fn needs_escape(c: char) -> bool {
    c.is_control()
        || c == '\\'
        || matches!(
            c,
            // Line and paragraph separators, the bidi embeddings,
            // overrides and isolates, and the implicit marks (LRM, RLM,
            // ALM), which reorder what a reader sees just as well.
            '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{61c}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_to_escape_is_not_copied() {
        assert!(matches!(printable("Erin M. Hagens"), Cow::Borrowed(_)));
        assert!(matches!(printable("Jürgen Straße"), Cow::Borrowed(_)));
    }

    /// Undoes [`printable`]: if every output has exactly one input, no
    /// value can pass for another (an escape spelt out cannot pass for one
    /// made here).
    fn unescape(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('\\') => out.push('\\'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('u') => {
                    let hex: String = chars.by_ref().skip(1).take_while(|&c| c != '}').collect();
                    let code = u32::from_str_radix(&hex, 16).expect("hex");
                    out.push(char::from_u32(code).expect("a char"));
                }
                other => panic!("a lone backslash before {other:?} in {text:?}"),
            }
        }
        out
    }

    #[test]
    fn every_kind_of_line_breaker_terminal_escape_and_override_is_shown() {
        let hostile = "a\tb\x1b[2J\x7f\u{85}\u{9b}31m\u{2029}\u{202a}\u{202d}\u{2066}\u{2069}";
        assert_eq!(
            printable(hostile),
            "a\\tb\\u{1b}[2J\\u{7f}\\u{85}\\u{9b}31m\\u{2029}\\u{202a}\\u{202d}\\u{2066}\\u{2069}"
        );
        // What stays: letters of any script, marks, emoji, zero-width joiners.
        let kept = "Ærin Øst-Ñúñez 中文 עִבְרִית 👩\u{200d}💻";
        assert!(matches!(printable(kept), Cow::Borrowed(_)));
    }

    proptest::proptest! {
        #[test]
        fn escaping_is_one_line_and_undone_exactly(text in "\\PC*|[\\x00-\\x{a0}\\\\nu{}\u{2028}-\u{206f}]*") {
            let shown = printable(&text);
            proptest::prop_assert!(!shown.chars().any(needs_escape_but_backslash));
            proptest::prop_assert_eq!(unescape(&shown), text);
        }
    }

    fn needs_escape_but_backslash(c: char) -> bool {
        c != '\\' && needs_escape(c)
    }

    #[test]
    fn the_implicit_direction_marks_are_shown() {
        assert_eq!(
            printable("erin\u{200f}\u{200e}\u{61c}x"),
            "erin\\u{200f}\\u{200e}\\u{61c}x"
        );
    }

    #[test]
    fn no_value_can_end_a_line_or_forge_an_escape() {
        let escaped = printable("a\r\nb\u{2028}c\u{202e}d\\ne\u{7f}\u{85}");
        assert_eq!(escaped, "a\\r\\nb\\u{2028}c\\u{202e}d\\\\ne\\u{7f}\\u{85}");
        assert!(!escaped.chars().any(char::is_control));
    }
}
