//! pwpolicy's LDAP edge: an Active Directory domain's users and password
//! settings, read with ldap3 over TLS (rustls; certificates and names
//! checked, the system's CAs and the administrator's own), in pages.
//!
//! [`Directory`] is the expiry side of the seam
//! ([`pwpolicy_backend::Expiry`]: `status`, `list`, `report`), and [`Directory::audit`] compares the domain's own settings
//! with the policy. [`Connection::change_password`] (and
//! [`Directory::change_password`]) changes a user's own password as AD
//! does a change (not a reset): [`ChangeError`] says why one did not
//! happen without telling a wrong password from an unknown account. What the attribute values mean is decided in the pure
//! crate `pwpolicy-directory`; this one only fetches them.
//!
//! The bind password is read from its own owner-only file (and the CA file
//! from one nobody else may write) by `pwpolicy-host`'s one loader, handed
//! to the bind call and wiped; no error or `Debug` output holds it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod change;
mod connection;
mod directory;
mod error;
mod target;
mod tls;

pub use change::{ChangeError, DEFAULT_ANSWER_FLOOR};
pub use connection::{Connection, Psos};
pub use directory::Directory;
pub use error::DirectoryError;
pub use pwpolicy_directory::Refusal;
pub use target::{Protection, Target};
