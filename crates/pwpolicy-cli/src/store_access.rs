//! The CLI's backend: the one rule of `pwpolicy_backend::choose` applied to
//! `--db`, `--socket` and the policy file, with stores opened by
//! `pwpolicy_store_postgres::open` (SQLite or PostgreSQL) — and the local store itself for the
//! admin verbs the service does not offer. Also the rule for `status` and
//! `report`: a directory (`--directory`, else `[directory] url` unless a
//! store or socket is named) instead of the store.

use anyhow::{Context, bail};
use pwpolicy::Policy;
use pwpolicy_backend::{Backend, Local, Opener, Source, Sources as Chosen, choose};
use pwpolicy_store::{OpenMode, Store};

use pwpolicy_directory_ldap::{Directory, Protection, Target};

use crate::args::{DirectoryArgs, Sources};

/// How the CLI opens stores.
pub const OPEN_STORE: Opener = pwpolicy_store_postgres::open;

/// Where the command's answers come from.
pub fn source(sources: &Sources, policy: &Policy) -> Source {
    choose(
        &Chosen {
            db: sources.db.clone(),
            socket: sources.socket.clone(),
        },
        policy,
    )
}

/// The command's backend. With `missing_store_is_empty`, a named store
/// that does not exist yet reads as empty (a first change creates it);
/// otherwise only the default store may be missing.
pub fn backend(
    sources: &Sources,
    policy: &Policy,
    missing_store_is_empty: bool,
) -> Box<dyn Backend> {
    match source(sources, policy) {
        Source::Local { location, explicit } => Box::new(
            Local::new(policy.clone(), location, explicit, OPEN_STORE)
                .missing_store_is_empty(missing_store_is_empty),
        ),
        service => service.backend(policy, OPEN_STORE),
    }
}

/// The store itself, for verbs the service does not offer.
pub fn local_store(
    sources: &Sources,
    policy: &Policy,
    verb: &str,
) -> anyhow::Result<Box<dyn Store>> {
    match source(sources, policy) {
        Source::Local { location, .. } => {
            OPEN_STORE(&location, OpenMode::ReadWrite).context("cannot open store")
        }
        Source::Service(socket) => bail!(
            "`{verb}` works on the store itself, not through the service at {}: run it where the store is, with --db",
            socket.display()
        ),
    }
}

/// The directory `status` and `report` answer from, if any: `--directory`,
/// else the policy's `[directory] url` unless `--db` or `--socket` names a
/// store (what is named on the command line wins, as in `choose`). The
/// options given override the policy's `[directory]` keys one by one.
///
/// # Errors
///
/// A URL of another scheme, or a password file without a bind DN.
pub fn directory(
    args: &DirectoryArgs,
    sources: Option<&Sources>,
    policy: &Policy,
) -> anyhow::Result<Option<Target>> {
    let named_store = sources.is_some_and(|s| s.db.is_some() || s.socket.is_some());
    if args.directory.is_none() && (named_store || policy.directory.url.is_none()) {
        return Ok(None);
    }
    if args.directory.is_some() && named_store {
        bail!(
            "--directory reads a directory; --db and --socket name a store: give one or the other"
        );
    }
    let mut settings = policy.directory.clone();
    let path = |p: &std::path::PathBuf| p.to_string_lossy().into_owned();
    if let Some(url) = &args.directory {
        settings.url = Some(url.clone());
    }
    if let Some(dn) = &args.bind_dn {
        settings.bind_dn = Some(dn.clone());
    }
    if let Some(file) = &args.bind_password_file {
        settings.bind_password_file = Some(path(file));
    }
    if let Some(base) = &args.base {
        settings.base = Some(base.clone());
    }
    if let Some(file) = &args.ca_file {
        settings.ca_file = Some(path(file));
    }
    let target = Target::from_settings(&settings)?;
    if let Some(t) = &target
        && t.protection == Protection::Clear
        && t.bind_dn.is_some()
    {
        eprintln!(
            "pwpolicy: warning: binding to {} without TLS ([directory] starttls = false): the bind password crosses the network readable",
            t.url
        );
    }
    Ok(target)
}

/// The directory as a backend.
pub fn directory_backend(target: Target, policy: &Policy, include_disabled: bool) -> Directory {
    Directory::new(target, policy.clone()).include_disabled(include_disabled)
}
