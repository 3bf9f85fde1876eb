//! pwpolicy's side of the side-by-side run against libpwquality and passwdqc
//! (`benches/peers/run.sh`).
//!
//! Usage: `peer_pwpolicy CORPUS.tsv ROUNDS [zxcvbn]`
//!
//! With `zxcvbn`, the policy also has `[guessability] min_score = 3` and the
//! line is named `pwpolicyzxcvbn`: the second table of run.sh, beside
//! libpwquality with cracklib's dictionary.
//!
//! Checks every record of the corpus `ROUNDS` times against
//! [`pwpolicy::Policy::default`] and prints one line in the format the C
//! harnesses (`peers/pwquality_bench.c`, `peers/passwdqc_bench.c`) print:
//!
//! ```text
//! pwpolicy checks=<N> seconds=<S> checks_per_sec=<R> rejected=<K>
//! ```
//!
//! `K` is the number of rejections in one pass over the corpus. As in the C
//! harnesses, one untimed warm-up pass counts `K`; the timed passes count
//! again and must agree, so a check that is not deterministic is caught.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use pwpolicy::{Names, Password, Policy};
use pwpolicy_benches::{Record, parse};

fn main() -> ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("peer_pwpolicy: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<String, String> {
    let args: Vec<String> = std::env::args().collect();
    let (path, rounds, zxcvbn) = match args.as_slice() {
        [_, path, rounds] => (path, rounds, false),
        [_, path, rounds, mode] if mode == "zxcvbn" => (path, rounds, true),
        _ => return Err("usage: peer_pwpolicy CORPUS.tsv ROUNDS [zxcvbn]".to_owned()),
    };
    let rounds: u64 = match rounds.parse() {
        Ok(n) if n > 0 => n,
        _ => return Err(format!("ROUNDS must be a positive integer, got {rounds:?}")),
    };
    let tsv = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let records = parse(&tsv);
    if records.is_empty() {
        return Err(format!("{path}: no records"));
    }

    let (policy, name) = if zxcvbn {
        let policy = Policy::from_toml("[guessability]\nmin_score = 3\n")
            .map_err(|e| format!("guessability policy: {e}"))?;
        (policy, "pwpolicyzxcvbn")
    } else {
        (Policy::default(), "pwpolicy")
    };
    let rejected = one_pass(&policy, &records);

    let start = Instant::now();
    let mut rejected_total = 0u64;
    for _ in 0..rounds {
        rejected_total += one_pass(&policy, &records);
    }
    let seconds = start.elapsed().as_secs_f64();

    if rejected_total != rejected * rounds {
        return Err(format!(
            "verdicts changed between passes: {rejected} rejected in the warm-up pass, \
             {rejected_total} over {rounds} timed passes"
        ));
    }
    let checks = records.len() as u64 * rounds;
    Ok(format!(
        "{name} checks={checks} seconds={seconds:.6} checks_per_sec={:.0} rejected={rejected}",
        checks as f64 / seconds
    ))
}

/// Checks every record once, as a PAM module would for each password change:
/// the user's names and the candidate are turned into [`Names`] and
/// [`Password`] (NFKC) per check. Returns the number of rejections.
fn one_pass(policy: &Policy, records: &[Record<'_>]) -> u64 {
    let mut rejected = 0;
    for record in records {
        let record = black_box(record);
        let names = Names::new(record.user, record.full_name);
        let verdict = policy.check(&Password::new(record.password), &names);
        if !black_box(verdict.is_accepted()) {
            rejected += 1;
        }
    }
    rejected
}
