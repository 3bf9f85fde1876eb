//! Every `unsafe` of the service: the caller's credentials from the kernel,
//! user and group lookups, the socket systemd hands over, and libpam for
//! the PAM change helper ([`pam`]).
#![allow(unsafe_code)]

pub mod pam;

use std::ffi::{CStr, CString, c_char};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::net::{UnixListener, UnixStream};

/// uid and pid of the process at the other end of `stream` (`SO_PEERCRED`).
pub fn peer_cred(stream: &UnixStream) -> std::io::Result<(u32, u32, i32)> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: the fd is a live Unix socket; `cred` and `len` are valid for
    // writes of the sizes given.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&raw mut cred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((cred.uid, cred.gid, cred.pid))
}

/// The name of `uid` in the passwd database.
pub fn user_name(uid: u32) -> Option<String> {
    let mut buf = vec![0 as c_char; 16 * 1024];
    // SAFETY: plain old data; zeroed is a valid empty value.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: all pointers refer to live locals of the right size.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: on success pw_name points into `buf`, NUL-terminated.
    Some(
        unsafe { CStr::from_ptr(pwd.pw_name) }
            .to_string_lossy()
            .into_owned(),
    )
}

/// The gid of group `name`.
pub fn group_gid(name: &str) -> Option<u32> {
    let cname = CString::new(name).ok()?;
    let mut buf = vec![0 as c_char; 64 * 1024];
    // SAFETY: plain old data; zeroed is a valid empty value.
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::group = std::ptr::null_mut();
    // SAFETY: all pointers refer to live locals of the right size.
    let rc = unsafe {
        libc::getgrnam_r(
            cname.as_ptr(),
            &mut grp,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        )
    };
    (rc == 0 && !result.is_null()).then_some(grp.gr_gid)
}

/// Binds a listening socket at `path` created with `mode` (through the
/// umask, so no chmod by path afterwards can be redirected by a symlink).
///
/// # Safety
///
/// Call it before any other thread is started: the umask is process-wide.
pub unsafe fn bind_with_mode(path: &std::path::Path, mode: u32) -> std::io::Result<UnixListener> {
    let mask = !mode & 0o777;
    // SAFETY: umask has no preconditions; no other thread runs (the caller's
    // contract), so nothing else creates files under the changed mask.
    let old = unsafe { libc::umask(mask) };
    let bound = UnixListener::bind(path);
    // SAFETY: as above; restores the mask the process had.
    unsafe { libc::umask(old) };
    bound
}

/// Waits up to `timeout_ms` for `listener` to have a connection to accept.
pub fn wait_for_connection(listener: &UnixListener, timeout_ms: i32) -> bool {
    wait_readable(listener, timeout_ms)
}

/// Waits up to `timeout_ms` for `fd` to be readable (or at its end).
pub fn wait_readable(fd: &impl AsRawFd, timeout_ms: i32) -> bool {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: `pfd` is one valid pollfd for a live descriptor.
    let ready = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
    ready > 0
}

/// The listening socket systemd passed (socket activation), if any.
///
/// # Safety
///
/// Call it once, before any other thread is started: it removes the
/// `LISTEN_*` variables from the environment (not thread-safe) and takes
/// ownership of file descriptor 3, which nothing else may own or close.
pub unsafe fn activated_listener() -> Option<UnixListener> {
    const SD_LISTEN_FDS_START: i32 = 3;
    let pid: u32 = std::env::var("LISTEN_PID").ok()?.parse().ok()?;
    let fds: i32 = std::env::var("LISTEN_FDS").ok()?.parse().ok()?;
    if pid != std::process::id() || fds < 1 {
        return None;
    }
    // Not for our children.
    // SAFETY: removing environment variables before any thread is started.
    unsafe {
        std::env::remove_var("LISTEN_PID");
        std::env::remove_var("LISTEN_FDS");
        std::env::remove_var("LISTEN_FDNAMES");
    }
    // SAFETY: systemd's contract: fd 3 is ours, open, and a listening socket
    // (the unit's ListenStream=); nothing else in this process owns it.
    let listener = unsafe { UnixListener::from_raw_fd(SD_LISTEN_FDS_START) };
    // SAFETY: fcntl on an fd we own.
    unsafe { libc::fcntl(SD_LISTEN_FDS_START, libc::F_SETFD, libc::FD_CLOEXEC) };
    Some(listener)
}

/// Makes glibc's malloc give large blocks (argon2's ~19 MiB) their own
/// mappings, unmapped when freed. By default malloc raises that threshold
/// after the first such free and keeps later blocks in per-thread heaps, so
/// RSS after a burst of checks stayed at its peak.
pub fn return_large_blocks() {
    // SAFETY: mallopt only sets an allocator parameter; 1 MiB is a valid
    // M_MMAP_THRESHOLD (at most HEAP_MAX/2), and a fixed value also turns off
    // the dynamic raise.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}
