//! Guards the input-line parser of `pwpolicy breach build`: any bytes in any
//! format parse or give a reason, and a parsed hash is exactly its text's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pwpolicy_breach::KeyKind;
use pwpolicy_breach::lines::{InputFormat, Line, parse};

fuzz_target!(|line: &[u8]| {
    let detected = InputFormat::detect(line);
    for format in [
        InputFormat::Plain,
        InputFormat::Hashes(KeyKind::Sha1),
        InputFormat::Hashes(KeyKind::Ntlm),
        detected,
    ] {
        match parse(line, format) {
            Ok(Line::Hash { prefix, .. }) => {
                let text = std::str::from_utf8(line).expect("a hash line is ASCII").trim();
                let hex = &text[..16];
                assert_eq!(u64::from_str_radix(hex, 16).ok(), Some(prefix));
            }
            Ok(Line::Plain(p)) => assert!(!p.is_empty() && !p.contains('\0')),
            Ok(Line::Blank) | Err(_) => {}
        }
    }
});
