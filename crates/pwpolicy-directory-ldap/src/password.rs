//! The bind password, from its own file: owner-only (as libpq insists for
//! `.pgpass`), its first line, at most 4 KiB, wiped after use.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use zeroize::Zeroizing;

use crate::error::DirectoryError;

/// The most bytes read from the file.
const MAX_FILE: u64 = 4096;

/// The password in `path`.
///
/// # Errors
///
/// [`DirectoryError::PasswordFile`] when the file is missing, not a
/// regular file, readable by its group or others, empty, not UTF-8 or
/// holds a NUL.
pub fn read(path: &Path) -> Result<Zeroizing<String>, DirectoryError> {
    let fail = |why: String| DirectoryError::PasswordFile {
        path: path.to_owned(),
        why,
    };
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let meta = file.metadata().map_err(|e| fail(e.to_string()))?;
    if !meta.is_file() {
        return Err(fail("is not a regular file".into()));
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(fail(format!(
            "can be read by others (mode {mode:04o}): chmod 600 {}",
            path.display()
        )));
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(64));
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(e.to_string()))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(fail(format!("is longer than {MAX_FILE} bytes")));
    }
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.is_empty() {
        return Err(fail("is empty: its first line is the password".into()));
    }
    if line.contains(&0) {
        return Err(fail("holds a NUL byte".into()));
    }
    let text = std::str::from_utf8(line).map_err(|_| fail("is not UTF-8".into()))?;
    Ok(Zeroizing::new(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &Path, bytes: &[u8], mode: u32) -> std::path::PathBuf {
        let p = dir.join(format!("pw{mode:o}{}", bytes.len()));
        std::fs::write(&p, bytes).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        p
    }

    #[test]
    fn first_line_of_an_owner_only_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(dir.path(), b"S3cret-Bind!\r\nignored\n", 0o600);
        assert_eq!(read(&p).unwrap().as_str(), "S3cret-Bind!");
        let p = file(dir.path(), b"S3cret-Bind!", 0o400);
        assert_eq!(read(&p).unwrap().as_str(), "S3cret-Bind!");
    }

    #[test]
    fn refusals_name_the_file_and_never_the_password() {
        let dir = tempfile::tempdir().unwrap();
        for (bytes, mode, why) in [
            (&b"S3cret-Bind!\n"[..], 0o644, "chmod 600"),
            (b"S3cret-Bind!\n", 0o640, "mode 0640"),
            (b"\nS3cret-Bind!\n", 0o600, "is empty"),
            (b"S3cret\0Bind\n", 0o600, "NUL"),
            (b"S3cret-\xffBind\n", 0o600, "not UTF-8"),
        ] {
            let p = file(dir.path(), bytes, mode);
            let err = read(&p).unwrap_err().to_string();
            assert!(
                err.contains(why) && err.contains(&*p.to_string_lossy()),
                "{err}"
            );
            assert!(!err.contains("S3cret"), "{err}");
        }
        let big = file(dir.path(), &[b'a'; 5000], 0o600);
        assert!(read(&big).unwrap_err().to_string().contains("longer than"));
        assert!(read(&dir.path().join("absent")).is_err());
        assert!(read(dir.path()).is_err());
    }
}
