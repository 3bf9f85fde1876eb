//! Where an account's password stands: the one answer that `status`,
//! `list`, `report`, the PAM account phase and the directory's users all
//! give, from the account's [`Coverage`], what the store recorded and `now`.
//!
//! A store user's record says when the password last changed and whether a
//! change is forced; shadow may force one too (`passwd -e`). The class's
//! expiry rules turn that into a [`State`], the expiry date and the days left
//! ([`Coverage::standing`]). Which records a report must read at all, under
//! whichever class is strictest, is [`Policy::due_cutoff`].

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime, Time};

use crate::accounts::Coverage;
use crate::expiry::{ExpiryState, ExpiryStatus};
use crate::policy::{ExpiryRules, Policy};

/// Where a password stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Valid, outside the warning window (or never expires).
    Ok,
    /// Valid, but expires within the warning window.
    Warning,
    /// Past its expiry: must be changed at the next login.
    Expired,
    /// An administrator forced a change at the next login.
    MustChange,
    /// No record of the password.
    Unknown,
}

impl State {
    /// The stable name: `ok`, `warning`, `expired`, `must_change`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Warning => "warning",
            State::Expired => "expired",
            State::MustChange => "must_change",
            State::Unknown => "unknown",
        }
    }
}

impl From<ExpiryState> for State {
    fn from(s: ExpiryState) -> State {
        match s {
            ExpiryState::Ok => State::Ok,
            ExpiryState::Warning => State::Warning,
            ExpiryState::Expired => State::Expired,
            ExpiryState::MustChange => State::MustChange,
        }
    }
}

/// What a store recorded of one account's password.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Record {
    /// When the password last changed; `None` when no change was recorded.
    pub last_change: Option<OffsetDateTime>,
    /// An administrator forced a change at the next login.
    pub must_change: bool,
    /// When the account began, as the source knows it (the store: when it
    /// first recorded the account; a directory: `whenCreated`).
    pub created: Option<OffsetDateTime>,
}

/// Where one password stands, as every verb shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The state.
    pub state: State,
    /// Last change, if recorded.
    pub last_change: Option<OffsetDateTime>,
    /// When it expires, if it does and a change is recorded.
    pub expires: Option<OffsetDateTime>,
    /// UTC calendar days to the expiry date; negative once expired.
    pub days_left: Option<i64>,
    /// A change is forced (by pwpolicy's record or by shadow).
    pub must_change: bool,
}

impl Standing {
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

    /// No record, nothing forced.
    pub fn unknown() -> Standing {
        Standing {
            state: State::Unknown,
            last_change: None,
            expires: None,
            days_left: None,
            must_change: false,
        }
    }

    /// Whether a report of the next `days` days lists it: a forced change,
    /// or an expiry within the window (or past).
    pub fn is_due(&self, days: u32) -> bool {
        self.must_change || self.days_left.is_some_and(|d| d <= i64::from(days))
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
}

impl Coverage<'_> {
    /// Where this account's password stands, given what the store recorded
    /// (`None`: the store has never seen it) and `now`.
    ///
    /// A forced change in shadow forces one here too. Where expiry does not
    /// apply ([`Coverage::expires`]), the state is `ok` and nothing expires.
    ///
    /// ```
    /// use pwpolicy::{Account, LoginDefs, Policy, Record, State};
    /// use time::macros::datetime;
    ///
    /// let policy = Policy::from_toml(
    ///     "[[accounts.class]]\nname = \"admins\"\nusers = [\"erin\"]\nmax_age_days = 60\n",
    /// )?;
    /// let erin = policy.for_account(&Account::named("erin"), LoginDefs::default());
    /// let record = Record { last_change: Some(datetime!(2026-01-01 0:00 UTC)), ..Record::default() };
    /// let standing = erin.standing(Some(&record), datetime!(2026-03-12 0:00 UTC));
    /// assert_eq!((standing.state, standing.days_left), (State::Expired, Some(-10)));
    /// # Ok::<(), pwpolicy::Error>(())
    /// ```
    pub fn standing(&self, record: Option<&Record>, now: OffsetDateTime) -> Standing {
        let last_change = record.and_then(|r| r.last_change);
        if !self.expires() {
            return Standing {
                state: State::Ok,
                last_change,
                ..Standing::unknown()
            };
        }
        let forced = record.is_some_and(|r| r.must_change) || self.forced_by_shadow;
        match last_change {
            Some(last) => {
                Standing::from_status(self.expiry().status(last, forced, now), last_change, forced)
            }
            None => Standing {
                state: if forced {
                    State::MustChange
                } else {
                    State::Unknown
                },
                must_change: forced,
                ..Standing::unknown()
            },
        }
    }
}

impl Policy {
    /// The latest last-change time at which a password can expire within
    /// `days` UTC calendar days of `now` under *any* of the policy's rules
    /// (the strictest maximum age of the policy and its classes): what a
    /// report reads from a store, besides forced changes, before each
    /// account's own class decides. `None` when no rule expires passwords.
    pub fn due_cutoff(&self, days: u32, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let strictest = std::iter::once(self.expiry.max_age_days)
            .chain(
                self.accounts
                    .class
                    .iter()
                    .filter(|c| !c.exempt)
                    .map(|c| c.apply_expiry(&self.expiry).max_age_days),
            )
            .filter(|&days| days > 0)
            .min()?;
        let midnight = now
            .to_offset(time::UtcOffset::UTC)
            .replace_time(Time::MIDNIGHT);
        let end_of_window = midnight.checked_add(Duration::days(i64::from(days) + 1))?;
        end_of_window.checked_sub(Duration::days(i64::from(strictest)) + Duration::SECOND)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{Account, LoginDefs};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-23 15:00 UTC);

    fn record(days_ago: i64, must_change: bool) -> Record {
        Record {
            last_change: Some(NOW - Duration::days(days_ago)),
            must_change,
            created: None,
        }
    }

    fn classes() -> Policy {
        Policy::from_toml(
            "[[accounts.class]]\nname = \"admins\"\nusers = [\"ada\"]\nmax_age_days = 60\n\
             [[accounts.class]]\nname = \"contractors\"\nusers = [\"cy\"]\nmax_age_days = 30\n\
             [[accounts.class]]\nname = \"robots\"\nusers = [\"bot\"]\nexempt = true\n\
             [[accounts.class]]\nname = \"mail\"\nusers = [\"mo\"]\nmax_age_days = 0\n",
        )
        .unwrap()
    }

    fn standing(policy: &Policy, account: &Account<'_>, r: Option<&Record>) -> Standing {
        policy
            .for_account(account, LoginDefs::default())
            .standing(r, NOW)
    }

    #[test]
    fn a_class_decides_the_standing_of_a_store_only_user() {
        let p = classes();
        let s = standing(&p, &Account::named("ada"), Some(&record(70, false)));
        assert_eq!((s.state, s.days_left), (State::Expired, Some(-10)));
        let s = standing(&p, &Account::named("cy"), Some(&record(25, false)));
        assert_eq!((s.state, s.days_left), (State::Warning, Some(5)));
        let s = standing(&p, &Account::named("eve"), Some(&record(70, false)));
        assert_eq!((s.state, s.days_left), (State::Ok, Some(20)));
        let s = standing(&p, &Account::named("mo"), Some(&record(700, false)));
        assert_eq!((s.state, s.expires), (State::Ok, None));
        let s = standing(&p, &Account::named("bot"), Some(&record(700, true)));
        assert_eq!((s.state, s.must_change), (State::Ok, false));
    }

    #[test]
    fn shadow_forces_a_change_and_a_lock_stops_expiry() {
        let p = Policy::default();
        let forced = Account {
            forced_by_shadow: true,
            ..Account::named("erin")
        };
        for r in [Some(record(3, false)), None] {
            let s = standing(&p, &forced, r.as_ref());
            assert_eq!((s.state, s.must_change), (State::MustChange, true));
            assert!(s.is_due(0));
        }
        let locked = Account {
            locked: true,
            uid: Some(1001),
            ..Account::named("erin")
        };
        let s = standing(&p, &locked, Some(&record(476, false)));
        assert_eq!((s.state, s.days_left), (State::Ok, None));
        assert!(!s.is_due(10_000));
        let nobody = Account {
            uid: Some(65_534),
            ..Account::named("nobody")
        };
        assert!(!standing(&p, &nobody, Some(&record(476, false))).is_due(10_000));
    }

    #[test]
    fn no_record_is_unknown_and_never_due() {
        let s = standing(&Policy::default(), &Account::named("erin"), None);
        assert_eq!(s, Standing::unknown());
        assert!(!s.is_due(u32::MAX));
    }

    #[test]
    fn the_cutoff_takes_the_strictest_class_and_agrees_with_days_left() {
        let p = classes();
        let cut = p.due_cutoff(14, NOW).unwrap();
        // Under the contractors' 30 days, a change at the cutoff has 14 days left.
        let cy = p.for_account(&Account::named("cy"), LoginDefs::default());
        let at = |t| Record {
            last_change: Some(t),
            ..Record::default()
        };
        assert_eq!(cy.standing(Some(&at(cut)), NOW).days_left, Some(14));
        assert_eq!(
            cy.standing(Some(&at(cut + Duration::SECOND)), NOW)
                .days_left,
            Some(15)
        );
        // Exempt classes and classes that never expire do not widen it.
        let mut never = Policy::default();
        never.expiry.max_age_days = 0;
        assert_eq!(never.due_cutoff(14, NOW), None);
        never.accounts = classes().accounts;
        let admins_only = never.due_cutoff(14, NOW).unwrap();
        assert_eq!(
            admins_only, cut,
            "the contractors' 30 days are the strictest"
        );
    }

    #[test]
    fn until_agrees_with_the_store_standing_for_the_same_expiry() {
        let p = Policy::default();
        let r = record(80, false);
        let erin = p.for_account(&Account::named("erin"), LoginDefs::default());
        let store = erin.standing(Some(&r), NOW);
        let dir = Standing::until(&p.expiry, r.last_change, store.expires, false, NOW);
        assert_eq!(store, dir);
    }
}
