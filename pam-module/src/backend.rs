//! Where the module gets history and expiry: one `pwpolicy_backend`
//! backend, chosen by the same rule as the CLI's (`db=`, `socket=`, the
//! policy file, the default socket). Stores are opened with
//! `pwpolicy_store::open`, which knows SQLite only: fleets reach PostgreSQL
//! through pwpolicyd, so no login process carries a database client.

use pwpolicy::{Names, Password, Policy};
use pwpolicy_backend::accounts::Facts;
use pwpolicy_backend::{
    Backend, BackendError, CheckRequest, CommitRequest, Finding, Lists, Local, Source, State,
    choose,
};
use zeroize::Zeroizing;

use crate::options::Options;

/// What needs no store: the text rules (length, classes, names) and the
/// breached-password list. `Err` carries the text rules' findings and why
/// the list could not be read (`on_error=ignore` then goes on without it).
pub fn text_rules(
    policy: &Policy,
    user: &str,
    full_name: &str,
    password: &str,
) -> Result<Vec<Finding>, (Vec<Finding>, String)> {
    let mut verdict = policy.check(&Password::new(password), &Names::new(user, full_name));
    let screened = Lists::new().screen(&policy.breached, &mut verdict, password);
    let findings = verdict.violations().iter().map(Finding::from).collect();
    match screened {
        Ok(()) => Ok(findings),
        Err(e) => Err((findings, e.to_string())),
    }
}

/// The store or service could not answer (the detail is for the log).
pub struct Unavailable(pub String);

impl From<BackendError> for Unavailable {
    fn from(e: BackendError) -> Self {
        Unavailable(e.to_string())
    }
}

/// Where a user's password stands.
pub enum Standing {
    /// The store has never seen the user.
    Unknown,
    /// A state and the days left, if passwords expire.
    Known(State, Option<i64>),
}

/// The module's backend for one call.
pub struct Answers {
    backend: Box<dyn Backend>,
}

impl Answers {
    /// The backend the options choose.
    pub fn open(opts: &Options) -> Answers {
        let backend: Box<dyn Backend> = match choose(&opts.sources, &opts.policy) {
            // No store yet means no history yet: the commit entry creates it.
            Source::Local { location, explicit } => Box::new(
                Local::new(
                    opts.policy.clone(),
                    location,
                    explicit,
                    pwpolicy_store::open,
                )
                .missing_store_is_empty(true),
            ),
            service => service.backend(&opts.policy, pwpolicy_store::open),
        };
        Answers { backend }
    }

    /// Every reason to refuse `password` for `user`: the text rules of the
    /// user's class, reuse and minimum age.
    pub fn judge(
        &mut self,
        user: &str,
        full_name: &str,
        password: &Zeroizing<String>,
        enforce_min_age: bool,
    ) -> Result<Vec<Finding>, Unavailable> {
        let answer = self.backend.check(&CheckRequest {
            user: Some(user),
            full_name,
            password,
            enforce_min_age,
        })?;
        Ok(answer.violations)
    }

    /// Records a change the system has made; `Ok(Err(..))` if the history
    /// refused it (only a race can do that after `judge`, or an override).
    pub fn commit(
        &mut self,
        user: &str,
        password: &Zeroizing<String>,
        allow_reuse: bool,
    ) -> Result<Result<(), Vec<Finding>>, Unavailable> {
        let answer = self.backend.commit(&CommitRequest {
            user,
            password,
            enforce_min_age: false,
            allow_reuse,
        })?;
        Ok(if answer.changed {
            Ok(())
        } else {
            Err(answer.violations)
        })
    }

    /// Where the account's password stands.
    pub fn standing(&mut self, facts: &Facts) -> Result<Standing, Unavailable> {
        let status = self.backend.status_of(facts)?;
        Ok(match status.state {
            State::Unknown => Standing::Unknown,
            state => Standing::Known(state, status.days_left),
        })
    }

    /// Starts `user`'s password age today.
    pub fn enrol(&mut self, user: &str) -> Result<(), Unavailable> {
        Ok(self.backend.set_changed(user, "today")?)
    }

    /// Forces `user` to change at this login.
    pub fn expire(&mut self, user: &str) -> Result<(), Unavailable> {
        Ok(self.backend.expire(user)?)
    }
}
