//! Finding and reading the policy file.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::Context;
use pwpolicy::Policy;

/// Where the policy lives unless `--config` says otherwise.
pub const DEFAULT_POLICY_PATH: &str = "/etc/security/pwpolicy.toml";

/// The policy and where it came from, for messages.
pub struct LoadedPolicy {
    /// The validated policy.
    pub policy: Policy,
    /// The file it was read from; `None` for the built-in default.
    pub source: Option<PathBuf>,
}

/// Reads the policy from `explicit`, else the default path, else the built-in
/// default. A file named explicitly must exist; a file at the default path that
/// exists but is broken is an error too, never a silent fallback to defaults.
pub fn load(explicit: Option<&Path>) -> anyhow::Result<LoadedPolicy> {
    let path = explicit.unwrap_or(Path::new(DEFAULT_POLICY_PATH));
    match std::fs::read(path) {
        Ok(bytes) => Ok(LoadedPolicy {
            policy: parse(path, &bytes)?,
            source: Some(path.to_owned()),
        }),
        Err(e) if e.kind() == ErrorKind::NotFound && explicit.is_none() => Ok(LoadedPolicy {
            policy: Policy::default(),
            source: None,
        }),
        Err(e) => Err(e).with_context(|| format!("cannot read policy file {}", path.display())),
    }
}

/// Parses policy file contents, naming the file in errors.
pub fn parse(path: &Path, bytes: &[u8]) -> anyhow::Result<Policy> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (byte {})",
            path.display(),
            e.valid_up_to()
        )
    })?;
    Policy::from_toml(text).with_context(|| path.display().to_string())
}
