//! History lookup at depths 1, 5 and 24 with the default argon2id cost.
//!
//! Entries of one user share a salt and parameters, so every depth should cost
//! about one argon2 run: the target is depth 24 within 1.2 times depth 1.
#![allow(missing_docs)] // criterion_group! generates undocumented public functions

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use pwpolicy::{Hasher, Password, Policy, UserSalt};

fn history(c: &mut Criterion) {
    let policy = Policy::default();
    let hasher = Hasher::new(&policy.history, None).expect("default parameters are valid");
    let salt = UserSalt::from_bytes(*b"bench-salt-16byt");
    let candidate = Password::new("Not-In-History-1");
    let mut group = c.benchmark_group("history_contains");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4));
    for depth in [1usize, 5, 24] {
        let entries: Vec<_> = (0..depth)
            .map(|i| hasher.hash(&Password::new(&format!("Old-Password-{i}")), &salt))
            .collect::<Result<_, _>>()
            .expect("hashing works");
        group.bench_with_input(
            BenchmarkId::from_parameter(depth),
            &entries,
            |b, entries| b.iter(|| hasher.contains(black_box(entries), &candidate)),
        );
    }
    group.finish();
}

criterion_group!(benches, history);
criterion_main!(benches);
