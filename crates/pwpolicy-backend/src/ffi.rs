//! Every `unsafe` of the backend crate: account lookups in the passwd and
//! group databases (NSS), behind safe functions.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_char};

/// What the passwd database says of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdEntry {
    /// The uid.
    pub uid: u32,
    /// The primary gid.
    pub gid: u32,
    /// The GECOS field, whole.
    pub gecos: String,
}

/// Account `name` in the passwd database (files, LDAP, sssd…), if it is there.
pub fn passwd_entry(name: &str) -> Option<PasswdEntry> {
    let cname = CString::new(name).ok()?;
    let mut buf = vec![0 as c_char; 16 * 1024];
    // SAFETY: plain old data; zeroed is a valid empty value.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer refers to a live local of the right type and
    // `buf.len()` is the buffer's real size; getpwnam_r writes only into
    // `pwd` and `buf` and sets `result` to null or to `&pwd`.
    let rc = unsafe {
        libc::getpwnam_r(
            cname.as_ptr(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() {
        return None;
    }
    let gecos = if pwd.pw_gecos.is_null() {
        String::new()
    } else {
        // SAFETY: on success `pw_gecos` points into `buf`, NUL-terminated,
        // and `buf` is alive until the end of this function.
        unsafe { CStr::from_ptr(pwd.pw_gecos) }
            .to_string_lossy()
            .into_owned()
    };
    Some(PasswdEntry {
        uid: pwd.pw_uid,
        gid: pwd.pw_gid,
        gecos,
    })
}

/// The gids of every group user `name` (primary group `primary`) is in.
pub fn group_ids(name: &str, primary: u32) -> Vec<u32> {
    let Ok(cname) = CString::new(name) else {
        return vec![primary];
    };
    let mut groups = vec![0 as libc::gid_t; 64];
    for _ in 0..4 {
        let mut count = groups.len() as libc::c_int;
        // SAFETY: `groups` holds `count` gids; getgrouplist writes at most
        // that many and sets `count` to the number it has (or needs).
        let rc =
            unsafe { libc::getgrouplist(cname.as_ptr(), primary, groups.as_mut_ptr(), &mut count) };
        let count = count.max(0) as usize;
        if rc >= 0 {
            groups.truncate(count);
            return groups;
        }
        groups.resize(count.max(groups.len() * 2), 0);
    }
    vec![primary]
}

/// The name of group `gid`.
pub fn group_name(gid: u32) -> Option<String> {
    let mut buf = vec![0 as c_char; 64 * 1024];
    // SAFETY: plain old data; zeroed is a valid empty value.
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::group = std::ptr::null_mut();
    // SAFETY: all pointers refer to live locals of the right size.
    let rc = unsafe { libc::getgrgid_r(gid, &mut grp, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() || grp.gr_name.is_null() {
        return None;
    }
    // SAFETY: on success gr_name points into `buf`, NUL-terminated.
    Some(
        unsafe { CStr::from_ptr(grp.gr_name) }
            .to_string_lossy()
            .into_owned(),
    )
}

/// The names of every account the passwd database enumerates (files and
/// any NSS source that enumerates; directories usually do not).
pub fn passwd_names() -> Vec<String> {
    let mut names = Vec::new();
    let mut buf = vec![0 as c_char; 16 * 1024];
    // SAFETY: setpwent/getpwent_r/endpwent are called from one thread in
    // sequence; every pointer refers to a live local of the right size.
    unsafe {
        libc::setpwent();
        loop {
            let mut pwd: libc::passwd = std::mem::zeroed();
            let mut result: *mut libc::passwd = std::ptr::null_mut();
            let rc = libc::getpwent_r(&mut pwd, buf.as_mut_ptr(), buf.len(), &mut result);
            if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
                break;
            }
            names.push(CStr::from_ptr(pwd.pw_name).to_string_lossy().into_owned());
        }
        libc::endpwent();
    }
    names
}

/// What the shadow database (NSS: `/etc/shadow` for files) says of `name`,
/// when this process may read it: (locked, `sp_lstchg`, -1 when empty). The
/// buffer that held the hash is wiped before returning.
pub fn shadow_entry(name: &str) -> Option<(bool, i64)> {
    let cname = CString::new(name).ok()?;
    let mut buf = zeroize::Zeroizing::new(vec![0 as c_char; 16 * 1024]);
    // SAFETY: plain old data; zeroed is a valid empty value.
    let mut spwd: libc::spwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::spwd = std::ptr::null_mut();
    // SAFETY: every pointer refers to a live local of the right type and
    // `buf.len()` is the buffer's real size; getspnam_r writes only into
    // `spwd` and `buf` and sets `result` to null or to `&spwd`.
    let rc = unsafe {
        libc::getspnam_r(
            cname.as_ptr(),
            &mut spwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() {
        return None;
    }
    let locked = !spwd.sp_pwdp.is_null() && {
        // SAFETY: on success `sp_pwdp` points into `buf`, NUL-terminated.
        let first = unsafe { *spwd.sp_pwdp } as u8;
        first == b'!' || first == b'*'
    };
    Some((locked, spwd.sp_lstchg))
}
