//! Expiry arithmetic: when a password expires, whether to warn, whether a
//! change comes too soon. Pure functions of the last change and `now`.
//!
//! A password changed at `t` expires at `t + max_age_days` (exactly 90 days
//! later: at that instant it is expired). Days left are counted in whole UTC
//! calendar days between today and the expiry date, as `chage` and pam_unix
//! count them, so a password set on 2026-01-01 has 90 days left all of that day.

use serde::Serialize;
use time::{Duration, OffsetDateTime, UtcOffset};

use crate::policy::ExpiryRules;
use crate::verdict::Violation;

/// Where a password stands against the expiry rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryState {
    /// Valid, outside the warning window.
    Ok,
    /// Valid, but expires within `warn_days`.
    Warning,
    /// Past its expiry: must be changed at the next login.
    Expired,
    /// An administrator forced a change at the next login.
    MustChange,
}

impl ExpiryState {
    /// The stable name: `ok`, `warning`, `expired` or `must_change`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpiryState::Ok => "ok",
            ExpiryState::Warning => "warning",
            ExpiryState::Expired => "expired",
            ExpiryState::MustChange => "must_change",
        }
    }
}

/// The outcome of [`ExpiryRules::status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExpiryStatus {
    /// The state.
    pub state: ExpiryState,
    /// When the password expires; `None` when passwords never expire.
    pub expires: Option<OffsetDateTime>,
    /// Whole UTC days from today to the expiry date; negative once expired.
    pub days_left: Option<i64>,
    /// The recorded last change lies in the future (clock skew or a bad
    /// `set-changed`): worth a warning in the log. Like pam_unix, the
    /// arithmetic is still applied as recorded.
    pub changed_in_future: bool,
}

impl ExpiryRules {
    /// The expiry state of a password last changed at `last_change`.
    ///
    /// ```
    /// use pwpolicy::{ExpiryRules, ExpiryState};
    /// use time::macros::datetime;
    ///
    /// let rules = ExpiryRules::default(); // 90 days, warn 14 days before
    /// let changed = datetime!(2026-01-01 00:00 UTC);
    /// let s = rules.status(changed, false, datetime!(2026-03-25 12:00 UTC));
    /// assert_eq!((s.state, s.days_left), (ExpiryState::Warning, Some(7)));
    /// ```
    pub fn status(
        &self,
        last_change: OffsetDateTime,
        must_change: bool,
        now: OffsetDateTime,
    ) -> ExpiryStatus {
        // Work in UTC throughout: adding days to a time at another offset can
        // leave the representable range once converted.
        let (Some(last_change), Some(now)) = (utc(last_change), utc(now)) else {
            return ExpiryStatus {
                state: if must_change {
                    ExpiryState::MustChange
                } else {
                    ExpiryState::Ok
                },
                expires: None,
                days_left: None,
                changed_in_future: false,
            };
        };
        let expires = (self.max_age_days > 0)
            .then(|| last_change.checked_add(Duration::days(i64::from(self.max_age_days))))
            .flatten();
        ExpiryStatus {
            changed_in_future: last_change > now,
            ..self.status_until(expires, must_change, now)
        }
    }

    /// The state of a password that expires at `expires` (`None`: never),
    /// when something else worked out the expiry (a directory's maximum
    /// age, a fine-grained policy): the same states, days and warning
    /// window as [`ExpiryRules::status`], whose `max_age_days` it ignores.
    ///
    /// ```
    /// use pwpolicy::{ExpiryRules, ExpiryState};
    /// use time::macros::datetime;
    ///
    /// let rules = ExpiryRules::default(); // warn 14 days before
    /// let s = rules.status_until(Some(datetime!(2026-02-12 09:00 UTC)), false, datetime!(2026-02-01 12:00 UTC));
    /// assert_eq!((s.state, s.days_left), (ExpiryState::Warning, Some(11)));
    /// ```
    pub fn status_until(
        &self,
        expires: Option<OffsetDateTime>,
        must_change: bool,
        now: OffsetDateTime,
    ) -> ExpiryStatus {
        let (expires, now) = match (expires.map(utc), utc(now)) {
            (Some(None), _) | (_, None) => (None, None),
            (Some(Some(e)), Some(n)) => (Some(e), Some(n)),
            (None, Some(n)) => (None, Some(n)),
        };
        let days_left = expires.zip(now).map(|(e, n)| days_between(n, e));
        let state = if must_change {
            ExpiryState::MustChange
        } else {
            match (expires.zip(now), days_left) {
                (Some((e, n)), _) if n >= e => ExpiryState::Expired,
                (Some(_), Some(d)) if self.warn_days > 0 && d <= i64::from(self.warn_days) => {
                    ExpiryState::Warning
                }
                _ => ExpiryState::Ok,
            }
        };
        ExpiryStatus {
            state,
            expires,
            days_left,
            changed_in_future: false,
        }
    }

    /// `too_recent` when the password was changed less than `min_age_days` ago.
    /// A forced change (`must_change`) is never too recent.
    pub fn check_min_age(
        &self,
        last_change: OffsetDateTime,
        must_change: bool,
        now: OffsetDateTime,
    ) -> Option<Violation> {
        if self.min_age_days == 0 || must_change {
            return None;
        }
        let (last_change, now) = (utc(last_change)?, utc(now)?);
        let allowed_from = last_change.checked_add(Duration::days(i64::from(self.min_age_days)))?;
        (now < allowed_from).then_some(Violation::TooRecent {
            min_age_days: self.min_age_days,
            allowed_from,
        })
    }
}

/// `t` in UTC, or `None` when that falls outside the representable years.
fn utc(t: OffsetDateTime) -> Option<OffsetDateTime> {
    t.checked_to_offset(UtcOffset::UTC)
}

/// Whole calendar days from `from`'s date to `to`'s date (both in UTC).
fn days_between(from: OffsetDateTime, to: OffsetDateTime) -> i64 {
    (to.date() - from.date()).whole_days()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn rules(max: u32, warn: u32, min: u32) -> ExpiryRules {
        ExpiryRules {
            max_age_days: max,
            warn_days: warn,
            min_age_days: min,
        }
    }

    #[test]
    fn exactly_ninety_days_is_expired() {
        let changed = datetime!(2026-01-01 08:30 UTC);
        let r = rules(90, 14, 0);
        let at = changed + Duration::days(90);
        let s = r.status(changed, false, at);
        assert_eq!(
            (s.state, s.expires, s.days_left),
            (ExpiryState::Expired, Some(at), Some(0))
        );
        let s = r.status(changed, false, at - Duration::SECOND);
        assert_eq!((s.state, s.days_left), (ExpiryState::Warning, Some(0)));
    }

    #[test]
    fn warning_window_edges() {
        let changed = datetime!(2026-01-01 00:00 UTC);
        let r = rules(90, 14, 0);
        // Expires 2026-04-01: 14 days before is 2026-03-18.
        assert_eq!(
            r.status(changed, false, datetime!(2026-03-18 23:59 UTC))
                .state,
            ExpiryState::Warning
        );
        assert_eq!(
            r.status(changed, false, datetime!(2026-03-17 23:59 UTC))
                .state,
            ExpiryState::Ok
        );
        assert_eq!(
            r.status(changed, false, datetime!(2026-03-17 12:00 UTC))
                .days_left,
            Some(15)
        );
    }

    #[test]
    fn leap_day_counts_as_a_day() {
        // 2028 is a leap year: 2028-01-01 + 90 days = 2028-03-31 (2027: 2027-04-01).
        let r = rules(90, 14, 0);
        let s = r.status(
            datetime!(2028-01-01 00:00 UTC),
            false,
            datetime!(2028-01-01 00:00 UTC),
        );
        assert_eq!(s.expires, Some(datetime!(2028-03-31 00:00 UTC)));
        let s = r.status(
            datetime!(2027-01-01 00:00 UTC),
            false,
            datetime!(2027-01-01 00:00 UTC),
        );
        assert_eq!(s.expires, Some(datetime!(2027-04-01 00:00 UTC)));
        // Changed on the leap day itself.
        let s = r.status(
            datetime!(2028-02-29 12:00 UTC),
            false,
            datetime!(2028-05-29 11:59 UTC),
        );
        assert_eq!((s.state, s.days_left), (ExpiryState::Warning, Some(0)));
    }

    #[test]
    fn days_left_are_calendar_days_and_go_negative() {
        let changed = datetime!(2026-01-01 00:00 UTC);
        let r = rules(90, 14, 0);
        assert_eq!(
            r.status(changed, false, datetime!(2026-01-01 23:00 UTC))
                .days_left,
            Some(90)
        );
        let s = r.status(changed, false, datetime!(2026-04-03 06:00 UTC));
        assert_eq!((s.state, s.days_left), (ExpiryState::Expired, Some(-2)));
    }

    #[test]
    fn future_last_change_is_flagged_and_not_expired() {
        let r = rules(90, 14, 1);
        let now = datetime!(2026-06-01 00:00 UTC);
        let s = r.status(datetime!(2026-06-11 00:00 UTC), false, now);
        assert!(s.changed_in_future);
        assert_eq!((s.state, s.days_left), (ExpiryState::Ok, Some(100)));
        assert!(
            r.check_min_age(datetime!(2026-06-11 00:00 UTC), false, now)
                .is_some()
        );
    }

    #[test]
    fn status_until_agrees_with_status_for_the_same_expiry() {
        let r = rules(90, 14, 0);
        let changed = datetime!(2026-01-01 08:30 UTC);
        let expires = changed + Duration::days(90);
        for hours in (0..24 * 120).step_by(7) {
            let now = changed + Duration::hours(hours);
            for must in [false, true] {
                let a = r.status(changed, must, now);
                let b = r.status_until(Some(expires), must, now);
                assert_eq!(
                    (a.state, a.expires, a.days_left),
                    (b.state, b.expires, b.days_left)
                );
            }
        }
        let never = r.status_until(None, false, changed);
        assert_eq!(
            (never.state, never.expires, never.days_left),
            (ExpiryState::Ok, None, None)
        );
    }

    #[test]
    fn must_change_wins_and_zero_disables() {
        let changed = datetime!(2026-01-01 00:00 UTC);
        let now = datetime!(2026-01-02 00:00 UTC);
        assert_eq!(
            rules(90, 14, 0).status(changed, true, now).state,
            ExpiryState::MustChange
        );
        let s = rules(0, 14, 0).status(changed, false, datetime!(2099-01-01 00:00 UTC));
        assert_eq!(
            (s.state, s.expires, s.days_left),
            (ExpiryState::Ok, None, None)
        );
        assert_eq!(
            rules(0, 0, 0).status(changed, true, now).state,
            ExpiryState::MustChange
        );
        assert_eq!(
            rules(90, 0, 0)
                .status(changed, false, datetime!(2026-03-31 00:00 UTC))
                .state,
            ExpiryState::Ok
        );
    }

    #[test]
    fn min_age() {
        let changed = datetime!(2026-01-01 10:00 UTC);
        let r = rules(90, 14, 1);
        let v = r.check_min_age(changed, false, datetime!(2026-01-02 09:59 UTC));
        assert_eq!(
            v,
            Some(Violation::TooRecent {
                min_age_days: 1,
                allowed_from: datetime!(2026-01-02 10:00 UTC)
            })
        );
        assert_eq!(
            r.check_min_age(changed, false, datetime!(2026-01-02 10:00 UTC)),
            None
        );
        assert_eq!(
            r.check_min_age(changed, true, datetime!(2026-01-01 11:00 UTC)),
            None
        );
        assert_eq!(
            rules(90, 14, 0).check_min_age(changed, false, changed),
            None
        );
    }

    #[test]
    fn times_at_other_offsets_near_year_9999_do_not_panic() {
        // Found by fuzzing: 9999-10-02 20:00 -05:00 plus 90 days is still
        // year 9999 locally but year 10000 in UTC.
        let r = rules(90, 14, 5);
        let s = r.status(
            datetime!(9999-10-02 20:00 -05:00),
            false,
            datetime!(2026-01-01 0:00 UTC),
        );
        assert_eq!(s.state, ExpiryState::Ok);
        let late = datetime!(9999-12-31 23:00 -05:00);
        assert_eq!(r.status(late, true, late).state, ExpiryState::MustChange);
        assert_eq!(r.check_min_age(late, false, late), None);
        // Offsets are honoured: 10:00+02:00 is 08:00 UTC.
        let s = r.status(
            datetime!(2026-01-01 10:00 +02:00),
            false,
            datetime!(2026-04-01 07:59 UTC),
        );
        assert_eq!(s.state, ExpiryState::Warning);
    }

    #[test]
    fn far_future_dates_do_not_overflow() {
        let r = rules(90, 14, 5);
        let end = datetime!(9999-12-31 23:59 UTC);
        let s = r.status(end, false, end);
        assert_eq!((s.state, s.expires), (ExpiryState::Ok, None));
        assert_eq!(r.check_min_age(end, false, end), None);
    }
}
