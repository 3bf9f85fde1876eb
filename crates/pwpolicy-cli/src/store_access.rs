//! Where the CLI's answers come from: `pwpolicy_backend::choose` applied to
//! `--db`, `--socket`, `--directory` and the policy file, with stores
//! opened by `pwpolicy_store_postgres::open` (SQLite or PostgreSQL) and
//! directories by `pwpolicy-directory-ldap` — and the local store itself
//! for the admin verbs the service does not offer.

use anyhow::{Context, bail};
use pwpolicy::{DirectorySettings, Policy};
use pwpolicy_backend::{
    Backend, Expiry, Local, Opener, Passwords, Records, Reminders, Role, Source, Sources as Chosen,
    choose,
};
use pwpolicy_directory_ldap::{Directory, Protection, Target};
use pwpolicy_store::{OpenMode, Store};

use crate::args::{DirectoryArgs, Sources};

/// How the CLI opens stores.
pub const OPEN_STORE: Opener = pwpolicy_store_postgres::open;

/// What the command line names, for the one rule.
fn chosen(sources: &Sources, directory: Option<DirectorySettings>) -> Chosen {
    Chosen {
        db: sources.db.clone(),
        socket: sources.socket.clone(),
        directory,
    }
}

/// The store or service for `role` (never a directory).
fn store_or_service(
    sources: &Sources,
    policy: &Policy,
    missing_store_is_empty: bool,
) -> anyhow::Result<Box<dyn Backend>> {
    Ok(
        match choose(&chosen(sources, None), policy, Role::Passwords)? {
            Source::Local { location, explicit } => Box::new(
                Local::new(policy.clone(), location, explicit, OPEN_STORE)
                    .missing_store_is_empty(missing_store_is_empty),
            ),
            source => source
                .backend(policy, OPEN_STORE)
                .context("no store or service for this command")?,
        },
    )
}

/// The password side: a named store that does not exist yet reads as
/// empty with `missing_store_is_empty` (a first change creates it);
/// otherwise only the default store may be missing.
pub fn passwords(
    sources: &Sources,
    policy: &Policy,
    missing_store_is_empty: bool,
) -> anyhow::Result<Box<dyn Passwords>> {
    let backend: Box<dyn Passwords> = store_or_service(sources, policy, missing_store_is_empty)?;
    Ok(backend)
}

/// Where what was sent of reminders is kept: the store or the service
/// (never a directory: a directory's users' reminders are the store's too).
pub fn reminders(sources: &Sources, policy: &Policy) -> anyhow::Result<Box<dyn Reminders>> {
    let backend: Box<dyn Reminders> = store_or_service(sources, policy, true)?;
    Ok(backend)
}

/// The records administrators set (`expire`, `set-changed`).
pub fn records(sources: &Sources, policy: &Policy) -> anyhow::Result<Box<dyn Records>> {
    let backend: Box<dyn Records> = store_or_service(sources, policy, true)?;
    Ok(backend)
}

/// Where the expiry side's answers come from: a directory (`--directory`,
/// or `[directory] url` unless a store or socket is named), else the store
/// or the service.
///
/// # Errors
///
/// A directory named with a store or socket.
pub fn expiry_source(
    sources: &Sources,
    directory: &DirectoryArgs,
    policy: &Policy,
) -> anyhow::Result<Source> {
    let named = directory_settings(directory, policy);
    Ok(choose(&chosen(sources, named), policy, Role::Expiry)?)
}

/// The expiry side of `source` (from [`expiry_source`]).
pub fn expiry_of(
    source: Source,
    sources: &Sources,
    policy: &Policy,
    include_disabled: bool,
) -> anyhow::Result<Box<dyn Expiry>> {
    Ok(match source {
        Source::Directory(settings) => Box::new(directory_backend(
            target(&settings)?,
            policy,
            include_disabled,
        )),
        _ => {
            let backend: Box<dyn Expiry> = store_or_service(sources, policy, true)?;
            backend
        }
    })
}

/// The expiry side the command line and policy choose.
pub fn expiry(
    sources: &Sources,
    directory: &DirectoryArgs,
    policy: &Policy,
    include_disabled: bool,
) -> anyhow::Result<Box<dyn Expiry>> {
    let source = expiry_source(sources, directory, policy)?;
    expiry_of(source, sources, policy, include_disabled)
}

/// The accounts `notify` reminds: the directory's when one is named (on
/// the command line or in `[directory]`), whatever store `--db` names, for
/// that store only records what was sent; else the store's (or the
/// service's).
pub fn reminded(
    sources: &Sources,
    directory: &DirectoryArgs,
    policy: &Policy,
) -> anyhow::Result<Box<dyn Expiry>> {
    let named = directory_settings(directory, policy).or_else(|| {
        policy
            .directory
            .url
            .is_some()
            .then(|| policy.directory.clone())
    });
    match named {
        Some(settings) => expiry_of(Source::Directory(settings), sources, policy, false),
        None => expiry(sources, directory, policy, false),
    }
}

/// The store's (or the service's) expiry side, whatever directory the
/// policy names: `report --with-store`.
pub fn store_expiry(sources: &Sources, policy: &Policy) -> anyhow::Result<Box<dyn Expiry>> {
    let backend: Box<dyn Expiry> = store_or_service(sources, policy, true)?;
    Ok(backend)
}

/// The store itself, for verbs the service does not offer.
pub fn local_store(
    sources: &Sources,
    policy: &Policy,
    verb: &str,
) -> anyhow::Result<Box<dyn Store>> {
    match choose(&chosen(sources, None), policy, Role::Passwords)? {
        Source::Local { location, .. } => {
            OPEN_STORE(&location, OpenMode::ReadWrite).context("cannot open store")
        }
        Source::Service(socket) => bail!(
            "`{verb}` works on the store itself, not through the service at {}: run it where the store is, with --db",
            socket.display()
        ),
        Source::Directory(_) => bail!("`{verb}` works on a store, not a directory"),
    }
}

/// The directory the options name, laid over the policy's `[directory]`
/// keys one by one; `None` when no `--directory` is given.
pub fn directory_settings(args: &DirectoryArgs, policy: &Policy) -> Option<DirectorySettings> {
    let url = args.directory.as_ref()?;
    let mut settings = policy.directory.clone();
    let path = |p: &std::path::PathBuf| p.to_string_lossy().into_owned();
    settings.url = Some(url.clone());
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
    Some(settings)
}

/// The target of directory settings, warning of a bind in clear.
///
/// # Errors
///
/// A URL of another scheme, or a password file without a bind DN.
pub fn target(settings: &DirectorySettings) -> anyhow::Result<Target> {
    let target = Target::from_settings(settings)?.context("no directory URL")?;
    if target.protection == Protection::Clear && target.bind_dn.is_some() {
        errln!(
            "warning: binding to {} without TLS ([directory] starttls = false): the bind password crosses the network readable",
            target.url
        );
    }
    Ok(target)
}

/// The directory as a backend.
pub fn directory_backend(target: Target, policy: &Policy, include_disabled: bool) -> Directory {
    Directory::new(target, policy.clone()).include_disabled(include_disabled)
}
