//! The client core in the browser: the page's WebSocket (gloo-net) as the
//! [`MessageSocket`] of `websocket.rs`, to the server that served the page. The browser
//! checked the server's certificate when it loaded the page (the person accepted it once, or
//! it is issued by a CA), so there is no fingerprint to check here.

use std::future::Future;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use gloo_net::websocket::futures::WebSocket as PageSocket;
use gloo_net::websocket::{Message, WebSocketError};

use super::dial::Dial;
use super::error::ConnectError;
use super::login::{ConnectOptions, LoggedIn, log_in};
use super::rt;
use super::websocket::{MessageSocket, Received, WEBSOCKET_PATH, WebSocket};

/// The WebSocket close code of a connection that ended without a close message.
const ABNORMAL_CLOSURE: u16 = 1006;

impl Dial for WebSocket {
    /// Opens `wss://SERVER/ws` (`options.server` is the page's own `HOST:PORT`) and logs in.
    fn dial(options: &ConnectOptions) -> impl Future<Output = Result<LoggedIn<Self>, ConnectError>> + Send {
        let deadline = rt::now() + options.timeout;
        let server = options.server.trim().to_string();
        let opened = PageSocket::open(&format!("wss://{server}{WEBSOCKET_PATH}"))
            .map(|socket| WebSocket::start(Page(socket)))
            .map_err(|error| ConnectError::Failed { server, reason: error.to_string() });
        let options = options.clone();
        async move { log_in(opened?, &options, deadline).await }
    }
}

/// The page's WebSocket.
struct Page(PageSocket);

impl MessageSocket for Page {
    async fn send(&mut self, message: Bytes) -> Result<(), String> {
        self.0.send(Message::Bytes(message.to_vec())).await.map_err(|error| error.to_string())
    }

    async fn next(&mut self) -> Option<Received> {
        Some(match self.0.next().await? {
            Ok(Message::Bytes(bytes)) => Received::Binary(Bytes::from(bytes)),
            Ok(Message::Text(_)) => Received::Other,
            // The close event follows, with the reason.
            Err(WebSocketError::ConnectionError) => Received::Other,
            Err(WebSocketError::ConnectionClose(event)) if event.code == ABNORMAL_CLOSURE => {
                Received::Error("the connection to the server was lost".into())
            }
            Err(WebSocketError::ConnectionClose(event)) => Received::Close(Some((event.code, event.reason))),
            Err(error) => Received::Error(error.to_string()),
        })
    }

    async fn flush(&mut self) {}

    async fn close(self, code: u16, reason: String) {
        let _ = self.0.close(Some(code), Some(&reason));
    }
}
