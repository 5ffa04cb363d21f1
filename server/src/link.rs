//! What the hub, the outboxes and the presence writers need of a client's connection, whatever
//! carries it: a way to close it with a reason ([`ClientLink`]) and streams to write frames
//! to ([`FrameSink`]). QUIC (quinn) implements both here; nothing above this module names
//! quinn, so another transport (WebTransport, WebSocket) can serve clients through the same
//! hub.

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use bytes::Bytes;

/// A client's connection, as the server's queues see it.
pub trait ClientLink: Send + Sync + 'static {
    /// Closes the connection with an application `code` and a `reason` the client can read.
    fn close(&self, code: u32, reason: &str);
    /// Where the client connects from, for the log.
    fn peer(&self) -> SocketAddr;
}

/// One ordered stream of bytes to a client.
pub trait FrameSink: Send + 'static {
    /// Writes `chunk` whole, waiting while the client has no room for it.
    fn write_chunk(&mut self, chunk: Bytes) -> impl Future<Output = io::Result<()>> + Send;
    /// Ends the stream once what was written has been sent.
    fn finish(&mut self);
}

impl ClientLink for quinn::Connection {
    fn close(&self, code: u32, reason: &str) {
        quinn::Connection::close(self, code.into(), reason.as_bytes());
    }

    fn peer(&self) -> SocketAddr {
        self.remote_address()
    }
}

impl FrameSink for quinn::SendStream {
    async fn write_chunk(&mut self, chunk: Bytes) -> io::Result<()> {
        quinn::SendStream::write_chunk(self, chunk).await.map_err(io::Error::other)
    }

    fn finish(&mut self) {
        let _ = quinn::SendStream::finish(self);
    }
}
