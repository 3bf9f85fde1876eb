//! The operations on a store that [`crate::Local`] performs (and so
//! pwpolicyd, which answers through it): check, commit, status, report.

use pwpolicy::{
    ExpiryRules, ExpiryStatus, Hasher, Names, Password, Policy, Verdict, Violation, format_date,
};
use pwpolicy_store::shadow::ShadowChange;
use pwpolicy_store::{ChangeOutcome, HistoryScope, PasswordChange, Store, StoreError};

use crate::accounts::Facts;
use crate::answer::{ReportRow, ShadowView, State, Status};
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, Time};

/// Where one password stands, as `status` and `report` show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// The state.
    pub state: State,
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
            Some(last) => Standing::from_status(
                rules.status(last, must_change, now),
                last_change,
                must_change,
            ),
            None => Standing {
                state: if must_change {
                    State::MustChange
                } else {
                    State::Unknown
                },
                last_change: None,
                expires: None,
                days_left: None,
                must_change,
            },
        }
    }

    /// The standing of a password whose expiry something else worked out
    /// (a directory's maximum age or a PSO's), under `rules`' warning window.
    pub fn until(
        rules: &ExpiryRules,
        last_change: Option<OffsetDateTime>,
        expires: Option<OffsetDateTime>,
        must_change: bool,
        now: OffsetDateTime,
    ) -> Standing {
        Standing::from_status(
            rules.status_until(expires, must_change, now),
            last_change,
            must_change,
        )
    }

    fn from_status(
        s: ExpiryStatus,
        last_change: Option<OffsetDateTime>,
        must_change: bool,
    ) -> Standing {
        Standing {
            state: s.state.into(),
            last_change,
            expires: s.expires,
            days_left: s.days_left,
            must_change,
        }
    }

    /// No record.
    pub fn unknown() -> Standing {
        Standing {
            state: State::Unknown,
            last_change: None,
            expires: None,
            days_left: None,
            must_change: false,
        }
    }

    /// The report row of `user`.
    pub fn row(&self, user: &str) -> ReportRow {
        ReportRow {
            user: user.to_owned(),
            state: self.state,
            last_changed: self.last_change.map(|t| format_date(t.date())),
            expires: self.expires.map(|t| format_date(t.date())),
            days_left: self.days_left,
            must_change: self.must_change,
            directory: None,
        }
    }
}

/// The full status object of one user (`pwpolicy status --json`): the
/// store's record under the rules of the user's class, and what the local
/// shadow file says.
///
/// One view of expiry: pwpolicy decides from its own record, except that a
/// forced change in shadow (`passwd -e`, `chage -d 0`) forces one here too.
/// When shadow's last-change day differs from the record, `shadow_agrees` is
/// false and `note` says what to run.
///
/// # Errors
///
/// [`StoreError`] when the store cannot be read.
pub fn status(
    store: Option<&mut dyn Store>,
    policy: &Policy,
    facts: &Facts,
    now: OffsetDateTime,
) -> Result<Status, StoreError> {
    let user = facts.name.as_str();
    let coverage = facts.coverage(policy);
    let record = match store {
        Some(store) => store.user(user)?,
        None => None,
    };
    let rules = &coverage.policy.expiry;
    let (mut standing, history_len) = match &record {
        Some(r) => (
            Standing::of(rules, r.last_change, r.must_change, now),
            r.history_len,
        ),
        None => (Standing::unknown(), 0),
    };
    let shadow_change = facts.shadow.as_ref().map(|s| s.last_change);
    if !coverage.expires() {
        // System accounts and exempt classes never expire.
        standing = Standing {
            state: State::Ok,
            last_change: standing.last_change,
            expires: None,
            days_left: None,
            must_change: false,
        };
    } else if shadow_change == Some(ShadowChange::MustChange) && !standing.must_change {
        standing.state = State::MustChange;
        standing.must_change = true;
    }
    let mut status = Status {
        history_entries: u64::try_from(history_len).unwrap_or(u64::MAX),
        max_age_days: coverage.policy.expiry.max_age_days,
        class: coverage.class.as_str().to_owned(),
        exempt: coverage.exempt,
        ..Status::from_row(standing.row(user), coverage.policy.expiry.warn_days)
    };
    if let Some(shadow) = &facts.shadow {
        // Only where pwpolicy expires passwords can the two views clash.
        let (agrees, note) = if coverage.expires() {
            shadow_view(user, shadow.last_change, &standing, record.is_some())
        } else {
            (true, None)
        };
        status.shadow = Some(ShadowView {
            last_changed: match shadow.last_change {
                ShadowChange::Unset => None,
                ShadowChange::MustChange => Some("must_change".to_owned()),
                ShadowChange::On(day) => Some(format_date(day.date())),
            },
            locked: shadow.locked,
        });
        status.shadow_agrees = Some(agrees);
        status.note = note;
    }
    Ok(status)
}

/// Whether shadow's last change agrees with pwpolicy's, and what to say if not.
fn shadow_view(
    user: &str,
    shadow: ShadowChange,
    standing: &Standing,
    recorded: bool,
) -> (bool, Option<String>) {
    let ours = standing.last_change.map(|t| t.date());
    match shadow {
        ShadowChange::Unset => (true, None),
        ShadowChange::MustChange => (
            true,
            Some(
                "shadow forces a change at the next login (passwd -e): pwpolicy forces it too"
                    .into(),
            ),
        ),
        ShadowChange::On(day) if Some(day.date()) == ours => (true, None),
        ShadowChange::On(day) => {
            let date = format_date(day.date());
            let ours = ours.map_or_else(|| "no date".to_owned(), format_date);
            let what = if recorded {
                ours
            } else {
                "no record".to_owned()
            };
            (
                false,
                Some(format!(
                    "shadow says the password was last changed on {date}, pwpolicy has {what}; \
                     pwpolicy decides from its own record \
                     (to adopt shadow's date: pwpolicy set-changed --user {user} --date {date})"
                )),
            )
        }
    }
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
    rules: CheckRules,
    now: OffsetDateTime,
) -> Result<Vec<Violation>, StoreError> {
    let Some(state) = store.history(user)? else {
        return Ok(Vec::new());
    };
    let how = ChangeRules {
        enforce_min_age: rules.enforce_min_age,
        allow_reuse: false,
    };
    with_change(policy, user, password, how, now, |change| {
        pwpolicy_store::review(&state, change, rules.scope)
    })
}

/// Which of the history's rules a read-only check applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CheckRules {
    /// Report `too_recent` before the minimum age (a user's own change).
    pub enforce_min_age: bool,
    /// The entries compared with the candidate.
    pub scope: HistoryScope,
}

/// Which of the history's rules a change is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangeRules {
    /// Refuse a change before the minimum age (a user's own change).
    pub enforce_min_age: bool,
    /// Record a reused password (root set it despite the policy).
    pub allow_reuse: bool,
}

/// Runs `f` on the change of `user` to `password` under `policy`.
fn with_change<T>(
    policy: &Policy,
    user: &str,
    password: &Password,
    how: ChangeRules,
    now: OffsetDateTime,
    f: impl FnOnce(&PasswordChange<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let pepper = crate::pepper::load(policy)?;
    let hasher = Hasher::new(&policy.history, pepper.as_deref().map(Vec::as_slice))?;
    f(&PasswordChange {
        user,
        password,
        policy,
        hasher: &hasher,
        now,
        enforce_min_age: how.enforce_min_age,
        allow_reuse: how.allow_reuse,
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
    rules: CheckRules,
    now: OffsetDateTime,
) -> Result<Verdict, StoreError> {
    let mut verdict = policy.check(password, &Names::new(user, full_name));
    if let Some(store) = store {
        for v in review(store, policy, user, password, rules, now)? {
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
    how: ChangeRules,
    now: OffsetDateTime,
) -> Result<Result<(), Vec<Violation>>, StoreError> {
    let outcome = with_change(policy, user, password, how, now, |change| {
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
