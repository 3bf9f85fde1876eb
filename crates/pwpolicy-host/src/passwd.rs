//! Reading passwd(5) and group(5) text, so that `import-shadow` and `list`
//! can tell people from system accounts in a copy of another host's files
//! (NSS only answers for this host).

use std::collections::HashMap;

/// One passwd line: what the policy needs of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdLine {
    /// The account name.
    pub name: String,
    /// The uid.
    pub uid: u32,
    /// The primary gid.
    pub gid: u32,
    /// The full name: GECOS up to the first comma.
    pub full_name: String,
}

/// A line that is not passwd(5) or group(5) format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} line {line}: {reason}")]
pub struct AccountsFileError {
    /// `passwd` or `group`.
    pub file: &'static str,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: &'static str,
}

/// Parses passwd(5) text. NIS `+`/`-` lines, blank lines and comments are
/// skipped.
///
/// # Errors
///
/// [`AccountsFileError`] naming the first malformed line.
pub fn parse_passwd(text: &str) -> Result<Vec<PasswdLine>, AccountsFileError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if skip(line) {
            continue;
        }
        let bad = |reason| AccountsFileError {
            file: "passwd",
            line: i + 1,
            reason,
        };
        let f: Vec<&str> = line.split(':').collect();
        if f.len() < 4 || f[0].is_empty() {
            return Err(bad("expected name:password:uid:gid:gecos:home:shell"));
        }
        out.push(PasswdLine {
            name: f[0].to_owned(),
            uid: f[2]
                .parse()
                .map_err(|_| bad("field 3 (uid) is not a number"))?,
            gid: f[3]
                .parse()
                .map_err(|_| bad("field 4 (gid) is not a number"))?,
            full_name: f
                .get(4)
                .and_then(|g| g.split(',').next())
                .unwrap_or("")
                .to_owned(),
        });
    }
    Ok(out)
}

/// Each user's groups by name (primary group included), from group(5) text
/// and the users' primary gids.
///
/// # Errors
///
/// [`AccountsFileError`] naming the first malformed line.
pub fn groups_of(
    group_text: &str,
    users: &[PasswdLine],
) -> Result<HashMap<String, Vec<String>>, AccountsFileError> {
    let mut by_gid: HashMap<u32, String> = HashMap::new();
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (i, line) in group_text.lines().enumerate() {
        if skip(line) {
            continue;
        }
        let bad = |reason| AccountsFileError {
            file: "group",
            line: i + 1,
            reason,
        };
        let f: Vec<&str> = line.split(':').collect();
        if f.len() < 3 || f[0].is_empty() {
            return Err(bad("expected name:password:gid:members"));
        }
        let gid: u32 = f[2]
            .parse()
            .map_err(|_| bad("field 3 (gid) is not a number"))?;
        by_gid.insert(gid, f[0].to_owned());
        for member in f.get(3).into_iter().flat_map(|m| m.split(',')) {
            if !member.is_empty() {
                out.entry(member.to_owned())
                    .or_default()
                    .push(f[0].to_owned());
            }
        }
    }
    for user in users {
        if let Some(primary) = by_gid.get(&user.gid) {
            let groups = out.entry(user.name.clone()).or_default();
            if !groups.contains(primary) {
                groups.insert(0, primary.clone());
            }
        }
    }
    Ok(out)
}

fn skip(line: &str) -> bool {
    let line = line.trim();
    line.is_empty() || line.starts_with('#') || line.starts_with(['+', '-'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_and_groups() {
        let users = parse_passwd(
            "root:x:0:0:root:/root:/bin/bash\n# c\n\
             erin:x:1001:1001:Erin M. Hagens,Room 4,,:/home/erin:/bin/bash\n+@nis\n",
        )
        .unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(
            (users[1].uid, users[1].full_name.as_str()),
            (1001, "Erin M. Hagens")
        );
        let groups = groups_of("root:x:0:\nerin:x:1001:\nsudo:x:27:erin,max\n", &users).unwrap();
        assert_eq!(groups["erin"], ["erin", "sudo"]);
        assert_eq!(groups["root"], ["root"]);
        assert_eq!(groups["max"], ["sudo"]);
    }

    #[test]
    fn malformed_lines_are_named() {
        assert_eq!(
            parse_passwd("a:x:1:1::/:/bin/sh\nb:x:one:1\n")
                .unwrap_err()
                .line,
            2
        );
        assert_eq!(groups_of("g:x\n", &[]).unwrap_err().line, 1);
    }
}
