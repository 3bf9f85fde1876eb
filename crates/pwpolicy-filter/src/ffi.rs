//! Every `unsafe` of the filter: the three LSA exports, the C API, and the
//! Windows registry and event-log calls. Each entry point copies its input
//! into owned, wiped buffers at once, runs safe code under `catch_unwind`, and
//! never lets a panic cross into LSASS or a C caller.

use std::ffi::{CStr, c_char, c_int, c_uint};
use std::panic::{AssertUnwindSafe, catch_unwind};

use pwpolicy::{Password, Policy, Violation};
use zeroize::Zeroizing;

use crate::decode;
use crate::engine::{decide, engine};
use crate::report::{Level, report};

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

/// What is wrong with a `UNICODE_STRING`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Malformed {
    Null,
    OddLength,
}

/// Copies the text of `s` into an owned, wiped buffer.
///
/// # Safety
///
/// `s` is null or points to a `UNICODE_STRING` whose `buffer` is null or
/// readable for `length` bytes.
unsafe fn copy_units(s: *const UnicodeString) -> Result<Zeroizing<Vec<u16>>, Malformed> {
    if s.is_null() {
        return Err(Malformed::Null);
    }
    // SAFETY: non-null and, by the caller's contract, a valid UNICODE_STRING.
    let s = unsafe { &*s };
    if s.length == 0 {
        return Ok(Zeroizing::new(Vec::new()));
    }
    if s.buffer.is_null() {
        return Err(Malformed::Null);
    }
    if s.length % 2 != 0 {
        return Err(Malformed::OddLength);
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
    match unsafe { copy_units(s) } {
        Ok(units) => decode::name(&units),
        Err(_) => String::new(),
    }
}

const TRUE: u8 = 1;
const FALSE: u8 = 0;

/// Called once when LSASS loads the filter: loads the policy (reporting a
/// broken file) and says the filter is ready.
#[unsafe(no_mangle)]
pub extern "system" fn InitializeChangeNotify() -> u8 {
    catch_unwind(|| {
        let _ = engine().policy();
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
) -> u8 {
    let result = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the caller's contract, forwarded.
        let (account, full) = unsafe { (name(account_name), name(full_name)) };
        // SAFETY: the caller's contract, forwarded.
        let units = match unsafe { copy_units(password) } {
            Ok(units) => units,
            Err(why) => {
                report(
                    Level::Warning,
                    &format!("refused a password for {account}: unreadable ({why:?})"),
                );
                return FALSE;
            }
        };
        let Ok(text) = decode::password(&units) else {
            report(
                Level::Warning,
                &format!("refused a password for {account}: not valid UTF-16"),
            );
            return FALSE;
        };
        let password = Password::new(&text);
        let policy = engine().policy();
        if decide(&policy, &account, &full, &password, set_operation != 0) {
            TRUE
        } else {
            FALSE
        }
    }));
    result.unwrap_or_else(|_| {
        report(
            Level::Error,
            "internal error while checking a password; refused",
        );
        FALSE
    })
}

/// Called by LSASS after a change was made. Active Directory keeps its own
/// history, so there is nothing to record: success.
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
    0 // STATUS_SUCCESS
}

// ---------------------------------------------------------------------------
// The C API (include/pwpolicy.h).

/// An opaque policy for C callers.
pub struct PwpolicyPolicy(Policy);

/// The outcome of `pwpolicy_check_utf8`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct PwpolicyResult {
    /// 1 when the password passed, 0 when not.
    pub accepted: c_int,
    /// One `PWPOLICY_V_*` bit per violation.
    pub violations: c_uint,
}

/// The stable codes, in bit order (`1 << i`).
const CODES: [&CStr; 9] = [
    c"too_short",
    c"too_long",
    c"too_few_classes",
    c"contains_account_name",
    c"contains_name_part",
    c"reused",
    c"too_recent",
    c"breached",
    c"too_guessable",
];

fn bit(v: &Violation) -> c_uint {
    CODES
        .iter()
        .position(|c| c.to_bytes() == v.code().as_bytes())
        .map_or(0, |i| 1 << i)
}

/// The built-in default policy. Free with `pwpolicy_policy_free`.
#[unsafe(no_mangle)]
pub extern "C" fn pwpolicy_policy_default() -> *mut PwpolicyPolicy {
    catch_unwind(|| Box::into_raw(Box::new(PwpolicyPolicy(Policy::default()))))
        .unwrap_or(std::ptr::null_mut())
}

/// A policy from a TOML file, or NULL with the reason (naming the line) in
/// `err` (truncated to `err_len` bytes, NUL-terminated; `err` may be NULL).
///
/// # Safety
///
/// `path` is a NUL-terminated string; `err` is NULL or writable for `err_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pwpolicy_policy_load(
    path: *const c_char,
    err: *mut c_char,
    err_len: usize,
) -> *mut PwpolicyPolicy {
    let result = catch_unwind(AssertUnwindSafe(|| {
        if path.is_null() {
            return Err("path is NULL".to_owned());
        }
        // SAFETY: non-null and NUL-terminated by contract.
        let path = unsafe { CStr::from_ptr(path) }
            .to_string_lossy()
            .into_owned();
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
        Policy::from_toml(&text).map_err(|e| format!("{path}: {e}"))
    }));
    match result {
        Ok(Ok(policy)) => Box::into_raw(Box::new(PwpolicyPolicy(policy))),
        Ok(Err(message)) => {
            // SAFETY: forwarded contract on `err`.
            unsafe { write_c_string(err, err_len, &message) };
            std::ptr::null_mut()
        }
        Err(_) => std::ptr::null_mut(),
    }
}

/// Copies `message` into `out` (at most `len` bytes, NUL-terminated).
///
/// # Safety
///
/// `out` is NULL or writable for `len` bytes.
unsafe fn write_c_string(out: *mut c_char, len: usize, message: &str) {
    if out.is_null() || len == 0 {
        return;
    }
    let bytes = message.as_bytes();
    let n = bytes.len().min(len - 1);
    // SAFETY: `out` is writable for `len` bytes and `n + 1 <= len`.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr().cast::<c_char>(), out, n);
        *out.add(n) = 0;
    }
}

/// Frees a policy (NULL is ignored).
///
/// # Safety
///
/// `policy` is NULL or came from `pwpolicy_policy_default`/`_load` and is not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pwpolicy_policy_free(policy: *mut PwpolicyPolicy) {
    if !policy.is_null() {
        // SAFETY: made by Box::into_raw above and freed once, by contract.
        drop(unsafe { Box::from_raw(policy) });
    }
}

/// Checks a UTF-8 password. Returns 0 and fills `out`; -1 when an argument is
/// NULL (`user` and `full_name` may be NULL), -2 when a string is not UTF-8,
/// -3 on an internal error.
///
/// # Safety
///
/// `policy` came from this library; the strings are NULL or NUL-terminated;
/// `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pwpolicy_check_utf8(
    policy: *const PwpolicyPolicy,
    user: *const c_char,
    full_name: *const c_char,
    password: *const c_char,
    out: *mut PwpolicyResult,
) -> c_int {
    catch_unwind(AssertUnwindSafe(|| {
        if policy.is_null() || password.is_null() || out.is_null() {
            return -1;
        }
        let text = |p: *const c_char| -> Result<&str, ()> {
            if p.is_null() {
                return Ok("");
            }
            // SAFETY: non-null strings are NUL-terminated by contract.
            unsafe { CStr::from_ptr(p) }.to_str().map_err(|_| ())
        };
        let (Ok(user), Ok(full), Ok(pw)) = (text(user), text(full_name), text(password)) else {
            return -2;
        };
        // SAFETY: `policy` is a live PwpolicyPolicy by contract.
        let policy = unsafe { &(*policy).0 };
        let verdict = policy.check(&Password::new(pw), &pwpolicy::Names::new(user, full));
        let result = PwpolicyResult {
            accepted: c_int::from(verdict.is_accepted()),
            violations: verdict.violations().iter().map(bit).fold(0, |a, b| a | b),
        };
        // SAFETY: `out` is writable by contract.
        unsafe { out.write(result) };
        0
    }))
    .unwrap_or(-3)
}

/// The stable code of one `PWPOLICY_V_*` bit (e.g. "too_short"), or NULL.
#[unsafe(no_mangle)]
pub extern "C" fn pwpolicy_violation_name(bit: c_uint) -> *const c_char {
    if bit.count_ones() != 1 {
        return std::ptr::null();
    }
    CODES
        .get(bit.trailing_zeros() as usize)
        .map_or(std::ptr::null(), |c| c.as_ptr())
}

// ---------------------------------------------------------------------------
// Windows: the registry and the event log.

/// `HKLM\SOFTWARE\pwpolicy\ConfigPath`, if set.
#[cfg(windows)]
pub fn registry_config_path() -> Option<std::path::PathBuf> {
    use std::os::windows::ffi::OsStringExt;
    use windows_sys::Win32::System::Registry::{HKEY_LOCAL_MACHINE, RRF_RT_REG_SZ, RegGetValueW};
    let key: Vec<u16> = "SOFTWARE\\pwpolicy\0".encode_utf16().collect();
    let value: Vec<u16> = "ConfigPath\0".encode_utf16().collect();
    let mut buf = vec![0u16; 1024];
    let mut size = (buf.len() * 2) as u32;
    // SAFETY: key and value names are NUL-terminated; `buf` is writable for
    // `size` bytes, which RegGetValueW updates to the bytes written.
    let rc = unsafe {
        RegGetValueW(
            HKEY_LOCAL_MACHINE,
            key.as_ptr(),
            value.as_ptr(),
            RRF_RT_REG_SZ,
            std::ptr::null_mut(),
            buf.as_mut_ptr().cast(),
            &mut size,
        )
    };
    if rc != 0 {
        return None;
    }
    let units = (size as usize / 2).min(buf.len());
    let text = &buf[..units];
    let text = text.split(|&u| u == 0).next().unwrap_or(&[]);
    (!text.is_empty()).then(|| std::ffi::OsString::from_wide(text).into())
}

/// Writes one event to the Application log, source "pwpolicyfilt".
#[cfg(windows)]
pub fn event_log(level: Level, message: &str) {
    use windows_sys::Win32::System::EventLog::{
        DeregisterEventSource, EVENTLOG_ERROR_TYPE, EVENTLOG_INFORMATION_TYPE,
        EVENTLOG_WARNING_TYPE, RegisterEventSourceW, ReportEventW,
    };
    let source: Vec<u16> = "pwpolicyfilt\0".encode_utf16().collect();
    let text: Vec<u16> = message.encode_utf16().chain(std::iter::once(0)).collect();
    let kind = match level {
        Level::Info => EVENTLOG_INFORMATION_TYPE,
        Level::Warning => EVENTLOG_WARNING_TYPE,
        Level::Error => EVENTLOG_ERROR_TYPE,
    };
    // SAFETY: `source` is NUL-terminated; a null server name means this machine.
    let handle = unsafe { RegisterEventSourceW(std::ptr::null(), source.as_ptr()) };
    if handle.is_null() {
        return;
    }
    let strings = [text.as_ptr()];
    // SAFETY: `handle` is a live event source; one NUL-terminated string is
    // passed, as `wNumStrings = 1` says; no raw data.
    unsafe {
        ReportEventW(
            handle,
            kind,
            0,
            1,
            std::ptr::null_mut(),
            1,
            0,
            strings.as_ptr(),
            std::ptr::null(),
        );
        DeregisterEventSource(handle);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn c_api() {
        let policy = pwpolicy_policy_default();
        let mut out = PwpolicyResult::default();
        // SAFETY: valid policy, NUL-terminated strings, writable result.
        let rc = unsafe {
            pwpolicy_check_utf8(
                policy,
                c"erin".as_ptr(),
                c"Erin Hagens".as_ptr(),
                c"erin".as_ptr(),
                &mut out,
            )
        };
        assert_eq!((rc, out.accepted), (0, 0));
        let names: Vec<&str> = (0..9)
            .filter(|i| out.violations & (1 << i) != 0)
            .map(|i| {
                // SAFETY: non-null results are static NUL-terminated strings.
                let name = unsafe { CStr::from_ptr(pwpolicy_violation_name(1 << i)) };
                name.to_str().unwrap()
            })
            .collect();
        assert_eq!(
            names,
            [
                "too_short",
                "too_few_classes",
                "contains_account_name",
                "contains_name_part"
            ]
        );
        // SAFETY: as above; invalid UTF-8 and NULL arguments are refused.
        unsafe {
            assert_eq!(
                pwpolicy_check_utf8(
                    policy,
                    std::ptr::null(),
                    std::ptr::null(),
                    c"\xff".as_ptr(),
                    &mut out
                ),
                -2
            );
            assert_eq!(
                pwpolicy_check_utf8(
                    policy,
                    std::ptr::null(),
                    std::ptr::null(),
                    std::ptr::null(),
                    &mut out
                ),
                -1
            );
            pwpolicy_policy_free(policy);
        }
        assert!(pwpolicy_violation_name(3).is_null());
        let mut err = [0 as c_char; 128];
        // SAFETY: NUL-terminated path; `err` writable for its length.
        let bad = unsafe {
            pwpolicy_policy_load(
                c"/nonexistent/policy.toml".as_ptr(),
                err.as_mut_ptr(),
                err.len(),
            )
        };
        assert!(bad.is_null());
        // SAFETY: written NUL-terminated above.
        let message = unsafe { CStr::from_ptr(err.as_ptr()) };
        assert!(message.to_str().unwrap().contains("cannot read"));
    }
}
