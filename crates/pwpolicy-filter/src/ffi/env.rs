//! Leaf: the environment, as a library loaded into privileged programs
//! should read it. On glibc, `secure_getenv` answers nothing in a setuid or
//! setgid program (or one with capabilities), where the caller controls the
//! environment; elsewhere (Windows: LSASS has no such caller) the plain
//! environment.

use std::ffi::OsString;

/// The variable `name`, unless this process runs with privileges its
/// caller does not have.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn secure_var(name: &str) -> Option<OsString> {
    use std::ffi::{CStr, CString, c_char};
    use std::os::unix::ffi::OsStrExt;
    // glibc 2.17+; the libc crate does not declare it.
    unsafe extern "C" {
        fn secure_getenv(name: *const c_char) -> *mut c_char;
    }
    let name = CString::new(name).ok()?;
    // SAFETY: `name` is NUL-terminated and outlives the call; secure_getenv
    // returns null or a pointer into the environment, which we copy at once
    // (nothing in this library changes the environment).
    let value = unsafe { secure_getenv(name.as_ptr()) };
    if value.is_null() {
        return None;
    }
    // SAFETY: a non-null result is a NUL-terminated string in the environment.
    let bytes = unsafe { CStr::from_ptr(value) }.to_bytes();
    Some(std::ffi::OsStr::from_bytes(bytes).to_owned())
}

/// The variable `name` (no setuid programs to guard against here).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn secure_var(name: &str) -> Option<OsString> {
    std::env::var_os(name)
}
