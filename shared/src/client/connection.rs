//! What the client core needs of a connection to the server, so that nothing above it names
//! QUIC: one ordered duplex stream of frames that the client opens, the streams the server
//! opens (presence), and closing with a code and a reason. [`Quic`] implements it natively,
//! the WebSocket (`websocket.rs`, and the browser's in `browser.rs`) too. [`Dial`] is how a
//! resilient session connects again over the same kind of connection.

use std::future::Future;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};

use super::commands::Commands;
use super::error::{ConnectError, Disconnect};
use super::login::{ConnectOptions, Connected};
use super::session::Connection;

/// A connection to the server, as the client core uses it.
pub trait ServerConnection: Send + Sync + 'static {
    /// The sending half of a stream.
    type Writer: AsyncWrite + Send + Unpin + 'static;
    /// The receiving half of a stream.
    type Reader: AsyncRead + Send + Unpin + 'static;

    /// Opens the stream the frames travel on, both ways and in order.
    fn open_frames(&self) -> impl Future<Output = Result<(Self::Writer, Self::Reader), Disconnect>> + Send;

    /// The next stream the server opens (presence); `None` once the connection is gone.
    fn accept_stream(&self) -> impl Future<Output = Option<Self::Reader>> + Send;

    /// Closes the connection, telling the server `code` and `reason`.
    fn close(&self, code: u32, reason: &[u8]);

    /// Waits until the connection has ended, then says why.
    fn closed(&self) -> impl Future<Output = Disconnect> + Send;

    /// Why the connection ended, if it has.
    fn close_reason(&self) -> Option<Disconnect>;

    /// Ends `writer` cleanly and waits, at most `patience`, until the server has every byte
    /// written to it, so nothing in flight is lost by closing next.
    fn finish(writer: &mut Self::Writer, patience: Duration) -> impl Future<Output = ()> + Send;

    /// Waits, at most `patience`, until the close has reached the server.
    fn wait_closed(&self, patience: Duration) -> impl Future<Output = ()> + Send;
}

/// Connecting and logging in over one kind of connection: what a resilient session calls to
/// connect again.
pub trait Dial: ServerConnection + Sized {
    /// Connects to `options.server`, verifies it, and logs in.
    fn dial(options: &ConnectOptions) -> impl Future<Output = Result<Connected<Self>, ConnectError>> + Send;

    /// After the machine's network changed, moves the session to the new network if this
    /// kind of connection can (QUIC migrates to a fresh socket); the others find out by
    /// timing out, and reconnect.
    fn follow_network_change(_session: &Commands<Connection<Self>>) {}
}

/// A QUIC connection (quinn) and the endpoint (UDP socket) it runs on.
#[cfg(feature = "client")]
#[derive(Clone)]
pub struct Quic {
    pub(super) endpoint: quinn::Endpoint,
    pub(super) connection: quinn::Connection,
}

#[cfg(feature = "client")]
impl Dial for Quic {
    fn dial(options: &ConnectOptions) -> impl Future<Output = Result<Connected<Self>, ConnectError>> + Send {
        super::connect::connect(options)
    }

    fn follow_network_change(session: &Commands<Connection<Self>>) {
        let any: std::net::SocketAddr = match session.local_addr() {
            Ok(addr) if addr.is_ipv6() => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
            _ => (std::net::Ipv4Addr::UNSPECIFIED, 0).into(),
        };
        match std::net::UdpSocket::bind(any).and_then(|socket| session.rebind(socket)) {
            Ok(()) => tracing::info!("moved the connection to the new network"),
            Err(error) => tracing::warn!(%error, "cannot move the connection to the new network"),
        }
    }
}

#[cfg(feature = "client")]
impl ServerConnection for Quic {
    type Writer = quinn::SendStream;
    type Reader = quinn::RecvStream;

    async fn open_frames(&self) -> Result<(Self::Writer, Self::Reader), Disconnect> {
        self.connection.open_bi().await.map_err(|e| Disconnect::from_connection_error(&e))
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
