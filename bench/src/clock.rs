//! One monotonic clock for the whole process: nanoseconds since the first call. Senders put
//! this time in the payload and receivers subtract it from theirs; both run in this process,
//! so no clock synchronisation is involved.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Nanoseconds since the process's clock epoch.
pub fn now_ns() -> u64 {
    epoch().elapsed().as_nanos() as u64
}

/// The tokio instant for a clock reading, for `sleep_until`.
pub fn instant_at(ns: u64) -> tokio::time::Instant {
    tokio::time::Instant::from_std(epoch() + Duration::from_nanos(ns))
}

/// Sleeps until the clock reads `ns`.
pub async fn sleep_until(ns: u64) {
    tokio::time::sleep_until(instant_at(ns)).await;
}

/// Seconds as clock nanoseconds.
pub fn secs(s: f64) -> u64 {
    (s * 1e9) as u64
}
