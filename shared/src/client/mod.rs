//! The client core: connect to a server and call one method per command. The terminal
//! client, the app, the tests and the load generator all go through here; none of them
//! touches the wire format.
//!
//! Two ways to hold a session:
//! - [`connect_resilient`] gives a [`Resilient`] session and a stream of [`ChatEvent`]s, the
//!   core's own events: reconnecting, catching up, confirmations and refusals are handled, and
//!   every message comes once, in order. Applications use this. Its heart is `reconcile.rs`,
//!   a pure state machine (frames and time in, frames and events out) in the style of
//!   quinn-proto; `resume.rs` is the IO shell around it.
//! - [`connect`] gives the raw [`Client`] and the connection's frames as [`Event`]s: the
//!   wire-level tool for tests and the load generator.
//!
//! Below both, a session needs only a [`ServerConnection`]: one ordered duplex stream of
//! frames plus the streams the server opens. QUIC ([`Quic`]) is the one today; only
//! connecting and moving to a new socket name it.
//!
//! Connecting verifies the server's certificate by fingerprint ([`Trust`]) before anything
//! else is exchanged. An unknown server is refused with [`ConnectError::UnknownServer`],
//! carrying the fingerprint, so the caller can ask a person and, on a yes, remember it in the
//! known-servers file and connect again.

#[cfg(feature = "web")]
mod browser;
#[cfg(feature = "web")]
mod browser_webtransport;
mod carried;
mod chat_event;
mod commands;
#[cfg(feature = "client")]
mod connect;
mod connection;
mod dial;
#[cfg(feature = "client")]
mod discover;
mod error;
mod login;
#[cfg(any(feature = "websocket", feature = "web"))]
mod message_pipe;
mod moderation_line;
mod network;
mod outbox;
#[cfg(feature = "client")]
mod quic;
mod reconcile;
mod resume;
pub mod rt;
mod session;
#[cfg(feature = "media")]
mod share;
mod transfer;
#[cfg(feature = "websocket")]
mod websocket_native;

pub use carried::{Carried, CarriedSend};
pub use chat_event::{Addressee, ChatEvent, Presence, PresenceChange};
pub use commands::Commands;
#[cfg(feature = "client")]
pub use connect::{client_endpoint, connect, connect_on};
pub use connection::ServerConnection;
pub use dial::Dial;
#[cfg(feature = "client")]
pub use discover::{Found, discover};
pub use error::{ClientError, ConnectError, Disconnect, GaveUp, GaveUpKind};
pub use login::{ConnectOptions, LoggedIn, Trust};
#[cfg(any(feature = "websocket", feature = "web"))]
pub use message_pipe::MessagePipe;
pub use moderation_line::parse_moderation;
#[cfg(feature = "client")]
pub use quic::{Client, Quic};
#[cfg(feature = "client")]
pub use resume::connect_resilient;
pub use resume::{Resilient, ResumeOptions, connect_resilient_carrying, connect_resilient_over};
pub use session::{Connection, Event};
#[cfg(feature = "media")]
pub use share::Shared;
#[cfg(all(feature = "client", feature = "media"))]
pub use share::{Prepared, prepare};
#[cfg(feature = "client")]
pub use transfer::{DiskFile, PartFile};
pub use transfer::{
    DownloadSink, Downloaded, TransferError, TransferStream, Transfers, UploadSource, Uploaded, hash_source,
    partial_path, unique_path,
};
#[cfg(feature = "web")]
pub use transfer::{PageFile, PageMemory};
#[cfg(feature = "websocket")]
pub use websocket_native::connect_websocket;

/// A native client's connection over the server's WebSocket (where UDP is blocked; the
/// tests' stand-in for a browser).
#[cfg(feature = "websocket")]
pub type WebSocket = MessagePipe;

/// The connection a client on this platform uses unless told otherwise: QUIC natively; in
/// the browser, the page's WebTransport, or its WebSocket where that is not to be had.
#[cfg(feature = "client")]
pub type PlatformConnection = Quic;
#[cfg(not(feature = "client"))]
pub type PlatformConnection = MessagePipe;

/// A logged-in session (see [`LoggedIn`]), over the platform's connection unless told
/// otherwise.
pub type Connected<C = PlatformConnection> = LoggedIn<C>;
