//! Limits that keep one client from hurting the others: a message rate per client, a rate
//! of costly requests per source address, and connection counts per source address and in
//! total.

mod addresses;
mod per_address;
mod rate;

pub use addresses::{ConnectionCounter, Refusal};
pub use per_address::AddressBuckets;
pub use rate::{RateLimit, TokenBucket, Verdict};
