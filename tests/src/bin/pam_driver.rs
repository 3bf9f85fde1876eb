//! A PAM application for the tests: runs one real libpam transaction on a
//! service file in a private directory (`pam_start_confdir`, so /etc/pam.d is
//! never touched), answers prompts from the command line, and prints what
//! happened as JSON.
//!
//! ```text
//! pam_driver CONFDIR SERVICE USER chauthtok|chauthtok-expired|acct [ANSWER…]
//! ```
//!
//! Output: `{"result": N, "result_name": "...", "messages": [{"style", "text"}],
//! "answers_left": N}`. Prompts take the answers in order; a prompt with no
//! answer left fails the conversation (`PAM_CONV_ERR`).

#![deny(unsafe_code)]

use std::ffi::{CStr, CString};
use std::process::ExitCode;

use serde_json::json;

/// One message libpam showed the user.
struct Shown {
    style: &'static str,
    text: String,
}

/// What the conversation knows: answers to give, messages seen.
struct Dialogue {
    answers: Vec<String>,
    shown: Vec<Shown>,
}

impl Dialogue {
    /// Handles one message; returns the reply for prompts.
    fn respond(&mut self, style: i32, text: String) -> Result<Option<String>, ()> {
        let style = match style {
            1 => "prompt_echo_off",
            2 => "prompt_echo_on",
            3 => "error",
            4 => "info",
            _ => "other",
        };
        let prompt = style.starts_with("prompt");
        self.shown.push(Shown { style, text });
        if !prompt {
            return Ok(None);
        }
        if self.answers.is_empty() {
            return Err(());
        }
        Ok(Some(self.answers.remove(0)))
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!(
            "usage: pam_driver CONFDIR SERVICE USER chauthtok|chauthtok-expired|acct [ANSWER...]"
        );
        return ExitCode::from(2);
    }
    let mut dialogue = Dialogue {
        answers: args[5..].to_vec(),
        shown: Vec::new(),
    };
    let (start, result) =
        match ffi::transaction(&args[1], &args[2], &args[3], &args[4], &mut dialogue) {
            Ok(codes) => codes,
            Err(e) => {
                eprintln!("pam_driver: {e}");
                return ExitCode::from(2);
            }
        };
    let messages: Vec<_> = dialogue
        .shown
        .iter()
        .map(|m| json!({"style": m.style, "text": m.text}))
        .collect();
    let out = json!({
        "start": start,
        "result": result,
        "result_name": ffi::strerror(result),
        "messages": messages,
        "answers_left": dialogue.answers.len(),
    });
    println!("{out}");
    ExitCode::SUCCESS
}

/// The raw libpam calls of an application, and the C conversation callback.
#[allow(unsafe_code)]
mod ffi {
    use std::ffi::{c_char, c_int, c_void};

    use super::{CStr, CString, Dialogue};

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

    #[repr(C)]
    struct PamConv {
        conv: extern "C" fn(
            c_int,
            *mut *const PamMessage,
            *mut *mut PamResponse,
            *mut c_void,
        ) -> c_int,
        appdata_ptr: *mut c_void,
    }

    #[link(name = "pam")]
    unsafe extern "C" {
        fn pam_start_confdir(
            service: *const c_char,
            user: *const c_char,
            conv: *const PamConv,
            confdir: *const c_char,
            pamh: *mut *mut c_void,
        ) -> c_int;
        fn pam_chauthtok(pamh: *mut c_void, flags: c_int) -> c_int;
        fn pam_acct_mgmt(pamh: *mut c_void, flags: c_int) -> c_int;
        fn pam_end(pamh: *mut c_void, status: c_int) -> c_int;
        fn pam_strerror(pamh: *mut c_void, errnum: c_int) -> *const c_char;
    }

    const PAM_CONV_ERR: c_int = 19;
    const PAM_BUF_ERR: c_int = 5;
    const PAM_CHANGE_EXPIRED_AUTHTOK: c_int = 0x0020;

    /// The conversation: libpam owns (and frees) the response array and strings,
    /// so they are allocated with calloc/strdup.
    extern "C" fn converse(
        num_msg: c_int,
        msg: *mut *const PamMessage,
        resp: *mut *mut PamResponse,
        appdata: *mut c_void,
    ) -> c_int {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let Ok(count) = usize::try_from(num_msg) else {
                return PAM_CONV_ERR;
            };
            if count == 0 || msg.is_null() || resp.is_null() || appdata.is_null() {
                return PAM_CONV_ERR;
            }
            // SAFETY: appdata is the `&mut Dialogue` passed to pam_start_confdir,
            // alive for the whole transaction and used by nobody else meanwhile.
            let dialogue = unsafe { &mut *appdata.cast::<Dialogue>() };
            // SAFETY: calloc of `count` zeroed responses; checked for null below.
            let replies = unsafe { libc::calloc(count, std::mem::size_of::<PamResponse>()) }
                .cast::<PamResponse>();
            if replies.is_null() {
                return PAM_BUF_ERR;
            }
            for i in 0..count {
                // SAFETY: Linux-PAM passes `msg` as a pointer to an array of
                // `count` message pointers, each to a valid message.
                let m = unsafe { &**msg.add(i) };
                let text = if m.msg.is_null() {
                    String::new()
                } else {
                    // SAFETY: the message text is a NUL-terminated string owned by libpam.
                    unsafe { CStr::from_ptr(m.msg) }
                        .to_string_lossy()
                        .into_owned()
                };
                match dialogue.respond(m.msg_style, text) {
                    Ok(Some(answer)) => {
                        let answer = CString::new(answer).unwrap_or_default();
                        // SAFETY: `replies` has `count` elements; strdup copies a
                        // valid NUL-terminated string into malloc'd memory.
                        unsafe { (*replies.add(i)).resp = libc::strdup(answer.as_ptr()) };
                    }
                    Ok(None) => {}
                    Err(()) => {
                        for j in 0..i {
                            // SAFETY: freeing only what this call allocated.
                            unsafe { libc::free((*replies.add(j)).resp.cast()) };
                        }
                        // SAFETY: allocated above with calloc.
                        unsafe { libc::free(replies.cast()) };
                        return PAM_CONV_ERR;
                    }
                }
            }
            // SAFETY: `resp` is libpam's out-pointer for this call.
            unsafe { *resp = replies };
            0
        }));
        result.unwrap_or(PAM_CONV_ERR)
    }

    /// Runs one transaction; returns (pam_start result, action result).
    pub fn transaction(
        confdir: &str,
        service: &str,
        user: &str,
        action: &str,
        dialogue: &mut Dialogue,
    ) -> Result<(c_int, c_int), String> {
        let c = |s: &str| CString::new(s).map_err(|_| format!("NUL in {s:?}"));
        let (confdir, service, user) = (c(confdir)?, c(service)?, c(user)?);
        let conv = PamConv {
            conv: converse,
            appdata_ptr: (dialogue as *mut Dialogue).cast(),
        };
        let mut pamh: *mut c_void = std::ptr::null_mut();
        // SAFETY: all strings are NUL-terminated and outlive the call; `conv`
        // and `dialogue` outlive the transaction, which pam_end closes below.
        let start = unsafe {
            pam_start_confdir(
                service.as_ptr(),
                user.as_ptr(),
                &conv,
                confdir.as_ptr(),
                &mut pamh,
            )
        };
        if start != 0 {
            return Ok((start, start));
        }
        // SAFETY: `pamh` was returned by a successful pam_start_confdir.
        let result = unsafe {
            match action {
                "chauthtok" => pam_chauthtok(pamh, 0),
                "chauthtok-expired" => pam_chauthtok(pamh, PAM_CHANGE_EXPIRED_AUTHTOK),
                "acct" => pam_acct_mgmt(pamh, 0),
                other => {
                    pam_end(pamh, 0);
                    return Err(format!("unknown action {other}"));
                }
            }
        };
        // SAFETY: closes the transaction opened above exactly once.
        unsafe { pam_end(pamh, result) };
        Ok((start, result))
    }

    /// libpam's name for a code.
    pub fn strerror(code: c_int) -> String {
        // SAFETY: pam_strerror accepts a null handle and returns a static string.
        let s = unsafe { pam_strerror(std::ptr::null_mut(), code) };
        if s.is_null() {
            return String::new();
        }
        // SAFETY: a static NUL-terminated string from libpam.
        unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned()
    }
}
