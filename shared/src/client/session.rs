//! A logged-in session: [`Client`] sends commands; two reader tasks (the chat stream and the
//! presence stream) feed one bounded event channel. When the app stops reading events, the
//! readers stop reading the network and the server eventually drops the client as too slow,
//! so memory stays bounded on both sides. The session runs over any [`ServerConnection`];
//! only moving to a new socket is QUIC's own (`quic.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncReadExt;
use tokio::sync::{Mutex, mpsc};
use tokio_util::codec::{FramedRead, FramedWrite};

use super::chat_event::ChatEvent;
use super::commands::{Commands, Link};
use super::connection::ServerConnection;
use super::error::{ClientError, Disconnect};
use super::rt::{self, Task};
use crate::protocol::{
    ClientMsg, ErrorReply, FrameCodec, FrameError, MAX_SERVER_FRAME_LEN, PresenceFrame, ServerMsg, Welcome,
    close_code,
};

/// How many events may wait for the caller before the readers pause.
const EVENT_QUEUE: usize = 256;
/// How long leaving waits for the server to hear.
const QUIT_WAIT: Duration = Duration::from_secs(2);

/// The frame stream's two halves, framed.
pub(super) type FrameWriter<C> =
    FramedWrite<<C as ServerConnection>::Writer, FrameCodec<ServerMsg, ClientMsg>>;
pub(super) type FrameReader<C> =
    FramedRead<<C as ServerConnection>::Reader, FrameCodec<ServerMsg, ClientMsg>>;

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
                ServerMsg::Joined { room, members, ts, creator } => {
                    ChatEvent::Joined { room, members, ts, creator }
                }
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
                ServerMsg::Board(event) => ChatEvent::Board(event),
                ServerMsg::Reaction(reaction) => ChatEvent::Reaction(reaction),
                ServerMsg::Reactions { room, reactions } => ChatEvent::Reactions { room, reactions },
                ServerMsg::Typing { place, from, ts } => ChatEvent::Typing { place, from, ts },
                ServerMsg::SearchResults { text, results, more, .. } => {
                    ChatEvent::SearchResults { text, results, more }
                }
                ServerMsg::UsersPage { .. }
                | ServerMsg::RoomsPage { .. }
                | ServerMsg::BoardState(_)
                | ServerMsg::Welcome(_)
                | ServerMsg::Rejected(_) => return None,
            },
            Event::Presence(frame) => ChatEvent::Presence(frame.into()),
            Event::Closed(reason) => ChatEvent::Closed(reason),
        })
    }
}

/// Where a [`Client`]'s commands go: the connection's frame stream, written as they come.
pub struct Connection<C: ServerConnection> {
    inner: Arc<Inner<C>>,
}

impl<C: ServerConnection> Connection<C> {
    /// The connection underneath (QUIC's, to move it to a new socket; any, to open a
    /// transfer stream).
    pub(super) fn connection(&self) -> &C {
        &self.inner.connection
    }
}

impl<C: ServerConnection> Clone for Connection<C> {
    fn clone(&self) -> Self {
        Connection { inner: self.inner.clone() }
    }
}

struct Inner<C: ServerConnection> {
    connection: Arc<C>,
    writer: Mutex<FrameWriter<C>>,
    next_client_msg_id: AtomicU64,
    max_message_chars: usize,
}

/// Starts the reader tasks of a logged-in `connection` whose frame stream is `writer` and
/// `reader`.
pub(super) fn start_session<C: ServerConnection>(
    connection: C,
    writer: FrameWriter<C>,
    reader: FrameReader<C>,
    welcome: &Welcome,
    decode_presence: bool,
) -> (Commands<Connection<C>>, mpsc::Receiver<Event>) {
    let connection = Arc::new(connection);
    let (events_tx, events_rx) = mpsc::channel(EVENT_QUEUE);
    let presence = if decode_presence {
        rt::spawn(read_presence(connection.clone(), events_tx.clone()))
    } else {
        rt::spawn(discard_presence(connection.clone()))
    };
    rt::spawn(read_chat(connection.clone(), reader, presence, events_tx));
    let inner = Inner {
        connection,
        writer: Mutex::new(writer),
        next_client_msg_id: AtomicU64::new(1),
        max_message_chars: welcome.limits.max_message_chars as usize,
    };
    (Commands { link: Connection { inner: Arc::new(inner) } }, events_rx)
}

async fn read_presence<C: ServerConnection>(connection: Arc<C>, events: mpsc::Sender<Event>) {
    let Some(stream) = connection.accept_stream().await else { return };
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
                connection.close(close_code::PROTOCOL, b"invalid presence frame");
                return;
            }
        }
    }
}

/// Reads the presence stream without decoding it (see `ConnectOptions::presence`).
async fn discard_presence<C: ServerConnection>(connection: Arc<C>) {
    let Some(mut stream) = connection.accept_stream().await else { return };
    let mut buffer = vec![0; 64 * 1024];
    while let Ok(1..) = stream.read(&mut buffer).await {}
}

async fn read_chat<C: ServerConnection>(
    connection: Arc<C>,
    mut reader: FrameReader<C>,
    presence: Task,
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
                connection.close(close_code::PROTOCOL, b"invalid frame");
                break;
            }
        }
    }
    // The chat stream ended, so the connection is closing: let presence drain, then report
    // why, last.
    let reason = connection.closed().await;
    presence.ended().await;
    let _ = events.send(Event::Closed(reason)).await;
}

impl<C: ServerConnection> Commands<Connection<C>> {
    /// Leaves cleanly: closes the connection and waits (briefly) until the server has heard.
    pub async fn quit(&self) {
        let inner = &self.link.inner;
        {
            let mut writer = inner.writer.lock().await;
            // Wait until the server has every byte already sent, so nothing in flight is lost.
            C::finish(writer.get_mut(), QUIT_WAIT).await;
        }
        inner.connection.close(close_code::NORMAL, b"bye");
        inner.connection.wait_closed(QUIT_WAIT).await;
    }
}

impl<C: ServerConnection> Link for Connection<C> {
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

impl<C: ServerConnection> Connection<C> {
    fn disconnect_reason(&self) -> Disconnect {
        self.inner
            .connection
            .close_reason()
            .unwrap_or_else(|| Disconnect::Lost("the chat stream was closed".into()))
    }
}
