//! A local user (`nobody`) against the files root's `pwpolicy` trusts
//! (issue 12, point 1): each attack the probe found, replayed in a scratch
//! tree, must end with root refusing the file — exit 2, the fix named — and
//! nothing written to what the attacker prepared.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;

use pwpolicy_tests::{Output, TestDir, is_root, pwpolicy_run, run};

const NOBODY: u32 = 65534;

fn needs_root(name: &str) -> bool {
    if is_root() {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "CI runs as root");
    eprintln!("SKIPPED {name}: needs root");
    false
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Runs a shell command as nobody (the attacker).
fn as_nobody(script: &str) {
    let out = run(
        Path::new("runuser"),
        &["-u", "nobody", "--", "sh", "-c", script],
        b"",
    );
    assert_eq!(out.code, 0, "{out:?}");
}

/// Root changes erin's password in the store at `db`.
fn root_changes(db: &Path) -> Output {
    pwpolicy_run(
        &[
            "change",
            "--user",
            "erin",
            "--db",
            db.to_str().unwrap(),
            "--config",
            "/dev/null",
        ],
        b"Blue-Kettle-42\n",
    )
}

fn refused(out: &Output, needle: &str) {
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("refusing") && out.stderr.contains(needle),
        "{out:?}"
    );
}

#[test]
fn root_refuses_a_store_the_attacker_precreated_in_a_sticky_directory() {
    if !needs_root("root_refuses_a_store_the_attacker_precreated_in_a_sticky_directory") {
        return;
    }
    let tmp = TestDir::new();
    let shared = tmp.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    chmod(tmp.path(), 0o755);
    chmod(&shared, 0o1777);
    let db = shared.join("state.db");
    as_nobody(&format!("umask 077; : > {}", db.display()));
    let out = root_changes(&db);
    refused(&out, "writable by others");
    // Nothing was written into the attacker's file, nor chowned.
    let meta = std::fs::metadata(&db).unwrap();
    assert_eq!((meta.len(), meta.uid()), (0, NOBODY));
    // Nor does root create a store of its own there (the attacker could
    // plant its -wal and -shm first).
    let fresh = shared.join("fresh.db");
    refused(&root_changes(&fresh), "writable by others");
}

#[test]
fn root_refuses_a_store_file_another_user_owns() {
    if !needs_root("root_refuses_a_store_file_another_user_owns") {
        return;
    }
    let tmp = TestDir::new();
    let db = tmp.path().join("state.db");
    std::fs::write(&db, b"").unwrap();
    chmod(&db, 0o600);
    std::os::unix::fs::chown(&db, Some(NOBODY), None).unwrap();
    let out = root_changes(&db);
    refused(&out, &format!("owned by uid {NOBODY}"));
    assert!(out.stderr.contains("chown root"), "{out:?}");
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0);
}

#[test]
fn root_refuses_a_store_in_a_directory_the_attacker_owns() {
    if !needs_root("root_refuses_a_store_in_a_directory_the_attacker_owns") {
        return;
    }
    // The attack: the attacker swaps root's database for an older copy in
    // its own 0700 directory, and root re-accepts an old password.
    let tmp = TestDir::new();
    chmod(tmp.path(), 0o755);
    let theirs = tmp.path().join("theirs");
    let db = theirs.join("state.db");
    std::fs::create_dir(&theirs).unwrap();
    chmod(&theirs, 0o700);
    std::os::unix::fs::chown(&theirs, Some(NOBODY), None).unwrap();
    refused(
        &root_changes(&db),
        "a directory on its path is owned by uid 65534",
    );
    assert!(!db.exists(), "nothing created in the attacker's directory");
}

#[test]
fn root_refuses_planted_wal_and_shm_files() {
    if !needs_root("root_refuses_planted_wal_and_shm_files") {
        return;
    }
    let tmp = TestDir::new();
    let db = tmp.path().join("store/state.db");
    assert_eq!(root_changes(&db).code, 0);
    for (suffix, mode, owner) in [("-wal", 0o666, 0), ("-shm", 0o600, NOBODY)] {
        let planted = tmp.path().join(format!("store/state.db{suffix}"));
        std::fs::write(&planted, b"").unwrap();
        chmod(&planted, mode);
        std::os::unix::fs::chown(&planted, Some(owner), None).unwrap();
        let out = pwpolicy_run(
            &["status", "--user", "erin", "--db", db.to_str().unwrap()],
            b"",
        );
        refused(&out, &format!("state.db{suffix}"));
        std::fs::remove_file(&planted).unwrap();
    }
}

#[test]
fn root_never_follows_a_link_in_the_stores_place() {
    if !needs_root("root_never_follows_a_link_in_the_stores_place") {
        return;
    }
    // The attack: a link to an empty root-owned 0600 file made it a database.
    let tmp = TestDir::new();
    let victim = tmp.path().join("victim");
    std::fs::write(&victim, b"").unwrap();
    chmod(&victim, 0o600);
    let db = tmp.path().join("state.db");
    symlink(&victim, &db).unwrap();
    refused(&root_changes(&db), "symbolic link");
    assert_eq!(std::fs::read(&victim).unwrap(), b"");
}

#[test]
fn root_refuses_a_policy_file_others_could_rewrite() {
    if !needs_root("root_refuses_a_policy_file_others_could_rewrite") {
        return;
    }
    // A weaker policy planted where root reads it would be enforced.
    let tmp = TestDir::new();
    let config = tmp.write("pwpolicy.toml", "[quality]\nmin_length = 4\n");
    let check = || pwpolicy_run(&["check", "--config", config.to_str().unwrap()], b"Ab1!\n");
    chmod(&config, 0o666);
    let out = check();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("chmod 644"), "{out:?}");
    chmod(&config, 0o644);
    std::os::unix::fs::chown(&config, Some(NOBODY), None).unwrap();
    let out = check();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("chown root"), "{out:?}");
    std::os::unix::fs::chown(&config, Some(0), None).unwrap();
    assert_eq!(check().code, 0, "root's own 0644 file is used");
}
