//! A logged-in session: [`Client`] sends commands; two reader tasks (the chat stream and the
//! presence stream) feed one bounded event channel. When the app stops reading events, the
//! readers stop reading the network and the server eventually drops the client as too slow,
//! so memory stays bounded on both sides.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::{Mutex, mpsc};
use tokio_util::codec::{FramedRead, FramedWrite};

use super::error::{ClientError, Disconnect};
use crate::protocol::{
    ClientMsg, FrameCodec, FrameError, MAX_SERVER_FRAME_LEN, PresenceFrame, ServerMsg, Welcome, close_code,
    normalize_name, normalize_room, validate_password, validate_text, validate_topic,
};

/// How many events may wait for the caller before the readers pause.
const EVENT_QUEUE: usize = 256;

type ChatWriter = FramedWrite<quinn::SendStream, FrameCodec<ServerMsg, ClientMsg>>;
type ChatReader = FramedRead<quinn::RecvStream, FrameCodec<ServerMsg, ClientMsg>>;

/// Something that happened on the connection, in arrival order per stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A reply or chat frame from the bidirectional stream (never Welcome or Rejected).
    Server(ServerMsg),
    /// A presence event from the presence stream.
    Presence(PresenceFrame),
    /// The connection ended; no events follow.
    Closed(Disconnect),
    /// A [`Resilient`](super::Resilient) session lost its connection and tries again
    /// (attempt 1, 2, ...).
    Reconnecting { attempt: u32 },
    /// A [`Resilient`](super::Resilient) session is back: the `missed` messages were passed
    /// on just before this, `welcome` is the new login's snapshot (users, rooms, presence
    /// sequence, the lobby's members), and `members` has the member list of every other room
    /// rejoined, by room name.
    Resumed { missed: u64, welcome: Welcome, members: BTreeMap<String, Vec<String>> },
    /// A [`Resilient`](super::Resilient) session gives up on a message or direct message it
    /// could not get confirmed, because the session ended (`reason` says how). Sent just
    /// before [`Event::Closed`], once per message, so nothing is dropped silently.
    Unsent { client_msg_id: u64, reason: String },
}

/// The handle for sending commands. Cheap to clone; every clone drives the same session.
#[derive(Clone)]
pub struct Client {
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
    (Client { inner: Arc::new(inner) }, events_rx)
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

impl Client {
    /// Sends `text` to `room`. Returns the client message id the echo will carry.
    pub async fn say(&self, room: &str, text: &str) -> Result<u64, ClientError> {
        validate_text(text, self.inner.max_message_chars)?;
        let room = normalize_room(room)?;
        let client_msg_id = self.next_id();
        self.send(ClientMsg::Say { room, text: text.into(), client_msg_id }).await?;
        Ok(client_msg_id)
    }

    /// Sends a private message to `to`. Returns the client message id the copy will carry.
    pub async fn direct(&self, to: &str, text: &str) -> Result<u64, ClientError> {
        validate_text(text, self.inner.max_message_chars)?;
        let to = normalize_name(to)?;
        let client_msg_id = self.next_id();
        self.send(ClientMsg::Direct { to, text: text.into(), client_msg_id }).await?;
        Ok(client_msg_id)
    }

    /// Joins `room`, creating it with `topic` when it does not exist.
    pub async fn join(&self, room: &str, topic: Option<&str>) -> Result<(), ClientError> {
        let room = normalize_room(room)?;
        let topic = topic.map(str::trim).filter(|t| !t.is_empty());
        if let Some(topic) = topic {
            validate_topic(topic)?;
        }
        self.send(ClientMsg::Join { room, topic: topic.map(Into::into) }).await
    }

    /// Leaves `room`.
    pub async fn leave(&self, room: &str) -> Result<(), ClientError> {
        let room = normalize_room(room)?;
        self.send(ClientMsg::Leave { room }).await
    }

    /// Asks to be called `name` from now on.
    pub async fn nick(&self, name: &str) -> Result<(), ClientError> {
        let name = normalize_name(name)?;
        self.send(ClientMsg::Nick { name }).await
    }

    /// Asks for the list of online users (answered by `ServerMsg::Users`).
    pub async fn list_users(&self) -> Result<(), ClientError> {
        self.send(ClientMsg::ListUsers).await
    }

    /// Asks for the list of rooms (answered by `ServerMsg::Rooms`).
    pub async fn list_rooms(&self) -> Result<(), ClientError> {
        self.send(ClientMsg::ListRooms).await
    }

    /// Asks for up to `limit` messages of `room` older than sequence number `before` (the
    /// latest when `None`); answered by `ServerMsg::History`.
    pub async fn history(&self, room: &str, before: Option<u64>, limit: u32) -> Result<(), ClientError> {
        let room = normalize_room(room)?;
        self.send(ClientMsg::History { room, before, limit }).await
    }

    /// Claims this user's current name with `password`, or changes its password (revoking
    /// saved login tokens); answered by `ServerMsg::Token`.
    pub async fn set_password(&self, password: &str) -> Result<(), ClientError> {
        validate_password(password)?;
        self.send(ClientMsg::SetPassword { password: password.into() }).await
    }

    /// Moves the session to a new UDP socket (a new local address, as when a phone switches
    /// networks): QUIC migrates the connection, and the session goes on without a reconnect.
    pub fn rebind(&self, socket: std::net::UdpSocket) -> std::io::Result<()> {
        self.inner.endpoint.rebind(socket)
    }

    /// The local address the session uses now.
    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.inner.endpoint.local_addr()
    }

    /// The longest message the server accepts, in characters.
    pub fn max_message_chars(&self) -> usize {
        self.inner.max_message_chars
    }

    /// Leaves cleanly: closes the connection and waits (briefly) until the server has heard.
    pub async fn quit(&self) {
        {
            let mut writer = self.inner.writer.lock().await;
            let stream = writer.get_mut();
            // Wait until the server has every byte already sent, so nothing in flight is lost.
            if stream.finish().is_ok() {
                let _ = tokio::time::timeout(Duration::from_secs(2), stream.stopped()).await;
            }
        }
        self.inner.connection.close(close_code::NORMAL.into(), b"bye");
        let _ = tokio::time::timeout(Duration::from_secs(2), self.inner.endpoint.wait_idle()).await;
    }

    /// Sends a raw protocol message, without client-side checks. Tests use this to play a
    /// misbehaving client; applications use the typed methods.
    pub async fn send(&self, message: ClientMsg) -> Result<(), ClientError> {
        let mut writer = self.inner.writer.lock().await;
        match writer.send(&message).await {
            Ok(()) => Ok(()),
            Err(_) => Err(ClientError::Disconnected(self.disconnect_reason())),
        }
    }

    fn disconnect_reason(&self) -> Disconnect {
        match self.inner.connection.close_reason() {
            Some(error) => Disconnect::from_connection_error(&error),
            None => Disconnect::Lost("the chat stream was closed".into()),
        }
    }

    fn next_id(&self) -> u64 {
        self.inner.next_client_msg_id.fetch_add(1, Ordering::Relaxed)
    }
}
