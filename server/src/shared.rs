//! What every connection's session shares: the hub, the settings, and the counters and
//! budgets that span connections. Its own module, so the endpoint (which makes it) and the
//! sessions (which use it) both depend on it, not on each other.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize};

use crate::config::{ConnectionLimits, FileLimits, SessionSettings};
use crate::hub::Hub;
use crate::limits::{Budgets, ConnectionCounter};

/// What every session shares.
pub struct Shared {
    pub hub: Hub,
    pub settings: SessionSettings,
    /// Connections open now (logged in or not), for the log.
    pub connections: AtomicUsize,
    /// Connections counted per source address and in total, against the limits. Only held
    /// for a counter update, never across an `.await`.
    pub admission: Mutex<ConnectionCounter>,
    /// Handshakes started and not yet finished.
    pub handshakes: AtomicUsize,
    pub limits: ConnectionLimits,
    /// Message and request budgets kept between a user's connections, and login budgets per
    /// address. Only held for a lookup or an update, never across an `.await`.
    pub budgets: Mutex<Budgets>,
    /// QUIC retries sent so far, so the log reports them without a line per packet.
    pub retries: AtomicU64,
    pub files: FileLimits,
    /// Turns for transfers across all connections ([`crate::transfer::MAX_TRANSFERS`]).
    pub transfer_slots: tokio::sync::Semaphore,
}
