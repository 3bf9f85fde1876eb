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

/// The value after `--name` in `args`, for the load tools' flags.
pub fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn corpus_is_complete() {
        assert_eq!(super::mixed().len(), 2000);
    }
}
