//! Every raw libpam and libc call pam-bindings does not wrap, each with its
//! `// SAFETY:` reasoning, behind safe functions. The rest of the module is
//! safe Rust.

use std::ffi::{CStr, CString, c_char, c_int, c_void};

use pam::constants::PamResultCode;
use pam::module::PamHandle;

use crate::password::Checked;

/// `PAM_AUTHTOK`, from `<security/_pam_types.h>`.
const PAM_AUTHTOK: c_int = 6;
/// `PAM_PRELIM_CHECK` flag of `pam_sm_chauthtok`.
pub const PAM_PRELIM_CHECK: u32 = 0x4000;
/// `PAM_CHANGE_EXPIRED_AUTHTOK` flag of `pam_chauthtok`: the application
/// (login, sshd, su) forces a change of an expired password.
pub const PAM_CHANGE_EXPIRED_AUTHTOK: u32 = 0x0020;
/// `PAM_UPDATE_AUTHTOK` flag of `pam_sm_chauthtok`.
pub const PAM_UPDATE_AUTHTOK: u32 = 0x2000;

/// syslog priorities (`<syslog.h>`).
#[derive(Debug, Clone, Copy)]
pub enum Priority {
    /// `LOG_ERR`
    Err = 3,
    /// `LOG_WARNING`
    Warning = 4,
    /// `LOG_NOTICE`
    Notice = 5,
    /// `LOG_INFO`
    Info = 6,
    /// `LOG_DEBUG`
    Debug = 7,
}

#[link(name = "pam")]
unsafe extern "C" {
    fn pam_set_item(pamh: *mut PamHandle, item_type: c_int, item: *const c_void) -> c_int;
    fn pam_syslog(pamh: *const PamHandle, priority: c_int, fmt: *const c_char, ...);
}

/// Sets `PAM_AUTHTOK` for the next module, or clears it with `None`.
/// libpam copies the string (and wipes its own copy when replaced).
pub fn set_authtok(pamh: &mut PamHandle, token: Option<&CStr>) -> c_int {
    let ptr = token.map_or(std::ptr::null(), |t| t.as_ptr().cast::<c_void>());
    // SAFETY: `pamh` is the live handle libpam passed to this entry point;
    // `ptr` is null (clear the item) or a NUL-terminated string that outlives
    // the call, which libpam duplicates before returning.
    unsafe { pam_set_item(pamh, PAM_AUTHTOK, ptr) }
}

/// Where the password phase's check leaves what it hashed for the commit
/// entry below it ([`Checked`]); the version keeps two builds of the module
/// in one stack from reading each other's layout.
const CHECKED_KEY: &str = concat!("pwpolicy/checked/", env!("CARGO_PKG_VERSION"));

/// Keeps `checked` in the handle until the transaction ends (`pam_end`
/// drops it, and its password copy is wiped), replacing what was there.
pub fn keep_checked(pamh: &mut PamHandle, checked: Option<Checked>) -> Result<(), PamResultCode> {
    pamh.set_data(CHECKED_KEY, Box::new(checked))
}

/// What [`keep_checked`] left in the handle, if anything.
pub fn checked(pamh: &PamHandle) -> Option<&Checked> {
    // SAFETY: CHECKED_KEY is private to this module and only ever set by
    // `keep_checked`, with an `Option<Checked>` of this very build (the key
    // names the version), so the pointer libpam returns is to that type.
    let data = unsafe { pamh.get_data::<Option<Checked>>(CHECKED_KEY) };
    data.ok().and_then(Option::as_ref)
}

/// Writes one line to syslog (facility authpriv, prefixed with the module
/// name by libpam). Never pass a password here.
pub fn syslog(pamh: &PamHandle, priority: Priority, message: &str) {
    let Ok(message) = CString::new(message.replace('\0', "?")) else {
        return;
    };
    // SAFETY: the handle is live; the format is a constant "%s" and its one
    // argument a NUL-terminated string, so the variadic call reads exactly one
    // `char *`.
    unsafe { pam_syslog(pamh, priority as c_int, c"%s".as_ptr(), message.as_ptr()) }
}

/// The real user id of the calling process (root changing someone's password
/// gets warnings only, unless `enforce_for_root`).
pub fn caller_is_root() -> bool {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() == 0 }
}
