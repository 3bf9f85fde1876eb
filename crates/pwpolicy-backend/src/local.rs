//! [`Local`]: answers from the store itself (SQLite, or PostgreSQL where the
//! caller can open it). pwpolicyd answers through this too, so the service
//! and a local front end cannot disagree.

use std::sync::Arc;

use pwpolicy::{Password, Policy, Reminder};
use pwpolicy_host::{Facts, HostAccounts, Lists};
use pwpolicy_store::{HistoryScope, Location, OpenMode, Store, StoreError};
use time::OffsetDateTime;

use crate::answer::{ChangeAnswer, CheckAnswer, CommitAnswer, Status};
use crate::error::BackendError;
use crate::ops;
use crate::seam::{
    Absence, CheckRequest, CommitRequest, Expiry, Notes, Passwords, Records, Reminders, Rows,
    record_if_accepted,
};

/// Opens a store: `pwpolicy_store::open` (SQLite only, for PAM) or
/// `pwpolicy_store_postgres::open` (both kinds, for the CLI and pwpolicyd).
pub type Opener = fn(&Location, OpenMode) -> Result<Box<dyn Store>, StoreError>;

/// The store itself.
pub struct Local {
    /// Shared, not copied: pwpolicyd makes a `Local` per request.
    policy: Arc<Policy>,
    location: Location,
    explicit: bool,
    open: Opener,
    missing_is_empty: bool,
    absence: Option<Absence>,
    /// The open store, and whether it was opened for writing.
    store: Option<(Box<dyn Store>, OpenMode)>,
    /// The breached-password lists mapped so far.
    lists: Arc<Lists>,
    /// The accounts `list` and `report` describe: this host's (enumerated
    /// at the first of them), or another host's files.
    host: Option<HostAccounts>,
}

impl Local {
    /// A backend over the store at `location`. `explicit`: named by the
    /// caller or the policy file, so a store that is missing (for `check`)
    /// or unreadable is an error rather than a note.
    pub fn new(
        policy: impl Into<Arc<Policy>>,
        location: Location,
        explicit: bool,
        open: Opener,
    ) -> Local {
        Local {
            policy: policy.into(),
            location,
            explicit,
            open,
            missing_is_empty: false,
            absence: None,
            store: None,
            lists: Arc::default(),
            host: None,
        }
    }

    /// A backend over an open store (pwpolicyd's pooled connections).
    pub fn over(policy: Arc<Policy>, store: Box<dyn Store>, open: Opener) -> Local {
        Local {
            location: Location::default_path(),
            explicit: true,
            missing_is_empty: true,
            absence: None,
            store: Some((store, OpenMode::ReadWrite)),
            policy,
            open,
            lists: Arc::default(),
            host: None,
        }
    }

    /// Looks passwords up in lists already mapped (pwpolicyd keeps one
    /// [`Lists`] for all its requests).
    pub fn with_lists(mut self, lists: Arc<Lists>) -> Local {
        self.lists = lists;
        self
    }

    /// `list` and `report` describe these accounts (another host's files)
    /// instead of this host's.
    pub fn with_accounts(mut self, host: HostAccounts) -> Local {
        self.host = Some(host);
        self
    }

    /// Reads a store that does not exist yet as empty, even a named one (the
    /// PAM module: the first recorded change creates it).
    pub fn missing_store_is_empty(mut self, yes: bool) -> Local {
        self.missing_is_empty = yes;
        self
    }

    /// Gives back the open store, if any (pwpolicyd returns it to its pool).
    pub fn into_store(self) -> Option<Box<dyn Store>> {
        self.store.map(|(store, _)| store)
    }

    /// The store for reading, or `None` (and why, in `absence`) when there is
    /// none to read. A missing store is tolerated when it is the default one
    /// or when `missing_ok`; one this process may not open only when it is
    /// the default one.
    fn read(&mut self, missing_ok: bool) -> Result<Option<&mut dyn Store>, BackendError> {
        self.absence = None;
        if self.store.is_none() {
            match (self.open)(&self.location, OpenMode::ReadOnly) {
                Ok(store) => self.store = Some((store, OpenMode::ReadOnly)),
                Err(StoreError::Missing(path)) if missing_ok || !self.explicit => {
                    self.absence = Some(Absence::NoStore(path));
                    return Ok(None);
                }
                Err(StoreError::AccessDenied(path)) if !self.explicit => {
                    self.absence = Some(Absence::AccessDenied(path));
                    return Ok(None);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(self.store.as_mut().map(|(s, _)| &mut **s as &mut dyn Store))
    }

    /// The store for writing (created if need be). One opened for reading
    /// cannot take writes, so it is reopened.
    fn write(&mut self) -> Result<&mut dyn Store, BackendError> {
        let store = match self.store.take() {
            Some((store, OpenMode::ReadWrite)) => store,
            reader => {
                // Close the reader first: one connection per process at a time.
                drop(reader);
                (self.open)(&self.location, OpenMode::ReadWrite)?
            }
        };
        Ok(&mut *self.store.insert((store, OpenMode::ReadWrite)).0)
    }

    /// The accounts `list` and `report` describe, enumerated once.
    fn host(&mut self) -> HostAccounts {
        self.host.take().unwrap_or_else(HostAccounts::enumerate)
    }

    /// Refuses a record for an account that neither this host nor the store
    /// knows: a typo must not create a forced change that then shows in
    /// every listing.
    fn known(&mut self, user: &str) -> Result<(), BackendError> {
        if Facts::lookup(user).is_known() {
            return Ok(());
        }
        let recorded = match self.read(true)? {
            Some(store) => store.user(user)?.is_some(),
            None => false,
        };
        if recorded {
            Ok(())
        } else {
            Err(BackendError::UnknownAccount(user.to_owned()))
        }
    }

    /// [`Passwords::check`] comparing with `scope` of the history: pwpolicyd
    /// leaves the current password out for callers who are not administrators.
    ///
    /// # Errors
    ///
    /// As [`Passwords::check`].
    pub fn check_within(
        &mut self,
        request: &CheckRequest<'_>,
        scope: HistoryScope,
    ) -> Result<CheckAnswer, BackendError> {
        self.judge(request, Some(scope))
    }

    /// The check, with the history over `scope`, or without the history
    /// (`None`: the text rules and the breached list only, no argon2 run).
    fn judge(
        &mut self,
        request: &CheckRequest<'_>,
        history: Option<HistoryScope>,
    ) -> Result<CheckAnswer, BackendError> {
        let facts = request
            .user
            .map_or_else(|| Facts::unknown(""), Facts::lookup);
        let policy = Arc::clone(&self.policy);
        let coverage = facts.coverage(&policy);
        if !coverage.checks_passwords() {
            return Ok(CheckAnswer::of(Vec::new(), false));
        }
        let rules = coverage.policy();
        // An explicit store is opened even without a user, so a wrong --db
        // is reported instead of silently unused. Without the history (a
        // change's first look) it is not opened at all: the record that
        // follows opens it for writing, and a reader opened and closed just
        // before, by each of many concurrent changes, only adds contention.
        let missing_ok = self.missing_is_empty;
        let store = if history.is_some() && (request.user.is_some() || self.explicit) {
            self.read(missing_ok)?
        } else {
            None
        };
        let store = store.filter(|_| request.user.is_some());
        let checked = store.is_some();
        let (mut verdict, prehashed) = ops::check(
            store,
            &rules,
            request.user.unwrap_or(""),
            request.full_name.unwrap_or(&facts.full_name),
            &Password::new(request.password),
            ops::CheckRules {
                enforce_min_age: request.enforce_min_age,
                scope: history.unwrap_or_default(),
                prepare: request.prepare,
            },
            OffsetDateTime::now_utc(),
        )?;
        // PAM records what it checks once the system has changed the
        // password: with no store yet, the record (the first) needs the
        // pepper all the same, so a pepper that cannot be used refuses now.
        if !checked
            && history.is_some()
            && self.missing_is_empty
            && request.user.is_some()
            && rules.history.remember.is_enabled()
        {
            ops::pepper(&rules)?;
        }
        self.lists
            .screen(&rules.breached, &mut verdict, request.password)?;
        Ok(CheckAnswer {
            prehashed,
            ..CheckAnswer::of(verdict.into_iter().collect(), checked)
        })
    }
}

impl Notes for Local {
    fn absence(&self) -> Option<&Absence> {
        self.absence.as_ref()
    }
}

impl Passwords for Local {
    fn check(&mut self, request: &CheckRequest<'_>) -> Result<CheckAnswer, BackendError> {
        self.check_within(request, HistoryScope::Whole)
    }

    fn commit(&mut self, request: &CommitRequest<'_>) -> Result<CommitAnswer, BackendError> {
        let facts = Facts::lookup(request.user);
        let policy = Arc::clone(&self.policy);
        let coverage = facts.coverage(&policy);
        if !coverage.checks_passwords() {
            return Ok(CommitAnswer {
                changed: false,
                violations: Vec::new(),
            });
        }
        let how = ops::ChangeRules {
            enforce_min_age: request.enforce_min_age,
            allow_reuse: request.allow_reuse,
        };
        let outcome = ops::commit(
            self.write()?,
            &coverage.policy(),
            request.user,
            &Password::new(request.password),
            how,
            request.prehashed,
            OffsetDateTime::now_utc(),
        )?;
        Ok(match outcome {
            Ok(()) => CommitAnswer {
                changed: true,
                violations: Vec::new(),
            },
            Err(violations) => CommitAnswer {
                changed: false,
                violations,
            },
        })
    }

    /// One argon2 run for an accepted change: the text rules and the
    /// breached list first (no hashing), then the record, which judges
    /// reuse and age with the very hash it stores. Only a refusal by the
    /// text rules pays for the whole check, to tell every reason at once.
    fn change(&mut self, request: &CheckRequest<'_>) -> Result<ChangeAnswer, BackendError> {
        let first_look = self.judge(request, None)?;
        let verdict = if first_look.accepted {
            first_look
        } else {
            self.check(request)?
        };
        record_if_accepted(self, request, verdict)
    }
}

impl Expiry for Local {
    fn status(&mut self, user: Option<&str>) -> Result<Status, BackendError> {
        let user = user.ok_or(BackendError::NeedUser)?;
        self.status_of(&Facts::lookup(user))
    }

    fn status_of(&mut self, facts: &Facts) -> Result<Status, BackendError> {
        let policy = Arc::clone(&self.policy);
        let store = self.read(true)?;
        Ok(ops::status(
            store,
            &policy,
            facts,
            OffsetDateTime::now_utc(),
        )?)
    }

    fn list(&mut self, visit: &mut Rows<'_>) -> Result<(), BackendError> {
        let policy = Arc::clone(&self.policy);
        let host = self.host();
        let now = OffsetDateTime::now_utc();
        let store = self.read(true)?;
        carry(visit, |visit| ops::list(store, &policy, &host, now, visit))
    }

    fn report(&mut self, days: u32, visit: &mut Rows<'_>) -> Result<(), BackendError> {
        let policy = Arc::clone(&self.policy);
        let host = self.host();
        let now = OffsetDateTime::now_utc();
        let Some(store) = self.read(true)? else {
            return Ok(());
        };
        carry(visit, |visit| {
            ops::report(store, &policy, &host, days, now, visit)
        })
    }
}

/// Runs a store walk whose visitor is `visit`, carrying the visitor's own
/// error out of the store's callback.
fn carry(
    visit: &mut Rows<'_>,
    walk: impl FnOnce(&mut dyn FnMut(Status) -> Result<(), StoreError>) -> Result<(), StoreError>,
) -> Result<(), BackendError> {
    let mut failed = None;
    let result = walk(&mut |row| {
        visit(row).map_err(|e| {
            failed = Some(e);
            StoreError::Database {
                location: "listing".into(),
                detail: "stopped by its reader".into(),
            }
        })
    });
    match (result, failed) {
        (_, Some(e)) => Err(e),
        (Err(e), None) => Err(e.into()),
        (Ok(()), None) => Ok(()),
    }
}

impl Records for Local {
    fn expire(&mut self, user: &str, create: bool) -> Result<(), BackendError> {
        if !create {
            self.known(user)?;
        }
        Ok(self.write()?.expire(user, OffsetDateTime::now_utc())?)
    }

    fn set_changed(&mut self, user: &str, date: &str, create: bool) -> Result<(), BackendError> {
        let now = OffsetDateTime::now_utc();
        let at = ops::parse_day(date, now).map_err(BackendError::InvalidDate)?;
        if !create {
            self.known(user)?;
        }
        Ok(self.write()?.set_changed(user, at, now)?)
    }
}

/// The store's key of `user`'s `reminder`.
fn key<'a>(user: &'a str, reminder: &Reminder) -> pwpolicy_store::ReminderKey<'a> {
    pwpolicy_store::ReminderKey {
        user,
        cycle: reminder.cycle,
        reason: reminder.reason.as_str(),
        step: reminder.step,
    }
}

impl Reminders for Local {
    fn claim(&mut self, user: &str, reminder: &Reminder) -> Result<bool, BackendError> {
        let now = OffsetDateTime::now_utc();
        Ok(self.write()?.claim_reminder(&key(user, reminder), now)?)
    }

    fn sent(&mut self, user: &str, reminder: &Reminder) -> Result<(), BackendError> {
        let now = OffsetDateTime::now_utc();
        Ok(self.write()?.reminder_sent(&key(user, reminder), now)?)
    }

    fn release(&mut self, user: &str, reminder: &Reminder) -> Result<(), BackendError> {
        Ok(self.write()?.release_reminder(&key(user, reminder))?)
    }

    fn was_sent(&mut self, user: &str, reminder: &Reminder) -> Result<bool, BackendError> {
        match self.read(true)? {
            Some(store) => Ok(store.was_reminder_sent(&key(user, reminder))?),
            None => Ok(false),
        }
    }
}
