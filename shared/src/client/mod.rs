//! The client core: connect to a server, get a stream of typed [`Event`]s, and call one method
//! per command on [`Client`]. The terminal client, the app, the tests and the load generator
//! all go through here; none of them touches the wire format.
//!
//! Connecting verifies the server's certificate by fingerprint ([`Trust`]) before anything
//! else is exchanged. An unknown server is refused with [`ConnectError::UnknownServer`],
//! carrying the fingerprint, so the caller can ask a person and, on a yes, remember it in the
//! known-servers file and connect again.

mod connect;
mod error;
mod network;
mod outbox;
mod resume;
mod session;

pub use connect::{ConnectOptions, Connected, Trust, client_endpoint, connect, connect_on};
pub use error::{ClientError, ConnectError, Disconnect, GaveUp, GaveUpKind};
pub use resume::{Resilient, ResumeOptions, connect_resilient};
pub use session::{Client, Event};
