//! Counting connections per source address, to refuse one address hogging the server (a
//! classroom behind one NAT shares an address, so the default is generous).

use std::collections::HashMap;
use std::net::IpAddr;

/// Open connections by source address, with a cap per address and in total.
#[derive(Debug)]
pub struct ConnectionCounter {
    per_address: HashMap<IpAddr, u32>,
    total: u32,
    max_per_address: u32,
    max_total: u32,
}

/// Why a new connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    TooManyFromAddress { limit: u32 },
    TooManyInTotal { limit: u32 },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::TooManyFromAddress { limit } => {
                write!(f, "too many connections from your address (limit {limit})")
            }
            Refusal::TooManyInTotal { limit } => write!(f, "the server is full ({limit} connections)"),
        }
    }
}

impl ConnectionCounter {
    pub fn new(max_per_address: u32, max_total: u32) -> Self {
        ConnectionCounter { per_address: HashMap::new(), total: 0, max_per_address, max_total }
    }

    /// Counts a new connection from `address`, or says why it is refused.
    pub fn admit(&mut self, address: IpAddr) -> Result<(), Refusal> {
        if self.total >= self.max_total {
            return Err(Refusal::TooManyInTotal { limit: self.max_total });
        }
        let count = self.per_address.entry(address).or_default();
        if *count >= self.max_per_address {
            return Err(Refusal::TooManyFromAddress { limit: self.max_per_address });
        }
        *count += 1;
        self.total += 1;
        Ok(())
    }

    /// Forgets a connection from `address` that `admit` counted.
    pub fn release(&mut self, address: IpAddr) {
        if let Some(count) = self.per_address.get_mut(&address) {
            *count -= 1;
            self.total -= 1;
            if *count == 0 {
                self.per_address.remove(&address);
            }
        }
    }

    /// Connections open now.
    pub fn total(&self) -> u32 {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_address_and_in_total() {
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let c: IpAddr = "10.0.0.3".parse().unwrap();
        let mut counter = ConnectionCounter::new(2, 3);
        assert_eq!(counter.admit(a), Ok(()));
        assert_eq!(counter.admit(a), Ok(()));
        assert_eq!(counter.admit(a), Err(Refusal::TooManyFromAddress { limit: 2 }));
        assert_eq!(counter.admit(b), Ok(()));
        assert_eq!(counter.admit(c), Err(Refusal::TooManyInTotal { limit: 3 }));
        counter.release(a);
        assert_eq!(counter.total(), 2);
        assert_eq!(counter.admit(c), Ok(()));
        assert_eq!(counter.admit(a), Err(Refusal::TooManyInTotal { limit: 3 }));
    }

    #[test]
    fn releasing_an_unknown_address_changes_nothing() {
        let mut counter = ConnectionCounter::new(1, 1);
        counter.release("10.0.0.9".parse().unwrap());
        assert_eq!(counter.total(), 0);
        assert_eq!(counter.admit("10.0.0.9".parse().unwrap()), Ok(()));
    }
}
