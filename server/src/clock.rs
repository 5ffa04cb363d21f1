//! The server's clock for stamps: milliseconds since the Unix epoch. One place, so the hub,
//! the store and the accounts all read time the same way, and none of them has to reach into
//! another for it.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (0 if the system clock is before it).
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}
