//! The one place where what happened becomes a PAM return code.

use std::ffi::c_int;

use pam::constants::PamResultCode;

/// How a call of the module ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done: the password passed, or the account is in good standing.
    Success,
    /// This module has no say (e.g. a feature switched off, or a store error
    /// with `on_error=ignore`).
    Ignore,
    /// The password expired or a change was forced: change it now.
    NewAuthtokRequired,
    /// The user ran out of tries.
    TriesExhausted,
    /// The password was refused, or none could be had.
    Refused,
    /// The policy file or a module argument is wrong.
    ConfigError,
    /// The store could not be reached or read (with `on_error=fail`).
    StoreUnavailable,
    /// libpam or the conversation failed with this (raw) code.
    Pam(c_int),
}

impl Outcome {
    /// The PAM code for this outcome.
    pub fn code(self) -> PamResultCode {
        match self {
            Outcome::Success => PamResultCode::PAM_SUCCESS,
            Outcome::Ignore => PamResultCode::PAM_IGNORE,
            Outcome::NewAuthtokRequired => PamResultCode::PAM_NEW_AUTHTOK_REQD,
            Outcome::TriesExhausted => PamResultCode::PAM_MAXTRIES,
            Outcome::Refused => PamResultCode::PAM_AUTHTOK_ERR,
            Outcome::ConfigError => PamResultCode::PAM_SERVICE_ERR,
            Outcome::StoreUnavailable => PamResultCode::PAM_AUTHINFO_UNAVAIL,
            Outcome::Pam(raw) => code_from_raw(raw),
        }
    }

    /// The outcome a PAM code stands for (the inverse of [`Outcome::code`]).
    pub fn from_code(code: PamResultCode) -> Outcome {
        match code {
            PamResultCode::PAM_SUCCESS => Outcome::Success,
            PamResultCode::PAM_IGNORE => Outcome::Ignore,
            PamResultCode::PAM_NEW_AUTHTOK_REQD => Outcome::NewAuthtokRequired,
            PamResultCode::PAM_MAXTRIES => Outcome::TriesExhausted,
            PamResultCode::PAM_AUTHTOK_ERR => Outcome::Refused,
            PamResultCode::PAM_SERVICE_ERR => Outcome::ConfigError,
            PamResultCode::PAM_AUTHINFO_UNAVAIL => Outcome::StoreUnavailable,
            other => Outcome::Pam(other as c_int),
        }
    }
}

impl From<PamResultCode> for Outcome {
    fn from(code: PamResultCode) -> Outcome {
        Outcome::from_code(code)
    }
}

/// The named code for a raw value; unknown values are `PAM_SYSTEM_ERR`.
pub fn code_from_raw(raw: c_int) -> PamResultCode {
    use PamResultCode::*;
    const CODES: [PamResultCode; 32] = [
        PAM_SUCCESS,
        PAM_OPEN_ERR,
        PAM_SYMBOL_ERR,
        PAM_SERVICE_ERR,
        PAM_SYSTEM_ERR,
        PAM_BUF_ERR,
        PAM_PERM_DENIED,
        PAM_AUTH_ERR,
        PAM_CRED_INSUFFICIENT,
        PAM_AUTHINFO_UNAVAIL,
        PAM_USER_UNKNOWN,
        PAM_MAXTRIES,
        PAM_NEW_AUTHTOK_REQD,
        PAM_ACCT_EXPIRED,
        PAM_SESSION_ERR,
        PAM_CRED_UNAVAIL,
        PAM_CRED_EXPIRED,
        PAM_CRED_ERR,
        PAM_NO_MODULE_DATA,
        PAM_CONV_ERR,
        PAM_AUTHTOK_ERR,
        PAM_AUTHTOK_RECOVERY_ERR,
        PAM_AUTHTOK_LOCK_BUSY,
        PAM_AUTHTOK_DISABLE_AGING,
        PAM_TRY_AGAIN,
        PAM_IGNORE,
        PAM_ABORT,
        PAM_AUTHTOK_EXPIRED,
        PAM_MODULE_UNKNOWN,
        PAM_BAD_ITEM,
        PAM_CONV_AGAIN,
        PAM_INCOMPLETE,
    ];
    usize::try_from(raw)
        .ok()
        .and_then(|i| CODES.into_iter().nth(i))
        .unwrap_or(PAM_SYSTEM_ERR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isomorphy() {
        for raw in 0..=31 {
            assert_eq!(code_from_raw(raw) as c_int, raw, "table order");
            assert_eq!(
                Outcome::from_code(code_from_raw(raw)).code(),
                code_from_raw(raw),
                "code {raw}"
            );
        }
        for outcome in [
            Outcome::Success,
            Outcome::Ignore,
            Outcome::NewAuthtokRequired,
            Outcome::TriesExhausted,
            Outcome::Refused,
            Outcome::ConfigError,
            Outcome::StoreUnavailable,
            Outcome::Pam(PamResultCode::PAM_CONV_ERR as c_int),
        ] {
            assert_eq!(Outcome::from_code(outcome.code()), outcome);
        }
    }
}
