//! The web listener: HTTPS on TCP (by default the QUIC port's number), with the server's own
//! certificate. It serves the browser's page and the WebSocket that carries a browser's
//! session ([`socket`]); a plain-HTTP request on the same port is redirected to HTTPS.
//!
//! Every connection is bounded: connections per address and in all, the TLS handshake and
//! the request head each within [`HANDSHAKE_TIMEOUT`], request heads at most [`HEAD_LIMIT`],
//! no request bodies.

mod assets;
mod connection;
mod routes;
pub mod short_cert;
pub mod socket;
pub mod webtransport;

pub use connection::tls_config;

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anseo_shared::trust::Fingerprint;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::limits::ConnectionCounter;
use crate::shared::Shared;
use short_cert::ShortLivedCert;

/// How long a TLS handshake, or the head of a request, may take.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The most bytes a request head (request line and headers) may take.
pub const HEAD_LIMIT: usize = 16 * 1024;

/// The most headers a request may have.
pub const MAX_HEADERS: usize = 64;

/// HTTP connections one address may hold at once (a browser opens a few per page).
const CONNECTIONS_PER_ADDRESS: u32 = 64;

/// What the page is told of the server.
#[derive(Clone)]
pub struct Facts {
    /// The server certificate's fingerprint, to show.
    pub fingerprint: Fingerprint,
    /// Where the browser finds WebTransport, unless the server offers none.
    pub web_transport: Option<WebTransport>,
}

/// The server's WebTransport: its UDP port and the certificate it presents there.
#[derive(Clone)]
pub struct WebTransport {
    pub port: u16,
    pub cert: Arc<ShortLivedCert>,
}

/// What every web connection shares.
pub struct Web {
    pub shared: Arc<Shared>,
    pub facts: Facts,
    /// A browser silent this long is gone (pinged at a third of it).
    pub idle: Duration,
    /// Cancelled when the server stops.
    pub shutdown: CancellationToken,
    /// HTTP connections per address and in all.
    connections: Mutex<ConnectionCounter>,
    tls: TlsAcceptor,
    /// The browsers' sessions and HTTP connections, waited for at shutdown.
    tasks: TaskTracker,
}

/// The web listener, bound and ready to serve.
pub struct WebListener {
    listener: TcpListener,
    web: Arc<Web>,
}

impl WebListener {
    /// Binds `addr` (TCP) with the server's certificate (`tls`, from [`tls_config`]).
    pub fn bind(
        addr: SocketAddr,
        tls: Arc<rustls::ServerConfig>,
        facts: Facts,
        shared: Arc<Shared>,
        idle: Duration,
    ) -> io::Result<Self> {
        let listener = tcp_listener(addr)?;
        let max_total = shared.limits.max_total;
        let web = Web {
            shared,
            facts,
            idle,
            shutdown: CancellationToken::new(),
            connections: Mutex::new(ConnectionCounter::new(CONNECTIONS_PER_ADDRESS, max_total)),
            tls: TlsAcceptor::from(tls),
            tasks: TaskTracker::new(),
        };
        Ok(WebListener { listener, web: Arc::new(web) })
    }

    /// Where it listens.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts connections until the server stops (the returned handle stops it).
    pub fn serve(self) -> WebHandle {
        let web = self.web.clone();
        let accepting = tokio::spawn(accept(self.listener, self.web));
        WebHandle { web, accepting }
    }
}

/// A running web listener.
pub struct WebHandle {
    web: Arc<Web>,
    accepting: tokio::task::JoinHandle<()>,
}

impl WebHandle {
    /// Stops accepting, tells every browser the server is going away, and waits (up to
    /// `wait`) for their sessions to end.
    pub async fn shutdown(self, wait: Duration) {
        self.accepting.abort();
        self.web.shutdown.cancel();
        self.web.tasks.close();
        if tokio::time::timeout(wait, self.web.tasks.wait()).await.is_err() {
            tracing::warn!("some browsers did not end their sessions within {wait:?}");
        }
    }
}

/// The accept loop: one task per connection, within the connection caps.
async fn accept(listener: TcpListener, web: Arc<Web>) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors, say: wait rather than spin.
                tracing::warn!("web listener: {error}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let admitted = web.connections.lock().unwrap_or_else(|e| e.into_inner()).admit(peer.ip());
        if let Err(refusal) = admitted {
            tracing::info!("web connection from {peer} refused: {refusal}");
            continue;
        }
        let _ = stream.set_nodelay(true);
        let web_for_task = web.clone();
        web.tasks.spawn(async move {
            connection::serve(stream, peer, &web_for_task).await;
            web_for_task.connections.lock().unwrap_or_else(|e| e.into_inner()).release(peer.ip());
        });
    }
}

/// A TCP listener on `addr`; an IPv6 wildcard takes IPv4 too, and a restarted server may
/// bind while old connections linger.
fn tcp_listener(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if addr.is_ipv6() {
        socket.set_only_v6(false)?;
    }
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    TcpListener::from_std(socket.into())
}
