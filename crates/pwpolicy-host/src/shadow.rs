//! Reading shadow(5): whether an account's password is locked and when it
//! last changed, so that switching expiry on for an existing host neither
//! expires nor exempts everyone, and a forced change in shadow is honoured.
//!
//! Only fields 1 (name), 2 (whether it starts with `!` or `*`) and 3 (last
//! change, in days since 1970-01-01) are read; the password hash in field 2
//! is never kept or shown.

use time::{Duration, OffsetDateTime};

/// A line that is not shadow(5) format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("shadow file line {line}: {reason}")]
pub struct ShadowError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// Field 3 of a shadow line: the last change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShadowChange {
    /// Empty: password ageing is off for the account.
    Unset,
    /// `0`: the user must change at the next login (`passwd -e`, `chage -d 0`).
    MustChange,
    /// The day of the last change (midnight UTC).
    On(OffsetDateTime),
}

/// What one shadow line says, without the hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShadowEntry {
    /// The account.
    pub name: String,
    /// Field 2 starts with `!` or `*`: no password can log in (`passwd -l`,
    /// system accounts); such accounts reach the host by key, if at all.
    pub locked: bool,
    /// Field 3.
    pub last_change: ShadowChange,
}

/// Parses one shadow(5) line (`None` for a blank line or a comment).
///
/// # Errors
///
/// The reason the line is malformed (never quoting the hash).
pub fn entry(line: &str) -> Result<Option<ShadowEntry>, &'static str> {
    if line.trim().is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let fields: Vec<&str> = line.split(':').collect();
    if fields.len() < 3 {
        return Err("expected name:password:lastchg:… (at least 3 fields)");
    }
    let name = fields[0];
    if name.is_empty() {
        return Err("empty account name");
    }
    let lastchg = fields[2].trim();
    let last_change = if lastchg.is_empty() {
        ShadowChange::Unset
    } else {
        let days: i64 = lastchg
            .parse()
            .ok()
            .filter(|d| (0..=2_932_896).contains(d)) // up to year 9999
            .ok_or("field 3 (last change) is not a day count")?;
        match days {
            0 => ShadowChange::MustChange,
            d => ShadowChange::On(OffsetDateTime::UNIX_EPOCH + Duration::days(d)),
        }
    };
    Ok(Some(ShadowEntry {
        name: name.to_owned(),
        locked: fields[1].starts_with(['!', '*']),
        last_change,
    }))
}

/// The entry of `user` in shadow(5) text, if there is a well-formed one.
pub fn find(text: &str, user: &str) -> Option<ShadowEntry> {
    text.lines()
        .filter(|l| l.split(':').next() == Some(user))
        .find_map(|l| entry(l).ok().flatten())
}

impl ShadowEntry {
    /// Whether the line forces a change at the next login (field 3 is `0`).
    pub fn forces_change(&self) -> bool {
        self.last_change == ShadowChange::MustChange
    }
}

/// Parses shadow(5) text. Blank lines and `#` comments are skipped.
///
/// # Errors
///
/// [`ShadowError`] naming the first malformed line; nothing is returned then,
/// so a bad file seeds nothing.
pub fn parse(text: &str) -> Result<Vec<ShadowEntry>, ShadowError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let entry = entry(line).map_err(|reason| ShadowError {
            line: i + 1,
            reason: reason.to_owned(),
        })?;
        out.extend(entry);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn reads_names_locks_and_dates_only() {
        let text = "root:$6$abc$def:20000:0:99999:7:::\n\
                    # comment\n\n\
                    erin:!:0:0:90:14:::\n\
                    daemon:*:::::::\n";
        let parsed = parse(text).unwrap();
        let seen: Vec<_> = parsed
            .iter()
            .map(|e| (e.name.as_str(), e.locked, e.last_change))
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "root",
                    false,
                    ShadowChange::On(datetime!(2024-10-04 00:00 UTC))
                ),
                ("erin", true, ShadowChange::MustChange),
                ("daemon", true, ShadowChange::Unset),
            ]
        );
        assert!(parsed[1].forces_change() && !parsed[0].forces_change());
    }

    #[test]
    fn one_entry_with_its_lock() {
        let text = "root:$6$x:20000::::::\nerin:!$6$y:0::::::\nsvc:*:19000::::::\n";
        let erin = find(text, "erin").unwrap();
        assert!(erin.locked);
        assert_eq!(erin.last_change, ShadowChange::MustChange);
        assert!(!find(text, "root").unwrap().locked);
        assert!(find(text, "svc").unwrap().locked);
        assert_eq!(find(text, "er"), None);
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
