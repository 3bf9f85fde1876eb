//! `pwpolicyfilt`: the organisation's password policy for Active Directory
//! domain controllers (an LSA password filter, `pwpolicyfilt.dll`) and for any
//! C program (`libpwpolicyfilt.so`, `include/pwpolicy.h`).
//!
//! LSASS calls `PasswordFilter` for every password change and reset on the
//! domain; this library answers with exactly the verdict of the pwpolicy core,
//! so Windows and Linux enforce one policy. It runs inside LSASS as SYSTEM, so
//! it never panics across the boundary, never blocks on anything but a
//! `stat` of its policy file, keeps no password after returning (copies are
//! wiped), and never refuses less than the built-in default policy: a missing
//! file means the default, a broken one is reported and the default enforced.
//!
//! What it does not do: keep password history (Active Directory does) or
//! hash anything, so a check costs microseconds.
//!
//! The policy file is `PWPOLICY_CONFIG`, else the registry value
//! `HKLM\SOFTWARE\pwpolicy\ConfigPath`, else
//! `%ProgramData%\pwpolicy\pwpolicy.toml`; it is re-read when it changes.

#![warn(missing_docs)]

mod decode;
mod engine;
pub mod ffi;
mod report;

pub use engine::CONFIG_ENV;
