//! A local account's password changed through PAM for the self-service page
//! (`pam_change`), as the user's own `passwd` would change it.
//!
//! PAM modules are not thread-safe and may fork, setuid or look accounts up,
//! so the transaction never runs inside the threaded daemon: pwpolicyd runs
//! its own binary again (`/proc/self/exe` [`HELPER_ARG`] SERVICE USER UID
//! GID), and the [`helper`] becomes the user's `passwd` (real uid and gid
//! the user's, effective root: pam_unix asks for the current password and
//! writes shadow, pam_pwpolicy sees a caller who is not root and applies the
//! policy) before it starts PAM. The passwords reach it on a pipe (never in
//! argv or the environment); it answers in [`Report`] lines on another.
//!
//! One transaction, in two halves, with the daemon's own check between them:
//!
//! 1. the helper runs `pam_authenticate` and `pam_acct_mgmt` (an expired
//!    password's `PAM_NEW_AUTHTOK_REQD` is what the page is for) and reports;
//! 2. pwpolicyd checks the new password as the `check` request does (the
//!    user's full name from passwd, the minimum age counted), holding an
//!    argon2 slot only for that check, and tells the helper to go on or stop;
//! 3. the helper runs `pam_chauthtok` and reports.
//!
//! While the helper runs, pwpolicyd holds no slot: pam_pwpolicy in the
//! helper may ask pwpolicyd (`socket=`), as root, on a connection of its own.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::ffi;
use crate::ffi::pam::{self as libpam, Converse, Transaction};

/// The hidden first argument that makes `pwpolicyd` the PAM change helper.
pub const HELPER_ARG: &str = "__pam-change-helper";
/// Failed authentications one account may have within [`FAILURE_WINDOW`]
/// before further attempts on it are refused without trying.
pub const FAILURES_ALLOWED: usize = 5;
/// The window in which failures count.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// How long the helper may take, all told, before it is killed.
pub const HELPER_DEADLINE: Duration = Duration::from_secs(45);
/// The uid and gid the helper runs as (real) for an account it will not change.
const NOBODY: u32 = 65534;
/// The account name authenticated instead of one the page may not change
/// (root, system accounts): one that cannot exist (`:` separates passwd's
/// fields), so the work and the answer are an unknown account's.
pub const NO_SUCH_ACCOUNT: &str = "pwpolicy:no-such-account";
/// The longest password the helper reads.
const MAX_SECRET: usize = 16 * 1024;
/// Messages kept from PAM, and the length of each.
const MAX_MESSAGES: usize = 16;
const MAX_MESSAGE_CHARS: usize = 512;

/// What the helper tells pwpolicyd, one JSON line each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum Report {
    /// Authenticated; `expired`: the account phase demands a change.
    Authenticated {
        /// `pam_acct_mgmt` answered `PAM_NEW_AUTHTOK_REQD`.
        expired: bool,
    },
    /// Authentication failed (a wrong password or no such account).
    AuthFailed,
    /// Authenticated, but the account phase refused the account.
    AccountRefused {
        /// What PAM said, printable.
        message: String,
    },
    /// PAM could not be used.
    Unavailable {
        /// Why (no password in it).
        why: String,
    },
    /// `pam_chauthtok` succeeded.
    Changed,
    /// `pam_chauthtok` failed.
    ChangeRefused {
        /// What PAM said, printable.
        message: String,
    },
}

// ---------------------------------------------------------------- helper ---

/// Which half of the transaction the conversation is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Authenticate,
    Change,
}

/// The helper's conversation: hidden prompts answered by phase and by what
/// they ask for, messages kept (printable) for the answer.
struct Dialogue {
    current: Zeroizing<Vec<u8>>,
    new: Zeroizing<Vec<u8>>,
    phase: Phase,
    current_given: u32,
    new_given: u32,
    errors: Vec<String>,
}

impl Dialogue {
    /// The answer to a prompt. While authenticating every hidden prompt is
    /// for the current password; while changing, a prompt that mentions
    /// "current" (the child runs with `LC_ALL=C`) is, every other one is for
    /// the new password. Each is given at most twice (asked and retyped): a
    /// third "New password" means PAM refused it, and asking again would
    /// only repeat the refusal.
    fn answer(&mut self, echo: bool, text: &str) -> Option<Zeroizing<Vec<u8>>> {
        if echo {
            return None;
        }
        let wants_current =
            self.phase == Phase::Authenticate || text.to_lowercase().contains("current");
        let (given, secret) = if wants_current {
            (&mut self.current_given, &self.current)
        } else {
            (&mut self.new_given, &self.new)
        };
        if *given >= 2 {
            return None;
        }
        *given += 1;
        Some(secret.clone())
    }
}

/// A [`Dialogue`] shared between the transaction's callback and the helper.
#[derive(Clone)]
struct Shared(std::rc::Rc<std::cell::RefCell<Dialogue>>);

impl Converse for Shared {
    fn prompt(&mut self, echo: bool, text: &str) -> Option<Zeroizing<Vec<u8>>> {
        self.0.borrow_mut().answer(echo, text)
    }

    fn show(&mut self, error: bool, text: &str) {
        let mut dialogue = self.0.borrow_mut();
        if error && dialogue.errors.len() < MAX_MESSAGES {
            let text: String = text.chars().take(MAX_MESSAGE_CHARS).collect();
            dialogue
                .errors
                .push(pwpolicy::printable(text.trim()).into_owned());
        }
    }
}

/// Reads one length-prefixed secret (4 bytes big-endian, then the bytes).
fn read_secret(r: &mut impl Read) -> io::Result<Zeroizing<Vec<u8>>> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_SECRET {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "too long"));
    }
    let mut secret = Zeroizing::new(vec![0u8; len]);
    r.read_exact(&mut secret)?;
    Ok(secret)
}

/// Appends `secret` length-prefixed to `out`.
fn push_secret(out: &mut Zeroizing<Vec<u8>>, secret: &[u8]) {
    let len = u32::try_from(secret.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(secret);
}

fn report(out: &mut impl Write, report: &Report) -> io::Result<()> {
    let mut line = serde_json::to_vec(report).map_err(io::Error::other)?;
    line.push(b'\n');
    out.write_all(&line)?;
    out.flush()
}

/// The helper's `main`: `args` are SERVICE USER UID GID. Exits 0 when it
/// could report, 2 when it could not even do that.
pub fn helper(args: &[String]) -> ExitCode {
    let mut out = io::stdout().lock();
    let outcome = run_helper(args, &mut out);
    match outcome.and_then(|last| report(&mut out, &last)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(2),
    }
}

/// Runs the transaction; returns the last report (the first, if it stopped
/// after authentication, is written on the way).
fn run_helper(args: &[String], out: &mut impl Write) -> io::Result<Report> {
    let [service, user, uid, gid] = args else {
        return Ok(Report::Unavailable {
            why: "the helper's arguments are SERVICE USER UID GID".to_owned(),
        });
    };
    let (Ok(uid), Ok(gid)) = (uid.parse::<u32>(), gid.parse::<u32>()) else {
        return Ok(Report::Unavailable {
            why: "the helper's UID and GID must be numbers".to_owned(),
        });
    };
    let mut stdin = io::stdin().lock();
    let current = read_secret(&mut stdin)?;
    let new = read_secret(&mut stdin)?;
    if let Err(e) = ffi::pam::become_caller(uid, gid) {
        return Ok(Report::Unavailable {
            why: format!("cannot take the user's real uid: {e}"),
        });
    }
    let dialogue = Shared(std::rc::Rc::new(std::cell::RefCell::new(Dialogue {
        current,
        new,
        phase: Phase::Authenticate,
        current_given: 0,
        new_given: 0,
        errors: Vec::new(),
    })));
    let mut pam = match Transaction::start(service, user, Box::new(dialogue.clone())) {
        Ok(pam) => pam,
        Err(code) => {
            return Ok(Report::Unavailable {
                why: format!("pam_start: {}", libpam::strerror(code)),
            });
        }
    };
    let said = |d: &Shared, code| {
        let errors = std::mem::take(&mut d.0.borrow_mut().errors);
        if errors.is_empty() {
            libpam::strerror(code)
        } else {
            errors.join(" ")
        }
    };
    let rc = pam.authenticate(libpam::DISALLOW_NULL_AUTHTOK);
    match rc {
        libpam::SUCCESS => {}
        libpam::AUTH_ERR
        | libpam::USER_UNKNOWN
        | libpam::MAXTRIES
        | libpam::CRED_INSUFFICIENT
        | libpam::PERM_DENIED
        | libpam::CONV_ERR => return Ok(Report::AuthFailed),
        other => {
            return Ok(Report::Unavailable {
                why: format!("pam_authenticate: {}", libpam::strerror(other)),
            });
        }
    }
    // Messages of the authentication (none expected) are not the change's.
    dialogue.0.borrow_mut().errors.clear();
    let expired = match pam.acct_mgmt(libpam::DISALLOW_NULL_AUTHTOK) {
        libpam::SUCCESS => false,
        libpam::NEW_AUTHTOK_REQD => true,
        other => {
            return Ok(Report::AccountRefused {
                message: said(&dialogue, other),
            });
        }
    };
    report(out, &Report::Authenticated { expired })?;
    let mut go = [0u8; 1];
    if stdin.read(&mut go)? != 1 || go[0] != b'y' {
        // Told to stop (the policy refused the new password): nothing changes.
        return Ok(Report::ChangeRefused {
            message: "stopped by pwpolicyd".to_owned(),
        });
    }
    {
        let mut d = dialogue.0.borrow_mut();
        d.phase = Phase::Change;
        d.current_given = 0;
        d.errors.clear();
    }
    let flags = if expired {
        libpam::CHANGE_EXPIRED_AUTHTOK
    } else {
        0
    };
    let rc = pam.chauthtok(flags);
    let last = if rc == libpam::SUCCESS {
        Report::Changed
    } else {
        Report::ChangeRefused {
            message: said(&dialogue, rc),
        }
    };
    drop(pam);
    // Let the converse drop its copies of the passwords now.
    drop(dialogue);
    Ok(last)
}

// ---------------------------------------------------------------- daemon ---

/// Failed authentications per account: the second wall behind the page's
/// own limits. An attempt counts as failed from its start until it is
/// known not to be (so that parallel attempts cannot all slip past).
pub struct Attempts {
    allowed: usize,
    window: Duration,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

/// One attempt on an account, counted as a failure unless settled otherwise.
pub struct Attempt<'a> {
    attempts: &'a Attempts,
    account: String,
    at: Instant,
}

impl Attempts {
    /// `allowed` failures per `window` per account.
    pub fn new(allowed: usize, window: Duration) -> Attempts {
        Attempts {
            allowed,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Instant>>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts an attempt on `account` at `now`.
    ///
    /// # Errors
    ///
    /// How long until the oldest failure leaves the window, when the
    /// account has had its share.
    pub fn begin(&self, account: &str, now: Instant) -> Result<Attempt<'_>, Duration> {
        let window = self.window;
        let mut failures = self.lock();
        if failures.len() > 4096 {
            failures.retain(|_, times| {
                times.retain(|t| now.duration_since(*t) < window);
                !times.is_empty()
            });
        }
        let times = failures.entry(account.to_owned()).or_default();
        times.retain(|t| now.duration_since(*t) < window);
        if times.len() >= self.allowed {
            let oldest = times.iter().min().copied().unwrap_or(now);
            return Err(window.saturating_sub(now.duration_since(oldest)));
        }
        times.push(now);
        Ok(Attempt {
            attempts: self,
            account: account.to_owned(),
            at: now,
        })
    }
}

impl Attempt<'_> {
    /// The password was right: the account's failures are forgiven, as
    /// pam_faillock forgets them at a successful login.
    pub fn authenticated(self) {
        self.attempts.lock().remove(&self.account);
    }

    /// The attempt ended before PAM could judge the password (PAM or the
    /// store unavailable): it does not count.
    pub fn uncounted(self) {
        let mut failures = self.attempts.lock();
        if let Some(times) = failures.get_mut(&self.account)
            && let Some(i) = times.iter().position(|t| *t == self.at)
        {
            times.swap_remove(i);
        }
    }
}

/// Whom the helper authenticates: an account the page may change (a person
/// of this host, with their uid and gid), or, for every other name, an
/// account that cannot exist, as `nobody`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The name given to `pam_start`.
    pub name: String,
    /// The helper's real uid.
    pub uid: u32,
    /// The helper's real gid.
    pub gid: u32,
    /// Whether this is the account asked about (else nothing may change).
    pub real: bool,
}

impl Target {
    /// The target for `user`: root and system accounts (the policy's
    /// `system` class) are never changed from the page, and are answered as
    /// an unknown account is, after the same work, so that the page cannot
    /// become a way to guess root's password.
    pub fn of(user: &str, policy: &pwpolicy::Policy) -> Target {
        let facts = pwpolicy_host::Facts::lookup(user);
        let person = facts.coverage(policy).class != pwpolicy::AccountClass::System;
        match pwpolicy_host::accounts::passwd_ids(user) {
            Some((uid, gid)) if uid != 0 && person && facts.is_known() => Target {
                name: user.to_owned(),
                uid,
                gid,
                real: true,
            },
            Some(_) => Target::nobody(NO_SUCH_ACCOUNT),
            None => Target::nobody(user),
        }
    }

    fn nobody(name: &str) -> Target {
        Target {
            name: name.to_owned(),
            uid: NOBODY,
            gid: NOBODY,
            real: false,
        }
    }
}

/// A running helper; killed (if still running) on drop.
pub struct Helper {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: ChildStdout,
    stderr: Option<std::thread::JoinHandle<Vec<u8>>>,
    deadline: Instant,
    pending: Vec<u8>,
}

impl Helper {
    /// Starts `exe` (pwpolicyd's own binary) as the helper for `target`
    /// through PAM service `service`, and hands it the passwords.
    ///
    /// # Errors
    ///
    /// When it cannot be started or fed.
    pub fn spawn(
        exe: &Path,
        service: &str,
        target: &Target,
        current: &str,
        new: &str,
    ) -> io::Result<Helper> {
        let mut child = Command::new(exe)
            .arg0("pwpolicyd")
            .arg(HELPER_ARG)
            .args([
                service,
                &target.name,
                &target.uid.to_string(),
                &target.gid.to_string(),
            ])
            .env_clear()
            // PAM's prompts in English, so "current" can be told apart.
            .env("LANG", "C")
            .env("LC_ALL", "C")
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .current_dir("/")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let stderr = child.stderr.take().map(|mut pipe| {
            std::thread::spawn(move || {
                let mut text = Vec::new();
                let _ = (&mut pipe).take(64 * 1024).read_to_end(&mut text);
                // Drain the rest so the helper never blocks on a full pipe.
                let _ = io::copy(&mut pipe, &mut io::sink());
                text
            })
        });
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("the helper's pipes are missing"));
        };
        let mut secrets = Zeroizing::new(Vec::with_capacity(8 + current.len() + new.len()));
        push_secret(&mut secrets, current.as_bytes());
        push_secret(&mut secrets, new.as_bytes());
        let mut helper = Helper {
            child,
            stdin: None,
            stdout,
            stderr,
            deadline: Instant::now() + HELPER_DEADLINE,
            pending: Vec::new(),
        };
        stdin.write_all(&secrets)?;
        stdin.flush()?;
        helper.stdin = Some(stdin);
        Ok(helper)
    }

    /// The helper's next report, waiting at most until its deadline.
    ///
    /// # Errors
    ///
    /// `TimedOut`, an early end, or a line that is not a report.
    pub fn next_report(&mut self) -> io::Result<Report> {
        loop {
            if let Some(end) = self.pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=end).collect();
                return serde_json::from_slice(&line)
                    .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not a report"));
            }
            if self.pending.len() > 64 * 1024 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "report too long",
                ));
            }
            let left = self.deadline.saturating_duration_since(Instant::now());
            let ms = i32::try_from(left.as_millis()).unwrap_or(i32::MAX);
            if ms == 0 || !ffi::wait_readable(&self.stdout, ms) {
                return Err(io::ErrorKind::TimedOut.into());
            }
            let mut buf = [0u8; 4096];
            match self.stdout.read(&mut buf) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => self.pending.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Tells the helper to change the password (`true`) or to stop.
    ///
    /// # Errors
    ///
    /// When the helper is gone.
    pub fn proceed(&mut self, go: bool) -> io::Result<()> {
        let mut stdin = self.stdin.take().ok_or(io::ErrorKind::BrokenPipe)?;
        stdin.write_all(if go { b"y" } else { b"n" })?;
        stdin.flush()
        // Closed here: the helper reads nothing more.
    }

    /// Waits for the helper to exit (killing it past its deadline) and
    /// returns what it wrote on standard error, printable.
    pub fn finish(mut self) -> String {
        drop(self.stdin.take());
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if Instant::now() >= self.deadline => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        let text = self
            .stderr
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        pwpolicy::printable(String::from_utf8_lossy(&text).trim()).into_owned()
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dialogue() -> Dialogue {
        Dialogue {
            current: Zeroizing::new(b"old".to_vec()),
            new: Zeroizing::new(b"new".to_vec()),
            phase: Phase::Authenticate,
            current_given: 0,
            new_given: 0,
            errors: Vec::new(),
        }
    }

    #[test]
    fn prompts_get_the_current_password_while_authenticating_and_by_name_while_changing() {
        let mut d = dialogue();
        assert_eq!(d.answer(false, "Password: ").unwrap().as_slice(), b"old");
        assert!(d.answer(true, "login: ").is_none(), "visible prompts fail");
        d.phase = Phase::Change;
        d.current_given = 0;
        assert_eq!(
            d.answer(false, "Current password: ").unwrap().as_slice(),
            b"old"
        );
        assert_eq!(
            d.answer(false, "New password: ").unwrap().as_slice(),
            b"new"
        );
        assert_eq!(
            d.answer(false, "Retype new password: ").unwrap().as_slice(),
            b"new"
        );
        assert!(
            d.answer(false, "New password: ").is_none(),
            "asked a third time, PAM refused it: stop"
        );
    }

    #[test]
    fn failures_per_account_are_limited_and_forgiven_on_success() {
        let a = Attempts::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        drop(a.begin("erin", t0).unwrap());
        drop(a.begin("erin", t0).unwrap());
        let wait = a.begin("erin", t0 + Duration::from_secs(10)).err().unwrap();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(a.begin("john", t0).is_ok(), "another account has its own");
        // Past the window, one more try; a success forgets the failures.
        let later = t0 + Duration::from_secs(61);
        a.begin("erin", later).unwrap().authenticated();
        a.begin("erin", later).unwrap().uncounted();
        drop(a.begin("erin", later).unwrap());
        drop(a.begin("erin", later).unwrap());
        assert!(a.begin("erin", later).is_err());
    }

    #[test]
    fn secrets_travel_length_prefixed() {
        let mut buf = Zeroizing::new(Vec::new());
        push_secret(&mut buf, "pa\nss".as_bytes());
        push_secret(&mut buf, b"");
        let mut r = &buf[..];
        assert_eq!(read_secret(&mut r).unwrap().as_slice(), b"pa\nss");
        assert_eq!(read_secret(&mut r).unwrap().as_slice(), b"");
        let huge = u32::MAX.to_be_bytes();
        assert!(read_secret(&mut &huge[..]).is_err());
    }
}
