//! Guards the shadow(5) reader behind `pwpolicy import-shadow`: any text
//! parses or names a line, never panics, and never quotes field 2 (the hash).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match pwpolicy_host::shadow::parse(text) {
        Ok(parsed) => {
            for entry in &parsed {
                assert!(!entry.name.is_empty() && !entry.name.contains(':'));
            }
        }
        Err(e) => {
            assert!(e.line >= 1 && e.line <= text.lines().count().max(1));
            let line = text.lines().nth(e.line - 1).unwrap_or_default();
            // A crypt hash has `$`, which no message of ours contains.
            if let Some(hash) = line.split(':').nth(1).filter(|h| h.len() >= 8 && h.contains('$')) {
                assert!(!e.to_string().contains(hash), "the error quotes the hash field");
            }
        }
    }
});
