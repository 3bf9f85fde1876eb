//! How often two passwords of a corpus share a similarity stem: the false
//! positives `[history] similarity` could give between unrelated passwords.
//!
//! Usage: `similarity_corpus FILE` (one password a line), e.g. zxcvbn's
//! 30,000 common passwords from `benches/corpus/common_passwords.sh`.
//!
//! Prints how many passwords have a stem at all (4+ letters), how many
//! distinct stems there are, the share of all pairs (and of pairs of equal
//! length) whose stems are equal, and the largest groups. A user whose
//! history holds N passwords and who picks a password of the corpus at
//! random is refused as "similar" with a chance of about N times the pair
//! share; within a group the passwords are variations of one another
//! (`password1`, `Password12`, `p@ssword`), which is what the check is for.

use std::collections::HashMap;
use std::process::ExitCode;

use pwpolicy::{Password, Stem};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: similarity_corpus FILE");
        return ExitCode::FAILURE;
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("similarity_corpus: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut passwords: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    passwords.sort_unstable();
    passwords.dedup();
    // stem -> (passwords, count by length)
    let mut groups: HashMap<String, Vec<&str>> = HashMap::new();
    for p in &passwords {
        if let Some(stem) = Stem::of(&Password::new(p)) {
            groups.entry(stem.expose().to_owned()).or_default().push(p);
        }
    }
    let with_stem: usize = groups.values().map(Vec::len).sum();
    let n = passwords.len() as f64;
    let pairs = n * (n - 1.0) / 2.0;
    let equal: f64 = groups
        .values()
        .map(|g| (g.len() * g.len().saturating_sub(1) / 2) as f64)
        .sum();
    let mut by_length: HashMap<usize, usize> = HashMap::new();
    for p in &passwords {
        *by_length.entry(p.chars().count()).or_default() += 1;
    }
    let same_length_pairs: f64 = by_length
        .values()
        .map(|&c| (c * c.saturating_sub(1) / 2) as f64)
        .sum();
    let equal_same_length: f64 = groups
        .values()
        .map(|g| {
            let mut lens: HashMap<usize, usize> = HashMap::new();
            for p in g {
                *lens.entry(p.chars().count()).or_default() += 1;
            }
            lens.values()
                .map(|&c| (c * c.saturating_sub(1) / 2) as f64)
                .sum::<f64>()
        })
        .sum();
    println!("passwords: {}", passwords.len());
    println!(
        "with a stem (4+ letters): {with_stem} ({:.1}%)",
        100.0 * with_stem as f64 / n
    );
    println!("distinct stems: {}", groups.len());
    println!(
        "pairs with equal stems: {equal:.0} of {pairs:.0} ({:.5}%)",
        100.0 * equal / pairs
    );
    println!(
        "pairs of equal length with equal stems: {equal_same_length:.0} of {same_length_pairs:.0} ({:.5}%)",
        100.0 * equal_same_length / same_length_pairs
    );
    let mut largest: Vec<(&String, &Vec<&str>)> =
        groups.iter().filter(|(_, g)| g.len() > 1).collect();
    largest.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    println!("largest groups:");
    for (_, members) in largest.iter().take(8) {
        let shown: Vec<&str> = members.iter().take(6).copied().collect();
        println!("  {:>4}  {}", members.len(), shown.join(" "));
    }
    ExitCode::SUCCESS
}
