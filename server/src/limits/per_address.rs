//! A token bucket per source address (or per name), for what is costly whoever asks (hashing a
//! password to claim a name or change it, creating rooms): one address cannot keep the server
//! busy, or fill it, for everyone else.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::{RateLimit, TokenBucket, Verdict};

/// Addresses remembered at most; beyond that, those whose bucket has refilled are forgotten.
const MAX_ADDRESSES: usize = 10_000;

/// One bucket per key (an address, a folded name), all with the same limit.
#[derive(Debug)]
pub struct KeyedBuckets<K> {
    limit: RateLimit,
    buckets: HashMap<K, TokenBucket>,
}

/// One bucket per source address.
pub type AddressBuckets = KeyedBuckets<IpAddr>;

impl<K: Hash + Eq> KeyedBuckets<K> {
    pub fn new(limit: RateLimit) -> KeyedBuckets<K> {
        KeyedBuckets { limit, buckets: HashMap::new() }
    }

    /// Takes a token for `address`; refused with the time until the next one.
    pub fn take(&mut self, address: K, now: Instant) -> Result<(), Duration> {
        if self.buckets.len() >= MAX_ADDRESSES && !self.buckets.contains_key(&address) {
            self.buckets.retain(|_, bucket| !bucket.is_full(now));
            if self.buckets.len() >= MAX_ADDRESSES {
                // Every remembered address is busy: a newcomer waits for a whole token.
                return Err(Duration::from_secs_f64(1.0 / self.limit.per_sec));
            }
        }
        let limit = self.limit;
        let bucket = self.buckets.entry(address).or_insert_with(|| TokenBucket::new(limit, now));
        match bucket.take(now) {
            Verdict::Allowed => Ok(()),
            Verdict::Limited { retry_after, .. } => Err(retry_after),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_own_bucket() {
        let mut buckets = AddressBuckets::new(RateLimit { burst: 2, per_sec: 0.5 });
        let (home, school): (IpAddr, IpAddr) = ("192.168.1.5".parse().unwrap(), "10.0.0.1".parse().unwrap());
        let now = Instant::now();
        assert_eq!(buckets.take(home, now), Ok(()));
        assert_eq!(buckets.take(home, now), Ok(()));
        assert_eq!(buckets.take(home, now), Err(Duration::from_secs(2)));
        assert_eq!(buckets.take(school, now), Ok(()));
        assert_eq!(buckets.take(home, now + Duration::from_secs(2)), Ok(()));
    }
}
