//! Fuzz target `banned_list`: a banned-word list file (`[banned] file`) as
//! the edges read it, `BannedRules::load_list_bytes` on arbitrary bytes.
//!
//! Guards, for any bytes:
//!
//! - no panic; bytes that are not UTF-8 or a bad line give a message that
//!   names the byte or the line (never the line's text);
//! - every word the list holds is found in itself, in upper case, and inside
//!   a longer password (`x{word}9`) when its skeleton has 4+ characters:
//!   loading never loses a word;
//! - a list loads the same twice (merging it again changes nothing).

#![no_main]

use libfuzzer_sys::fuzz_target;
use pwpolicy::Policy;
use pwpolicy::rules::banned::{BannedWords, MIN_SUBSTRING_CHARS, skeleton};

fuzz_target!(|data: &[u8]| {
    let mut policy = Policy::default();
    let loaded = policy.banned.load_list_bytes(data);
    let Ok(text) = std::str::from_utf8(data) else {
        let e = loaded.expect_err("non-UTF-8 bytes loaded");
        assert!(e.starts_with("not UTF-8 text (byte "), "{e}");
        return;
    };
    let words = match BannedWords::parse(text) {
        Ok(words) => words,
        Err(e) => {
            let shown = loaded.expect_err("a list the parser refuses loaded");
            assert_eq!(shown, e.to_string());
            assert!(shown.starts_with("banned-word list line "), "{shown}");
            return;
        }
    };
    let count = loaded.expect("a list the parser reads must load");
    for word in &words {
        let bones = skeleton(word);
        if bones.is_empty() {
            continue;
        }
        let folded = pwpolicy::Password::new(word);
        assert!(policy.banned.is_found_in(folded.expose()), "{word:?} lost");
        let upper = pwpolicy::Password::new(&word.to_uppercase());
        // Upper-casing can change a skeleton (ß → SS): compare like with like.
        if skeleton(upper.expose()) == bones {
            assert!(policy.banned.is_found_in(upper.expose()), "{word:?} upper lost");
        }
        if bones.chars().count() >= MIN_SUBSTRING_CHARS {
            let inside = pwpolicy::Password::new(&format!("x{word}9"));
            if skeleton(inside.expose()).contains(bones.as_str()) {
                assert!(policy.banned.is_found_in(inside.expose()), "{word:?} inside lost");
            }
        }
    }
    assert_eq!(policy.banned.load_list_bytes(data), Ok(count));
});
