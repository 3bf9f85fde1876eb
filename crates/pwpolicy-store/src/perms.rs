//! Refusing store files that others could read, write or replace, as sshd's
//! StrictModes does for keys.

use std::fs::{DirBuilder, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

use crate::StoreError;

/// Mode of a new store file.
const FILE_MODE: u32 = 0o600;
/// Mode of a new store directory.
const DIR_MODE: u32 = 0o700;
/// The sticky bit: in a sticky directory others cannot replace our file.
const STICKY: u32 = 0o1000;

/// Creates the store's directory (0700) and an empty file (0600) if missing.
pub fn create(path: &Path) -> Result<(), StoreError> {
    let backend = |e: std::io::Error| StoreError::Backend {
        location: path.display().to_string(),
        detail: format!("cannot create: {e}"),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(dir)
            .map_err(backend)?;
    }
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(backend(e)),
    }
}

/// Whether this process may open the file for reading (and writing).
pub fn check_access(path: &Path, write: bool) -> Result<(), StoreError> {
    match OpenOptions::new().read(true).write(write).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::PermissionDenied => {
            Err(StoreError::AccessDenied(path.to_owned()))
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Err(StoreError::Missing(path.to_owned())),
        Err(e) => Err(StoreError::Backend {
            location: path.display().to_string(),
            detail: e.to_string(),
        }),
    }
}

/// Refuses a store file that group or others can access, or that sits in a
/// directory they could write (unless it is sticky, like /tmp).
pub fn check(path: &Path) -> Result<(), StoreError> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        ErrorKind::NotFound => StoreError::Missing(path.to_owned()),
        _ => StoreError::Backend {
            location: path.display().to_string(),
            detail: e.to_string(),
        },
    })?;
    let mode = meta.mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(StoreError::Permissions {
            path: path.to_owned(),
            what: "the file",
            mode,
            fix: FILE_MODE,
        });
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(dir_meta) = std::fs::metadata(dir) {
        let dir_mode = dir_meta.mode() & 0o7777;
        if dir_mode & 0o022 != 0 && dir_mode & STICKY == 0 {
            return Err(StoreError::Permissions {
                path: dir.to_owned(),
                what: "its directory",
                mode: dir_mode,
                fix: DIR_MODE,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn creates_private_file_and_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a/b/state.db");
        create(&path).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
        assert_eq!(
            std::fs::metadata(path.parent().unwrap()).unwrap().mode() & 0o777,
            0o700
        );
        check(&path).unwrap();
    }

    #[test]
    fn refuses_readable_files_and_writable_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("state.db");
        create(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = check(&path).unwrap_err();
        assert!(
            err.to_string().contains("mode 0644") && err.to_string().contains("chmod 600"),
            "{err}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(matches!(
            check(&path),
            Err(StoreError::Permissions {
                what: "its directory",
                ..
            })
        ));
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
        check(&path).unwrap();
        assert!(matches!(
            check(&tmp.path().join("nope.db")),
            Err(StoreError::Missing(_))
        ));
    }
}
