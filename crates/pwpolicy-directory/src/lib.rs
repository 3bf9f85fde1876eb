//! Active Directory's password settings and expiry, from the attribute
//! values an LDAP search returns: pure functions, no sockets (the LDAP
//! client is `pwpolicy-directory-ldap`).
//!
//! - [`Domain`] and [`Pso`]: the domain's and fine-grained password settings.
//! - [`Account`] and [`Expiry`]: a user, and when their password expires.
//! - [`audit()`]: whether the domain's settings enforce a [`pwpolicy::Policy`].
//!
//! ```
//! use pwpolicy_directory::{Account, Domain, Entry};
//!
//! let domain = Domain::from_entry(&Entry::new("DC=example,DC=com", &[
//!     ("minPwdLength", "8"), ("pwdProperties", "1"),
//!     ("maxPwdAge", "-77760000000000"), // 90 days
//!     ("minPwdAge", "-864000000000"), ("pwdHistoryLength", "24"),
//! ]))?;
//! let erin = Account::from_entry(&Entry::new("CN=erin,CN=Users,DC=example,DC=com", &[
//!     ("sAMAccountName", "erin"), ("pwdLastSet", "134405568000000000"), // 2026-12-01
//!     ("userAccountControl", "512"),
//! ]))?;
//! let expiry = erin.expiry(&domain, &[]);
//! assert_eq!(expiry.expires.map(|t| t.date().to_string()), Some("2027-03-01".into()));
//! # Ok::<(), pwpolicy_directory::AttrError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod account;
mod audit;
mod entry;
mod error;
pub mod nttime;
mod settings;

pub use account::{
    Account, Expiry, Governed, UF_ACCOUNTDISABLE, UF_DONT_EXPIRE_PASSWD, UF_SMARTCARD_REQUIRED,
    USER_ATTRS, USER_FILTER,
};
pub use audit::{AD_MAX_HISTORY, audit};
pub use entry::Entry;
pub use error::AttrError;
pub use settings::{
    DOMAIN_ATTRS, DOMAIN_PASSWORD_COMPLEX, DOMAIN_PASSWORD_STORE_CLEARTEXT, Domain, PSO_ATTRS,
    PasswordSettings, Pso,
};
