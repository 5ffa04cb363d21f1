//! How many rooms one name, and one address, may create: rooms outlive their members, so
//! without a budget one client (or a few) could create rooms and leave them until the server's
//! room cap is reached, and nobody else could make one.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use anseo_shared::protocol::fold_name;

use crate::limits::{KeyedBuckets, RateLimit};

/// The rooms one name, or one address, may create in an hour (a classroom behind one NAT
/// shares an address: its budget is larger).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoomCreationLimits {
    pub per_name_per_hour: u32,
    pub per_address_per_hour: u32,
}

/// The buckets, one per folded name and one per address.
#[derive(Debug)]
pub struct RoomBudget {
    by_name: KeyedBuckets<String>,
    by_address: KeyedBuckets<IpAddr>,
}

impl RoomBudget {
    pub fn new(limits: RoomCreationLimits) -> RoomBudget {
        RoomBudget {
            by_name: KeyedBuckets::new(hourly(limits.per_name_per_hour)),
            by_address: KeyedBuckets::new(hourly(limits.per_address_per_hour)),
        }
    }

    /// Takes one room for `name` from `address`; refused with the time until the next one.
    pub fn take(&mut self, name: &str, address: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        if let Some(address) = address {
            self.by_address.take(address, now)?;
        }
        self.by_name.take(fold_name(name), now)
    }
}

/// `count` at once, then `count` an hour.
fn hourly(count: u32) -> RateLimit {
    RateLimit { burst: count.max(1), per_sec: f64::from(count.max(1)) / 3600.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_addresses_each_have_an_hourly_budget() {
        let limits = RoomCreationLimits { per_name_per_hour: 2, per_address_per_hour: 3 };
        let mut budget = RoomBudget::new(limits);
        let (home, school): (IpAddr, IpAddr) = ("192.168.1.5".parse().unwrap(), "10.0.0.1".parse().unwrap());
        let now = Instant::now();
        assert_eq!(budget.take("ann", Some(home), now), Ok(()));
        assert_eq!(budget.take("ANN", Some(school), now), Ok(()));
        assert_eq!(
            budget.take("Ann", Some(school), now),
            Err(Duration::from_secs(1800)),
            "ann's two are used"
        );
        assert_eq!(budget.take("ben", Some(home), now), Ok(()));
        assert_eq!(budget.take("dee", Some(home), now), Ok(()));
        assert!(budget.take("cat", Some(home), now).is_err(), "home has used its three");
        assert_eq!(budget.take("ann", Some(school), now + Duration::from_secs(1800)), Ok(()));
    }
}
