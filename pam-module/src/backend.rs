//! Where the module gets history and expiry: one `pwpolicy_backend`
//! backend, chosen by the same rule as the CLI's (`db=`, `socket=`, the
//! policy file, the default socket). Stores are opened with
//! `pwpolicy_store::open`, which knows SQLite only: fleets reach PostgreSQL
//! through pwpolicyd, so no login process carries a database client.

use pwpolicy::{Names, Password, Policy, Prehashed, Violation};
use pwpolicy_backend::{
    Backend, BackendError, CheckRequest, CommitRequest, Local, Role, Source, Status, choose,
};
use pwpolicy_host::{Facts, Lists};
use zeroize::Zeroizing;

use crate::options::Options;

/// What needs no store: the text rules (length, classes, names) and the
/// breached-password list. `Err` carries the text rules' violations and why
/// the list could not be read (`on_error=ignore` then goes on without it).
pub fn text_rules(
    policy: &Policy,
    user: &str,
    full_name: &str,
    password: &str,
) -> Result<Vec<Violation>, (Vec<Violation>, String)> {
    let mut verdict = policy.check(&Password::new(password), &Names::new(user, full_name));
    let screened = Lists::new().screen(&policy.breached, &mut verdict, password);
    let violations = verdict.into_iter().collect();
    match screened {
        Ok(()) => Ok(violations),
        Err(e) => Err((violations, pwpolicy_host::say(&e))),
    }
}

/// The store or service could not answer (the detail is for the log).
pub struct Unavailable(pub String);

impl From<BackendError> for Unavailable {
    fn from(e: BackendError) -> Self {
        Unavailable(pwpolicy_host::say(&e))
    }
}

/// The module's backend for one call.
pub struct Answers {
    backend: Box<dyn Backend>,
}

impl Answers {
    /// The backend the options choose. A directory is never the module's
    /// source (history and expiry of a login host are its store's).
    pub fn open(opts: &Options) -> Answers {
        let source = choose(&opts.sources, &opts.policy, Role::Passwords).unwrap_or_else(|_| {
            Source::Local {
                location: pwpolicy_store::Location::default_path(),
                explicit: false,
            }
        });
        let backend: Box<dyn Backend> = match source {
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
            // A service; a directory cannot come of `Role::Passwords`.
            other => other
                .backend(&opts.policy, pwpolicy_store::open)
                .unwrap_or_else(|| {
                    Box::new(Local::new(
                        opts.policy.clone(),
                        pwpolicy_store::Location::default_path(),
                        false,
                        pwpolicy_store::open,
                    ))
                }),
        };
        Answers { backend }
    }

    /// Every reason to refuse `password` for `user`: the text rules of the
    /// user's class (with the full name from the passwd database), reuse and
    /// minimum age; and the history entries the commit entry can record
    /// without hashing again, when the user has a history.
    pub fn judge(
        &mut self,
        user: &str,
        password: &Zeroizing<String>,
        enforce_min_age: bool,
    ) -> Result<(Vec<Violation>, Option<Prehashed>), Unavailable> {
        let answer = self.backend.check(&CheckRequest {
            user: Some(user),
            full_name: None,
            password,
            enforce_min_age,
            prepare: true,
        })?;
        Ok((answer.violations, answer.prehashed))
    }

    /// Records a change the system has made; `Ok(Err(..))` if the history
    /// refused it (only a race can do that after `judge`, or an override).
    /// `prehashed`: what `judge` made of this same password.
    pub fn commit(
        &mut self,
        user: &str,
        password: &Zeroizing<String>,
        allow_reuse: bool,
        prehashed: Option<&Prehashed>,
    ) -> Result<Result<(), Vec<Violation>>, Unavailable> {
        let answer = self.backend.commit(&CommitRequest {
            user,
            password,
            enforce_min_age: false,
            allow_reuse,
            prehashed,
        })?;
        Ok(if answer.changed {
            Ok(())
        } else {
            Err(answer.violations)
        })
    }

    /// Where the account's password stands: the same status `pwpolicy
    /// status` shows.
    pub fn status(&mut self, facts: &Facts) -> Result<Status, Unavailable> {
        Ok(self.backend.status_of(facts)?)
    }

    /// Starts `user`'s password age today. The account is the one the
    /// application's PAM stack is logging in (whatever this host's name
    /// service says of it), so the record is made whether or not the store
    /// knew it.
    pub fn enrol(&mut self, user: &str) -> Result<(), Unavailable> {
        Ok(self.backend.set_changed(user, "today", true)?)
    }

    /// Forces `user` to change at this login (a record is made, as for
    /// [`Answers::enrol`]).
    pub fn expire(&mut self, user: &str) -> Result<(), Unavailable> {
        Ok(self.backend.expire(user, true)?)
    }
}
