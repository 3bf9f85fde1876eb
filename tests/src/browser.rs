//! A real browser for the tests: Debian's headless Chromium, driven by
//! playwright-core through `tests/browser/drive.mjs` (see its header for the
//! scenario's steps and what each reading step returns).
//!
//! playwright-core is installed with `npm ci` from `tests/browser/`'s lock
//! file once per lock file, into `$XDG_CACHE_HOME/pwpolicy-tests/` (else
//! `~/.cache/pwpolicy-tests/`), under a file lock so that tests running in
//! parallel install it once.
//!
//! ```no_run
//! let missing = pwpolicy_tests::browser::missing();
//! pwpolicy_tests::require!(missing.is_none(), "{}", missing.unwrap_or_default());
//! let seen = pwpolicy_tests::browser::drive(&serde_json::json!({
//!     "url": "http://127.0.0.1:8080/",
//!     "steps": [{"fill": "user", "text": "ehagens"}, {"wait_rules": true}, {"rules": true}],
//! }));
//! assert!(seen["steps"][2].is_array());
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Debian's Chromium, which the driver launches.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The driver's folder in the source tree (`tests/browser`).
pub fn driver_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("browser")
}

/// What this machine lacks to drive a browser (Chromium, Node.js, npm), or
/// `None`. Tests pass it to [`crate::require!`].
pub fn missing() -> Option<String> {
    if !Path::new(CHROMIUM).exists() {
        return Some(format!(
            "{CHROMIUM} is missing (the chromium package; scripts/test.sh installs it)"
        ));
    }
    for tool in ["node", "npm"] {
        let runs = Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !runs {
            return Some(format!("{tool} (Node.js) is not installed"));
        }
    }
    None
}

/// FNV-1a: a stable name for the installed copy of one lock file (std's
/// hasher may change between Rust releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn cache_root() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".cache"))
        })
        .unwrap_or_else(std::env::temp_dir);
    base.join("pwpolicy-tests")
}

/// The `node_modules` folder holding playwright-core, installed on first
/// use (`npm ci`, once per lock file, under a file lock).
///
/// # Panics
///
/// When `npm ci` fails.
pub fn node_modules() -> PathBuf {
    static INSTALLED: OnceLock<PathBuf> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let source = driver_dir();
            let manifest = std::fs::read(source.join("package.json")).expect("package.json");
            let lock = std::fs::read(source.join("package-lock.json")).expect("package-lock.json");
            let key = fnv1a(&[manifest.as_slice(), b"\0", lock.as_slice()].concat());
            let root = cache_root();
            std::fs::create_dir_all(&root)
                .unwrap_or_else(|e| panic!("create {}: {e}", root.display()));
            let dir = root.join(format!("browser-{key:016x}"));
            let lock_file = std::fs::File::create(root.join(format!("browser-{key:016x}.lock")))
                .expect("create the install lock file");
            lock_file.lock().expect("take the install lock");
            let done = dir.join(".installed");
            if !done.exists() {
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(&dir).expect("create the install folder");
                std::fs::write(dir.join("package.json"), &manifest).expect("copy package.json");
                std::fs::write(dir.join("package-lock.json"), &lock)
                    .expect("copy package-lock.json");
                let out = Command::new("npm")
                    .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
                    .current_dir(&dir)
                    // Chromium is Debian's: never a download of playwright's own.
                    .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
                    .output()
                    .expect("run npm ci");
                assert!(
                    out.status.success(),
                    "npm ci in {} failed:\n{}{}",
                    dir.display(),
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                std::fs::write(&done, b"").expect("mark the install done");
            }
            dir.join("node_modules")
        })
        .clone()
}

/// Runs `scenario` (see `tests/browser/drive.mjs`) and returns the driver's
/// whole document, `error` included.
///
/// # Panics
///
/// When the driver cannot be run or prints no JSON.
pub fn drive_raw(scenario: &serde_json::Value) -> serde_json::Value {
    let modules = node_modules();
    let mut child = Command::new("node")
        .arg(driver_dir().join("drive.mjs"))
        .env("PWPOLICY_BROWSER_NODE_MODULES", &modules)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run node tests/browser/drive.mjs");
    let input = scenario.to_string();
    let mut pipe = child.stdin.take().expect("stdin pipe");
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().expect("wait for the driver");
    let _ = writer.join();
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "the driver printed no JSON ({e}), exit {:?}:\n{stdout}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Runs `scenario` and returns what the driver saw: `steps` holds one entry
/// per step (a reading, or null), `console` and `page_errors` what the page
/// logged.
///
/// # Panics
///
/// When a step failed (the message names it, with the page's console).
pub fn drive(scenario: &serde_json::Value) -> serde_json::Value {
    let seen = drive_raw(scenario);
    if !seen["error"].is_null() {
        panic!(
            "browser scenario failed: {}\nconsole: {}\npage errors: {}",
            seen["error"], seen["console"], seen["page_errors"]
        );
    }
    seen
}
