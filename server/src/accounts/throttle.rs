//! Slowing down password guessing: after a few wrong tries, a name (and, more leniently, an
//! address) is refused for a while, doubling with each further failure.
//!
//! An attempt is counted as wrong before its password is checked (and taken back if it was
//! right), so guesses sent all at once cannot all pass as free tries while the first ones
//! are still being hashed. Only password attempts count: a login token is not a guess worth
//! slowing, and a name's owner logging in with one is never held up by someone else's wrong
//! passwords.

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
    fn blocked(&self, name_key: &str, address: IpAddr, now: Instant) -> Option<Duration> {
        let name = self.names.get(name_key).map(|f| f.blocked_until);
        let address = self.addresses.get(&address).map(|f| f.blocked_until);
        let until = name.into_iter().chain(address).max()?;
        (until > now).then(|| until - now)
    }

    /// Counts a password attempt before it is checked. Refused with the wait left when the
    /// name or the address is blocked; otherwise returns the wait that applies if the
    /// password proves wrong (zero while tries are still free).
    pub fn attempt(&mut self, name_key: &str, address: IpAddr, now: Instant) -> Result<Duration, Duration> {
        if let Some(wait) = self.blocked(name_key, address, now) {
            return Err(wait);
        }
        let by_name = record(&mut self.names, name_key.to_string(), FREE_PER_NAME, now);
        let by_address = record(&mut self.addresses, address, FREE_PER_ADDRESS, now);
        Ok(by_name.max(by_address))
    }

    /// The attempt's password was right: the name starts afresh, and the address gets back
    /// the try that [`Throttle::attempt`] counted against it (it keeps its wrong ones).
    pub fn succeeded(&mut self, name_key: &str, address: IpAddr, now: Instant) {
        self.names.remove(name_key);
        let Some(failures) = self.addresses.get_mut(&address) else { return };
        failures.count = failures.count.saturating_sub(1);
        if failures.count == 0 {
            self.addresses.remove(&address);
            return;
        }
        let wait = wait_after(failures.count, FREE_PER_ADDRESS);
        failures.blocked_until = failures.blocked_until.min(now + wait);
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

    /// The wait each of `count` wrong attempts in a row is answered with.
    fn wrong_attempts(throttle: &mut Throttle, name: &str, count: usize, now: Instant) -> Vec<u64> {
        (0..count).map(|_| throttle.attempt(name, HOME, now).unwrap_or_else(|wait| wait).as_secs()).collect()
    }

    #[test]
    fn a_name_waits_longer_after_each_failure_past_the_free_ones() {
        let mut throttle = Throttle::default();
        let now = Instant::now();
        assert_eq!(wrong_attempts(&mut throttle, "bob", 4, now), [0, 0, 0, 1]);
        assert_eq!(throttle.attempt("bob", HOME, now), Err(Duration::from_secs(1)));
        let later = now + Duration::from_secs(1);
        assert_eq!(throttle.attempt("bob", HOME, later), Ok(Duration::from_secs(2)));
        assert_eq!(throttle.blocked("bob", HOME, later), Some(Duration::from_secs(2)));
        assert_eq!(throttle.blocked("bob", HOME, later + Duration::from_secs(3)), None);
        assert_eq!(throttle.blocked("alice", "10.0.0.1".parse().unwrap(), now), None);
    }

    #[test]
    fn attempts_made_at_once_are_counted_before_any_is_checked() {
        let mut throttle = Throttle::default();
        let now = Instant::now();
        // Ten guesses arrive before the first is hashed: only four get through.
        let passed = (0..10).filter(|_| throttle.attempt("bob", HOME, now).is_ok()).count();
        assert_eq!(passed, 4);
    }

    #[test]
    fn a_right_password_clears_the_name_and_gives_the_address_its_try_back() {
        let mut throttle = Throttle::default();
        let now = Instant::now();
        for name in 0..30 {
            let name = format!("user{name}");
            throttle.attempt(&name, HOME, now).unwrap();
            throttle.succeeded(&name, HOME, now);
        }
        assert_eq!(throttle.blocked("carol", HOME, now), None, "a classroom logging in is not blocked");
        wrong_attempts(&mut throttle, "bob", 3, now);
        throttle.attempt("bob", HOME, now).unwrap();
        throttle.succeeded("bob", HOME, now);
        assert_eq!(throttle.attempt("bob", HOME, now), Ok(Duration::ZERO), "bob starts afresh");
    }

    #[test]
    fn waits_are_capped_and_the_address_stays_blocked() {
        let mut throttle = Throttle::default();
        let now = Instant::now();
        for attempt in 0..40 {
            let at = now + MAX_WAIT * attempt;
            throttle.attempt("bob", HOME, at).unwrap();
        }
        let last = now + MAX_WAIT * 39;
        assert_eq!(throttle.blocked("bob", HOME, last), Some(MAX_WAIT));
        // The address is blocked after 40 failures from it, for any name.
        assert!(throttle.blocked("carol", HOME, last).is_some());
        assert_eq!(throttle.blocked("carol", "10.0.0.1".parse().unwrap(), last), None);
    }
}
