//! One TCP connection to the web listener: TLS with the server's certificate (a plain-HTTP
//! request is answered with a redirect to HTTPS), then HTTP/1.1 with bounded request heads
//! and a timeout on each.

use std::net::SocketAddr;
use std::sync::Arc;

use anseo_shared::transport::server_tls;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::{HANDSHAKE_TIMEOUT, HEAD_LIMIT, MAX_HEADERS, Web, routes};

/// The first byte of a TLS handshake record.
const TLS_HANDSHAKE: u8 = 0x16;

/// TLS for HTTPS: the QUIC listener's certificate, HTTP/1.1 only.
pub fn tls_config(native: Arc<CertifiedKey>) -> Result<Arc<rustls::ServerConfig>, rustls::Error> {
    let certs = Arc::new(SingleCertAndKey::from(native));
    server_tls(certs, rustls::DEFAULT_VERSIONS, &[b"http/1.1"]).map(Arc::new)
}

/// Serves one connection to its end.
pub async fn serve(stream: TcpStream, peer: SocketAddr, web: &Arc<Web>) {
    let mut first = [0u8; 1];
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, stream.peek(&mut first)).await {
        Ok(Ok(1)) => {}
        _ => return,
    }
    if first[0] != TLS_HANDSHAKE {
        return serve_http(stream, routes::redirect()).await;
    }
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, web.tls.accept(stream)).await {
        Ok(Ok(tls)) => serve_http(tls, routes::router(web.clone(), peer)).await,
        Ok(Err(error)) => tracing::debug!("TLS handshake with {peer} failed: {error}"),
        Err(_elapsed) => tracing::debug!("TLS handshake with {peer} took too long"),
    }
}

/// HTTP/1.1 on `io` with `router`, keeping WebSocket upgrades.
async fn serve_http<I>(io: I, router: axum::Router)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HANDSHAKE_TIMEOUT)
        .max_buf_size(HEAD_LIMIT)
        .max_headers(MAX_HEADERS);
    let served = http.serve_connection(TokioIo::new(io), TowerToHyperService::new(router)).with_upgrades();
    if let Err(error) = served.await {
        tracing::debug!("web connection: {error}");
    }
}
