//! The C API of `include/pwpolicy.h`: a policy handle (with its
//! breached-password list, if it names one), a check, and the names of the
//! violation bits.

use std::ffi::{CStr, c_char, c_int, c_uint};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use pwpolicy::{Names, Password, Policy};

use crate::breached::{HOLD, List};
use crate::codes;
use crate::error::{Error, Status};
use crate::in_force;

/// An opaque policy for C callers: the rules and the list they name.
pub struct PwpolicyPolicy {
    policy: Policy,
    list: Option<List>,
}

impl PwpolicyPolicy {
    /// A policy and its list, which must open now: a C caller that loads a
    /// policy whose list is missing or damaged gets no policy, not one that
    /// quietly screens against nothing.
    fn new(policy: Policy) -> Result<PwpolicyPolicy, Error> {
        let list = List::new(&policy.breached, HOLD, None);
        if let Some(list) = &list {
            list.open()?;
        }
        Ok(PwpolicyPolicy { policy, list })
    }
}

/// The outcome of `pwpolicy_check_utf8`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct PwpolicyResult {
    /// 1 when the password passed, 0 when not.
    pub accepted: c_int,
    /// One `PWPOLICY_V_*` bit per violation.
    pub violations: c_uint,
}

/// The built-in default policy. Free with `pwpolicy_policy_free`.
#[unsafe(no_mangle)]
pub extern "C" fn pwpolicy_policy_default() -> *mut PwpolicyPolicy {
    catch_unwind(|| {
        let policy = PwpolicyPolicy {
            policy: Policy::default(),
            list: None,
        };
        Box::into_raw(Box::new(policy))
    })
    .unwrap_or(std::ptr::null_mut())
}

/// A policy from a TOML file, or NULL with the reason (naming the line, or
/// the breached-password list and what is wrong with it) in `err`
/// (truncated to `err_len` bytes, NUL-terminated; `err` may be NULL). A
/// `[breached] file` is opened here and must be usable.
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
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        if path.is_null() {
            return Err(Error::Null("path"));
        }
        // SAFETY: non-null and NUL-terminated by contract.
        let path = unsafe { CStr::from_ptr(path) }.to_string_lossy();
        PwpolicyPolicy::new(in_force::load(Path::new(&*path))?)
    }))
    .unwrap_or(Err(Error::Internal));
    match outcome {
        Ok(policy) => Box::into_raw(Box::new(policy)),
        Err(e) => {
            // SAFETY: forwarded contract on `err`.
            unsafe { write_c_string(err, err_len, &e.to_string()) };
            std::ptr::null_mut()
        }
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
    // The caller logs or shows it; a path or a value it quotes may hold a
    // line break or an escape.
    let message = pwpolicy::printable(message);
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

/// A C string as UTF-8; NULL is the empty string.
///
/// # Safety
///
/// `p` is NULL or NUL-terminated, and outlives `'a`.
unsafe fn utf8<'a>(p: *const c_char) -> Result<&'a str, Error> {
    if p.is_null() {
        return Ok("");
    }
    // SAFETY: non-null, so NUL-terminated by contract.
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|_| Error::NotUtf8)
}

/// Checks a UTF-8 password, and looks it up in the policy's breached list.
/// Returns 0 (`PWPOLICY_OK`) and fills `out`; -1 (`PWPOLICY_E_NULL`) when an
/// argument is NULL (`user` and `full_name` may be NULL), -2
/// (`PWPOLICY_E_NOT_UTF8`) when a string is not UTF-8, -3
/// (`PWPOLICY_E_INTERNAL`) on an internal error, -4 (`PWPOLICY_E_LIST`) when
/// the list cannot be read; `out` then says "not accepted" with the text
/// rules' violations, so a caller that ignores the code still refuses.
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
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        if policy.is_null() {
            return Err(Error::Null("policy"));
        }
        if password.is_null() {
            return Err(Error::Null("password"));
        }
        if out.is_null() {
            return Err(Error::Null("out"));
        }
        // SAFETY: each is NULL or NUL-terminated, by contract, and lives
        // for the call.
        let (user, full, pw) = unsafe { (utf8(user)?, utf8(full_name)?, utf8(password)?) };
        // SAFETY: `policy` is a live PwpolicyPolicy by contract.
        let PwpolicyPolicy { policy, list } = unsafe { &*policy };
        let mut verdict = policy.check(&Password::new(pw), &Names::new(user, full));
        let screened = list
            .as_ref()
            .map_or(Ok(()), |list| list.screen(&mut verdict, pw));
        let result = PwpolicyResult {
            accepted: c_int::from(screened.is_ok() && verdict.is_accepted()),
            violations: codes::bits(&verdict),
        };
        // SAFETY: `out` is writable by contract.
        unsafe { out.write(result) };
        screened
    }))
    .unwrap_or(Err(Error::Internal));
    Status::of(&outcome).raw()
}

/// The stable code of one `PWPOLICY_V_*` bit (e.g. "too_short"), or NULL.
#[unsafe(no_mangle)]
pub extern "C" fn pwpolicy_violation_name(bit: c_uint) -> *const c_char {
    codes::name(bit).map_or(std::ptr::null(), CStr::as_ptr)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn an_error_cannot_forge_a_line_in_the_callers_log() {
        let dir = tempfile::tempdir().unwrap();
        let message = load(&dir.path().join("policy\nFAKE: accepted\u{1b}[2J.toml")).unwrap_err();
        assert!(
            message.contains("policy\\nFAKE: accepted\\u{1b}[2J"),
            "{message}"
        );
        assert!(!message.contains(['\n', '\u{1b}']), "{message}");
    }

    /// Checks `password` (a C string literal) under `policy`.
    fn check(policy: *const PwpolicyPolicy, password: &CStr) -> (c_int, PwpolicyResult) {
        let mut out = PwpolicyResult::default();
        // SAFETY: a live policy, a NUL-terminated password, a writable result.
        let rc = unsafe {
            pwpolicy_check_utf8(
                policy,
                std::ptr::null(),
                std::ptr::null(),
                password.as_ptr(),
                &mut out,
            )
        };
        (rc, out)
    }

    /// Loads the policy file at `path`: the policy, or the message.
    fn load(path: &Path) -> Result<*mut PwpolicyPolicy, String> {
        let path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        let mut err = [0 as c_char; 512];
        // SAFETY: NUL-terminated path; `err` writable for its length.
        let policy = unsafe { pwpolicy_policy_load(path.as_ptr(), err.as_mut_ptr(), err.len()) };
        if policy.is_null() {
            // SAFETY: written NUL-terminated on failure.
            let message = unsafe { CStr::from_ptr(err.as_ptr()) };
            return Err(message.to_str().unwrap().to_owned());
        }
        Ok(policy)
    }

    #[test]
    fn the_breached_list_from_the_c_api_fails_closed() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("list.pwbf");
        crate::breached::write_filter(&list, &["Summer2024!"], 1);
        let toml = dir.path().join("policy.toml");
        std::fs::write(
            &toml,
            format!("[breached]\nfile = {:?}\n", list.to_str().unwrap()),
        )
        .unwrap();
        let policy = load(&toml).unwrap();
        let (rc, out) = check(policy, c"Summer2024!");
        assert_eq!(
            (rc, out.accepted, out.violations),
            (0, 0, codes::bit("breached"))
        );
        let (rc, out) = check(policy, c"Blue-Kettle-42");
        assert_eq!((rc, out.accepted, out.violations), (0, 1, 0));
        // Replaced by a damaged copy: an error, and "not accepted" for careless callers.
        let mut bytes = std::fs::read(&list).unwrap();
        bytes[4096 + 100] ^= 1;
        let temp = dir.path().join("list.tmp");
        std::fs::write(&temp, &bytes).unwrap();
        std::fs::rename(&temp, &list).unwrap();
        let (rc, out) = check(policy, c"Summer2024!");
        assert_eq!((rc, out.accepted), (Status::List.raw(), 0));
        // SAFETY: from pwpolicy_policy_load, not used again.
        unsafe { pwpolicy_policy_free(policy) };
        // Loading it now fails only when opening reads the damage; a truncated
        // file fails at once, naming the file.
        std::fs::write(&list, &bytes[..4096]).unwrap();
        let message = load(&toml).unwrap_err();
        assert!(
            message.starts_with(&format!(
                "breached-password list {}: truncated",
                list.display()
            )),
            "{message}"
        );
        std::fs::remove_file(&list).unwrap();
        let message = load(&toml).unwrap_err();
        assert!(
            message.starts_with("cannot read breached-password list"),
            "{message}"
        );
    }
}
