//! Guards what pwpolicy does with a store, policy or socket path it is given
//! (`--db`, `--config`, `--socket`, `[store] db`): any bytes are a location
//! or a clear refusal, never a panic; a PostgreSQL password never shows in the
//! printed location; and the trust checks judge any path without panicking,
//! answering only with canonical paths.
#![no_main]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use pwpolicy_store::Location;
use pwpolicy_trust::Kind;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let location = Location::parse(text);
        let shown = location.to_string();
        if let Location::Postgres(url) = &location {
            if let Some(password) = userinfo_password(url) {
                // Only a password that appears nowhere else can be looked
                // for, and not one holding the mask itself: `u:***@h` as
                // the password of `postgres://u:u:***@h@hx` is shown only
                // as the mask's own text, `postgres://u:***@hx`.
                if password.len() >= 8
                    && !password.contains("***")
                    && url.matches(password).count() == 1
                {
                    assert!(!shown.contains(password), "the password shows");
                }
            }
        }
    }
    let path = Path::new(OsStr::from_bytes(data));
    let _ = pwpolicy_trust::split(path);
    if let Ok(file) = pwpolicy_trust::open(path, Kind::Config) {
        assert!(file.path().is_absolute());
    }
    if let Ok(verified) = pwpolicy_trust::verify(path, Kind::Secret, false) {
        assert!(verified.path().is_absolute());
        let _ = verified.check_sibling("-wal");
    }
    let _ = pwpolicy_trust::is_own_socket(path);
    if let Ok(dir) = pwpolicy_trust::verify_dir(path) {
        assert!(dir.is_absolute());
    }
});

/// The password of `scheme://user:password@host...`, as the URL spells it.
fn userinfo_password(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let userinfo = authority.rsplit_once('@')?.0;
    Some(userinfo.split_once(':')?.1)
}
