//! [`Service`]: answers from pwpolicyd over its Unix socket — a blocking
//! client (no async runtime), for the CLI and the PAM module.

use std::io;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::answer::{ChangeAnswer, CheckAnswer, CommitAnswer, PamChange, Status};
use crate::error::BackendError;
use crate::seam::{
    CheckRequest, CommitRequest, Expiry, Notes, Passwords, Records, Reminders, Rows,
};
use pwpolicy::{Prehashed, Reminder};

use crate::wire::{
    Answer, Envelope, ErrorKind, PROTOCOL_VERSION, ReminderAction, Request, Response, Secret,
    encode_frame, read_frame, write_frame,
};

/// How long a client waits for the service to answer.
const TIMEOUT: Duration = Duration::from_secs(15);
/// How long a client waits for a change through PAM: pwpolicyd gives its
/// PAM helper 45 s (a failed authentication alone is delayed ~2 s).
const PAM_CHANGE_TIMEOUT: Duration = Duration::from_secs(60);

/// The service at a socket; connects on first use and keeps the connection.
pub struct Service {
    socket: PathBuf,
    stream: Option<UnixStream>,
    /// A write that failed; reported only if no answer can be read either.
    pending_write_error: Option<io::Error>,
}

impl Service {
    /// A client of the service at `socket` (nothing is connected yet).
    pub fn new(socket: PathBuf) -> Service {
        Service {
            socket,
            stream: None,
            pending_write_error: None,
        }
    }

    fn lost(&self, source: io::Error) -> BackendError {
        BackendError::Lost {
            socket: self.socket.clone(),
            error: source,
        }
    }

    fn stream(&mut self) -> Result<&mut UnixStream, BackendError> {
        if self.stream.is_none() {
            let unreachable = |error| BackendError::Unreachable {
                socket: self.socket.clone(),
                error,
            };
            let stream = UnixStream::connect(&self.socket).map_err(unreachable)?;
            stream
                .set_read_timeout(Some(TIMEOUT))
                .map_err(unreachable)?;
            stream
                .set_write_timeout(Some(TIMEOUT))
                .map_err(unreachable)?;
            self.stream = Some(stream);
        }
        self.stream.as_mut().ok_or(BackendError::Protocol)
    }

    /// Sends one request (the frame is wiped afterwards).
    fn send(&mut self, request: Request) -> Result<(), BackendError> {
        let frame = encode_frame(&Envelope {
            v: PROTOCOL_VERSION,
            request,
        })
        .map_err(|e| self.lost(e))?;
        // A service at its connection limit answers `busy` and closes at
        // once, so our write may fail: its answer is still there to read.
        let written = write_frame(self.stream()?, &frame);
        if let Err(e) = written {
            self.pending_write_error = Some(e);
        }
        Ok(())
    }

    /// Reads one answer frame.
    fn receive(&mut self) -> Result<Answer, BackendError> {
        let read = read_frame(self.stream()?);
        let written = self.pending_write_error.take();
        let frame: Zeroizing<Vec<u8>> = match read {
            Ok(Some(frame)) => frame,
            Ok(None) => {
                self.stream = None;
                return Err(
                    self.lost(written.unwrap_or_else(|| io::ErrorKind::UnexpectedEof.into()))
                );
            }
            Err(e) => {
                self.stream = None;
                return Err(self.lost(written.unwrap_or(e)));
            }
        };
        let response: Response =
            serde_json::from_slice(&frame).map_err(|_| BackendError::Protocol)?;
        match (response.ok, response.error) {
            (Some(answer), None) => Ok(answer),
            (None, Some(refusal)) => Err(BackendError::Refused {
                kind: refusal.kind,
                message: refusal.message,
            }),
            _ => Err(BackendError::Protocol),
        }
    }

    fn call(&mut self, request: Request) -> Result<Answer, BackendError> {
        self.send(request)?;
        self.receive()
    }

    /// Sends `request`, which uses a field added to protocol 3 since it
    /// began, and `older()` instead when the service refuses it as a bad
    /// request: a pwpolicyd from before the field refuses what it does not
    /// know (during a package upgrade, until it restarts), and answers the
    /// older form the same way, only at a higher cost.
    fn call_or_older(
        &mut self,
        request: Request,
        older: impl FnOnce() -> Request,
    ) -> Result<Answer, BackendError> {
        match self.call(request) {
            Err(BackendError::Refused {
                kind: ErrorKind::BadRequest,
                ..
            }) => self.call(older()),
            answer => answer,
        }
    }
}

impl Service {
    /// Sends `request` (a `compact` report or list) and hands each row of
    /// the pages that answer it to `visit`; sends `older()` instead, for
    /// full rows, when an older pwpolicyd refuses the compact form.
    fn rows(
        &mut self,
        request: Request,
        older: impl FnOnce() -> Request,
        visit: &mut Rows<'_>,
    ) -> Result<(), BackendError> {
        self.send(request)?;
        let mut first = Some(older);
        loop {
            let (rows, more): (Box<dyn Iterator<Item = Status>>, bool) = match self.receive() {
                Ok(Answer::Table(page)) => {
                    (Box::new(page.rows.into_iter().map(Status::from)), page.more)
                }
                Ok(Answer::Rows(page)) => (Box::new(page.rows.into_iter()), page.more),
                Err(BackendError::Refused {
                    kind: ErrorKind::BadRequest,
                    ..
                }) if first.is_some() => {
                    let older = first.take().ok_or(BackendError::Protocol)?;
                    self.send(older())?;
                    continue;
                }
                Ok(_) => return Err(BackendError::Protocol),
                Err(e) => return Err(e),
            };
            first = None;
            for row in rows {
                if let Err(e) = visit(row) {
                    // The rest of the answer is still on the wire: start over next time.
                    self.stream = None;
                    return Err(e);
                }
            }
            if !more {
                return Ok(());
            }
        }
    }
}

impl Service {
    /// Changes `user`'s local password through PAM, as `passwd` run by
    /// them would (`pam_change`): pwpolicyd authenticates `current`, checks
    /// `new` with the policy, then runs the `[web] pam_service` stack's
    /// `pam_chauthtok`. Only root and the `[web] user` may ask.
    ///
    /// The passwords are taken as typed (not NFKC-normalised, unlike
    /// [`pwpolicy::Password`]): pam_unix hashes exactly these bytes, and a
    /// login later types the same ones.
    ///
    /// # Errors
    ///
    /// [`BackendError::Refused`] with `forbidden` (not root nor `[web]
    /// user`, or `pam_service` unset) or `busy` (the caller's rate), and
    /// the connection errors of every request.
    pub fn change_through_pam(
        &mut self,
        user: &str,
        current: &Zeroizing<String>,
        new: &Zeroizing<String>,
    ) -> Result<PamChange, BackendError> {
        let longer = self.stream()?.set_read_timeout(Some(PAM_CHANGE_TIMEOUT));
        longer.map_err(|e| self.lost(e))?;
        let answer = self.call(Request::PamChange {
            user: user.to_owned(),
            current: Secret(current.clone()),
            new: Secret(new.clone()),
        });
        if let Some(stream) = &self.stream {
            let _ = stream.set_read_timeout(Some(TIMEOUT));
        }
        match answer? {
            Answer::PamChange(answer) => Ok(answer),
            _ => Err(BackendError::Protocol),
        }
    }
}

impl Notes for Service {}

impl Passwords for Service {
    fn check(&mut self, request: &CheckRequest<'_>) -> Result<CheckAnswer, BackendError> {
        let check = |prepare| Request::Check {
            user: request.user.map(str::to_owned),
            full_name: request.full_name.map(str::to_owned),
            password: Secret(request.password.clone()),
            enforce_min_age: request.enforce_min_age,
            prepare,
        };
        let answer = if request.prepare {
            self.call_or_older(check(true), || check(false))?
        } else {
            self.call(check(false))?
        };
        match answer {
            Answer::Check(answer) => Ok(answer),
            _ => Err(BackendError::Protocol),
        }
    }

    fn commit(&mut self, request: &CommitRequest<'_>) -> Result<CommitAnswer, BackendError> {
        let commit = |prehashed: Option<&Prehashed>| Request::Commit {
            user: request.user.to_owned(),
            password: Secret(request.password.clone()),
            enforce_min_age: request.enforce_min_age,
            allow_reuse: request.allow_reuse,
            prehashed: prehashed.cloned(),
        };
        let answer = match request.prehashed {
            Some(made) => self.call_or_older(commit(Some(made)), || commit(None))?,
            None => self.call(commit(None))?,
        };
        match answer {
            Answer::Commit(answer) => Ok(answer),
            _ => Err(BackendError::Protocol),
        }
    }

    /// One request, so the service hashes an accepted change once.
    fn change(&mut self, request: &CheckRequest<'_>) -> Result<ChangeAnswer, BackendError> {
        match self.call(Request::Change {
            user: request.user.ok_or(BackendError::NeedUser)?.to_owned(),
            full_name: request.full_name.map(str::to_owned),
            password: Secret(request.password.clone()),
            enforce_min_age: request.enforce_min_age,
        })? {
            Answer::Change(answer) => Ok(answer),
            _ => Err(BackendError::Protocol),
        }
    }
}

impl Expiry for Service {
    fn status(&mut self, user: Option<&str>) -> Result<Status, BackendError> {
        match self.call(Request::Status {
            user: user.map(str::to_owned),
        })? {
            Answer::Status(status) => Ok(*status),
            _ => Err(BackendError::Protocol),
        }
    }

    fn list(&mut self, visit: &mut Rows<'_>) -> Result<(), BackendError> {
        self.rows(
            Request::List { compact: true },
            || Request::List { compact: false },
            visit,
        )
    }

    fn report(&mut self, days: u32, visit: &mut Rows<'_>) -> Result<(), BackendError> {
        let report = |compact| Request::Report {
            expiring_within: days,
            compact,
        };
        self.rows(report(true), || report(false), visit)
    }
}

impl Records for Service {
    fn expire(&mut self, user: &str, create: bool) -> Result<(), BackendError> {
        match self.call(Request::Expire {
            user: user.to_owned(),
            create,
        })? {
            Answer::Done => Ok(()),
            _ => Err(BackendError::Protocol),
        }
    }

    fn set_changed(&mut self, user: &str, date: &str, create: bool) -> Result<(), BackendError> {
        match self.call(Request::SetChanged {
            user: user.to_owned(),
            date: date.to_owned(),
            create,
        })? {
            Answer::Done => Ok(()),
            _ => Err(BackendError::Protocol),
        }
    }
}

impl Service {
    fn reminder(
        &mut self,
        user: &str,
        reminder: &Reminder,
        action: ReminderAction,
    ) -> Result<Answer, BackendError> {
        self.call(Request::Reminder {
            user: user.to_owned(),
            reminder: *reminder,
            action,
        })
    }
}

impl Reminders for Service {
    fn claim(&mut self, user: &str, reminder: &Reminder) -> Result<bool, BackendError> {
        match self.reminder(user, reminder, ReminderAction::Claim)? {
            Answer::Yes(claimed) => Ok(claimed),
            _ => Err(BackendError::Protocol),
        }
    }

    fn sent(&mut self, user: &str, reminder: &Reminder) -> Result<(), BackendError> {
        match self.reminder(user, reminder, ReminderAction::Sent)? {
            Answer::Done => Ok(()),
            _ => Err(BackendError::Protocol),
        }
    }

    fn release(&mut self, user: &str, reminder: &Reminder) -> Result<(), BackendError> {
        match self.reminder(user, reminder, ReminderAction::Release)? {
            Answer::Done => Ok(()),
            _ => Err(BackendError::Protocol),
        }
    }

    fn was_sent(&mut self, user: &str, reminder: &Reminder) -> Result<bool, BackendError> {
        match self.reminder(user, reminder, ReminderAction::WasSent)? {
            Answer::Yes(sent) => Ok(sent),
            _ => Err(BackendError::Protocol),
        }
    }
}
