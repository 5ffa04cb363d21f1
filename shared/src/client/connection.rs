//! What the client core needs of a connection to the server, so that nothing above it names
//! QUIC: one ordered duplex stream of frames that the client opens, the streams the server
//! opens (presence), and closing with a code and a reason. QUIC (`quic.rs`) implements it
//! natively, a socket of messages (`message_pipe.rs`: a WebSocket, or in the browser
//! WebTransport) too.

use std::future::Future;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};

use super::error::Disconnect;

/// A connection to the server, as the client core uses it.
pub trait ServerConnection: Send + Sync + 'static {
    /// The sending half of a stream.
    type Writer: AsyncWrite + Send + Unpin + 'static;
    /// The receiving half of a stream.
    type Reader: AsyncRead + Send + Unpin + 'static;

    /// Opens the stream the frames travel on, both ways and in order.
    fn open_frames(&self) -> impl Future<Output = Result<(Self::Writer, Self::Reader), Disconnect>> + Send;

    /// Opens a stream of its own for one transfer (a file up or down), beside the frames.
    fn open_transfer(&self) -> impl Future<Output = Result<(Self::Writer, Self::Reader), Disconnect>> + Send;

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
