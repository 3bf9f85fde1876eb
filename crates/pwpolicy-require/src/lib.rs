//! The one way a pwpolicy test says it cannot run on this machine.
//!
//! A test that needs root, a package or a server calls [`require!`] with
//! the condition and what is missing. When the condition holds, nothing
//! happens. When it does not:
//!
//! - under CI (`CI` set), the test **fails**, naming what the machine
//!   lacks: a skipped test must never look like a pass there;
//! - elsewhere it prints `SKIPPED <test>: <why>` and returns, and, when
//!   `PWPOLICY_TEST_SKIPS` names a file, appends that line to it, so that
//!   `scripts/test.sh` can fail a run in which any test was skipped (cargo
//!   shows nothing a passing test prints).
//!
//! ```
//! fn needs_a_tool() {
//!     pwpolicy_require::require!(std::path::Path::new("/bin/sh").exists(), "no /bin/sh");
//!     // … the test proper …
//! }
//! # needs_a_tool();
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::io::Write;

/// The environment variable naming the file skips are recorded in.
pub const SKIPS_FILE: &str = "PWPOLICY_TEST_SKIPS";

/// Returns from the calling test when `condition` is false, after
/// [`skip`]ping it with the reason (a `format!` string and arguments).
#[macro_export]
macro_rules! require {
    ($condition:expr, $($why:tt)+) => {
        if !$condition {
            fn here() {}
            $crate::skip($crate::test_name(::std::any::type_name_of_val(&here)), &format!($($why)+));
            return;
        }
    };
}

/// The test's path from the type name of a function defined inside it
/// (`crate::module::test::here` → `module::test`).
pub fn test_name(inner: &'static str) -> &'static str {
    let test = inner.strip_suffix("::here").unwrap_or(inner);
    test.split_once("::").map_or(test, |(_, rest)| rest)
}

/// Says that `test` cannot run here because of `why`: a panic under CI,
/// else a `SKIPPED` line on standard error and in the skips file.
///
/// # Panics
///
/// Under CI, always: that is the point.
pub fn skip(test: &str, why: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: CI must run this test, but {why} (CI runs as root; scripts/test.sh installs \
         the packages and starts the servers)"
    );
    let line = format!("SKIPPED {test}: {why}");
    eprintln!("{line}");
    if let Some(path) = std::env::var_os(SKIPS_FILE) {
        let recorded = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| writeln!(f, "{line}"));
        if let Err(e) = recorded {
            eprintln!("cannot record the skip in {}: {e}", path.to_string_lossy());
        }
    }
}

/// Whether this process runs as root (the tests that chown files, become
/// other users or make namespaces need it).
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_test_from_a_function_inside_it() {
        assert_eq!(
            test_name("pwpolicy_tests::service::a_test::here"),
            "service::a_test"
        );
        assert_eq!(test_name("a_test::here"), "a_test");
    }

    #[test]
    fn a_met_requirement_runs_the_test() {
        let mut ran = false;
        (|| {
            require!(true, "never said");
            ran = true;
        })();
        assert!(ran);
    }
}
