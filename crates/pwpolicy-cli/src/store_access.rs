//! The CLI's backend: the one rule of `pwpolicy_backend::choose` applied to
//! `--db`, `--socket` and the policy file, with stores opened by
//! `pwpolicy_store_postgres::open` (SQLite or PostgreSQL) — and the local store itself for the
//! admin verbs the service does not offer.

use anyhow::{Context, bail};
use pwpolicy::Policy;
use pwpolicy_backend::{Backend, Local, Opener, Source, Sources as Chosen, choose};
use pwpolicy_store::{OpenMode, Store};

use crate::args::Sources;

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
