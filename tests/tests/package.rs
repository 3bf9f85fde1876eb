//! The Debian package in a fresh Debian 12 root: `apt-get install` of
//! `target/debian/pwpolicy_*.deb` (scripts/build-deb.sh; built here if
//! missing) into a debootstrapped root (scripts/debian-root.sh, cached), in a
//! private mount namespace, then from inside: the files where Debian's tools
//! look, the PAM stack pam-auth-update wrote, the man pages through `man`,
//! the units through `systemd-analyze verify`, the real `passwd` of an
//! ordinary user in a pty, pwpolicyd from the unit's own command line, and a
//! purge that leaves the PAM stack as it was.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

use pwpolicy_tests::sandbox::Pty;
use pwpolicy_tests::{Output, is_root, run};

/// Mounts what programs in the root need, then runs the command in it; the
/// mounts die with the namespace (`unshare -m`), the host's are untouched.
const ENTER: &str = r#"set -eu
R=$1; shift
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
mount -t sysfs sys "$R/sys"
mount -t tmpfs tmpfs "$R/run"
exec chroot "$R" "$@""#;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// The package, built by scripts/build-deb.sh unless it is there already.
fn package() -> PathBuf {
    let find = || {
        std::fs::read_dir(workspace().join("target/debian"))
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("pwpolicy_") && n.ends_with(".deb"))
            })
    };
    if let Some(deb) = find() {
        return deb;
    }
    let out = run(&workspace().join("scripts/build-deb.sh"), &[], b"");
    assert_eq!(out.code, 0, "scripts/build-deb.sh: {out:?}");
    find().expect("build-deb.sh leaves target/debian/pwpolicy_*.deb")
}

/// A fresh copy of the cached Debian 12 root, removed on drop.
struct Root {
    dir: tempfile::TempDir,
}

impl Root {
    fn new() -> Root {
        let out = run(&workspace().join("scripts/debian-root.sh"), &[], b"");
        assert_eq!(out.code, 0, "scripts/debian-root.sh: {out:?}");
        let tarball = out.stdout.trim().to_owned();
        let dir = tempfile::tempdir().unwrap();
        let untar = run(
            Path::new("tar"),
            &["-C", dir.path().to_str().unwrap(), "-xf", &tarball],
            b"",
        );
        assert_eq!(untar.code, 0, "{untar:?}");
        Root { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The command that runs `argv` inside the root.
    fn command(&self, argv: &[&str]) -> Command {
        let mut cmd = Command::new("unshare");
        cmd.args(["-m", "--propagation", "private", "sh", "-c", ENTER, "enter"])
            .arg(self.path())
            .args(argv)
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("LANG", "C.UTF-8")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .env("TERM", "dumb");
        cmd
    }

    /// Runs a shell script inside the root.
    fn sh(&self, script: &str) -> Output {
        let out = self.command(&["/bin/sh", "-euc", script]).output().unwrap();
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    #[track_caller]
    fn ok(&self, script: &str) -> String {
        let out = self.sh(script);
        assert_eq!(out.code, 0, "in the root: {script}\n{out:?}");
        out.stdout
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.path().join(path.trim_start_matches('/')))
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}

const STACK: [&str; 2] = ["/etc/pam.d/common-password", "/etc/pam.d/common-account"];

#[test]
fn apt_install_makes_a_policy_enforcing_host_and_purge_undoes_it() {
    pwpolicy_tests::require!(is_root(), "needs root");
    let deb = package();
    let root = Root::new();
    std::fs::copy(&deb, root.path().join("tmp/pwpolicy.deb")).unwrap();
    // An ordinary user, with a password set before pwpolicy is there.
    root.ok(
        "useradd -m -s /bin/sh -c 'Alice Liddell' alice && echo 'alice:Tulip-Garden-71' | chpasswd",
    );
    let before: Vec<String> = STACK.iter().map(|f| root.read(f)).collect();

    let install = root.sh("apt-get install -y --no-install-recommends /tmp/pwpolicy.deb");
    assert_eq!(install.code, 0, "{install:?}");

    // The files where Debian's tools look for them.
    root.ok("command -v pwpolicy && command -v pwpolicyd \
         && test -f /usr/lib/x86_64-linux-gnu/security/pam_pwpolicy.so \
         && test -f /usr/share/pam-configs/pwpolicy \
         && test -f /usr/share/bash-completion/completions/pwpolicy \
         && test -f /usr/share/zsh/vendor-completions/_pwpolicy \
         && test -f /usr/share/fish/vendor_completions.d/pwpolicy.fish \
         && test -f /usr/share/doc/pwpolicy/copyright \
         && test \"$(stat -c %a /var/lib/pwpolicy)\" = 700");
    let conffiles = root.ok("cat /var/lib/dpkg/info/pwpolicy.conffiles");
    assert!(
        conffiles.contains("/etc/security/pwpolicy.toml")
            && conffiles.contains("/etc/pam.d/pwpolicy-web"),
        "{conffiles}"
    );
    let shown = root.ok("pwpolicy policy show");
    assert!(
        shown.starts_with(
            "# effective policy: the built-in default (/etc/security/pwpolicy.toml sets nothing)"
        ),
        "{shown}"
    );
    // pam-auth-update put the module into both phases, before pam_unix.
    let password = root.read(STACK[0]);
    let quality = password
        .find("pam_pwpolicy.so")
        .expect("pwpolicy in common-password");
    let unix = password.find("pam_unix.so").unwrap();
    assert!(
        quality < unix && password.contains("pam_pwpolicy.so commit"),
        "{password}"
    );
    assert!(
        root.read(STACK[1]).contains("pam_pwpolicy.so"),
        "common-account"
    );
    // man finds every page.
    for (section, page, says) in [
        ("1", "pwpolicy", "pwpolicy-check"),
        ("1", "pwpolicy-check", "--user"),
        ("8", "pwpolicyd", "--hash-slots"),
        ("8", "pwpolicy-web", "cert_file"),
        ("8", "pam_pwpolicy", "enforce_for_root"),
        ("5", "pwpolicy.toml", "min_length"),
    ] {
        let text = root.ok(&format!("MANWIDTH=100 man -P cat {section} {page} 2>&1"));
        assert!(text.contains(says), "man {section} {page}:\n{text}");
    }
    // The units as systemd reads them.
    let verify = root.sh(
        "systemd-analyze verify /usr/lib/systemd/system/pwpolicyd.socket \
         /usr/lib/systemd/system/pwpolicyd.service \
         /usr/lib/systemd/system/pwpolicy-notify.service \
         /usr/lib/systemd/system/pwpolicy-notify.timer \
         /usr/lib/systemd/system/pwpolicy-web.service",
    );
    assert_eq!(verify.code, 0, "{verify:?}");
    assert!(!verify.stderr.contains("pwpolicy"), "{verify:?}");
    // The reminders' timer is shipped, not enabled: mail starts only when
    // the admin has set [notify] up and says so.
    let enabled = root.sh("ls /etc/systemd/system/timers.target.wants/ 2>/dev/null");
    assert!(!enabled.stdout.contains("pwpolicy-notify"), "{enabled:?}");
    // The self-service page likewise: shipped with its files and its own
    // unprivileged account, not enabled until [web] is configured.
    let wants = root.sh("ls /etc/systemd/system/multi-user.target.wants/ 2>/dev/null");
    assert!(!wants.stdout.contains("pwpolicy-web"), "{wants:?}");
    let account = root.ok("getent passwd pwpolicy-web");
    assert!(
        account.contains("/usr/sbin/nologin") || account.contains("/bin/false"),
        "{account}"
    );
    root.ok("test -s /usr/share/pwpolicy/web/index.html \
             && test -s /usr/share/pwpolicy/web/pkg/pwpolicy_wasm_bg.wasm");
    let off = root.sh("pwpolicy-web --config /etc/security/pwpolicy.toml");
    assert_eq!(off.code, 2, "{off:?}");
    assert!(off.stderr.contains("cert_file and key_file"), "{off:?}");
    let timer = root.read("/usr/lib/systemd/system/pwpolicy-notify.timer");
    assert!(timer.contains("OnCalendar="), "{timer}");
    let unit = root.read("/usr/lib/systemd/system/pwpolicy-notify.service");
    assert!(
        unit.contains("ExecStart=/usr/bin/pwpolicy notify --send"),
        "{unit}"
    );
    // The policy file is optional, so systemd must not refuse to start the
    // service without it (a path in ReadOnlyPaths= must exist unless "-").
    let unit = root.read("/usr/lib/systemd/system/pwpolicyd.service");
    for line in unit.lines().filter(|l| l.starts_with("ReadOnlyPaths=")) {
        assert!(line.contains("=-/etc/security/pwpolicy.toml"), "{line}");
    }

    // The real passwd, as alice, in a terminal: a password with her name is
    // refused, a good one accepted and recorded in the default store.
    let mut pty = Pty::spawn(
        root.command(&["runuser", "-u", "alice", "--", "passwd"]),
        "passwd in the Debian root",
    );
    pty.answer("Current password: ", "Tulip-Garden-71");
    pty.answer("New password: ", "Liddell-Wonder-8");
    let (which, refusal) = pty.expect_first(&["New password: ", "Retype new password: "]);
    if which != 0 || !refusal.contains("BAD PASSWORD") {
        pty.fail("a password with the full name must be refused and asked again");
    }
    pty.send_secret("Zebra-Cloud-58");
    pty.answer("Retype new password: ", "Zebra-Cloud-58");
    pty.expect("password updated successfully");
    let (_, code) = pty.finish();
    assert_eq!(code, 0);
    let status = root.ok("pwpolicy status --user alice --json");
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(status["history_entries"], 1, "{status}");
    assert_eq!(status["state"], "ok", "{status}");

    // pwpolicyd from the installed unit's command line answers on the
    // default socket, to root and to alice about herself.
    let answers = root.ok(
        "cmd=$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/pwpolicyd.service)
         PWPOLICYD_LOG=warn $cmd & pid=$!
         i=0; while [ ! -S /run/pwpolicy/pwpolicyd.sock ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
         pwpolicy status --user alice --json --socket /run/pwpolicy/pwpolicyd.sock
         runuser -u alice -- pwpolicy status --json
         kill -TERM $pid; wait $pid",
    );
    let lines: Vec<serde_json::Value> = answers
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 2, "{answers}");
    for status in &lines {
        assert_eq!(status["user"], "alice", "{status}");
        assert_eq!(status["history_entries"], 1, "{status}");
    }

    // Purge: the stack is as it was, the state and the conffile gone.
    let purge = root.sh("apt-get purge -y pwpolicy");
    assert_eq!(purge.code, 0, "{purge:?}");
    for (file, was) in STACK.iter().zip(&before) {
        assert_eq!(&root.read(file), was, "{file} after purge");
    }
    for gone in [
        "var/lib/pwpolicy",
        "etc/security/pwpolicy.toml",
        "etc/pam.d/pwpolicy-web",
        "usr/lib/x86_64-linux-gnu/security/pam_pwpolicy.so",
        "usr/share/pam-configs/pwpolicy",
    ] {
        assert!(!root.path().join(gone).exists(), "{gone} after purge");
    }
    // And passwd still works without it.
    let mut pty = Pty::spawn(
        root.command(&["runuser", "-u", "alice", "--", "passwd"]),
        "passwd after purge",
    );
    pty.answer("Current password: ", "Zebra-Cloud-58");
    pty.answer("New password: ", "Copper-Kite-36");
    pty.answer("Retype new password: ", "Copper-Kite-36");
    pty.expect("password updated successfully");
    assert_eq!(pty.finish().1, 0);
}
