//! The seam: what a front end (the CLI, the PAM module, pwpolicyd, the
//! self-service page) may ask, shaped by role. Every source of answers
//! implements the roles it can: the local store and pwpolicyd all three, a
//! directory the expiry side only (its passwords change on its DC).

use std::path::PathBuf;

use pwpolicy::{Prehashed, Reminder};
use pwpolicy_host::Facts;
use zeroize::Zeroizing;

use crate::answer::{ChangeAnswer, CheckAnswer, CommitAnswer, Status};
use crate::error::BackendError;

/// A candidate password to check.
#[derive(Debug, Clone, Copy)]
pub struct CheckRequest<'a> {
    /// The account: its history, class and names are checked. `None`: the
    /// text rules alone (through the service, an ordinary caller's own account).
    pub user: Option<&'a str>,
    /// The full name, for the name rule; `None` takes the account's own
    /// from the passwd database (GECOS), as PAM does.
    pub full_name: Option<&'a str>,
    /// The candidate.
    pub password: &'a Zeroizing<String>,
    /// Count the minimum age (a user's own change), not for an admin reset.
    pub enforce_min_age: bool,
    /// A commit of this password follows (PAM's check): hash it into the
    /// entries the commit will record ([`CheckAnswer::prehashed`]), so the
    /// change costs one argon2 run in all.
    pub prepare: bool,
}

/// A change the system has made (or is about to), to record.
#[derive(Debug, Clone, Copy)]
pub struct CommitRequest<'a> {
    /// The account.
    pub user: &'a str,
    /// The new password.
    pub password: &'a Zeroizing<String>,
    /// Refuse a change before the minimum age.
    pub enforce_min_age: bool,
    /// Record it even if the history refuses it (root overrode the policy).
    pub allow_reuse: bool,
    /// What the check of this same password made ([`CheckAnswer::prehashed`]):
    /// recorded instead of hashing again while the user's salt and the cost
    /// are unchanged. Only ever the check's of `password` itself.
    pub prehashed: Option<&'a Prehashed>,
}

/// What every source can say besides its answers.
pub trait Notes {
    /// Why the last call could not consult the store, if it could not
    /// (a default store that does not exist yet, or is not readable here).
    fn absence(&self) -> Option<&Absence> {
        None
    }
}

/// The password side: judging a candidate and recording a change.
pub trait Passwords: Notes {
    /// Every reason to refuse a candidate; writes nothing.
    ///
    /// # Errors
    ///
    /// [`BackendError`] when the store or service cannot answer.
    fn check(&mut self, request: &CheckRequest<'_>) -> Result<CheckAnswer, BackendError>;

    /// Records a change: history, last change, must-change cleared.
    ///
    /// # Errors
    ///
    /// [`BackendError`]; nothing is recorded then.
    fn commit(&mut self, request: &CommitRequest<'_>) -> Result<CommitAnswer, BackendError>;

    /// `pwpolicy change`: checks `request` and, if accepted, records it
    /// atomically (reuse and age decided again under the store's lock),
    /// with every reason when refused. This default asks [`Passwords::check`]
    /// then [`Passwords::commit`]: two argon2 runs for an accepted change; a
    /// backend that can judge reuse while recording does it in one.
    ///
    /// # Errors
    ///
    /// [`BackendError`], and [`BackendError::NeedUser`] without a user;
    /// nothing is recorded then.
    fn change(&mut self, request: &CheckRequest<'_>) -> Result<ChangeAnswer, BackendError> {
        let verdict = self.check(request)?;
        record_if_accepted(self, request, verdict)
    }
}

/// The second half of [`Passwords::change`]: refused with `verdict`'s
/// reasons, or recorded (reuse and age decided again under the store's
/// lock).
///
/// # Errors
///
/// As [`Passwords::commit`], and [`BackendError::NeedUser`] without a user.
pub fn record_if_accepted<P: Passwords + ?Sized>(
    backend: &mut P,
    request: &CheckRequest<'_>,
    verdict: CheckAnswer,
) -> Result<ChangeAnswer, BackendError> {
    let user = request.user.ok_or(BackendError::NeedUser)?;
    if !verdict.accepted {
        return Ok(ChangeAnswer {
            verdict,
            changed: false,
        });
    }
    let commit = backend.commit(&CommitRequest {
        user,
        password: request.password,
        enforce_min_age: request.enforce_min_age,
        allow_reuse: false,
        prehashed: verdict.prehashed.as_ref(),
    })?;
    Ok(ChangeAnswer::recorded(commit))
}

/// A visitor of status rows, as they come; its error stops the walk.
pub type Rows<'a> = dyn FnMut(Status) -> Result<(), BackendError> + 'a;

/// The expiry side: where passwords stand. Every implementation answers
/// through the core ([`pwpolicy::Coverage::standing`]), so `status`,
/// `list` and `report` agree about any account.
pub trait Expiry: Notes {
    /// Where `user`'s password stands (`None`: the caller, through the service).
    ///
    /// # Errors
    ///
    /// [`BackendError`], and [`BackendError::NeedUser`] locally without a user.
    fn status(&mut self, user: Option<&str>) -> Result<Status, BackendError>;

    /// Where an account stands, told what the caller knows of it (from a
    /// copy of another host's files, say). The service decides from its own
    /// host's databases instead, so it ignores all but the name.
    ///
    /// # Errors
    ///
    /// [`BackendError`].
    fn status_of(&mut self, facts: &Facts) -> Result<Status, BackendError> {
        self.status(Some(&facts.name))
    }

    /// Visits every account: the host's (in passwd order), then those only
    /// the store knows (forced first, then by last change).
    ///
    /// # Errors
    ///
    /// [`BackendError`] from the backend or from `visit`.
    fn list(&mut self, visit: &mut Rows<'_>) -> Result<(), BackendError>;

    /// Visits, as they come, the accounts that must change and those whose
    /// passwords expire within `days` days (forced first, then the rest).
    ///
    /// # Errors
    ///
    /// [`BackendError`] from the backend or from `visit`.
    fn report(&mut self, days: u32, visit: &mut Rows<'_>) -> Result<(), BackendError>;
}

/// The store's own records, which administrators set by hand.
pub trait Records {
    /// Forces `user` to change at the next login. `create`: add a record
    /// even for an account neither this host nor the store knows (a fleet's
    /// user of other hosts); without it such an account is refused, so
    /// that a typo never leaves a record behind.
    ///
    /// # Errors
    ///
    /// [`BackendError`], and [`BackendError::UnknownAccount`] for an
    /// unknown account without `create`.
    fn expire(&mut self, user: &str, create: bool) -> Result<(), BackendError>;

    /// Sets `user`'s last change to `date` (`YYYY-MM-DD` or `today`);
    /// `create` as for [`Records::expire`].
    ///
    /// # Errors
    ///
    /// [`BackendError`], [`BackendError::InvalidDate`], and
    /// [`BackendError::UnknownAccount`] as for [`Records::expire`].
    fn set_changed(&mut self, user: &str, date: &str, create: bool) -> Result<(), BackendError>;
}

/// What was sent of reminders, kept in the store so that no run, on this
/// host or another sharing the store, sends one twice.
pub trait Reminders {
    /// Claims `reminder` of `user` for this run: `false` when it was sent,
    /// or another run holds it.
    ///
    /// # Errors
    ///
    /// [`BackendError`] when the store or service cannot answer.
    fn claim(&mut self, user: &str, reminder: &Reminder) -> Result<bool, BackendError>;

    /// Records that the claimed reminder went out.
    ///
    /// # Errors
    ///
    /// [`BackendError`].
    fn sent(&mut self, user: &str, reminder: &Reminder) -> Result<(), BackendError>;

    /// Gives the claim up (the mail could not be sent): it stays due.
    ///
    /// # Errors
    ///
    /// [`BackendError`].
    fn release(&mut self, user: &str, reminder: &Reminder) -> Result<(), BackendError>;

    /// Whether the reminder was sent already (a dry run leaves it out).
    ///
    /// # Errors
    ///
    /// [`BackendError`].
    fn was_sent(&mut self, user: &str, reminder: &Reminder) -> Result<bool, BackendError>;
}

/// Everything the local store and the service answer.
pub trait Backend: Passwords + Expiry + Records + Reminders {}

impl<T: Passwords + Expiry + Records + Reminders> Backend for T {}

/// Why there is no store to read. It holds only a path, so a note about it
/// can never carry a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Absence {
    /// Nothing at this path yet.
    NoStore(PathBuf),
    /// This process may not open the default store.
    AccessDenied(PathBuf),
}

impl std::fmt::Display for Absence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Absence::NoStore(path) => write!(f, "no store at {}", path.display()),
            Absence::AccessDenied(path) => {
                write!(f, "permission denied opening store {}", path.display())
            }
        }
    }
}
