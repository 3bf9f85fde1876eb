//! `PasswordFilter` through its exported entry point, policy reload check
//! included, on the mixed corpus: LSASS needs it well under a millisecond.
#![allow(missing_docs)] // criterion_group! generates undocumented public functions

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pwpolicyfilt::ffi::{PasswordFilter, UnicodeString};

fn unicode(units: &[u16]) -> UnicodeString {
    let bytes = u16::try_from(units.len() * 2).unwrap_or(u16::MAX);
    UnicodeString {
        length: bytes,
        maximum_length: bytes,
        buffer: units.as_ptr(),
    }
}

fn filter(c: &mut Criterion) {
    let corpus: Vec<[Vec<u16>; 3]> = pwpolicy_benches::mixed()
        .iter()
        .map(|r| [r.user, r.full_name, r.password].map(|s| s.encode_utf16().collect()))
        .collect();
    let mut group = c.benchmark_group("password_filter");
    group.throughput(Throughput::Elements(corpus.len() as u64));
    group.bench_function("mixed_corpus", |b| {
        b.iter(|| {
            let mut accepted = 0u32;
            for [user, full, password] in &corpus {
                let (u, f, p) = (unicode(user), unicode(full), unicode(password));
                // SAFETY: the three UNICODE_STRINGs point into live vectors of the stated length.
                accepted += u32::from(unsafe { PasswordFilter(&u, &f, black_box(&p), 0) });
            }
            accepted
        })
    });
    group.finish();
}

criterion_group!(benches, filter);
criterion_main!(benches);
