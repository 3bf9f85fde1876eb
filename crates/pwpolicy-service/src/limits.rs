//! How much of the machine one caller may take. Checks and commits run
//! argon2id (tens of milliseconds and ~19 MiB each at the default cost), so
//! they pass two limits; status and reports do not, and are never held up:
//!
//! - a token bucket per [`Payer`] ([`Rate`]): a burst, then a steady rate; a
//!   request past it waits for its token up to [`Limits::max_wait`], else is
//!   refused as busy. An ordinary caller pays by uid. Root and administrators
//!   pay by the account the request is about: every setuid PAM client
//!   (`passwd`, `su`) connects as uid 0, so one user hammering `passwd` drains
//!   their own account's bucket, while a morning of everyone's forced changes
//!   drains none;
//! - a gate of at most `slots` argon2 runs at once (the cores), handed out
//!   fairly: the payer served longest ago goes next, so one caller's 16
//!   connections queue behind each other, not in front of everyone else.
//!   With the runs bounded, so is their memory.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A token bucket's size: `burst` requests at once, then `per_second`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Requests allowed back to back.
    pub burst: u32,
    /// Requests per second after that.
    pub per_second: f64,
}

/// The limits the service applies.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitsConfig {
    /// argon2 runs at once, across all callers.
    pub slots: usize,
    /// Each ordinary uid's bucket.
    pub user: Rate,
    /// Root's and each administrator's bucket.
    pub admin: Rate,
    /// How long a request may wait for its token before it is refused.
    pub max_wait: Duration,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            slots: std::thread::available_parallelism().map_or(1, |n| n.get()),
            // A person trying candidates: ten at once, then one a second.
            user: Rate {
                burst: 10,
                per_second: 1.0,
            },
            // passwd/su for many people at once, and admin scripts.
            admin: Rate {
                burst: 200,
                per_second: 50.0,
            },
            max_wait: Duration::from_secs(3),
        }
    }
}

/// Whose bucket and turn a request counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Payer {
    /// An ordinary caller, by uid.
    Uid(u32),
    /// Root or an administrator acting on this account.
    Account(String),
}

/// A request refused by its payer's bucket: try again after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// When a token will be there.
    pub retry_after: Duration,
}

/// The limits, shared by every connection.
pub struct Limits {
    config: LimitsConfig,
    buckets: Mutex<HashMap<Payer, Bucket>>,
    gate: Mutex<Gate>,
    turn: Condvar,
}

/// One payer's tokens (negative: reserved by requests waiting for them).
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The argon2 slots and who waits for them.
#[derive(Default)]
struct Gate {
    free: usize,
    /// Waiting requests, by ticket, with their payer.
    waiting: Vec<(u64, Payer)>,
    /// Tickets handed a slot that have not woken yet.
    granted: Vec<u64>,
    next_ticket: u64,
    /// When each payer was last served (a counter, not a clock).
    served: HashMap<Payer, u64>,
    served_count: u64,
}

/// A held argon2 slot; dropping it passes the slot on.
pub struct Slot<'a> {
    limits: &'a Limits,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut gate = self.limits.lock_gate();
        match gate.next_waiter() {
            Some(i) => {
                let (ticket, payer) = gate.waiting.swap_remove(i);
                gate.granted.push(ticket);
                gate.mark_served(payer);
                self.limits.turn.notify_all();
            }
            None => gate.free += 1,
        }
    }
}

impl Gate {
    /// The waiter whose payer was served longest ago (first come among equals).
    fn next_waiter(&self) -> Option<usize> {
        self.waiting
            .iter()
            .enumerate()
            .min_by_key(|(_, (ticket, payer))| {
                (self.served.get(payer).copied().unwrap_or(0), *ticket)
            })
            .map(|(i, _)| i)
    }

    fn mark_served(&mut self, payer: Payer) {
        self.served_count += 1;
        if self.served.len() > 4096 {
            // Only the order among waiting payers matters; forget the rest.
            let waiting = &self.waiting;
            self.served
                .retain(|p, _| waiting.iter().any(|(_, w)| w == p));
        }
        self.served.insert(payer, self.served_count);
    }
}

impl Limits {
    /// Limits as configured.
    pub fn new(config: LimitsConfig) -> Limits {
        let gate = Gate {
            free: config.slots.max(1),
            ..Gate::default()
        };
        Limits {
            config,
            buckets: Mutex::new(HashMap::new()),
            gate: Mutex::new(gate),
            turn: Condvar::new(),
        }
    }

    /// How long a request may wait for its token.
    pub fn max_wait(&self) -> Duration {
        self.config.max_wait
    }

    /// Takes a token from `payer`'s bucket (waiting for it if it comes
    /// within the maximum wait), then waits for an argon2 slot.
    ///
    /// # Errors
    ///
    /// [`Throttled`] when the bucket is empty for longer than the maximum wait.
    pub fn enter(&self, payer: &Payer) -> Result<Slot<'_>, Throttled> {
        self.take(payer)?;
        Ok(self.turn(payer))
    }

    /// Takes a token from `payer`'s bucket, waiting for it if it comes
    /// within the maximum wait, without a slot: for a request that runs
    /// argon2 only in part of its work (a change through PAM, which takes
    /// its [`Limits::turn`] for its own check only).
    ///
    /// # Errors
    ///
    /// [`Throttled`] when the bucket is empty for longer than the maximum wait.
    pub fn take(&self, payer: &Payer) -> Result<(), Throttled> {
        let wait = self.take_token(payer, Instant::now())?;
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
        Ok(())
    }

    /// Waits for an argon2 slot, fairly between payers (after [`Limits::take`]).
    pub fn turn(&self, payer: &Payer) -> Slot<'_> {
        self.slot(payer.clone())
    }

    /// Reserves a token; the time until it is there (zero if it is now).
    fn take_token(&self, payer: &Payer, now: Instant) -> Result<Duration, Throttled> {
        let rate = match payer {
            Payer::Uid(_) => self.config.user,
            Payer::Account(_) => self.config.admin,
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 4096 {
            let idle = Duration::from_secs_f64(f64::from(rate.burst) / rate.per_second.max(0.001));
            buckets.retain(|_, b| now.duration_since(b.at) < idle);
        }
        let bucket = buckets.entry(payer.clone()).or_insert(Bucket {
            tokens: f64::from(rate.burst),
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate.per_second).min(f64::from(rate.burst));
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(Duration::ZERO);
        }
        let wait = Duration::from_secs_f64((1.0 - bucket.tokens) / rate.per_second.max(0.001));
        if wait > self.config.max_wait {
            return Err(Throttled { retry_after: wait });
        }
        bucket.tokens -= 1.0;
        Ok(wait)
    }

    /// Waits for an argon2 slot, fairly between payers.
    fn slot(&self, payer: Payer) -> Slot<'_> {
        let mut gate = self.lock_gate();
        if gate.free > 0 && gate.waiting.is_empty() {
            gate.free -= 1;
            gate.mark_served(payer);
            return Slot { limits: self };
        }
        let ticket = gate.next_ticket;
        gate.next_ticket += 1;
        gate.waiting.push((ticket, payer));
        loop {
            gate = self.turn.wait(gate).unwrap_or_else(|e| e.into_inner());
            if let Some(i) = gate.granted.iter().position(|t| *t == ticket) {
                gate.granted.swap_remove(i);
                return Slot { limits: self };
            }
        }
    }

    fn lock_gate(&self) -> MutexGuard<'_, Gate> {
        self.gate.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn limits(slots: usize, user: Rate) -> Limits {
        Limits::new(LimitsConfig {
            slots,
            user,
            admin: Rate {
                burst: 4,
                per_second: 2.0,
            },
            max_wait: Duration::from_millis(600),
        })
    }

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate_then_refuses() {
        let l = limits(
            1,
            Rate {
                burst: 3,
                per_second: 2.0,
            },
        );
        let t0 = Instant::now();
        let (erin, john) = (Payer::Uid(1000), Payer::Uid(1001));
        for _ in 0..3 {
            assert_eq!(l.take_token(&erin, t0), Ok(Duration::ZERO));
        }
        // The fourth waits half a second for its token; the fifth a second.
        assert_eq!(l.take_token(&erin, t0), Ok(Duration::from_millis(500)));
        let refused = l.take_token(&erin, t0).unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_secs(1));
        // Another uid has its own bucket; root pays per account, at the admin rate.
        assert_eq!(l.take_token(&john, t0), Ok(Duration::ZERO));
        let via_passwd = Payer::Account("erin".into());
        for _ in 0..4 {
            assert_eq!(l.take_token(&via_passwd, t0), Ok(Duration::ZERO));
        }
        assert!(l.take_token(&via_passwd, t0).is_ok_and(|w| !w.is_zero()));
        let other = Payer::Account("john".into());
        assert_eq!(l.take_token(&other, t0), Ok(Duration::ZERO));
        // Tokens come back with time, up to the burst.
        let later = t0 + Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(l.take_token(&erin, later), Ok(Duration::ZERO));
        }
        assert!(l.take_token(&erin, later).is_ok_and(|w| !w.is_zero()));
    }

    #[test]
    fn never_more_runs_at_once_than_slots() {
        let l = Arc::new(limits(
            2,
            Rate {
                burst: 1000,
                per_second: 1000.0,
            },
        ));
        let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let (l, now, most) = (Arc::clone(&l), Arc::clone(&now), Arc::clone(&most));
                std::thread::spawn(move || {
                    for _ in 0..20 {
                        let _slot = l.enter(&Payer::Uid(1000 + i % 3)).unwrap();
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(n, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_micros(200));
                        now.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
        assert_eq!(l.lock_gate().free, 2, "every slot came back");
    }

    #[test]
    fn the_uid_served_longest_ago_goes_first() {
        let l = limits(
            1,
            Rate {
                burst: 100,
                per_second: 100.0,
            },
        );
        let held = l.slot(Payer::Uid(1000));
        let mut gate = l.lock_gate();
        // Four of the attacker's requests queued before one of the victim's.
        let attacker = Payer::Uid(1000);
        gate.waiting = (1..5).map(|t| (t, attacker.clone())).collect();
        gate.waiting.push((5, Payer::Uid(2000)));
        gate.next_ticket = 6;
        drop(gate);
        drop(held);
        assert_eq!(l.lock_gate().granted, vec![5], "the victim is next");
    }
}
