//! A private copy of the system for driving the real programs that call PAM
//! (`passwd`, `su`, `login`, `sshd`) in a pseudo-terminal.
//!
//! [`Sandbox::new`] copies `/etc`, the PAM module directory, the
//! pam-auth-update profiles and state, and debconf's database into a
//! temporary directory `$T`, adds the freshly built `pam_pwpolicy.so`, and
//! enables the project's profiles with `pam-auth-update` the way an
//! administrator would. Every program then runs as
//!
//! ```text
//! unshare --mount --propagation private sh -c \
//!     'mount --bind $T/etc /etc && … && mount -t tmpfs tmpfs /run && … && exec "$@"' \
//!     sh PROGRAM ARGS…
//! ```
//!
//! so it sees the copies in place of the host's `/etc`, PAM stack, module
//! directory and debconf database, and empty tmpfs instances of `/run` (no
//! host sockets: not logind's, not pwpolicyd's default one) and `/var/log`
//! (lastlog, wtmp). `pam_unix` really changes passwords, in `$T/etc/shadow`.
//! Whatever must outlive one command (the store, homes, keys) lives in `$T`.
//!
//! [`Pty`] runs a command on a new pseudo-terminal and plays a user at it:
//! wait for text, then type. A failed expectation panics with everything the
//! program printed so far; the passwords typed are never echoed (answers to
//! hidden prompts are only typed once echo is off), so only the test's own
//! made-up passwords could ever appear there. With `PWPOLICY_TEST_TRANSCRIPTS`
//! set, every terminal's transcript is printed to standard error at the end
//! (`cargo test … -- --nocapture` shows them).
//!
//! The module and the CLI are the workspace's, built on first use; to test
//! other builds (a package's, an older commit's), name them in
//! `PWPOLICY_TEST_PAM_MODULE` and `PWPOLICY_TEST_CLI`.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Output, is_root, pam_module, pwpolicy};

#[allow(unsafe_code)]
mod pty;

pub use pty::Pty;
pub use pty::kill_tree;

/// The system's PAM module directory (Debian, x86-64), replaced by a copy.
pub const SECURITY_DIR: &str = "/lib/x86_64-linux-gnu/security";

/// How long one expectation waits for a program.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The search path every sandboxed program gets (the host's is not passed on).
const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Programs every sandbox needs, whatever the test drives.
const BASE_PROGRAMS: &[&str] = &[
    "unshare",
    "mount",
    "cp",
    "useradd",
    "usermod",
    "chpasswd",
    "chage",
    "pam-auth-update",
];

/// Whether this machine can run the sandboxed test `test`, which drives
/// `programs` (names looked up in the sandbox's search path, or absolute).
///
/// It needs root (for mount namespaces and to become other users), util-linux,
/// Debian's shadow tools, `pam-auth-update` and the system's PAM modules.
/// When something is missing, the test fails under CI (`CI` is set: a
/// skipped test must never look like a pass there); elsewhere this prints
/// `SKIPPED <test>: …` to standard error and returns `false`.
pub fn available(test: &str, programs: &[&str]) -> bool {
    let mut missing = Vec::new();
    if !is_root() {
        missing.push("root".to_owned());
    }
    for program in BASE_PROGRAMS.iter().chain(programs) {
        if find_program(program).is_none() {
            missing.push(format!("`{program}`"));
        }
    }
    if !Path::new(SECURITY_DIR).join("pam_unix.so").exists() {
        missing.push(format!("{SECURITY_DIR}/pam_unix.so"));
    }
    if missing.is_empty() {
        return true;
    }
    pwpolicy_require::skip(test, &format!("this machine lacks {}", missing.join(", ")));
    false
}

/// `program` as the sandbox would find it.
fn find_program(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return Some(PathBuf::from(program)).filter(|p| p.exists());
    }
    std::env::split_paths(PATH)
        .map(|dir| dir.join(program))
        .find(|p| p.exists())
}

/// Quotes `s` for `sh`.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Copies a directory tree with `cp -a` (modes, owners and links kept).
fn copy_tree(from: &str, to: &Path) {
    let status = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap_or_else(|e| panic!("run cp -a {from}: {e}"));
    assert!(status.success(), "cp -a {from} {} failed", to.display());
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {mode:o} {}: {e}", path.display()));
}

/// A private copy of the system's configuration, a policy file and a store;
/// everything is removed on drop.
pub struct Sandbox {
    dir: tempfile::TempDir,
    /// The mounts that make the copies the system's, then `exec "$@"`.
    enter: String,
}

impl Sandbox {
    /// Copies the system, installs the freshly built module and the
    /// project's pam-auth-update profiles, writes the default test policy
    /// (see [`Sandbox::write_policy`]) and enables the profiles with
    /// `pam-auth-update`, checking where they put the module.
    ///
    /// Call [`available`] first.
    pub fn new() -> Sandbox {
        let module = std::env::var_os("PWPOLICY_TEST_PAM_MODULE")
            .map(PathBuf::from)
            .unwrap_or_else(pam_module);
        let dir = tempfile::Builder::new()
            .prefix("pwpolicy-sandbox.")
            .tempdir()
            .expect("create the sandbox directory");
        let t = dir.path();
        // Other users (alice, sshd's privilege-separated child) must reach
        // their homes and keys inside.
        set_mode(t, 0o755);
        copy_tree("/etc", &t.join("etc"));
        copy_tree(SECURITY_DIR, &t.join("security"));
        let installed = t.join("security/pam_pwpolicy.so");
        fs::copy(&module, &installed).expect("install pam_pwpolicy.so in the copy");
        set_mode(&installed, 0o644);
        copy_tree("/usr/share/pam-configs", &t.join("pam-configs"));
        let profiles = Path::new(env!("CARGO_MANIFEST_DIR")).join("../pam-module/pam-configs");
        for profile in ["pwpolicy", "pwpolicy-commit"] {
            fs::copy(profiles.join(profile), t.join("pam-configs").join(profile))
                .unwrap_or_else(|e| panic!("copy the {profile} profile: {e}"));
        }
        // pam-auth-update keeps state in /var/lib/pam and asks debconf,
        // which writes its database: both must be copies too.
        copy_tree("/var/lib/pam", &t.join("var-lib-pam"));
        copy_tree("/var/cache/debconf", &t.join("debconf"));
        for (sub, mode) in [
            ("home", 0o755),
            ("state", 0o700),
            ("ssh", 0o755),
            ("client-home", 0o700),
        ] {
            fs::create_dir(t.join(sub)).expect("create a sandbox directory");
            set_mode(&t.join(sub), mode);
        }
        // Never a mail spool under the host's /var/mail.
        let mut defaults = fs::OpenOptions::new()
            .append(true)
            .open(t.join("etc/default/useradd"))
            .expect("open the copy of /etc/default/useradd");
        writeln!(defaults, "CREATE_MAIL_SPOOL=no").expect("write /etc/default/useradd");

        let q = |sub: &str| shell_quote(&t.join(sub).display().to_string());
        let enter = [
            "set -e".to_owned(),
            format!("mount --bind {} /etc", q("etc")),
            format!("mount --bind {} {SECURITY_DIR}", q("security")),
            format!("mount --bind {} /usr/share/pam-configs", q("pam-configs")),
            format!("mount --bind {} /var/lib/pam", q("var-lib-pam")),
            format!("mount --bind {} /var/cache/debconf", q("debconf")),
            "mount -t tmpfs -o mode=0755 pwpolicy-run /run".to_owned(),
            "mkdir -m 0755 /run/sshd".to_owned(),
            "mount -t tmpfs -o mode=0755 pwpolicy-log /var/log".to_owned(),
            ": > /var/log/lastlog; : > /var/log/wtmp; : > /var/log/btmp".to_owned(),
            "exec \"$@\"".to_owned(),
        ]
        .join("\n");
        let sandbox = Sandbox { dir, enter };
        sandbox.write_policy("");
        sandbox.enable_pwpolicy();
        sandbox
    }

    /// The sandbox directory `$T`.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `$T/etc`, the copy the sandboxed programs see as `/etc`.
    pub fn etc(&self) -> PathBuf {
        self.path().join("etc")
    }

    /// The policy file at the default path inside the copy,
    /// `$T/etc/security/pwpolicy.toml`.
    pub fn policy_file(&self) -> PathBuf {
        self.etc().join("security/pwpolicy.toml")
    }

    /// The store, `$T/state/state.db` (in a root-only 0700 directory).
    pub fn store(&self) -> PathBuf {
        self.path().join("state/state.db")
    }

    /// A user's home directory, `$T/home/USER`.
    pub fn home(&self, user: &str) -> PathBuf {
        self.path().join("home").join(user)
    }

    /// Writes the policy file: the sandbox's store, fast history hashing
    /// (`memory_kib = 1024`, `iterations = 1`) and otherwise the default
    /// policy, then `extra` (TOML; it must not repeat `[store]` or
    /// `[history]`).
    pub fn write_policy(&self, extra: &str) {
        let policy = format!(
            "[store]\ndb = \"{}\"\n\n[history]\nmemory_kib = 1024\niterations = 1\n\n{extra}",
            self.store().display()
        );
        let path = self.policy_file();
        fs::write(&path, policy).expect("write the policy file");
        set_mode(&path, 0o644);
    }

    /// `pam-auth-update` inside the namespace, as an administrator installing
    /// the package would run it; then checks the resulting stacks.
    fn enable_pwpolicy(&self) {
        let common_password = self.etc().join("pam.d/common-password");
        let read = |path: &Path| {
            fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
        };
        let mut log = String::new();
        let mut update = |args: &[&str]| {
            let out = self
                .command("pam-auth-update", args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .output()
                .expect("run pam-auth-update");
            let text = format!(
                "$ pam-auth-update {}\n{}{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(out.status.success(), "{text}");
            log.push_str(&text);
        };
        if read(&common_password).contains("pam_pwquality.so") {
            update(&["--package", "--disable", "pwquality"]);
        }
        update(&["--package", "--enable", "pwpolicy", "pwpolicy-commit"]);

        let entries = |text: &str, phase: &str| -> Vec<String> {
            text.lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>())
                .filter(|w| w.first() == Some(&phase))
                .map(|w| w.join(" "))
                .collect()
        };
        let password = entries(&read(&common_password), "password");
        let position = |pred: &dyn Fn(&str) -> bool, what: &str| {
            password
                .iter()
                .position(|l| pred(l))
                .unwrap_or_else(|| panic!("no {what} in common-password: {password:#?}\n{log}"))
        };
        let check = position(
            &|l| l == "password requisite pam_pwpolicy.so",
            "check entry",
        );
        let unix = position(&|l| l.contains(" pam_unix.so "), "pam_unix");
        let commit = position(
            &|l| l == "password optional pam_pwpolicy.so commit",
            "commit entry",
        );
        assert!(
            check < unix && unix < commit,
            "pam_pwpolicy must come before pam_unix and its commit entry after: {password:#?}"
        );
        assert!(
            !password.iter().any(|l| l.contains("pam_pwquality")),
            "pwquality is still enabled: {password:#?}"
        );
        let account = entries(&read(&self.etc().join("pam.d/common-account")), "account");
        assert!(
            account
                .iter()
                .any(|l| l == "account required pam_pwpolicy.so"),
            "no pam_pwpolicy in common-account: {account:#?}"
        );
    }

    /// `program args…` inside the sandbox's mount namespace, with a clean
    /// environment (`PATH`, `HOME` in the sandbox, `LC_ALL=C`, `TERM=dumb`).
    pub fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new("unshare");
        cmd.args(["--mount", "--propagation", "private", "sh", "-c"])
            .arg(&self.enter)
            .arg("sh")
            .arg(program)
            .args(args)
            .env_clear()
            .env("PATH", PATH)
            .env("HOME", self.path().join("client-home"))
            .env("LC_ALL", "C")
            .env("TERM", "dumb");
        cmd
    }

    /// Runs `program args…` in the sandbox with `stdin` as its input (no
    /// terminal), waiting at most a minute.
    pub fn run(&self, program: &str, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = self
            .command(program, args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {program}: {e}"));
        let mut input = child.stdin.take().expect("stdin pipe");
        let data = stdin.to_vec();
        // A program that stops reading early must not deadlock the test.
        let writer = std::thread::spawn(move || {
            let _ = input.write_all(&data);
        });
        let reader = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut text = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut text);
                }
                String::from_utf8_lossy(&text).into_owned()
            })
        };
        let stdout = reader(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let stderr = reader(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            match child.try_wait().expect("wait for a sandboxed program") {
                Some(status) => break status,
                None if Instant::now() > deadline => {
                    kill_tree(child.id(), libc::SIGKILL);
                    let _ = child.wait();
                    panic!("{program} {args:?} did not finish within a minute");
                }
                None => std::thread::sleep(Duration::from_millis(10)),
            }
        };
        let _ = writer.join();
        Output {
            code: status.code().unwrap_or(-1),
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
        }
    }

    /// [`Sandbox::run`], which must succeed. (`stdin` is not shown on failure.)
    #[track_caller]
    pub fn must(&self, program: &str, args: &[&str], stdin: &[u8]) -> Output {
        let out = self.run(program, args, stdin);
        assert_eq!(out.code, 0, "{program} {args:?} failed: {out:?}");
        out
    }

    /// Adds a person: the next uid from `UID_MIN`, home `$T/home/USER`,
    /// `full_name` as GECOS, bash, and `password` set with `chpasswd`
    /// through PAM, so that pwpolicy records it as the first history entry.
    pub fn add_person(&self, user: &str, full_name: &str, password: &str) {
        self.useradd(user, &["-c", full_name, "-s", "/bin/bash"]);
        self.set_password(user, password);
    }

    /// Adds an account with `useradd` (home `$T/home/USER`) plus `extra`
    /// options; no password (shadow `!`).
    pub fn useradd(&self, user: &str, extra: &[&str]) {
        let home = self.home(user);
        let home = home.to_str().expect("UTF-8 sandbox path");
        let mut args = vec!["-m", "-d", home];
        args.extend(extra);
        args.push(user);
        self.must("useradd", &args, b"");
    }

    /// Adds a system account (`useradd -r`: uid below `UID_MIN`, `/bin/sh`,
    /// no password, so locked).
    pub fn add_system_account(&self, user: &str) {
        self.useradd(user, &["-r", "-s", "/bin/sh"]);
    }

    /// Sets `user`'s password with `chpasswd`, through the PAM stack.
    #[track_caller]
    pub fn set_password(&self, user: &str, password: &str) {
        let out = self.run("chpasswd", &[], format!("{user}:{password}\n").as_bytes());
        assert_eq!(out.code, 0, "chpasswd for {user} failed: {out:?}");
    }

    /// Sets `user`'s password with `chpasswd -c SHA512`, which bypasses PAM:
    /// pwpolicy knows nothing of it.
    pub fn set_password_without_pam(&self, user: &str, password: &str) {
        let out = self.run(
            "chpasswd",
            &["-c", "SHA512"],
            format!("{user}:{password}\n").as_bytes(),
        );
        assert_eq!(out.code, 0, "chpasswd -c for {user} failed: {out:?}");
    }

    /// `user`'s line in a colon-separated file of the copy (`passwd`,
    /// `shadow`, …), split into fields.
    pub fn entry(&self, file: &str, user: &str) -> Vec<String> {
        let path = self.etc().join(file);
        let text =
            fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        text.lines()
            .map(|l| l.split(':').map(str::to_owned).collect::<Vec<_>>())
            .find(|f| f.first().is_some_and(|name| name == user))
            .unwrap_or_else(|| panic!("no {user} in {}", path.display()))
    }

    /// `user`'s password hash in the copy's `/etc/shadow` (field 2).
    pub fn shadow_hash(&self, user: &str) -> String {
        self.entry("shadow", user)[1].clone()
    }

    /// `user`'s uid in the copy's `/etc/passwd`.
    pub fn uid(&self, user: &str) -> u32 {
        self.entry("passwd", user)[2]
            .parse()
            .expect("numeric uid in /etc/passwd")
    }

    /// Rewrites `user`'s home directory in the copy's `/etc/passwd` to
    /// `$T/home/USER` (created, owned by the user), so that a login writes
    /// nothing in the host's home (e.g. root's `/root/.bash_history`).
    pub fn move_home_into_sandbox(&self, user: &str) {
        let path = self.etc().join("passwd");
        let text = fs::read_to_string(&path).expect("read the copy of /etc/passwd");
        let home = self.home(user);
        let fields = self.entry("passwd", user);
        let text: String = text
            .lines()
            .map(|l| {
                if l.split(':').next() == Some(user) {
                    let mut f = fields.clone();
                    f[5] = home.display().to_string();
                    f.join(":")
                } else {
                    l.to_owned()
                }
            })
            .map(|l| l + "\n")
            .collect();
        fs::write(&path, text).expect("write the copy of /etc/passwd");
        fs::create_dir_all(&home).expect("create the home directory");
        set_mode(&home, 0o700);
        let (uid, gid) = (self.uid(user), fields[3].parse().expect("numeric gid"));
        std::os::unix::fs::chown(&home, Some(uid), Some(gid)).expect("chown the home directory");
    }

    /// The `pwpolicy` CLI with `--config` the sandbox's policy file (so the
    /// sandbox's store), inside the namespace: it sees the sandbox's
    /// accounts, as an administrator's `pwpolicy` sees the host's.
    pub fn cli(&self, args: &[&str]) -> Output {
        let config = self.policy_file();
        let mut full = args.to_vec();
        if !args.contains(&"--config") {
            full.extend(["--config", config.to_str().expect("UTF-8 sandbox path")]);
        }
        self.run(
            self.cli_path().to_str().expect("UTF-8 target path"),
            &full,
            b"",
        )
    }

    /// [`Sandbox::cli`] with `stdin` as its input.
    pub fn cli_with(&self, args: &[&str], stdin: &[u8]) -> Output {
        let config = self.policy_file();
        let mut full = args.to_vec();
        if !args.contains(&"--config") {
            full.extend(["--config", config.to_str().expect("UTF-8 sandbox path")]);
        }
        self.run(
            self.cli_path().to_str().expect("UTF-8 target path"),
            &full,
            stdin,
        )
    }

    /// The CLI the sandbox runs: the workspace's, or `PWPOLICY_TEST_CLI`.
    pub fn cli_path(&self) -> PathBuf {
        std::env::var_os("PWPOLICY_TEST_CLI")
            .map(PathBuf::from)
            .unwrap_or_else(pwpolicy)
    }

    /// [`Sandbox::cli`], which must succeed.
    #[track_caller]
    pub fn cli_ok(&self, args: &[&str]) -> Output {
        let out = self.cli(args);
        assert_eq!(out.code, 0, "pwpolicy {args:?} failed: {out:?}");
        out
    }

    /// `pwpolicy status --user USER --json`.
    #[track_caller]
    pub fn status(&self, user: &str) -> serde_json::Value {
        self.cli_ok(&["status", "--user", user, "--json"]).json()
    }

    /// `pwpolicy set-changed --user USER --date DATE` (`YYYY-MM-DD`).
    #[track_caller]
    pub fn set_changed(&self, user: &str, date: &str) {
        self.cli_ok(&["set-changed", "--user", user, "--date", date]);
    }

    /// Runs `program args…` in the sandbox on a new pseudo-terminal.
    pub fn spawn(&self, program: &str, args: &[&str]) -> Pty {
        let label = std::iter::once(program)
            .chain(args.iter().copied())
            .collect::<Vec<_>>()
            .join(" ");
        Pty::spawn(self.command(program, args), &label)
    }

    /// The client key pair (`$T/ssh/id_ed25519`, made on first use); returns
    /// the private key's path.
    pub fn client_key(&self) -> PathBuf {
        let key = self.path().join("ssh/id_ed25519");
        if !key.exists() {
            keygen(&key, "pwpolicy-test-client");
        }
        key
    }

    /// Lets the client key log in as `user`
    /// (`$T/ssh/authorized_keys/USER`, sshd's `AuthorizedKeysFile`).
    pub fn authorize_key(&self, user: &str) {
        let public = fs::read_to_string(self.client_key().with_extension("pub"))
            .expect("read the client's public key");
        let dir = self.path().join("ssh/authorized_keys");
        fs::create_dir_all(&dir).expect("create the authorized_keys directory");
        set_mode(&dir, 0o755);
        let file = dir.join(user);
        fs::write(&file, public).expect("write authorized_keys");
        set_mode(&file, 0o644);
    }

    /// Starts Debian's sshd in the sandbox on a free loopback port; it is
    /// stopped (with all its children) when the [`Sshd`] is dropped.
    pub fn sshd(&self) -> Sshd {
        let dir = self.path().join("ssh");
        let host_key = dir.join("ssh_host_ed25519_key");
        if !host_key.exists() {
            keygen(&host_key, "pwpolicy-test-host");
        }
        let mut last_log = String::new();
        for _ in 0..3 {
            let port = free_port();
            let config = dir.join("sshd_config");
            fs::write(
                &config,
                format!(
                    "Port {port}\n\
                     ListenAddress 127.0.0.1\n\
                     HostKey {host_key}\n\
                     PidFile {pid}\n\
                     UsePAM yes\n\
                     KbdInteractiveAuthentication yes\n\
                     PasswordAuthentication no\n\
                     PubkeyAuthentication yes\n\
                     AuthorizedKeysFile {keys}/%u\n\
                     StrictModes no\n\
                     PermitRootLogin no\n\
                     PrintMotd no\n\
                     PrintLastLog no\n\
                     UseDNS no\n\
                     LoginGraceTime 60\n",
                    host_key = host_key.display(),
                    pid = dir.join("sshd.pid").display(),
                    keys = dir.join("authorized_keys").display(),
                ),
            )
            .expect("write sshd_config");
            let log_path = dir.join(format!("sshd-{port}.log"));
            let log = fs::File::create(&log_path).expect("create the sshd log");
            let config = config.to_str().expect("UTF-8 sandbox path");
            let mut child = self
                .command("/usr/sbin/sshd", &["-D", "-e", "-f", config])
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("dup the sshd log"))
                .stderr(log)
                .spawn()
                .expect("start sshd");
            let deadline = Instant::now() + Duration::from_secs(10);
            let listening = format!("Server listening on 127.0.0.1 port {port}");
            loop {
                last_log = fs::read_to_string(&log_path).unwrap_or_default();
                if last_log.contains(&listening) {
                    return Sshd {
                        child,
                        port,
                        log: log_path,
                    };
                }
                let exited = child.try_wait().ok().flatten().is_some();
                if exited || Instant::now() > deadline {
                    kill_tree(child.id(), libc::SIGKILL);
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            if !last_log.contains("Address already in use") {
                break;
            }
        }
        panic!("sshd did not start:\n{last_log}");
    }

    /// `ssh` (run in the sandbox) to `user` at `sshd`, on a terminal (`-tt`),
    /// with the host's and the user's ssh configuration ignored; `extra`
    /// chooses the authentication and may add a command.
    pub fn ssh(&self, sshd: &Sshd, user: &str, extra: &[&str]) -> Pty {
        let port = sshd.port.to_string();
        let target = format!("{user}@127.0.0.1");
        let mut args = ssh_options(&port);
        args.push("-tt");
        args.extend(extra);
        args.push(&target);
        let label = format!("ssh -tt {} {target}", extra.join(" "));
        Pty::spawn(self.command("ssh", &args), &label)
    }

    /// `ssh` with keyboard-interactive authentication only (PAM's prompts).
    pub fn ssh_keyboard_interactive(&self, sshd: &Sshd, user: &str) -> Pty {
        self.ssh(
            sshd,
            user,
            &[
                "-o",
                "PreferredAuthentications=keyboard-interactive",
                "-o",
                "PubkeyAuthentication=no",
            ],
        )
    }

    /// `ssh` with the client key only, on a terminal.
    pub fn ssh_key(&self, sshd: &Sshd, user: &str) -> Pty {
        let key = self.client_key();
        self.ssh(sshd, user, &key_only(&key))
    }

    /// `ssh -o BatchMode=yes` with the client key only and no terminal,
    /// running `command` as `user`.
    pub fn ssh_key_command(&self, sshd: &Sshd, user: &str, command: &str) -> Output {
        let port = sshd.port.to_string();
        let key = self.client_key();
        let target = format!("{user}@127.0.0.1");
        let mut args = ssh_options(&port);
        args.extend(["-o", "BatchMode=yes"]);
        args.extend(key_only(&key));
        args.extend([target.as_str(), command]);
        self.run("ssh", &args, b"")
    }
}

/// Client options that log in with `key` and nothing else.
fn key_only(key: &Path) -> [&str; 6] {
    [
        "-o",
        "PreferredAuthentications=publickey",
        "-o",
        "IdentitiesOnly=yes",
        "-i",
        key.to_str().expect("UTF-8 sandbox path"),
    ]
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

/// Client options that keep the host's and the user's ssh configuration,
/// known hosts and agent out.
fn ssh_options(port: &str) -> Vec<&str> {
    vec![
        "-F",
        "/dev/null",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "GlobalKnownHostsFile=/dev/null",
        "-o",
        "IdentityAgent=none",
        "-o",
        "ConnectTimeout=10",
        "-o",
        "LogLevel=ERROR",
        "-p",
        port,
    ]
}

fn keygen(path: &Path, comment: &str) {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"])
        .arg(path)
        .output()
        .expect("run ssh-keygen");
    assert!(out.status.success(), "ssh-keygen failed: {out:?}");
}

/// A loopback port nobody listens on (just now).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("find a free loopback port")
        .port()
}

/// A running sshd; dropping it kills it and every process it started.
pub struct Sshd {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Sshd {
    /// The loopback port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// What sshd has logged so far (`-e`: its log goes to standard error).
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        kill_tree(self.child.id(), libc::SIGKILL);
        let _ = self.child.wait();
    }
}

impl Sandbox {
    /// pwpolicyd inside the sandbox (the copy's `/etc`, its policy file and
    /// store), listening on `$T/pwpolicyd.sock`, which every sandboxed
    /// program can reach (each has its own `/run`); runs until dropped.
    pub fn pwpolicyd(&self) -> Pwpolicyd {
        self.pwpolicyd_with(&[], None)
    }

    /// [`Sandbox::pwpolicyd`] with `extra` arguments, its log (at debug
    /// level) written to `log` when given.
    pub fn pwpolicyd_with(&self, extra: &[&str], log: Option<&Path>) -> Pwpolicyd {
        let socket = self.path().join("pwpolicyd.sock");
        let daemon = crate::binary("pwpolicy-service", "pwpolicyd");
        let config = self.policy_file();
        let mut args = vec![
            "--socket",
            socket.to_str().expect("UTF-8 sandbox path"),
            "--config",
            config.to_str().expect("UTF-8 sandbox path"),
        ];
        args.extend(extra);
        let mut command = self.command(daemon.to_str().expect("UTF-8 target path"), &args);
        command.stdin(Stdio::null()).stdout(Stdio::null());
        match log {
            Some(path) => {
                let file = fs::File::create(path).expect("create the pwpolicyd log");
                command.stderr(file).env("PWPOLICYD_LOG", "debug");
            }
            None => {
                command.stderr(Stdio::null());
            }
        }
        let child = command.spawn().expect("start pwpolicyd in the sandbox");
        let daemon = Pwpolicyd { child, socket };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::os::unix::net::UnixStream::connect(&daemon.socket).is_err() {
            assert!(Instant::now() < deadline, "pwpolicyd did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        daemon
    }
}

/// A running pwpolicyd in the sandbox; dropping it stops it.
pub struct Pwpolicyd {
    child: Child,
    socket: PathBuf,
}

impl Pwpolicyd {
    /// Its socket.
    pub fn socket(&self) -> &Path {
        &self.socket
    }
}

impl Drop for Pwpolicyd {
    fn drop(&mut self) {
        kill_tree(self.child.id(), libc::SIGKILL);
        let _ = self.child.wait();
    }
}
