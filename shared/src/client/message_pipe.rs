//! A connection over a socket of messages ([`MessagePipe`]): the WebSocket, whose binary
//! messages carry the bytes of two streams, each message starting with its stream's byte
//! ([`channel`]), the client's frames on [`channel::CHAT`] only; and in the browser also
//! WebTransport, whose two streams the browser's side presents as such messages.
//!
//! One task owns the socket (a [`MessageSocket`]: tungstenite's WebSocket natively, in
//! `websocket_native.rs`; the page's WebSocket or WebTransport in `browser.rs` and
//! `browser_webtransport.rs`). The session reads and writes ordinary byte pipes
//! ([`DuplexStream`]): the task copies what the session writes into messages, and each
//! message's bytes into the pipe of its stream, so a session does not know which transport
//! it is on.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::{mpsc, oneshot, watch};

use super::connection::ServerConnection;
use super::error::Disconnect;
use super::rt::{self, MaybeSend};
use crate::protocol::{MAX_FRAME_LEN, channel, from_websocket_close_code};

/// Bytes each pipe between the session and the socket task holds.
pub(super) const PIPE: usize = 64 * 1024;

/// How long the close message may take to leave.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// What the socket task needs of a socket of messages.
pub(super) trait MessageSocket: MaybeSend + 'static {
    /// Sends one binary message.
    fn send(&mut self, message: Bytes) -> impl Future<Output = Result<(), String>> + MaybeSend;
    /// The next message; `None` when the socket has ended.
    fn next(&mut self) -> impl Future<Output = Option<Received>> + MaybeSend;
    /// Sends what is buffered.
    fn flush(&mut self) -> impl Future<Output = ()> + MaybeSend;
    /// Closes the socket with a WebSocket close code and a reason.
    fn close(self, code: u16, reason: String) -> impl Future<Output = ()> + MaybeSend;
}

/// What a socket received.
pub(super) enum Received {
    Binary(Bytes),
    /// The server's close message, with its code (a WebSocket close code, see
    /// [`websocket_close_code`](crate::protocol::websocket_close_code)) and reason.
    Close(Option<(u16, String)>),
    /// The socket broke.
    Error(String),
    /// Text, pings and pongs: nothing for the session.
    Other,
}

/// A session's connection over a socket of messages.
#[derive(Clone)]
pub struct MessagePipe {
    state: Arc<State>,
}

/// Asks the socket's side for a stream of its own (a transfer's): the answer is the
/// session's two pipe ends of it (write, read), or why not.
pub(super) type StreamOpener = mpsc::Sender<oneshot::Sender<Result<(DuplexStream, DuplexStream), String>>>;

struct State {
    /// Opens transfer streams, on a socket that has streams (WebTransport; not a WebSocket).
    opener: Option<StreamOpener>,
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

impl MessagePipe {
    /// Takes over `socket`, starting the task that owns it.
    pub(super) fn start(socket: impl MessageSocket) -> Self {
        Self::start_with_streams(socket, None)
    }

    /// Like [`start`](Self::start), for a socket whose connection also opens transfer
    /// streams through `opener`.
    pub(super) fn start_with_streams(socket: impl MessageSocket, opener: Option<StreamOpener>) -> Self {
        let (session_writer, task_reader) = tokio::io::duplex(PIPE);
        let (session_chat, task_chat) = tokio::io::duplex(PIPE);
        let (session_presence, task_presence) = tokio::io::duplex(PIPE);
        let (close, close_asked) = mpsc::channel(1);
        let (ended_tx, ended) = watch::channel(None);
        let (flushed_tx, flushed) = watch::channel(false);
        let pipes = Pipes { outgoing: task_reader, chat: task_chat, presence: task_presence };
        rt::spawn(run(socket, pipes, close_asked, ended_tx, flushed_tx));
        let state = State {
            opener,
            frames: Mutex::new(Some((session_writer, session_chat))),
            presence: Mutex::new(Some(session_presence)),
            close,
            ended,
            flushed,
        };
        MessagePipe { state: Arc::new(state) }
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
async fn run(
    mut socket: impl MessageSocket,
    mut pipes: Pipes,
    mut close_asked: mpsc::Receiver<(u32, String)>,
    ended: watch::Sender<Option<Disconnect>>,
    flushed: watch::Sender<bool>,
) {
    let mut buffer = vec![0u8; MAX_FRAME_LEN];
    let mut writing = true;
    let reason = loop {
        // What the session wrote goes out before a close it asked for afterwards.
        tokio::select! {
            biased;
            read = pipes.outgoing.read(&mut buffer), if writing => match read {
                Ok(0) | Err(_) => {
                    writing = false;
                    socket.flush().await;
                    let _ = flushed.send(true);
                }
                Ok(n) => {
                    let mut message = BytesMut::with_capacity(n + 1);
                    message.put_u8(channel::CHAT);
                    message.put_slice(&buffer[..n]);
                    if let Err(error) = socket.send(message.freeze()).await {
                        break Disconnect::Lost(error);
                    }
                }
            },
            received = socket.next() => match received {
                None => break Disconnect::Lost("the server ended the connection".into()),
                Some(Received::Error(error)) => break Disconnect::Lost(error),
                Some(Received::Close(frame)) => break closed_by_server(frame),
                Some(Received::Binary(bytes)) => {
                    if let Err(reason) = deliver(&mut pipes, bytes).await {
                        break reason;
                    }
                }
                Some(Received::Other) => {}
            },
            asked = close_asked.recv() => {
                let (code, reason) = asked.unwrap_or((0, String::new()));
                let code = crate::protocol::websocket_close_code(code);
                let _ = rt::timeout(CLOSE_WAIT, socket.close(code, reason)).await;
                let _ = flushed.send(true);
                let _ = ended.send(Some(Disconnect::Quit));
                return;
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
fn closed_by_server(frame: Option<(u16, String)>) -> Disconnect {
    match frame {
        Some((code, reason)) => match from_websocket_close_code(code) {
            Some(code) => Disconnect::ByServer { code, reason },
            None => Disconnect::Lost(format!("the server closed the WebSocket: {reason}")),
        },
        None => Disconnect::Lost("the server closed the WebSocket".into()),
    }
}

impl ServerConnection for MessagePipe {
    type Writer = DuplexStream;
    type Reader = DuplexStream;

    async fn open_frames(&self) -> Result<(Self::Writer, Self::Reader), Disconnect> {
        let frames = self.state.frames.lock().unwrap_or_else(|e| e.into_inner()).take();
        frames.ok_or_else(|| Disconnect::Lost("the frame stream is already open".into()))
    }

    /// A stream of its own, where the socket's connection has streams (WebTransport); a
    /// WebSocket carries the frames only.
    async fn open_transfer(&self) -> Result<(Self::Writer, Self::Reader), Disconnect> {
        let Some(opener) = &self.state.opener else {
            return Err(Disconnect::Lost(
                "files travel over QUIC or WebTransport, not over a WebSocket: use a browser with \
                 WebTransport (Chrome, Edge, Firefox), the app or the terminal client"
                    .into(),
            ));
        };
        let (reply, opened) = oneshot::channel();
        let gone = || Disconnect::Lost("the connection ended".into());
        opener.send(reply).await.map_err(|_| gone())?;
        opened.await.map_err(|_| gone())?.map_err(Disconnect::Lost)
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
        let _ = rt::timeout(patience, writer.shutdown()).await;
    }

    async fn wait_closed(&self, patience: Duration) {
        let mut flushed = self.state.flushed.clone();
        let _ = rt::timeout(patience, flushed.wait_for(|done| *done)).await;
        let _ = rt::timeout(patience, self.closed()).await;
    }
}
