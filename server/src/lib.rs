//! `anseo-server`: the Anseo chat server.
//!
//! One QUIC endpoint; per connection, one session task reading the client's bidirectional
//! stream and two writer tasks: chat, draining the client's bounded outbox, and presence,
//! reading the one presence feed everyone shares. All shared state
//! — users, rooms, counters — lives in the [`hub`](crate::hub) behind one std mutex that is
//! never held across an `.await`.
//!
//! # Layout
//! - [`args`]: the command line, turned into a [`Config`].
//! - [`config`]: [`Config`], everything [`run`] needs.
//! - [`cert`]: load, or generate and keep, the certificate; its fingerprint.
//! - [`banner`]: the startup banner (addresses, fingerprint, how to connect).
//! - [`discovery`]: announcing the server on the local network (DNS-SD over mDNS).
//! - [`invite`]: invite links (address and fingerprint in one) and their QR codes.
//! - [`server`]: bind, accept, shut down: [`run`].
//! - [`quic`]: one incoming QUIC connection: admission, handshake, then its session.
//! - [`link`]: what the session needs of a client's connection, whatever carries it.
//! - [`session`]: one connection: Hello, login, the command loop, logout.
//! - [`web`]: the HTTPS listener (the web client's page and WebSocket) and browsers'
//!   WebTransport on the QUIC endpoint.
//! - [`inbound`]: decoding client frames, tolerating undecodable ones.
//! - [`hub`]: users, rooms and counters; login and logout.
//! - [`cmd`]: one module per command, dispatched from [`cmd::Command`].
//! - [`outbox`]: bounded per-client queues and the writer tasks that drain them in batches.
//! - [`presence`]: the presence feed, encoded once for everyone, and each client's writer.
//! - [`limits`]: the per-client message rate and connection counting.
//! - [`store`]: SQLite persistence of rooms and messages, written by one group-commit thread.
//! - [`accounts`]: claimed names: passwords (argon2id), login tokens, slowing down guessing.
//! - [`history`]: pages of a room's history, read beside the writer and sent to a client.
//! - [`blobs`]: attachments' bytes by their BLAKE3 hash, uploads kept as they come and
//!   stored only once complete and verified.
//! - [`transfer`]: a client's transfer streams (uploads), beside its chat stream.

pub mod accounts;
pub mod args;
pub mod banner;
pub mod blobs;
pub mod cert;
pub mod clock;
pub mod cmd;
pub mod config;
pub mod discovery;
pub mod history;
pub mod hub;
pub mod inbound;
pub mod invite;
pub mod limits;
pub mod link;
pub mod outbox;
pub mod presence;
pub mod quic;
pub mod server;
pub mod session;
pub mod shared;
pub mod stall;
pub mod store;
pub mod transfer;
pub mod web;

pub use config::Config;
pub use server::{ServerError, run};
