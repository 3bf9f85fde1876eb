//! The violation codes of the C API, written once: [`CODES`] gives each stable
//! code (`pwpolicy::Violation::code`) its `PWPOLICY_V_*` bit, `1 << index`,
//! in the order of `include/pwpolicy.h`; every bit and every name the library
//! hands out comes from it, and a test holds the header to it.

use std::ffi::{CStr, c_uint};

use pwpolicy::Verdict;

/// The stable violation codes in bit order: `CODES[i]` is bit `1 << i`.
/// Append only: a code's bit is part of the C ABI.
pub const CODES: [&CStr; 13] = [
    c"too_short",
    c"too_long",
    c"too_few_classes",
    c"contains_account_name",
    c"contains_name_part",
    c"reused",
    c"too_recent",
    c"breached",
    c"too_guessable",
    c"contains_banned_word",
    c"similar_to_history",
    c"too_many_repeats",
    c"contains_sequence",
];

const _: () = assert!(CODES.len() <= c_uint::BITS as usize, "one bit per code");

/// The bit of a violation code; 0 for a code the table does not have.
pub fn bit(code: &str) -> c_uint {
    CODES
        .iter()
        .position(|c| c.to_bytes() == code.as_bytes())
        .map_or(0, |i| 1 << i)
}

/// The bits of every violation in a verdict.
pub fn bits(verdict: &Verdict) -> c_uint {
    verdict
        .violations()
        .iter()
        .map(|v| bit(v.code()))
        .fold(0, |a, b| a | b)
}

/// The code of one bit, or `None` unless `bit` is exactly one bit of the table.
pub fn name(bit: c_uint) -> Option<&'static CStr> {
    if bit.count_ones() != 1 {
        return None;
    }
    CODES.get(bit.trailing_zeros() as usize).copied()
}

/// Reading `include/pwpolicy.h` in tests.
#[cfg(test)]
pub mod header {
    /// The header, as shipped.
    pub const TEXT: &str = include_str!("../include/pwpolicy.h");

    /// Every `#define NAME VALUE` of an integer, in the header's order, with
    /// its value (`0`, `(-1)`, `(1u << 4)`).
    pub fn defines() -> Vec<(String, i64)> {
        TEXT.lines()
            .filter_map(|line| line.trim().strip_prefix("#define "))
            .filter_map(|rest| {
                let (name, value) = rest.trim().split_once(char::is_whitespace)?;
                let value = value.split("/*").next().unwrap_or_default().trim();
                Some((name.to_owned(), value.to_owned()))
            })
            .filter(|(name, _)| name != "PWPOLICY_H")
            .map(|(name, value)| {
                let v = eval(&value).unwrap_or_else(|| panic!("{name}: cannot read `{value}`"));
                (name, v)
            })
            .collect()
    }

    fn eval(value: &str) -> Option<i64> {
        let value = value.trim();
        if let Some(inner) = value.strip_prefix('(').and_then(|v| v.strip_suffix(')')) {
            return eval(inner);
        }
        if let Some((base, shift)) = value.split_once("<<") {
            return Some(eval(base)? << eval(shift)?);
        }
        value.trim_end_matches(['u', 'U']).parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pwpolicy::{CharClass, Violation};

    /// One of each variant `pwpolicy::Violation` has today. The enum is
    /// `#[non_exhaustive]`, so a new variant cannot break this at compile time:
    /// add it here (and its code to [`CODES`] and the header if it is new).
    fn one_of_each_violation() -> Vec<Violation> {
        vec![
            Violation::TooShort { min: 8, actual: 4 },
            Violation::TooLong {
                max: 64,
                actual: Some(65),
            },
            Violation::TooFewClasses {
                required: 3,
                actual: 1,
                missing: vec![CharClass::Uppercase, CharClass::Digit],
            },
            Violation::ContainsAccountName,
            Violation::ContainsNamePart,
            Violation::Reused { current: false },
            Violation::TooRecent {
                min_age_days: 1,
                allowed_from: std::time::SystemTime::UNIX_EPOCH.into(),
            },
            Violation::Breached,
            Violation::TooManyRepeats { max: 3 },
            Violation::ContainsSequence { max: 4 },
        ]
    }

    fn bit_defines() -> Vec<(String, i64)> {
        header::defines()
            .into_iter()
            .filter(|(name, _)| name.starts_with("PWPOLICY_V_"))
            .collect()
    }

    /// Every `PWPOLICY_V_*` constant of include/pwpolicy.h is a code of the
    /// table, by name and by value, in the same order, and none is missing.
    #[test]
    fn the_header_bits_are_the_table() {
        let expected: Vec<(String, i64)> = CODES
            .iter()
            .enumerate()
            .map(|(i, code)| {
                let name = code.to_str().unwrap().to_ascii_uppercase();
                (format!("PWPOLICY_V_{name}"), 1i64 << i)
            })
            .collect();
        assert_eq!(bit_defines(), expected);
    }

    /// Each code the Rust enum produces has the header's bit for it, and
    /// `pwpolicy_violation_name`'s table gives the code back.
    #[test]
    fn every_violation_has_its_header_bit() {
        let header = bit_defines();
        for violation in one_of_each_violation() {
            let code = violation.code();
            let constant = format!("PWPOLICY_V_{}", code.to_ascii_uppercase());
            let (_, value) = header
                .iter()
                .find(|(name, _)| *name == constant)
                .unwrap_or_else(|| panic!("include/pwpolicy.h has no {constant}"));
            assert_eq!(i64::from(bit(code)), *value, "{code}");
            assert_eq!(name(bit(code)).unwrap().to_str().unwrap(), code);
        }
    }

    #[test]
    fn names_only_for_single_known_bits() {
        assert_eq!(name(0), None);
        assert_eq!(name(3), None);
        assert_eq!(name(1 << CODES.len()), None);
        assert_eq!(name(1 << 31), None);
        for (i, code) in CODES.iter().enumerate() {
            assert_eq!(name(1 << i), Some(*code));
            assert_eq!(bit(code.to_str().unwrap()), 1 << i);
        }
        assert_eq!(bit("no_such_code"), 0);
    }

    #[test]
    fn a_verdict_sets_one_bit_per_violation() {
        let policy = pwpolicy::Policy::default();
        let verdict = policy.check(
            &pwpolicy::Password::new("erin"),
            &pwpolicy::Names::new("erin", "Erin Hagens"),
        );
        let expected = [
            "too_short",
            "too_few_classes",
            "contains_account_name",
            "contains_name_part",
        ]
        .map(bit)
        .into_iter()
        .fold(0, |a, b| a | b);
        assert_eq!(bits(&verdict), expected);
    }
}
