//! Every `unsafe` of this crate: account lookups in the passwd, group and
//! shadow databases (NSS), behind safe functions.

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

/// The largest buffer an enumeration grows to for one entry (a group with
/// tens of thousands of members).
const MAX_BUFFER: usize = 16 << 20;

/// One account of the passwd database, enumerated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdRow {
    /// The account name.
    pub name: String,
    /// The rest of its entry.
    pub entry: PasswdEntry,
}

/// Every account the passwd database enumerates (files and any NSS source
/// that enumerates; directories usually do not), in its order.
pub fn passwd_all() -> Vec<PasswdRow> {
    let mut rows = Vec::new();
    let mut buf = vec![0 as c_char; 16 * 1024];
    // SAFETY: setpwent/getpwent_r/endpwent are called from one thread in
    // sequence (the enumeration state is per process: callers do not
    // enumerate concurrently); every pointer refers to a live local of the
    // right size, and the strings read point into `buf`, NUL-terminated.
    unsafe {
        libc::setpwent();
        loop {
            let mut pwd: libc::passwd = std::mem::zeroed();
            let mut result: *mut libc::passwd = std::ptr::null_mut();
            let rc = libc::getpwent_r(&mut pwd, buf.as_mut_ptr(), buf.len(), &mut result);
            // glibc keeps its place on ERANGE: the same entry comes again.
            if rc == libc::ERANGE && buf.len() < MAX_BUFFER {
                buf.resize(buf.len() * 2, 0);
                continue;
            }
            if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
                break;
            }
            let text = |p: *const c_char| {
                if p.is_null() {
                    String::new()
                } else {
                    CStr::from_ptr(p).to_string_lossy().into_owned()
                }
            };
            rows.push(PasswdRow {
                name: text(pwd.pw_name),
                entry: PasswdEntry {
                    uid: pwd.pw_uid,
                    gid: pwd.pw_gid,
                    gecos: text(pwd.pw_gecos),
                },
            });
        }
        libc::endpwent();
    }
    rows
}

/// One group of the group database, enumerated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    /// The group's name.
    pub name: String,
    /// Its gid.
    pub gid: u32,
    /// Its supplementary members, by name.
    pub members: Vec<String>,
}

/// Every group the group database enumerates.
pub fn group_all() -> Vec<GroupRow> {
    let mut rows = Vec::new();
    let mut buf = vec![0 as c_char; 256 * 1024];
    // SAFETY: as in `passwd_all`; `gr_mem` is a NULL-terminated array of
    // NUL-terminated strings in `buf`.
    unsafe {
        libc::setgrent();
        loop {
            let mut grp: libc::group = std::mem::zeroed();
            let mut result: *mut libc::group = std::ptr::null_mut();
            let rc = libc::getgrent_r(&mut grp, buf.as_mut_ptr(), buf.len(), &mut result);
            if rc == libc::ERANGE && buf.len() < MAX_BUFFER {
                buf.resize(buf.len() * 2, 0);
                continue;
            }
            if rc != 0 || result.is_null() || grp.gr_name.is_null() {
                break;
            }
            let mut members = Vec::new();
            let mut member = grp.gr_mem;
            while !member.is_null() && !(*member).is_null() {
                members.push(CStr::from_ptr(*member).to_string_lossy().into_owned());
                member = member.add(1);
            }
            rows.push(GroupRow {
                name: CStr::from_ptr(grp.gr_name).to_string_lossy().into_owned(),
                gid: grp.gr_gid,
                members,
            });
        }
        libc::endgrent();
    }
    rows
}

/// What the shadow database says of every account it enumerates, when
/// this process may read it (root): (name, locked, `sp_lstchg`). The buffer
/// that held the hashes is wiped before returning.
pub fn shadow_all() -> Vec<(String, bool, i64)> {
    let mut rows = Vec::new();
    let mut buf = zeroize::Zeroizing::new(vec![0 as c_char; 16 * 1024]);
    // SAFETY: as in `passwd_all`; `sp_pwdp` points into `buf`.
    unsafe {
        libc::setspent();
        loop {
            let mut spwd: libc::spwd = std::mem::zeroed();
            let mut result: *mut libc::spwd = std::ptr::null_mut();
            let rc = libc::getspent_r(&mut spwd, buf.as_mut_ptr(), buf.len(), &mut result);
            if rc == libc::ERANGE && buf.len() < MAX_BUFFER {
                // Grown in place: the old contents are wiped with the new.
                let mut bigger = zeroize::Zeroizing::new(vec![0 as c_char; buf.len() * 2]);
                std::mem::swap(&mut buf, &mut bigger);
                continue;
            }
            if rc != 0 || result.is_null() || spwd.sp_namp.is_null() {
                break;
            }
            let locked = !spwd.sp_pwdp.is_null() && matches!(*spwd.sp_pwdp as u8, b'!' | b'*');
            rows.push((
                CStr::from_ptr(spwd.sp_namp).to_string_lossy().into_owned(),
                locked,
                spwd.sp_lstchg,
            ));
        }
        libc::endspent();
    }
    rows
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
