//! The seam: one [`Backend`] trait that the CLI and the PAM module talk
//! to, and the one rule ([`choose`]) that decides whether answers come from
//! the store itself ([`crate::Local`]) or from pwpolicyd ([`crate::Service`]).

use std::path::{Path, PathBuf};

use pwpolicy::Policy;
use pwpolicy_store::Location;
use zeroize::Zeroizing;

use crate::accounts::Facts;
use crate::answer::{CheckAnswer, CommitAnswer, ReportRow, Status};
use crate::error::BackendError;
use crate::local::{Local, Opener};
use crate::protocol::DEFAULT_SOCKET;
use crate::service::Service;

/// A candidate password to check.
#[derive(Debug, Clone, Copy)]
pub struct CheckRequest<'a> {
    /// The account: its history, class and name are checked. `None`: the
    /// text rules alone (through the service, an ordinary caller's own account).
    pub user: Option<&'a str>,
    /// The full name, for the name rule.
    pub full_name: &'a str,
    /// The candidate.
    pub password: &'a Zeroizing<String>,
    /// Count the minimum age (a user's own change), not for an admin reset.
    pub enforce_min_age: bool,
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
}

/// Where history and expiry come from. Both implementations give the same
/// answers to the same calls (one test suite runs against both).
pub trait Backend {
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

    /// Visits, as they come, the users who must change and those whose
    /// passwords expire within `days` days (forced first, then oldest first).
    ///
    /// # Errors
    ///
    /// [`BackendError`] from the backend or from `visit`.
    fn report(
        &mut self,
        days: u32,
        visit: &mut dyn FnMut(ReportRow) -> Result<(), BackendError>,
    ) -> Result<(), BackendError>;

    /// Forces `user` to change at the next login.
    ///
    /// # Errors
    ///
    /// [`BackendError`].
    fn expire(&mut self, user: &str) -> Result<(), BackendError>;

    /// Sets `user`'s last change to `date` (`YYYY-MM-DD` or `today`).
    ///
    /// # Errors
    ///
    /// [`BackendError`], [`BackendError::InvalidDate`].
    fn set_changed(&mut self, user: &str, date: &str) -> Result<(), BackendError>;

    /// Why the last call could not consult the history, if it could not
    /// (a default store that does not exist yet, or is not readable here).
    fn absence(&self) -> Option<&Absence> {
        None
    }
}

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

/// What a front end was told about where answers come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    /// A store named by the caller (`--db`, PAM `db=`).
    pub db: Option<String>,
    /// A service socket named by the caller (`--socket`, PAM `socket=`).
    pub socket: Option<PathBuf>,
}

/// Where answers will come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The store itself.
    Local {
        /// Where it is.
        location: Location,
        /// Named by the caller or the policy file (trouble with it is an
        /// error), rather than the built-in default path.
        explicit: bool,
    },
    /// The pwpolicyd service at this socket.
    Service(PathBuf),
}

/// The one rule, for the CLI and the PAM module alike: a named socket; else
/// a named store; else the policy's `[service] socket`; else its `[store]
/// db`; else the service, if its default socket exists; else the default
/// store.
pub fn choose(sources: &Sources, policy: &Policy) -> Source {
    choose_with(sources, policy, Path::new(DEFAULT_SOCKET).exists())
}

/// [`choose`], told whether the default socket exists (for tests).
pub fn choose_with(sources: &Sources, policy: &Policy, default_socket_exists: bool) -> Source {
    if let Some(socket) = &sources.socket {
        return Source::Service(socket.clone());
    }
    if let Some(db) = &sources.db {
        return Source::Local {
            location: Location::parse(db),
            explicit: true,
        };
    }
    if let Some(socket) = &policy.service.socket {
        return Source::Service(PathBuf::from(socket));
    }
    if let Some(db) = &policy.store.db {
        return Source::Local {
            location: Location::parse(db),
            explicit: true,
        };
    }
    if default_socket_exists {
        return Source::Service(PathBuf::from(DEFAULT_SOCKET));
    }
    Source::Local {
        location: Location::default_path(),
        explicit: false,
    }
}

impl Source {
    /// The backend for this source. `open` opens stores: the CLI's opens
    /// PostgreSQL too, the PAM module's only SQLite.
    pub fn backend(self, policy: &Policy, open: Opener) -> Box<dyn Backend> {
        match self {
            Source::Local { location, explicit } => {
                Box::new(Local::new(policy.clone(), location, explicit, open))
            }
            Source::Service(socket) => Box::new(Service::new(socket)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> Policy {
        Policy::from_toml(text).unwrap()
    }

    #[test]
    fn the_one_rule() {
        let none = Sources::default();
        let db = Sources {
            db: Some("/x/state.db".into()),
            socket: None,
        };
        let both = Sources {
            db: Some("/x/state.db".into()),
            socket: Some("/s".into()),
        };
        let p = Policy::default();
        assert_eq!(choose_with(&both, &p, false), Source::Service("/s".into()));
        assert!(matches!(
            choose_with(&db, &p, true),
            Source::Local { explicit: true, .. }
        ));
        assert_eq!(
            choose_with(&none, &p, true),
            Source::Service(DEFAULT_SOCKET.into())
        );
        assert_eq!(
            choose_with(&none, &p, false),
            Source::Local {
                location: Location::default_path(),
                explicit: false
            }
        );
        let svc = policy("[service]\nsocket = \"/p\"\n[store]\ndb = \"/y.db\"\n");
        assert_eq!(
            choose_with(&none, &svc, false),
            Source::Service("/p".into())
        );
        assert!(matches!(
            choose_with(&db, &svc, false),
            Source::Local { .. }
        ));
        let store = policy("[store]\ndb = \"/y.db\"\n");
        assert!(matches!(
            choose_with(&none, &store, true),
            Source::Local { explicit: true, .. }
        ));
    }
}
