//! The WebSocket transport for native clients: TCP, TLS verified by fingerprint as for QUIC,
//! then tungstenite's WebSocket as the [`MessageSocket`] of `message_pipe.rs`.

use std::future::Future;
use std::net::SocketAddr;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};

use super::connect::{expected_fingerprint, handshake_refusal, resolve, tls_server_name};
use super::dial::Dial;
use super::error::ConnectError;
use super::login::{ConnectOptions, LoggedIn, log_in};
use super::message_pipe::{MessagePipe, MessageSocket, Received};
use super::rt::{self, timeout_at};
use crate::protocol::MAX_SERVER_FRAME_LEN;
use crate::protocol::WEBSOCKET_PATH;
use crate::transport::web_client_config;

impl Dial for MessagePipe {
    fn dial(options: &ConnectOptions) -> impl Future<Output = Result<LoggedIn<Self>, ConnectError>> + Send {
        connect_websocket(options)
    }
}

/// Connects to the server's web listener (`options.server` is its `HOST:PORT`), verifies
/// its certificate by fingerprint, opens the WebSocket and logs in.
pub async fn connect_websocket(options: &ConnectOptions) -> Result<LoggedIn<MessagePipe>, ConnectError> {
    let deadline = rt::now() + options.timeout;
    let server = options.server.trim().to_string();
    let address = resolve(&server, deadline, options.timeout).await?;
    let expected = expected_fingerprint(&options.trust, &server)?;
    let unreachable =
        || ConnectError::Unreachable { server: server.clone(), secs: options.timeout.as_secs() };
    let failed = |reason: String| ConnectError::Failed { server: server.clone(), reason };
    let tcp = match timeout_at(deadline, TcpStream::connect(address)).await {
        Err(_elapsed) => return Err(unreachable()),
        Ok(Err(error)) => return Err(failed(error.to_string())),
        Ok(Ok(tcp)) => tcp,
    };
    let _ = tcp.set_nodelay(true);
    let (tls, seen) = web_client_config(expected);
    let name = rustls::pki_types::ServerName::try_from(tls_server_name(&server))
        .map_err(|error| failed(error.to_string()))?;
    let tls = match timeout_at(deadline, TlsConnector::from(tls).connect(name, tcp)).await {
        Err(_elapsed) => return Err(unreachable()),
        Ok(Ok(tls)) => tls,
        Ok(Err(error)) => {
            let presented = *seen.lock().unwrap_or_else(|e| e.into_inner());
            return Err(handshake_refusal(&options.trust, &server, expected, presented)
                .unwrap_or_else(|| failed(error.to_string())));
        }
    };
    let url = format!("wss://{}{WEBSOCKET_PATH}", host_for_url(&server, address));
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_SERVER_FRAME_LEN + 5))
        .max_frame_size(Some(MAX_SERVER_FRAME_LEN + 5));
    let upgrade = tokio_tungstenite::client_async_with_config(url, tls, Some(config));
    let socket = match timeout_at(deadline, upgrade).await {
        Err(_elapsed) => return Err(unreachable()),
        Ok(Err(error)) => return Err(failed(format!("the WebSocket was refused: {error}"))),
        Ok(Ok((socket, _response))) => socket,
    };
    log_in(MessagePipe::start(Tungstenite(socket)), options, deadline).await
}

/// `HOST:PORT` for a URL: the server as typed when it names a host, else the address.
fn host_for_url(server: &str, address: SocketAddr) -> String {
    if server.rsplit_once(':').is_some_and(|(host, _)| !host.is_empty()) {
        server.to_string()
    } else {
        address.to_string()
    }
}

/// tungstenite's WebSocket over TLS.
struct Tungstenite(WebSocketStream<TlsStream<TcpStream>>);

impl MessageSocket for Tungstenite {
    async fn send(&mut self, message: Bytes) -> Result<(), String> {
        self.0.send(Message::Binary(message)).await.map_err(|error| error.to_string())
    }

    async fn next(&mut self) -> Option<Received> {
        Some(match self.0.next().await? {
            Ok(Message::Binary(bytes)) => Received::Binary(bytes),
            Ok(Message::Close(frame)) => {
                Received::Close(frame.map(|frame| (u16::from(frame.code), frame.reason.to_string())))
            }
            Ok(_) => Received::Other,
            Err(error) => Received::Error(error.to_string()),
        })
    }

    async fn flush(&mut self) {
        let _ = self.0.flush().await;
    }

    async fn close(mut self, code: u16, reason: String) {
        let _ = self.0.close(Some(CloseFrame { code: code.into(), reason: reason.into() })).await;
    }
}
