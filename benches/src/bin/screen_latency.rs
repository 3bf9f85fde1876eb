//! Per-check latency of the opt-in screens, as percentiles: what a PAM
//! prompt or LSASS waits for, where a mean would hide the slow tail.
//!
//! Usage: `screen_latency [ROUNDS]` (default 2000)
//!
//! Times `Policy::check` one call at a time, `ROUNDS` times for each of the
//! worst-case passwords of [`pwpolicy_benches::worst_cases`] and for the
//! mixed corpus, under `[guessability] min_score = 3` (with the user's
//! names) and under a 10,000-word banned list, and prints p50, p99 and max
//! in microseconds. The first call (zxcvbn builds its dictionaries then)
//! is timed apart, as "first".

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use pwpolicy::{Names, Password, Policy};

fn main() -> ExitCode {
    let rounds: usize = match std::env::args().nth(1).map(|r| r.parse()) {
        None => 2000,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: screen_latency [ROUNDS]");
            return ExitCode::FAILURE;
        }
    };
    let Ok(guess) = Policy::from_toml("[guessability]\nmin_score = 3\n") else {
        eprintln!("screen_latency: bad policy");
        return ExitCode::FAILURE;
    };
    let mut banned = Policy::default();
    let list: String = (0..10_000).map(|i| format!("word{i:05}x\n")).collect();
    if banned.banned.load_list(&list).is_err() {
        eprintln!("screen_latency: bad list");
        return ExitCode::FAILURE;
    }
    let names = Names::new("ehagens", "Erin M. Hagens");

    let before = rss_kib();
    let first = Instant::now();
    black_box(guess.check(&Password::new("first-call"), &names));
    println!(
        "guessability first call: {} us, resident memory +{} KiB (zxcvbn's dictionaries)",
        first.elapsed().as_micros(),
        rss_kib().saturating_sub(before)
    );

    let mut cases = pwpolicy_benches::worst_cases();
    let corpus: Vec<String> = pwpolicy_benches::mixed()
        .iter()
        .map(|r| r.password.to_owned())
        .collect();
    println!(
        "{:<28} {:>8} {:>8} {:>8}",
        "case", "p50 us", "p99 us", "max us"
    );
    for (label, policy) in [("guessability", &guess), ("banned_10k", &banned)] {
        for (name, password) in cases.iter_mut() {
            let password = Password::new(password);
            let times = (0..rounds)
                .map(|_| time(|| policy.check(black_box(&password), &names)))
                .collect();
            print_row(&format!("{label}/{name}"), times);
        }
        let times = (0..rounds)
            .map(|i| {
                let password = Password::new(&corpus[i % corpus.len()]);
                time(|| policy.check(black_box(&password), &names))
            })
            .collect();
        print_row(&format!("{label}/mixed_corpus"), times);
    }
    ExitCode::SUCCESS
}

/// This process's resident memory, from /proc (0 where there is none).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn time<T>(f: impl FnOnce() -> T) -> Duration {
    let start = Instant::now();
    black_box(f());
    start.elapsed()
}

fn print_row(name: &str, mut times: Vec<Duration>) {
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e6;
    println!(
        "{name:<28} {:>8.1} {:>8.1} {:>8.1}",
        at(0.5),
        at(0.99),
        at(1.0)
    );
}
