//! The length rule: code points of the NFKC form, between a minimum and a maximum.

use crate::verdict::Violation;

/// `too_short` or `too_long` for a password of `chars` code points.
pub fn check(chars: usize, min: u32, max: u32) -> Option<Violation> {
    if chars < min as usize {
        Some(Violation::TooShort { min, actual: chars })
    } else if chars > max as usize {
        Some(Violation::TooLong {
            max,
            actual: Some(chars),
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_inclusive() {
        assert_eq!(
            check(7, 8, 256),
            Some(Violation::TooShort { min: 8, actual: 7 })
        );
        assert_eq!(check(8, 8, 256), None);
        assert_eq!(check(256, 8, 256), None);
        assert_eq!(
            check(257, 8, 256),
            Some(Violation::TooLong {
                max: 256,
                actual: Some(257)
            })
        );
        assert_eq!(check(0, 0, 64), None);
    }
}
