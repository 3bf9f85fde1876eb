//! `pwpolicyfilt`: the organisation's password policy for Active Directory
//! domain controllers (an LSA password filter, `pwpolicyfilt.dll`) and for any
//! C program (`libpwpolicyfilt.so`, `include/pwpolicy.h`).
//!
//! LSASS calls `PasswordFilter` for every password change and reset on the
//! domain; this library answers with exactly the verdict of the pwpolicy core,
//! so Windows and Linux enforce one policy. It runs inside LSASS as SYSTEM, so
//! it never panics across the boundary, never blocks on anything but a
//! `stat` of its policy file and a lookup in its breached-password list (a
//! `stat`, or on Windows an open, and two page reads), keeps no password
//! after returning (copies are wiped), and never refuses less than the
//! built-in default policy: a missing file means the default, a broken one
//! is reported and the default enforced. A breached-password list that
//! cannot be read refuses the change, or with `[filter] on_error = "ignore"`
//! is skipped; either is reported.
//!
//! What it does not do: keep password history (Active Directory does) or
//! hash passwords, so a check costs microseconds (plus the list's two page
//! reads when they are not in memory).
//!
//! The policy file is `PWPOLICY_CONFIG`, else the registry value
//! `HKLM\SOFTWARE\pwpolicy\ConfigPath`, else
//! `%ProgramData%\pwpolicy\pwpolicy.toml`; it is re-read when it changes.
//!
//! ```
//! use std::ffi::CStr;
//! use pwpolicyfilt::ffi::{
//!     PwpolicyResult, pwpolicy_check_utf8, pwpolicy_policy_default, pwpolicy_policy_free,
//!     pwpolicy_violation_name,
//! };
//!
//! let policy = pwpolicy_policy_default();
//! let mut result = PwpolicyResult::default();
//! // SAFETY: a policy from this library, NUL-terminated strings, a writable result.
//! let rc = unsafe {
//!     pwpolicy_check_utf8(policy, c"ehagens".as_ptr(), c"Erin M. Hagens".as_ptr(),
//!                         c"Hagens2024!".as_ptr(), &mut result)
//! };
//! assert_eq!((rc, result.accepted), (0, 0));
//! // SAFETY: a non-NULL answer is a static NUL-terminated string.
//! let code = unsafe { CStr::from_ptr(pwpolicy_violation_name(result.violations)) };
//! assert_eq!(code, c"contains_name_part");
//! // SAFETY: made by pwpolicy_policy_default and not used again.
//! unsafe { pwpolicy_policy_free(policy) };
//! ```
//!
//! Layers, each depending only on those below it: the exports ([`ffi`]: the
//! LSA entry points and the C API, with the registry and event-log calls as
//! leaves beneath them) → the policy in force (`in_force.rs`: which policy applies, what
//! the filter decides), the violation-code table and the UTF-16 decoding → the
//! breached-password list (how long its file stays open) → the pwpolicy
//! core, pwpolicy-breach and pwpolicy-breach-file. Every `unsafe` is in
//! [`ffi`].

#![deny(unsafe_code)]
#![warn(missing_docs)]

mod breached;
mod codes;
mod decode;
mod error;
#[allow(unsafe_code)] // the one FFI module: exports, raw pointers, Windows calls
pub mod ffi;
mod in_force;
mod report;

pub use error::{Error, Status};
pub use in_force::CONFIG_ENV;
