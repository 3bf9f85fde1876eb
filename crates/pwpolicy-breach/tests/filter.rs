//! The filter against its promises: every member is found, non-members are
//! reported at the stated rate, the size is what the format says, and a
//! damaged file is refused, never read as "not breached".
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::io::Cursor;

use proptest::prelude::*;
use pwpolicy_breach::format::{DEFAULT_ONE_IN, PAGE};
use pwpolicy_breach::{BreachedSet, Encoder, KeyKind, SetError, Settings};

fn settings(one_in: u64) -> Settings {
    Settings {
        kind: KeyKind::Sha1,
        one_in,
        min_count: 1,
        created: 0,
    }
}

/// A filter of `keys` (any order, duplicates allowed).
fn build(mut keys: Vec<u64>, one_in: u64) -> Vec<u8> {
    keys.sort_unstable();
    keys.dedup();
    let mut e = Encoder::new(Cursor::new(Vec::new()), settings(one_in), keys.len() as u64).unwrap();
    for k in keys {
        e.push(k).unwrap();
    }
    e.finish().unwrap().1.into_inner()
}

/// A deterministic stream of well-mixed 64-bit values (splitmix64).
fn mixed(seed: u64, n: usize) -> Vec<u64> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn every_member_is_found(keys in proptest::collection::vec(any::<u64>(), 1..3000), one_in in 2u64..1 << 50) {
        let bytes = build(keys.clone(), one_in);
        let filter = BreachedSet::open(&bytes).unwrap();
        filter.verify().unwrap();
        for k in keys {
            prop_assert!(filter.contains(k).unwrap());
        }
    }

    #[test]
    fn clustered_and_extreme_keys_are_found(base in any::<u64>(), steps in proptest::collection::vec(0u64..4, 1..2000)) {
        // Runs of equal and adjacent keys, and keys at both ends of the range.
        let mut keys = vec![0, u64::MAX];
        let mut k = base;
        for s in steps { k = k.wrapping_add(s); keys.push(k); }
        let bytes = build(keys.clone(), DEFAULT_ONE_IN);
        let filter = BreachedSet::open(&bytes).unwrap();
        for k in keys { prop_assert!(filter.contains(k).unwrap()); }
    }
}

#[test]
fn a_million_entries_take_under_32_bits_each_and_miss_nothing() {
    let keys = mixed(1, 1_000_000);
    let bytes = build(keys.clone(), DEFAULT_ONE_IN);
    let filter = BreachedSet::open(&bytes).unwrap();
    filter.verify().unwrap();
    let bits = filter.bits_per_entry();
    assert!(bits < 32.0, "{bits} bits an entry");
    assert!(filter.false_positive_rate() <= 1e-9);
    assert!(keys.iter().all(|&k| filter.contains(k).unwrap()));
    // Expected false positives in 4 million: 0.004.
    let false_hits = mixed(2, 4_000_000)
        .into_iter()
        .filter(|&k| filter.contains(k).unwrap())
        .count();
    assert!(false_hits <= 1, "{false_hits} false positives in 4 million");
}

#[test]
fn the_measured_false_positive_rate_is_the_stated_one() {
    // At 1 in 1000, 2 million non-members give about 2000 hits (a standard
    // deviation of 2.2%): enough to measure. Both the stated rate (entries /
    // universe) and the bound hold.
    let one_in = 1000;
    let bytes = build(mixed(3, 200_000), one_in);
    let filter = BreachedSet::open(&bytes).unwrap();
    let probes = 2_000_000;
    let hits = mixed(4, probes)
        .into_iter()
        .filter(|&k| filter.contains(k).unwrap())
        .count();
    let measured = hits as f64 / probes as f64;
    let stated = filter.false_positive_rate();
    assert!(stated <= 1.0 / one_in as f64);
    assert!(
        (measured - stated).abs() < 0.1 * stated,
        "measured {measured}, stated {stated}"
    );
}

#[test]
fn many_directory_pages_are_searched_right() {
    // ~42 bits an entry: 600k entries fill over 511 data pages, so the top
    // index has more than one directory page to choose from.
    let keys = mixed(5, 600_000);
    let bytes = build(keys.clone(), 1 << 40);
    let filter = BreachedSet::open(&bytes).unwrap();
    assert!(filter.header().dir_pages >= 2, "{:?}", filter.header());
    filter.verify().unwrap();
    assert!(keys.iter().all(|&k| filter.contains(k).unwrap()));
}

#[test]
fn damaged_truncated_empty_and_foreign_files_are_refused() {
    let keys = mixed(6, 20_000);
    let bytes = build(keys.clone(), DEFAULT_ONE_IN);
    assert!(matches!(BreachedSet::open(&[]), Err(SetError::Empty)));
    assert!(matches!(
        BreachedSet::open(b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3\n"),
        Err(SetError::NotAFilter)
    ));
    assert!(matches!(
        BreachedSet::open(&bytes[..bytes.len() - 8]),
        Err(SetError::Truncated { .. })
    ));
    assert!(matches!(
        BreachedSet::open(&bytes[..PAGE * 2]),
        Err(SetError::Truncated { .. })
    ));
    let mut version = bytes.clone();
    version[8] = 2;
    assert!(matches!(
        BreachedSet::open(&version),
        Err(SetError::Version(2))
    ));

    // A flipped bit in any data or directory page: found by the lookup that
    // reads the page (an error, not "not breached"), and by verify.
    let pages = bytes.len() / PAGE;
    for page in 1..pages {
        let mut bad = bytes.clone();
        bad[page * PAGE + 100] ^= 0x10;
        let filter = BreachedSet::open(&bad).unwrap();
        assert!(
            matches!(filter.verify(), Err(SetError::Damaged(_))),
            "page {page}"
        );
        let errors = keys
            .iter()
            .filter(|&&k| filter.contains(k).is_err())
            .count();
        assert!(errors > 0, "page {page}: no lookup noticed");
        assert!(
            keys.iter()
                .all(|&k| !matches!(filter.contains(k), Ok(false))),
            "page {page}: a member read as absent"
        );
    }
    // The top index at the end is checked on open.
    let mut bad = bytes.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert!(matches!(BreachedSet::open(&bad), Err(SetError::Damaged(_))));
}

#[test]
fn encoder_errors() {
    assert!(matches!(
        Encoder::new(Cursor::new(Vec::new()), settings(DEFAULT_ONE_IN), 0),
        Err(SetError::NoEntries)
    ));
    assert!(matches!(
        Encoder::new(
            Cursor::new(Vec::new()),
            settings(DEFAULT_ONE_IN),
            u64::MAX / 2
        ),
        Err(SetError::TooLarge)
    ));
    let mut e = Encoder::new(Cursor::new(Vec::new()), settings(DEFAULT_ONE_IN), 2).unwrap();
    e.push(10).unwrap();
    assert!(matches!(e.push(9), Err(SetError::Unsorted)));
    let e = Encoder::new(Cursor::new(Vec::new()), settings(DEFAULT_ONE_IN), 2).unwrap();
    assert!(matches!(e.finish(), Err(SetError::NoEntries)));
}
