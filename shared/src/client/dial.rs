//! [`Dial`]: connecting and logging in over one kind of connection, which a resilient session
//! calls to connect again. QUIC implements it in `connect.rs`, the WebSocket in
//! `websocket_native.rs` and `browser.rs`.

use std::future::Future;

use super::commands::Commands;
use super::connection::ServerConnection;
use super::error::ConnectError;
use super::login::{ConnectOptions, LoggedIn};
use super::session::Connection;

/// Connecting and logging in over one kind of connection: what a resilient session calls to
/// connect again.
pub trait Dial: ServerConnection + Sized {
    /// Connects to `options.server`, verifies it, and logs in.
    fn dial(options: &ConnectOptions) -> impl Future<Output = Result<LoggedIn<Self>, ConnectError>> + Send;

    /// After the machine's network changed, moves the session to the new network if this
    /// kind of connection can (QUIC migrates to a fresh socket); the others find out by
    /// timing out, and reconnect.
    fn follow_network_change(_session: &Commands<Connection<Self>>) {}
}
