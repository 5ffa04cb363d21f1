//! Bounded per-client queues of encoded frames, and the writer task that drains one onto the
//! client's chat stream (presence has one feed shared by everyone: [`crate::presence`]).
//!
//! Every reply and chat frame for a client goes through an [`Outbox`]: the hub pushes already-encoded
//! [`Bytes`] with `try_send` while it holds its lock (never waiting), and one writer task per
//! stream takes everything that has queued up and writes it in one call, so several messages
//! for one client leave together (fan-out cost is per recipient, not per message); while a
//! stream is busy it writes at most once per [`COALESCE`], so they share packets. A client
//! that does not keep up overflows its queue (by count or by bytes) and is disconnected with
//! [`close_code::TOO_SLOW`] instead of being buffered without bound.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use anseo_shared::protocol::close_code;
use bytes::{Bytes, BytesMut};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::link::{ClientLink, FrameSink};
use crate::stall::{StallWatch, WriteFailed};

/// How much may wait for one stream of one client before it counts as too slow.
#[derive(Debug, Clone, Copy)]
pub struct OutboxLimits {
    /// Frames waiting, at most.
    pub frames: usize,
    /// Bytes waiting (including what the writer is handing to QUIC), at most.
    pub bytes: usize,
    /// How long the client may grant no room while a write waits before it counts as too
    /// slow ([`crate::stall`]).
    pub stall: Duration,
}

impl Default for OutboxLimits {
    fn default() -> Self {
        OutboxLimits { frames: 8192, bytes: 1024 * 1024, stall: Duration::from_millis(1500) }
    }
}

/// Frames written in one call, at most.
const BATCH: usize = 256;

/// Slots of the batch buffer a writer keeps between writes; a bigger one, grown by a burst,
/// is given back.
const KEEP_SLOTS: usize = 64;

/// The shortest time between two writes to one stream while frames keep arriving. Each
/// write costs the client at least one QUIC packet; profiling the 100-client fan-out showed
/// the server spending most of its time per packet (building, encrypting, `sendmsg`, and
/// processing the acknowledgement), little per message. One write per millisecond at most
/// lets a busy room pack several messages per packet, for at most a millisecond of delay,
/// and only while the stream is busy.
const COALESCE: Duration = Duration::from_millis(1);

/// The sending half: cheap, non-blocking, safe to use under the hub's lock.
pub struct Outbox {
    frames: mpsc::Sender<Bytes>,
    queued_bytes: Arc<AtomicUsize>,
    max_bytes: usize,
    /// Set once the client has been disconnected for overflowing; later frames are dropped.
    overflowed: AtomicBool,
    /// The client to disconnect on overflow (none for a detached queue).
    connection: Option<Arc<dyn ClientLink>>,
    /// Which stream this is, for the disconnect reason.
    stream: &'static str,
}

/// The receiving half, owned by a writer task.
pub struct OutboxReceiver {
    frames: mpsc::Receiver<Bytes>,
    queued_bytes: Arc<AtomicUsize>,
    watch: StallWatch,
    stream: &'static str,
}

impl Outbox {
    /// A new empty queue for one stream of `connection`.
    pub fn new(
        connection: &Arc<dyn ClientLink>,
        stream: &'static str,
        limits: OutboxLimits,
    ) -> (Outbox, OutboxReceiver) {
        let (tx, rx) = mpsc::channel(limits.frames);
        let queued_bytes = Arc::new(AtomicUsize::new(0));
        let outbox = Outbox {
            frames: tx,
            queued_bytes: queued_bytes.clone(),
            max_bytes: limits.bytes,
            overflowed: AtomicBool::new(false),
            connection: Some(connection.clone()),
            stream,
        };
        let receiver = OutboxReceiver {
            frames: rx,
            queued_bytes,
            watch: StallWatch::new(connection.clone(), limits.stall),
            stream,
        };
        (outbox, receiver)
    }

    /// A queue with no connection behind it, read with [`DetachedReceiver::try_drain`]: for
    /// driving the hub without a network (the fuzz target, hub tests).
    pub fn detached(limits: OutboxLimits) -> (Outbox, DetachedReceiver) {
        let (tx, rx) = mpsc::channel(limits.frames);
        let queued_bytes = Arc::new(AtomicUsize::new(0));
        let outbox = Outbox {
            frames: tx,
            queued_bytes: queued_bytes.clone(),
            max_bytes: limits.bytes,
            overflowed: AtomicBool::new(false),
            connection: None,
            stream: "detached",
        };
        (outbox, DetachedReceiver { frames: rx, queued_bytes })
    }

    /// Closes the connection behind this queue with an application `code` and `reason`.
    pub fn close(&self, code: u32, reason: &str) {
        if let Some(connection) = &self.connection {
            connection.close(code, reason);
        }
    }

    /// Bytes waiting now (including what the writer is handing to QUIC).
    pub fn queued_bytes(&self) -> usize {
        self.queued_bytes.load(Ordering::Relaxed)
    }

    /// Queues one encoded frame without waiting. On overflow the client is disconnected as
    /// too slow; returns whether the frame was queued.
    pub fn push(&self, frame: Bytes) -> bool {
        if self.overflowed.load(Ordering::Relaxed) {
            return false;
        }
        let len = frame.len();
        let before = self.queued_bytes.fetch_add(len, Ordering::Relaxed);
        if before + len > self.max_bytes {
            self.queued_bytes.fetch_sub(len, Ordering::Relaxed);
            self.overflow();
            return false;
        }
        match self.frames.try_send(frame) {
            Ok(()) => true,
            Err(error) => {
                self.queued_bytes.fetch_sub(len, Ordering::Relaxed);
                if matches!(error, mpsc::error::TrySendError::Full(_)) {
                    self.overflow();
                }
                false
            }
        }
    }

    fn overflow(&self) {
        if self.overflowed.swap(true, Ordering::Relaxed) {
            return;
        }
        let Some(connection) = &self.connection else { return };
        tracing::warn!(
            peer = %connection.peer(),
            "client too slow: its {} queue is full, disconnecting", self.stream
        );
        let reason =
            format!("too slow: more than {} bytes waiting on the {} stream", self.max_bytes, self.stream);
        connection.close(close_code::TOO_SLOW, &reason);
    }
}

impl OutboxReceiver {
    /// Writes everything queued to `stream`, batch by batch, until every [`Outbox`] sender is
    /// gone (then finishes the stream) or the stream fails.
    ///
    /// A frame that finds the stream quiet is written at once. While frames keep coming, the
    /// writer waits until [`COALESCE`] after its previous write and takes everything that
    /// queued up meanwhile: many messages for one client then share one QUIC packet (one
    /// encryption, one `sendmsg`, one acknowledgement) instead of costing a packet each.
    /// While the stream stays busy the writer sleeps out the interval before looking at the
    /// queue at all, so each write costs it one wake-up (the timer's), not two.
    pub async fn drain_into(mut self, mut stream: impl FrameSink) {
        // Grows with the batches actually seen: a quiet client's writer holds no 8 KiB of
        // empty slots (two writers per client, thousands of clients).
        let mut batch = Vec::new();
        let mut last_write: Option<Instant> = None;
        let mut busy = false;
        loop {
            if let Some(last) = last_write
                && busy
            {
                tokio::time::sleep_until(last + COALESCE).await;
            }
            if self.frames.recv_many(&mut batch, BATCH).await == 0 {
                break;
            }
            // Busy: this batch began within two intervals of the previous write.
            busy = last_write.is_some_and(|last| Instant::now() < last + 2 * COALESCE);
            if let Some(last) = last_write
                && batch.len() < BATCH
                && Instant::now() < last + COALESCE
            {
                tokio::time::sleep_until(last + COALESCE).await;
                while batch.len() < BATCH {
                    match self.frames.try_recv() {
                        Ok(frame) => batch.push(frame),
                        Err(_) => break,
                    }
                }
            }
            let bytes: usize = batch.iter().map(Bytes::len).sum();
            let chunk = contiguous(&mut batch, bytes);
            // A client that stops reading stops granting flow-control credit, so the write
            // waits; past the stall limit it is cut off rather than holding memory.
            let written = self.watch.write(&mut stream, chunk).await;
            last_write = Some(Instant::now());
            self.queued_bytes.fetch_sub(bytes, Ordering::Relaxed);
            if batch.capacity() > KEEP_SLOTS {
                batch = Vec::new();
            }
            match written {
                Ok(()) => {}
                Err(WriteFailed::Stream(_)) => return,
                Err(WriteFailed::Stalled) => return self.stalled(),
            }
        }
        stream.finish();
    }

    fn stalled(&self) {
        let (link, stall) = (self.watch.link(), self.watch.stall());
        tracing::warn!(
            peer = %link.peer(),
            "client too slow: it read nothing on its {} stream for {stall:?}, disconnecting",
            self.stream,
        );
        let reason = format!("too slow: the {} stream did not move for {stall:?}", self.stream);
        link.close(close_code::TOO_SLOW, &reason);
    }
}

/// The frames of `batch` (`bytes` long in all) as one buffer, leaving `batch` empty.
///
/// quinn keeps every chunk written to a stream until the client acknowledges it, and finds
/// the bytes for each packet by walking that list from the start, so its cost per packet
/// grows with the chunks in flight. Handing it one chunk per write instead of one per frame
/// keeps the list short: in the 100-client fan-out, that walk was 60 % of the server's
/// instructions before. Copying a few hundred bytes is cheap beside it.
pub(crate) fn contiguous(batch: &mut Vec<Bytes>, bytes: usize) -> Bytes {
    if batch.len() == 1
        && let Some(frame) = batch.pop()
    {
        return frame;
    }
    let mut joined = BytesMut::with_capacity(bytes);
    for frame in batch.drain(..) {
        joined.extend_from_slice(&frame);
    }
    joined.freeze()
}

/// The reading half of a detached queue.
pub struct DetachedReceiver {
    frames: mpsc::Receiver<Bytes>,
    queued_bytes: Arc<AtomicUsize>,
}

impl DetachedReceiver {
    /// Takes every frame queued so far.
    pub fn try_drain(&mut self) -> Vec<Bytes> {
        let mut frames = Vec::new();
        while let Ok(frame) = self.frames.try_recv() {
            self.queued_bytes.fetch_sub(frame.len(), Ordering::Relaxed);
            frames.push(frame);
        }
        frames
    }
}
