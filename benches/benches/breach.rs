//! The breached-password filter (`pwpolicy-breach`) at 1,000,000 entries,
//! built in memory at the default 1 in 1e9, the way a PAM check and
//! `pwpolicy breach build` use it:
//!
//! - `breach_lookup/member`, `/non_member`: [`BreachedSet::contains`] of a hash
//!   prefix in a warm filter (every page's checksum already seen), keys in
//!   an order no cache predicts (password order is random in hash order).
//! - `breach_lookup/password_sha1`, `/password_ntlm`:
//!   [`BreachedSet::contains_password`] of a member, its hashing included (SHA-1
//!   of the UTF-8, MD4 of the UTF-16LE), NFKC on as in the default policy.
//! - `breach_encode/1m_sorted`: [`Encoder`] over 1,000,000 sorted prefixes
//!   into a `Vec` (what `breach build` does after sorting).
#![allow(missing_docs)] // criterion_group! generates undocumented public functions

use std::hint::black_box;
use std::io::Cursor;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pwpolicy_breach::{BreachedSet, Encoder, KeyKind, Settings};

const ENTRIES: u64 = 1_000_000;
/// Keys a lookup bench cycles through (a power of two).
const KEYS: usize = 1 << 14;

fn settings(kind: KeyKind) -> Settings {
    Settings {
        kind,
        one_in: 1_000_000_000,
        min_count: 1,
        created: 0,
    }
}

/// The prefixes of `bench-0` .. `bench-{ENTRIES-1}`, in password order.
fn prefixes(kind: KeyKind) -> Vec<u64> {
    (0..ENTRIES)
        .map(|i| kind.prefix_of(&format!("bench-{i}")))
        .collect()
}

fn encode(sorted: &[u64], kind: KeyKind) -> Vec<u8> {
    let out = Cursor::new(Vec::with_capacity(5 << 20));
    let mut encoder = Encoder::new(out, settings(kind), sorted.len() as u64).expect("encoder");
    for &p in sorted {
        encoder.push(p).expect("push");
    }
    encoder.finish().expect("finish").1.into_inner()
}

/// A filter of `bench-*` and the prefixes in password order.
fn filter(kind: KeyKind) -> (BreachedSet<Vec<u8>>, Vec<u64>) {
    let in_order = prefixes(kind);
    let mut sorted = in_order.clone();
    sorted.sort_unstable();
    let filter = BreachedSet::open(encode(&sorted, kind)).expect("open");
    // Warm: every page read once, so its checksum is remembered.
    filter.verify().expect("verify");
    for &p in &in_order {
        assert!(filter.contains(p).expect("lookup"), "a member is missing");
    }
    (filter, in_order)
}

/// One lookup an iteration, cycling through `keys`.
fn cycle<T>(keys: &[T], mut each: impl FnMut(&T) -> bool) -> impl FnMut() -> bool {
    let mut i = 0usize;
    move || {
        i = (i + 1) & (KEYS - 1);
        each(black_box(&keys[i]))
    }
}

fn lookup(c: &mut Criterion) {
    let (sha1, members) = filter(KeyKind::Sha1);
    let (ntlm, _) = filter(KeyKind::Ntlm);
    let members = &members[..KEYS];
    let absent: Vec<u64> = (0..KEYS)
        .map(|i| KeyKind::Sha1.prefix_of(&format!("absent-{i}")))
        .collect();
    let false_positives = absent
        .iter()
        .filter(|&&p| sha1.contains(p).expect("lookup"))
        .count();
    assert!(false_positives <= 1, "{false_positives} false positives");
    let passwords: Vec<String> = (0..KEYS).map(|i| format!("bench-{i}")).collect();

    let mut group = c.benchmark_group("breach_lookup");
    group
        .throughput(Throughput::Elements(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("member", |b| {
        b.iter(cycle(members, |&p| sha1.contains(p).expect("lookup")))
    });
    group.bench_function("non_member", |b| {
        b.iter(cycle(&absent, |&p| sha1.contains(p).expect("lookup")))
    });
    group.bench_function("password_sha1", |b| {
        b.iter(cycle(&passwords, |p| {
            sha1.contains_password(p, true).expect("lookup")
        }))
    });
    group.bench_function("password_ntlm", |b| {
        b.iter(cycle(&passwords, |p| {
            ntlm.contains_password(p, true).expect("lookup")
        }))
    });
    group.finish();
}

fn encoder(c: &mut Criterion) {
    let mut sorted = prefixes(KeyKind::Sha1);
    sorted.sort_unstable();
    let mut group = c.benchmark_group("breach_encode");
    group
        .throughput(Throughput::Elements(ENTRIES))
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("1m_sorted", |b| {
        b.iter(|| encode(black_box(&sorted), KeyKind::Sha1).len())
    });
    group.finish();
}

criterion_group!(benches, lookup, encoder);
criterion_main!(benches);
