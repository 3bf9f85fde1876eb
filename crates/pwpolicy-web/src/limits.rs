//! How often one address may ask anything, and one account may be tried.
//!
//! Two walls in front of the current password, which is as costly to guess
//! here as at a login: requests per address per minute (rule lookups and
//! attempts; an IPv6 client counts by its /64, which one host can fill), and
//! change attempts per account per hour from anywhere, counted the same for
//! accounts that do not exist, so the limit tells nothing. Behind them, the
//! directory's own lockout and pwpolicyd's per-account limit still apply.
//!
//! Pure: the caller passes the time in. Memory is bounded: past
//! [`MAX_KEYS`] keys, expired windows are dropped, and if every key is
//! live the new key is refused (an attacker with that many addresses is
//! slowed, not let through).

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Keys (addresses or accounts) each limiter tracks at most.
pub const MAX_KEYS: usize = 100_000;

/// A fixed window per key: at most `limit` hits each `window`.
#[derive(Debug)]
pub struct Window {
    limit: u32,
    window: Duration,
    hits: HashMap<String, (Instant, u32)>,
}

impl Window {
    /// At most `limit` hits per key each `window`.
    pub fn new(limit: u32, window: Duration) -> Window {
        Window {
            limit,
            window,
            hits: HashMap::new(),
        }
    }

    /// Counts a hit for `key` at `now`; `false` when it is over the limit
    /// (the hit is not counted then, so a blocked client's retries do not
    /// extend its own block).
    pub fn allow(&mut self, key: &str, now: Instant) -> bool {
        if !self.hits.contains_key(key) && self.hits.len() >= MAX_KEYS {
            let window = self.window;
            self.hits
                .retain(|_, (start, _)| now.duration_since(*start) < window);
            if self.hits.len() >= MAX_KEYS {
                tracing::warn!(
                    keys = MAX_KEYS,
                    "rate limiter full of live keys: refusing new clients until windows end"
                );
                return false;
            }
        }
        let entry = self.hits.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            return false;
        }
        entry.1 += 1;
        true
    }
}

/// The key an address counts under: IPv4 whole, IPv6 by its /64 (an
/// IPv4-mapped IPv6 address as the IPv4 address it is).
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The key an account counts under: names compare without case, as
/// Active Directory's and most NSS sources' do.
pub fn account_key(user: &str) -> String {
    user.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_allows_its_limit_then_refuses_until_it_ends() {
        let start = Instant::now();
        let mut w = Window::new(3, Duration::from_secs(60));
        assert!((0..3).all(|_| w.allow("a", start)));
        assert!(!w.allow("a", start + Duration::from_secs(59)));
        assert!(w.allow("b", start), "another key has its own window");
        assert!(w.allow("a", start + Duration::from_secs(60)));
    }

    #[test]
    fn refused_hits_do_not_extend_the_block() {
        let start = Instant::now();
        let mut w = Window::new(1, Duration::from_secs(10));
        assert!(w.allow("a", start));
        for s in 1..10 {
            assert!(!w.allow("a", start + Duration::from_secs(s)));
        }
        assert!(w.allow("a", start + Duration::from_secs(10)));
    }

    #[test]
    fn addresses_count_by_host_and_ipv6_by_its_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(address_key(mapped), "192.0.2.7");
        assert_eq!(account_key(" Erin "), account_key("erin"));
    }

    #[test]
    fn a_full_limiter_refuses_new_keys_rather_than_forgetting_live_ones() {
        let now = Instant::now();
        let mut w = Window::new(1, Duration::from_secs(60));
        for i in 0..MAX_KEYS {
            assert!(w.allow(&i.to_string(), now));
        }
        assert!(!w.allow("new", now));
        assert!(!w.allow("0", now), "a live key keeps its count");
        assert!(w.allow("new", now + Duration::from_secs(60)));
    }
}
