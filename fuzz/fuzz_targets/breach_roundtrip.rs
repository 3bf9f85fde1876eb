//! Guards the encoder and the reader together: any set of keys at any
//! false-positive rate builds a filter that finds every one of them.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use pwpolicy_breach::{Encoder, BreachedSet, KeyKind, Settings};

fuzz_target!(|input: (u64, Vec<u64>)| {
    let (one_in, mut keys) = input;
    let one_in = one_in.max(2);
    keys.sort_unstable();
    keys.dedup();
    let settings = Settings { kind: KeyKind::Ntlm, one_in, min_count: 1, created: 0 };
    let Ok(mut e) = Encoder::new(Cursor::new(Vec::new()), settings, keys.len() as u64) else {
        return; // no keys, or a universe past 64 bits: refused, fine
    };
    for &k in &keys {
        e.push(k).unwrap();
    }
    let bytes = e.finish().unwrap().1.into_inner();
    let filter = BreachedSet::open(&bytes).unwrap();
    filter.verify().unwrap();
    for &k in &keys {
        assert!(filter.contains(k).unwrap(), "a member is missing");
    }
});
