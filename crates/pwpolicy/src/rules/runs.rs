//! Runs of characters: the same one repeated (`aaaa`) and a monotonic
//! sequence (`abcd`, `4321`), off unless `[quality] max_repeat` or
//! `max_sequence` is set. Decided exactly as pam_pwquality's `maxrepeat`
//! and `maxsequence` decide them (case-sensitive, on consecutive
//! characters; a sequence steps by one code point up or down), so a site
//! moving from pwquality.conf keeps its numbers.

use crate::verdict::Violation;

/// `too_many_repeats` when a character appears more than `max` times in a
/// row; `max = 0` is off.
///
/// ```
/// use pwpolicy::rules::runs::repeats;
/// assert!(repeats("aaaaaaaaaaaaaaa1A", 3).is_some());
/// assert!(repeats("Baaab-Kettle-42", 3).is_none());
/// assert!(repeats("aaaaaaaaaaaaaaa1A", 0).is_none());
/// ```
pub fn repeats(text: &str, max: u32) -> Option<Violation> {
    if max == 0 {
        return None;
    }
    let mut chars = text.chars();
    let mut previous = chars.next()?;
    let mut run = 1u32;
    for c in chars {
        if c == previous {
            run += 1;
            if run > max {
                return Some(Violation::TooManyRepeats { max });
            }
        } else {
            (previous, run) = (c, 1);
        }
    }
    None
}

/// `contains_sequence` when more than `max` characters in a row step by
/// one up (`abcd`, `1234`) or down (`dcba`); `max = 0` is off.
///
/// ```
/// use pwpolicy::rules::runs::sequence;
/// assert!(sequence("12345678Aa", 4).is_some());
/// assert!(sequence("Kettle-zyxw", 3).is_some());
/// assert!(sequence("Blue-Kettle-42", 3).is_none());
/// ```
pub fn sequence(text: &str, max: u32) -> Option<Violation> {
    if max == 0 {
        return None;
    }
    let mut chars = text.chars().map(u32::from);
    let mut previous = chars.next()?;
    let (mut up, mut down) = (1u32, 1u32);
    for c in chars {
        if c == previous.wrapping_add(1) {
            up += 1;
            down = 1;
        } else if c == previous.wrapping_sub(1) {
            down += 1;
            up = 1;
        } else {
            (up, down) = (1, 1);
        }
        if up > max || down > max {
            return Some(Violation::ContainsSequence { max });
        }
        previous = c;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_as_pwquality_counts_them() {
        // maxrepeat=3: four in a row is one too many, three is fine.
        assert!(repeats("xaaaax", 3).is_some());
        assert!(repeats("xaaax", 3).is_none());
        // Case-sensitive, as pwquality is.
        assert!(repeats("aAaA", 1).is_none());
        assert!(repeats("", 3).is_none());
        // maxsequence=3: abcd (4) too long, abc fine; down too; the count
        // restarts when the direction turns.
        assert!(sequence("xabcdx", 3).is_some());
        assert!(sequence("xabcx", 3).is_none());
        assert!(sequence("x9876x", 3).is_some());
        assert!(sequence("abcba", 3).is_none());
        assert!(sequence("ab", 1).is_some());
        // Code points, not bytes: Greek αβγδ is a sequence.
        assert!(sequence("αβγδ", 3).is_some());
    }
}
