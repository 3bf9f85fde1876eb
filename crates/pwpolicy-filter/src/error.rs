//! The filter's one error type, and the only two places it becomes something
//! a caller across the FFI boundary sees: a C API return code
//! ([`Status::of`]) and the LSA `BOOLEAN` of `PasswordFilter`
//! ([`filter_answer`]).

use std::ffi::c_int;
use std::fmt;
use std::path::PathBuf;

/// Why the filter could not do what it was asked. Never holds a password.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A pointer the call needs is NULL (the field names what it points to).
    Null(&'static str),
    /// A `UNICODE_STRING` whose length in bytes is odd, so not whole UTF-16 units.
    OddLength,
    /// UTF-16 with an unpaired surrogate.
    UnpairedSurrogate,
    /// A C string that is not UTF-8.
    NotUtf8,
    /// The policy file exists but cannot be read.
    CannotRead {
        /// The policy file.
        path: PathBuf,
        /// What the operating system said.
        reason: String,
    },
    /// The policy file is not UTF-8.
    PolicyNotUtf8 {
        /// The policy file.
        path: PathBuf,
    },
    /// The policy file is not a valid policy.
    InvalidPolicy {
        /// The policy file.
        path: PathBuf,
        /// What is wrong, naming the line.
        reason: String,
    },
    /// The policy's breached-password list cannot be used: missing,
    /// unreadable, not a filter, damaged, or built sparser than the policy's
    /// `min_count`. The message names the file and says why.
    BreachedList(String),
    /// The filter itself failed: a panic was caught at the boundary.
    Internal,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Null(what) => write!(f, "{what} is NULL"),
            Error::OddLength => f.write_str("unreadable (odd length in bytes)"),
            Error::UnpairedSurrogate => f.write_str("not valid UTF-16"),
            Error::NotUtf8 => f.write_str("not valid UTF-8"),
            Error::CannotRead { path, reason } => {
                write!(f, "cannot read {}: {reason}", path.display())
            }
            Error::PolicyNotUtf8 { path } => write!(f, "{}: not UTF-8", path.display()),
            Error::InvalidPolicy { path, reason } => write!(f, "{}: {reason}", path.display()),
            Error::BreachedList(message) => f.write_str(message),
            Error::Internal => f.write_str("internal error"),
        }
    }
}

impl std::error::Error for Error {}

/// What a C API function returns: `PWPOLICY_OK` or one of the `PWPOLICY_E_*`
/// codes of `include/pwpolicy.h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `PWPOLICY_OK` (0): done.
    Ok,
    /// `PWPOLICY_E_NULL` (-1): a required argument is NULL.
    Null,
    /// `PWPOLICY_E_NOT_UTF8` (-2): a string is not valid text.
    NotUtf8,
    /// `PWPOLICY_E_INTERNAL` (-3): the library itself failed.
    Internal,
    /// `PWPOLICY_E_LIST` (-4): the breached-password list cannot be read.
    List,
}

impl Status {
    /// Every status, in the header's order.
    pub const ALL: [Status; 5] = [
        Status::Ok,
        Status::Null,
        Status::NotUtf8,
        Status::Internal,
        Status::List,
    ];

    /// The status of an outcome: the one mapping from [`Error`] to the C
    /// API's return codes.
    pub fn of<T>(outcome: &Result<T, Error>) -> Status {
        match outcome {
            Ok(_) => Status::Ok,
            Err(Error::Null(_)) => Status::Null,
            Err(Error::NotUtf8 | Error::OddLength | Error::UnpairedSurrogate) => Status::NotUtf8,
            Err(Error::BreachedList(_)) => Status::List,
            // A policy file's problems reach C callers as a NULL policy and a
            // message (`pwpolicy_policy_load`), never as a code; were one to
            // get here, it would be the library's fault.
            Err(
                Error::Internal
                | Error::CannotRead { .. }
                | Error::PolicyNotUtf8 { .. }
                | Error::InvalidPolicy { .. },
            ) => Status::Internal,
        }
    }

    /// The value a C caller sees.
    pub const fn raw(self) -> c_int {
        match self {
            Status::Ok => 0,
            Status::Null => -1,
            Status::NotUtf8 => -2,
            Status::Internal => -3,
            Status::List => -4,
        }
    }

    /// The status a C value stands for, if any.
    pub const fn from_raw(raw: c_int) -> Option<Status> {
        match raw {
            0 => Some(Status::Ok),
            -1 => Some(Status::Null),
            -2 => Some(Status::NotUtf8),
            -3 => Some(Status::Internal),
            -4 => Some(Status::List),
            _ => None,
        }
    }
}

/// The LSA's `BOOLEAN`.
pub(crate) type Boolean = u8;
/// `TRUE` as LSASS reads it.
pub(crate) const TRUE: Boolean = 1;
/// `FALSE` as LSASS reads it.
pub(crate) const FALSE: Boolean = 0;
/// `STATUS_SUCCESS`: the only `NTSTATUS` the filter returns.
pub(crate) const STATUS_SUCCESS: i32 = 0;

/// What `PasswordFilter` answers LSASS: `TRUE` only for a password that was
/// checked and may be set; `FALSE` for a refusal and for every error, so the
/// filter never lets through what it could not check.
pub(crate) fn filter_answer(outcome: &Result<bool, Error>) -> Boolean {
    match outcome {
        Ok(true) => TRUE,
        Ok(false) | Err(_) => FALSE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::header;

    /// One of each variant, with the status the header documents for it.
    fn one_of_each() -> Vec<(Error, Status)> {
        let path = PathBuf::from("/etc/security/pwpolicy.toml");
        let rows = vec![
            (Error::Null("password"), Status::Null),
            (Error::OddLength, Status::NotUtf8),
            (Error::UnpairedSurrogate, Status::NotUtf8),
            (Error::NotUtf8, Status::NotUtf8),
            (
                Error::CannotRead {
                    path: path.clone(),
                    reason: "permission denied".into(),
                },
                Status::Internal,
            ),
            (
                Error::PolicyNotUtf8 { path: path.clone() },
                Status::Internal,
            ),
            (
                Error::InvalidPolicy {
                    path,
                    reason: "line 3: unknown key `minlen`".into(),
                },
                Status::Internal,
            ),
            (
                Error::BreachedList(
                    "breached-password list /var/lib/pwpolicy/hibp.pwbf: \
                     damaged (data page checksum): rebuild it or copy it again"
                        .into(),
                ),
                Status::List,
            ),
            (Error::Internal, Status::Internal),
        ];
        // Stops compiling when a variant is added without a row above.
        for (error, _) in &rows {
            match error {
                Error::Null(_)
                | Error::OddLength
                | Error::UnpairedSurrogate
                | Error::NotUtf8
                | Error::CannotRead { .. }
                | Error::PolicyNotUtf8 { .. }
                | Error::InvalidPolicy { .. }
                | Error::BreachedList(_)
                | Error::Internal => {}
            }
        }
        rows
    }

    #[test]
    fn isomorphy() {
        for raw in -1000..=1000 {
            if let Some(status) = Status::from_raw(raw) {
                assert_eq!(status.raw(), raw);
            }
        }
        for status in Status::ALL {
            assert_eq!(Status::from_raw(status.raw()), Some(status));
        }
        let known = (-1000..=1000)
            .filter(|&raw| Status::from_raw(raw).is_some())
            .count();
        assert_eq!(known, Status::ALL.len(), "every code is in ALL");
    }

    #[test]
    fn every_error_has_its_documented_code_and_is_never_success() {
        for (error, status) in one_of_each() {
            let outcome: Result<(), Error> = Err(error.clone());
            assert_eq!(Status::of(&outcome), status, "{error:?}");
            assert_ne!(Status::of(&outcome), Status::Ok, "{error:?}");
            assert_eq!(filter_answer(&Err(error.clone())), FALSE, "{error:?}");
        }
        assert_eq!(Status::of(&Ok(())), Status::Ok);
        assert_eq!(filter_answer(&Ok(true)), TRUE);
        assert_eq!(filter_answer(&Ok(false)), FALSE);
    }

    #[test]
    fn messages_are_lowercase_fragments() {
        for (error, _) in one_of_each() {
            let message = error.to_string();
            let first = message.chars().next().unwrap();
            assert!(
                !first.is_uppercase() && !message.ends_with('.'),
                "{message:?}"
            );
        }
        let e = Error::CannotRead {
            path: "/p.toml".into(),
            reason: "No such file or directory (os error 2)".into(),
        };
        assert_eq!(
            e.to_string(),
            "cannot read /p.toml: No such file or directory (os error 2)"
        );
    }

    /// `PWPOLICY_OK` and `PWPOLICY_E_*` in include/pwpolicy.h are exactly the
    /// statuses, with the same values, so C callers and Rust cannot drift.
    #[test]
    fn the_header_return_codes_match_the_statuses() {
        let names = [
            (Status::Ok, "PWPOLICY_OK"),
            (Status::Null, "PWPOLICY_E_NULL"),
            (Status::NotUtf8, "PWPOLICY_E_NOT_UTF8"),
            (Status::Internal, "PWPOLICY_E_INTERNAL"),
            (Status::List, "PWPOLICY_E_LIST"),
        ];
        let defined: Vec<(String, i64)> = header::defines()
            .into_iter()
            .filter(|(name, _)| name == "PWPOLICY_OK" || name.starts_with("PWPOLICY_E_"))
            .collect();
        let expected: Vec<(String, i64)> = names
            .iter()
            .map(|(status, name)| ((*name).to_owned(), i64::from(status.raw())))
            .collect();
        assert_eq!(defined, expected);
        assert_eq!(
            names.map(|(status, _)| status),
            Status::ALL,
            "one name per status"
        );
    }
}
