//! The WebSocket transport: the browser's fallback when it has no WebTransport, here for
//! native clients (tests, odd networks where UDP is blocked). TLS is verified by fingerprint
//! as for QUIC; the socket's binary messages carry the bytes of two streams, each message
//! starting with its stream's byte ([`channel`]), the client's frames on
//! [`channel::CHAT`] only.
//!
//! One task owns the socket. The session reads and writes ordinary byte pipes
//! ([`DuplexStream`]): the task copies what the session writes into messages, and each
//! message's bytes into the pipe of its stream, so a session does not know which transport
//! it is on.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, timeout_at};
use tokio_rustls::TlsConnector;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};

use super::connect::{ConnectOptions, Connected, expected_fingerprint, handshake_refusal, log_in, resolve};
use super::connection::ServerConnection;
use super::error::{ConnectError, Disconnect};
use crate::protocol::{
    MAX_FRAME_LEN, MAX_SERVER_FRAME_LEN, channel, from_websocket_close_code, websocket_close_code,
};
use crate::transport::web_client_config;

/// The path of the WebSocket on the server's web listener.
pub const WEBSOCKET_PATH: &str = "/ws";

/// Bytes each pipe between the session and the socket task holds.
const PIPE: usize = 64 * 1024;

/// How long the close message may take to leave.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// A session's connection over a WebSocket.
#[derive(Clone)]
pub struct WebSocket {
    state: Arc<State>,
}

struct State {
    /// The session's halves of the pipes, until taken.
    frames: Mutex<Option<(DuplexStream, DuplexStream)>>,
    presence: Mutex<Option<DuplexStream>>,
    /// Asks the socket task to close, with a code and reason.
    close: mpsc::Sender<(u32, String)>,
    /// Why the socket ended, once it has.
    ended: watch::Receiver<Option<Disconnect>>,
    /// Set once what the session wrote before finishing has left.
    flushed: watch::Receiver<bool>,
}

/// Connects to the server's web listener (`options.server` is its `HOST:PORT`), verifies
/// its certificate by fingerprint, opens the WebSocket and logs in.
pub async fn connect_websocket(options: &ConnectOptions) -> Result<Connected<WebSocket>, ConnectError> {
    let deadline = Instant::now() + options.timeout;
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
    let name = rustls::pki_types::ServerName::try_from(super::connect::tls_server_name(&server))
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
    let socket =
        match timeout_at(deadline, tokio_tungstenite::client_async_with_config(url, tls, Some(config))).await
        {
            Err(_elapsed) => return Err(unreachable()),
            Ok(Err(error)) => return Err(failed(format!("the WebSocket was refused: {error}"))),
            Ok(Ok((socket, _response))) => socket,
        };
    log_in(WebSocket::start(socket), options, deadline).await
}

/// `HOST:PORT` for a URL: the server as typed when it names a host, else the address.
fn host_for_url(server: &str, address: SocketAddr) -> String {
    if server.rsplit_once(':').is_some_and(|(host, _)| !host.is_empty()) {
        server.to_string()
    } else {
        address.to_string()
    }
}

impl WebSocket {
    /// Takes over `socket`, starting the task that owns it.
    fn start<S>(socket: WebSocketStream<S>) -> Self
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let (session_writer, task_reader) = tokio::io::duplex(PIPE);
        let (session_chat, task_chat) = tokio::io::duplex(PIPE);
        let (session_presence, task_presence) = tokio::io::duplex(PIPE);
        let (close, close_asked) = mpsc::channel(1);
        let (ended_tx, ended) = watch::channel(None);
        let (flushed_tx, flushed) = watch::channel(false);
        let pipes = Pipes { outgoing: task_reader, chat: task_chat, presence: task_presence };
        tokio::spawn(run(socket, pipes, close_asked, ended_tx, flushed_tx));
        let state = State {
            frames: Mutex::new(Some((session_writer, session_chat))),
            presence: Mutex::new(Some(session_presence)),
            close,
            ended,
            flushed,
        };
        WebSocket { state: Arc::new(state) }
    }
}

/// The socket task's ends of the pipes.
struct Pipes {
    /// What the session writes.
    outgoing: DuplexStream,
    chat: DuplexStream,
    presence: DuplexStream,
}

/// The socket task: copies between the socket and the pipes until either side ends.
async fn run<S>(
    mut socket: WebSocketStream<S>,
    mut pipes: Pipes,
    mut close_asked: mpsc::Receiver<(u32, String)>,
    ended: watch::Sender<Option<Disconnect>>,
    flushed: watch::Sender<bool>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let mut buffer = vec![0u8; MAX_FRAME_LEN];
    let mut writing = true;
    let reason = loop {
        // What the session wrote goes out before a close it asked for afterwards.
        tokio::select! {
            biased;
            read = pipes.outgoing.read(&mut buffer), if writing => match read {
                Ok(0) | Err(_) => {
                    writing = false;
                    let _ = socket.flush().await;
                    let _ = flushed.send(true);
                }
                Ok(n) => {
                    let mut message = BytesMut::with_capacity(n + 1);
                    message.put_u8(channel::CHAT);
                    message.put_slice(&buffer[..n]);
                    if let Err(error) = socket.send(Message::Binary(message.freeze())).await {
                        break Disconnect::Lost(error.to_string());
                    }
                }
            },
            message = socket.next() => match message {
                None => break Disconnect::Lost("the server ended the connection".into()),
                Some(Err(error)) => break Disconnect::Lost(error.to_string()),
                Some(Ok(Message::Close(frame))) => break closed_by_server(frame),
                Some(Ok(Message::Binary(bytes))) => {
                    if let Err(reason) = deliver(&mut pipes, bytes).await {
                        break reason;
                    }
                }
                Some(Ok(_)) => {}
            },
            asked = close_asked.recv() => {
                let (code, reason) = asked.unwrap_or((0, String::new()));
                let frame = CloseFrame { code: websocket_close_code(code).into(), reason: reason.into() };
                let _ = tokio::time::timeout(CLOSE_WAIT, socket.close(Some(frame))).await;
                break Disconnect::Quit;
            }
        }
    };
    let _ = flushed.send(true);
    let _ = ended.send(Some(reason));
}

/// Passes a message's bytes to the pipe of its stream.
async fn deliver(pipes: &mut Pipes, bytes: Bytes) -> Result<(), Disconnect> {
    let pipe = match bytes.first() {
        Some(&channel::CHAT) => &mut pipes.chat,
        Some(&channel::PRESENCE) => &mut pipes.presence,
        _ => return Err(Disconnect::Lost("the server sent a message on an unknown channel".into())),
    };
    // A session that stopped reading presence (a load generator) is no reason to stop.
    let _ = pipe.write_all(&bytes[1..]).await;
    Ok(())
}

/// What the server's close message says.
fn closed_by_server(frame: Option<CloseFrame>) -> Disconnect {
    match frame {
        Some(frame) => match from_websocket_close_code(frame.code.into()) {
            Some(code) => Disconnect::ByServer { code, reason: frame.reason.to_string() },
            None => Disconnect::Lost(format!("the server closed the WebSocket: {}", frame.reason)),
        },
        None => Disconnect::Lost("the server closed the WebSocket".into()),
    }
}

impl ServerConnection for WebSocket {
    type Writer = DuplexStream;
    type Reader = DuplexStream;

    async fn open_frames(&self) -> Result<(Self::Writer, Self::Reader), Disconnect> {
        let frames = self.state.frames.lock().unwrap_or_else(|e| e.into_inner()).take();
        frames.ok_or_else(|| Disconnect::Lost("the frame stream is already open".into()))
    }

    async fn accept_stream(&self) -> Option<Self::Reader> {
        let presence = self.state.presence.lock().unwrap_or_else(|e| e.into_inner()).take();
        if presence.is_none() {
            self.closed().await;
        }
        presence
    }

    fn close(&self, code: u32, reason: &[u8]) {
        let _ = self.state.close.try_send((code, String::from_utf8_lossy(reason).into_owned()));
    }

    async fn closed(&self) -> Disconnect {
        let mut ended = self.state.ended.clone();
        match ended.wait_for(Option::is_some).await {
            Ok(reason) => reason.clone().unwrap_or(Disconnect::Quit),
            Err(_) => Disconnect::Lost("the connection ended".into()),
        }
    }

    fn close_reason(&self) -> Option<Disconnect> {
        self.state.ended.borrow().clone()
    }

    async fn finish(writer: &mut Self::Writer, patience: Duration) {
        let _ = tokio::time::timeout(patience, writer.shutdown()).await;
    }

    async fn wait_closed(&self, patience: Duration) {
        let mut flushed = self.state.flushed.clone();
        let _ = tokio::time::timeout(patience, flushed.wait_for(|done| *done)).await;
        let _ = tokio::time::timeout(patience, self.closed()).await;
    }
}
