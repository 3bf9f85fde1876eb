//! The rules against the attacks they stop. Files of "another user" are made
//! by chown, so these need root; under CI=true they fail rather than skip.

use super::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};

/// A uid no test account uses.
const OTHER: u32 = 4242;

fn root_only() -> bool {
    if euid() == 0 {
        return true;
    }
    pwpolicy_require::skip("pwpolicy-trust's tests", "they chown files and need root");
    false
}

fn chown(path: &Path, uid: u32) {
    std::os::unix::fs::lchown(path, Some(uid), None).unwrap();
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn creates_private_file_and_directories_and_accepts_them() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("a/b/state.db");
    create_secret(&path).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
    assert_eq!(
        std::fs::metadata(path.parent().unwrap()).unwrap().mode() & 0o777,
        0o700
    );
    let trusted = verify(&path, Kind::Secret, true).unwrap();
    assert_eq!(trusted.path(), std::fs::canonicalize(&path).unwrap());
    // Creating again keeps the file (and its contents).
    std::fs::write(&path, b"kept").unwrap();
    create_secret(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"kept");
}

#[test]
fn refuses_files_others_can_reach_with_the_chmod_to_run() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("state.db");
    create_secret(&path).unwrap();
    chmod(&path, 0o640);
    let err = verify(&path, Kind::Secret, false).unwrap_err();
    assert!(
        matches!(
            err,
            TrustError::Mode {
                mode: 0o640,
                fix: 0o600,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("chmod 600"), "{err}");
    // A policy file may be read by all, not written.
    chmod(&path, 0o644);
    open(&path, Kind::Config).unwrap();
    chmod(&path, 0o664);
    let err = open(&path, Kind::Config).unwrap_err();
    assert!(err.to_string().contains("chmod 644"), "{err}");
}

#[test]
fn refuses_a_file_another_user_owns_even_if_private() {
    if !root_only() {
        return;
    }
    // The attack: pre-create an empty 0600 file for root to adopt.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("state.db");
    create_secret(&path).unwrap();
    chown(&path, OTHER);
    let err = verify(&path, Kind::Secret, true).unwrap_err();
    assert!(
        matches!(err, TrustError::Owner { owner: OTHER, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("chown root"), "{err}");
    let err = open(&path, Kind::Config).unwrap_err();
    assert!(matches!(err, TrustError::Owner { .. }), "{err}");
}

#[test]
fn refuses_a_directory_another_user_owns_anywhere_on_the_path() {
    if !root_only() {
        return;
    }
    // The attack: the attacker's 0700 directory, where they swap the file.
    let tmp = tempfile::tempdir().unwrap();
    let theirs = tmp.path().join("theirs");
    let path = theirs.join("inner/state.db");
    create_secret(&path).unwrap();
    chown(&theirs, OTHER);
    for kind in [Kind::Secret, Kind::Config] {
        let err = verify(&path, kind, false).unwrap_err();
        assert!(
            matches!(&err, TrustError::Owner { path: p, .. } if p.ends_with("theirs")),
            "{err}"
        );
    }
    // Creating there is refused too, before any file is made.
    let fresh = theirs.join("inner/new.db");
    assert!(create_secret(&fresh).is_err());
    assert!(!fresh.exists());
}

#[test]
fn a_sticky_directory_may_hold_a_policy_file_but_not_a_store() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("state.db");
    create_secret(&path).unwrap();
    chmod(tmp.path(), 0o1777);
    let err = verify(&path, Kind::Secret, false).unwrap_err();
    assert!(
        matches!(err, TrustError::SharedDirectory { mode: 0o1777, .. }),
        "{err}"
    );
    assert!(create_secret(&tmp.path().join("other.db")).is_err());
    open(&path, Kind::Config).unwrap();
    // Writable without the sticky bit: refused for both, with the fix.
    chmod(tmp.path(), 0o777);
    let err = open(&path, Kind::Config).unwrap_err();
    assert!(err.to_string().contains("chmod 755"), "{err}");
}

#[test]
fn refuses_a_writable_directory_higher_up_but_not_a_sticky_one() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("mid/store/state.db");
    create_secret(&path).unwrap();
    let mid = tmp.path().join("mid");
    chmod(&mid, 0o757);
    let err = verify(&path, Kind::Secret, false).unwrap_err();
    assert!(
        matches!(&err, TrustError::Mode { path: p, fix: 0o755, .. } if p.ends_with("mid")),
        "{err}"
    );
    // Like /tmp: others can add entries but not replace ours.
    chmod(&mid, 0o1777);
    verify(&path, Kind::Secret, false).unwrap();
}

#[test]
fn never_follows_a_link_in_the_files_place() {
    // The attack: a link to an empty root-owned file turns it into a database.
    let tmp = tempfile::tempdir().unwrap();
    let victim = tmp.path().join("victim");
    std::fs::write(&victim, b"").unwrap();
    chmod(&victim, 0o600);
    let link = tmp.path().join("state.db");
    symlink(&victim, &link).unwrap();
    let err = verify(&link, Kind::Secret, true).unwrap_err();
    assert!(matches!(err, TrustError::Symlink(_)), "{err}");
    // create_secret leaves the link (and its target) alone.
    create_secret(&link).unwrap();
    assert!(verify(&link, Kind::Secret, true).is_err());
    assert_eq!(std::fs::read(&victim).unwrap(), b"");
}

#[test]
fn follows_links_among_the_directories_and_reports_the_real_path() {
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real");
    let path = real.join("state.db");
    create_secret(&path).unwrap();
    symlink(&real, tmp.path().join("run")).unwrap();
    let trusted = verify(&tmp.path().join("run/state.db"), Kind::Secret, false).unwrap();
    assert_eq!(trusted.path(), std::fs::canonicalize(&path).unwrap());
}

#[test]
fn checks_the_directories_a_path_names_not_only_those_it_resolves_to() {
    // The attack (issue 22): a directory another user owns holds a link to
    // a root-owned directory with a decoy list; the walk used to check only
    // the resolved path, and accepted the decoy.
    if !root_only() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let decoys = tmp.path().join("decoys");
    std::fs::create_dir(&decoys).unwrap();
    std::fs::write(decoys.join("banned.txt"), b"").unwrap();
    chmod(&decoys.join("banned.txt"), 0o644);
    let theirs = tmp.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    symlink(&decoys, theirs.join("lists")).unwrap();
    chown(&theirs, OTHER);
    let err = open(&theirs.join("lists/banned.txt"), Kind::Config).unwrap_err();
    assert!(
        matches!(&err, TrustError::Owner { path, .. } if *path == theirs),
        "{err}"
    );
    // The same link in a directory of root's is followed.
    chown(&theirs, 0);
    let trusted = open(&theirs.join("lists/banned.txt"), Kind::Config).unwrap();
    assert_eq!(trusted.path(), decoys.join("banned.txt"));
    // A relative link, and `..` after a link, resolve as the kernel does.
    symlink("../decoys", theirs.join("rel")).unwrap();
    let via = theirs.join("rel/../decoys/banned.txt");
    assert_eq!(
        open(&via, Kind::Config).unwrap().path(),
        decoys.join("banned.txt")
    );
    // A link loop ends with an error, not a hang.
    symlink(theirs.join("loop"), theirs.join("loop")).unwrap();
    assert!(open(&theirs.join("loop/x"), Kind::Config).is_err());
}

#[test]
fn refuses_planted_sibling_files() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("state.db");
    create_secret(&path).unwrap();
    let trusted = verify(&path, Kind::Secret, true).unwrap();
    trusted.check_sibling("-wal").unwrap(); // absent is fine
    let wal = tmp.path().join("state.db-wal");
    // The attack: a world-writable -wal the attacker holds open.
    std::fs::write(&wal, b"").unwrap();
    chmod(&wal, 0o666);
    let err = trusted.check_sibling("-wal").unwrap_err();
    assert!(matches!(err, TrustError::Mode { mode: 0o666, .. }), "{err}");
    assert!(err.to_string().contains("state.db-wal"), "{err}");
    std::fs::remove_file(&wal).unwrap();
    symlink("/etc/hostname", &wal).unwrap();
    let err = trusted.check_sibling("-wal").unwrap_err();
    assert!(matches!(err, TrustError::Symlink(_)), "{err}");
    std::fs::remove_file(&wal).unwrap();
    if root_only() {
        let shm = tmp.path().join("state.db-shm");
        std::fs::write(&shm, b"").unwrap();
        chmod(&shm, 0o600);
        chown(&shm, OTHER);
        let err = trusted.check_sibling("-shm").unwrap_err();
        assert!(matches!(err, TrustError::Owner { .. }), "{err}");
    }
}

#[test]
fn refuses_a_fifo_without_hanging_and_a_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("policy.toml");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    chmod(&fifo, 0o600);
    let err = open(&fifo, Kind::Config).unwrap_err();
    assert!(matches!(err, TrustError::NotRegular(_)), "{err}");
    let err = open(tmp.path(), Kind::Config).unwrap_err();
    assert!(matches!(err, TrustError::NotRegular(_)), "{err}");
}

#[test]
fn notices_the_file_being_swapped_after_the_check() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("state.db");
    create_secret(&path).unwrap();
    let trusted = verify(&path, Kind::Secret, false).unwrap();
    trusted.still_at_path().unwrap();
    let other = tmp.path().join("other.db");
    create_secret(&other).unwrap();
    std::fs::rename(&other, &path).unwrap();
    assert!(matches!(
        trusted.still_at_path(),
        Err(TrustError::Changed(_))
    ));
}

#[test]
fn missing_files_and_pathless_names_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let err = verify(&tmp.path().join("nope.db"), Kind::Secret, false).unwrap_err();
    assert!(matches!(err, TrustError::Missing(_)), "{err}");
    let err = open(&tmp.path().join("no/dir/x.toml"), Kind::Config).unwrap_err();
    assert!(matches!(err, TrustError::Missing(_)), "{err}");
    assert!(matches!(
        open(Path::new("/"), Kind::Config),
        Err(TrustError::NotAFile(_))
    ));
}

#[test]
fn a_socket_directory_must_be_private_and_only_our_sockets_are_stale() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    std::fs::create_dir(&run).unwrap();
    chmod(&run, 0o755);
    assert_eq!(
        verify_dir(&run).unwrap(),
        std::fs::canonicalize(&run).unwrap()
    );
    chmod(&run, 0o1777);
    assert!(matches!(
        verify_dir(&run),
        Err(TrustError::SharedDirectory { .. })
    ));
    chmod(&run, 0o755);
    let sock = run.join("pwpolicyd.sock");
    assert!(!is_own_socket(&sock).unwrap());
    let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    assert!(is_own_socket(&sock).unwrap());
    drop(listener);
    let file = run.join("file");
    std::fs::write(&file, b"").unwrap();
    assert!(matches!(
        is_own_socket(&file),
        Err(TrustError::NotASocket(_))
    ));
    let link = run.join("link");
    symlink(&sock, &link).unwrap();
    assert!(matches!(is_own_socket(&link), Err(TrustError::Symlink(_))));
    if root_only() {
        chown(&sock, OTHER);
        assert!(matches!(
            is_own_socket(&sock),
            Err(TrustError::Owner { .. })
        ));
    }
}
