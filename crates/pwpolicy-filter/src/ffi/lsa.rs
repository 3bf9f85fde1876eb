//! The three LSA password-filter exports LSASS calls, and the reading of the
//! `UNICODE_STRING`s it hands over.

use std::panic::{AssertUnwindSafe, catch_unwind};

use zeroize::Zeroizing;

use super::{in_force, log};
use crate::decode;
use crate::error::{Boolean, Error, STATUS_SUCCESS, TRUE, filter_answer};
use crate::report::Level;

/// `UNICODE_STRING`: `length` is in bytes and bounds the text; no
/// terminator is promised.
#[repr(C)]
#[derive(Debug)]
pub struct UnicodeString {
    /// Bytes of text.
    pub length: u16,
    /// Bytes of buffer.
    pub maximum_length: u16,
    /// The UTF-16 text (not necessarily aligned or terminated).
    pub buffer: *const u16,
}

/// Copies the text of `s` into an owned, wiped buffer; `what` names it in
/// an error.
///
/// # Safety
///
/// `s` is null or points to a `UNICODE_STRING` whose `buffer` is null or
/// readable for `length` bytes.
unsafe fn copy_units(
    s: *const UnicodeString,
    what: &'static str,
) -> Result<Zeroizing<Vec<u16>>, Error> {
    if s.is_null() {
        return Err(Error::Null(what));
    }
    // SAFETY: non-null and, by the caller's contract, a valid UNICODE_STRING.
    let s = unsafe { &*s };
    if s.length == 0 {
        return Ok(Zeroizing::new(Vec::new()));
    }
    if s.buffer.is_null() {
        return Err(Error::Null(what));
    }
    if s.length % 2 != 0 {
        return Err(Error::OddLength);
    }
    let count = usize::from(s.length) / 2;
    let mut units = Zeroizing::new(Vec::with_capacity(count));
    for i in 0..count {
        // SAFETY: `buffer` is readable for `length` bytes = `count` units;
        // read_unaligned because LSASS does not promise alignment to us.
        units.push(unsafe { s.buffer.add(i).read_unaligned() });
    }
    Ok(units)
}

/// A name field: malformed or absent names count as empty.
///
/// # Safety
///
/// As [`copy_units`].
unsafe fn name(s: *const UnicodeString) -> String {
    // SAFETY: forwarded contract.
    match unsafe { copy_units(s, "the name") } {
        Ok(units) => decode::name(&units),
        Err(_) => String::new(),
    }
}

/// The password field as text in a wiped buffer.
///
/// # Safety
///
/// As [`copy_units`].
unsafe fn password_text(s: *const UnicodeString) -> Result<Zeroizing<String>, Error> {
    // SAFETY: forwarded contract.
    let units = unsafe { copy_units(s, "the password") }?;
    decode::password(&units)
}

/// Called once when LSASS loads the filter: loads the policy and opens its
/// breached-password list (reporting a broken file or list) and says the
/// filter is ready.
///
/// Always TRUE, even if loading failed: LSASS would otherwise not use the
/// filter at all, and every later call enforces at least the default policy.
#[unsafe(no_mangle)]
pub extern "system" fn InitializeChangeNotify() -> Boolean {
    catch_unwind(|| {
        in_force().check_list();
        TRUE
    })
    .unwrap_or(TRUE)
}

/// Called by LSASS for every password change and reset on the domain:
/// TRUE lets it through, FALSE refuses it.
///
/// A password that cannot be read (null, odd length, unpaired surrogate) is
/// refused, as is everything if the filter itself fails: it never lets
/// through what it could not check.
///
/// # Safety
///
/// Each pointer is null or points to a valid `UNICODE_STRING` whose buffer is
/// readable for its `Length` bytes, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn PasswordFilter(
    account_name: *const UnicodeString,
    full_name: *const UnicodeString,
    password: *const UnicodeString,
    set_operation: u8,
) -> Boolean {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the caller's contract, forwarded.
        let (account, full) = unsafe { (name(account_name), name(full_name)) };
        // SAFETY: the caller's contract, forwarded.
        let checked = unsafe { password_text(password) }
            .map(|text| in_force().decide(&account, &full, &text, set_operation != 0));
        if let Err(e) = &checked {
            log::report(
                Level::Warning,
                &format!("refused a password for {account}: {e}"),
            );
        }
        checked
    }))
    .unwrap_or_else(|_| {
        log::report(
            Level::Error,
            "internal error while checking a password; refused",
        );
        Err(Error::Internal)
    });
    filter_answer(&outcome)
}

/// Called by LSASS after a change was made. Active Directory keeps its own
/// history, so there is nothing to record: `STATUS_SUCCESS`.
///
/// # Safety
///
/// Any pointers; none is read.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn PasswordChangeNotify(
    _user_name: *const UnicodeString,
    _relative_id: u32,
    _new_password: *const UnicodeString,
) -> i32 {
    STATUS_SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FALSE;

    fn us(units: &[u16]) -> UnicodeString {
        UnicodeString {
            length: (units.len() * 2) as u16,
            maximum_length: (units.len() * 2) as u16,
            buffer: units.as_ptr(),
        }
    }

    fn filter(account: &str, full: &str, password: &str) -> u8 {
        let (a, f, p): (Vec<u16>, Vec<u16>, Vec<u16>) = (
            account.encode_utf16().collect(),
            full.encode_utf16().collect(),
            password.encode_utf16().collect(),
        );
        // SAFETY: all three point at live, correctly sized buffers.
        unsafe { PasswordFilter(&us(&a), &us(&f), &us(&p), 0) }
    }

    #[test]
    fn verdicts_through_the_export() {
        assert_eq!(filter("ehagens", "Erin M. Hagens", "Blue-Kettle-42"), TRUE);
        assert_eq!(filter("ehagens", "Erin M. Hagens", "Hagens2024!"), FALSE);
        assert_eq!(filter("", "", "weak"), FALSE);
    }

    #[test]
    fn malformed_strings_do_not_crash() {
        let good: Vec<u16> = "Blue-Kettle-42".encode_utf16().collect();
        let odd = UnicodeString {
            length: 5,
            maximum_length: 6,
            buffer: good.as_ptr(),
        };
        let null_buffer = UnicodeString {
            length: 4,
            maximum_length: 4,
            buffer: std::ptr::null(),
        };
        let surrogate = [
            0x41u16, 0xD800, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x31, 0x21,
        ];
        // SAFETY: every pointer is null or points at a live buffer of at least `length` bytes.
        unsafe {
            assert_eq!(
                PasswordFilter(std::ptr::null(), std::ptr::null(), &us(&good), 0),
                TRUE
            );
            assert_eq!(
                PasswordFilter(std::ptr::null(), std::ptr::null(), std::ptr::null(), 0),
                FALSE
            );
            assert_eq!(
                PasswordFilter(std::ptr::null(), std::ptr::null(), &odd, 0),
                FALSE
            );
            assert_eq!(
                PasswordFilter(std::ptr::null(), std::ptr::null(), &null_buffer, 0),
                FALSE
            );
            assert_eq!(
                PasswordFilter(std::ptr::null(), std::ptr::null(), &us(&surrogate), 0),
                FALSE
            );
            assert_eq!(PasswordFilter(&odd, &null_buffer, &us(&good), 1), TRUE);
            assert_eq!(
                PasswordChangeNotify(std::ptr::null(), 0, std::ptr::null()),
                0
            );
        }
        assert_eq!(InitializeChangeNotify(), TRUE);
    }

    #[test]
    fn unaligned_buffers_are_read_correctly() {
        let text: Vec<u16> = "Blue-Kettle-42".encode_utf16().collect();
        let mut bytes = vec![0u8; 1];
        bytes.extend(text.iter().flat_map(|u| u.to_ne_bytes()));
        let s = UnicodeString {
            length: (text.len() * 2) as u16,
            maximum_length: 0,
            buffer: bytes[1..].as_ptr().cast(),
        };
        // SAFETY: the buffer is live and `length` bytes long (unaligned on purpose).
        let verdict = unsafe { PasswordFilter(std::ptr::null(), std::ptr::null(), &s, 0) };
        assert_eq!(verdict, TRUE);
    }
}
