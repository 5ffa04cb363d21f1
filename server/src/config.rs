//! What the server is told at startup, gathered in one struct ([`Config`]) so `run` needs no
//! flags or globals.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::cert::CertSource;
use crate::hub::HubLimits;
use crate::limits::{BudgetLimits, RateLimit};
use crate::outbox::OutboxLimits;

/// Everything `run` needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The UDP address to bind; a wildcard IPv6 address takes IPv4 too.
    pub listen: SocketAddr,
    /// Where the web client is served.
    pub web: WebListen,
    pub cert: CertSource,
    pub hub: HubLimits,
    pub session: SessionSettings,
    /// A connection silent for this long is dropped (QUIC idle timeout; keep-alives are sent
    /// at a third of it).
    pub idle_timeout: Duration,
    pub connections: ConnectionLimits,
    /// Only claimed names may log in.
    pub require_accounts: bool,
    /// The server's admins (`--admin`), normalised names.
    pub admins: Vec<String>,
    /// The folder of the message store; `None` keeps everything in memory.
    pub store: Option<PathBuf>,
    /// How much the server takes of people's files.
    pub files: FileLimits,
    /// The name to announce on the local network; `None` announces nothing.
    pub discovery: Option<String>,
}

/// How much the server takes of people's files (attachments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimits {
    /// The largest file, in bytes.
    pub max_file: u64,
    /// All files together, in bytes.
    pub max_storage: u64,
    /// Uploads one connection may have in progress at once.
    pub uploads_per_client: usize,
}

/// Where the web client (HTTPS and its WebSocket) listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebListen {
    /// No web client.
    Off,
    /// TCP on the QUIC listener's address and port.
    SamePort,
    /// TCP on this address.
    At(SocketAddr),
}

/// How many connections the server takes, and when it asks new ones to prove their address.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max_total: u32,
    pub max_per_address: u32,
    /// Above this many handshakes in progress, unvalidated clients get a QUIC retry first.
    pub retry_above_handshakes: usize,
}

/// Per-connection settings.
#[derive(Debug, Clone, Copy)]
pub struct SessionSettings {
    /// How long a new connection may take to send Hello.
    pub hello_timeout: Duration,
    /// The bounds of each client's outgoing queues.
    pub outbox: OutboxLimits,
    /// How fast one client may send chat messages, joins, leaves and renames (the rate the
    /// Welcome announces).
    pub rate: RateLimit,
    /// How fast one client may send everything else: lists, history requests, passwords and
    /// frames the server cannot decode.
    pub requests: RateLimit,
    /// How fast one address may log in.
    pub logins: RateLimit,
    /// How fast one client may change whiteboards.
    pub board: RateLimit,
    /// Commands refused in a row (of one budget) after which a client is disconnected for
    /// flooding.
    pub abuse_after: u32,
}

impl SessionSettings {
    /// The budgets every session is held to.
    pub fn budgets(&self) -> BudgetLimits {
        BudgetLimits { messages: self.rate, requests: self.requests, logins: self.logins, board: self.board }
    }
}
