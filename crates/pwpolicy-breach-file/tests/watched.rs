//! A watched filter follows the file at its path: a replacement by rename is
//! mapped at the next lookup, a broken replacement is an error (never the
//! old list in its place), and the old map stays whole while it is held.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::io::Cursor;
use std::path::Path;

use pwpolicy_breach::{Encoder, KeyKind, SetError, Settings};
use pwpolicy_breach_file::{BreachFileError, Watched, open_plain};

fn write_filter(path: &Path, passwords: &[&str]) {
    let kind = KeyKind::Sha1;
    let mut keys: Vec<u64> = passwords.iter().map(|p| kind.prefix_of(p)).collect();
    keys.sort_unstable();
    let settings = Settings {
        kind,
        one_in: 1_000_000_000,
        min_count: 1,
        created: 0,
    };
    let mut e = Encoder::new(Cursor::new(Vec::new()), settings, keys.len() as u64).unwrap();
    for k in keys {
        e.push(k).unwrap();
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, e.finish().unwrap().1.into_inner()).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn a_replaced_file_is_mapped_again_and_a_broken_one_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("breached.pwbf");
    let watched = Watched::new(&path, open_plain);
    assert!(
        matches!(watched.current(), Err(BreachFileError::Read { .. })),
        "missing"
    );

    write_filter(&path, &["password", "letmein"]);
    let old = watched.current().unwrap();
    assert!(old.set().contains_password("letmein", true).unwrap());
    assert!(!old.set().contains_password("Sommer2026!", true).unwrap());
    assert!(
        std::sync::Arc::ptr_eq(&old, &watched.current().unwrap()),
        "unchanged: the same map"
    );

    write_filter(&path, &["password", "Sommer2026!"]);
    let new = watched.current().unwrap();
    assert!(new.set().contains_password("Sommer2026!", true).unwrap());
    assert!(!new.set().contains_password("letmein", true).unwrap());
    // The old map is still whole for whoever holds it.
    assert!(old.set().contains_password("letmein", true).unwrap());

    std::fs::write(path.with_extension("tmp"), b"").unwrap();
    std::fs::rename(path.with_extension("tmp"), &path).unwrap();
    let e = watched.current().unwrap_err();
    assert!(
        matches!(
            e,
            BreachFileError::Unusable {
                source: SetError::Empty,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("breached.pwbf"), "{e}");

    write_filter(&path, &["password"]);
    let mut cut = std::fs::read(&path).unwrap();
    cut.truncate(cut.len() - 100);
    std::fs::write(path.with_extension("tmp"), &cut).unwrap();
    std::fs::rename(path.with_extension("tmp"), &path).unwrap();
    let e = watched.current().unwrap_err();
    assert!(
        matches!(
            e,
            BreachFileError::Unusable {
                source: SetError::Truncated { .. },
                ..
            }
        ),
        "{e}"
    );
}
