//! Limits that keep one client from hurting the others: a message rate per client and
//! connection counts per source address and in total.

mod addresses;

pub use addresses::{ConnectionCounter, Refusal};
pub use anseo_shared::rate::{RateLimit, TokenBucket, Verdict};
