//! Active Directory's two time encodings: points in time as FILETIME
//! (100 ns ticks since 1601-01-01 UTC: pwdLastSet,
//! msDS-UserPasswordExpiryTimeComputed) and spans as negative tick counts
//! (maxPwdAge, minPwdAge and their PSO twins), where 0 and the most
//! negative value mean "none".

use time::{Duration, OffsetDateTime};

/// Ticks per second.
const TICKS_PER_SECOND: i64 = 10_000_000;
/// Seconds from 1601-01-01 to 1970-01-01.
const SECONDS_1601_TO_1970: i64 = 11_644_473_600;
/// The FILETIME AD writes for "never" (`0x7FFFFFFFFFFFFFFF`).
pub const NEVER: i64 = i64::MAX;

/// The instant of a FILETIME, or `None` when it is 0, "never" or outside
/// the years this program can represent.
pub fn instant(filetime: i64) -> Option<OffsetDateTime> {
    if filetime <= 0 || filetime == NEVER {
        return None;
    }
    let seconds = filetime / TICKS_PER_SECOND - SECONDS_1601_TO_1970;
    let nanos = i128::from(filetime % TICKS_PER_SECOND) * 100;
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(seconds) * 1_000_000_000 + nanos).ok()
}

/// The FILETIME of an instant (what a DC would write for it).
pub fn filetime(t: OffsetDateTime) -> i64 {
    let ticks = t.unix_timestamp_nanos() / 100
        + i128::from(SECONDS_1601_TO_1970) * i128::from(TICKS_PER_SECOND);
    i64::try_from(ticks).unwrap_or(NEVER)
}

/// A span as AD stores it, or `None` for "none" (0, or the most negative
/// value, which maxPwdAge uses for "never expires"). A positive value is
/// not one AD writes: `Err` then.
///
/// # Errors
///
/// [`PositiveSpan`] for a positive value.
pub fn span(ticks: i64) -> Result<Option<Duration>, PositiveSpan> {
    match ticks {
        0 | i64::MIN => Ok(None),
        t if t > 0 => Err(PositiveSpan),
        t => {
            let t = -t;
            Ok(Some(
                Duration::seconds(t / TICKS_PER_SECOND)
                    + Duration::nanoseconds((t % TICKS_PER_SECOND) * 100),
            ))
        }
    }
}

/// A span attribute holding a positive count, which AD never writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositiveSpan;

/// The instant of an LDAP GeneralizedTime (`whenCreated`:
/// `20261207063000.0Z`; RFC 4517 §3.3.13: `YYYYMMDDHH[MM[SS]][.fff]` then
/// `Z` or `±HHMM`), or `None` for anything else.
pub fn generalized_time(text: &str) -> Option<OffsetDateTime> {
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let (stamp, offset) = match text.strip_suffix('Z') {
        Some(stamp) => (stamp, 0i64),
        None => {
            let at = text.rfind(['+', '-'])?;
            let (stamp, zone) = text.split_at(at);
            let (sign, zone) = zone.split_at(1);
            if zone.len() != 4 || !digits(zone) {
                return None;
            }
            let minutes = zone[..2].parse::<i64>().ok()? * 60 + zone[2..].parse::<i64>().ok()?;
            (stamp, if sign == "-" { -minutes } else { minutes })
        }
    };
    // The fraction (of the last unit given) is left out: a second's part
    // matters to nobody here.
    let whole = stamp.split(['.', ',']).next()?;
    if !digits(whole) || !matches!(whole.len(), 10 | 12 | 14) {
        return None;
    }
    let field =
        |range: std::ops::Range<usize>| whole.get(range).map_or(Some(0), |f| f.parse().ok());
    let year: i32 = whole.get(0..4)?.parse().ok()?;
    let month = time::Month::try_from(whole.get(4..6)?.parse::<u8>().ok()?).ok()?;
    let date = time::Date::from_calendar_date(year, month, whole.get(6..8)?.parse().ok()?).ok()?;
    let clock = time::Time::from_hms(field(8..10)?, field(10..12)?, field(12..14)?).ok()?;
    date.with_time(clock)
        .assume_utc()
        .checked_sub(Duration::minutes(offset))
}

/// A span in days for people: `42`, or `1.5` when it is not whole.
pub fn days_text(d: Duration) -> String {
    let seconds = d.whole_seconds();
    if seconds % 86_400 == 0 && d.subsec_nanoseconds() == 0 {
        format!("{}", seconds / 86_400)
    } else {
        let days = d.as_seconds_f64() / 86_400.0;
        format!("{days:.2}")
    }
}

/// Whole days of a span, rounded down.
pub fn whole_days(d: Duration) -> u64 {
    u64::try_from(d.whole_days()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generalized_times_as_ad_writes_them_and_as_rfc_4517_allows() {
        use time::macros::datetime;
        assert_eq!(
            generalized_time("20261207063000.0Z"),
            Some(datetime!(2026-12-07 06:30 UTC))
        );
        assert_eq!(
            generalized_time("2026120706Z"),
            Some(datetime!(2026-12-07 06:00 UTC))
        );
        assert_eq!(
            generalized_time("20261207063000+0130"),
            Some(datetime!(2026-12-07 05:00 UTC))
        );
        for bad in [
            "",
            "Z",
            "2026-12-07",
            "20261332000000Z",
            "20261207063000",
            "2026120706300Z",
            "x0261207063000Z",
        ] {
            assert_eq!(generalized_time(bad), None, "{bad}");
        }
    }
    use proptest::prelude::*;
    use time::macros::datetime;

    #[test]
    fn known_values() {
        // 2026-12-01 00:00:00 UTC, as `samba-tool` shows pwdLastSet.
        let t = datetime!(2026-12-01 00:00 UTC);
        assert_eq!(filetime(t), 134_405_568_000_000_000);
        assert_eq!(instant(134_405_568_000_000_000), Some(t));
        assert_eq!(instant(0), None);
        assert_eq!(instant(NEVER), None);
        assert_eq!(instant(-5), None);
        // Samba's provisioned maxPwdAge: 42 days.
        assert_eq!(span(-36_288_000_000_000), Ok(Some(Duration::days(42))));
        assert_eq!(span(i64::MIN), Ok(None));
        assert_eq!(span(0), Ok(None));
        assert_eq!(span(5), Err(PositiveSpan));
        assert_eq!(days_text(Duration::days(42)), "42");
        assert_eq!(days_text(Duration::hours(36)), "1.50");
    }

    proptest! {
        #[test]
        fn filetimes_round_trip(ticks in 1i64..2_650_467_743_999_999_999) {
            // Up to the year 9999.
            let t = instant(ticks).unwrap();
            prop_assert_eq!(filetime(t), ticks);
        }

        #[test]
        fn any_tick_count_is_handled(ticks in any::<i64>()) {
            let _ = instant(ticks);
            let _ = span(ticks);
        }
    }
}
