//! Who is due a reminder, and which: the one decision `pwpolicy notify`
//! acts on, made from an account's [`Coverage`], its [`Standing`] and its
//! [`Record`] — the same answers `status` gives, so a reminder never comes
//! from a second expiry calculation.
//!
//! - `expiring`: the days left have reached a threshold of `[notify] days`
//!   (default 14, 7, 3, 1). A run that missed days sends the nearest
//!   threshold only (5 days left, nothing sent yet: the 7-day one), and each
//!   threshold goes once per password ([`Reminder::cycle`]).
//! - `expired` and `must_change`: once per password.
//! - `annual` and `never_changed`: for a class with `remind_after_days = N`,
//!   once in every N days the password lives; `never_changed` when it is
//!   still the one the account was made with (the organisation's policy:
//!   "particularly if they have never changed their password since their
//!   account has been created").
//!
//! What it does not do: remember what was sent (the store does, keyed by
//! [`Reminder::key`]) or write any mail.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::accounts::Coverage;
use crate::standing::{Record, Standing, State};

/// Why a reminder goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The password expires within a threshold of `[notify] days`.
    Expiring,
    /// The password has expired.
    Expired,
    /// A change is forced at the next login.
    MustChange,
    /// The password is older than the class's `remind_after_days`.
    Annual,
    /// As `annual`, and it is still the password the account was made with.
    NeverChanged,
}

impl Reason {
    /// The stable name: `expiring`, `expired`, `must_change`, `annual`,
    /// `never_changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Expiring => "expiring",
            Reason::Expired => "expired",
            Reason::MustChange => "must_change",
            Reason::Annual => "annual",
            Reason::NeverChanged => "never_changed",
        }
    }
}

/// A reminder that is due unless it was sent already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    /// Why.
    pub reason: Reason,
    /// The threshold reached (days before expiry) for `expiring`; the
    /// period (1 for the first N days, 2 for the next…) for `annual` and
    /// `never_changed`; 0 otherwise.
    pub step: u32,
    /// The password it is about: its last change in Unix seconds (0 when
    /// none is recorded). A change starts a new cycle, so every reminder
    /// goes again for the next password.
    pub cycle: i64,
}

impl Reminder {
    /// What identifies the reminder once sent: `(cycle, reason, step)`.
    pub fn key(&self) -> (i64, &'static str, u32) {
        (self.cycle, self.reason.as_str(), self.step)
    }
}

/// How long after an account's creation a directory's first password may
/// be set and still be "the password the account was made with": AD sets
/// `pwdLastSet` when the creating tool sets the password, moments after
/// `whenCreated`.
pub const CREATION_SLACK: Duration = Duration::HOUR;

impl Record {
    /// Whether the password is still the one the account began with: no
    /// change recorded after `created` (plus `slack`; a directory's first
    /// password comes moments after the account).
    pub fn never_changed(&self, slack: Duration) -> bool {
        match (self.last_change, self.created) {
            (None, _) => true,
            (Some(changed), Some(created)) => changed <= created + slack,
            (Some(_), None) => false,
        }
    }
}

impl Coverage<'_> {
    /// The reminder due for this account, standing at `standing` with
    /// `record` (what the store or directory holds; `slack` as for
    /// [`Record::never_changed`]), at `now`; `None` when nothing is due.
    ///
    /// ```
    /// use pwpolicy::{Account, LoginDefs, Policy, Reason, Record};
    /// use time::macros::datetime;
    ///
    /// let policy = Policy::default(); // 90 days; reminders at 14, 7, 3 and 1 days
    /// let erin = policy.for_account(&Account::named("erin"), LoginDefs::default());
    /// let record = Record { last_change: Some(datetime!(2026-01-01 0:00 UTC)), ..Record::default() };
    /// let now = datetime!(2026-03-27 9:00 UTC); // 5 days left
    /// let standing = erin.standing(Some(&record), now);
    /// let due = erin.reminder(&standing, Some(&record), time::Duration::ZERO, now).unwrap();
    /// assert_eq!((due.reason, due.step), (Reason::Expiring, 7));
    /// ```
    pub fn reminder(
        &self,
        standing: &Standing,
        record: Option<&Record>,
        slack: Duration,
        now: OffsetDateTime,
    ) -> Option<Reminder> {
        if !self.expires() {
            return None;
        }
        let cycle = standing
            .last_change
            .map_or(0, OffsetDateTime::unix_timestamp);
        let at = |reason, step| {
            Some(Reminder {
                reason,
                step,
                cycle,
            })
        };
        match standing.state {
            State::MustChange => return at(Reason::MustChange, 0),
            State::Expired => return at(Reason::Expired, 0),
            State::Unknown => return None,
            State::Ok | State::Warning => {}
        }
        if let Some(left) = standing.days_left.filter(|d| *d >= 0) {
            // The nearest threshold not yet passed: 5 days left → 7.
            let nearest = self
                .reminder_days()
                .iter()
                .copied()
                .filter(|&t| i64::from(t) >= left)
                .min();
            if let Some(threshold) = nearest {
                return at(Reason::Expiring, threshold);
            }
        }
        let every = self.remind_after_days()?;
        let record = record?;
        let since = record.last_change.or(record.created)?;
        let age = (now - since).whole_days();
        let period = u32::try_from(age / i64::from(every)).ok()?;
        if period == 0 {
            return None;
        }
        let reason = if record.never_changed(slack) {
            Reason::NeverChanged
        } else {
            Reason::Annual
        };
        at(reason, period)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{Account, LoginDefs};
    use crate::policy::Policy;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-23 15:00 UTC);

    fn due(policy: &Policy, user: &str, record: &Record) -> Option<(Reason, u32)> {
        let coverage = policy.for_account(&Account::named(user), LoginDefs::default());
        let standing = coverage.standing(Some(record), NOW);
        coverage
            .reminder(&standing, Some(record), Duration::ZERO, NOW)
            .map(|r| (r.reason, r.step))
    }

    fn changed(days_ago: i64) -> Record {
        Record {
            last_change: Some(NOW - Duration::days(days_ago)),
            must_change: false,
            created: Some(NOW - Duration::days(1000)),
        }
    }

    #[test]
    fn thresholds_are_the_nearest_one_not_passed() {
        let p = Policy::default();
        // Expires in 90 days: 14 days left at 76 days old.
        assert_eq!(due(&p, "erin", &changed(70)), None, "20 days left");
        assert_eq!(due(&p, "erin", &changed(76)), Some((Reason::Expiring, 14)));
        assert_eq!(due(&p, "erin", &changed(80)), Some((Reason::Expiring, 14)));
        assert_eq!(due(&p, "erin", &changed(83)), Some((Reason::Expiring, 7)));
        assert_eq!(due(&p, "erin", &changed(85)), Some((Reason::Expiring, 7)));
        assert_eq!(due(&p, "erin", &changed(88)), Some((Reason::Expiring, 3)));
        assert_eq!(due(&p, "erin", &changed(89)), Some((Reason::Expiring, 1)));
        assert_eq!(due(&p, "erin", &changed(90)), Some((Reason::Expired, 0)));
        assert_eq!(due(&p, "erin", &changed(400)), Some((Reason::Expired, 0)));
        let forced = Record {
            must_change: true,
            ..changed(3)
        };
        assert_eq!(due(&p, "erin", &forced), Some((Reason::MustChange, 0)));
    }

    #[test]
    fn a_change_starts_a_new_cycle() {
        let p = Policy::default();
        let coverage = p.for_account(&Account::named("erin"), LoginDefs::default());
        let key = |r: &Record| {
            let s = coverage.standing(Some(r), NOW);
            coverage
                .reminder(&s, Some(r), Duration::ZERO, NOW)
                .unwrap()
                .key()
        };
        assert_ne!(key(&changed(80)), key(&changed(81)));
        assert_eq!(key(&changed(80)).1, "expiring");
    }

    #[test]
    fn classes_that_never_expire_remind_every_n_days_and_say_never_changed() {
        let p = Policy::from_toml(
            "[[accounts.class]]\nname = \"mail\"\nusers = [\"mo\"]\nmax_age_days = 0\n\
             remind_after_days = 365\n",
        )
        .unwrap();
        assert_eq!(due(&p, "mo", &changed(300)), None);
        assert_eq!(due(&p, "mo", &changed(400)), Some((Reason::Annual, 1)));
        assert_eq!(due(&p, "mo", &changed(800)), Some((Reason::Annual, 2)));
        // Still the first password: changed (set) when the account was made.
        let original = Record {
            last_change: Some(NOW - Duration::days(500)),
            must_change: false,
            created: Some(NOW - Duration::days(500)),
        };
        assert_eq!(due(&p, "mo", &original), Some((Reason::NeverChanged, 1)));
        // No class, no such reminder: the default expires and warns instead.
        assert_eq!(due(&p, "erin", &changed(30)), None);
    }

    #[test]
    fn nothing_for_those_expiry_leaves_alone() {
        let p = Policy::from_toml(
            "[[accounts.class]]\nname = \"robots\"\nusers = [\"bot\"]\nexempt = true\n",
        )
        .unwrap();
        assert_eq!(due(&p, "bot", &changed(400)), None);
        let locked = Account {
            locked: true,
            ..Account::named("erin")
        };
        let c = p.for_account(&locked, LoginDefs::default());
        let r = changed(400);
        let s = c.standing(Some(&r), NOW);
        assert_eq!(c.reminder(&s, Some(&r), Duration::ZERO, NOW), None);
    }

    #[test]
    fn never_changed_allows_the_directorys_moment_of_slack() {
        let made = datetime!(2026-01-01 10:00 UTC);
        let r = |set: OffsetDateTime| Record {
            last_change: Some(set),
            must_change: false,
            created: Some(made),
        };
        assert!(r(made).never_changed(Duration::ZERO));
        assert!(!r(made + Duration::SECOND).never_changed(Duration::ZERO));
        assert!(r(made + Duration::minutes(5)).never_changed(CREATION_SLACK));
        assert!(!r(made + Duration::days(2)).never_changed(CREATION_SLACK));
    }
}
