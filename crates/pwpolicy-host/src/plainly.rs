//! What an I/O error means, in the words an administrator reads: "no such
//! file", not Rust's "entity not found" or the C library's "No such file or
//! directory (os error 2)". One place, so every message about a file reads
//! the same.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_errors_read_plainly() {
        assert_eq!(plainly(&ErrorKind::NotFound.into()), "no such file");
        assert_eq!(plainly(&Error::from_raw_os_error(2)), "no such file");
        assert_eq!(plainly(&Error::from_raw_os_error(13)), "permission denied");
        assert_eq!(plainly(&Error::from_raw_os_error(5)), "Input/output error");
    }
}
