//! Load on pwpolicyd over its socket: status queries per second with many
//! concurrent clients (target ≥ 20,000/s with p99 ≤ 2 ms on 2 cores), then
//! check + commit throughput with the default argon2id cost.
//!
//! ```text
//! cargo build --release -p pwpolicy-service -p pwpolicy-benches
//! target/release/service_load [--clients N] [--seconds S] [--socket PATH]
//! ```
//!
//! Without `--socket` it starts the `pwpolicyd` beside it on a fresh store in
//! a temporary directory, seeds 1,000 users, and stops it afterwards.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pwpolicy_backend::{
    BackendError, CheckRequest, CommitRequest, Expiry, Passwords, Records, Service,
};
use pwpolicy_benches::{arg, start_pwpolicyd};
use zeroize::Zeroizing;

/// What one client thread measured.
struct Sample {
    latencies_us: Vec<u32>,
    errors: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let clients: usize = arg(&args, "--clients").map_or(Ok(32), |s| s.parse())?;
    let seconds: u64 = arg(&args, "--seconds").map_or(Ok(5), |s| s.parse())?;
    let scratch = std::env::temp_dir().join(format!("pwpolicy-load-{}", std::process::id()));
    let (socket, mut daemon) = match arg(&args, "--socket") {
        Some(socket) => (PathBuf::from(socket), None),
        None => {
            let daemon = std::env::current_exe()?.with_file_name("pwpolicyd");
            let (socket, child) = start_pwpolicyd(&daemon, &scratch, &[])?;
            (socket, Some(child))
        }
    };
    let mut admin = Service::new(socket.clone());
    for i in 0..1000 {
        admin.set_changed(&format!("user{i:04}"), "today", true)?;
    }

    println!(
        "pwpolicyd load, {clients} clients, {seconds} s per phase, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let status = phase(
        &socket,
        clients,
        Duration::from_secs(seconds),
        |client, i, n| {
            client
                .status(Some(&format!("user{:04}", (i * 7919 + n) % 1000)))
                .map(|_| ())
        },
    );
    report("status", &status, Duration::from_secs(seconds));
    let changes = phase(
        &socket,
        clients.min(8),
        Duration::from_secs(seconds),
        |client, i, n| {
            let user = format!("load{i}");
            let password = Zeroizing::new(format!("Load-Pass-{i}-{n}-x"));
            client.check(&CheckRequest {
                user: Some(&user),
                full_name: None,
                password: &password,
                enforce_min_age: false,
                prepare: false,
            })?;
            client
                .commit(&CommitRequest {
                    user: &user,
                    password: &password,
                    enforce_min_age: false,
                    allow_reuse: false,
                    prehashed: None,
                })
                .map(|_| ())
        },
    );
    report("check+commit", &changes, Duration::from_secs(seconds));

    if let Some(child) = daemon.as_mut() {
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_dir_all(&scratch);
    }
    Ok(())
}

/// Runs `op` from `clients` threads, each on its own connection, for `length`.
fn phase(
    socket: &Path,
    clients: usize,
    length: Duration,
    op: impl Fn(&mut Service, usize, usize) -> Result<(), BackendError> + Sync,
) -> Vec<Sample> {
    let deadline = Instant::now() + length;
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            (0..clients)
                .map(|i| {
                    let op = &op;
                    scope.spawn(move || {
                        let mut sample = Sample {
                            latencies_us: Vec::new(),
                            errors: 0,
                        };
                        let mut client = Service::new(socket.to_owned());
                        if client.status(Some("user0000")).is_err() {
                            sample.errors += 1;
                            return sample;
                        }
                        let mut n = 0;
                        while Instant::now() < deadline {
                            n += 1;
                            let started = Instant::now();
                            match op(&mut client, i, n) {
                                Ok(()) => sample
                                    .latencies_us
                                    .push(started.elapsed().as_micros().min(u128::from(u32::MAX))
                                        as u32),
                                Err(_) => sample.errors += 1,
                            }
                        }
                        sample
                    })
                })
                .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    })
}

fn report(name: &str, samples: &[Sample], length: Duration) {
    let mut all: Vec<u32> = samples
        .iter()
        .flat_map(|s| s.latencies_us.iter().copied())
        .collect();
    let errors: usize = samples.iter().map(|s| s.errors).sum();
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0)
    };
    println!(
        "{name:<14} {:>10.0} req/s   p50 {:>6} µs   p99 {:>6} µs   max {:>7} µs   requests {}   errors {errors}",
        all.len() as f64 / length.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        all.last().copied().unwrap_or(0),
        all.len()
    );
}
