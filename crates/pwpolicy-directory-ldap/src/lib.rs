//! pwpolicy's LDAP edge: an Active Directory domain's users and password
//! settings, read with ldap3 over TLS (rustls; certificates and names
//! checked, the system's CAs and the administrator's own), in pages.
//!
//! [`Directory`] is a [`pwpolicy_backend::Backend`] for `status` and
//! `report`, and [`Directory::audit`] compares the domain's own settings
//! with the policy. What the attribute values mean is decided in the pure
//! crate `pwpolicy-directory`; this one only fetches them.
//!
//! The bind password is read from its own owner-only file, handed to the
//! bind call and wiped; no error or `Debug` output holds it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod connection;
mod directory;
mod error;
mod password;
mod target;
mod tls;

pub use connection::{Connection, Psos};
pub use directory::Directory;
pub use error::DirectoryError;
pub use target::{Protection, Target};
