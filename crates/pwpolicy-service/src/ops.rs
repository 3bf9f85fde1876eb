//! The operations on the store, shared by the service and the CLI's local
//! mode so that both answer alike: check, commit, status, report.

use pwpolicy::{ExpiryRules, Hasher, Names, Password, Policy, Verdict, Violation, format_date};
use pwpolicy_store::{ChangeOutcome, PasswordChange, Store, StoreError};
use serde_json::{Value, json};
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, Time};

/// Where one password stands, as `status` and `report` show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// `ok`, `warning`, `expired`, `must_change` or `unknown`.
    pub state: &'static str,
    /// Last change, if recorded.
    pub last_change: Option<OffsetDateTime>,
    /// Expiry, if passwords expire and a change is recorded.
    pub expires: Option<OffsetDateTime>,
    /// UTC calendar days to the expiry date.
    pub days_left: Option<i64>,
    /// Whether a change is forced.
    pub must_change: bool,
}

impl Standing {
    /// The standing of a password last changed at `last_change`.
    pub fn of(
        rules: &ExpiryRules,
        last_change: Option<OffsetDateTime>,
        must_change: bool,
        now: OffsetDateTime,
    ) -> Standing {
        match last_change {
            Some(last) => {
                let s = rules.status(last, must_change, now);
                Standing {
                    state: s.state.as_str(),
                    last_change,
                    expires: s.expires,
                    days_left: s.days_left,
                    must_change,
                }
            }
            None => Standing {
                state: if must_change {
                    "must_change"
                } else {
                    "unknown"
                },
                last_change: None,
                expires: None,
                days_left: None,
                must_change,
            },
        }
    }

    /// No record.
    pub fn unknown() -> Standing {
        Standing {
            state: "unknown",
            last_change: None,
            expires: None,
            days_left: None,
            must_change: false,
        }
    }

    /// `{"user", "state", "last_changed", "expires", "days_left", "must_change"}`.
    pub fn json(&self, user: &str) -> Value {
        json!({
            "user": user,
            "state": self.state,
            "last_changed": self.last_change.map(|t| format_date(t.date())),
            "expires": self.expires.map(|t| format_date(t.date())),
            "days_left": self.days_left,
            "must_change": self.must_change,
        })
    }
}

/// The full status object of one user (`pwpolicy status --json`).
///
/// # Errors
///
/// [`StoreError`] when the store cannot be read.
pub fn status(
    store: Option<&mut dyn Store>,
    policy: &Policy,
    user: &str,
    now: OffsetDateTime,
) -> Result<Value, StoreError> {
    let record = match store {
        Some(store) => store.user(user)?,
        None => None,
    };
    let (standing, history_len) = match record {
        Some(r) => (
            Standing::of(&policy.expiry, r.last_change, r.must_change, now),
            r.history_len,
        ),
        None => (Standing::unknown(), 0),
    };
    let mut value = standing.json(user);
    value["history_entries"] = json!(history_len);
    value["max_age_days"] = json!(policy.expiry.max_age_days);
    value["warn_days"] = json!(policy.expiry.warn_days);
    Ok(value)
}

/// The last-change time at or before which a password expires within `days`
/// UTC calendar days of `now`, or `None` when passwords never expire.
pub fn cutoff(rules: &ExpiryRules, days: u32, now: OffsetDateTime) -> Option<OffsetDateTime> {
    if rules.max_age_days == 0 {
        return None;
    }
    let midnight = now.replace_time(Time::MIDNIGHT);
    let end_of_window = midnight.checked_add(Duration::days(i64::from(days) + 1))?;
    end_of_window.checked_sub(Duration::days(i64::from(rules.max_age_days)) + Duration::SECOND)
}

/// Visits the report rows (forced first, then oldest change first).
///
/// # Errors
///
/// [`StoreError`] from the store or from `visit`.
pub fn report(
    store: &mut dyn Store,
    policy: &Policy,
    days: u32,
    now: OffsetDateTime,
    visit: &mut dyn FnMut(&str, &Standing) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    store.expiring(cutoff(&policy.expiry, days, now), &mut |row| {
        visit(
            &row.name,
            &Standing::of(&policy.expiry, row.last_change, row.must_change, now),
        )
    })
}

/// Reuse and minimum age for `user`, read-only: what a change would refuse.
///
/// # Errors
///
/// [`StoreError`] when the history cannot be read or checked.
pub fn review(
    store: &mut dyn Store,
    policy: &Policy,
    user: &str,
    password: &Password,
    enforce_min_age: bool,
    now: OffsetDateTime,
) -> Result<Vec<Violation>, StoreError> {
    let Some(state) = store.history(user)? else {
        return Ok(Vec::new());
    };
    with_change(policy, user, password, enforce_min_age, now, |change| {
        pwpolicy_store::review(&state, change)
    })
}

/// Runs `f` on the change of `user` to `password` under `policy`.
fn with_change<T>(
    policy: &Policy,
    user: &str,
    password: &Password,
    enforce_min_age: bool,
    now: OffsetDateTime,
    f: impl FnOnce(&PasswordChange<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let hasher = Hasher::new(&policy.history, None)?;
    f(&PasswordChange {
        user,
        password,
        policy,
        hasher: &hasher,
        now,
        enforce_min_age,
    })
}

/// The whole check: the text rules, then (with a store) reuse and age.
///
/// # Errors
///
/// [`StoreError`] when the history cannot be read.
pub fn check(
    store: Option<&mut dyn Store>,
    policy: &Policy,
    user: &str,
    full_name: &str,
    password: &Password,
    now: OffsetDateTime,
) -> Result<Verdict, StoreError> {
    let mut verdict = policy.check(password, &Names::new(user, full_name));
    if let Some(store) = store {
        for v in review(store, policy, user, password, true, now)? {
            verdict.push(v);
        }
    }
    Ok(verdict)
}

/// Records a change atomically; `Ok(Err(violations))` when history or age refuse it.
///
/// # Errors
///
/// [`StoreError`] when the store cannot be written; nothing is then recorded.
pub fn commit(
    store: &mut dyn Store,
    policy: &Policy,
    user: &str,
    password: &Password,
    enforce_min_age: bool,
    now: OffsetDateTime,
) -> Result<Result<(), Vec<Violation>>, StoreError> {
    let outcome = with_change(policy, user, password, enforce_min_age, now, |change| {
        store.change_password(change)
    })?;
    Ok(match outcome {
        ChangeOutcome::Changed => Ok(()),
        ChangeOutcome::Rejected(v) => Err(v),
    })
}

/// `YYYY-MM-DD` (or `today`) as midnight UTC of that day.
///
/// # Errors
///
/// A message saying the format, for anything else.
pub fn parse_day(text: &str, now: OffsetDateTime) -> Result<OffsetDateTime, String> {
    let date = if text == "today" {
        now.date()
    } else {
        Date::parse(text, format_description!("[year]-[month]-[day]"))
            .map_err(|_| format!("invalid date `{text}`: use YYYY-MM-DD"))?
    };
    Ok(date.with_time(Time::MIDNIGHT).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn cutoff_matches_days_left() {
        let rules = ExpiryRules::default();
        let now = datetime!(2026-11-23 15:00 UTC);
        let cut = cutoff(&rules, 10, now).unwrap();
        assert_eq!(rules.status(cut, false, now).days_left, Some(10));
        assert_eq!(
            rules.status(cut + Duration::SECOND, false, now).days_left,
            Some(11)
        );
        let mut never = ExpiryRules::default();
        never.max_age_days = 0;
        assert_eq!(cutoff(&never, 10, now), None);
    }

    #[test]
    fn days() {
        let now = datetime!(2026-11-23 15:00 UTC);
        assert_eq!(
            parse_day("2026-08-24", now).unwrap(),
            datetime!(2026-08-24 00:00 UTC)
        );
        assert_eq!(
            parse_day("today", now).unwrap(),
            datetime!(2026-11-23 00:00 UTC)
        );
        for bad in ["2026-13-01", "24/08/2026", "", "2026-02-30"] {
            assert!(parse_day(bad, now).is_err(), "{bad}");
        }
    }
}
