//! What the edges of pwpolicy read from the host they run on, in one place.
//!
//! - **Accounts** ([`accounts`], Unix): one account name turned into the
//!   facts the core decides from — uid, groups, full name (GECOS), shadow's
//!   lock and forced change, `UID_MIN`/`UID_MAX` — by NSS, or from a copy of
//!   another host's files; and every account of a host at once, for reports.
//! - **Files** ([`files`], [`policy_file`], [`pepper`], [`breached`]): the
//!   policy file and every file it names, read under one set of trust rules:
//!   the banned and breached lists, the history pepper, a directory's bind
//!   password and CA certificates. `pwpolicy policy check` runs exactly this
//!   loader, so "valid" means every program will load it.
//! - **Formats** ([`passwd`], [`shadow`]): passwd(5), group(5) and shadow(5)
//!   text, parsed without keeping a hash.
//!
//! The core decides ([`pwpolicy::Policy::for_account`],
//! [`pwpolicy::Coverage::standing`]); this crate only looks up and reads.
//! Its portable half (files, the policy loader, the formats) builds on
//! Windows, where the password filter uses it; NSS and the trust rules of
//! `pwpolicy-trust` are Unix's.

#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(unix)]
pub mod accounts;
pub mod breached;
pub mod directory_files;
pub mod files;
#[cfg(unix)]
#[allow(unsafe_code)] // the one FFI module: NSS lookups
mod nss;
pub mod passwd;
pub mod pepper;
mod plainly;
pub mod policy_file;
pub mod shadow;

#[cfg(unix)]
pub use accounts::{Facts, HostAccounts};
pub use breached::Lists;
pub use plainly::{plainly, say};
pub use policy_file::{DEFAULT_POLICY_PATH, LoadedPolicy, PolicyFileError};
