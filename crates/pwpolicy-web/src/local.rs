//! Local accounts: the change goes to pwpolicyd, which runs it through
//! PAM (`[web] pam_service`) as the user's own `passwd` would: pam_unix
//! proves the current password and writes shadow, pam_pwpolicy checks and
//! records the history. This process holds no privilege for it; pwpolicyd
//! takes the request from `[web] user` and root only.

use std::path::PathBuf;

use pwpolicy_backend::{BackendError, PamChange, Service};
use zeroize::Zeroizing;

use crate::change::{Broken, Destination, Outcome};

/// Changes through pwpolicyd's socket.
#[derive(Debug)]
pub struct ThroughPam {
    socket: PathBuf,
}

impl ThroughPam {
    /// Changes through the pwpolicyd listening on `socket`.
    pub fn new(socket: PathBuf) -> ThroughPam {
        ThroughPam { socket }
    }
}

impl Destination for ThroughPam {
    fn change(&self, user: &str, current: &Zeroizing<String>, new: &Zeroizing<String>) -> Outcome {
        let mut service = Service::new(self.socket.clone());
        match service.change_through_pam(user, current, new) {
            Ok(answer) => outcome(answer),
            Err(e) => {
                // Forbidden (this account is not pwpolicyd's [web] user),
                // busy, or no pwpolicyd at all: the person can do nothing
                // about it, the administrator can.
                if matches!(e, BackendError::Refused { .. }) {
                    tracing::error!("pwpolicyd refused the page's change: {e}");
                } else {
                    tracing::error!("pwpolicyd cannot be asked: {e}");
                }
                Outcome::Unavailable
            }
        }
    }

    fn full_name(&self, _user: &str) -> Option<String> {
        // A local account's full name is the passwd database's, which the
        // page reads itself (pwpolicy-host's facts).
        None
    }
}

/// The page's outcome for pwpolicyd's answer.
fn outcome(answer: PamChange) -> Outcome {
    match answer {
        PamChange::Changed => Outcome::Changed,
        PamChange::WrongCredentials => Outcome::WrongCredentials,
        PamChange::Rejected { violations } => {
            Outcome::Rejected(Broken::from_violations(&violations))
        }
        PamChange::Refused { message } => {
            Outcome::Refused(pwpolicy::printable(&message).into_owned())
        }
        PamChange::TooManyAttempts { .. } => Outcome::RateLimited,
        PamChange::Unavailable => Outcome::Unavailable,
    }
}
