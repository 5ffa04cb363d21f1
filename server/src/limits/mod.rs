//! Limits that keep one client from hurting the others: a message rate per client, a rate
//! of costly requests per source address, and connection counts per source address and in
//! total.

mod addresses;
mod per_address;

pub use addresses::{ConnectionCounter, Refusal};
pub use anseo_shared::rate::{RateLimit, TokenBucket, Verdict};
pub use per_address::{AddressBuckets, KeyedBuckets};
