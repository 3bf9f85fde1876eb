//! Fuzz target `expiry`: `ExpiryRules::status` and `check_min_age` on any
//! instants and any rules.
//!
//! The expiry arithmetic runs on every login with a last-change time from a
//! store (or a typo in `set-changed`) and a clock: it must not panic anywhere in
//! the range `time` supports, years -9999 to 9999. Guards, for any two instants
//! (UTC, or at any UTC offset) and any `max_age_days`, `warn_days`,
//! `min_age_days` and `must_change`:
//!
//! - no panic from `status`, `check_min_age`, or the violation's message;
//! - `status` is coherent: `must_change` wins; `expires` is `last_change +
//!   max_age_days` exactly (none when 0 or past the end of time) and comes with
//!   `days_left`; `Expired` means `now >= expires` and no days left; `Warning`
//!   and `Ok` mean `now < expires`, `Warning` within `warn_days`;
//!   `changed_in_future` means `last_change > now`;
//! - `check_min_age` returns `too_recent` exactly when a change comes before
//!   `last_change + min_age_days` (never when disabled or forced), with that
//!   instant as `allowed_from` and a non-empty message.
//!
//! The rules are not validated on purpose: the arithmetic must hold for any
//! values a caller builds, not only for policies a file may contain.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pwpolicy::{ExpiryState, Policy, Violation};
use time::{Duration, OffsetDateTime, UtcOffset};

/// One instant: Unix seconds and nanoseconds, and a UTC offset to view it at.
#[derive(Debug, Arbitrary)]
struct Instant {
    unix_seconds: i64,
    nanoseconds: u32,
    /// Offset in seconds, used when `use_offset`.
    offset_seconds: i32,
    use_offset: bool,
}

/// One fuzz case.
#[derive(Debug, Arbitrary)]
struct Input {
    last_change: Instant,
    now: Instant,
    must_change: bool,
    max_age_days: u32,
    warn_days: u32,
    min_age_days: u32,
}

fuzz_target!(|input: Input| {
    let (Some(last_change), Some(now)) = (instant(&input.last_change), instant(&input.now)) else {
        return;
    };
    let mut policy = Policy::default();
    policy.expiry.max_age_days = input.max_age_days;
    policy.expiry.warn_days = input.warn_days;
    policy.expiry.min_age_days = input.min_age_days;
    let rules = &policy.expiry;
    let must_change = input.must_change;

    let status = rules.status(last_change, must_change, now);
    // The core works in UTC: an instant whose UTC form is out of range has no expiry.
    let utc = |t: time::OffsetDateTime| t.checked_to_offset(time::UtcOffset::UTC);
    let expected_expiry = (rules.max_age_days > 0 && utc(now).is_some())
        .then(|| utc(last_change)?.checked_add(Duration::days(i64::from(rules.max_age_days))))
        .flatten();
    assert_eq!(status.expires, expected_expiry, "expiry instant");
    assert_eq!(status.expires.is_some(), status.days_left.is_some());
    assert_eq!(status.changed_in_future, last_change > now);
    assert_eq!(must_change, status.state == ExpiryState::MustChange);
    match (status.state, status.expires, status.days_left) {
        (ExpiryState::Expired, Some(expires), Some(days_left)) => {
            assert!(now >= expires, "expired before {expires}: now {now}");
            assert!(days_left <= 0, "expired with {days_left} days left");
        }
        (ExpiryState::Expired, ..) => panic!("expired without an expiry: {status:?}"),
        (ExpiryState::Warning, Some(expires), Some(days_left)) => {
            assert!(now < expires, "warning after expiry {expires}: now {now}");
            assert!(rules.warn_days > 0);
            assert!((0..=i64::from(rules.warn_days)).contains(&days_left));
        }
        (ExpiryState::Warning, ..) => panic!("warning without an expiry: {status:?}"),
        (ExpiryState::Ok, Some(expires), Some(days_left)) => {
            assert!(now < expires, "ok after expiry {expires}: now {now}");
            assert!(days_left >= 0);
            assert!(rules.warn_days == 0 || days_left > i64::from(rules.warn_days));
        }
        (ExpiryState::Ok | ExpiryState::MustChange, ..) => {}
    }

    let too_recent = rules.check_min_age(last_change, must_change, now);
    let allowed_from = (rules.min_age_days > 0 && !must_change && utc(now).is_some())
        .then(|| utc(last_change)?.checked_add(Duration::days(i64::from(rules.min_age_days))))
        .flatten();
    match (too_recent, allowed_from) {
        (None, None) => {}
        (None, Some(from)) => assert!(now >= from, "not too recent before {from}: now {now}"),
        (Some(v), Some(from)) => {
            assert!(now < from, "too recent after {from}: now {now}");
            assert_eq!(v.code(), "too_recent");
            assert!(!v.message().is_empty());
            match v {
                Violation::TooRecent {
                    min_age_days,
                    allowed_from,
                } => assert_eq!((min_age_days, allowed_from), (rules.min_age_days, from)),
                other => panic!("check_min_age returned {other:?}"),
            }
        }
        (Some(v), None) => panic!("too recent with no minimum age in force: {v:?}"),
    }
});

/// The instant `i` describes, kept inside `time`'s range: seconds outside it
/// wrap around into it (rather than wasting the input), nanoseconds wrap into
/// a second, and an offset is applied only when the local time stays in range.
fn instant(i: &Instant) -> Option<OffsetDateTime> {
    let min = OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT).unix_timestamp();
    let max = OffsetDateTime::new_utc(time::Date::MAX, time::Time::MAX).unix_timestamp();
    let seconds = OffsetDateTime::from_unix_timestamp(i.unix_seconds)
        .map(|_| i.unix_seconds)
        .unwrap_or_else(|_| min + i.unix_seconds.rem_euclid(max - min + 1));
    let utc = OffsetDateTime::from_unix_timestamp(seconds)
        .ok()?
        .replace_nanosecond(i.nanoseconds % 1_000_000_000)
        .ok()?;
    if !i.use_offset {
        return Some(utc);
    }
    // UtcOffset spans -25:59:59 to +25:59:59; `%` keeps the sign, and 0 is UTC.
    const SPAN: i32 = 25 * 3600 + 59 * 60 + 59;
    let offset = UtcOffset::from_whole_seconds(i.offset_seconds % (SPAN + 1)).ok()?;
    utc.checked_to_offset(offset)
}
