//! Presence events for one client alone: on a large server (see
//! [`crate::hub::PRESENCE_FOR_EVERYONE_UP_TO`]) an event goes only to the people it concerns,
//! so it is pushed into a small queue per client instead of the ring everyone reads.
//!
//! The hub pushes under its lock, never waiting. A queue that reaches [`DIRECT_BACKLOG`]
//! events stops taking more and marks itself lagged: its writer then resynchronises the
//! client as it does when it falls behind the ring. Nothing is allocated while it is empty.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use tokio::sync::Notify;

/// Events waiting in one client's queue, at most.
pub const DIRECT_BACKLOG: usize = 1024;

/// An encoded presence frame with its sequence number, so that a writer reading both the
/// ring and its own queue can put them in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequenced {
    pub seq: u64,
    pub frame: Bytes,
}

/// One client's own presence events, waiting for its writer.
#[derive(Debug, Default)]
pub struct DirectQueue {
    events: Mutex<VecDeque<Sequenced>>,
    lagged: AtomicBool,
    wake: Notify,
}

impl DirectQueue {
    /// Queues `event` and wakes the writer; a full queue drops it and marks itself lagged.
    pub fn push(&self, event: Sequenced) {
        let mut events = self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if events.len() >= DIRECT_BACKLOG {
            self.lagged.store(true, Ordering::Relaxed);
        } else {
            events.push_back(event);
        }
        drop(events);
        self.wake.notify_one();
    }

    /// Moves everything waiting into `batch`. Returns false, emptying the queue, when events
    /// were dropped since the last call (the client must be resynchronised).
    pub fn take_into(&self, batch: &mut Vec<Sequenced>) -> bool {
        let mut events = self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.lagged.swap(false, Ordering::Relaxed) {
            events.clear();
            return false;
        }
        batch.extend(std::mem::take(&mut *events));
        true
    }

    /// Waits until something is pushed (at once if something was pushed since the last wait).
    pub async fn pushed(&self) {
        self.wake.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: u64) -> Sequenced {
        Sequenced { seq, frame: Bytes::from(seq.to_string()) }
    }

    #[test]
    fn events_come_out_in_the_order_they_were_pushed() {
        let queue = DirectQueue::default();
        queue.push(event(3));
        queue.push(event(7));
        let mut batch = Vec::new();
        assert!(queue.take_into(&mut batch));
        assert_eq!(batch, [event(3), event(7)]);
        batch.clear();
        assert!(queue.take_into(&mut batch));
        assert!(batch.is_empty());
    }

    #[test]
    fn a_full_queue_drops_what_comes_and_says_so_once() {
        let queue = DirectQueue::default();
        for seq in 0..=DIRECT_BACKLOG as u64 {
            queue.push(event(seq));
        }
        let mut batch = Vec::new();
        assert!(!queue.take_into(&mut batch), "the overflow is reported");
        assert!(batch.is_empty(), "what was queued before the snapshot is dropped");
        queue.push(event(5000));
        assert!(queue.take_into(&mut batch));
        assert_eq!(batch, [event(5000)]);
    }

    #[tokio::test]
    async fn a_push_before_the_wait_is_not_missed() {
        let queue = DirectQueue::default();
        queue.push(event(1));
        tokio::time::timeout(std::time::Duration::from_secs(5), queue.pushed()).await.expect("woken");
    }
}
