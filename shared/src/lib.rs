//! Everything an Anseo client and server agree on, plus the client core.
//!
//! # Layout
//! - [`protocol`]: the wire protocol as pure types: messages, framing, validation and limits.
//!   It knows nothing of sockets; both sides encode and decode through it.
//! - [`board`]: a room's whiteboard as a value: the rules for changing it, and its SVG.
//! - [`trust`]: certificate fingerprints, the pinning verifier and the known-servers file.
//! - [`transport`]: the QUIC transport settings both ends use (ALPN, keep-alive, windows).
//! - [`client`]: the client core — connect, a stream of typed events, one method per command.
//!   The terminal client, the app, the tests and the load generator all use it.
//! - [`files`]: writing a file whole or not at all, owner-only when it holds a secret.
//! - [`rate`]: the token bucket behind the send rate: the server enforces it per client, the
//!   client core paces itself by the same bucket so it is never refused.

/// A room's whiteboard as a value, the same on the server and every client.
pub mod board;
#[cfg(feature = "core")]
pub mod client;
#[cfg(feature = "client")]
pub mod files;
/// Getting a file ready to send: its media type, a picture's hidden details removed, a preview.
#[cfg(feature = "media")]
pub mod media;
pub mod protocol;
pub mod rate;
#[cfg(feature = "client")]
pub mod transport;
#[cfg(feature = "core")]
pub mod trust;
