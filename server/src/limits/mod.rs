//! Limits that keep one client from hurting the others: per-client budgets for messages and
//! for other requests (kept across reconnects), logins per address, a rate of costly requests
//! (claims, password changes) per source address, and connection counts per source address
//! and in total.

mod addresses;
mod budget;
mod budgets;
mod per_address;

pub use addresses::{ConnectionCounter, Refusal};
pub use anseo_shared::rate::{RateLimit, TokenBucket, Verdict};
pub use budget::Budget;
pub use budgets::{BudgetLimits, Budgets, Kind, SessionBudgets};
pub use per_address::{AddressBuckets, KeyedBuckets};
