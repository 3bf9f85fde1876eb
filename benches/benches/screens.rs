//! The opt-in screens: guessability (zxcvbn) and banned words, one check at
//! a time, at the sizes that cost most.
//!
//! `guessability/*` runs `Policy::check` with `[guessability] min_score = 3`
//! on passwords of `max_length` (256) code points built to make zxcvbn work
//! hardest (dictionary words end to end, l33t look-alikes, digits that read
//! as dates), and on the mixed corpus (time / 2000 per check).
//! `banned/*` runs the banned-word rule with a 10,000-word list, and with four
//! written words on ASCII, a look-alike in Cyrillic and other non-ASCII text.
//! Per-check percentiles (p50, p99, max) come from `screen_latency`, a bench
//! binary.
#![allow(missing_docs)] // criterion_group! generates undocumented public functions

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pwpolicy::{Names, Password, Policy};
use pwpolicy_benches::worst_cases;

fn guessability(c: &mut Criterion) {
    let policy = Policy::from_toml("[guessability]\nmin_score = 3\n").expect("valid policy");
    let names = Names::new("ehagens", "Erin M. Hagens");
    let mut group = c.benchmark_group("guessability");
    group.throughput(Throughput::Elements(1));
    for (name, password) in worst_cases() {
        let password = Password::new(&password);
        group.bench_function(name, |b| {
            b.iter(|| policy.check(black_box(&password), &names))
        });
    }
    let corpus = pwpolicy_benches::mixed();
    group.throughput(Throughput::Elements(corpus.len() as u64));
    group.bench_function("mixed_corpus", |b| {
        b.iter(|| {
            corpus
                .iter()
                .filter(|r| {
                    policy
                        .check(
                            &Password::new(black_box(r.password)),
                            &Names::new(r.user, r.full_name),
                        )
                        .is_accepted()
                })
                .count()
        })
    });
    group.finish();
}

fn banned(c: &mut Criterion) {
    let mut policy = Policy::default();
    let list: String = (0..10_000).map(|i| format!("word{i:05}x\n")).collect();
    policy.banned.load_list(&list).expect("valid list");
    let names = Names::none();
    let mut group = c.benchmark_group("banned");
    group.throughput(Throughput::Elements(1));
    for (name, password) in worst_cases() {
        let password = Password::new(&password);
        group.bench_function(format!("10k_words/{name}"), |b| {
            b.iter(|| policy.check(black_box(&password), &names))
        });
    }
    let written = Policy::from_toml(
        "[banned]\nwords = [\"Acme\", \"Kingsbridge Academy\", \"Oakfield\", \"St Mary's\"]\n",
    )
    .expect("valid policy");
    // ASCII, a look-alike from another script (what folding confusables
    // is for), and non-ASCII text that holds no banned word.
    for (name, password) in [
        ("mixed_ascii", "Harbor7828>"),
        ("cyrillic_look_alike", "\u{410}\u{441}m\u{435}-Harbor-7828"),
        ("non_ascii_clean", "J\u{fc}rgen-Stra\u{df}e-7828"),
    ] {
        let password = Password::new(password);
        group.bench_function(format!("4_written_words/{name}"), |b| {
            b.iter(|| written.check(black_box(&password), &names))
        });
    }
    group.bench_function("load_10k_words", |b| {
        b.iter(|| {
            let mut p = Policy::default();
            p.banned.load_list(black_box(&list)).map(|_| p)
        })
    });
    group.finish();
}

criterion_group!(benches, guessability, banned);
criterion_main!(benches);
