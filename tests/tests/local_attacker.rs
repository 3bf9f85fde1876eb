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
    pwpolicy_require::skip(name, "needs root");
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

/// Issue 22's probe: the directory's bind password and CA files had no
/// rules at all. A link planted at the bind password file's path sent the
/// first line of root's pepper to a listener on 127.0.0.1; a FIFO there
/// hung root's `status` forever; a CA file `nobody` could write let a fake
/// LDAPS server take the real bind password. Now each is refused before
/// anything is sent: the listener never hears a byte, and the FIFO does
/// not hang.
#[test]
fn the_directorys_secrets_are_held_to_the_trust_rules() {
    if !needs_root("the_directorys_secrets_are_held_to_the_trust_rules") {
        return;
    }
    let tmp = TestDir::new();
    chmod(tmp.path(), 0o755);
    let secrets = tmp.path().join("secrets");
    std::fs::create_dir(&secrets).unwrap();
    chmod(&secrets, 0o700);
    let pepper = secrets.join("pepper");
    std::fs::write(&pepper, "the-pepper-of-root-0123456789\n").unwrap();
    chmod(&pepper, 0o600);
    // The attacker's directory, where the bind password file is expected.
    let theirs = tmp.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    chmod(&theirs, 0o777);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!(
        "ldaps://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let status = |password_file: &Path, ca: Option<&Path>| {
        let mut args = vec![
            "status".to_owned(),
            "--user".to_owned(),
            "erin".to_owned(),
            "--directory".to_owned(),
            url.clone(),
            "--bind-dn".to_owned(),
            "reader@EXAMPLE.COM".to_owned(),
            "--bind-password-file".to_owned(),
            password_file.display().to_string(),
        ];
        if let Some(ca) = ca {
            args.extend(["--ca-file".to_owned(), ca.display().to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let started = std::time::Instant::now();
        let out = pwpolicy_run(&args, b"");
        assert!(started.elapsed().as_secs() < 10, "it hung: {out:?}");
        out
    };
    let nothing_sent = || {
        assert!(
            listener.accept().is_err(),
            "a connection reached the listener"
        );
    };
    // A link to root's pepper, planted by nobody.
    let link = theirs.join("ldap.pw");
    symlink(&pepper, &link).unwrap();
    let out = status(&link, None);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        !out.stderr.contains("the-pepper") && !out.stdout.contains("the-pepper"),
        "{out:?}"
    );
    nothing_sent();
    // Even a root-owned, private file: its directory is the attacker's.
    std::fs::remove_file(&link).unwrap();
    std::fs::write(&link, "bind-secret\n").unwrap();
    chmod(&link, 0o600);
    let out = status(&link, None);
    assert!(out.code == 2 && out.stderr.contains("refusing"), "{out:?}");
    nothing_sent();
    // A FIFO in its place (even in a directory of root's): refused at once.
    let fifo = secrets.join("fifo.pw");
    let made = run(Path::new("mkfifo"), &[fifo.to_str().unwrap()], b"");
    assert_eq!(made.code, 0, "{made:?}");
    chmod(&fifo, 0o600);
    let out = status(&fifo, None);
    assert!(
        out.code == 2 && out.stderr.contains("not a regular file"),
        "{out:?}"
    );
    nothing_sent();
    // A CA file nobody may rewrite: refused before the bind password leaves.
    let good = secrets.join("ldap.pw");
    std::fs::write(&good, "bind-secret\n").unwrap();
    chmod(&good, 0o600);
    let ca = tmp.path().join("ca.pem");
    std::fs::write(&ca, "-----BEGIN CERTIFICATE-----\n").unwrap();
    chmod(&ca, 0o666);
    let out = status(&good, Some(&ca));
    assert!(
        out.code == 2 && out.stderr.contains("CA file") && out.stderr.contains("chmod 644"),
        "{out:?}"
    );
    nothing_sent();
}

/// Issue 22's probe: the trust walk checked the directories a path
/// resolves to, not those it names. A `nobody`-owned directory holding a
/// link to a root-owned directory with a decoy list (one without
/// `Summer2024!`) was accepted, and root's `check` passed `Summer2024!`.
/// Every directory the path names is checked now.
#[test]
fn a_link_in_someone_elses_directory_cannot_swap_in_a_decoy_list() {
    if !needs_root("a_link_in_someone_elses_directory_cannot_swap_in_a_decoy_list") {
        return;
    }
    let tmp = TestDir::new();
    chmod(tmp.path(), 0o755);
    let real = pwpolicy_tests::breach_filter(&tmp, "real.pwbf", &["Summer2024!"], "sha1");
    let decoys = tmp.path().join("decoys");
    std::fs::create_dir(&decoys).unwrap();
    let decoy = pwpolicy_tests::breach_filter(&tmp, "decoy.pwbf", &["unrelated-9"], "sha1");
    std::fs::rename(&decoy, decoys.join("breached.pwbf")).unwrap();
    let theirs = tmp.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::os::unix::fs::chown(&theirs, Some(NOBODY), None).unwrap();
    as_nobody(&format!(
        "ln -s {} {}/lists",
        decoys.display(),
        theirs.display()
    ));
    let check = |list: &Path| {
        let policy = tmp.write(
            "policy.toml",
            &format!("[breached]\nfile = \"{}\"\n", list.display()),
        );
        chmod(&policy, 0o644);
        pwpolicy_run(
            &["check", "--config", policy.to_str().unwrap(), "--json"],
            b"Summer2024!\n",
        )
    };
    // The real list refuses it…
    let out = check(&real);
    assert_eq!(
        (out.code, &out.json()["violations"][0]["code"]),
        (1, &"breached".into()),
        "{out:?}"
    );
    // …and the decoy, reached through nobody's directory, is refused.
    let out = check(&theirs.join("lists/breached.pwbf"));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("refusing") && out.stderr.contains("owned by uid 65534"),
        "{out:?}"
    );
    // `policy check` says so before any change is judged.
    let policy = tmp.path().join("policy.toml");
    let out = pwpolicy_run(&["policy", "check", policy.to_str().unwrap()], b"");
    assert!(
        out.code == 1 && out.stdout.contains("owned by uid 65534"),
        "{out:?}"
    );
}
