//! A logged-in session: [`Client`] sends commands; two reader tasks (the chat stream and the
//! presence stream) feed one bounded event channel. When the app stops reading events, the
//! readers stop reading the network and the server eventually drops the client as too slow,
//! so memory stays bounded on both sides.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::{Mutex, mpsc};
use tokio_util::codec::{FramedRead, FramedWrite};

use super::chat_event::ChatEvent;
use super::commands::{Commands, Link};
use super::error::{ClientError, Disconnect};
use crate::protocol::{
    ClientMsg, ErrorReply, FrameCodec, FrameError, MAX_SERVER_FRAME_LEN, PresenceFrame, ServerMsg, Welcome,
    close_code,
};

/// How many events may wait for the caller before the readers pause.
const EVENT_QUEUE: usize = 256;

type ChatWriter = FramedWrite<quinn::SendStream, FrameCodec<ServerMsg, ClientMsg>>;
type ChatReader = FramedRead<quinn::RecvStream, FrameCodec<ServerMsg, ClientMsg>>;

/// Something that happened on a raw connection, in arrival order per stream: the frames as
/// they came. (A [`Resilient`](super::Resilient) session tells its caller
/// [`ChatEvent`](super::ChatEvent)s instead.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A reply or chat frame from the bidirectional stream (never Welcome or Rejected).
    Server(ServerMsg),
    /// A presence event from the presence stream.
    Presence(PresenceFrame),
    /// The connection ended; no events follow.
    Closed(Disconnect),
}

impl Event {
    /// The frame as a [`ChatEvent`], taken as it came: nothing is reconciled (no confirmation
    /// is matched, nothing de-duplicated) and a page of a list is `None`, as is a Welcome. For
    /// callers of a raw connection that want typed events without the bookkeeping, such as
    /// the load generator.
    pub fn into_chat_event(self) -> Option<ChatEvent> {
        Some(match self {
            Event::Server(message) => match message {
                ServerMsg::Message(message) => ChatEvent::Message { message, confirms: None },
                ServerMsg::Direct(message) => ChatEvent::Direct { message, confirms: None },
                ServerMsg::History(page) => ChatEvent::History(page),
                ServerMsg::Joined { room, members, ts } => ChatEvent::Joined { room, members, ts },
                ServerMsg::Left { room, ts } => ChatEvent::Left { room, ts },
                ServerMsg::Users { users, ts } => ChatEvent::Users { users, ts },
                ServerMsg::Rooms { rooms, ts } => ChatEvent::Rooms { rooms, ts },
                ServerMsg::Renamed { old, new, ts } => ChatEvent::Renamed { old, new, ts },
                ServerMsg::Token { name, token, ts } => ChatEvent::TokenIssued { name, token, ts },
                ServerMsg::Error(ErrorReply { code, message, client_msg_id: Some(client_msg_id), ts }) => {
                    ChatEvent::Refused { client_msg_id, code, message, ts }
                }
                ServerMsg::Error(ErrorReply { code, message, client_msg_id: None, ts }) => {
                    ChatEvent::CommandFailed { code, message, ts }
                }
                ServerMsg::UsersPage { .. }
                | ServerMsg::RoomsPage { .. }
                | ServerMsg::Welcome(_)
                | ServerMsg::Rejected(_) => return None,
            },
            Event::Presence(frame) => ChatEvent::Presence(frame.into()),
            Event::Closed(reason) => ChatEvent::Closed(reason),
        })
    }
}

/// The handle on one connection for sending commands (see [`Commands`] for them). Cheap to
/// clone; every clone drives the same connection.
pub type Client = Commands<Connection>;

/// Where a [`Client`]'s commands go: the connection's chat stream, written as they come.
#[derive(Clone)]
pub struct Connection {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: quinn::Endpoint,
    connection: quinn::Connection,
    writer: Mutex<ChatWriter>,
    next_client_msg_id: AtomicU64,
    max_message_chars: usize,
}

pub(super) fn start_session(
    endpoint: quinn::Endpoint,
    connection: quinn::Connection,
    writer: ChatWriter,
    reader: ChatReader,
    welcome: Welcome,
    decode_presence: bool,
) -> (Client, mpsc::Receiver<Event>) {
    let (events_tx, events_rx) = mpsc::channel(EVENT_QUEUE);
    let presence = if decode_presence {
        tokio::spawn(read_presence(connection.clone(), events_tx.clone()))
    } else {
        tokio::spawn(discard_presence(connection.clone()))
    };
    tokio::spawn(read_chat(connection.clone(), reader, presence, events_tx));
    let inner = Inner {
        endpoint,
        connection,
        writer: Mutex::new(writer),
        next_client_msg_id: AtomicU64::new(1),
        max_message_chars: welcome.limits.max_message_chars as usize,
    };
    (Commands { link: Connection { inner: Arc::new(inner) } }, events_rx)
}

async fn read_presence(connection: quinn::Connection, events: mpsc::Sender<Event>) {
    let Ok(stream) = connection.accept_uni().await else { return };
    let mut frames = FramedRead::new(stream, FrameCodec::<PresenceFrame, ()>::new(MAX_SERVER_FRAME_LEN));
    while let Some(frame) = frames.next().await {
        match frame {
            Ok(frame) => {
                if events.send(Event::Presence(frame)).await.is_err() {
                    return;
                }
            }
            // The connection is gone: its close reason (read by `read_chat`) says why. Closing
            // here would replace the server's reason with `LocallyClosed`.
            Err(FrameError::Io(_)) => return,
            Err(error) => {
                tracing::warn!(%error, "bad presence frame from the server");
                connection.close(close_code::PROTOCOL.into(), b"invalid presence frame");
                return;
            }
        }
    }
}

/// Reads the presence stream without decoding it (see `ConnectOptions::presence`).
async fn discard_presence(connection: quinn::Connection) {
    let Ok(mut stream) = connection.accept_uni().await else { return };
    while let Ok(Some(_)) = stream.read_chunk(usize::MAX, false).await {}
}

async fn read_chat(
    connection: quinn::Connection,
    mut reader: ChatReader,
    presence: tokio::task::JoinHandle<()>,
    events: mpsc::Sender<Event>,
) {
    while let Some(frame) = reader.next().await {
        match frame {
            Ok(message) => {
                if events.send(Event::Server(message)).await.is_err() {
                    return;
                }
            }
            Err(FrameError::Io(_)) => break,
            Err(error) => {
                tracing::warn!(%error, "bad frame from the server");
                connection.close(close_code::PROTOCOL.into(), b"invalid frame");
                break;
            }
        }
    }
    // The chat stream ended, so the connection is closing: let presence drain, then report
    // why, last.
    let reason = connection.closed().await;
    let _ = presence.await;
    let _ = events.send(Event::Closed(Disconnect::from_connection_error(&reason))).await;
}

impl Commands<Connection> {
    /// Moves the session to a new UDP socket (a new local address, as when a phone switches
    /// networks): QUIC migrates the connection, and the session goes on without a reconnect.
    pub fn rebind(&self, socket: std::net::UdpSocket) -> std::io::Result<()> {
        self.link.inner.endpoint.rebind(socket)
    }

    /// The local address the session uses now.
    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.link.inner.endpoint.local_addr()
    }

    /// Leaves cleanly: closes the connection and waits (briefly) until the server has heard.
    pub async fn quit(&self) {
        let inner = &self.link.inner;
        {
            let mut writer = inner.writer.lock().await;
            let stream = writer.get_mut();
            // Wait until the server has every byte already sent, so nothing in flight is lost.
            if stream.finish().is_ok() {
                let _ = tokio::time::timeout(Duration::from_secs(2), stream.stopped()).await;
            }
        }
        inner.connection.close(close_code::NORMAL.into(), b"bye");
        let _ = tokio::time::timeout(Duration::from_secs(2), inner.endpoint.wait_idle()).await;
    }
}

impl Link for Connection {
    fn max_message_chars(&self) -> usize {
        self.inner.max_message_chars
    }

    fn next_client_msg_id(&self) -> u64 {
        self.inner.next_client_msg_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Writes the frame to the chat stream.
    async fn send(&self, message: ClientMsg) -> Result<(), ClientError> {
        let mut writer = self.inner.writer.lock().await;
        match writer.send(&message).await {
            Ok(()) => Ok(()),
            Err(_) => Err(ClientError::Disconnected(self.disconnect_reason())),
        }
    }
}

impl Connection {
    fn disconnect_reason(&self) -> Disconnect {
        match self.inner.connection.close_reason() {
            Some(error) => Disconnect::from_connection_error(&error),
            None => Disconnect::Lost("the chat stream was closed".into()),
        }
    }
}
