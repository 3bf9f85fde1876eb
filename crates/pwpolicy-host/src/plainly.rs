//! Errors in the words an administrator reads: an I/O error as "no such
//! file", not Rust's "entity not found" or the C library's "No such file or
//! directory (os error 2)"; an error and its causes on one line, each said
//! once. One place, so every binary (the CLI, pwpolicyd, the PAM module,
//! the filter) says the same thing the same way.

use std::io::{Error, ErrorKind};

/// `e` in plain words, without the `(os error N)` tail.
pub fn plainly(e: &Error) -> String {
    match e.kind() {
        ErrorKind::NotFound => "no such file".to_owned(),
        ErrorKind::PermissionDenied => "permission denied".to_owned(),
        ErrorKind::IsADirectory => "is a directory, not a file".to_owned(),
        ErrorKind::NotADirectory => "a part of the path is not a directory".to_owned(),
        _ => {
            let text = e.to_string();
            match text.rfind(" (os error ") {
                Some(at) => text[..at].to_owned(),
                None => text,
            }
        }
    }
}

/// An error and its causes on one line, `: `-separated, each said once
/// (many errors already name their cause in their own message, so that a
/// log with `{}` alone has it, and a chain would repeat it), I/O causes
/// [`plainly`].
pub fn say(err: &(dyn std::error::Error + 'static)) -> String {
    let mut line = String::new();
    let mut cause = Some(err);
    while let Some(e) = cause {
        let text = match e.downcast_ref::<Error>() {
            Some(io) => {
                // An outer message that quoted the raw I/O error gets the
                // plain words in its place.
                let raw = io.to_string();
                let plain = plainly(io);
                if line.contains(&raw) {
                    line = line.replace(&raw, &plain);
                }
                plain
            }
            None => e.to_string(),
        };
        if !line.contains(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
        cause = e.source();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read /p.toml: {0}")]
    struct Repeats(#[source] Error);

    #[derive(Debug, thiserror::Error)]
    #[error("cannot load the policy")]
    struct Wraps(#[source] Error);

    #[test]
    fn a_chain_says_each_cause_once_and_plainly() {
        let repeats = Repeats(Error::from_raw_os_error(2));
        assert_eq!(say(&repeats), "cannot read /p.toml: no such file");
        let wraps = Wraps(Error::from_raw_os_error(13));
        assert_eq!(say(&wraps), "cannot load the policy: permission denied");
        let same = Wraps(Error::other("cannot load the policy"));
        assert_eq!(say(&same), "cannot load the policy");
    }

    #[test]
    fn the_common_errors_read_plainly() {
        assert_eq!(plainly(&ErrorKind::NotFound.into()), "no such file");
        assert_eq!(plainly(&Error::from_raw_os_error(2)), "no such file");
        assert_eq!(plainly(&Error::from_raw_os_error(13)), "permission denied");
        assert_eq!(plainly(&Error::from_raw_os_error(5)), "Input/output error");
    }
}
