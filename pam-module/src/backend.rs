//! Where the module gets history and expiry: the store itself, or the
//! pwpolicyd service (`socket=`), which then owns the store and its
//! credentials. Both answer the same questions the same way.

use std::path::PathBuf;

use pwpolicy::{ExpiryState, Names, Password, Policy, Violation};
use pwpolicy_service::accounts::Facts;
use pwpolicy_service::ops;
use pwpolicy_service::{Client, ClientError, Request, Secret};
use pwpolicy_store::{Location, OpenMode, StoreError};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::options::Options;

/// One reason a password is refused, as shown to the user.
pub struct Found {
    /// The stable code.
    pub code: String,
    /// The message.
    pub message: String,
}

impl From<&Violation> for Found {
    fn from(v: &Violation) -> Found {
        Found {
            code: v.code().to_owned(),
            message: v.message(),
        }
    }
}

/// The policy's text rules alone (length, classes, names): no history needed.
pub fn text_rules(policy: &Policy, user: &str, full_name: &str, password: &str) -> Vec<Found> {
    let verdict = policy.check(&Password::new(password), &Names::new(user, full_name));
    verdict.violations().iter().map(Found::from).collect()
}

/// The store or service could not answer (the detail is for the log).
pub struct Unavailable(pub String);

impl From<StoreError> for Unavailable {
    fn from(e: StoreError) -> Self {
        Unavailable(e.to_string())
    }
}

impl From<ClientError> for Unavailable {
    fn from(e: ClientError) -> Self {
        Unavailable(e.to_string())
    }
}

/// The source of history and expiry.
pub enum Backend {
    /// Open the store directly.
    Store(Location),
    /// Ask the service at this socket.
    Service(PathBuf),
}

/// Where a user's password stands.
pub enum Standing {
    /// The store has never seen the user.
    Unknown,
    /// A state and the days left, if passwords expire.
    Known(ExpiryState, Option<i64>),
}

impl Backend {
    /// `socket=` (or `[service] socket`) means the service; else the store.
    pub fn from(opts: &Options) -> Backend {
        match &opts.service {
            Some(socket) => Backend::Service(socket.clone()),
            None => Backend::Store(opts.store.clone()),
        }
    }

    /// Every reason to refuse `password`: the policy's text rules, and
    /// reuse and minimum age from the history.
    pub fn judge(
        &self,
        policy: &Policy,
        user: &str,
        full_name: &str,
        password: &Zeroizing<String>,
        enforce_min_age: bool,
    ) -> Result<Vec<Found>, Unavailable> {
        match self {
            Backend::Service(socket) => {
                let reply = Client::connect(socket)?.call(Request::Check {
                    user: user.to_owned(),
                    full_name: full_name.to_owned(),
                    password: Secret(password.clone()),
                })?;
                Ok(found_in(&reply["violations"]))
            }
            Backend::Store(location) => {
                let mut found = text_rules(policy, user, full_name, password);
                let history =
                    policy.history.remember.is_enabled() || policy.expiry.min_age_days > 0;
                if history {
                    match pwpolicy_store::open(location, OpenMode::ReadOnly) {
                        Ok(mut store) => {
                            let password = Password::new(password);
                            let now = OffsetDateTime::now_utc();
                            let seen = ops::review(
                                &mut *store,
                                policy,
                                user,
                                &password,
                                enforce_min_age,
                                now,
                            )?;
                            found.extend(seen.iter().map(Found::from));
                        }
                        // No store yet: nobody has history; the commit entry creates it.
                        Err(StoreError::Missing(_)) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                Ok(found)
            }
        }
    }

    /// Records a change the system has made; `Ok(Err(..))` if the history
    /// refused it (only a race can do that after `judge`).
    pub fn commit(
        &self,
        policy: &Policy,
        user: &str,
        password: &Zeroizing<String>,
        allow_reuse: bool,
    ) -> Result<Result<(), Vec<Found>>, Unavailable> {
        let how = ops::ChangeRules {
            enforce_min_age: false,
            allow_reuse,
        };
        match self {
            Backend::Service(socket) => {
                let reply = Client::connect(socket)?.call(Request::Commit {
                    user: user.to_owned(),
                    password: Secret(password.clone()),
                    enforce_min_age: false,
                    allow_reuse,
                })?;
                Ok(if reply["changed"] == true {
                    Ok(())
                } else {
                    Err(found_in(&reply["violations"]))
                })
            }
            Backend::Store(location) => {
                let mut store = pwpolicy_store::open(location, OpenMode::ReadWrite)?;
                let outcome = ops::commit(
                    &mut *store,
                    policy,
                    user,
                    &Password::new(password),
                    how,
                    OffsetDateTime::now_utc(),
                )?;
                Ok(outcome.map_err(|v| v.iter().map(Found::from).collect()))
            }
        }
    }

    /// Where `user`'s password stands.
    pub fn standing(&self, policy: &Policy, facts: &Facts) -> Result<Standing, Unavailable> {
        let user = facts.name.as_str();
        // Both sources produce the same status object (ops::status), read
        // by one function, so local and service mode cannot disagree.
        let status = match self {
            Backend::Service(socket) => Client::connect(socket)?.call(Request::Status {
                user: Some(user.to_owned()),
            })?["status"]
                .take(),
            Backend::Store(location) => {
                let mut store = match pwpolicy_store::open(location, OpenMode::ReadOnly) {
                    Ok(store) => Some(store),
                    Err(StoreError::Missing(_)) => None,
                    Err(e) => return Err(e.into()),
                };
                // Shorten the trait object's lifetime to this borrow.
                let store = store
                    .as_deref_mut()
                    .map(|s| s as &mut dyn pwpolicy_store::Store);
                ops::status(store, policy, facts, OffsetDateTime::now_utc())?
            }
        };
        standing_of(&status)
    }

    /// Starts `user`'s password age today.
    pub fn enrol(&self, user: &str) -> Result<(), Unavailable> {
        let now = OffsetDateTime::now_utc();
        match self {
            Backend::Service(socket) => {
                Client::connect(socket)?.call(Request::SetChanged {
                    user: user.to_owned(),
                    date: "today".into(),
                })?;
            }
            Backend::Store(location) => {
                pwpolicy_store::open(location, OpenMode::ReadWrite)?.set_changed(user, now, now)?
            }
        }
        Ok(())
    }

    /// Forces `user` to change at this login.
    pub fn expire(&self, user: &str) -> Result<(), Unavailable> {
        match self {
            Backend::Service(socket) => {
                Client::connect(socket)?.call(Request::Expire {
                    user: user.to_owned(),
                })?;
            }
            Backend::Store(location) => pwpolicy_store::open(location, OpenMode::ReadWrite)?
                .expire(user, OffsetDateTime::now_utc())?,
        }
        Ok(())
    }
}

/// The standing a status object describes.
fn standing_of(status: &serde_json::Value) -> Result<Standing, Unavailable> {
    let days = status["days_left"].as_i64();
    Ok(match status["state"].as_str() {
        Some("ok") => Standing::Known(ExpiryState::Ok, days),
        Some("warning") => Standing::Known(ExpiryState::Warning, days),
        Some("expired") => Standing::Known(ExpiryState::Expired, days),
        Some("must_change") => Standing::Known(ExpiryState::MustChange, days),
        Some("unknown") => Standing::Unknown,
        _ => return Err(Unavailable("unknown expiry state in a status".into())),
    })
}

fn found_in(violations: &serde_json::Value) -> Vec<Found> {
    violations
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| Found {
            code: v["code"].as_str().unwrap_or("").to_owned(),
            message: v["message"].as_str().unwrap_or("").to_owned(),
        })
        .collect()
}
