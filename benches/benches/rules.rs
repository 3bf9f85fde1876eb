//! One rule check (length, classes, names) over the fixed mixed corpus.
//!
//! `check/mixed_corpus` checks all 2000 records once per iteration, building
//! the user's `Names` each time as the PAM module does; criterion's
//! elements/s is checks per second, and time / 2000 is the time per check.
#![allow(missing_docs)] // criterion_group! generates undocumented public functions

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pwpolicy::{Names, Password, Policy};

fn rules(c: &mut Criterion) {
    let corpus = pwpolicy_benches::mixed();
    let policy = Policy::default();
    let mut group = c.benchmark_group("check");
    group.throughput(Throughput::Elements(corpus.len() as u64));
    group.bench_function("mixed_corpus", |b| {
        b.iter(|| {
            let mut accepted = 0usize;
            for r in &corpus {
                let names = Names::new(r.user, r.full_name);
                accepted += usize::from(
                    policy
                        .check(&Password::new(black_box(r.password)), &names)
                        .is_accepted(),
                );
            }
            accepted
        })
    });
    group.throughput(Throughput::Elements(1));
    let names = Names::new("ehagens", "Erin M. Hagens");
    group.bench_function("one_ascii", |b| {
        b.iter(|| policy.check(&Password::new(black_box("Hagens2024!")), &names))
    });
    group.bench_function("one_non_ascii", |b| {
        b.iter(|| policy.check(&Password::new(black_box("Straße-Жук-2024")), &names))
    });
    group.finish();
}

criterion_group!(benches, rules);
criterion_main!(benches);
