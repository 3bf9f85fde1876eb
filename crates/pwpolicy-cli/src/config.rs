//! The policy file, read as every pwpolicy program reads it.

pub use pwpolicy_backend::policy_file::{DEFAULT_POLICY_PATH, load, load_banned_list, parse};
