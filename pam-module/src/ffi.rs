//! Every raw libpam and libc call pam-bindings does not wrap, each with its
//! `// SAFETY:` reasoning, behind safe functions. The rest of the module is
//! safe Rust.

use std::ffi::{CStr, CString, c_char, c_int, c_void};

use pam::module::PamHandle;

/// `PAM_AUTHTOK`, from `<security/_pam_types.h>`.
const PAM_AUTHTOK: c_int = 6;
/// `PAM_PRELIM_CHECK` flag of `pam_sm_chauthtok`.
pub const PAM_PRELIM_CHECK: u32 = 0x4000;
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

/// The GECOS field of `user` from the passwd database (files, LDAP, sssd…),
/// if the user is there.
pub fn gecos(user: &str) -> Option<String> {
    let name = CString::new(user).ok()?;
    let mut buf = vec![0 as c_char; 16 * 1024];
    // SAFETY: `passwd` is plain old data; zeroed is a valid (empty) value.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer refers to a live local of the right type and
    // `buf.len()` is the buffer's real size; getpwnam_r writes only into
    // `pwd` and `buf` and sets `result` to null or to `&pwd`.
    let rc = unsafe {
        libc::getpwnam_r(
            name.as_ptr(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() || pwd.pw_gecos.is_null() {
        return None;
    }
    // SAFETY: on success `pw_gecos` points into `buf`, NUL-terminated, and
    // `buf` is alive until the end of this function.
    let gecos = unsafe { CStr::from_ptr(pwd.pw_gecos) };
    Some(gecos.to_string_lossy().into_owned())
}
