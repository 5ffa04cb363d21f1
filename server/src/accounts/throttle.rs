//! Slowing down password guessing: after a few wrong tries, a name (and, more leniently, an
//! address) is refused for a while, doubling with each further failure.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Wrong tries allowed per name before waits begin.
const FREE_PER_NAME: u32 = 3;
/// Wrong tries allowed per address (a classroom shares one) before waits begin.
const FREE_PER_ADDRESS: u32 = 20;
/// The first wait; each further failure doubles it.
const FIRST_WAIT: Duration = Duration::from_secs(1);
/// The longest wait.
const MAX_WAIT: Duration = Duration::from_secs(300);
/// Names or addresses remembered at most; beyond that, ones no longer blocked are forgotten.
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    blocked_until: Instant,
}

/// Failed logins by name (folded) and by address.
#[derive(Debug, Default)]
pub struct Throttle {
    names: HashMap<String, Failures>,
    addresses: HashMap<IpAddr, Failures>,
}

impl Throttle {
    /// How long `name_key` or `address` must still wait, if either is blocked.
    pub fn blocked(&self, name_key: &str, address: IpAddr, now: Instant) -> Option<Duration> {
        let name = self.names.get(name_key).map(|f| f.blocked_until);
        let address = self.addresses.get(&address).map(|f| f.blocked_until);
        let until = name.into_iter().chain(address).max()?;
        (until > now).then(|| until - now)
    }

    /// Records a wrong try; returns the wait now in force (zero while tries are still free).
    pub fn failed(&mut self, name_key: &str, address: IpAddr, now: Instant) -> Duration {
        let by_name = record(&mut self.names, name_key.to_string(), FREE_PER_NAME, now);
        let by_address = record(&mut self.addresses, address, FREE_PER_ADDRESS, now);
        by_name.max(by_address)
    }

    /// A right password: the name starts afresh (the address keeps its record).
    pub fn succeeded(&mut self, name_key: &str) {
        self.names.remove(name_key);
    }
}

fn record<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, Failures>,
    key: K,
    free: u32,
    now: Instant,
) -> Duration {
    if map.len() >= MAX_ENTRIES && !map.contains_key(&key) {
        map.retain(|_, f| f.blocked_until > now);
        if map.len() >= MAX_ENTRIES {
            // Full of blocked entries: the newcomer still pays the first wait.
            return FIRST_WAIT;
        }
    }
    let failures = map.entry(key).or_insert(Failures { count: 0, blocked_until: now });
    failures.count += 1;
    let wait = wait_after(failures.count, free);
    failures.blocked_until = now + wait;
    wait
}

/// The wait after `count` failures when `free` are allowed.
fn wait_after(count: u32, free: u32) -> Duration {
    if count <= free {
        return Duration::ZERO;
    }
    let doublings = (count - free - 1).min(16);
    (FIRST_WAIT * 2u32.pow(doublings)).min(MAX_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 168, 1, 5));

    #[test]
    fn a_name_waits_longer_after_each_failure_past_the_free_ones() {
        let mut throttle = Throttle::default();
        let now = Instant::now();
        let waits: Vec<u64> = (0..6).map(|_| throttle.failed("bob", HOME, now).as_secs()).collect();
        assert_eq!(waits, [0, 0, 0, 1, 2, 4]);
        assert_eq!(throttle.blocked("bob", HOME, now), Some(Duration::from_secs(4)));
        assert_eq!(throttle.blocked("bob", HOME, now + Duration::from_secs(5)), None);
        assert_eq!(throttle.blocked("alice", "10.0.0.1".parse().unwrap(), now), None);
    }

    #[test]
    fn success_clears_the_name_and_waits_are_capped() {
        let mut throttle = Throttle::default();
        let now = Instant::now();
        for _ in 0..40 {
            throttle.failed("bob", HOME, now);
        }
        assert_eq!(throttle.blocked("bob", HOME, now), Some(MAX_WAIT));
        throttle.succeeded("bob");
        // The address is still blocked after 40 failures from it.
        assert!(throttle.blocked("carol", HOME, now).is_some());
        assert_eq!(throttle.blocked("carol", "10.0.0.1".parse().unwrap(), now), None);
    }
}
