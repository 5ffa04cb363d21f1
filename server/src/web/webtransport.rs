//! A browser's WebTransport session as a [`ClientConnection`]: HTTP/3 on the server's own
//! QUIC endpoint (ALPN `h3` beside `anseo/1`), and inside it the same two streams a native
//! client has (the duplex stream the client opens, presence on one the server opens),
//! carrying the same frames. The session and the hub cannot tell it from a native client.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use anseo_shared::protocol::{WEBTRANSPORT_PATH, close_code};
use bytes::Bytes;
use web_transport_quinn::http::StatusCode;
use web_transport_quinn::{Request, SendStream, Session};

use crate::link::{ClientConnection, ClientLink, FrameSink, Progress};
use crate::session;
use crate::shared::Shared;

/// Whether `connection` chose HTTP/3 (a browser's WebTransport) in its handshake.
pub fn is_http3(connection: &quinn::Connection) -> bool {
    connection
        .handshake_data()
        .and_then(|data| data.downcast::<quinn::crypto::rustls::HandshakeData>().ok())
        .and_then(|data| data.protocol)
        .is_some_and(|protocol| protocol == super::short_cert::H3)
}

/// Serves a connection that chose HTTP/3 and that admission counted: its WebTransport
/// session on [`WEBTRANSPORT_PATH`], within the hello timeout, then the chat session.
pub async fn serve(connection: quinn::Connection, shared: &Arc<Shared>) {
    let peer = connection.remote_address();
    let wait = shared.settings.hello_timeout;
    let request = match tokio::time::timeout(wait, Request::accept(connection.clone())).await {
        Ok(Ok(request)) => request,
        Ok(Err(error)) => {
            tracing::info!("WebTransport from {peer} failed: {error}");
            return connection.close(close_code::PROTOCOL.into(), b"not a WebTransport session");
        }
        Err(_) => {
            tracing::info!("WebTransport from {peer}: no session within {wait:?}");
            return connection.close(close_code::PROTOCOL.into(), b"no WebTransport session in time");
        }
    };
    if request.url.path() != WEBTRANSPORT_PATH {
        let _ = request.reject(StatusCode::NOT_FOUND).await;
        return;
    }
    match request.ok().await {
        Ok(session) => session::serve_admitted(WebTransportLink(session), shared).await,
        Err(error) => tracing::info!("WebTransport from {peer} failed: {error}"),
    }
}

/// A browser's WebTransport session.
#[derive(Clone)]
pub struct WebTransportLink(Session);

impl ClientLink for WebTransportLink {
    fn close(&self, code: u32, reason: &str) {
        self.0.close(code, reason.as_bytes());
    }

    fn peer(&self) -> SocketAddr {
        self.0.remote_address()
    }

    fn transport(&self) -> &'static str {
        "WebTransport"
    }

    fn progress(&self) -> Option<Progress> {
        Some(crate::link::progress(&quinn::Connection::stats(&self.0)))
    }
}

impl FrameSink for SendStream {
    async fn write_chunk(&mut self, chunk: Bytes) -> io::Result<()> {
        SendStream::write_chunk(self, chunk).await.map_err(io::Error::other)
    }

    fn finish(&mut self) {
        let _ = SendStream::finish(self);
    }

    async fn delivered(&mut self) {
        let _ = self.stopped().await;
    }
}

impl ClientConnection for WebTransportLink {
    type Sink = SendStream;
    type Source = web_transport_quinn::RecvStream;

    async fn accept_duplex(&self) -> io::Result<(Self::Sink, Self::Source)> {
        self.0.accept_bi().await.map_err(io::Error::other)
    }

    async fn open_sink(&self) -> io::Result<Self::Sink> {
        self.0.open_uni().await.map_err(io::Error::other)
    }

    fn is_closed(&self) -> bool {
        self.0.close_reason().is_some()
    }

    /// The session's CONNECT request and the chat stream, and the transfers beside them.
    fn allow_transfers(&self, uploads: u32) {
        self.0.set_max_concurrent_bi_streams((2 + uploads).into());
    }

    /// A transfer is a bidirectional stream the page opens after the chat stream, as over QUIC.
    async fn accept_transfer(&self) -> io::Result<(Self::Sink, Self::Source)> {
        self.0.accept_bi().await.map_err(io::Error::other)
    }
}
