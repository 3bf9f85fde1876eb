//! One local user against everyone else on pwpolicyd (issue 12's attack):
//! `nobody` loops `check` on its own account from 16 connections while
//! `daemon` checks candidates for its own account and root asks for status.
//! Prints the others' latencies unloaded and under attack, and pwpolicyd's
//! RSS at its peak and after the attack. Needs root (it runs the two users
//! through `runuser`); the store and socket are in a fresh temporary
//! directory, and the policy is the built-in one (default argon2id cost).
//!
//! ```text
//! cargo build --release -p pwpolicy-service -p pwpolicy-benches
//! target/release/service_attack [--daemon PATH] [--connections N] [--seconds S]
//!     [--every MS] [-- DAEMON-ARGS...]
//! ```
//!
//! The other user checks a candidate every `--every` ms (default 1000: a
//! person, within the default one-a-second rate). Arguments after `--` go to
//! pwpolicyd, e.g. `--user-burst 1000000 --user-rate 1000000` to measure the
//! argon2 gate alone.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pwpolicy_backend::{CheckRequest, CommitRequest, Expiry, Passwords, Service};
use pwpolicy_benches::{arg, start_pwpolicyd};
use zeroize::Zeroizing;

/// The attacker's current password, which it "guesses" over and over.
const CURRENT: &str = "Blue-Kettle-42";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = arg(&args, "--seconds").map_or(Ok(10), |s| s.parse())?;
    let connections: usize = arg(&args, "--connections").map_or(Ok(16), |s| s.parse())?;
    match arg(&args, "--role").as_deref() {
        Some("attacker") => attacker(&socket_arg(&args)?, connections, seconds),
        Some("victim") => victim(
            &socket_arg(&args)?,
            seconds,
            arg(&args, "--every").map_or(Ok(1000), |s| s.parse())?,
        ),
        _ => orchestrate(&args, connections, seconds),
    }
}

fn socket_arg(args: &[String]) -> Result<PathBuf, Box<dyn std::error::Error>> {
    Ok(arg(args, "--socket").ok_or("--socket is needed")?.into())
}

/// `connections` threads checking the caller's current password in a loop;
/// prints how many answers were checks and how many refusals.
fn attacker(
    socket: &Path,
    connections: usize,
    seconds: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let counts: Vec<(usize, usize)> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..connections)
            .map(|_| {
                scope.spawn(|| {
                    let (mut answered, mut refused) = (0, 0);
                    let mut client = Service::new(socket.to_owned());
                    let password = Zeroizing::new(CURRENT.to_owned());
                    while Instant::now() < deadline {
                        match client.check(&CheckRequest {
                            user: None,
                            full_name: None,
                            password: &password,
                            enforce_min_age: false,
                            prepare: false,
                        }) {
                            Ok(_) => answered += 1,
                            Err(_) => {
                                refused += 1;
                                client = Service::new(socket.to_owned());
                            }
                        }
                    }
                    (answered, refused)
                })
            })
            .collect();
        threads.into_iter().filter_map(|t| t.join().ok()).collect()
    });
    let answered: usize = counts.iter().map(|c| c.0).sum();
    let refused: usize = counts.iter().map(|c| c.1).sum();
    println!("{answered} {refused}");
    Ok(())
}

/// Checks fresh candidates for the caller's own account for `seconds`;
/// prints the latencies in microseconds, one line.
fn victim(socket: &Path, seconds: u64, every_ms: u64) -> Result<(), Box<dyn std::error::Error>> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut client = Service::new(socket.to_owned());
    let mut latencies = Vec::new();
    let mut n = 0;
    while Instant::now() < deadline {
        n += 1;
        let password = Zeroizing::new(format!("Victim-Candidate-{n}"));
        let started = Instant::now();
        client.check(&CheckRequest {
            user: None,
            full_name: None,
            password: &password,
            enforce_min_age: false,
            prepare: false,
        })?;
        latencies.push(started.elapsed().as_micros().to_string());
        // A person, not a loop.
        std::thread::sleep(Duration::from_millis(every_ms));
    }
    println!("{}", latencies.join(" "));
    Ok(())
}

fn orchestrate(
    args: &[String],
    connections: usize,
    seconds: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let me = std::env::current_exe()?;
    let daemon_bin =
        arg(args, "--daemon").map_or_else(|| me.with_file_name("pwpolicyd"), PathBuf::from);
    let scratch = std::env::temp_dir().join(format!("pwpolicy-attack-{}", std::process::id()));
    let daemon_args: Vec<String> = args
        .iter()
        .position(|a| a == "--")
        .map(|i| args[i + 1..].to_vec())
        .unwrap_or_default();
    let every = arg(args, "--every").unwrap_or_else(|| "1000".to_owned());
    let (socket, mut daemon) = start_pwpolicyd(&daemon_bin, &scratch, &daemon_args)?;
    let mut root = Service::new(socket.clone());
    for user in ["nobody", "daemon"] {
        for password in ["Old-Kettle-41", CURRENT] {
            root.commit(&CommitRequest {
                user,
                password: &Zeroizing::new(password.to_owned()),
                enforce_min_age: false,
                allow_reuse: false,
                prehashed: None,
            })?;
        }
    }
    let run_as = |user: &str, role: &[&str]| -> Result<Child, Box<dyn std::error::Error>> {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", user, "--"]).arg(&me).args(role);
        cmd.args(["--socket", socket.to_str().unwrap_or_default()]);
        Ok(cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?)
    };
    let secs = seconds.to_string();
    let conns = connections.to_string();
    println!(
        "pwpolicyd under one user's {connections}-connection check loop, {seconds} s, {} cores, {} {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        daemon_bin.display(),
        daemon_args.join(" ")
    );
    let rss_idle = rss_kib(daemon.id());

    let quiet_victim = run_as(
        "daemon",
        &["--role", "victim", "--seconds", &secs, "--every", &every],
    )?;
    let quiet_status = status_latencies(&socket, Duration::from_secs(seconds));
    let quiet = latencies(quiet_victim)?;

    let attack = run_as(
        "nobody",
        &[
            "--role",
            "attacker",
            "--connections",
            &conns,
            "--seconds",
            &(seconds + 2).to_string(),
        ],
    )?;
    std::thread::sleep(Duration::from_secs(1));
    let loud_victim = run_as(
        "daemon",
        &["--role", "victim", "--seconds", &secs, "--every", &every],
    )?;
    let pid = daemon.id();
    let sampler = std::thread::spawn(move || {
        let (mut peak, end) = (0, Instant::now() + Duration::from_secs(seconds + 1));
        while Instant::now() < end {
            peak = peak.max(rss_kib(pid));
            std::thread::sleep(Duration::from_millis(100));
        }
        peak
    });
    let loud_status = status_latencies(&socket, Duration::from_secs(seconds));
    let loud = latencies(loud_victim)?;
    let attack_out = attack.wait_with_output()?;
    let rss_peak = sampler.join().map_err(|_| "sampler panicked")?;
    std::thread::sleep(Duration::from_secs(2));
    let rss_after = rss_kib(daemon.id());

    let attacker = String::from_utf8_lossy(&attack_out.stdout)
        .trim()
        .to_owned();
    println!("{:<34} {:>9} {:>9}", "", "p50 ms", "p99 ms");
    for (name, sample) in [
        ("other user's check, unloaded", &quiet),
        ("other user's check, under attack", &loud),
        ("root status, unloaded", &quiet_status),
        ("root status, under attack", &loud_status),
    ] {
        println!(
            "{name:<34} {:>9.2} {:>9.2}   ({} requests)",
            pct(sample, 0.5),
            pct(sample, 0.99),
            sample.len()
        );
    }
    println!("attacker answers / refusals: {attacker}");
    println!(
        "pwpolicyd RSS: idle {} MiB, peak {} MiB, 2 s after {} MiB",
        rss_idle / 1024,
        rss_peak / 1024,
        rss_after / 1024
    );
    let _ = daemon.kill();
    let _ = daemon.wait();
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

/// Root's status queries back to back for `length`, in microseconds.
fn status_latencies(socket: &Path, length: Duration) -> Vec<u64> {
    let deadline = Instant::now() + length;
    let mut client = Service::new(socket.to_owned());
    let mut out = Vec::new();
    while Instant::now() < deadline {
        let started = Instant::now();
        if client.status(Some("daemon")).is_ok() {
            out.push(started.elapsed().as_micros() as u64);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    out
}

fn latencies(child: Child) -> Result<Vec<u64>, Box<dyn std::error::Error>> {
    let out = child.wait_with_output()?;
    if !out.status.success() {
        return Err(format!("a client failed: {}", out.status).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect())
}

fn pct(sample: &[u64], p: f64) -> f64 {
    let mut sorted = sample.to_vec();
    sorted.sort_unstable();
    sorted
        .get(((sorted.len() as f64 - 1.0) * p) as usize)
        .map_or(0.0, |us| *us as f64 / 1000.0)
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}
