//! The presence feed: joins, leaves, renames and new rooms.
//!
//! On a small server everyone online hears every event. Each event is encoded once into one ring shared by every client (a tokio broadcast
//! channel), not copied into a queue per client: announcing a login to 10,000 people is one
//! append, not 10,000. Each client's presence writer reads the ring at its own pace and writes
//! everything that came since its last write in one go, while events keep coming at most once
//! per [`coalescing_interval`] (longer the more people are online), so a login rush costs
//! each client a few packets a second instead of one per login.
//!
//! The ring holds [`PRESENCE_BACKLOG`] events (`--presence-backlog`). A writer that falls
//! further behind (a rush of logins and joins came faster than it writes) has missed events it
//! can no longer get: it does not cut the client off but resynchronises. Under the hub's lock
//! it moves to the end of the ring and queues the client a fresh snapshot on the chat stream,
//! who is online (`Users`) and the rooms (`Rooms`), which a client takes in place of what it
//! knew; the events after the snapshot follow on the presence stream as before, with a gap in
//! their sequence numbers. A client that stops reading is still disconnected as too slow when
//! a write stalls.
//!
//! On a large server an event goes only to the people it concerns, through a queue per client
//! ([`direct`]); the writer reads both, in sequence order.

mod direct;

pub use direct::{DIRECT_BACKLOG, DirectQueue, Sequenced};

use std::sync::Arc;
use std::time::Duration;

use anseo_shared::protocol::close_code;
use bytes::Bytes;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::{broadcast, oneshot};
use tokio::time::Instant;

use crate::link::{ClientLink, FrameSink};
use crate::outbox::contiguous;
use crate::stall::{StallWatch, WriteFailed};

/// Presence events kept for writers that are behind, at most (about 40 bytes each).
pub const PRESENCE_BACKLOG: usize = 16 * 1024;

/// The shortest time between two writes to one client's presence stream while events keep
/// coming, per client online. Every online client hears of every login: with one write per
/// event, 1,000 logins a second would cost each of them 1,000 packets a second, and the
/// server as many packets as logins times clients. Waiting this long per client online keeps
/// the packets for presence under about 10,000 a second in all, whatever the number online.
const COALESCE_PER_CLIENT: Duration = Duration::from_micros(100);
/// The interval for a small server: presence as prompt as chat.
const MIN_COALESCE: Duration = Duration::from_millis(1);
/// The interval for a large one: who is online among 10,000 may be a second late.
const MAX_COALESCE: Duration = Duration::from_secs(1);

/// Events written in one call, at most.
const BATCH: usize = 1024;

/// The sending side, owned by the hub (under its lock).
pub struct PresenceFeed {
    events: broadcast::Sender<Sequenced>,
}

/// Kept in the hub's record of a user: dropping it (the user logs out) ends that user's
/// presence writer, which would otherwise hear its own departure. Events for this user
/// alone go through it.
pub struct Subscription {
    _alive: oneshot::Sender<()>,
    direct: Arc<DirectQueue>,
}

/// One client's view of the feed: every event published after it subscribed, and those
/// sent to it alone.
#[derive(Debug)]
pub struct PresenceReceiver {
    events: broadcast::Receiver<Sequenced>,
    direct: Arc<DirectQueue>,
    /// The feed itself, to count who else is reading it.
    feed: broadcast::Sender<Sequenced>,
    logged_out: oneshot::Receiver<()>,
}

/// How a writer that fell behind catches up: called with a function that moves the writer to
/// the end of the ring, it calls that function under the hub's lock and queues the client a
/// snapshot of what the missed events changed (see the module docs).
pub type Resync = Box<dyn Fn(&mut dyn FnMut()) + Send + Sync>;

/// A receiver fell more than [`PRESENCE_BACKLOG`] events behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lagged;

impl PresenceFeed {
    /// A feed that keeps `backlog` events (at least one) for receivers that are behind.
    pub fn new(backlog: usize) -> Self {
        PresenceFeed { events: broadcast::channel(backlog.max(1)).0 }
    }

    /// Appends an encoded presence frame for everyone subscribed.
    pub fn publish(&self, event: Sequenced) {
        // An error only means nobody is subscribed: nobody to tell.
        let _ = self.events.send(event);
    }

    /// A receiver of every event published from now on, and the handle that keeps it open.
    pub fn subscribe(&self) -> (PresenceReceiver, Subscription) {
        let (alive, logged_out) = oneshot::channel();
        let direct = Arc::new(DirectQueue::default());
        let receiver = PresenceReceiver {
            events: self.events.subscribe(),
            direct: direct.clone(),
            feed: self.events.clone(),
            logged_out,
        };
        (receiver, Subscription { _alive: alive, direct })
    }
}

impl Subscription {
    /// Sends this user alone an encoded presence frame.
    pub fn send(&self, event: Sequenced) {
        self.direct.push(event);
    }
}

impl PresenceReceiver {
    /// Takes every event published or sent to this client so far, in sequence order (for
    /// driving the hub without a network).
    pub fn try_drain(&mut self) -> Result<Vec<Bytes>, Lagged> {
        let mut events = Vec::new();
        if !self.direct.take_into(&mut events) {
            return Err(Lagged);
        }
        loop {
            match self.events.try_recv() {
                Ok(event) => events.push(event),
                Err(TryRecvError::Lagged(_)) => return Err(Lagged),
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        events.sort_by_key(|event| event.seq);
        Ok(events.into_iter().map(|event| event.frame).collect())
    }

    /// Writes the feed into the client's presence stream (one for the whole session) until the
    /// user logs out or the connection ends. A client that grants no room for `stall` while a
    /// write waits is disconnected as too slow ([`crate::stall`]); a writer that falls behind the
    /// ring catches up with `resync`.
    pub async fn write_to(
        mut self,
        mut stream: impl FrameSink,
        connection: Arc<dyn ClientLink>,
        stall: Duration,
        resync: Resync,
    ) {
        let mut batch = Vec::new();
        let mut last_write: Option<Instant> = None;
        let mut watch = StallWatch::new(connection, stall);
        loop {
            let first = tokio::select! {
                biased;
                _ = &mut self.logged_out => break,
                _ = self.direct.pushed() => None,
                first = self.events.recv() => Some(first),
            };
            match first {
                None => {}
                Some(Ok(event)) => batch.push(event),
                Some(Err(RecvError::Lagged(missed))) => {
                    self.resync(&resync, missed);
                    continue;
                }
                Some(Err(RecvError::Closed)) => break,
            }
            let interval = coalescing_interval(self.feed.receiver_count());
            if let Some(last) = last_write
                && Instant::now() < last + interval
            {
                tokio::select! {
                    biased;
                    _ = &mut self.logged_out => break,
                    _ = tokio::time::sleep_until(last + interval) => {}
                }
            }
            // Its own queue first: whatever the ring holds numbered below what the queue holds
            // was published before it, so it is in the ring by now and comes in this batch.
            if !self.direct.take_into(&mut batch) || self.take_waiting(&mut batch).is_err() {
                // The snapshot covers the events still in the batch too.
                batch.clear();
                self.resync(&resync, BATCH as u64);
                continue;
            }
            if batch.is_empty() {
                continue;
            }
            batch.sort_by_key(|event| event.seq);
            let bytes = batch.iter().map(|event| event.frame.len()).sum();
            let mut frames: Vec<Bytes> = batch.drain(..).map(|event| event.frame).collect();
            let chunk = contiguous(&mut frames, bytes);
            let written = watch.write(&mut stream, chunk).await;
            last_write = Some(Instant::now());
            match written {
                Ok(()) => {}
                Err(WriteFailed::Stream(_)) => return,
                Err(WriteFailed::Stalled) => {
                    return too_slow(watch.link(), "the presence stream did not move");
                }
            }
        }
        stream.finish();
    }

    /// Moves to the end of the ring and has the client sent a snapshot, after `missed` events
    /// (at least) went past this writer.
    fn resync(&mut self, resync: &Resync, missed: u64) {
        tracing::info!(missed, "a presence writer fell behind; sending its client a fresh snapshot");
        let events = &mut self.events;
        resync(&mut || *events = events.resubscribe());
    }

    /// Adds the events waiting in the ring to `batch`, up to [`BATCH`].
    fn take_waiting(&mut self, batch: &mut Vec<Sequenced>) -> Result<(), Lagged> {
        while batch.len() < BATCH {
            match self.events.try_recv() {
                Ok(event) => batch.push(event),
                Err(TryRecvError::Lagged(_)) => return Err(Lagged),
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        Ok(())
    }
}

/// How long a busy presence writer waits between writes with `online` clients subscribed.
pub fn coalescing_interval(online: usize) -> Duration {
    COALESCE_PER_CLIENT.saturating_mul(online.min(u32::MAX as usize) as u32).clamp(MIN_COALESCE, MAX_COALESCE)
}

fn too_slow(connection: &dyn ClientLink, what: &str) {
    tracing::warn!(peer = %connection.peer(), "client too slow: {what}, disconnecting");
    let reason = format!("too slow: {what}");
    connection.close(close_code::TOO_SLOW, &reason);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: u64, text: &'static str) -> Sequenced {
        Sequenced { seq, frame: Bytes::from_static(text.as_bytes()) }
    }

    #[test]
    fn a_subscriber_gets_every_event_after_it_subscribed_in_order() {
        let feed = PresenceFeed::new(PRESENCE_BACKLOG);
        feed.publish(event(1, "before"));
        let (mut receiver, _subscription) = feed.subscribe();
        feed.publish(event(2, "one"));
        feed.publish(event(3, "two"));
        assert_eq!(receiver.try_drain(), Ok(vec![Bytes::from_static(b"one"), Bytes::from_static(b"two")]));
        assert_eq!(receiver.try_drain(), Ok(Vec::new()));
    }

    #[test]
    fn events_sent_to_one_client_and_to_everyone_come_out_in_sequence_order() {
        let feed = PresenceFeed::new(PRESENCE_BACKLOG);
        let (mut receiver, subscription) = feed.subscribe();
        feed.publish(event(1, "everyone"));
        subscription.send(event(2, "mine"));
        feed.publish(event(3, "everyone again"));
        subscription.send(event(4, "mine again"));
        let frames: Vec<Bytes> = ["everyone", "mine", "everyone again", "mine again"]
            .map(|text| Bytes::from_static(text.as_bytes()))
            .into();
        assert_eq!(receiver.try_drain(), Ok(frames));
    }

    #[test]
    fn a_subscriber_that_falls_behind_the_backlog_is_told() {
        let feed = PresenceFeed::new(PRESENCE_BACKLOG);
        let (mut receiver, _subscription) = feed.subscribe();
        for seq in 0..=PRESENCE_BACKLOG as u64 {
            feed.publish(event(seq, "event"));
        }
        assert_eq!(receiver.try_drain(), Err(Lagged));
    }

    #[test]
    fn a_writer_that_fell_behind_resubscribes_at_the_end_of_the_ring_under_the_resync() {
        let feed = PresenceFeed::new(4);
        let (mut receiver, _subscription) = feed.subscribe();
        for seq in 0..10 {
            feed.publish(event(seq, "missed"));
        }
        let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = calls.clone();
        let resync: Resync = Box::new(move |resubscribe| {
            resubscribe();
            counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        receiver.resync(&resync, 6);
        assert_eq!(calls.load(std::sync::atomic::Ordering::Relaxed), 1, "the snapshot was asked for");
        assert_eq!(receiver.try_drain(), Ok(Vec::new()), "nothing before the snapshot is left");
        feed.publish(event(10, "after"));
        assert_eq!(receiver.try_drain(), Ok(vec![Bytes::from_static(b"after")]));
    }

    #[test]
    fn busy_writers_wait_longer_the_more_people_are_online() {
        assert_eq!(coalescing_interval(1), MIN_COALESCE);
        assert_eq!(coalescing_interval(10), MIN_COALESCE);
        assert_eq!(coalescing_interval(1_000), Duration::from_millis(100));
        assert_eq!(coalescing_interval(10_000), MAX_COALESCE);
        assert_eq!(coalescing_interval(usize::MAX), MAX_COALESCE);
    }
}
