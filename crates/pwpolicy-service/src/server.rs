//! The service: one thread per connection (capped, with per-user caps and
//! deadlines so a slow or hostile client holds only its own thread), a small
//! pool of store connections, and graceful shutdown.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pwpolicy::{Password, Policy};
use pwpolicy_store::{Location, OpenMode, Store, StoreError};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tracing::{info, warn};

use crate::accounts::Facts;
use crate::auth::{Peer, authorize};
use crate::ffi;
use crate::ops;
use crate::protocol::{Envelope, ErrorKind, MAX_FRAME, PROTOCOL_VERSION, Request, write_frame};

/// How the service runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The policy.
    pub policy: Policy,
    /// The store it owns.
    pub store: Location,
    /// Members of this group are administrators (besides root).
    pub admin_gid: Option<u32>,
    /// Connections served at once; more are refused with `busy`.
    pub max_connections: usize,
    /// Connections one non-root user may hold at once.
    pub max_per_user: usize,
    /// How long a connection may sit idle, or take to send one request.
    pub timeout: Duration,
}

impl ServerConfig {
    /// Defaults around a policy and a store.
    pub fn new(policy: Policy, store: Location) -> ServerConfig {
        ServerConfig {
            policy,
            store,
            admin_gid: None,
            max_connections: 256,
            max_per_user: 16,
            timeout: Duration::from_secs(10),
        }
    }
}

struct Shared {
    config: ServerConfig,
    pool: Mutex<Vec<Box<dyn Store>>>,
    active: AtomicUsize,
    per_user: Mutex<HashMap<u32, usize>>,
}

/// Serves `listener` until `stop` is set (and the listener woken, e.g. by a
/// connection), then waits up to `grace` for requests in flight.
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
        config,
        pool: Mutex::new(Vec::new()),
        active: AtomicUsize::new(0),
        per_user: Mutex::new(HashMap::new()),
    });
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let stream = match stream {
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
                warn!(error = %e, "out of file descriptors; pausing accept");
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
            warn!(error = %e, "cannot identify a caller; closing");
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
                info!(uid, error = %e, "connection ended");
            }
            release(&worker, uid);
        });
    if let Err(e) = spawned {
        warn!(error = %e, "cannot start a connection thread");
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
            name.as_deref()
                .is_some_and(|n| ffi::in_group(n, gid, admin))
                || gid == admin
        });
    Ok(Peer {
        uid,
        pid,
        name,
        admin,
    })
}

/// Serves requests on one connection until it closes, idles out, or misbehaves.
fn connection(shared: &Shared, mut stream: UnixStream, peer: &Peer) -> io::Result<()> {
    stream.set_write_timeout(Some(shared.config.timeout))?;
    loop {
        let Some(body) = read_request(&mut stream, shared.config.timeout)? else {
            return Ok(());
        };
        let reply = match serde_json::from_slice::<Envelope>(&body) {
            Err(e) => Err((
                ErrorKind::BadRequest,
                format!("not a request: {}", json_problem(&e)),
            )),
            Ok(env) if env.v != PROTOCOL_VERSION => Err((
                ErrorKind::UnsupportedVersion,
                format!(
                    "protocol version {} is not supported; this service speaks {PROTOCOL_VERSION}",
                    env.v
                ),
            )),
            Ok(env) => handle(shared, peer, env.request),
        };
        respond(&mut stream, reply)?;
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

type Reply = Result<Value, (ErrorKind, String)>;

fn respond(stream: &mut UnixStream, reply: Reply) -> io::Result<()> {
    let value = match reply {
        Ok(mut body) => {
            body["v"] = json!(PROTOCOL_VERSION);
            body["ok"] = json!(true);
            body
        }
        Err((kind, message)) => {
            json!({ "v": PROTOCOL_VERSION, "ok": false, "error": { "kind": kind, "message": message } })
        }
    };
    let body = serde_json::to_vec(&value).map_err(io::Error::other)?;
    write_frame(stream, &body)?;
    stream.flush()
}

/// Runs one authorised request against a pooled store connection.
fn handle(shared: &Shared, peer: &Peer, request: Request) -> Reply {
    if let Err(why) = authorize(peer, &request) {
        info!(
            uid = peer.uid,
            pid = peer.pid,
            op = op_name(&request),
            "forbidden"
        );
        return Err((ErrorKind::Forbidden, why.to_owned()));
    }
    let op = op_name(&request);
    if let Request::SetChanged { date, .. } = &request {
        ops::parse_day(date, OffsetDateTime::now_utc())
            .map_err(|why| (ErrorKind::BadRequest, why))?;
    }
    let mut store = checkout(shared).map_err(store_error)?;
    let result = execute(&mut *store, &shared.config.policy, peer, request);
    match &result {
        Ok(_) => checkin(shared, store),
        // A store that failed may be broken (a lost PostgreSQL connection): drop it.
        Err(e) => warn!(uid = peer.uid, op, error = %e, "store error"),
    }
    result.map_err(store_error)
}

fn op_name(request: &Request) -> &'static str {
    match request {
        Request::Check { .. } => "check",
        Request::Commit { .. } => "commit",
        Request::Status { .. } => "status",
        Request::Report { .. } => "report",
        Request::Expire { .. } => "expire",
        Request::SetChanged { .. } => "set_changed",
    }
}

fn store_error(e: StoreError) -> (ErrorKind, String) {
    match e {
        StoreError::InvalidUser(_) => (ErrorKind::BadRequest, e.to_string()),
        other => (ErrorKind::StoreUnavailable, other.to_string()),
    }
}

fn checkout(shared: &Shared) -> Result<Box<dyn Store>, StoreError> {
    let pooled = shared.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
    match pooled {
        Some(store) => Ok(store),
        None => pwpolicy_store::open(&shared.config.store, OpenMode::ReadWrite),
    }
}

fn checkin(shared: &Shared, store: Box<dyn Store>) {
    let mut pool = shared.pool.lock().unwrap_or_else(|e| e.into_inner());
    if pool.len() < 32 {
        pool.push(store);
    }
}

fn execute(
    store: &mut dyn Store,
    policy: &Policy,
    peer: &Peer,
    request: Request,
) -> Result<Value, StoreError> {
    let now = OffsetDateTime::now_utc();
    let op = op_name(&request);
    Ok(match request {
        Request::Check {
            user,
            full_name,
            password,
        } => {
            // The user's class decides which rules apply (or none).
            let facts = Facts::lookup(&user);
            let coverage = facts.coverage(policy);
            let verdict = if coverage.checks_passwords() {
                ops::check(
                    Some(store),
                    &coverage.policy,
                    &user,
                    &full_name,
                    &Password::new(&password.0),
                    now,
                )?
            } else {
                pwpolicy::Verdict::default()
            };
            let codes: Vec<&str> = verdict.violations().iter().map(|v| v.code()).collect();
            info!(uid = peer.uid, op, user, accepted = verdict.is_accepted(), codes = ?codes, "request");
            let mut value = serde_json::to_value(&verdict).unwrap_or_default();
            value["history_checked"] = json!(true);
            value
        }
        Request::Commit {
            user,
            password,
            enforce_min_age,
            allow_reuse,
        } => {
            let facts = Facts::lookup(&user);
            let coverage = facts.coverage(policy);
            if !coverage.checks_passwords() {
                info!(uid = peer.uid, op, user, exempt = true, "request");
                return Ok(json!({ "changed": false, "violations": [] }));
            }
            let how = ops::ChangeRules {
                enforce_min_age,
                allow_reuse,
            };
            let outcome = ops::commit(
                store,
                &coverage.policy,
                &user,
                &Password::new(&password.0),
                how,
                now,
            )?;
            info!(
                uid = peer.uid,
                op,
                user,
                changed = outcome.is_ok(),
                allow_reuse,
                "request"
            );
            match outcome {
                Ok(()) => json!({ "changed": true, "violations": [] }),
                Err(v) => json!({ "changed": false, "violations": v }),
            }
        }
        Request::Status { user } => {
            let user = match user.or_else(|| peer.name.clone()) {
                Some(user) => user,
                None => return Err(StoreError::InvalidUser("the caller has no user name")),
            };
            let facts = Facts::lookup(&user);
            json!({ "status": ops::status(Some(store), policy, &facts, now)? })
        }
        Request::Report { expiring_within } => {
            let mut rows = Vec::new();
            ops::report(
                store,
                policy,
                expiring_within,
                now,
                &mut |user, standing| {
                    rows.push(standing.json(user));
                    Ok(())
                },
            )?;
            info!(uid = peer.uid, op, rows = rows.len(), "request");
            json!({ "rows": rows })
        }
        Request::Expire { user } => {
            store.expire(&user, now)?;
            info!(uid = peer.uid, op, user, "request");
            json!({})
        }
        Request::SetChanged { user, date } => {
            // Validated in `handle`.
            let at = ops::parse_day(&date, now).unwrap_or(now);
            store.set_changed(&user, at, now)?;
            info!(uid = peer.uid, op, user, date, "request");
            json!({})
        }
    })
}
