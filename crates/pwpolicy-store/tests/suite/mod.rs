//! One store test suite, run against every database: `tests/sqlite.rs` here
//! and `pwpolicy-store-postgres/tests/postgres.rs`, which includes this file
//! by `#[path]`. Each database's file provides a `Fixture` that opens a fresh,
//! empty store, as often as a test asks and from any thread (the concurrency
//! tests give each writer its own connection).
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use pwpolicy::{Hasher, Password, Policy};
use pwpolicy_store::{ChangeOutcome, PasswordChange, Seed, Store, StoreError, UserRecord, Which};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// Opens the same empty store as often as a test asks, from any thread.
pub trait Fixture: Sync {
    /// A connection to this fixture's store.
    fn open(&self) -> Box<dyn Store>;
}

const T0: OffsetDateTime = datetime!(2026-01-01 12:00 UTC);

/// A policy with cheap hashing and the given history depth and minimum age.
fn policy(remember: &str, min_age: u32) -> Policy {
    Policy::from_toml(&format!(
        "[history]\nremember = {remember}\nmemory_kib = 64\niterations = 1\n\
         [expiry]\nmin_age_days = {min_age}\n"
    ))
    .unwrap()
}

struct Changer {
    policy: Policy,
    hasher: Hasher,
}

impl Changer {
    fn new(policy: Policy) -> Changer {
        let hasher = Hasher::new(&policy.history, None).unwrap();
        Changer { policy, hasher }
    }

    fn change(
        &self,
        store: &mut dyn Store,
        user: &str,
        pw: &str,
        now: OffsetDateTime,
    ) -> Vec<&'static str> {
        let password = Password::new(pw);
        let change = PasswordChange {
            user,
            password: &password,
            policy: &self.policy,
            hasher: &self.hasher,
            now,
            enforce_min_age: true,
            allow_reuse: false,
            prehashed: None,
        };
        match store.change_password(&change).unwrap() {
            ChangeOutcome::Changed => vec![],
            ChangeOutcome::Rejected(v) => v.iter().map(|v| v.code()).collect(),
        }
    }
}

pub fn the_same_password_twice_is_reused(f: &dyn Fixture) {
    let mut store = f.open();
    let c = Changer::new(policy("\"all\"", 0));
    assert_eq!(
        c.change(&mut *store, "erin", "First-Pass-1", T0),
        Vec::<&str>::new()
    );
    assert_eq!(
        c.change(&mut *store, "erin", "First-Pass-1", T0 + Duration::days(1)),
        ["reused"]
    );
    // NFD of a remembered password is the same password.
    c.change(
        &mut *store,
        "erin",
        "Cafe\u{301}-Two-2",
        T0 + Duration::days(2),
    );
    assert_eq!(
        c.change(&mut *store, "erin", "Café-Two-2", T0 + Duration::days(3)),
        ["reused"]
    );
    // Another user may use it: history is per user.
    assert!(c.change(&mut *store, "john", "First-Pass-1", T0).is_empty());
    let erin = store.user("erin").unwrap().unwrap();
    assert_eq!(
        (erin.history_len, erin.last_change),
        (2, Some(T0 + Duration::days(2)))
    );
}

pub fn a_password_comes_back_after_remember_newer_ones(f: &dyn Fixture) {
    let mut store = f.open();
    let c = Changer::new(policy("3", 0));
    let day = |n| T0 + Duration::days(n);
    for (n, pw) in ["Pass-A-1", "Pass-B-2", "Pass-C-3"].iter().enumerate() {
        assert!(c.change(&mut *store, "erin", pw, day(n as i64)).is_empty());
    }
    assert_eq!(
        c.change(&mut *store, "erin", "Pass-A-1", day(3)),
        ["reused"]
    );
    assert!(c.change(&mut *store, "erin", "Pass-D-4", day(4)).is_empty());
    // A, then B, C, D: three newer passwords, so A is allowed again; B is not.
    assert_eq!(
        c.change(&mut *store, "erin", "Pass-B-2", day(5)),
        ["reused"]
    );
    assert!(c.change(&mut *store, "erin", "Pass-A-1", day(6)).is_empty());
    assert_eq!(store.user("erin").unwrap().unwrap().history_len, 3);
}

pub fn remember_all_keeps_every_entry(f: &dyn Fixture) {
    let mut store = f.open();
    let c = Changer::new(policy("\"all\"", 0));
    for n in 0..30 {
        assert!(
            c.change(
                &mut *store,
                "erin",
                &format!("Pass-{n}-x"),
                T0 + Duration::days(n)
            )
            .is_empty()
        );
    }
    assert_eq!(store.user("erin").unwrap().unwrap().history_len, 30);
    assert_eq!(
        c.change(&mut *store, "erin", "Pass-0-x", T0 + Duration::days(31)),
        ["reused"]
    );
}

pub fn history_off_records_the_date_only(f: &dyn Fixture) {
    let mut store = f.open();
    let c = Changer::new(policy("0", 0));
    assert!(c.change(&mut *store, "erin", "Same-Pass-1", T0).is_empty());
    assert!(
        c.change(&mut *store, "erin", "Same-Pass-1", T0 + Duration::days(1))
            .is_empty()
    );
    let erin = store.user("erin").unwrap().unwrap();
    assert_eq!(
        (erin.history_len, erin.last_change),
        (0, Some(T0 + Duration::days(1)))
    );
}

pub fn minimum_age_refuses_early_changes_unless_forced(f: &dyn Fixture) {
    let mut store = f.open();
    let c = Changer::new(policy("\"all\"", 2));
    assert!(c.change(&mut *store, "erin", "Pass-A-1", T0).is_empty());
    assert_eq!(
        c.change(&mut *store, "erin", "Pass-B-2", T0 + Duration::days(1)),
        ["too_recent"]
    );
    // Both reasons at once.
    assert_eq!(
        c.change(&mut *store, "erin", "Pass-A-1", T0 + Duration::days(1)),
        ["too_recent", "reused"]
    );
    store.expire("erin", T0).unwrap();
    assert!(
        c.change(&mut *store, "erin", "Pass-B-2", T0 + Duration::days(1))
            .is_empty()
    );
    assert!(!store.user("erin").unwrap().unwrap().must_change);
    assert_eq!(
        c.change(&mut *store, "erin", "Pass-C-3", T0 + Duration::days(2)),
        ["too_recent"]
    );
    assert!(
        c.change(&mut *store, "erin", "Pass-C-3", T0 + Duration::days(3))
            .is_empty()
    );
}

pub fn a_refused_change_writes_nothing(f: &dyn Fixture) {
    let mut store = f.open();
    let c = Changer::new(policy("\"all\"", 0));
    assert_eq!(
        c.change(&mut *store, "erin", "Pass-A-1", T0),
        Vec::<&str>::new()
    );
    let before = store.user("erin").unwrap();
    assert_eq!(
        c.change(&mut *store, "erin", "Pass-A-1", T0 + Duration::days(5)),
        ["reused"]
    );
    assert_eq!(store.user("erin").unwrap(), before);
    // A new user refused for min age cannot happen, but a refused new user
    // must not be created either: reuse is impossible without history, so use
    // an invalid name instead.
    let password = Password::new("Pass-A-1");
    let change = PasswordChange {
        user: "bad\nname",
        password: &password,
        policy: &c.policy,
        hasher: &c.hasher,
        now: T0,
        enforce_min_age: true,
        allow_reuse: false,
        prehashed: None,
    };
    assert!(matches!(
        store.change_password(&change),
        Err(StoreError::InvalidUser(_))
    ));
    assert!(store.user("bad\nname").unwrap().is_none());
}

pub fn set_changed_and_expire(f: &dyn Fixture) {
    let mut store = f.open();
    assert!(store.user("erin").unwrap().is_none());
    store
        .set_changed("erin", datetime!(2026-03-01 00:00 UTC), T0)
        .unwrap();
    let erin = store.user("erin").unwrap().unwrap();
    assert_eq!(
        (erin.last_change, erin.must_change, erin.first_seen),
        (Some(datetime!(2026-03-01 00:00 UTC)), false, T0)
    );
    store.expire("erin", T0).unwrap();
    assert!(store.user("erin").unwrap().unwrap().must_change);
    store
        .set_changed("erin", datetime!(2026-04-01 00:00 UTC), T0)
        .unwrap();
    assert!(!store.user("erin").unwrap().unwrap().must_change);
    store.expire("ghost", T0).unwrap();
    let ghost = store.user("ghost").unwrap().unwrap();
    assert_eq!((ghost.last_change, ghost.must_change), (None, true));
}

pub fn a_root_override_records_a_reused_password(f: &dyn Fixture) {
    // Regression (forced-change loop): root set a password the history
    // refuses; the system uses it, so the record must follow.
    let mut store = f.open();
    let c = Changer::new(policy("\"all\"", 0));
    c.change(&mut *store, "erin", "First-Pass-1", T0);
    store.expire("erin", T0 + Duration::days(1)).unwrap();
    let password = Password::new("First-Pass-1");
    let later = T0 + Duration::days(2);
    let change = PasswordChange {
        user: "erin",
        password: &password,
        policy: &c.policy,
        hasher: &c.hasher,
        now: later,
        enforce_min_age: false,
        allow_reuse: true,
        prehashed: None,
    };
    assert_eq!(
        store.change_password(&change).unwrap(),
        ChangeOutcome::Changed
    );
    let erin = store.user("erin").unwrap().unwrap();
    assert_eq!((erin.last_change, erin.must_change), (Some(later), false));
    // Still remembered: an ordinary change to it is refused.
    assert_eq!(
        c.change(&mut *store, "erin", "First-Pass-1", T0 + Duration::days(3)),
        ["reused"]
    );
}

pub fn clear_history_and_remove_user(f: &dyn Fixture) {
    let mut store = f.open();
    let c = Changer::new(policy("\"all\"", 0));
    c.change(&mut *store, "erin", "Pass-A-1", T0);
    let salt_before = store.history("erin").unwrap().unwrap().salt;
    assert!(store.clear_history("erin").unwrap());
    let after = store.history("erin").unwrap().unwrap();
    assert!(after.entries.is_empty());
    assert_ne!(after.salt, salt_before, "a cleared history gets a new salt");
    assert!(
        c.change(&mut *store, "erin", "Pass-A-1", T0 + Duration::days(1))
            .is_empty()
    );
    assert!(!store.clear_history("ghost").unwrap());
    assert!(store.remove_user("erin").unwrap());
    assert!(store.user("erin").unwrap().is_none());
    assert!(store.history("erin").unwrap().is_none());
    assert!(!store.remove_user("erin").unwrap());
    // A removed user starts afresh.
    assert!(
        c.change(&mut *store, "erin", "Pass-A-1", T0 + Duration::days(2))
            .is_empty()
    );
}

pub fn records_list_forced_then_oldest_first(f: &dyn Fixture) {
    let mut store = f.open();
    for (name, day) in [("c", 3), ("a", 1), ("d", 40), ("b", 2)] {
        store
            .set_changed(name, T0 + Duration::days(day), T0)
            .unwrap();
    }
    store.expire("z", T0).unwrap();
    store.expire("d", T0).unwrap();
    // A forced change, then made: no longer forced, changed at T0.
    store.expire("y", T0).unwrap();
    let c = Changer::new(policy("\"all\"", 0));
    assert!(c.change(&mut *store, "y", "Pass-Y-1", T0).is_empty());
    store.set_changed("x", T0 + Duration::days(50), T0).unwrap();
    let records = |store: &mut dyn Store, which| {
        let mut rows: Vec<UserRecord> = Vec::new();
        store
            .records(which, &mut |r| {
                rows.push(r);
                Ok(())
            })
            .unwrap();
        rows
    };
    let names = |rows: &[UserRecord]| -> Vec<(String, bool)> {
        rows.iter()
            .map(|r| (r.name.clone(), r.must_change))
            .collect()
    };
    let due = records(
        &mut *store,
        Which::Due {
            changed_before: Some(T0 + Duration::days(3)),
        },
    );
    assert_eq!(
        names(&due),
        [
            ("d".into(), true),
            ("z".into(), true),
            ("y".into(), false),
            ("a".into(), false),
            ("b".into(), false),
            ("c".into(), false)
        ]
    );
    // Rows carry what status shows: first seen and the history's length.
    let y = due.iter().find(|r| r.name == "y").unwrap();
    assert_eq!((y.first_seen, y.history_len), (T0, 1));
    let forced = records(
        &mut *store,
        Which::Due {
            changed_before: None,
        },
    );
    assert_eq!(forced.len(), 2);
    // A listing takes everyone, whatever the date.
    let all = records(&mut *store, Which::All);
    assert_eq!(
        all.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["d", "z", "y", "a", "b", "c", "x"]
    );
}

pub fn seeding_adds_keeps_or_overwrites(f: &dyn Fixture) {
    let mut store = f.open();
    store.set_changed("known", T0, T0).unwrap();
    let seeds = vec![
        Seed {
            name: "known".into(),
            last_change: Some(T0 - Duration::days(100)),
        },
        Seed {
            name: "new".into(),
            last_change: Some(T0 - Duration::days(10)),
        },
        Seed {
            name: "forced".into(),
            last_change: None,
        },
    ];
    let summary = store.seed(&seeds, false, T0, &mut |_| {}).unwrap();
    assert_eq!((summary.added, summary.kept, summary.updated), (2, 1, 0));
    assert_eq!(store.user("known").unwrap().unwrap().last_change, Some(T0));
    assert_eq!(
        store.user("new").unwrap().unwrap().last_change,
        Some(T0 - Duration::days(10))
    );
    assert!(store.user("forced").unwrap().unwrap().must_change);
    let summary = store.seed(&seeds, true, T0, &mut |_| {}).unwrap();
    assert_eq!((summary.added, summary.kept, summary.updated), (0, 0, 3));
    assert_eq!(
        store.user("known").unwrap().unwrap().last_change,
        Some(T0 - Duration::days(100))
    );
    // A name given twice, out of name order: the first line adds it, the
    // second updates it (with overwrite) or is kept, as the file says.
    let twice = vec![
        Seed {
            name: "zed".into(),
            last_change: Some(T0 - Duration::days(5)),
        },
        Seed {
            name: "amy".into(),
            last_change: Some(T0 - Duration::days(6)),
        },
        Seed {
            name: "zed".into(),
            last_change: Some(T0 - Duration::days(7)),
        },
    ];
    let summary = store.seed(&twice, true, T0, &mut |_| {}).unwrap();
    assert_eq!((summary.added, summary.kept, summary.updated), (2, 0, 1));
    assert_eq!(
        store.user("zed").unwrap().unwrap().last_change,
        Some(T0 - Duration::days(7))
    );
    // One bad name seeds nothing at all.
    let bad = vec![
        Seed {
            name: "fine".into(),
            last_change: None,
        },
        Seed {
            name: String::new(),
            last_change: None,
        },
    ];
    assert!(store.seed(&bad, false, T0, &mut |_| {}).is_err());
    assert!(store.user("fine").unwrap().is_none());
}

pub fn state_survives_reopening(f: &dyn Fixture) {
    let c = Changer::new(policy("\"all\"", 0));
    {
        let mut store = f.open();
        c.change(&mut *store, "erin", "Pass-A-1", T0);
    }
    let mut store = f.open();
    assert_eq!(
        c.change(&mut *store, "erin", "Pass-A-1", T0 + Duration::days(1)),
        ["reused"]
    );
}

/// A user's change to `password` now, as a login would make it: the
/// default history (all), cheap hashing.
pub fn similarity_refuses_the_same_letters_with_other_digits(f: &dyn Fixture) {
    let mut store = f.open();
    let mut p = policy("3", 0);
    p.history.similarity = true;
    let c = Changer::new(p);
    let day = |n| T0 + Duration::days(n);
    assert!(
        c.change(&mut *store, "erin", "Summer#2024", day(0))
            .is_empty()
    );
    assert_eq!(
        c.change(&mut *store, "erin", "Summer#2025", day(1)),
        ["similar_to_history"]
    );
    assert_eq!(
        c.change(&mut *store, "erin", "SUMMER!!2026", day(1)),
        ["similar_to_history"]
    );
    // The same password is `reused`, not also similar.
    assert_eq!(
        c.change(&mut *store, "erin", "Summer#2024", day(1)),
        ["reused"]
    );
    assert!(
        c.change(&mut *store, "erin", "Winter#2025", day(2))
            .is_empty()
    );
    assert!(
        c.change(&mut *store, "erin", "Kettle-Blue-42", day(3))
            .is_empty()
    );
    assert!(
        c.change(&mut *store, "erin", "Orbit-Staple-9", day(4))
            .is_empty()
    );
    // Summer's entry, stem included, has left the three remembered.
    assert!(
        c.change(&mut *store, "erin", "Summer#2030", day(5))
            .is_empty()
    );
    // A password without enough letters has no stem and is compared with none.
    assert!(
        c.change(&mut *store, "erin", "1234-5678-90!", day(6))
            .is_empty()
    );
    assert!(
        c.change(&mut *store, "erin", "1234-5678-91!", day(7))
            .is_empty()
    );

    // Entries recorded before similarity was on have no stem: no refusal.
    let plain = Changer::new(policy("\"all\"", 0));
    assert!(
        plain
            .change(&mut *store, "ann", "Autumn#2024", day(0))
            .is_empty()
    );
    assert!(
        c.change(&mut *store, "ann", "Autumn#2025", day(1))
            .is_empty()
    );
    assert_eq!(
        c.change(&mut *store, "ann", "Autumn#2026", day(2)),
        ["similar_to_history"]
    );
}

pub fn try_change(
    store: &mut dyn Store,
    user: &str,
    password: &str,
) -> Result<ChangeOutcome, StoreError> {
    let policy = Policy::from_toml("[history]\nmemory_kib = 64\niterations = 1\n").unwrap();
    try_change_under(store, &policy, user, password)
}

/// [`try_change`] under `policy`.
pub fn try_change_under(
    store: &mut dyn Store,
    policy: &Policy,
    user: &str,
    password: &str,
) -> Result<ChangeOutcome, StoreError> {
    let hasher = Hasher::new(&policy.history, None).unwrap();
    let password = Password::new(password);
    store.change_password(&PasswordChange {
        user,
        password: &password,
        policy,
        hasher: &hasher,
        now: OffsetDateTime::now_utc(),
        enforce_min_age: true,
        allow_reuse: false,
        prehashed: None,
    })
}

fn change_now(store: &mut dyn Store, user: &str, password: &str) -> ChangeOutcome {
    try_change(store, user, password).unwrap()
}

/// Runs `writers` threads at once, each on its own connection to the
/// fixture's store (as many login processes, or hosts, would), and returns
/// what each one's `work` returned.
fn at_once<T: Send>(
    f: &dyn Fixture,
    writers: usize,
    work: impl Fn(usize, &mut dyn Store) -> T + Sync,
) -> Vec<T> {
    std::thread::scope(|s| {
        let work = &work;
        let threads: Vec<_> = (0..writers)
            .map(|i| {
                s.spawn(move || {
                    let mut store = f.open();
                    work(i, &mut *store)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    })
}

pub fn concurrent_writers_never_both_accept_a_reused_password(f: &dyn Fixture) {
    let changed = at_once(f, 8, |_, store| change_now(store, "erin", "Same-Pass-1"))
        .into_iter()
        .filter(|o| *o == ChangeOutcome::Changed)
        .count();
    assert_eq!(
        changed, 1,
        "exactly one of eight concurrent identical changes may win"
    );
}

pub fn concurrent_writers_lose_no_history_entry(f: &dyn Fixture) {
    let changed: usize = at_once(f, 8, |i, store| {
        (0..5)
            .map(|n| change_now(store, "erin", &format!("Distinct-{i}-{n}-x")))
            .filter(|o| *o == ChangeOutcome::Changed)
            .count()
    })
    .into_iter()
    .sum();
    assert_eq!(changed, 40, "distinct passwords all pass");
    let mut store = f.open();
    assert_eq!(
        store.user("erin").unwrap().unwrap().history_len,
        40,
        "no entry may be lost"
    );
}

pub fn concurrent_writers_to_separate_users_do_not_interfere(f: &dyn Fixture) {
    let outcomes = at_once(f, 8, |i, store| {
        let user = format!("user{i}");
        let first = change_now(store, &user, "Own-Pass-1");
        let again = change_now(store, &user, "Own-Pass-1");
        (first, again)
    });
    for (first, again) in outcomes {
        assert_eq!(first, ChangeOutcome::Changed, "each user's change passes");
        assert!(
            matches!(again, ChangeOutcome::Rejected(_)),
            "and is remembered as theirs"
        );
    }
    let mut store = f.open();
    for i in 0..8 {
        assert_eq!(
            store
                .user(&format!("user{i}"))
                .unwrap()
                .unwrap()
                .history_len,
            1
        );
    }
}

pub fn a_reminder_is_claimed_once_and_stays_due_if_not_sent(f: &dyn Fixture) {
    use pwpolicy_store::ReminderKey;
    let mut store = f.open();
    let key = ReminderKey {
        user: "erin",
        cycle: 1_760_000_000,
        reason: "expiring",
        step: 7,
    };
    assert!(!store.was_reminder_sent(&key).unwrap());
    assert!(store.claim_reminder(&key, T0).unwrap());
    // Another run (or host) finds it claimed.
    let mut other = f.open();
    assert!(!other.claim_reminder(&key, T0).unwrap());
    // Not sent: released, it is due again.
    store.release_reminder(&key).unwrap();
    assert!(other.claim_reminder(&key, T0).unwrap());
    other.reminder_sent(&key, T0).unwrap();
    assert!(store.was_reminder_sent(&key).unwrap());
    assert!(!store.claim_reminder(&key, T0 + Duration::days(30)).unwrap());
    // Another threshold, reason or password is another reminder.
    for other_key in [
        ReminderKey { step: 3, ..key },
        ReminderKey {
            reason: "expired",
            step: 0,
            ..key
        },
        ReminderKey {
            cycle: key.cycle + 1,
            ..key
        },
    ] {
        assert!(
            store.claim_reminder(&other_key, T0).unwrap(),
            "{other_key:?}"
        );
    }
    // A claim whose run died (never sent) is taken over once stale.
    let died = ReminderKey { step: 14, ..key };
    assert!(store.claim_reminder(&died, T0).unwrap());
    assert!(
        !other
            .claim_reminder(&died, T0 + Duration::minutes(30))
            .unwrap()
    );
    assert!(
        other
            .claim_reminder(&died, T0 + Duration::hours(2))
            .unwrap()
    );
    // Removing the user forgets their reminders.
    store.set_changed("erin", T0, T0).unwrap();
    assert!(store.remove_user("erin").unwrap());
    assert!(!store.was_reminder_sent(&key).unwrap());
}

/// Declares one `#[test]` per suite function for a database's fixture.
#[macro_export]
macro_rules! store_suite {
    ($fixture:expr) => {
        $crate::store_suite!(@tests $fixture;
            the_same_password_twice_is_reused,
            a_password_comes_back_after_remember_newer_ones,
            remember_all_keeps_every_entry,
            history_off_records_the_date_only,
            minimum_age_refuses_early_changes_unless_forced,
            a_refused_change_writes_nothing,
            set_changed_and_expire,
            a_root_override_records_a_reused_password,
            clear_history_and_remove_user,
            records_list_forced_then_oldest_first,
            seeding_adds_keeps_or_overwrites,
            state_survives_reopening,
            concurrent_writers_never_both_accept_a_reused_password,
            concurrent_writers_lose_no_history_entry,
            concurrent_writers_to_separate_users_do_not_interfere,
            similarity_refuses_the_same_letters_with_other_digits,
            a_reminder_is_claimed_once_and_stays_due_if_not_sent,
        );
    };
    (@tests $fixture:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                if let Some(fixture) = $fixture {
                    suite::$name(&fixture);
                }
            }
        )*
    };
}
