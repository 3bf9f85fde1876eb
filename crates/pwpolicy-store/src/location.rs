//! Where a store lives: a SQLite file path or a PostgreSQL URL.

use std::fmt;
use std::path::PathBuf;

/// The default SQLite store.
pub const DEFAULT_STORE_PATH: &str = "/var/lib/pwpolicy/state.db";

/// A store location as written in `--db`, `db=` or `[store] db`.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

impl Location {
    /// Reads a location: a `postgres://` / `postgresql://` URL, else a path.
    pub fn parse(text: &str) -> Location {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Location::Postgres(text.to_owned())
        } else {
            Location::Sqlite(PathBuf::from(text))
        }
    }

    /// The default store.
    pub fn default_path() -> Location {
        Location::Sqlite(PathBuf::from(DEFAULT_STORE_PATH))
    }
}

impl fmt::Display for Location {
    /// The path, or the URL with any password replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&redact_url(url)),
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Location({self})")
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`; also
/// masks a `password=` query parameter.
fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_paths() {
        assert_eq!(
            Location::parse("/var/lib/x.db"),
            Location::Sqlite("/var/lib/x.db".into())
        );
        assert!(matches!(
            Location::parse("postgresql://h/db"),
            Location::Postgres(_)
        ));
        assert!(matches!(
            Location::parse("postgres://h/db"),
            Location::Postgres(_)
        ));
    }

    #[test]
    fn passwords_in_urls_are_never_shown() {
        let loc = Location::parse(
            "postgres://pw:hunter2@db.example:5432/pwpolicy?sslmode=require&password=hunter3",
        );
        let shown = format!("{loc} {loc:?}");
        assert!(!shown.contains("hunter"), "{shown}");
        assert!(
            shown.contains(
                "postgres://pw:***@db.example:5432/pwpolicy?sslmode=require&password=***"
            ),
            "{shown}"
        );
        assert_eq!(
            Location::parse("postgres://u@h/db").to_string(),
            "postgres://u@h/db"
        );
    }
}
