//! QUIC (quinn) as the client core's [`ServerConnection`]: the connection and the endpoint
//! (UDP socket) it runs on, and moving a session to a new socket.

use std::time::Duration;

use super::commands::Commands;
use super::connection::ServerConnection;
use super::error::Disconnect;
use super::session::Connection;

/// The handle on one QUIC connection for sending commands (see [`Commands`] for them). Cheap
/// to clone; every clone drives the same connection.
pub type Client = Commands<Connection<Quic>>;

/// A QUIC connection (quinn) and the endpoint (UDP socket) it runs on.
#[derive(Clone)]
pub struct Quic {
    pub(super) endpoint: quinn::Endpoint,
    pub(super) connection: quinn::Connection,
}

impl ServerConnection for Quic {
    type Writer = quinn::SendStream;
    type Reader = quinn::RecvStream;

    async fn open_frames(&self) -> Result<(Self::Writer, Self::Reader), Disconnect> {
        self.connection.open_bi().await.map_err(|e| Disconnect::from_connection_error(&e))
    }

    async fn open_transfer(&self) -> Result<(Self::Writer, Self::Reader), Disconnect> {
        let (send, recv) =
            self.connection.open_bi().await.map_err(|e| Disconnect::from_connection_error(&e))?;
        // Chat goes first: a file on its way never holds up a message.
        let _ = send.set_priority(-1);
        Ok((send, recv))
    }

    async fn accept_stream(&self) -> Option<Self::Reader> {
        self.connection.accept_uni().await.ok()
    }

    fn close(&self, code: u32, reason: &[u8]) {
        self.connection.close(code.into(), reason);
    }

    async fn closed(&self) -> Disconnect {
        Disconnect::from_connection_error(&self.connection.closed().await)
    }

    fn close_reason(&self) -> Option<Disconnect> {
        self.connection.close_reason().map(|e| Disconnect::from_connection_error(&e))
    }

    async fn finish(writer: &mut Self::Writer, patience: Duration) {
        if writer.finish().is_ok() {
            let _ = tokio::time::timeout(patience, writer.stopped()).await;
        }
    }

    async fn wait_closed(&self, patience: Duration) {
        let _ = tokio::time::timeout(patience, self.endpoint.wait_idle()).await;
    }
}

impl Commands<Connection<Quic>> {
    /// Moves the session to a new UDP socket (a new local address, as when a phone switches
    /// networks): QUIC migrates the connection, and the session goes on without a reconnect.
    pub fn rebind(&self, socket: std::net::UdpSocket) -> std::io::Result<()> {
        self.link.connection().endpoint.rebind(socket)
    }

    /// The local address the session uses now.
    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.link.connection().endpoint.local_addr()
    }
}
