//! Active Directory's password settings and expiry, from the attribute
//! values an LDAP search returns: pure functions, no sockets (the LDAP
//! client is `pwpolicy-directory-ldap`).
//!
//! - [`Domain`] and [`Pso`]: the domain's and fine-grained password settings.
//! - [`Account`] and [`Expiry`]: a user, and when their password expires.
//! - [`audit()`]: whether the domain's settings enforce a [`pwpolicy::Policy`].
//! - [`unicode_pwd`] and [`classify_change`]: a user's own password change,
//!   the value it sends and what the DC's answer means.
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
mod change;
mod entry;
mod error;
pub mod nttime;
mod settings;

pub use account::{
    Account, Expiry, Governed, UF_ACCOUNTDISABLE, UF_DONT_EXPIRE_PASSWD, UF_SMARTCARD_REQUIRED,
    USER_ATTRS, USER_FILTER,
};
pub use audit::{AD_MAX_HISTORY, audit};
pub use change::{
    ChangeAnswer, ERROR_ACCOUNT_LOCKED_OUT, ERROR_INVALID_PASSWORD, ERROR_PASSWORD_EXPIRED,
    ERROR_PASSWORD_MUST_CHANGE, ERROR_PASSWORD_RESTRICTION, Refusal, bind_data, classify_change,
    unicode_pwd, windows_error,
};
pub use entry::Entry;
pub use error::AttrError;
pub use settings::{
    DOMAIN_ATTRS, DOMAIN_PASSWORD_COMPLEX, DOMAIN_PASSWORD_STORE_CLEARTEXT, Domain, PSO_ATTRS,
    PasswordSettings, Pso,
};
