//! The client core's WebTransport in the browser (web-transport-wasm): to the UDP port of the
//! server that served the page, pinned by the hash of the short-lived certificate the server
//! presents there, which the page fetches over HTTPS ([`SERVER_FACTS_PATH`]) right before it
//! connects. The session's two streams (chat, opened by the page, and presence, opened by
//! the server) are presented to the socket task of `message_pipe.rs` as messages tagged with
//! their [`channel`], so the rest of the client core is the WebSocket's. Transfers have streams
//! of their own ([`stream_opener`]), as over QUIC.

use bytes::{BufMut, Bytes, BytesMut};
use gloo_net::http::Request;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::{mpsc, oneshot};
use web_transport_wasm::{ClientBuilder, Error, RecvStream, SendStream, Session};

use super::message_pipe::{MessageSocket, PIPE, Received, StreamOpener};
use super::rt;
use crate::protocol::{
    MAX_SERVER_FRAME_LEN, SERVER_FACTS_PATH, ServerFacts, WEBTRANSPORT_PATH, channel, websocket_close_code,
};

/// Opens a WebTransport session to the server at `server` (the page's own `HOST:PORT`) and
/// its chat stream. An error says why, for the log: the page then uses its WebSocket.
pub(super) async fn open(server: &str) -> Result<PageTransport, String> {
    let facts = server_facts().await?;
    let Some(web_transport) = facts.web_transport else {
        return Err("the server offers no WebTransport".into());
    };
    let hash = from_hex(&web_transport.certificate_hash).ok_or("the certificate hash is not hex")?;
    let host = server.rsplit_once(':').map_or(server, |(host, _port)| host);
    let url = format!("https://{host}:{}{WEBTRANSPORT_PATH}", web_transport.port);
    let url = url::Url::parse(&url).map_err(|error| format!("{url}: {error}"))?;
    let client = ClientBuilder::new().with_server_certificate_hashes(vec![hash]);
    let session = client.connect(url).await.map_err(|error| error.to_string())?;
    let (send, chat) = session.open_bi().await.map_err(|error| error.to_string())?;
    Ok(PageTransport { session, send, chat, presence: None })
}

/// Opens a transfer stream on `session` for each request, each bridged to a pair of pipes by
/// two tasks of the page's (its streams cannot leave the page's thread).
pub(super) fn stream_opener(session: Session) -> StreamOpener {
    let (opener, mut asked) = mpsc::channel::<oneshot::Sender<_>>(4);
    rt::spawn(async move {
        while let Some(reply) = asked.recv().await {
            let opened = session.open_bi().await.map(|(send, recv)| bridge(send, recv));
            let _ = reply.send(opened.map_err(|error| error.to_string()));
        }
    });
    opener
}

/// The session's ends (write, read) of pipes copied to and from a WebTransport stream. The
/// write pipe's end finishes the stream; the stream's end (or failure) ends the read pipe.
fn bridge(mut send: SendStream, mut recv: RecvStream) -> (DuplexStream, DuplexStream) {
    let (session_writer, mut outgoing) = tokio::io::duplex(PIPE);
    let (mut incoming, session_reader) = tokio::io::duplex(PIPE);
    rt::spawn(async move {
        let mut buffer = vec![0u8; PIPE];
        loop {
            match outgoing.read(&mut buffer).await {
                Ok(0) | Err(_) => {
                    let _ = send.finish();
                    break;
                }
                Ok(n) => {
                    if send.write(&buffer[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
    });
    rt::spawn(async move {
        while let Ok(Some(bytes)) = recv.read(PIPE).await {
            if incoming.write_all(&bytes).await.is_err() {
                break;
            }
        }
    });
    (session_writer, session_reader)
}

/// The server's facts, fetched anew (the certificate is renewed every few days).
async fn server_facts() -> Result<ServerFacts, String> {
    let response = Request::get(SERVER_FACTS_PATH)
        .cache(web_sys::RequestCache::NoStore)
        .send()
        .await
        .map_err(|error| error.to_string())?;
    if !response.ok() {
        return Err(format!("{SERVER_FACTS_PATH}: {}", response.status()));
    }
    let text = response.text().await.map_err(|error| error.to_string())?;
    serde_json::from_str(&text).map_err(|error| format!("{SERVER_FACTS_PATH}: {error}"))
}

fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|at| u8::from_str_radix(hex.get(at..at + 2)?, 16).ok()).collect()
}

/// A WebTransport session and its two streams, as a socket of tagged messages.
pub(super) struct PageTransport {
    /// The session, for transfer streams beside these.
    pub(super) session: Session,
    send: SendStream,
    chat: RecvStream,
    /// The presence stream, once the server has opened it.
    presence: Option<RecvStream>,
}

impl PageTransport {
    /// Why the session ended, as the socket task takes it.
    async fn ended(&self) -> Received {
        match self.session.closed().await {
            Error::Session { code, reason } => {
                let code = websocket_close_code(code);
                Received::Close(Some((code, reason)))
            }
            error => Received::Error(format!("the connection to the server was lost ({error})")),
        }
    }
}

/// A chunk of the stream `channel` as a message, or the end of the session.
fn tagged(channel: u8, read: Result<Option<Bytes>, Error>) -> Option<Received> {
    match read {
        Ok(Some(bytes)) => {
            let mut message = BytesMut::with_capacity(bytes.len() + 1);
            message.put_u8(channel);
            message.put_slice(&bytes);
            Some(Received::Binary(message.freeze()))
        }
        // The stream ended: the session's end says why.
        Ok(None) | Err(_) => None,
    }
}

impl MessageSocket for PageTransport {
    async fn send(&mut self, message: Bytes) -> Result<(), String> {
        // The socket task tags what it sends with the chat channel; the stream is the tag.
        let bytes = message.get(1..).unwrap_or_default();
        self.send.write(bytes).await.map_err(|error| error.to_string())
    }

    async fn next(&mut self) -> Option<Received> {
        let read = tokio::select! {
            read = self.chat.read(MAX_SERVER_FRAME_LEN) => tagged(channel::CHAT, read),
            read = read_presence(&mut self.presence) => tagged(channel::PRESENCE, read),
            accepted = self.session.accept_uni(), if self.presence.is_none() => {
                self.presence = accepted.ok();
                Some(Received::Other)
            }
        };
        Some(match read {
            Some(received) => received,
            None => self.ended().await,
        })
    }

    async fn flush(&mut self) {}

    async fn close(self, code: u16, reason: String) {
        let code = crate::protocol::from_websocket_close_code(code).unwrap_or(0);
        self.session.close(code, &reason);
        let _ = self.session.closed().await;
    }
}

/// The next chunk of the presence stream; never, until the server has opened it.
async fn read_presence(presence: &mut Option<RecvStream>) -> Result<Option<Bytes>, Error> {
    match presence {
        Some(stream) => stream.read(MAX_SERVER_FRAME_LEN).await,
        None => std::future::pending().await,
    }
}
