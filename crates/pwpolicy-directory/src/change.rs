//! A user's own password change in Active Directory, as bytes and answers:
//! the `unicodePwd` value a change sends, and what the DC's answer to it
//! means. No sockets: `pwpolicy-directory-ldap` sends the change.
//!
//! A *change* (not a reset) is one LDAP modify of the user's entry that
//! deletes `unicodePwd` = the current password and adds `unicodePwd` = the
//! new one. The DC checks the current password first (a wrong one counts
//! towards the lockout), then its policy and its password filter or check
//! password script. Its answer is an LDAP result code and a diagnostic
//! that starts with a Windows error code in hex, e.g.
//! `00000056: Constraint violation - check_password_restrictions: The old
//! password specified doesn't match!`.

use std::fmt;

use zeroize::Zeroizing;

/// `ERROR_INVALID_PASSWORD`: the current password is wrong.
pub const ERROR_INVALID_PASSWORD: u32 = 0x56;
/// `ERROR_PASSWORD_RESTRICTION`: the new password breaks the domain's
/// policy (length, complexity, history, minimum age) or its filter.
pub const ERROR_PASSWORD_RESTRICTION: u32 = 0x52D;
/// `ERROR_ACCOUNT_LOCKED_OUT`.
pub const ERROR_ACCOUNT_LOCKED_OUT: u32 = 0x775;
/// `ERROR_PASSWORD_EXPIRED`, in a refused bind's `data 532`.
pub const ERROR_PASSWORD_EXPIRED: u32 = 0x532;
/// `ERROR_PASSWORD_MUST_CHANGE`, in a refused bind's `data 773`.
pub const ERROR_PASSWORD_MUST_CHANGE: u32 = 0x773;

/// LDAP `success`.
const SUCCESS: u32 = 0;
/// LDAP `constraintViolation`.
const CONSTRAINT_VIOLATION: u32 = 19;
/// LDAP `unwillingToPerform`.
const UNWILLING_TO_PERFORM: u32 = 53;

/// The `unicodePwd` value for `password`: the password in double quotes,
/// UTF-16LE, as typed (AD compares what the user types at logon, so it is
/// not normalised). Wiped on drop.
///
/// ```
/// assert_eq!(&pwpolicy_directory::unicode_pwd("ab")[..], b"\"\0a\0b\0\"\0");
/// ```
pub fn unicode_pwd(password: &str) -> Zeroizing<Vec<u8>> {
    // Every UTF-16 unit of the password and the two quotes, two bytes each:
    // sized once, so no reallocation leaves a copy behind.
    let units = password.encode_utf16().count() + 2;
    let mut out = Zeroizing::new(Vec::with_capacity(units * 2));
    for unit in std::iter::once(u16::from(b'"'))
        .chain(password.encode_utf16())
        .chain(std::iter::once(u16::from(b'"')))
    {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

/// Why the DC refused a new password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// Shorter than the domain's minimum length.
    TooShort,
    /// Changed too recently (the domain's minimum age).
    TooRecent,
    /// One of the passwords the domain remembers.
    Reused,
    /// Refused by the complexity rule, a password filter or Samba's check
    /// password script (Samba reports the script's refusal as complexity).
    Complexity,
    /// The policy refused it without saying which rule (Windows DCs).
    Policy,
}

impl Refusal {
    /// A stable name: `too_short`, `too_recent`, `reused`, `complexity`,
    /// `policy`.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::TooShort => "too_short",
            Refusal::TooRecent => "too_recent",
            Refusal::Reused => "reused",
            Refusal::Complexity => "complexity",
            Refusal::Policy => "policy",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refusal::TooShort => "the new password is shorter than the domain allows",
            Refusal::TooRecent => {
                "the password was changed too recently: the domain's minimum age has not passed"
            }
            Refusal::Reused => "the new password is one the domain remembers: choose another",
            Refusal::Complexity => {
                "the new password does not meet the domain's complexity rules or password filter"
            }
            Refusal::Policy => "the new password does not meet the domain's password policy",
        })
    }
}

/// What a DC's answer to a password change means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChangeAnswer {
    /// The password was changed.
    Changed,
    /// The current password is wrong (and the DC counted a bad attempt).
    WrongCurrent,
    /// The account is locked out.
    LockedOut,
    /// The current password was right; the new one was refused.
    Refused(Refusal),
    /// Anything else: the DC's result code and diagnostic say what.
    Other,
}

/// The Windows error code at the start of an AD diagnostic
/// (`0000052D: Constraint violation - …`), if it has one.
pub fn windows_error(diagnostic: &str) -> Option<u32> {
    let hex = diagnostic.trim_start().get(..8)?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

/// The `data NNN` code of a refused bind's diagnostic
/// (`80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext
/// error, data 532, v1db1`): 532 expired, 773 must change, 775 locked out,
/// 52e wrong password.
pub fn bind_data(diagnostic: &str) -> Option<u32> {
    let (_, rest) = diagnostic.split_once("data ")?;
    let hex: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
    u32::from_str_radix(&hex, 16).ok()
}

/// What the DC's answer to a change (LDAP result code `rc`, diagnostic
/// text `diagnostic`) means. Samba and Windows both put the Windows error
/// first; Samba also says which rule refused the password.
pub fn classify_change(rc: u32, diagnostic: &str) -> ChangeAnswer {
    if rc == SUCCESS {
        return ChangeAnswer::Changed;
    }
    if rc != CONSTRAINT_VIOLATION && rc != UNWILLING_TO_PERFORM {
        return ChangeAnswer::Other;
    }
    match windows_error(diagnostic) {
        Some(ERROR_INVALID_PASSWORD) => ChangeAnswer::WrongCurrent,
        Some(ERROR_ACCOUNT_LOCKED_OUT) => ChangeAnswer::LockedOut,
        Some(ERROR_PASSWORD_RESTRICTION) => ChangeAnswer::Refused(refusal(diagnostic)),
        _ => ChangeAnswer::Other,
    }
}

/// Which rule a `0000052D` diagnostic names (Samba's
/// `check_password_restrictions` texts); [`Refusal::Policy`] when none.
fn refusal(diagnostic: &str) -> Refusal {
    let text = diagnostic.to_ascii_lowercase();
    if text.contains("too short") {
        Refusal::TooShort
    } else if text.contains("too young") {
        Refusal::TooRecent
    } else if text.contains("history") || text.contains("already used") {
        Refusal::Reused
    } else if text.contains("complexity") {
        Refusal::Complexity
    } else {
        Refusal::Policy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_pwd_is_quoted_utf16le() {
        assert_eq!(&unicode_pwd("")[..], b"\"\0\"\0");
        assert_eq!(&unicode_pwd("Pw1!")[..], b"\"\0P\0w\x001\0!\0\"\0");
        // Outside the BMP: a surrogate pair, low unit first in each.
        assert_eq!(
            &unicode_pwd("é😀")[..],
            &[0x22, 0, 0xE9, 0, 0x3D, 0xD8, 0x00, 0xDE, 0x22, 0]
        );
        // Not normalised: the ligature stays one unit.
        assert_eq!(
            &unicode_pwd("\u{FB01}")[..],
            &[0x22, 0, 0x01, 0xFB, 0x22, 0]
        );
        let v = unicode_pwd("abc");
        assert_eq!(v.capacity(), v.len(), "no spare copy from a reallocation");
    }

    #[test]
    fn windows_errors_lead_the_diagnostic() {
        assert_eq!(
            windows_error("00000056: Constraint violation - x"),
            Some(0x56)
        );
        assert_eq!(windows_error("0000052D: AtrErr: DSID-1"), Some(0x52D));
        assert_eq!(windows_error("Constraint violation"), None);
        assert_eq!(windows_error("0000"), None);
        assert_eq!(windows_error(""), None);
    }

    #[test]
    fn bind_data_codes() {
        let ad = "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 532, v1db1";
        assert_eq!(bind_data(ad), Some(ERROR_PASSWORD_EXPIRED));
        assert_eq!(
            bind_data("... data 773, v893"),
            Some(ERROR_PASSWORD_MUST_CHANGE)
        );
        assert_eq!(bind_data("data 52e, v1"), Some(0x52E));
        assert_eq!(bind_data("Invalid credentials"), None);
    }

    #[test]
    fn samba_and_windows_answers_are_classified() {
        use ChangeAnswer as A;
        let samba = |rest: &str| {
            format!("0000052D: Constraint violation - check_password_restrictions: {rest}")
        };
        assert_eq!(classify_change(0, ""), A::Changed);
        assert_eq!(
            classify_change(
                19,
                "00000056: Constraint violation - check_password_restrictions: The old password specified doesn't match!"
            ),
            A::WrongCurrent
        );
        // Windows: the same code, its own wording.
        assert_eq!(
            classify_change(
                19,
                "00000056: AtrErr: DSID-03190F80, #1:\n\t0: 00000056: DSID-03190F80, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 9005a (unicodePwd)\n"
            ),
            A::WrongCurrent
        );
        assert_eq!(
            classify_change(19, "00000775: Constraint violation - account locked"),
            A::LockedOut
        );
        let refused = |text: &str| classify_change(19, text);
        assert_eq!(
            refused(&samba(
                "the password is too short. It should be equal or longer than 7 characters!"
            )),
            A::Refused(Refusal::TooShort)
        );
        assert_eq!(
            refused(&samba("password is too young to change!")),
            A::Refused(Refusal::TooRecent)
        );
        assert_eq!(
            refused(&samba("the password was already used (in history)!")),
            A::Refused(Refusal::Reused)
        );
        assert_eq!(
            refused(&samba(
                "the password does not meet the complexity criteria!"
            )),
            A::Refused(Refusal::Complexity)
        );
        assert_eq!(
            refused(
                "0000052D: AtrErr: DSID-03191083, #1: 0: 0000052D: problem 1005 (CONSTRAINT_ATT_TYPE)"
            ),
            A::Refused(Refusal::Policy)
        );
        // No Windows code, or another result: not ours to guess.
        assert_eq!(classify_change(19, "Constraint violation"), A::Other);
        assert_eq!(classify_change(50, "00000056: x"), A::Other);
        assert_eq!(classify_change(32, "no such object"), A::Other);
        assert_eq!(
            classify_change(
                53,
                "0000001F: SvcErr: DSID-031A12D2, problem 5003 (WILL_NOT_PERFORM)"
            ),
            A::Other
        );
    }

    #[test]
    fn refusals_have_stable_codes_and_say_what_to_do() {
        for r in [
            Refusal::TooShort,
            Refusal::TooRecent,
            Refusal::Reused,
            Refusal::Complexity,
            Refusal::Policy,
        ] {
            assert!(!r.code().is_empty());
            assert!(r.to_string().starts_with("the "), "{r}");
        }
    }
}
