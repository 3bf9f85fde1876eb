//! Fuzz target `policy_parse`: `Policy::from_toml` on arbitrary text.
//!
//! A policy file is written by an administrator and read by every edge (CLI,
//! PAM module, Windows filter), so a bad one must give a clear error, never a
//! panic or a silently different policy. Guards, for any UTF-8 text:
//!
//! - no panic;
//! - an accepted policy is valid (`validate()` is `Ok`), and writing it out with
//!   `to_toml()` and reading that back gives an equal policy, whose own TOML is
//!   the same text (the rendering is stable);
//! - an error says where: its `Display` is non-empty and starts with
//!   `policy file line`, and the line (and column) it names exist in the text.
//!
//! Inputs that are not UTF-8 are skipped: callers read the file as a `String`
//! first. `fuzz/policy_parse.dict` gives libFuzzer the keys and values.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pwpolicy::{Error, Policy};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Policy::from_toml(text) {
        Ok(policy) => {
            assert_eq!(policy.validate(), Ok(()), "accepted an invalid policy");
            let rendered = policy.to_toml();
            let reread = Policy::from_toml(&rendered).unwrap_or_else(|e| {
                panic!("to_toml() output does not parse: {e}\n--- rendered:\n{rendered}")
            });
            assert_eq!(reread, policy, "round trip changed the policy:\n{rendered}");
            assert_eq!(reread.to_toml(), rendered, "rendering is not stable");
        }
        Err(e) => {
            let shown = e.to_string();
            assert!(!shown.is_empty(), "empty error: {e:?}");
            assert!(
                shown.starts_with("policy file line "),
                "error does not name a line: {shown:?} ({e:?})"
            );
            // One more line than `lines()` counts: an error may point just past
            // a final newline (e.g. a table left open at the end of the text).
            let lines = text.lines().count() + 1;
            match e {
                Error::PolicySyntax { line, column, .. } => {
                    assert!(
                        (1..=lines).contains(&line),
                        "line {line} of {lines}: {shown}"
                    );
                    assert!(column >= 1, "column {column}: {shown}");
                }
                Error::PolicyInvalid {
                    line: Some(line), ..
                } => {
                    assert!(
                        (1..=lines).contains(&line),
                        "line {line} of {lines}: {shown}"
                    );
                }
                _ => {}
            }
        }
    }
});
