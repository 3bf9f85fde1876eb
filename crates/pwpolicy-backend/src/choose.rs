//! The one rule that decides where answers come from — a directory, the
//! store itself, or pwpolicyd — for the CLI and the PAM module alike.

use std::path::{Path, PathBuf};

use pwpolicy::{DirectorySettings, Policy};
use pwpolicy_store::Location;

use crate::error::BackendError;
use crate::local::{Local, Opener};
use crate::seam::Backend;
use crate::service::Service;
use crate::wire::DEFAULT_SOCKET;

/// What a front end was told about where answers come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    /// A store named by the caller (`--db`, PAM `db=`).
    pub db: Option<String>,
    /// A service socket named by the caller (`--socket`, PAM `socket=`).
    pub socket: Option<PathBuf>,
    /// A directory named by the caller (`--directory`, with the other
    /// options laid over the policy's `[directory]` keys).
    pub directory: Option<DirectorySettings>,
}

/// What the answers are for: a directory answers only where passwords stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Checking and recording passwords, and setting records by hand.
    Passwords,
    /// Where passwords stand: `status`, `list`, `report`.
    Expiry,
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
    /// A directory (Active Directory over LDAP), for the expiry side.
    Directory(DirectorySettings),
}

/// The one rule: for the expiry side, a named directory, else the
/// policy's `[directory] url` unless a store or socket is named; then a
/// named socket; else a named store; else the policy's `[service] socket`;
/// else its `[store] db`; else the service, if its default socket exists;
/// else the default store.
///
/// # Errors
///
/// [`BackendError::Usage`] for a directory named with a store or socket,
/// or for a role a directory does not answer.
pub fn choose(sources: &Sources, policy: &Policy, role: Role) -> Result<Source, BackendError> {
    choose_with(sources, policy, role, Path::new(DEFAULT_SOCKET).exists())
}

/// [`choose`], told whether the default socket exists (for tests).
///
/// # Errors
///
/// As [`choose`].
pub fn choose_with(
    sources: &Sources,
    policy: &Policy,
    role: Role,
    default_socket_exists: bool,
) -> Result<Source, BackendError> {
    let named_store = sources.db.is_some() || sources.socket.is_some();
    if let Some(directory) = &sources.directory {
        if role != Role::Expiry {
            return Err(BackendError::Usage(
                "a directory answers status, list and report; its passwords change on its DC"
                    .into(),
            ));
        }
        if named_store {
            return Err(BackendError::Usage(
                "--directory reads a directory; --db and --socket name a store: give one or the other"
                    .into(),
            ));
        }
        return Ok(Source::Directory(directory.clone()));
    }
    if role == Role::Expiry && !named_store && policy.directory.url.is_some() {
        return Ok(Source::Directory(policy.directory.clone()));
    }
    Ok(store_or_service(sources, policy, default_socket_exists))
}

/// Where history and records are: the store or the service.
fn store_or_service(sources: &Sources, policy: &Policy, default_socket_exists: bool) -> Source {
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
    /// The backend for a store or service source (`None` for a directory,
    /// whose backend lives in `pwpolicy-directory-ldap`). `open` opens
    /// stores: the CLI's opens PostgreSQL too, the PAM module's only SQLite.
    pub fn backend(self, policy: &Policy, open: Opener) -> Option<Box<dyn Backend>> {
        match self {
            Source::Local { location, explicit } => Some(Box::new(Local::new(
                policy.clone(),
                location,
                explicit,
                open,
            ))),
            Source::Service(socket) => Some(Box::new(Service::new(socket))),
            Source::Directory(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> Policy {
        Policy::from_toml(text).unwrap()
    }

    fn pick(sources: &Sources, p: &Policy, role: Role, socket: bool) -> Source {
        choose_with(sources, p, role, socket).unwrap()
    }

    #[test]
    fn the_one_rule() {
        let none = Sources::default();
        let db = Sources {
            db: Some("/x/state.db".into()),
            ..Sources::default()
        };
        let both = Sources {
            db: Some("/x/state.db".into()),
            socket: Some("/s".into()),
            ..Sources::default()
        };
        let p = Policy::default();
        let pw = Role::Passwords;
        assert_eq!(pick(&both, &p, pw, false), Source::Service("/s".into()));
        assert!(matches!(
            pick(&db, &p, pw, true),
            Source::Local { explicit: true, .. }
        ));
        assert_eq!(
            pick(&none, &p, pw, true),
            Source::Service(DEFAULT_SOCKET.into())
        );
        assert_eq!(
            pick(&none, &p, pw, false),
            Source::Local {
                location: Location::default_path(),
                explicit: false
            }
        );
        let svc = policy("[service]\nsocket = \"/p\"\n[store]\ndb = \"/y.db\"\n");
        assert_eq!(pick(&none, &svc, pw, false), Source::Service("/p".into()));
        assert!(matches!(pick(&db, &svc, pw, false), Source::Local { .. }));
        let store = policy("[store]\ndb = \"/y.db\"\n");
        assert!(matches!(
            pick(&none, &store, pw, true),
            Source::Local { explicit: true, .. }
        ));
    }

    #[test]
    fn a_directory_answers_the_expiry_side_unless_a_store_is_named() {
        let dir = policy("[directory]\nurl = \"ldaps://dc1\"\n");
        let none = Sources::default();
        assert!(matches!(
            pick(&none, &dir, Role::Expiry, false),
            Source::Directory(d) if d.url.as_deref() == Some("ldaps://dc1")
        ));
        assert!(matches!(
            pick(&none, &dir, Role::Passwords, false),
            Source::Local { .. }
        ));
        let db = Sources {
            db: Some("/x.db".into()),
            ..Sources::default()
        };
        assert!(matches!(
            pick(&db, &dir, Role::Expiry, false),
            Source::Local { .. }
        ));
        let named = Sources {
            directory: Some(dir.directory.clone()),
            ..db
        };
        assert!(choose_with(&named, &dir, Role::Expiry, false).is_err());
        let named = Sources {
            directory: Some(dir.directory.clone()),
            ..Sources::default()
        };
        assert!(choose_with(&named, &dir, Role::Passwords, false).is_err());
    }
}
