//! `pwpolicy policy show` and `pwpolicy policy check FILE`.

use std::path::Path;

use anyhow::Context;

use crate::config::{self, DEFAULT_POLICY_PATH};
use crate::{EXIT_ACCEPTED, EXIT_REJECTED};

/// Prints the effective policy as TOML, with where it came from as a comment.
pub fn show(config_path: Option<&Path>) -> anyhow::Result<u8> {
    let loaded = config::load(config_path)?;
    match &loaded.source {
        Some(path) => println!("# effective policy, from {}", path.display()),
        None => println!("# effective policy: built-in default ({DEFAULT_POLICY_PATH} is absent)"),
    }
    let mut policy = loaded.policy;
    // A database URL may carry a password: never print it.
    if let Some(db) = policy.store.db.as_mut() {
        *db = pwpolicy_store::Location::parse(db).to_string();
    }
    print!("{}", policy.to_toml());
    Ok(EXIT_ACCEPTED)
}

/// Validates a policy file; an unreadable file is an error (exit 2), an invalid
/// one a rejection (exit 1) that names the line.
pub fn check(path: &Path) -> anyhow::Result<u8> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read policy file {}", path.display()))?;
    match config::parse(path, &bytes) {
        Ok(_) => {
            println!("{}: valid", path.display());
            Ok(EXIT_ACCEPTED)
        }
        Err(e) => {
            println!("{e:#}");
            Ok(EXIT_REJECTED)
        }
    }
}
