//! The client core in the browser: to the server that served the page, over its
//! WebTransport (`browser_webtransport.rs`) where the browser and the network allow, else over
//! the page's WebSocket (gloo-net), both as the [`MessageSocket`] of `message_pipe.rs`. The
//! browser checked the server's certificate when it loaded the page (the person accepted it
//! once, or it is issued by a CA), so there is no fingerprint to check here; the
//! WebTransport certificate is pinned by the hash the page fetched over that same HTTPS.
//!
//! `?transport=ws` in the page's address skips WebTransport (for tests and odd networks).

use std::future::Future;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use gloo_net::websocket::futures::WebSocket as PageSocket;
use gloo_net::websocket::{Message, WebSocketError};
use tokio::sync::oneshot;

use super::browser_webtransport;
use super::dial::Dial;
use super::error::ConnectError;
use super::login::{ConnectOptions, LoggedIn, log_in};
use super::message_pipe::{MessagePipe, MessageSocket, Received};
use super::rt;
use crate::protocol::WEBSOCKET_PATH;

/// The WebSocket close code of a connection that ended without a close message.
const ABNORMAL_CLOSURE: u16 = 1006;

impl Dial for MessagePipe {
    /// Connects to `options.server` (the page's own `HOST:PORT`), over WebTransport unless the
    /// page says otherwise or it fails, then over `wss://SERVER/ws`, and logs in.
    fn dial(options: &ConnectOptions) -> impl Future<Output = Result<LoggedIn<Self>, ConnectError>> + Send {
        let deadline = rt::now() + options.timeout;
        let server = options.server.trim().to_string();
        let web_transport = (!websocket_forced()).then(|| open_web_transport(server.clone()));
        let options = options.clone();
        async move {
            if let Some(opening) = web_transport {
                // Where UDP is blocked it never answers: leave the WebSocket time too.
                match rt::timeout(options.timeout / 2, opening).await {
                    Ok(Ok(pipe)) => return log_in(pipe, &options, deadline).await,
                    Ok(Err(reason)) => tracing::info!("no WebTransport ({reason}): the WebSocket instead"),
                    Err(_) => tracing::info!("no WebTransport in time: the WebSocket instead"),
                }
            }
            let opened = PageSocket::open(&format!("wss://{server}{WEBSOCKET_PATH}"))
                .map(|socket| MessagePipe::start(Page(socket)))
                .map_err(|error| ConnectError::Failed { server, reason: error.to_string() });
            log_in(opened?, &options, deadline).await
        }
    }
}

/// Whether the page's address asks for the WebSocket (`?transport=ws`).
fn websocket_forced() -> bool {
    let query = web_sys::window().and_then(|window| window.location().search().ok()).unwrap_or_default();
    query.trim_start_matches('?').split('&').any(|pair| pair == "transport=ws")
}

/// Opens WebTransport in a task of the page's own (its handles cannot leave the page's
/// thread), which hands back the pipe.
fn open_web_transport(server: String) -> impl Future<Output = Result<MessagePipe, String>> + Send {
    let (opened, pipe) = oneshot::channel();
    rt::spawn(async move {
        let result = browser_webtransport::open(&server).await.map(|transport| {
            let opener = browser_webtransport::stream_opener(transport.session.clone());
            MessagePipe::start_with_streams(transport, Some(opener))
        });
        let _ = opened.send(result);
    });
    async move { pipe.await.unwrap_or_else(|_| Err("the page stopped".into())) }
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
