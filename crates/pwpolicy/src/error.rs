//! The one error type of the core crate.

use thiserror::Error;

/// Everything that can go wrong in the core: a policy that does not parse or
/// makes no sense, a history entry that cannot be read, a hash that cannot be
/// computed. No variant ever holds a password.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// The policy text is not valid TOML, has an unknown key, or a value of the wrong type.
    #[error("policy file line {line}, column {column}: {message}")]
    PolicySyntax {
        /// 1-based line of the offending text.
        line: usize,
        /// 1-based column (in characters) of the offending text.
        column: usize,
        /// What is wrong, as the TOML parser puts it.
        message: String,
    },
    /// A policy value is out of range or contradicts another value.
    #[error("{}`{key}`: {message}", line.map(|l| format!("policy file line {l}: ")).unwrap_or_default())]
    PolicyInvalid {
        /// 1-based line of the key, when the policy came from text.
        line: Option<usize>,
        /// The key, as `section.name`.
        key: &'static str,
        /// Why the value is refused and what is allowed.
        message: String,
    },
    /// A banned-word list has a line that is not a word.
    #[error("banned-word list line {line}: {message}")]
    BannedList {
        /// 1-based line.
        line: usize,
        /// What is wrong with it (never the line itself: it may be long).
        message: String,
    },
    /// A stored history entry is not an argon2 PHC string this crate can verify.
    #[error("history entry {index}: {reason}")]
    BadHistoryEntry {
        /// Position of the entry in the list that was handed in.
        index: usize,
        /// What is wrong with it (never the entry's hash).
        reason: String,
    },
    /// argon2 refused the parameters or the input.
    #[error("password hashing failed: {0}")]
    Hashing(String),
}
