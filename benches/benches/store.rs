//! The store's two hot paths on SQLite.
//!
//! - `report/1m_users`: the expiry report over 1,000,000 users whose last
//!   changes spread over the past 120 days (about half are due within 30
//!   days), each row turned into a status as `pwpolicy report` does. Target:
//!   at most 1 s.
//! - `change/remember_N`: one password change at history depth 1 and 24 with
//!   the default argon2id cost. Target: flat, about one argon2 run.
#![allow(missing_docs)] // criterion_group! generates undocumented public functions

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use pwpolicy::{Hasher, Password, Policy};
use pwpolicy_store::{Location, OpenMode, PasswordChange, Seed, Store};
use time::OffsetDateTime;

const USERS: usize = 1_000_000;

fn open(dir: &tempfile::TempDir) -> Box<dyn Store> {
    pwpolicy_store::open(
        &Location::Sqlite(dir.path().join("state.db")),
        OpenMode::ReadWrite,
    )
    .expect("open bench store")
}

fn report(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = open(&dir);
    let now = OffsetDateTime::now_utc();
    let seeds: Vec<Seed> = (0..USERS)
        .map(|i| Seed {
            name: format!("user{i:07}"),
            last_change: Some(now - Duration::from_secs((i as u64 * 7_919) % (120 * 86_400))),
        })
        .collect();
    store
        .seed(&seeds, false, now, &mut |_| {})
        .expect("seed users");
    drop(seeds);
    let rules = Policy::default().expiry;
    let cutoff = now + time::Duration::days(30) - time::Duration::days(90);
    let mut group = c.benchmark_group("report");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("1m_users", |b| {
        b.iter(|| {
            let mut due = 0usize;
            store
                .records(
                    pwpolicy_store::Which::Due {
                        changed_before: Some(cutoff),
                    },
                    &mut |row| {
                        if let Some(last) = row.last_change {
                            due += usize::from(
                                black_box(rules.status(last, row.must_change, now))
                                    .days_left
                                    .is_some(),
                            );
                        }
                        Ok(())
                    },
                )
                .expect("report");
            due
        })
    });
    group.finish();
}

fn change(c: &mut Criterion) {
    let mut group = c.benchmark_group("change");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(6));
    for depth in [1u32, 24] {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = open(&dir);
        let policy =
            Policy::from_toml(&format!("[history]\nremember = {depth}\n")).expect("policy");
        let hasher = Hasher::new(&policy.history, None).expect("hasher");
        let mut n = 0u64;
        let mut change_once = |store: &mut dyn Store| {
            n += 1;
            let password = Password::new(&format!("Bench-Pass-{n}"));
            let change = PasswordChange {
                user: "erin",
                password: &password,
                policy: &policy,
                hasher: &hasher,
                now: OffsetDateTime::now_utc(),
                enforce_min_age: false,
                allow_reuse: false,
                prehashed: None,
            };
            store.change_password(&change).expect("change")
        };
        for _ in 0..depth {
            change_once(&mut *store);
        }
        group.bench_with_input(BenchmarkId::new("remember", depth), &depth, |b, _| {
            b.iter(|| change_once(&mut *store))
        });
    }
    group.finish();
}

criterion_group!(benches, report, change);
criterion_main!(benches);
