//! NFKC and caseless folding without the general algorithms for the text
//! most passwords and names are made of.
//!
//! Checking one password normalises the password, the account name and the
//! full name, and folds the names and the password for the name rule. The
//! general algorithms (`unicode_normalization`'s quick check, `caseless`'s
//! full folding followed by NFKC again) cost more than every rule together,
//! and almost all of that work is spent proving that nothing changes.
//!
//! This module answers from a table for the scripts of most names and
//! passwords (every code point below U+0800: Latin, Greek, Cyrillic,
//! Armenian, Hebrew, Arabic, and the CJK ideographs and Hangul syllables)
//! and falls back to the general algorithms for anything else. The table is
//! computed once from those same algorithms, so the fast path gives their
//! answer by construction; the tests compare both on every code point it
//! covers.

use std::sync::OnceLock;

use caseless::Caseless;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Code points below this are in the table.
const TABLE_END: u32 = 0x800;
/// CJK Unified Ideographs: NFKC-stable starters without case.
const CJK: std::ops::RangeInclusive<u32> = 0x4E00..=0x9FFF;
/// Hangul syllables: NFKC-stable starters without case. (A syllable can
/// absorb a following trailing jamo, but those are not stable, so text
/// containing one takes the general path.)
const HANGUL: std::ops::RangeInclusive<u32> = 0xAC00..=0xD7A3;
/// Full-width ASCII (`Ａ`, `１`, `！`): NFKC maps each to the ASCII code
/// point 0xFEE0 below it.
const FULL_WIDTH: std::ops::RangeInclusive<u32> = 0xFF01..=0xFF5E;

/// What the table knows of one code point below [`TABLE_END`].
#[derive(Clone, Copy)]
struct Entry {
    /// NFKC quick check says Yes and the canonical combining class is 0: a
    /// text made only of such code points is in NFKC already.
    stable: bool,
    /// The NFKC form when it is one stable code point (the code point itself
    /// when stable; `²` is `2`), else `None`.
    nfkc: Option<char>,
    /// The caseless fold when it is one or two stable code points (`ß` is
    /// `ss`), else `None` (folds to something not stable, as `İ` to `i` +
    /// U+0307).
    fold: Option<Fold>,
}

/// A fold of one or two stable code points.
type Fold = (char, Option<char>);

fn table() -> &'static [Entry] {
    static TABLE: OnceLock<Vec<Entry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..TABLE_END)
            .map(|n| match char::from_u32(n) {
                Some(c) => Entry {
                    stable: is_stable_by_algorithm(c),
                    nfkc: nfkc_by_algorithm(c),
                    fold: fold_by_algorithm(c),
                },
                None => Entry {
                    stable: false,
                    nfkc: None,
                    fold: None,
                },
            })
            .collect()
    })
}

/// The general algorithm's answer for one code point (what the table holds).
fn is_stable_by_algorithm(c: char) -> bool {
    canonical_combining_class(c) == 0 && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
}

/// The NFKC form of one code point when it is one stable code point.
fn nfkc_by_algorithm(c: char) -> Option<char> {
    let mut normal = std::iter::once(c).nfkc();
    match (normal.next(), normal.next()) {
        (Some(n), None) if is_stable_by_algorithm(n) => Some(n),
        _ => None,
    }
}

/// The caseless fold of one code point when it is one or two stable code
/// points: appended side by side, such folds stay in NFKC.
fn fold_by_algorithm(c: char) -> Option<Fold> {
    let mut folded = std::iter::once(c).default_case_fold();
    let first = folded.next().filter(|&f| is_stable_by_algorithm(f))?;
    match (folded.next(), folded.next()) {
        (None, _) => Some((first, None)),
        (Some(second), None) if is_stable_by_algorithm(second) => Some((first, Some(second))),
        _ => None,
    }
}

/// The table's entry for `c`, or `None` when the general path must decide.
fn entry(table: &[Entry], c: char) -> Option<Entry> {
    let n = c as u32;
    if n < TABLE_END {
        Some(table[n as usize])
    } else if CJK.contains(&n) || HANGUL.contains(&n) {
        Some(Entry {
            stable: true,
            nfkc: Some(c),
            fold: Some((c, None)),
        })
    } else if FULL_WIDTH.contains(&n) {
        Some(Entry {
            stable: false,
            nfkc: char::from_u32(n - 0xFEE0),
            // Folding sees NFKC text only, where these never are.
            fold: None,
        })
    } else {
        None
    }
}

/// Whether `s` is certainly in NFKC, answered from the table when it can
/// be (all ASCII text is); `false` may also mean "ask the algorithm".
pub(crate) fn is_nfkc(s: &str) -> bool {
    if s.is_ascii() {
        return true;
    }
    // Text whose every code point is stable alone is normal; the general
    // quick check decides the rest (marks in canonical order, for one).
    let table = table();
    s.chars()
        .all(|c| entry(table, c).map_or_else(|| is_stable_by_algorithm(c), |e| e.stable))
        || is_nfkc_quick(s.chars()) == IsNormalized::Yes
}

/// Appends the NFKC form of `s` to `out`.
pub(crate) fn push_nfkc(s: &str, out: &mut String) {
    let start = out.len();
    out.reserve(s.len());
    if s.is_ascii() {
        out.push_str(s);
        return;
    }
    // Code points that each normalise to one stable code point, side by
    // side, are the normal form of the text (full-width forms and
    // superscripts included); anything else takes the general algorithm.
    let table = table();
    for c in s.chars() {
        let normal = match entry(table, c) {
            Some(e) => e.nfkc,
            None => is_stable_by_algorithm(c).then_some(c),
        };
        match normal {
            Some(n) => out.push(n),
            None => {
                wipe_tail(out, start);
                extend_in_place(out, || s.nfkc());
                return;
            }
        }
    }
}

/// Appends the caseless fold of `s` (already NFKC) to `out`, in NFKC: the
/// form the name rule, banned words and stems compare. ASCII folds to its
/// lowercase.
pub(crate) fn push_fold(s: &str, out: &mut String) {
    let start = out.len();
    out.reserve(s.len());
    if s.is_ascii() {
        out.push_str(s);
        out[start..].make_ascii_lowercase();
        return;
    }
    let table = table();
    for c in s.chars() {
        // The table, else the same per-code-point question asked of the
        // algorithm (a symbol or emoji outside the table folds to itself).
        match entry(table, c).map_or_else(|| fold_by_algorithm(c), |e| e.fold) {
            Some((first, second)) => {
                out.push(first);
                out.extend(second);
            }
            None => {
                // A fold that is not stable alone (it may compose with its
                // neighbours): wipe the fast path's output and fold the
                // whole text by the general algorithm.
                wipe_tail(out, start);
                let folded = zeroize::Zeroizing::new(caseless::default_case_fold_str(s));
                extend_in_place(out, || folded.nfkc());
                return;
            }
        }
    }
}

/// Appends what `chars` yields after reserving room for all of it, so the
/// buffer never moves and leaves a copy of a password in freed memory.
fn extend_in_place<I: Iterator<Item = char>>(out: &mut String, chars: impl Fn() -> I) {
    out.reserve(chars().map(char::len_utf8).sum());
    out.extend(chars());
}

/// Overwrites `out[start..]` with zeros and truncates it to `start`.
fn wipe_tail(out: &mut String, start: usize) {
    let tail_len = out.len() - start;
    out.truncate(start);
    // Without unsafe code: write zeros over the old bytes (the capacity is
    // there, so nothing reallocates) and truncate again, so no folded
    // password stays in the spare capacity.
    out.extend(std::iter::repeat_n('\0', tail_len));
    out.truncate(start);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Text from everything the fast paths cover and what borders them:
    /// the table, full-width forms, combining marks, Hangul jamo.
    fn mixed_text() -> impl Strategy<Value = String> {
        let code_point = prop_oneof![
            0x20u32..0x800,
            0xFF01u32..0xFF60,
            0x300u32..0x370,
            0x1100u32..0x11FF,
            0xAC00u32..0xAC40,
            0x2000u32..0x2200,
            0x1F600u32..0x1F610,
        ];
        proptest::collection::vec(code_point, 0..12)
            .prop_map(|v| v.into_iter().filter_map(char::from_u32).collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn fast_paths_give_the_algorithms_answer(s in mixed_text()) {
            let mut n = String::new();
            push_nfkc(&s, &mut n);
            prop_assert_eq!(&n, &by_algorithm_nfkc(&s));
            // `false` only sends the text the general way, which is never wrong.
            prop_assert!(!is_nfkc(&s) || by_algorithm_nfkc(&s) == s);
            let mut f = String::new();
            push_fold(&n, &mut f);
            prop_assert_eq!(f, by_algorithm_fold(&n));
        }
    }

    fn by_algorithm_nfkc(s: &str) -> String {
        s.nfkc().collect()
    }

    fn by_algorithm_fold(s: &str) -> String {
        caseless::default_case_fold_str(s).nfkc().collect()
    }

    #[test]
    fn table_agrees_with_the_algorithms_on_every_code_point_it_covers() {
        let covered = (0..TABLE_END).chain(CJK).chain(HANGUL).chain(FULL_WIDTH);
        for c in covered.filter_map(char::from_u32) {
            let s = c.to_string();
            let e = entry(table(), c).unwrap();
            if e.stable {
                assert_eq!(by_algorithm_nfkc(&s), s, "{c:?} said stable");
            }
            if let Some(n) = e.nfkc {
                assert_eq!(by_algorithm_nfkc(&s), n.to_string(), "{c:?} nfkc");
            }
            if let Some((first, second)) = e.fold {
                let fold: String = std::iter::once(first).chain(second).collect();
                assert_eq!(by_algorithm_fold(&s), fold, "{c:?} fold");
            }
        }
    }

    #[test]
    fn fast_and_general_paths_agree_on_mixed_text() {
        for s in [
            "Kettle9192=",
            "Zoë Z",
            "Иван Иванов",
            "ΣΊΣΥΦΟΣ",
            "Straße",
            "İstanbul",
            "中文Hangul한국어",
            "ﬁＡ①e\u{301}",
            "q\u{308}",
            "\u{1e9e}",
            "Ǆemal",
            "€😀ŉ",
            "Ａ\u{301}ｂ",
            "x²³½ǅ",
        ] {
            let mut n = String::new();
            push_nfkc(s, &mut n);
            assert_eq!(n, by_algorithm_nfkc(s), "{s:?}");
            let mut f = String::from("prefix");
            push_fold(&n, &mut f);
            assert_eq!(f, format!("prefix{}", by_algorithm_fold(&n)), "{s:?}");
        }
    }
}
