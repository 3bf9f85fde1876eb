//! `pwpolicyd`: serves the policy store on a Unix socket.
//!
//! ```text
//! pwpolicyd [--socket PATH] [--config FILE] [--db FILE|URL] [--admin-group NAME]
//! ```
//!
//! With systemd socket activation the socket comes from systemd. SIGTERM or
//! SIGINT stop it gracefully: no new connections, requests in flight finish.

#![deny(unsafe_code)]

use std::io::IsTerminal;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use std::os::unix::fs::DirBuilderExt;

use anyhow::{Context, bail};
use clap::Parser;
use pwpolicy_service::cli::Args;
use pwpolicy_service::limits::Rate;
use pwpolicy_service::server::{ServerConfig, for_log, serve};
use pwpolicy_service::{DEFAULT_SOCKET, ffi, pam_change};
use pwpolicy_store::Location;
use tracing::{error, info, warn};

/// How the service opens its store: SQLite or PostgreSQL.
const OPEN_STORE: pwpolicy_backend::Opener = pwpolicy_store_postgres::open;

fn main() -> ExitCode {
    // pwpolicyd run again by itself to change a password through PAM
    // (hidden; see pwpolicy_service::pam_change): no logging, no service.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == pam_change::HELPER_ARG)
    {
        let args: Vec<String> = std::env::args_os()
            .skip(2)
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        return pam_change::helper(&args);
    }
    init_logging();
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            error!("{}", for_log(e.as_ref()));
            ExitCode::FAILURE
        }
    }
}

/// Logs for whoever reads them: under systemd (`JOURNAL_STREAM` names our
/// stderr) the journal's native protocol, each level its priority and no
/// timestamps of our own; on a terminal, coloured lines; anywhere else (a
/// file, a pipe), plain lines without colour codes.
fn init_logging() {
    use tracing_subscriber::prelude::*;
    if stderr_is_journal()
        && let Ok(journal) = tracing_journald::layer()
    {
        tracing_subscriber::registry()
            .with(log_filter())
            .with(journal.with_syslog_identifier("pwpolicyd".to_owned()))
            .init();
        return;
    }
    tracing_subscriber::fmt()
        .with_env_filter(log_filter())
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

/// Whether stderr is the journal stream systemd gave us (`JOURNAL_STREAM`
/// is `DEVICE:INODE` of it), not a redirection made since.
fn stderr_is_journal() -> bool {
    use std::os::unix::fs::MetadataExt;
    let Some(stream) = std::env::var_os("JOURNAL_STREAM") else {
        return false;
    };
    let Ok(meta) = std::fs::metadata("/proc/self/fd/2") else {
        return false;
    };
    stream.to_str() == Some(&format!("{}:{}", meta.dev(), meta.ino()))
}

/// `PWPOLICYD_LOG` (default `info`), except that the PostgreSQL client never
/// logs below `info`: at debug it logs statement parameters, which are
/// argon2id hashes and salts.
fn log_filter() -> tracing_subscriber::EnvFilter {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PWPOLICYD_LOG")
        .unwrap_or_else(|_| "info".into());
    ["tokio_postgres=info", "postgres=info"]
        .into_iter()
        .filter_map(|d| d.parse().ok())
        .fold(filter, tracing_subscriber::EnvFilter::add_directive)
}

fn run(args: Args) -> anyhow::Result<()> {
    let policy = pwpolicy_host::policy_file::load(args.config.as_deref())?.policy;
    // What `pwpolicy policy check` would refuse, said at the start: the
    // service runs (a list may yet appear), but each request that needs the
    // file will fail until it is fixed.
    for problem in pwpolicy_host::policy_file::verify_named_files(&policy) {
        warn!(error = %for_log(&problem), "a file the policy names cannot be used");
    }
    let store = args
        .db
        .as_deref()
        .or(policy.store.db.as_deref())
        .map_or_else(Location::default_path, Location::parse);
    // Open the store once now, so a broken one stops the start, loudly.
    drop(OPEN_STORE(&store, pwpolicy_store::OpenMode::ReadWrite).context("cannot open the store")?);
    let admin_group = args
        .admin_group
        .or_else(|| policy.service.admin_group.clone());
    let admin_gid = match &admin_group {
        Some(name) => Some(ffi::group_gid(name).with_context(|| format!("no group `{name}`"))?),
        None => None,
    };
    // SAFETY: called once, here, before the signal thread or any connection
    // thread is started; fd 3 is not used by anything else in this process.
    #[allow(unsafe_code)]
    let activated = unsafe { ffi::activated_listener() };
    let (listener, path) = match activated {
        Some(listener) => (listener, None),
        None => {
            let path = args
                .socket
                .or_else(|| policy.service.socket.clone().map(PathBuf::from))
                .unwrap_or_else(|| PathBuf::from(DEFAULT_SOCKET));
            (bind(&path)?, Some(path))
        }
    };
    let wake_path = path.clone().or_else(|| {
        listener
            .local_addr()
            .ok()?
            .as_pathname()
            .map(Path::to_owned)
    });

    let stop = Arc::new(AtomicBool::new(false));
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
    ])?;
    let stop_flag = Arc::clone(&stop);
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            info!(signal, "stopping");
            stop_flag.store(true, Ordering::SeqCst);
            // Wake the accept loop.
            if let Some(path) = wake_path {
                let _ = UnixStream::connect(path);
            }
        }
    });

    let mut config = ServerConfig::new(policy, store.clone(), OPEN_STORE);
    config.admin_gid = admin_gid;
    config.max_connections = args.max_connections;
    config.max_per_user = args.max_per_user;
    config.timeout = Duration::from_secs(args.timeout.max(1));
    if let Some(slots) = args.hash_slots {
        config.limits.slots = slots.max(1);
    }
    config.limits.user = Rate {
        burst: args.user_burst.max(1),
        per_second: args.user_rate.max(0.001),
    };
    config.limits.admin = Rate {
        burst: args.admin_burst.max(1),
        per_second: args.admin_rate.max(0.001),
    };
    // argon2's blocks go back to the system after each run, so the memory a
    // burst took does not stay (at most `slots` runs hold it at once).
    ffi::return_large_blocks();
    info!(store = %store, socket = ?path, admin_group = ?admin_group, "serving");
    serve(&listener, config, &stop, Duration::from_secs(5))?;
    if let Some(path) = path {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// Binds the socket (mode 0666: the kernel's peer credentials, not file
/// permissions, decide what each caller may do), replacing a stale one.
fn bind(path: &Path) -> anyhow::Result<UnixListener> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // Nobody else may plant or swap what is at the socket's path: its
    // directory is root's (or ours) and writable by no one else.
    pwpolicy_trust::verify_dir(dir).context("refusing the socket directory")?;
    if pwpolicy_trust::is_own_socket(path)? {
        if UnixStream::connect(path).is_ok() {
            bail!("another service is already listening on {}", path.display());
        }
        std::fs::remove_file(path)
            .with_context(|| format!("cannot remove the stale socket {}", path.display()))?;
    }
    // Everyone may connect (the kernel tells the service who they are);
    // the mode is set at creation, never by path afterwards.
    // SAFETY: called from `run` before the signal thread or any connection
    // thread is started.
    #[allow(unsafe_code)]
    let bound = unsafe { ffi::bind_with_mode(path, 0o666) };
    bound.with_context(|| format!("cannot listen on {}", path.display()))
}
