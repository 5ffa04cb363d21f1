//! A browser's WebSocket as a [`ClientConnection`]: the same frames as a QUIC client's
//! streams, so the session and the hub cannot tell the two apart.
//!
//! A WebSocket is one ordered pipe, and a session wants two streams to the client (chat and
//! presence), so every binary WebSocket message starts with a channel byte ([`channel`]) and
//! carries bytes of that stream: length-prefixed frames, exactly as on QUIC. A client sends
//! only on the chat channel. One writer task owns the socket; the streams hand it messages
//! through one bounded queue, so a client that does not read holds them up (and is then
//! disconnected as too slow by the outboxes), as a full QUIC stream would. Anything else a
//! client sends (a text message, an unknown channel) closes the socket with a reason.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use anseo_shared::protocol::{MAX_FRAME_LEN, channel, close_code, websocket_close_code};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use bytes::{BufMut, Bytes, BytesMut};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, Stream, StreamExt};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::{Instant, Sleep};
use tokio_util::io::StreamReader;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

use crate::link::{ClientConnection, ClientLink, FrameSink, SHUTDOWN_REASON};

/// The largest WebSocket message a client may send: one frame at most, with its length
/// prefix and channel byte.
pub const MAX_MESSAGE: usize = MAX_FRAME_LEN + 4 + 1;

/// Messages waiting for the socket, per client.
const QUEUE: usize = 32;

/// How long the goodbye (what was queued, then the close message) may take.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// The longest close reason a WebSocket close message can carry, in bytes.
const MAX_CLOSE_REASON: usize = 123;

/// A client's WebSocket, shared by its session, its streams and its writer task.
#[derive(Clone)]
pub struct WebSocketLink {
    state: Arc<LinkState>,
}

struct LinkState {
    peer: SocketAddr,
    out: mpsc::Sender<Outgoing>,
    /// Cancelled when the link closes, from either side.
    closing: CancellationToken,
    /// The code and reason of the first close.
    close_with: Mutex<Option<(u32, String)>>,
    /// The socket's incoming half, until the session accepts the chat stream.
    incoming: Mutex<Option<SplitStream<WebSocket>>>,
    /// A client silent this long is gone.
    idle: Duration,
}

/// What the writer task is asked to do.
enum Outgoing {
    Data(Bytes),
    /// Answered once everything queued before it is on the socket.
    Flushed(oneshot::Sender<()>),
}

impl WebSocketLink {
    /// Takes over `socket`, starting its writer task (which ends when the link closes).
    /// `shutdown` closes the link as the server stops.
    pub fn start(
        socket: WebSocket,
        peer: SocketAddr,
        idle: Duration,
        shutdown: CancellationToken,
    ) -> (Self, JoinHandle<()>) {
        let (sink, stream) = socket.split();
        let (out, queue) = mpsc::channel(QUEUE);
        let state = Arc::new(LinkState {
            peer,
            out,
            closing: CancellationToken::new(),
            close_with: Mutex::new(None),
            incoming: Mutex::new(Some(stream)),
            idle,
        });
        let link = WebSocketLink { state };
        let writer = tokio::spawn(link.clone().write(sink, queue, shutdown));
        (link, writer)
    }

    /// The writer task: sends what the streams queue and a ping when the socket is quiet,
    /// until the link closes; then what was already queued, and the close message.
    async fn write(
        self,
        mut sink: SplitSink<WebSocket, Message>,
        mut queue: mpsc::Receiver<Outgoing>,
        shutdown: CancellationToken,
    ) {
        let mut ping = tokio::time::interval(self.state.idle / 3);
        ping.reset();
        loop {
            tokio::select! {
                biased;
                _ = self.state.closing.cancelled() => break,
                _ = shutdown.cancelled() => {
                    self.close(close_code::SHUTDOWN, SHUTDOWN_REASON);
                    break;
                }
                next = queue.recv() => match next {
                    Some(Outgoing::Data(message)) => {
                        if sink.send(Message::Binary(message)).await.is_err() {
                            return self.state.closing.cancel();
                        }
                        ping.reset();
                    }
                    Some(Outgoing::Flushed(done)) => {
                        let _ = done.send(());
                    }
                    None => break,
                },
                _ = ping.tick() => {
                    if sink.send(Message::Ping(Bytes::new())).await.is_err() {
                        return self.state.closing.cancel();
                    }
                }
            }
        }
        let goodbye = async {
            while let Ok(outgoing) = queue.try_recv() {
                match outgoing {
                    Outgoing::Data(message) => sink.send(Message::Binary(message)).await?,
                    Outgoing::Flushed(done) => drop(done.send(())),
                }
            }
            sink.send(Message::Close(Some(self.close_frame()))).await?;
            sink.close().await
        };
        let _ = tokio::time::timeout(CLOSE_WAIT, goodbye).await;
    }

    /// The close message: the code and reason of the first close.
    fn close_frame(&self) -> CloseFrame {
        let (code, reason) = self.lock_close().clone().unwrap_or((close_code::NORMAL, String::new()));
        CloseFrame { code: websocket_close_code(code), reason: truncated(&reason, MAX_CLOSE_REASON).into() }
    }

    fn lock_close(&self) -> std::sync::MutexGuard<'_, Option<(u32, String)>> {
        self.state.close_with.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A stream to the client on `channel`.
    fn sink(&self, channel: u8) -> WebSocketSink {
        WebSocketSink { channel, out: self.state.out.clone(), closing: self.state.closing.clone() }
    }
}

impl ClientLink for WebSocketLink {
    fn close(&self, code: u32, reason: &str) {
        self.lock_close().get_or_insert_with(|| (code, reason.to_string()));
        self.state.closing.cancel();
    }

    fn peer(&self) -> SocketAddr {
        self.state.peer
    }

    fn transport(&self) -> &'static str {
        "WebSocket"
    }
}

impl ClientConnection for WebSocketLink {
    type Sink = WebSocketSink;
    type Source = StreamReader<Incoming, Bytes>;

    async fn accept_duplex(&self) -> io::Result<(Self::Sink, Self::Source)> {
        let stream = self.state.incoming.lock().unwrap_or_else(|e| e.into_inner()).take();
        let stream = stream.ok_or_else(|| io::Error::other("the chat stream was already accepted"))?;
        let incoming = Incoming {
            stream,
            link: self.clone(),
            closed: Box::pin(self.state.closing.clone().cancelled_owned()),
            silence: Box::pin(tokio::time::sleep(self.state.idle)),
        };
        Ok((self.sink(channel::CHAT), StreamReader::new(incoming)))
    }

    async fn open_sink(&self) -> io::Result<Self::Sink> {
        Ok(self.sink(channel::PRESENCE))
    }

    fn is_closed(&self) -> bool {
        self.state.closing.is_cancelled()
    }

    /// A WebSocket carries no transfers (yet).
    fn allow_transfers(&self, _uploads: u32) {}

    async fn accept_transfer(&self) -> io::Result<(Self::Sink, Self::Source)> {
        std::future::pending().await
    }
}

/// One of the client's streams: bytes sent as WebSocket messages on its channel.
pub struct WebSocketSink {
    channel: u8,
    out: mpsc::Sender<Outgoing>,
    closing: CancellationToken,
}

impl FrameSink for WebSocketSink {
    async fn write_chunk(&mut self, chunk: Bytes) -> io::Result<()> {
        let mut message = BytesMut::with_capacity(1 + chunk.len());
        message.put_u8(self.channel);
        message.put_slice(&chunk);
        tokio::select! {
            biased;
            _ = self.closing.cancelled() => Err(io::ErrorKind::BrokenPipe.into()),
            sent = self.out.send(Outgoing::Data(message.freeze())) => {
                sent.map_err(|_| io::ErrorKind::BrokenPipe.into())
            }
        }
    }

    fn finish(&mut self) {}

    async fn delivered(&mut self) {
        let (done, flushed) = oneshot::channel();
        if self.out.send(Outgoing::Flushed(done)).await.is_ok() {
            let _ = flushed.await;
        }
    }
}

/// The bytes the client sends on its chat channel, for the session's frame reader. Ends
/// when the link closes or the client has been silent for the idle timeout.
pub struct Incoming {
    stream: SplitStream<WebSocket>,
    link: WebSocketLink,
    closed: Pin<Box<WaitForCancellationFutureOwned>>,
    silence: Pin<Box<Sleep>>,
}

impl Stream for Incoming {
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.closed.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        if self.silence.as_mut().poll(cx).is_ready() {
            let idle = self.link.state.idle;
            self.link.close(close_code::NORMAL, &format!("no answer in {} s", idle.as_secs()));
            return Poll::Ready(None);
        }
        loop {
            let Some(Ok(message)) = ready!(self.stream.poll_next_unpin(cx)) else {
                self.link.state.closing.cancel();
                return Poll::Ready(None);
            };
            let idle = self.link.state.idle;
            self.silence.as_mut().reset(Instant::now() + idle);
            match message {
                Message::Binary(bytes) if bytes.first() == Some(&channel::CHAT) => {
                    return Poll::Ready(Some(Ok(bytes.slice(1..))));
                }
                Message::Binary(_) => return self.refuse("a message on an unknown channel"),
                Message::Text(_) => return self.refuse("a text message (Anseo speaks binary messages)"),
                Message::Ping(_) | Message::Pong(_) => {}
                Message::Close(_) => {
                    self.link.state.closing.cancel();
                    return Poll::Ready(None);
                }
            }
        }
    }
}

impl Incoming {
    fn refuse(&self, what: &str) -> Poll<Option<io::Result<Bytes>>> {
        tracing::warn!("protocol error from {}: {what}", self.link.state.peer);
        self.link.close(close_code::PROTOCOL, &format!("not an Anseo frame: {what}"));
        Poll::Ready(None)
    }
}

/// `text` cut to at most `max` bytes, at a character boundary.
fn truncated(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_reasons_are_cut_at_a_character_boundary() {
        assert_eq!(truncated("bye", 123), "bye");
        assert_eq!(truncated("ééé", 5), "éé");
        assert_eq!(truncated(&"x".repeat(200), MAX_CLOSE_REASON).len(), MAX_CLOSE_REASON);
    }
}
