//! The pwpolicy core: an organisation's password policy as pure functions.
//!
//! This crate decides whether a password meets a [`Policy`] (length, "3 of 4"
//! character classes, names), when it expires ([`ExpiryRules`]), and whether it
//! was used before ([`Hasher`], argon2id history). Every other part of pwpolicy
//! (the CLI, the PAM module, the Windows password filter, the store) calls it,
//! so they all give the same answer.
//!
//! What it deliberately does not do: read files, open databases, look at the
//! clock or the environment, or make random numbers. Time, state and salts are
//! passed in; a policy is parsed from TOML text the caller has read.
//!
//! ```
//! use pwpolicy::{Names, Password, Policy};
//!
//! let policy = Policy::default(); // 8+ characters, 3 of 4 classes, no names
//! let names = Names::new("ehagens", "Erin M. Hagens");
//!
//! let verdict = policy.check(&Password::new("erin2024"), &names);
//! assert!(!verdict.is_accepted());
//! for violation in verdict.violations() {
//!     println!("{}: {violation}", violation.code());
//! }
//! // too_few_classes: too few kinds of character: use at least 3 of …
//! // contains_name_part: contains part of the user's full name: …
//!
//! assert!(policy.check(&Password::new("Blue-Kettle-42"), &names).is_accepted());
//! ```
//!
//! Passwords live in [`Password`], which normalises to NFKC, zeroises its
//! buffer on drop and never prints itself.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod accounts;
pub mod audit;
mod describe;
pub use describe::ShownRule;
mod error;
mod expiry;
mod history;
mod normal;
mod policy;
mod printable;
mod reminders;
pub mod rules;
mod secret;
pub mod standards;
mod standing;
mod stem;
mod verdict;

pub use accounts::{
    Account, AccountClass, AccountRules, ClassRules, Coverage, DEFAULT_UID_MAX, DEFAULT_UID_MIN,
    LoginDefs, UidRange,
};
pub use error::Error;
pub use expiry::{ExpiryState, ExpiryStatus};
pub use history::{HASH_LEN, Hasher, HistoryEntry, Prehashed, SALT_LEN, UserSalt};
pub use policy::{
    BannedRules, BreachedRules, DEFAULT_ARGON2_ITERATIONS, DEFAULT_ARGON2_MEMORY_KIB,
    DEFAULT_ARGON2_PARALLELISM, DEFAULT_MAX_AGE_DAYS, DEFAULT_MAX_LENGTH, DEFAULT_MIN_AGE_DAYS,
    DEFAULT_MIN_CLASSES, DEFAULT_MIN_LENGTH, DEFAULT_NOTIFY_DAYS, DEFAULT_WARN_DAYS,
    DEFAULT_WEB_ASSETS, DirectorySettings, ExpiryRules, FilterSettings, GuessabilityRules,
    HistoryRules, MAX_MAX_LENGTH, MIN_MAX_LENGTH, NameCheck, NotifySettings, OnError, PamSettings,
    Policy, QualityRules, Remember, ServiceSettings, StoreSettings, UnknownUser, WebSettings,
};
pub use printable::{html_escape, printable};
pub use reminders::{CREATION_SLACK, Reason, Reminder};
pub use rules::names::Names;
pub use secret::Password;
pub use standards::Profile;
pub use standing::{Record, Standing, State};
pub use stem::{MIN_STEM_CHARS, Stem};
pub use verdict::{CharClass, Verdict, Violation, format_date};
