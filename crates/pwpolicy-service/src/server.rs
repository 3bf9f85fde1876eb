//! The service: one thread per connection (capped, with per-user caps and
//! deadlines so a slow or hostile client holds only its own thread), a small
//! pool of store connections, the argon2 limits of [`crate::limits`], and
//! graceful shutdown.

use std::collections::HashMap;
use std::io::{self, Read};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pwpolicy::Policy;
use pwpolicy_backend::wire::{
    Answer, Envelope, ErrorKind, MAX_FRAME, PAGE_BYTES, PROTOCOL_VERSION, Refusal, Request,
    Response, RowsPage, TablePage, VersionOnly, encode_answer, write_frame,
};
use pwpolicy_backend::{
    BackendError, CheckAnswer, CheckRequest, CommitRequest, Expiry, Local, Opener, PamChange,
    Passwords, Records, Reminders, Status, StatusRow, ops,
};
use pwpolicy_host::Lists;
use pwpolicy_store::{HistoryScope, Location, OpenMode, Store, StoreError};
use time::OffsetDateTime;
use tracing::{info, warn};

use crate::auth::{Peer, authorize};
use crate::ffi;
use crate::limits::{Limits, LimitsConfig, Payer, Throttled};
use crate::pam_change::{Attempts, FAILURE_WINDOW, FAILURES_ALLOWED, Helper, Report, Target};

/// How long an ordinary caller waits for a `reused` or `similar_to_history`
/// answer, as pam_unix delays a wrong password: guessing at old passwords,
/// or at their stems, stays slow.
pub const REUSED_DELAY: Duration = Duration::from_secs(2);

/// How the service runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The policy.
    pub policy: Arc<Policy>,
    /// The store it owns.
    pub store: Location,
    /// How it opens that store (SQLite, or PostgreSQL too).
    pub open: Opener,
    /// Members of this group are administrators (besides root).
    pub admin_gid: Option<u32>,
    /// Connections served at once; more are refused with `busy`.
    pub max_connections: usize,
    /// Connections one non-root user may hold at once.
    pub max_per_user: usize,
    /// How long a connection may sit idle, or take to send one request.
    pub timeout: Duration,
    /// Rates and concurrency of the requests that run argon2.
    pub limits: LimitsConfig,
    /// The program run as the PAM change helper: pwpolicyd's own binary.
    pub pam_helper: PathBuf,
}

impl ServerConfig {
    /// Defaults around a policy and a store.
    pub fn new(policy: Policy, store: Location, open: Opener) -> ServerConfig {
        ServerConfig {
            policy: Arc::new(policy),
            store,
            open,
            admin_gid: None,
            max_connections: 256,
            max_per_user: 16,
            timeout: Duration::from_secs(10),
            limits: LimitsConfig::default(),
            pam_helper: PathBuf::from("/proc/self/exe"),
        }
    }
}

struct Shared {
    forbidden: PerUidLog,
    throttled: PerUidLog,
    limits: Limits,
    config: ServerConfig,
    pool: Mutex<Vec<Box<dyn Store>>>,
    active: AtomicUsize,
    per_user: Mutex<HashMap<u32, usize>>,
    /// The breached-password list, mapped once for every request.
    lists: Arc<Lists>,
    /// Failed authentications per account of changes through PAM.
    attempts: Attempts,
}

/// Refusals (forbidden, rate-limited) logged per uid per minute; past that
/// one line says the rest are not, so one user cannot flood the journal.
const REFUSALS_LOGGED_PER_MINUTE: u32 = 10;

/// Counts one kind of refusal per uid in one-minute windows.
#[derive(Default)]
struct PerUidLog(Mutex<HashMap<u32, (Instant, u32)>>);

/// Whether to log a forbidden request.
#[derive(Debug, PartialEq, Eq)]
enum Noted {
    Log,
    LastLogged,
    Quiet,
}

impl PerUidLog {
    /// Logs a refusal (`what`: "forbidden", "rate-limited") unless this uid
    /// has had its share of such lines this minute.
    fn log(&self, peer: &Peer, op: &str, what: &str) {
        match self.note(peer.uid) {
            Noted::Log => warn!(uid = peer.uid, pid = peer.pid, op, "{what}"),
            Noted::LastLogged => warn!(
                uid = peer.uid,
                "{what} requests from this uid: not logging more this minute"
            ),
            Noted::Quiet => {}
        }
    }

    fn note(&self, uid: u32) -> Noted {
        let now = Instant::now();
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > 4096 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let (start, count) = seen.entry(uid).or_insert((now, 0));
        if now.duration_since(*start) >= Duration::from_secs(60) {
            (*start, *count) = (now, 0);
        }
        *count += 1;
        match (*count).cmp(&REFUSALS_LOGGED_PER_MINUTE) {
            std::cmp::Ordering::Less | std::cmp::Ordering::Equal => Noted::Log,
            _ if *count == REFUSALS_LOGGED_PER_MINUTE + 1 => Noted::LastLogged,
            _ => Noted::Quiet,
        }
    }
}

/// Serves `listener` until `stop` is set (seen within 200 ms, or at once
/// when a connection wakes the listener), then waits up to `grace` for
/// requests in flight.
///
/// # Errors
///
/// Only a failing `accept` that is not a passing condition.
pub fn serve(
    listener: &UnixListener,
    config: ServerConfig,
    stop: &AtomicBool,
    grace: Duration,
) -> io::Result<()> {
    let shared = Arc::new(Shared {
        forbidden: PerUidLog::default(),
        throttled: PerUidLog::default(),
        limits: Limits::new(config.limits.clone()),
        config,
        pool: Mutex::new(Vec::new()),
        active: AtomicUsize::new(0),
        per_user: Mutex::new(HashMap::new()),
        lists: Arc::new(Lists::new()),
        attempts: Attempts::new(FAILURES_ALLOWED, FAILURE_WINDOW),
    });
    // Wait with a timeout rather than block in accept, so a stop is seen
    // even when nothing can connect to wake us (the socket path removed).
    loop {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        if !ffi::wait_for_connection(listener, 200) {
            continue;
        }
        let stream = match listener.accept().map(|(s, _)| s) {
            Ok(s) => s,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
                ) =>
            {
                continue;
            }
            Err(e)
                if e.raw_os_error() == Some(libc::EMFILE)
                    || e.raw_os_error() == Some(libc::ENFILE) =>
            {
                warn!(error = %for_log(&e), "out of file descriptors; pausing accept");
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            Err(e) => return Err(e),
        };
        admit(&shared, stream);
    }
    let deadline = Instant::now() + grace;
    while shared.active.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    info!(in_flight = shared.active.load(Ordering::SeqCst), "stopped");
    Ok(())
}

/// Checks the caps and hands the connection to its own thread.
fn admit(shared: &Arc<Shared>, mut stream: UnixStream) {
    let peer = match identify(shared, &stream) {
        Ok(peer) => peer,
        Err(e) => {
            warn!(error = %for_log(&e), "cannot identify a caller; closing");
            return;
        }
    };
    let cfg = &shared.config;
    if shared.active.load(Ordering::SeqCst) >= cfg.max_connections {
        refuse_busy(&mut stream, "the service is at its connection limit");
        return;
    }
    if peer.uid != 0 {
        let mut per_user = shared.per_user.lock().unwrap_or_else(|e| e.into_inner());
        let held = per_user.entry(peer.uid).or_default();
        if *held >= cfg.max_per_user {
            drop(per_user);
            refuse_busy(&mut stream, "too many connections from this user");
            return;
        }
        *held += 1;
    }
    shared.active.fetch_add(1, Ordering::SeqCst);
    let worker = Arc::clone(shared);
    let uid = peer.uid;
    let spawned = std::thread::Builder::new()
        .name("pwpolicyd-conn".into())
        .spawn(move || {
            if let Err(e) = connection(&worker, stream, &peer)
                && !matches!(
                    e.kind(),
                    io::ErrorKind::UnexpectedEof
                        | io::ErrorKind::BrokenPipe
                        | io::ErrorKind::ConnectionReset
                )
            {
                info!(uid, error = %for_log(&e), "connection ended");
            }
            release(&worker, uid);
        });
    if let Err(e) = spawned {
        warn!(error = %for_log(&e), "cannot start a connection thread");
        release(shared, uid);
    }
}

fn release(shared: &Shared, uid: u32) {
    if uid != 0 {
        let mut per_user = shared.per_user.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(held) = per_user.get_mut(&uid) {
            *held = held.saturating_sub(1);
        }
    }
    shared.active.fetch_sub(1, Ordering::SeqCst);
}

fn refuse_busy(stream: &mut UnixStream, why: &str) {
    let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
    let _ = respond(stream, Err((ErrorKind::Busy, why.to_owned())));
}

fn identify(shared: &Shared, stream: &UnixStream) -> io::Result<Peer> {
    let (uid, gid, pid) = ffi::peer_cred(stream)?;
    let name = ffi::user_name(uid);
    let admin = uid == 0
        || shared.config.admin_gid.is_some_and(|admin| {
            gid == admin
                || name
                    .as_deref()
                    .is_some_and(|n| pwpolicy_host::accounts::group_ids(n, gid).contains(&admin))
        });
    let web = name.as_deref() == Some(shared.config.policy.web.user.as_str());
    Ok(Peer {
        uid,
        pid,
        name,
        admin,
        web,
    })
}

/// Serves requests on one connection until it closes, idles out, or misbehaves.
fn connection(shared: &Shared, mut stream: UnixStream, peer: &Peer) -> io::Result<()> {
    stream.set_write_timeout(Some(shared.config.timeout))?;
    loop {
        let Some(body) = read_request(&mut stream, shared.config.timeout)? else {
            return Ok(());
        };
        match serde_json::from_slice::<Envelope>(&body) {
            Ok(env) if env.v == PROTOCOL_VERSION => handle(shared, peer, env.request, &mut stream)?,
            parsed => {
                let version = serde_json::from_slice::<VersionOnly>(&body).map(|v| v.v);
                let refusal = match (parsed, version) {
                    (_, Ok(v)) if v != PROTOCOL_VERSION => (
                        ErrorKind::UnsupportedVersion,
                        format!(
                            "protocol version {v} is not supported; this service speaks {PROTOCOL_VERSION}"
                        ),
                    ),
                    (Err(e), _) => (
                        ErrorKind::BadRequest,
                        format!("not a request: {}", json_problem(&e)),
                    ),
                    (Ok(_), _) => (ErrorKind::BadRequest, "not a request".to_owned()),
                };
                respond(&mut stream, Err(refusal))?;
            }
        }
    }
}

/// What is wrong with a request, without quoting it (it may hold a password).
fn json_problem(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Data => "unknown operation or fields",
        _ => "invalid JSON",
    }
}

/// Reads one frame with a deadline for the whole of it (not per read), so a
/// client trickling bytes cannot hold the connection forever.
fn read_request(
    stream: &mut UnixStream,
    timeout: Duration,
) -> io::Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
    let deadline = Instant::now() + timeout;
    let mut len = [0u8; 4];
    if !read_full(stream, &mut len, deadline, true)? {
        return Ok(None);
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        let _ = respond(
            stream,
            Err((
                ErrorKind::BadRequest,
                format!("request of {len} bytes is over the {MAX_FRAME}-byte limit"),
            )),
        );
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "oversized request",
        ));
    }
    let mut body = zeroize::Zeroizing::new(vec![0u8; len]);
    if !read_full(stream, &mut body, deadline, false)? {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(Some(body))
}

/// Fills `buf` before `deadline`; `Ok(false)` on a clean close before any byte
/// when `eof_ok`.
fn read_full(
    stream: &mut UnixStream,
    buf: &mut [u8],
    deadline: Instant,
    eof_ok: bool,
) -> io::Result<bool> {
    let mut filled = 0;
    while filled < buf.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut buf[filled..]) {
            Ok(0) if filled == 0 && eof_ok => return Ok(false),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(io::ErrorKind::TimedOut.into());
            }
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

type Reply = Result<Answer, (ErrorKind, String)>;

fn respond(stream: &mut UnixStream, reply: Reply) -> io::Result<()> {
    let response = match reply {
        Ok(answer) => Response {
            v: PROTOCOL_VERSION,
            ok: Some(answer),
            error: None,
        },
        Err((kind, message)) => Response {
            v: PROTOCOL_VERSION,
            ok: None,
            error: Some(Refusal { kind, message }),
        },
    };
    write_frame(stream, &encode_answer(&response)?)
}

/// Runs one authorised request against a pooled store connection and
/// writes its answer (a report as many pages as it takes).
fn handle(
    shared: &Shared,
    peer: &Peer,
    request: Request,
    stream: &mut UnixStream,
) -> io::Result<()> {
    let op = request.op();
    if let Err(why) = authorize(peer, &request) {
        shared.forbidden.log(peer, op, "forbidden");
        return respond(stream, Err((ErrorKind::Forbidden, why.to_owned())));
    }
    if let Request::SetChanged { date, .. } = &request
        && let Err(why) = ops::parse_day(date, OffsetDateTime::now_utc())
    {
        return respond(stream, Err((ErrorKind::BadRequest, why)));
    }
    let payer = payer(peer, &request);
    if let Request::PamChange { user, current, new } = &request {
        return respond(
            stream,
            change_through_pam(shared, peer, &payer, user, &current.0, &new.0),
        );
    }
    // Checks and commits run argon2: a token from the caller's bucket, then
    // a fair turn at a slot, held until the answer is ready.
    let slot = if runs_argon2(&request) {
        match shared.limits.enter(&payer) {
            Ok(slot) => Some(slot),
            Err(throttled) => return respond(stream, Err(throttle(shared, peer, op, throttled))),
        }
    } else {
        None
    };
    let store = match checkout(shared) {
        Ok(store) => store,
        Err(e) => {
            warn!(uid = peer.uid, op, error = %for_log(&e), "cannot open the store");
            return respond(stream, Err(refusal(peer, e.into())));
        }
    };
    let mut local = Local::over(Arc::clone(&shared.config.policy), store, shared.config.open)
        .with_lists(Arc::clone(&shared.lists));
    let mut io_failed = None;
    let result = execute(&mut local, peer, request, &mut |page| {
        respond(stream, Ok(page)).map_err(|e| {
            io_failed = Some(e);
            BackendError::Protocol
        })
    });
    drop(slot);
    if let Some(e) = io_failed {
        return Err(e);
    }
    match result {
        Ok(answer) => {
            if let Some(store) = local.into_store() {
                checkin(shared, store);
            }
            if !peer.admin
                && matches!(&answer, Some(Answer::Check(check)) if check.tells_of_history())
            {
                std::thread::sleep(REUSED_DELAY);
            }
            match answer {
                Some(answer) => respond(stream, Ok(answer)),
                None => Ok(()),
            }
        }
        // A store that failed may be broken (a lost PostgreSQL connection): drop it.
        Err(e) => {
            warn!(uid = peer.uid, op, error = %for_log(&e), "request failed");
            respond(stream, Err(refusal(peer, e)))
        }
    }
}

/// The refusal of a request past its payer's rate: answered only after the
/// longest wait, so that a refused caller looping on the socket costs
/// nothing either.
fn throttle(shared: &Shared, peer: &Peer, op: &str, throttled: Throttled) -> (ErrorKind, String) {
    std::thread::sleep(shared.limits.max_wait());
    let secs = throttled
        .retry_after
        .saturating_sub(shared.limits.max_wait())
        .as_secs_f64()
        .ceil()
        .max(1.0);
    shared.throttled.log(peer, op, "rate-limited");
    (
        ErrorKind::Busy,
        format!("too many password checks from this user; try again in {secs} s"),
    )
}

/// A change through PAM (see [`crate::pam_change`]): the caller's token,
/// the account's failure limit, the helper's authentication, pwpolicy's own
/// check (with an argon2 slot, released before PAM changes anything), then
/// the helper's `pam_chauthtok`. Every way it ends is logged without either
/// password.
fn change_through_pam(
    shared: &Shared,
    peer: &Peer,
    payer: &Payer,
    user: &str,
    current: &zeroize::Zeroizing<String>,
    new: &zeroize::Zeroizing<String>,
) -> Reply {
    let op = "pam_change";
    let policy = Arc::clone(&shared.config.policy);
    let Some(service) = policy.web.pam_service.as_deref() else {
        shared.forbidden.log(peer, op, "forbidden");
        return Err((
            ErrorKind::Forbidden,
            "changes through PAM are off: [web] pam_service is not set".to_owned(),
        ));
    };
    if user.is_empty() || user.len() > 256 || user.chars().any(char::is_control) {
        return Err((ErrorKind::BadRequest, "not an account name".to_owned()));
    }
    if let Err(throttled) = shared.limits.take(payer) {
        return Err(throttle(shared, peer, op, throttled));
    }
    let answer = |outcome: PamChange| {
        let name = match &outcome {
            PamChange::Changed => "changed",
            PamChange::WrongCredentials => "wrong_credentials",
            PamChange::Rejected { .. } => "rejected",
            PamChange::Refused { .. } => "refused",
            PamChange::TooManyAttempts { .. } => "too_many_attempts",
            PamChange::Unavailable => "unavailable",
        };
        info!(uid = peer.uid, op, user, outcome = name, "request");
        Ok(Answer::PamChange(outcome))
    };
    let attempt = match shared.attempts.begin(user, Instant::now()) {
        Ok(attempt) => attempt,
        Err(wait) => {
            return answer(PamChange::TooManyAttempts {
                retry_after_secs: wait.as_secs().max(1),
            });
        }
    };
    let target = Target::of(user, &policy);
    let mut helper = match Helper::spawn(&shared.config.pam_helper, service, &target, current, new)
    {
        Ok(helper) => helper,
        Err(e) => {
            attempt.uncounted();
            warn!(uid = peer.uid, op, user, error = %for_log(&e), "cannot start the PAM helper");
            return answer(PamChange::Unavailable);
        }
    };
    let unavailable = |what: &str, why: &str| {
        warn!(uid = peer.uid, op, user, why = %pwpolicy::printable(why), "{what}");
        PamChange::Unavailable
    };
    let outcome = match helper.next_report() {
        Ok(Report::Authenticated { .. }) if target.real => {
            attempt.authenticated();
            match own_check(shared, payer, user, new) {
                Ok(verdict) if verdict.accepted => {
                    match helper.proceed(true).and_then(|()| helper.next_report()) {
                        Ok(Report::Changed) => PamChange::Changed,
                        Ok(Report::ChangeRefused { message }) => PamChange::Refused { message },
                        Ok(Report::Unavailable { why }) => {
                            unavailable("PAM cannot change passwords", &why)
                        }
                        Ok(other) => unavailable(
                            "the PAM helper answered out of turn",
                            &format!("{other:?}"),
                        ),
                        Err(e) => unavailable("the PAM helper failed", &for_log(&e)),
                    }
                }
                Ok(verdict) => {
                    let _ = helper.proceed(false);
                    PamChange::Rejected {
                        violations: verdict.violations,
                    }
                }
                Err(e) => {
                    let _ = helper.proceed(false);
                    unavailable("cannot check the new password", &for_log(&e))
                }
            }
        }
        // A name that cannot exist authenticated: never change anything.
        Ok(Report::Authenticated { .. }) | Ok(Report::AuthFailed) => {
            let _ = helper.proceed(false);
            drop(attempt);
            PamChange::WrongCredentials
        }
        Ok(Report::AccountRefused { message }) => {
            attempt.authenticated();
            PamChange::Refused { message }
        }
        Ok(Report::Unavailable { why }) => {
            attempt.uncounted();
            unavailable("PAM cannot authenticate", &why)
        }
        Ok(other) => {
            attempt.uncounted();
            unavailable("the PAM helper answered out of turn", &format!("{other:?}"))
        }
        Err(e) => {
            attempt.uncounted();
            unavailable("the PAM helper failed", &for_log(&e))
        }
    };
    if outcome == PamChange::Changed {
        // Shadow's last change is today's now, not what was cached.
        pwpolicy_host::Facts::forget(user);
    }
    let stderr = helper.finish();
    if !stderr.is_empty() {
        warn!(
            uid = peer.uid,
            op, user, stderr, "the PAM helper wrote on standard error"
        );
    }
    answer(outcome)
}

/// pwpolicy's own verdict on a change through PAM, as the `check` request
/// gives it to root (the whole history, the current password included: the
/// caller has just proved they know it), with the minimum age counted and
/// the full name the passwd database's.
fn own_check(
    shared: &Shared,
    payer: &Payer,
    user: &str,
    new: &zeroize::Zeroizing<String>,
) -> Result<CheckAnswer, BackendError> {
    let _slot = shared.limits.turn(payer);
    let store = checkout(shared)?;
    let mut local = Local::over(Arc::clone(&shared.config.policy), store, shared.config.open)
        .with_lists(Arc::clone(&shared.lists));
    let verdict = local.check_within(
        &CheckRequest {
            user: Some(user),
            full_name: None,
            password: new,
            enforce_min_age: true,
            prepare: false,
        },
        HistoryScope::Whole,
    )?;
    if let Some(store) = local.into_store() {
        checkin(shared, store);
    }
    Ok(verdict)
}

/// Who pays for a request: an ordinary caller by uid; root and
/// administrators (setuid PAM clients among them) by the account it is about.
fn payer(peer: &Peer, request: &Request) -> Payer {
    let account = match request {
        Request::Check { user, .. } => user.as_deref(),
        Request::Commit { user, .. }
        | Request::Change { user, .. }
        | Request::PamChange { user, .. } => Some(user.as_str()),
        _ => None,
    };
    match account {
        Some(user) if peer.admin => Payer::Account(user.to_owned()),
        _ => Payer::Uid(peer.uid),
    }
}

/// The requests that hash a password.
fn runs_argon2(request: &Request) -> bool {
    matches!(
        request,
        Request::Check { .. } | Request::Commit { .. } | Request::Change { .. }
    )
}

/// What a caller is told of a failure. Administrators get the detail; an
/// ordinary caller learns only that the service is misconfigured, never the
/// paths and modes of root's pepper, store or lists (the log has them).
fn refusal(peer: &Peer, e: BackendError) -> (ErrorKind, String) {
    let kind = match &e {
        BackendError::Store(StoreError::InvalidUser(_)) | BackendError::InvalidDate(_) => {
            return (ErrorKind::BadRequest, e.to_string());
        }
        BackendError::UnknownAccount(_) => return (ErrorKind::UnknownAccount, e.to_string()),
        BackendError::Breached(_) => ErrorKind::ListUnavailable,
        _ => ErrorKind::StoreUnavailable,
    };
    if peer.admin {
        return (kind, pwpolicy_host::say(&e));
    }
    (
        kind,
        "the password service is misconfigured; the administrator can see why in its log"
            .to_owned(),
    )
}

fn checkout(shared: &Shared) -> Result<Box<dyn Store>, StoreError> {
    let pooled = shared.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
    match pooled {
        Some(store) => Ok(store),
        None => (shared.config.open)(&shared.config.store, OpenMode::ReadWrite),
    }
}

fn checkin(shared: &Shared, store: Box<dyn Store>) {
    let mut pool = shared.pool.lock().unwrap_or_else(|e| e.into_inner());
    if pool.len() < 32 {
        pool.push(store);
    }
}

/// Answers one request through the local backend; a report's pages
/// ([`Answer::Rows`] or [`Answer::Table`]) go to `page` as they fill (and
/// the final, empty-or-not page with `more: false`).
fn execute(
    local: &mut Local,
    peer: &Peer,
    request: Request,
    page: &mut dyn FnMut(Answer) -> Result<(), BackendError>,
) -> Result<Option<Answer>, BackendError> {
    let op = request.op();
    Ok(Some(match request {
        Request::Check {
            user,
            full_name,
            password,
            enforce_min_age,
            prepare,
        } => {
            // An ordinary user's check is of their own account by default;
            // an administrator's without an account is of the text alone.
            let user = user.or_else(|| peer.name.clone().filter(|_| !peer.admin));
            // Only administrators (root: passwd and su, after pam_unix took
            // the current password) hear whether a candidate is the current
            // password; for anyone else that answer would be a free oracle.
            let scope = if peer.admin {
                HistoryScope::Whole
            } else {
                HistoryScope::ExceptCurrent
            };
            // Only an administrator may say whose names to keep out; anyone
            // else is held to the passwd database's (and cannot make the
            // name rule run over a name of their own making).
            let full_name = full_name.filter(|_| peer.admin);
            let answer = local.check_within(
                &CheckRequest {
                    user: user.as_deref(),
                    full_name: full_name.as_deref(),
                    password: &password.0,
                    enforce_min_age,
                    // Entries for a commit, which only an administrator may
                    // make: anyone else has no use for them.
                    prepare: prepare && peer.admin,
                },
                scope,
            )?;
            let codes: Vec<&str> = answer.violations.iter().map(|v| v.code()).collect();
            info!(uid = peer.uid, op, user, accepted = answer.accepted, codes = ?codes, "request");
            Answer::Check(answer)
        }
        Request::Commit {
            user,
            password,
            enforce_min_age,
            allow_reuse,
            prehashed,
        } => {
            // An administrator's word, as the password itself is: a commit
            // is theirs alone to make, whatever it records.
            let answer = local.commit(&CommitRequest {
                user: &user,
                password: &password.0,
                enforce_min_age,
                allow_reuse,
                prehashed: prehashed.as_ref(),
            })?;
            info!(
                uid = peer.uid,
                op,
                user,
                changed = answer.changed,
                allow_reuse,
                "request"
            );
            Answer::Commit(answer)
        }
        Request::Change {
            user,
            full_name,
            password,
            enforce_min_age,
        } => {
            let answer = local.change(&CheckRequest {
                user: Some(&user),
                full_name: full_name.as_deref(),
                password: &password.0,
                enforce_min_age,
                prepare: false,
            })?;
            let codes: Vec<&str> = answer.verdict.violations.iter().map(|v| v.code()).collect();
            info!(uid = peer.uid, op, user, changed = answer.changed, codes = ?codes, "request");
            Answer::Change(answer)
        }
        Request::Status { user } => {
            let user = user
                .or_else(|| peer.name.clone())
                .ok_or(BackendError::Store(StoreError::InvalidUser(
                    "the caller has no user name",
                )))?;
            let mut status = local.status(Some(&user))?;
            // The fix is root's to run; an ordinary caller is told the
            // facts, not a command they cannot use.
            if !peer.admin {
                status.remedy = None;
            }
            Answer::Status(Box::new(status))
        }
        Request::Report {
            expiring_within,
            compact,
        } => {
            let count = in_pages(page, compact, |row| local.report(expiring_within, row))?;
            info!(uid = peer.uid, op, rows = count, "request");
            return Ok(None);
        }
        Request::List { compact } => {
            let count = in_pages(page, compact, |row| local.list(row))?;
            info!(uid = peer.uid, op, rows = count, "request");
            return Ok(None);
        }
        Request::Reminder {
            user,
            reminder,
            action,
        } => {
            use pwpolicy_backend::wire::ReminderAction;
            let answer = match action {
                ReminderAction::Claim => Answer::Yes(local.claim(&user, &reminder)?),
                ReminderAction::WasSent => Answer::Yes(local.was_sent(&user, &reminder)?),
                ReminderAction::Sent => {
                    local.sent(&user, &reminder)?;
                    Answer::Done
                }
                ReminderAction::Release => {
                    local.release(&user, &reminder)?;
                    Answer::Done
                }
            };
            info!(
                uid = peer.uid,
                op,
                user,
                ?action,
                reason = reminder.reason.as_str(),
                "request"
            );
            answer
        }
        Request::Expire { user, create } => {
            local.expire(&user, create)?;
            info!(uid = peer.uid, op, user, "request");
            Answer::Done
        }
        Request::SetChanged { user, date, create } => {
            local.set_changed(&user, &date, create)?;
            info!(uid = peer.uid, op, user, date, "request");
            Answer::Done
        }
        // Answered by `change_through_pam` before a store is taken.
        Request::PamChange { .. } => return Err(BackendError::Protocol),
    }))
}

/// An error for a log line: its causes said once ([`pwpolicy_host::say`])
/// and made printable ([`pwpolicy::printable`]). Errors quote what clients
/// sent (an account name) and what the policy names (paths), and the
/// terminal format writes a `%` field as it is: a newline in it would start
/// a line of the sender's making. (String fields such as `user` are quoted
/// and escaped by the format itself; the journal keeps each field apart.)
pub fn for_log(e: &(dyn std::error::Error + 'static)) -> String {
    pwpolicy::printable(&pwpolicy_host::say(e)).into_owned()
}

/// Sends the rows `walk` visits as pages of about [`PAGE_BYTES`] (rows
/// as arrays when `compact`), the last with `more: false`; returns how
/// many rows there were.
fn in_pages(
    page: &mut dyn FnMut(Answer) -> Result<(), BackendError>,
    compact: bool,
    walk: impl FnOnce(&mut dyn FnMut(Status) -> Result<(), BackendError>) -> Result<(), BackendError>,
) -> Result<usize, BackendError> {
    // The field names and fixed-size values: about 230 bytes a row as an
    // object, 60 as an array. The text fields are counted as they come.
    let overhead = if compact { 60 } else { 230 };
    let (mut full, mut table) = (Vec::new(), Vec::new());
    let (mut bytes, mut count) = (0, 0usize);
    let mut send = |full: Vec<Status>, table: Vec<StatusRow>, more: bool| {
        page(if compact {
            Answer::Table(TablePage { rows: table, more })
        } else {
            Answer::Rows(RowsPage { rows: full, more })
        })
    };
    walk(&mut |row: Status| {
        bytes += text_bytes(&row) + overhead;
        count += 1;
        if compact {
            table.push(StatusRow::from(row));
        } else {
            full.push(row);
        }
        if bytes >= PAGE_BYTES {
            bytes = 0;
            send(std::mem::take(&mut full), std::mem::take(&mut table), true)?;
        }
        Ok(())
    })?;
    send(full, table, false)?;
    Ok(count)
}

/// The bytes of `row`'s text fields, which a page's size is mostly made
/// of: a page must stay well inside [`MAX_FRAME`] whatever the notes say.
fn text_bytes(row: &Status) -> usize {
    let texts = [
        Some(&row.user),
        row.full_name.as_ref(),
        Some(&row.class),
        row.note.as_ref(),
        row.remedy.as_ref(),
    ];
    let directory = row.directory.as_ref().map_or(0, |d| {
        d.dn.len() + d.settings.len() + d.mail.as_ref().map_or(0, String::len) + 80
    });
    // JSON escapes can double a text (a quote, a backslash) or make it six
    // times as long (a control character); names and notes are printable,
    // so twice is the bound that matters.
    2 * texts.into_iter().flatten().map(String::len).sum::<usize>() + directory
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_requests_are_logged_a_few_times_a_minute_per_uid() {
        let log = PerUidLog::default();
        let noted: Vec<Noted> = (0..12).map(|_| log.note(1000)).collect();
        assert!(noted[..10].iter().all(|n| *n == Noted::Log));
        assert_eq!(noted[10..], [Noted::LastLogged, Noted::Quiet]);
        assert_eq!(log.note(1001), Noted::Log, "another uid has its own count");
    }
}
