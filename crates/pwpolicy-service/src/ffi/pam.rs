//! libpam as an application calls it (hand-written, as the tests'
//! `pam_driver` does: the workspace links `-lpam` itself rather than take a
//! binding crate for five functions), for the PAM change helper only: one
//! transaction at a time in a single-threaded process.
//!
//! The conversation callback asks a safe [`Converse`]; every reply is copied
//! into memory libpam owns and frees (modules wipe it first with
//! `_pam_overwrite`); our own copies are [`Zeroizing`].

use std::ffi::{CStr, CString, c_char, c_int, c_void};

use zeroize::Zeroizing;

/// `PAM_SUCCESS`.
pub const SUCCESS: c_int = 0;
/// `PAM_PERM_DENIED`.
pub const PERM_DENIED: c_int = 6;
/// `PAM_AUTH_ERR`.
pub const AUTH_ERR: c_int = 7;
/// `PAM_CRED_INSUFFICIENT`.
pub const CRED_INSUFFICIENT: c_int = 8;
/// `PAM_USER_UNKNOWN`.
pub const USER_UNKNOWN: c_int = 10;
/// `PAM_MAXTRIES`.
pub const MAXTRIES: c_int = 11;
/// `PAM_NEW_AUTHTOK_REQD`: the account phase says the password must change.
pub const NEW_AUTHTOK_REQD: c_int = 12;
/// `PAM_CONV_ERR`.
pub const CONV_ERR: c_int = 19;
const BUF_ERR: c_int = 5;

/// `PAM_DISALLOW_NULL_AUTHTOK`: an empty password never authenticates.
pub const DISALLOW_NULL_AUTHTOK: c_int = 0x0001;
/// `PAM_CHANGE_EXPIRED_AUTHTOK`: the change login makes of an expired password.
pub const CHANGE_EXPIRED_AUTHTOK: c_int = 0x0020;

/// `PAM_PROMPT_ECHO_OFF`, `PAM_PROMPT_ECHO_ON`, `PAM_ERROR_MSG`, `PAM_TEXT_INFO`.
const PROMPT_ECHO_OFF: c_int = 1;
const PROMPT_ECHO_ON: c_int = 2;
const ERROR_MSG: c_int = 3;

#[repr(C)]
struct PamMessage {
    msg_style: c_int,
    msg: *const c_char,
}

#[repr(C)]
struct PamResponse {
    resp: *mut c_char,
    resp_retcode: c_int,
}

type ConvFn =
    extern "C" fn(c_int, *mut *const PamMessage, *mut *mut PamResponse, *mut c_void) -> c_int;

#[repr(C)]
struct PamConv {
    conv: ConvFn,
    appdata_ptr: *mut c_void,
}

#[link(name = "pam")]
unsafe extern "C" {
    fn pam_start(
        service: *const c_char,
        user: *const c_char,
        conv: *const PamConv,
        pamh: *mut *mut c_void,
    ) -> c_int;
    fn pam_authenticate(pamh: *mut c_void, flags: c_int) -> c_int;
    fn pam_acct_mgmt(pamh: *mut c_void, flags: c_int) -> c_int;
    fn pam_chauthtok(pamh: *mut c_void, flags: c_int) -> c_int;
    fn pam_end(pamh: *mut c_void, status: c_int) -> c_int;
    fn pam_strerror(pamh: *mut c_void, errnum: c_int) -> *const c_char;
}

/// The application's side of PAM's conversation.
pub trait Converse {
    /// A prompt (`echo`: the answer may be shown); `None` fails the
    /// conversation (`PAM_CONV_ERR`).
    fn prompt(&mut self, echo: bool, text: &str) -> Option<Zeroizing<Vec<u8>>>;
    /// A message to show (`error`: `PAM_ERROR_MSG`, else text info).
    fn show(&mut self, error: bool, text: &str);
}

/// What the callback reaches through `appdata_ptr` (a thin pointer).
struct Holder {
    converse: Box<dyn Converse>,
}

/// One PAM transaction, ended (`pam_end`) on drop.
pub struct Transaction {
    handle: *mut c_void,
    last: c_int,
    // Both are read by libpam through raw pointers until pam_end: boxed so
    // they never move.
    _conv: Box<PamConv>,
    holder: Box<Holder>,
}

impl Transaction {
    /// `pam_start(service, user)` with `converse` answering.
    ///
    /// # Errors
    ///
    /// pam_start's code, or `BUF_ERR` for a name holding a NUL.
    pub fn start(
        service: &str,
        user: &str,
        converse: Box<dyn Converse>,
    ) -> Result<Transaction, c_int> {
        let service = CString::new(service).map_err(|_| BUF_ERR)?;
        let user = CString::new(user).map_err(|_| BUF_ERR)?;
        let mut holder = Box::new(Holder { converse });
        let conv = Box::new(PamConv {
            conv: converse_callback,
            appdata_ptr: (&raw mut *holder).cast(),
        });
        let mut handle: *mut c_void = std::ptr::null_mut();
        // SAFETY: the strings are NUL-terminated and outlive the call (libpam
        // copies them); `conv` and the holder it points to are boxed and kept
        // in the returned Transaction until pam_end in Drop.
        let rc = unsafe { pam_start(service.as_ptr(), user.as_ptr(), &*conv, &mut handle) };
        if rc != SUCCESS || handle.is_null() {
            return Err(rc);
        }
        Ok(Transaction {
            handle,
            last: SUCCESS,
            _conv: conv,
            holder,
        })
    }

    /// `pam_authenticate`.
    pub fn authenticate(&mut self, flags: c_int) -> c_int {
        // SAFETY: `handle` is a live handle from pam_start, not yet ended.
        self.last = unsafe { pam_authenticate(self.handle, flags) };
        self.last
    }

    /// `pam_acct_mgmt`.
    pub fn acct_mgmt(&mut self, flags: c_int) -> c_int {
        // SAFETY: as in `authenticate`.
        self.last = unsafe { pam_acct_mgmt(self.handle, flags) };
        self.last
    }

    /// `pam_chauthtok`.
    pub fn chauthtok(&mut self, flags: c_int) -> c_int {
        // SAFETY: as in `authenticate`.
        self.last = unsafe { pam_chauthtok(self.handle, flags) };
        self.last
    }

    /// The conversation, between calls.
    pub fn converse(&mut self) -> &mut dyn Converse {
        self.holder.converse.as_mut()
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        // SAFETY: ends the transaction pam_start opened, exactly once; the
        // conversation it points to is still alive (dropped after this).
        unsafe { pam_end(self.handle, self.last) };
    }
}

/// libpam's text for a code.
pub fn strerror(code: c_int) -> String {
    // SAFETY: pam_strerror accepts a null handle and returns a static string.
    let s = unsafe { pam_strerror(std::ptr::null_mut(), code) };
    if s.is_null() {
        return format!("PAM error {code}");
    }
    // SAFETY: a static NUL-terminated string from libpam.
    unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned()
}

/// The C conversation: asks the [`Converse`] for each message. libpam owns
/// (and frees) the response array and strings, so they are calloc'd. No
/// panic leaves it.
extern "C" fn converse_callback(
    num_msg: c_int,
    msg: *mut *const PamMessage,
    resp: *mut *mut PamResponse,
    appdata: *mut c_void,
) -> c_int {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let Ok(count) = usize::try_from(num_msg) else {
            return CONV_ERR;
        };
        if count == 0 || msg.is_null() || resp.is_null() || appdata.is_null() {
            return CONV_ERR;
        }
        // SAFETY: appdata is the boxed Holder given to pam_start, alive for
        // the whole transaction; libpam calls back on this thread only,
        // during one of our calls, when nothing else borrows it.
        let holder = unsafe { &mut *appdata.cast::<Holder>() };
        // SAFETY: calloc of `count` zeroed responses; checked for null below.
        let replies = unsafe { libc::calloc(count, std::mem::size_of::<PamResponse>()) }
            .cast::<PamResponse>();
        if replies.is_null() {
            return BUF_ERR;
        }
        let free_all = |upto: usize| {
            for j in 0..upto {
                // SAFETY: `replies` has `count` elements; each non-null
                // `resp` was malloc'd below with its length + 1 bytes.
                unsafe {
                    let r = (*replies.add(j)).resp;
                    if !r.is_null() {
                        let len = libc::strlen(r);
                        std::ptr::write_bytes(r, 0, len);
                        libc::free(r.cast());
                    }
                }
            }
            // SAFETY: allocated above with calloc.
            unsafe { libc::free(replies.cast()) };
        };
        for i in 0..count {
            // Linux-PAM passes an array of `count` message pointers.
            // SAFETY: `msg` points to `count` valid message pointers.
            let m = unsafe { *msg.add(i) };
            if m.is_null() {
                free_all(i);
                return CONV_ERR;
            }
            // SAFETY: a valid message owned by libpam for this call.
            let m = unsafe { &*m };
            let text = if m.msg.is_null() {
                String::new()
            } else {
                // SAFETY: the message text is NUL-terminated, owned by libpam.
                unsafe { CStr::from_ptr(m.msg) }
                    .to_string_lossy()
                    .into_owned()
            };
            match m.msg_style {
                PROMPT_ECHO_OFF | PROMPT_ECHO_ON => {
                    let echo = m.msg_style == PROMPT_ECHO_ON;
                    let Some(answer) = holder.converse.prompt(echo, &text) else {
                        free_all(i);
                        return CONV_ERR;
                    };
                    if answer.contains(&0) {
                        free_all(i);
                        return CONV_ERR;
                    }
                    // SAFETY: malloc of len + 1 bytes, checked for null.
                    let copy = unsafe { libc::malloc(answer.len() + 1) }.cast::<u8>();
                    if copy.is_null() {
                        free_all(i);
                        return BUF_ERR;
                    }
                    // SAFETY: `copy` has room for the answer and its NUL;
                    // `replies` has `count` elements.
                    unsafe {
                        std::ptr::copy_nonoverlapping(answer.as_ptr(), copy, answer.len());
                        *copy.add(answer.len()) = 0;
                        (*replies.add(i)).resp = copy.cast();
                    }
                }
                style => holder.converse.show(style == ERROR_MSG, &text),
            }
        }
        // SAFETY: `resp` is libpam's out-pointer for this call.
        unsafe { *resp = replies };
        SUCCESS
    }));
    result.unwrap_or(CONV_ERR)
}

/// Makes this process a user's `passwd`: real uid and gid the user's,
/// effective and saved uid and gid root's, no supplementary groups. pam_unix
/// then asks for the current password and writes shadow; pam_pwpolicy sees
/// a caller who is not root.
///
/// # Errors
///
/// The failing call's error.
pub fn become_caller(uid: u32, gid: u32) -> std::io::Result<()> {
    // SAFETY: setgroups with an empty list reads no memory.
    if unsafe { libc::setgroups(0, std::ptr::null()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: plain system calls on integers.
    if unsafe { libc::setresgid(gid, 0, 0) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::setresuid(uid, 0, 0) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}
