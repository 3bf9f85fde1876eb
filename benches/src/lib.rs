//! The fixed benchmark corpus, shared by the criterion benches and the
//! side-by-side run against libpwquality and passwdqc (`peers/run.sh`).

/// The corpus as committed: `user \t full name \t password` per line, made by
/// `corpus/generate.py`.
pub const MIXED_TSV: &str = include_str!("../corpus/mixed.tsv");

/// One corpus record.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// Account name.
    pub user: &'a str,
    /// Full name (may be empty).
    pub full_name: &'a str,
    /// Candidate password.
    pub password: &'a str,
}

/// Parses a TSV corpus; lines without three fields are skipped.
pub fn parse(tsv: &str) -> Vec<Record<'_>> {
    tsv.lines()
        .filter_map(|line| {
            let mut fields = line.splitn(3, '\t');
            Some(Record {
                user: fields.next()?,
                full_name: fields.next()?,
                password: fields.next()?,
            })
        })
        .collect()
}

/// The committed mixed corpus.
pub fn mixed() -> Vec<Record<'static>> {
    parse(MIXED_TSV)
}

/// Passwords of `max_length` (256) code points shaped to make zxcvbn and
/// the banned-word matcher work hardest, named for the benches.
pub fn worst_cases() -> Vec<(&'static str, String)> {
    let fill = |unit: &str| {
        unit.repeat(256 / unit.chars().count() + 1)
            .chars()
            .take(256)
            .collect()
    };
    vec![
        // Dictionary words back to back: a match starts at every offset.
        ("256_words", fill("Password-Dragon-Monkey-")),
        // Look-alikes everywhere: l33t matching tries each reading.
        ("256_leet", fill("P@$$w0rd!4e3i1o0s5t7")),
        // Digits that read as dates, years and sequences.
        ("256_digits", fill("19840712-2024/12/31-0123456789-")),
        // Random-looking text: few matches, the brute-force path.
        ("256_random", fill("qV7#mL2!xR9$kT4&zP8*")),
        // Accented and non-Latin letters (multi-byte code points).
        ("256_unicode", fill("Straße-Жук-日本-é")),
    ]
}

/// How the passwords of a corpus share similarity stems (see
/// `similarity_corpus`).
#[derive(Debug)]
pub struct StemPairs<'a> {
    /// Distinct passwords read.
    pub passwords: usize,
    /// Of them, those with a stem (4+ letters).
    pub with_stem: usize,
    /// Passwords that share a stem, one group a stem, largest first.
    pub groups: Vec<Vec<&'a str>>,
    /// Pairs of passwords, and of those the pairs whose stems are equal.
    pub pairs: (f64, f64),
    /// The same for pairs of passwords of equal length.
    pub same_length_pairs: (f64, f64),
}

impl<'a> StemPairs<'a> {
    /// Counts the stems of `passwords` (duplicates are counted once).
    pub fn of(passwords: impl IntoIterator<Item = &'a str>) -> StemPairs<'a> {
        use std::collections::{BTreeMap, HashMap};
        let mut passwords: Vec<&str> = passwords.into_iter().filter(|p| !p.is_empty()).collect();
        passwords.sort_unstable();
        passwords.dedup();
        let mut by_stem: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for p in &passwords {
            if let Some(stem) = pwpolicy::Stem::of(&pwpolicy::Password::new(p)) {
                by_stem.entry(stem.expose().to_owned()).or_default().push(p);
            }
        }
        let pairs_in = |n: usize| (n * n.saturating_sub(1) / 2) as f64;
        let by_length = |items: &[&str]| {
            let mut lengths: HashMap<usize, usize> = HashMap::new();
            for p in items {
                *lengths.entry(p.chars().count()).or_default() += 1;
            }
            lengths.values().map(|&n| pairs_in(n)).sum::<f64>()
        };
        let with_stem = by_stem.values().map(Vec::len).sum();
        let equal = by_stem.values().map(|g| pairs_in(g.len())).sum();
        let equal_same_length = by_stem.values().map(|g| by_length(g)).sum();
        let mut groups: Vec<Vec<&str>> = by_stem.into_values().filter(|g| g.len() > 1).collect();
        groups.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        StemPairs {
            passwords: passwords.len(),
            with_stem,
            groups,
            pairs: (pairs_in(passwords.len()), equal),
            same_length_pairs: (by_length(&passwords), equal_same_length),
        }
    }
}

/// The value after `--name` in `args`, for the load tools' flags.
pub fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// Starts `daemon` (a pwpolicyd) on a fresh store and socket in `scratch`,
/// on the built-in policy (default argon2id cost, never the host's file),
/// with `extra` arguments; returns the socket once it answers.
///
/// # Errors
///
/// When it cannot be started or does not listen within 20 s.
pub fn start_pwpolicyd(
    daemon: &std::path::Path,
    scratch: &std::path::Path,
    extra: &[String],
) -> Result<(std::path::PathBuf, std::process::Child), Box<dyn std::error::Error>> {
    use std::os::unix::fs::PermissionsExt;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    std::fs::create_dir_all(scratch.join("state"))?;
    std::fs::set_permissions(scratch, std::fs::Permissions::from_mode(0o755))?;
    std::fs::set_permissions(
        scratch.join("state"),
        std::fs::Permissions::from_mode(0o700),
    )?;
    let socket = scratch.join("pwpolicyd.sock");
    let child = Command::new(daemon)
        .args([
            "--socket",
            socket.to_str().unwrap_or_default(),
            "--config",
            "/dev/null",
            "--db",
        ])
        .arg(scratch.join("state/state.db"))
        .args(extra)
        .env("PWPOLICYD_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", daemon.display()))?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        if Instant::now() > deadline {
            return Err("pwpolicyd did not start".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok((socket, child))
}

#[cfg(test)]
mod tests {
    #[test]
    fn corpus_is_complete() {
        assert_eq!(super::mixed().len(), 2000);
    }
}
