//! The policy file, read as every pwpolicy program reads it.

pub use pwpolicy_host::policy_file::{DEFAULT_POLICY_PATH, load, verify_named_files};
