//! Reading last-change dates from a shadow(5) file, so that switching expiry
//! on for an existing host neither expires nor exempts everyone.
//!
//! Only fields 1 (name) and 3 (last change, in days since 1970-01-01) are read;
//! the password hash in field 2 is never kept or shown.

use time::{Duration, OffsetDateTime};

use crate::record::Seed;

/// A line that is not shadow(5) format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("shadow file line {line}: {reason}")]
pub struct ShadowError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// What a shadow file says about each account.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ShadowSeeds {
    /// Accounts with a last-change date, or 0 ("must change").
    pub seeds: Vec<Seed>,
    /// Accounts whose field 3 is empty (ageing off): left out.
    pub without_date: Vec<String>,
}

/// Parses shadow(5) text. Blank lines and `#` comments are skipped.
///
/// # Errors
///
/// [`ShadowError`] naming the first malformed line; nothing is returned then,
/// so a bad file seeds nothing.
pub fn parse(text: &str) -> Result<ShadowSeeds, ShadowError> {
    let mut out = ShadowSeeds::default();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |reason: &str| ShadowError {
            line: line_no,
            reason: reason.to_owned(),
        };
        let fields: Vec<&str> = line.split(':').collect();
        if fields.len() < 3 {
            return Err(bad("expected name:password:lastchg:… (at least 3 fields)"));
        }
        let name = fields[0];
        if name.is_empty() {
            return Err(bad("empty account name"));
        }
        let lastchg = fields[2].trim();
        if lastchg.is_empty() {
            out.without_date.push(name.to_owned());
            continue;
        }
        let days: i64 = lastchg
            .parse()
            .ok()
            .filter(|d| (0..=2_932_896).contains(d)) // up to year 9999
            .ok_or_else(|| bad("field 3 (last change) is not a day count"))?;
        let last_change = match days {
            0 => None,
            d => Some(OffsetDateTime::UNIX_EPOCH + Duration::days(d)),
        };
        out.seeds.push(Seed {
            name: name.to_owned(),
            last_change,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn reads_names_and_dates_only() {
        let text = "root:$6$abc$def:20000:0:99999:7:::\n\
                    # comment\n\n\
                    erin:!:0:0:90:14:::\n\
                    daemon:*:::::::\n";
        let parsed = parse(text).unwrap();
        assert_eq!(
            parsed.seeds,
            [
                Seed {
                    name: "root".into(),
                    last_change: Some(datetime!(2024-10-04 00:00 UTC))
                },
                Seed {
                    name: "erin".into(),
                    last_change: None
                },
            ]
        );
        assert_eq!(parsed.without_date, ["daemon"]);
    }

    #[test]
    fn malformed_lines_are_named_and_never_quote_the_hash() {
        let err = parse("ok:x:1\nbad:$6$secret$hash:yesterday\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(!err.to_string().contains("secret"), "{err}");
        assert_eq!(parse("nofields\n").unwrap_err().line, 1);
        assert_eq!(parse(":x:1\n").unwrap_err().line, 1);
        assert_eq!(parse("a:x:-5\n").unwrap_err().line, 1);
    }
}
