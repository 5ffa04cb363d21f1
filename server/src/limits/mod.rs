//! Limits that keep one client from hurting the others: a message rate per client and
//! connection counts per source address and in total.

mod addresses;
mod rate;

pub use addresses::{ConnectionCounter, Refusal};
pub use rate::{RateLimit, TokenBucket, Verdict};
