//! The PAM conversation, and the rest of a safe face on the PAM handle:
//! what the user is asked and told (prompts, errors, information), the
//! user, the token items and the log. The phases talk only to this.

use std::ffi::CString;

use pam::constants::{PAM_ERROR_MSG, PAM_PROMPT_ECHO_OFF, PAM_TEXT_INFO, PamResultCode};
use pam::conv::Conv;
use pam::items::{AuthTok, OldAuthTok};
use pam::module::PamHandle;
use zeroize::Zeroizing;

use crate::ffi::{self, Priority};
use crate::password::Checked;

/// One PAM call's conversation with the user, and its view of the transaction.
pub struct Conversation<'a> {
    pamh: &'a mut PamHandle,
    debug: bool,
    silent: bool,
    admin: bool,
}

impl<'a> Conversation<'a> {
    /// Wraps the handle of the current call; `silent` is `PAM_SILENT`;
    /// `admin`: the person at the terminal is the administrator (root running
    /// `passwd USER`), not someone logging in through a program that runs as
    /// root (login, sshd, a display manager), so error details may be shown.
    pub fn new(pamh: &'a mut PamHandle, silent: bool, admin: bool) -> Conversation<'a> {
        Conversation {
            pamh,
            debug: false,
            silent,
            admin,
        }
    }

    /// Shows `detail` to an administrator, `plain` to anyone else (the
    /// detail always goes to the log, by the caller).
    pub fn error_for(&self, detail: &str, plain: &str) {
        if self.admin {
            // The detail names files and accounts: printable, as in the log.
            self.error(&format!("pwpolicy: {}", pwpolicy::printable(detail)));
        } else {
            self.error(plain);
        }
    }

    /// Turns on debug logging.
    pub fn set_debug(&mut self, debug: bool) {
        self.debug = debug;
    }

    /// The account the transaction is for.
    pub fn user(&mut self) -> Result<String, PamResultCode> {
        self.pamh.get_user(None)
    }

    /// `PAM_AUTHTOK` as set by an earlier module, if any.
    pub fn authtok(&self) -> Result<Option<Zeroizing<String>>, PamResultCode> {
        let token: Option<AuthTok<'_>> = self.pamh.get_item()?;
        token
            .map(|t| {
                std::str::from_utf8(t.as_bytes())
                    .map(|s| Zeroizing::new(s.to_owned()))
                    .map_err(|_| PamResultCode::PAM_AUTHTOK_ERR)
            })
            .transpose()
    }

    /// `PAM_OLDAUTHTOK`, the current password, when an earlier module (such
    /// as pam_unix) has asked for it and set it. Not UTF-8: treated as none.
    pub fn old_authtok(&self) -> Option<Zeroizing<String>> {
        let token: Option<OldAuthTok<'_>> = self.pamh.get_item().ok().flatten();
        token.and_then(|t| {
            std::str::from_utf8(t.as_bytes())
                .ok()
                .map(|s| Zeroizing::new(s.to_owned()))
        })
    }

    /// Hands `password` to the next module as `PAM_AUTHTOK`.
    pub fn set_authtok(&mut self, password: &str) -> Result<(), PamResultCode> {
        let token = Zeroizing::new(
            CString::new(password)
                .map_err(|_| PamResultCode::PAM_AUTHTOK_ERR)?
                .into_bytes_with_nul(),
        );
        let token = std::ffi::CStr::from_bytes_with_nul(&token)
            .map_err(|_| PamResultCode::PAM_AUTHTOK_ERR)?;
        match ffi::set_authtok(self.pamh, Some(token)) {
            0 => Ok(()),
            code => Err(crate::outcome::code_from_raw(code)),
        }
    }

    /// Keeps what the check hashed of the password it hands on, for the
    /// commit entry of the same transaction. Not kept is only a second
    /// argon2 run later, so a failure here is not the user's problem.
    pub fn keep_checked(&mut self, checked: Checked) {
        if ffi::keep_checked(self.pamh, Some(checked)).is_err() {
            self.log(
                Priority::Debug,
                "cannot keep the check's hash for the commit",
            );
        }
    }

    /// What the check entry kept ([`Conversation::keep_checked`]), taken
    /// out: the handle holds no copy of the password after this.
    pub fn take_checked(&mut self) -> Option<Checked> {
        let taken = ffi::checked(self.pamh).cloned();
        if taken.is_some() {
            let _ = ffi::keep_checked(self.pamh, None);
        }
        taken
    }

    /// Clears `PAM_AUTHTOK`, so no later module can use a refused password.
    pub fn clear_authtok(&mut self) {
        let _ = ffi::set_authtok(self.pamh, None);
    }

    fn pam_conv(&self) -> Result<Conv<'_>, PamResultCode> {
        self.pamh
            .get_item::<Conv<'_>>()?
            .ok_or(PamResultCode::PAM_CONV_ERR)
    }

    /// Asks for a secret with echo off.
    pub fn prompt_secret(&self, prompt: &str) -> Result<Zeroizing<String>, PamResultCode> {
        let reply = self.pam_conv()?.send(PAM_PROMPT_ECHO_OFF, prompt)?;
        let reply = reply.ok_or(PamResultCode::PAM_CONV_ERR)?;
        let text = reply.as_str().map_err(|_| PamResultCode::PAM_AUTHTOK_ERR)?;
        Ok(Zeroizing::new(text.to_owned()))
    }

    /// Shows an error line to the user (not with `PAM_SILENT`).
    pub fn error(&self, message: &str) {
        if !self.silent
            && let Ok(conv) = self.pam_conv()
        {
            let _ = conv.send(PAM_ERROR_MSG, message);
        }
    }

    /// Shows an informational line to the user (not with `PAM_SILENT`).
    pub fn info(&self, message: &str) {
        if !self.silent
            && let Ok(conv) = self.pam_conv()
        {
            let _ = conv.send(PAM_TEXT_INFO, message);
        }
    }

    /// Logs to syslog (authpriv). Debug lines only with the `debug` option.
    ///
    /// The whole line is made printable here, the one way out to syslog:
    /// lines quote PAM_USER (whatever a login prompt or an ssh client was
    /// given), module arguments and errors naming files, and journald keeps
    /// a newline or a terminal escape as it is.
    pub fn log(&self, priority: Priority, message: &str) {
        if matches!(priority, Priority::Debug) && !self.debug {
            return;
        }
        ffi::syslog(self.pamh, priority, &pwpolicy::printable(message));
    }
}
