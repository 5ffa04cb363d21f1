//! The server's web listener seen from a test: its address from the banner, a TLS stream to
//! it pinned to the server's certificate, a raw WebSocket (no client core) and a raw HTTP
//! request.

use std::time::Duration;

use anseo_shared::client::{ConnectOptions, Connected, WebSocket, connect_websocket};
use anseo_shared::protocol::WEBSOCKET_PATH;
use anseo_shared::transport::web_client_config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::WebSocketStream;

use super::{TestServer, WAIT};

/// A raw WebSocket to the server.
pub type RawSocket = WebSocketStream<TlsStream<TcpStream>>;

impl TestServer {
    /// `127.0.0.1:PORT` of the web listener, from the banner's "from a browser" line.
    pub fn web_addr(&self) -> String {
        let line = self.banner.iter().find_map(|line| line.split("from a browser: https://").nth(1));
        let line = line.unwrap_or_else(|| panic!("no web address in the banner: {:#?}", self.banner));
        line.trim_end_matches('/').to_string()
    }

    /// Logs in as `name` over a WebSocket, panicking with the reason if that fails.
    pub async fn login_web(&self, name: &str) -> Connected<WebSocket> {
        match connect_websocket(&ConnectOptions::new(self.web_addr(), name, self.trust())).await {
            Ok(connected) => connected,
            Err(e) => panic!("web login as {name} failed: {e}\nserver log:\n{}", self.log()),
        }
    }

    /// A TLS stream to the web listener, verified against the server's fingerprint.
    pub async fn tls(&self) -> TlsStream<TcpStream> {
        let tcp = TcpStream::connect(self.web_addr()).await.expect("connect to the web listener");
        let (config, _seen) = web_client_config(Some(self.fingerprint));
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        TlsConnector::from(config).connect(name, tcp).await.expect("TLS handshake with the web listener")
    }

    /// A WebSocket to the server that speaks only what the test sends.
    pub async fn raw_socket(&self) -> RawSocket {
        let url = format!("wss://{}{WEBSOCKET_PATH}", self.web_addr());
        let (socket, _) =
            tokio_tungstenite::client_async(url, self.tls().await).await.expect("WebSocket upgrade");
        socket
    }

    /// Sends `request` over HTTPS and returns the whole response (the server closes the
    /// connection after it: the request should say `Connection: close`).
    pub async fn https(&self, request: &str) -> String {
        read_response(self.tls().await, request).await
    }

    /// The server's facts (`/server.json`), as the page fetches them.
    pub async fn facts(&self) -> serde_json::Value {
        let response =
            self.https("GET /server.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await;
        let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {response}"))
    }

    /// Sends `request` over plain HTTP to the web port and returns the whole response.
    pub async fn plain_http(&self, request: &str) -> String {
        let tcp = TcpStream::connect(self.web_addr()).await.expect("connect to the web listener");
        read_response(tcp, request).await
    }
}

async fn read_response<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut stream: S,
    request: &str,
) -> String {
    // A server that refuses the request may close before it is all sent: what it answered
    // (if anything) is still read.
    let _ = stream.write_all(request.as_bytes()).await;
    let mut response = Vec::new();
    let read = tokio::time::timeout(WAIT, stream.read_to_end(&mut response)).await;
    assert!(read.is_ok(), "no complete response within {WAIT:?}: {}", String::from_utf8_lossy(&response));
    // (A reset after the answer ends the read with an error; what came before counts.)
    String::from_utf8_lossy(&response).into_owned()
}

/// How long `stream` stays open while the test sends nothing more, up to `limit`.
pub async fn open_for<S: tokio::io::AsyncRead + Unpin>(stream: &mut S, limit: Duration) -> Duration {
    let start = std::time::Instant::now();
    let mut buffer = [0u8; 1024];
    let _ =
        tokio::time::timeout(limit, async { while stream.read(&mut buffer).await.is_ok_and(|n| n > 0) {} })
            .await;
    start.elapsed()
}
