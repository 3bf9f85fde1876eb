//! `pam_pwpolicy.so`: the organisation's password policy in PAM.
//!
//! - Password phase: asks for the new password (or takes `PAM_AUTHTOK` with
//!   `use_authtok`), checks it against the policy, the hashed history and the
//!   minimum age, lists every reason when refusing, and hands an accepted
//!   password on in `PAM_AUTHTOK`. A second entry with `commit`, placed after
//!   the modules that really change the password (which must be `requisite`),
//!   records it in the history.
//! - Account phase: expired or force-changed passwords get
//!   `PAM_NEW_AUTHTOK_REQD`; the warning window gets a message.
//!
//! All raw FFI lives in `ffi.rs`; pam-bindings catches panics at every entry
//! point, so none crosses into libpam.

#![deny(unsafe_code)]

mod account;
mod backend;
mod conversation;
#[allow(unsafe_code)]
mod ffi;
mod options;
mod outcome;
mod password;

use std::ffi::CStr;

use pam::constants::{PAM_SILENT, PamFlag, PamResultCode};
use pam::module::{PamHandle, PamHooks};

use conversation::Conversation;
use ffi::{PAM_CHANGE_EXPIRED_AUTHTOK, PAM_PRELIM_CHECK, PAM_UPDATE_AUTHTOK, Priority};
use options::Options;
use outcome::Outcome;

/// What an ordinary user sees when the configuration is broken.
const CONFIG_BROKEN: &str = "System configuration error. Please contact your administrator.";

struct PwPolicy;

/// The exported `pam_sm_*` entry points (generated; each catches panics).
#[allow(missing_docs)]
mod entry_points {
    use super::PwPolicy;
    pam::pam_hooks!(PwPolicy);
}

/// Reads the options; on failure tells the user (root: the detail) and logs.
fn setup<'a>(conv: &mut Conversation<'a>, args: &[&CStr]) -> Result<Options, Outcome> {
    match Options::load(args) {
        Ok(opts) => {
            conv.set_debug(opts.debug);
            for arg in &opts.unknown {
                conv.log(
                    Priority::Warning,
                    &format!("unknown module argument `{arg}` ignored"),
                );
            }
            Ok(opts)
        }
        Err(e) => {
            conv.log(Priority::Err, &e.0);
            conv.error_for(&e.0, CONFIG_BROKEN);
            Err(Outcome::ConfigError)
        }
    }
}

impl PamHooks for PwPolicy {
    fn sm_chauthtok(pamh: &mut PamHandle, args: Vec<&CStr>, flags: PamFlag) -> PamResultCode {
        // The first pass only asks "could you?": answer at once.
        if flags & PAM_PRELIM_CHECK != 0 {
            return PamResultCode::PAM_SUCCESS;
        }
        if flags & PAM_UPDATE_AUTHTOK == 0 {
            return PamResultCode::PAM_SERVICE_ERR;
        }
        let caller = password::Caller {
            root: ffi::caller_is_root(),
            forced_change: flags & PAM_CHANGE_EXPIRED_AUTHTOK != 0,
        };
        // Root running passwd for someone sees details; a user forced to
        // change at login (login and sshd run as root) does not.
        let admin = caller.root && !caller.forced_change;
        let mut conv = Conversation::new(pamh, flags & PAM_SILENT != 0, admin);
        let outcome = match setup(&mut conv, &args) {
            Ok(opts) if opts.commit => password::commit(&mut conv, &opts, caller),
            Ok(opts) => password::check(&mut conv, &opts, caller),
            Err(outcome) => outcome,
        };
        outcome.code()
    }

    fn acct_mgmt(pamh: &mut PamHandle, args: Vec<&CStr>, flags: PamFlag) -> PamResultCode {
        // The account phase runs for whoever is logging in: never details.
        let mut conv = Conversation::new(pamh, flags & PAM_SILENT != 0, false);
        let outcome = match setup(&mut conv, &args) {
            Ok(opts) if opts.commit => Outcome::Ignore,
            Ok(opts) => account::check(&mut conv, &opts),
            Err(outcome) => account::without_policy(&mut conv, outcome),
        };
        outcome.code()
    }
}
