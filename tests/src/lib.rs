//! Helpers for the end-to-end tests: build the real binaries once, run them
//! with input on stdin, and make scratch directories.
//!
//! `cargo test` does not build the binaries of other packages, so
//! [`build_workspace`] runs `cargo build --workspace` once per test
//! process; it is a no-op when they are up to date.

#![deny(unsafe_code)]

pub mod browser;
pub mod samba;
pub mod sandbox;
pub mod smtp;
pub mod tls;
pub mod web;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The target directory the running test binary was built into
/// (`target/debug` or `target/release`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<test binary>
    exe.parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps")
        .to_owned()
}

/// Builds every package of the workspace, once per test process, with the
/// features the whole workspace resolves to: the same artifacts `cargo test
/// --workspace` and every other test process use. (`cargo build -p X`
/// would resolve X's features alone, and compile a second copy of each
/// dependency whose features differ: minutes of CI for nothing.) A no-op
/// when all is up to date.
pub fn build_workspace() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let dir = target_dir();
            let cargo = option_env!("CARGO").unwrap_or("cargo");
            let mut cmd = Command::new(cargo);
            cmd.args(["build", "--quiet", "--workspace", "--locked"])
                .current_dir(env!("CARGO_MANIFEST_DIR"));
            if dir.file_name().is_some_and(|n| n == "release") {
                cmd.arg("--release");
            }
            let status = cmd.status().expect("run cargo build");
            assert!(status.success(), "cargo build --workspace failed");
            dir
        })
        .clone()
}

/// The binary `bin` of `package`, built ([`build_workspace`]).
pub fn binary(package: &str, bin: &str) -> PathBuf {
    let path = build_workspace().join(bin);
    assert!(path.exists(), "{package} has no binary {bin}");
    path
}

/// The PAM module, built ([`build_workspace`]); its `.so` path.
pub fn pam_module() -> PathBuf {
    build_workspace().join("libpam_pwpolicy.so")
}

/// The test PAM application (`src/bin/pam_driver.rs`), built.
pub fn pam_driver() -> PathBuf {
    binary("pwpolicy-tests", "pam_driver")
}

/// The `pwpolicy` CLI, built.
pub fn pwpolicy() -> PathBuf {
    binary("pwpolicy-cli", "pwpolicy")
}

/// What a finished command left behind.
#[derive(Debug)]
pub struct Output {
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl Output {
    /// Standard output parsed as one JSON value.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {:?}", self.stdout))
    }
}

/// Runs `program args…` with `stdin` written to its standard input, and
/// `PWPOLICY_*` variables cleared so the host cannot leak in.
pub fn run(program: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .env_remove("PWPOLICY_CONFIG")
        .env_remove("PWPOLICYD_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {}: {e}", program.display()));
    let mut pipe = child.stdin.take().expect("stdin pipe");
    let input = stdin.to_vec();
    // Write from a thread: a program that stops reading early must not
    // deadlock the test; a broken pipe is its right.
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for child");
    let _ = writer.join();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs the `pwpolicy` CLI, hermetically (see [`hermetic`]).
pub fn pwpolicy_run(args: &[&str], stdin: &[u8]) -> Output {
    let args = hermetic(args);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&pwpolicy(), &args, stdin)
}

/// `args` made hermetic: a command that reads the policy file and names
/// none is given `--config /dev/null` (the built-in default), so the host's
/// `/etc/security/pwpolicy.toml` is never read; and the host's default
/// pwpolicyd socket must not exist, or a command without `--db` or
/// `--socket` would ask the host's service (the tests fail loudly instead).
pub fn hermetic(args: &[&str]) -> Vec<String> {
    assert!(
        !Path::new(pwpolicy_backend::DEFAULT_SOCKET).exists(),
        "a pwpolicyd listens at {} on this host: the tests would ask it instead of their own store",
        pwpolicy_backend::DEFAULT_SOCKET
    );
    let mut full: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let reads_policy = !matches!(
        args,
        [] | ["policy", "check", ..]
            | ["breach", "build" | "info", ..]
            | ["completions", ..]
            | ["--help" | "--version", ..]
    );
    if reads_policy && !args.contains(&"--config") {
        full.extend(["--config".to_owned(), "/dev/null".to_owned()]);
    }
    full
}

/// A breached-password filter holding `passwords` (keys `sha1` or `ntlm`),
/// built by the real `pwpolicy breach build` as `name` in `dir`.
pub fn breach_filter(dir: &TestDir, name: &str, passwords: &[&str], key: &str) -> PathBuf {
    let list = dir.write(&format!("{name}.list"), &(passwords.join("\n") + "\n"));
    let out = dir.path().join(name);
    let built = pwpolicy_run(
        &[
            "breach",
            "build",
            "--key",
            key,
            "--output",
            out.to_str().expect("UTF-8 temp path"),
            list.to_str().expect("UTF-8 temp path"),
        ],
        b"",
    );
    assert_eq!(built.code, 0, "breach build: {built:?}");
    out
}

/// A scratch directory removed on drop.
pub struct TestDir {
    dir: tempfile::TempDir,
}

impl TestDir {
    /// A new empty directory.
    pub fn new() -> TestDir {
        TestDir {
            dir: tempfile::tempdir().expect("create temp dir"),
        }
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` to `name` inside the directory and returns its path.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write test file");
        path
    }
}

impl Default for TestDir {
    fn default() -> Self {
        TestDir::new()
    }
}

/// The shared verdict vectors (`tests/vectors/policy.toml`).
pub mod vectors {
    use serde::Deserialize;

    /// The whole vector file.
    #[derive(Debug, Deserialize)]
    pub struct Vectors {
        /// Every case.
        pub case: Vec<Case>,
    }

    /// One case: inputs and the expected set of violation codes.
    #[derive(Debug, Deserialize)]
    pub struct Case {
        /// What the case shows.
        pub name: String,
        /// Account name ("" for none).
        #[serde(default)]
        pub user: String,
        /// Full name ("" for none).
        #[serde(default)]
        pub full_name: String,
        /// Policy TOML laid over the default ("" for the default).
        #[serde(default)]
        pub policy: String,
        /// The candidate password.
        pub password: String,
        /// Expected violation codes, in any order.
        pub expect: Vec<String>,
    }

    /// Loads the vectors.
    pub fn load() -> Vectors {
        toml::from_str(include_str!("../vectors/policy.toml")).expect("vector file parses")
    }
}

/// A fresh database on the PostgreSQL test server that `scripts/test.sh`
/// starts (URL in `PWPOLICY_TEST_PG_URL`), or `None` with a loud note when
/// there is none outside CI. Under CI a missing server fails the test.
pub fn pg_database() -> Option<String> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    const URL_VAR: &str = "PWPOLICY_TEST_PG_URL";
    let Ok(base) = std::env::var(URL_VAR) else {
        pwpolicy_require::skip(
            "a PostgreSQL test",
            &format!("{URL_VAR} is not set (scripts/test.sh starts a server)"),
        );
        return None;
    };
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "pwcli_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin =
        postgres::Client::connect(&base, postgres::NoTls).expect("connect to test server");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create test database");
    Some(base.replacen("/postgres?", &format!("/{name}?"), 1))
}

pub use pwpolicy_require::{is_root, require, skip};

/// Fails unless `logged` (a log or an error stream that was handed a name
/// built to forge lines: `\nFAKE: …`, an ESC sequence, U+202E) shows it on
/// one line, escaped: no raw escape or override, no line of its own making.
pub fn assert_no_forged_line(logged: &str) {
    assert!(
        !logged.contains(['\x1b', '\u{202e}']),
        "a raw escape or override:\n{logged}"
    );
    assert!(
        !logged.lines().any(|line| line.starts_with("FAKE")),
        "a forged line:\n{logged}"
    );
}

/// Counts argon2 runs by the memory they take, as `strace` sees it: a run
/// at `memory_kib` of 32 MiB or more (past glibc's largest mmap threshold)
/// maps its blocks in one anonymous `mmap` of that size, so a policy with
/// such a cost makes each run one line of an `strace -e trace=mmap` log.
/// This counts what the code does, not how long it takes.
pub struct Argon2Runs {
    log: PathBuf,
    memory_kib: u32,
    tracer: Option<std::process::Child>,
}

impl Argon2Runs {
    /// Runs `program args…` under `strace -f`, into a log in `dir`.
    pub fn run(dir: &Path, memory_kib: u32, program: &Path, args: &[&str]) -> (Output, Argon2Runs) {
        let log = Argon2Runs::log_in(dir);
        let mut traced = vec![
            "-f",
            "-qq",
            "-e",
            "trace=mmap",
            "-o",
            log.to_str().expect("UTF-8"),
            "--",
        ];
        let program = program.to_str().expect("UTF-8 path");
        traced.push(program);
        traced.extend(args);
        let out = run(Path::new("strace"), &traced, b"");
        (
            out,
            Argon2Runs {
                log,
                memory_kib,
                tracer: None,
            },
        )
    }

    /// Attaches to the running process `pid` (and the threads it starts)
    /// until [`Argon2Runs::count`].
    pub fn attach(dir: &Path, memory_kib: u32, pid: u32) -> Argon2Runs {
        let log = Argon2Runs::log_in(dir);
        let tracer = Command::new("strace")
            .args(["-f", "-qq", "-e", "trace=mmap", "-o"])
            .arg(&log)
            .arg("-p")
            .arg(pid.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn strace");
        // strace writes nothing until a call is traced; give it time to
        // seize every thread before the caller goes on.
        std::thread::sleep(std::time::Duration::from_millis(500));
        Argon2Runs {
            log,
            memory_kib,
            tracer: Some(tracer),
        }
    }

    fn log_in(dir: &Path) -> PathBuf {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        dir.join(format!("strace-{}-{n}.log", std::process::id()))
    }

    /// The runs seen (detaching first, when attached).
    pub fn count(mut self) -> usize {
        if let Some(mut tracer) = self.tracer.take() {
            let _ = Command::new("kill")
                .args(["-INT", &tracer.id().to_string()])
                .status();
            let _ = tracer.wait();
        }
        let text = std::fs::read_to_string(&self.log).expect("read the strace log");
        let size = u64::from(self.memory_kib) * 1024;
        text.lines()
            .filter_map(|line| line.split("mmap(NULL, ").nth(1))
            .filter_map(|rest| rest.split(',').next()?.trim().parse::<u64>().ok())
            .filter(|&len| (size..size + (1 << 20)).contains(&len))
            .count()
    }
}
