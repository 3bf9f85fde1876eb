//! What can be wrong with what a directory sent.

use thiserror::Error;

/// An attribute whose value cannot be read as Active Directory defines it.
/// It names the entry and the attribute; values of password-related
/// attributes are never secret (they are times and counts).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{dn}: attribute `{attr}` {why}")]
pub struct AttrError {
    /// The entry.
    pub dn: String,
    /// The attribute.
    pub attr: &'static str,
    /// What is wrong with it.
    pub why: String,
}

impl AttrError {
    /// The error for `attr` of `dn`.
    pub fn new(dn: &str, attr: &'static str, why: &str) -> AttrError {
        AttrError {
            dn: dn.to_owned(),
            attr,
            why: why.to_owned(),
        }
    }
}
