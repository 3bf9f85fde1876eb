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

use std::process::ExitCode;

use pwpolicy_benches::StemPairs;

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
    let s = StemPairs::of(text.lines());
    let share = |(all, equal): (f64, f64)| 100.0 * equal / all;
    println!("passwords: {}", s.passwords);
    println!(
        "with a stem (4+ letters): {} ({:.1}%)",
        s.with_stem,
        100.0 * s.with_stem as f64 / s.passwords as f64
    );
    println!("stems shared by 2 or more: {} groups", s.groups.len());
    println!(
        "pairs with equal stems: {:.0} of {:.0} ({:.5}%)",
        s.pairs.1,
        s.pairs.0,
        share(s.pairs)
    );
    println!(
        "pairs of equal length with equal stems: {:.0} of {:.0} ({:.5}%)",
        s.same_length_pairs.1,
        s.same_length_pairs.0,
        share(s.same_length_pairs)
    );
    println!("largest groups:");
    for members in s.groups.iter().take(8) {
        let shown: Vec<&str> = members.iter().take(6).copied().collect();
        println!("  {:>4}  {}", members.len(), shown.join(" "));
    }
    ExitCode::SUCCESS
}
