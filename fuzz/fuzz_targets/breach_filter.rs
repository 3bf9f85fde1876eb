//! Guards the filter reader (`pwpolicy_breach::Filter`), which PAM, pwpolicyd
//! and LSASS run over files on disk: any bytes open or are refused, and every
//! lookup and `verify` answers or errs, never panics or loops.
//!
//! Checksums would stop almost every mutation at the door, so each input is
//! tried twice: as it is, and with every checksum recomputed, which lets the
//! fuzzer reach the directory search and the Rice decoder with damaged
//! structures behind valid checksums.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pwpolicy_breach::BreachedSet;
use pwpolicy_breach::format::{HEADER_SUM_AT, PAGE, TOP_SUM_AT, page_sum, u64_at};

fn probe(bytes: &[u8]) {
    let Ok(filter) = BreachedSet::open(bytes) else { return };
    // Prefixes from the input itself, and the ends of the range.
    let mut prefixes = vec![0, u64::MAX, 1 << 63];
    prefixes.extend(bytes.chunks_exact(8).take(64).map(|c| u64_at(c, 0)));
    for p in prefixes {
        let _ = filter.contains(p);
    }
    let _ = filter.contains_password("password", true);
    let _ = filter.verify();
}

fn with_checksums(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() < PAGE {
        return None;
    }
    let mut b = bytes.to_vec();
    for page in b[PAGE..].chunks_exact_mut(PAGE) {
        let sum = page_sum(page);
        page[..4].copy_from_slice(&sum.to_le_bytes());
    }
    let (data, dir) = (u64_at(&b, 48), u64_at(&b, 56));
    let top = data.checked_add(dir)?.checked_add(1)?.checked_mul(PAGE as u64)?;
    if let Some(tail) = usize::try_from(top).ok().and_then(|t| b.get(t..)) {
        let sum = xxhash_rust::xxh3::xxh3_64(tail);
        b[TOP_SUM_AT..TOP_SUM_AT + 8].copy_from_slice(&sum.to_le_bytes());
    }
    let sum = xxhash_rust::xxh3::xxh3_64(&b[..HEADER_SUM_AT]);
    b[HEADER_SUM_AT..HEADER_SUM_AT + 8].copy_from_slice(&sum.to_le_bytes());
    Some(b)
}

fuzz_target!(|bytes: &[u8]| {
    probe(bytes);
    if let Some(repaired) = with_checksums(bytes) {
        probe(&repaired);
    }
});
