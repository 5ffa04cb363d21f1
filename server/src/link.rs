//! What the sessions, the hub, the outboxes and the presence writers need of a client's
//! connection, whatever carries it: a way to close it with a reason ([`ClientLink`]), streams
//! to write frames to ([`FrameSink`]), and the streams a session opens and accepts
//! ([`ClientConnection`]). QUIC (quinn) implements them here and the WebSocket in
//! [`web::socket`](crate::web); nothing above this module names either, so every transport
//! serves clients through the same session and hub.

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use bytes::Bytes;
use tokio::io::AsyncRead;

/// The reason every client sees when the server stops, whatever carries it.
pub const SHUTDOWN_REASON: &str = "server shutting down";

/// A client's connection, as the server's queues see it.
pub trait ClientLink: Send + Sync + 'static {
    /// Closes the connection with an application `code` and a `reason` the client can read.
    fn close(&self, code: u32, reason: &str);
    /// Where the client connects from, for the log.
    fn peer(&self) -> SocketAddr;
    /// What carries the connection, for the log: "QUIC", "WebTransport" or "WebSocket".
    fn transport(&self) -> &'static str;
    /// How far the client has taken data in so far (QUIC's flow-control credit, and the stream
    /// data that went out to it), to tell a client that stopped reading ([`crate::stall`]).
    /// `None` where the transport does not say.
    fn progress(&self) -> Option<Progress> {
        None
    }
}

/// How far a client has taken data in, as its transport counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Times it raised its receive limits (QUIC MAX_DATA and MAX_STREAM_DATA frames): it read.
    pub credit: u64,
    /// Stream data sent to it (QUIC STREAM frames, first sends and resends): what the server
    /// holds for it is still going out, as its acknowledgements open the congestion window.
    pub sent: u64,
}

/// One ordered stream of bytes to a client.
pub trait FrameSink: Send + 'static {
    /// Writes `chunk` whole, waiting while the client has no room for it.
    fn write_chunk(&mut self, chunk: Bytes) -> impl Future<Output = io::Result<()>> + Send;
    /// Ends the stream once what was written has been sent.
    fn finish(&mut self);
    /// Waits until the client has everything written so far (or is gone).
    fn delivered(&mut self) -> impl Future<Output = ()> + Send;
    /// Lets the connection's other streams go first: for transfers, so a file in flight
    /// never holds up a chat message. Nothing, where streams share no scheduler.
    fn yield_to_chat(&mut self) {}
}

/// A client's connection as its session serves it: the one duplex stream the client opens
/// first, and the stream the server opens for presence.
pub trait ClientConnection: ClientLink + Clone {
    type Sink: FrameSink;
    type Source: AsyncRead + Unpin + Send + 'static;
    /// Waits for the client's duplex stream: its commands in, replies and chat out.
    fn accept_duplex(&self) -> impl Future<Output = io::Result<(Self::Sink, Self::Source)>> + Send;
    /// Opens the stream that carries presence to the client.
    fn open_sink(&self) -> impl Future<Output = io::Result<Self::Sink>> + Send;
    /// Whether the connection is closed (by either side).
    fn is_closed(&self) -> bool;
    /// Lets the client open `uploads` transfer streams beside its chat stream at once.
    fn allow_transfers(&self, uploads: u32);
    /// Waits for the next transfer stream the client opens; never, where transfers are not
    /// carried.
    fn accept_transfer(&self) -> impl Future<Output = io::Result<(Self::Sink, Self::Source)>> + Send;
}

impl ClientLink for quinn::Connection {
    fn close(&self, code: u32, reason: &str) {
        quinn::Connection::close(self, code.into(), reason.as_bytes());
    }

    fn peer(&self) -> SocketAddr {
        self.remote_address()
    }

    fn transport(&self) -> &'static str {
        "QUIC"
    }

    fn progress(&self) -> Option<Progress> {
        Some(progress(&self.stats()))
    }
}

/// How far a QUIC peer has taken data in so far.
pub fn progress(stats: &quinn::ConnectionStats) -> Progress {
    let received = &stats.frame_rx;
    Progress { credit: received.max_data + received.max_stream_data, sent: stats.frame_tx.stream }
}

impl FrameSink for quinn::SendStream {
    async fn write_chunk(&mut self, chunk: Bytes) -> io::Result<()> {
        quinn::SendStream::write_chunk(self, chunk).await.map_err(io::Error::other)
    }

    fn finish(&mut self) {
        let _ = quinn::SendStream::finish(self);
    }

    async fn delivered(&mut self) {
        let _ = self.stopped().await;
    }

    fn yield_to_chat(&mut self) {
        let _ = self.set_priority(-1);
    }
}

impl ClientConnection for quinn::Connection {
    type Sink = quinn::SendStream;
    type Source = quinn::RecvStream;

    async fn accept_duplex(&self) -> io::Result<(Self::Sink, Self::Source)> {
        self.accept_bi().await.map_err(io::Error::other)
    }

    async fn open_sink(&self) -> io::Result<Self::Sink> {
        self.open_uni().await.map_err(io::Error::other)
    }

    fn is_closed(&self) -> bool {
        self.close_reason().is_some()
    }

    fn allow_transfers(&self, uploads: u32) {
        self.set_max_concurrent_bi_streams((1 + uploads).into());
    }

    async fn accept_transfer(&self) -> io::Result<(Self::Sink, Self::Source)> {
        self.accept_bi().await.map_err(io::Error::other)
    }
}
