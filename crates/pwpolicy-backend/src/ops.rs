//! The operations on a store that [`crate::Local`] performs (and so
//! pwpolicyd, which answers through it): check, commit, status, list,
//! report. Each asks the core for every decision (an account's coverage,
//! its standing, a report's window) and only reads and writes the store.

use std::collections::{HashSet, VecDeque};

use pwpolicy::{
    Coverage, Hasher, Names, Password, Policy, Prehashed, Record, Standing, Verdict, Violation,
};
use pwpolicy_host::shadow::ShadowChange;
use pwpolicy_host::{Facts, HostAccounts};
use pwpolicy_store::{
    ChangeOutcome, HistoryScope, PasswordChange, Reviewed, Store, StoreError, UserRecord, Which,
};
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time};

use crate::answer::{ShadowView, Status};

/// The core's view of a store record: the account began when the store
/// first saw it.
fn record(r: &UserRecord) -> Record {
    Record {
        last_change: r.last_change,
        must_change: r.must_change,
        created: Some(r.first_seen),
    }
}

/// The row of an account covered by `coverage`, with its store `record`:
/// standing, history and the reminder due, as every verb shows them.
fn row(
    name: &str,
    coverage: &Coverage<'_>,
    stored: Option<&UserRecord>,
    now: OffsetDateTime,
) -> Status {
    let record = stored.map(self::record);
    let standing = coverage.standing(record.as_ref(), now);
    row_at(name, coverage, stored, record.as_ref(), &standing, now)
}

/// [`row`] when the standing is known already.
fn row_at(
    name: &str,
    coverage: &Coverage<'_>,
    stored: Option<&UserRecord>,
    record: Option<&Record>,
    standing: &Standing,
    now: OffsetDateTime,
) -> Status {
    Status {
        // A store's record starts when the store first saw the account: a
        // password changed since is a change, however soon.
        reminder: coverage.reminder(standing, record, time::Duration::ZERO, now),
        ..Status::of(
            name,
            coverage,
            standing,
            stored.map_or(0, |r| r.history_len),
        )
    }
}

/// The status of an account the host describes in `facts`, with what the
/// store recorded of it (`record`), at `now`: the one function behind
/// `status`, each row of `list`, and each of `report` (which drops the
/// shadow view and note).
///
/// One view of expiry: pwpolicy decides from its own record, except that a
/// forced change in shadow (`passwd -e`, `chage -d 0`) forces one here too.
/// When shadow's last-change day differs from the record, `shadow_agrees`
/// is false and `note` says what to run.
pub fn status_of(
    policy: &Policy,
    facts: &Facts,
    record: Option<&UserRecord>,
    now: OffsetDateTime,
) -> Status {
    let coverage = facts.coverage(policy);
    let mut status = row(&facts.name, &coverage, record, now);
    status.uid = facts.uid;
    status.full_name = Some(facts.full_name.clone()).filter(|n| !n.is_empty());
    status.note = coverage.why_no_expiry().map(str::to_owned);
    if let Some(shadow) = &facts.shadow {
        // Only where pwpolicy expires passwords can the two views clash.
        let (agrees, note, remedy) = if coverage.expires() {
            let ours = record.and_then(|r| r.last_change);
            shadow_view(&facts.name, shadow.last_change, ours, record.is_some())
        } else {
            (true, None, None)
        };
        status.remedy = remedy;
        status.shadow = Some(ShadowView {
            last_changed: match shadow.last_change {
                ShadowChange::Unset => None,
                ShadowChange::MustChange => Some("must_change".to_owned()),
                ShadowChange::On(day) => Some(pwpolicy::format_date(day.date())),
            },
            locked: shadow.locked,
        });
        status.shadow_agrees = Some(agrees);
        status.note = note.or(status.note);
    }
    status
}

/// [`status_of`] reading the record from `store` (`None`: no store yet).
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
    let record = match store {
        Some(store) => store.user(&facts.name)?,
        None => None,
    };
    Ok(status_of(policy, facts, record.as_ref(), now))
}

/// Whether shadow's last change agrees with pwpolicy's, what to say if
/// not, and the command that adopts shadow's date.
fn shadow_view(
    user: &str,
    shadow: ShadowChange,
    ours: Option<OffsetDateTime>,
    recorded: bool,
) -> (bool, Option<String>, Option<String>) {
    let ours = ours.map(|t| t.date());
    match shadow {
        ShadowChange::Unset => (true, None, None),
        ShadowChange::MustChange => (
            true,
            Some(
                "shadow forces a change at the next login (passwd -e): pwpolicy forces it too"
                    .into(),
            ),
            None,
        ),
        ShadowChange::On(day) if Some(day.date()) == ours => (true, None, None),
        ShadowChange::On(day) => {
            let date = pwpolicy::format_date(day.date());
            let ours = ours.map_or_else(|| "no date".to_owned(), pwpolicy::format_date);
            let what = if recorded {
                ours
            } else {
                "no record".to_owned()
            };
            (
                false,
                Some(format!(
                    "shadow says the password was last changed on {date}, pwpolicy has {what}; \
                     pwpolicy decides from its own record"
                )),
                Some(format!("pwpolicy set-changed --user {user} --date {date}")),
            )
        }
    }
}

/// The coverage of a store row: the host's account if it has one, else an
/// account known by name only.
fn coverage_of<'p>(policy: &'p Policy, host: &HostAccounts, name: &str) -> Coverage<'p> {
    match host.get(name) {
        Some(facts) => facts.coverage(policy),
        None => policy.for_account(&pwpolicy::Account::named(name), host.login_defs()),
    }
}

/// The report row of a store record, if it is due within `days`.
fn due_row(
    policy: &Policy,
    host: &HostAccounts,
    r: &UserRecord,
    days: u32,
    now: OffsetDateTime,
) -> Option<Status> {
    let coverage = coverage_of(policy, host, &r.name);
    let record = record(r);
    let standing = coverage.standing(Some(&record), now);
    let facts = host.get(&r.name);
    standing.is_due(days).then(|| Status {
        uid: facts.and_then(|f| f.uid),
        full_name: facts.map(|f| f.full_name.clone()).filter(|n| !n.is_empty()),
        ..row_at(&r.name, &coverage, Some(r), Some(&record), &standing, now)
    })
}

/// Visits the report rows: accounts that must change (by name; by
/// pwpolicy's record or by shadow), then those whose passwords expire
/// within `days` days under their own class's rules (oldest change
/// first). The store is asked only for records that can be due under the
/// strictest class ([`Policy::due_cutoff`]); each row is then decided by
/// the core, with the host's facts enumerated once.
///
/// # Errors
///
/// [`StoreError`] from the store or from `visit`.
pub fn report(
    store: &mut dyn Store,
    policy: &Policy,
    host: &HostAccounts,
    days: u32,
    now: OffsetDateTime,
    visit: &mut dyn FnMut(Status) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    // Accounts shadow forces whose record does not: merged into the forced
    // rows by name. A host has thousands of accounts, not millions.
    let mut shadow_forced: Vec<&Facts> = host
        .iter()
        .filter(|f| f.coverage(policy).expires() && f.account().forced_by_shadow)
        .collect();
    shadow_forced.sort_by(|a, b| a.name.cmp(&b.name));
    let mut pending: VecDeque<Status> = VecDeque::with_capacity(shadow_forced.len());
    let mut forced_names: HashSet<&str> = HashSet::with_capacity(shadow_forced.len());
    for facts in &shadow_forced {
        let record = store.user(&facts.name)?;
        if !record.as_ref().is_some_and(|r| r.must_change) {
            pending.push_back(status_of(policy, facts, record.as_ref(), now).into_row());
        }
        forced_names.insert(&facts.name);
    }
    let which = Which::Due {
        changed_before: policy.due_cutoff(days, now),
    };
    store.records(which, &mut |r| {
        if r.must_change {
            while pending.front().is_some_and(|p| p.user < r.name) {
                visit(pending.pop_front().unwrap_or_else(|| unreachable!()))?;
            }
            if pending.front().is_some_and(|p| p.user == r.name) {
                pending.pop_front();
            }
        } else {
            while let Some(p) = pending.pop_front() {
                visit(p)?;
            }
            if forced_names.contains(r.name.as_str()) {
                return Ok(());
            }
        }
        match due_row(policy, host, &r, days, now) {
            Some(row) => visit(row),
            None => Ok(()),
        }
    })?;
    while let Some(p) = pending.pop_front() {
        visit(p)?;
    }
    Ok(())
}

/// Visits every account: the host's, in passwd order (with shadow's view),
/// then those only the store knows (forced first, then by last change).
///
/// # Errors
///
/// [`StoreError`] from the store or from `visit`.
pub fn list(
    mut store: Option<&mut dyn Store>,
    policy: &Policy,
    host: &HostAccounts,
    now: OffsetDateTime,
    visit: &mut dyn FnMut(Status) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    for facts in host.iter() {
        let record = match store.as_deref_mut() {
            Some(store) => store.user(&facts.name)?,
            None => None,
        };
        visit(status_of(policy, facts, record.as_ref(), now))?;
    }
    let Some(store) = store else {
        return Ok(());
    };
    store.records(Which::All, &mut |r| {
        if host.get(&r.name).is_some() {
            return Ok(());
        }
        let coverage = coverage_of(policy, host, &r.name);
        let mut status = row(&r.name, &coverage, Some(&r), now);
        status.note = coverage.why_no_expiry().map(str::to_owned);
        visit(status)
    })
}

/// Reuse and minimum age for `user`, read-only: what a change would refuse,
/// and with [`CheckRules::prepare`] the entries its commit can record.
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
) -> Result<Reviewed, StoreError> {
    let how = ChangeRules {
        enforce_min_age: rules.enforce_min_age,
        allow_reuse: false,
    };
    // The pepper is read before the history, even for a user with none:
    // a change the commit could not record must be refused now, before
    // the system changes the password (fail closed).
    with_change(
        policy,
        user,
        password,
        how,
        None,
        now,
        |change| match store.history(user)? {
            Some(state) => pwpolicy_store::review(&state, change, rules.scope, rules.prepare),
            None => Ok(Reviewed::default()),
        },
    )
}

/// Which of the history's rules a read-only check applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CheckRules {
    /// Report `too_recent` before the minimum age (a user's own change).
    pub enforce_min_age: bool,
    /// The entries compared with the candidate.
    pub scope: HistoryScope,
    /// Hash the candidate into the entries a commit would record (PAM's
    /// check, which its commit follows), at no more argon2 runs than the
    /// lookup costs when the history uses today's cost.
    pub prepare: bool,
}

/// Which of the history's rules a change is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangeRules {
    /// Refuse a change before the minimum age (a user's own change).
    pub enforce_min_age: bool,
    /// Record a reused password (root set it despite the policy).
    pub allow_reuse: bool,
}

/// The pepper the policy names, if any, as a store error when unusable:
/// what a check that will be followed by a commit (PAM's) asks even when
/// there is no history to compare with yet.
///
/// # Errors
///
/// [`StoreError::Pepper`] for a pepper file that cannot be used.
pub fn pepper(policy: &Policy) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>, StoreError> {
    pwpolicy_host::pepper::load(policy).map_err(|e| StoreError::Pepper {
        path: e.path,
        reason: e.reason,
    })
}

/// Runs `f` on the change of `user` to `password` under `policy`.
fn with_change<T>(
    policy: &Policy,
    user: &str,
    password: &Password,
    how: ChangeRules,
    prehashed: Option<&Prehashed>,
    now: OffsetDateTime,
    f: impl FnOnce(&PasswordChange<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let pepper = pepper(policy)?;
    let hasher = Hasher::new(&policy.history, pepper.as_deref().map(Vec::as_slice))?;
    f(&PasswordChange {
        user,
        password,
        policy,
        hasher: &hasher,
        now,
        enforce_min_age: how.enforce_min_age,
        allow_reuse: how.allow_reuse,
        prehashed,
    })
}

/// The whole check: the text rules, then (with a store) reuse and age;
/// with the entries a commit can record when [`CheckRules::prepare`] asked
/// and the history was consulted.
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
) -> Result<(Verdict, Option<Prehashed>), StoreError> {
    let mut verdict = policy.check(password, &Names::new(user, full_name));
    // Too long is refused whatever the history holds: no argon2 run for it.
    let too_long = verdict.has("too_long");
    let mut prehashed = None;
    if let Some(store) = store.filter(|_| !too_long) {
        let reviewed = review(store, policy, user, password, rules, now)?;
        for v in reviewed.violations {
            verdict.push(v);
        }
        prehashed = reviewed.prehashed;
    }
    Ok((verdict, prehashed))
}

/// Records a change atomically; `Ok(Err(violations))` when history or age refuse it.
///
/// `prehashed`: what a check of this same password made (see
/// [`CheckRules::prepare`]), recorded instead of hashing again.
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
    prehashed: Option<&Prehashed>,
    now: OffsetDateTime,
) -> Result<Result<(), Vec<Violation>>, StoreError> {
    let outcome = with_change(policy, user, password, how, prehashed, now, |change| {
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
