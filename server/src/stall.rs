//! Telling a client that stopped reading from one on a slow link, by the flow-control credit
//! it grants.
//!
//! A QUIC client that reads its streams keeps raising its receive limits (MAX_STREAM_DATA and
//! MAX_DATA frames: quinn sends one each time an eighth of a window has been read). One that
//! stopped reading grants nothing more; the server's writes go on until the last window is
//! used up and then wait. Timing the waiting write alone cut such a client only once its
//! window had filled plus the stall limit (2.3 s in the `slow` benchmark); timing from its
//! last credit (counting at most two thirds of the limit from before the write began to wait)
//! cuts it sooner, whatever its window. A client on a slow link that keeps reading keeps
//! granting credit, however slowly its writes complete, and is not cut as long as some comes
//! within a third of the limit of a write starting to wait and then at least once per limit
//! (with the default 1.5 s and the app's 1 MiB window: an eighth of it, 128 KiB, read in
//! 0.5 s, about 2 Mbit/s, when a burst has filled its window).
//!
//! The credit count is sampled (a lock on the connection) at most every [`SAMPLE_AFTER_WRITE`]
//! while writes go through and every [`SAMPLE_WHILE_WAITING`] while one waits. Where the
//! transport has no count (WebSocket, over TCP), a write that waits `stall` is too slow, as
//! before.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use crate::link::{ClientLink, FrameSink};

/// How often the credit count is read while writes go through, at most.
const SAMPLE_AFTER_WRITE: Duration = Duration::from_millis(10);

/// How often the credit count is read while a write waits.
const SAMPLE_WHILE_WAITING: Duration = Duration::from_millis(50);

/// Why a write did not go through.
#[derive(Debug)]
pub enum WriteFailed {
    /// The stream or connection failed (the client is gone).
    Stream(io::Error),
    /// The client granted no credit for the stall limit while the write waited.
    Stalled,
}

/// Writes to one of a client's streams and notices when the client stops reading.
pub struct StallWatch {
    link: Arc<dyn ClientLink>,
    stall: Duration,
    /// The credit count at the last sample (`None` where the transport has none).
    credit: Option<u64>,
    sampled: Instant,
    /// The latest time the client is known to have granted credit no earlier than.
    last_credit: Instant,
}

impl StallWatch {
    /// Watches `link`; a write is too slow once the client has granted no credit for `stall`.
    pub fn new(link: Arc<dyn ClientLink>, stall: Duration) -> Self {
        let now = Instant::now();
        let credit = link.credit_granted();
        StallWatch { link, stall, credit, sampled: now, last_credit: now }
    }

    /// Writes `chunk` whole, waiting as long as the client keeps granting credit.
    pub async fn write(&mut self, stream: &mut impl FrameSink, chunk: Bytes) -> Result<(), WriteFailed> {
        let started = Instant::now();
        let write = stream.write_chunk(chunk);
        tokio::pin!(write);
        loop {
            let wake = match self.credit {
                Some(_) => (self.silent_since(started) + self.stall).min(Instant::now() + SAMPLE_WHILE_WAITING),
                None => started + self.stall,
            };
            match tokio::time::timeout_at(wake, &mut write).await {
                Ok(written) => {
                    if self.sampled + SAMPLE_AFTER_WRITE <= Instant::now() {
                        self.sample();
                    }
                    return written.map_err(WriteFailed::Stream);
                }
                Err(_waiting) => {
                    self.sample();
                    if self.is_stalled(started) {
                        return Err(WriteFailed::Stalled);
                    }
                }
            }
        }
    }

    /// Whether the write that started at `started` has waited long enough without credit.
    fn is_stalled(&self, started: Instant) -> bool {
        let since = match self.credit {
            Some(_) => self.silent_since(started),
            None => started,
        };
        since.elapsed() >= self.stall
    }

    /// Since when the client counts as having granted nothing, for a write that started at
    /// `started`: its last credit, but no earlier than two thirds of the limit before the
    /// write began. A client may well have granted nothing for minutes when it had little to
    /// read; once a burst fills its window it still has a third of the limit to grant more.
    fn silent_since(&self, started: Instant) -> Instant {
        let floor = started.checked_sub(self.stall * 2 / 3).unwrap_or(started);
        self.last_credit.max(floor)
    }

    /// Reads the credit count. Credit seen now arrived after the previous sample; when that
    /// sample is recent (writes or waiting kept sampling), its time is when the credit is
    /// known to have come no earlier than. After a quiet spell there is no telling, and the
    /// client is given the benefit of the doubt: now.
    fn sample(&mut self) {
        let now = Instant::now();
        let credit = self.link.credit_granted();
        if credit != self.credit {
            self.credit = credit;
            let recent = now.duration_since(self.sampled) <= 2 * SAMPLE_WHILE_WAITING;
            self.last_credit = if recent { self.sampled } else { now };
        }
        self.sampled = now;
    }

    /// The client behind the stream.
    pub fn link(&self) -> &dyn ClientLink {
        &*self.link
    }

    /// How long without credit counts as too slow.
    pub fn stall(&self) -> Duration {
        self.stall
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    /// A client whose credit the test raises by hand.
    struct Client {
        credit: Option<AtomicU64>,
        closed: Mutex<Option<u32>>,
    }

    impl ClientLink for Client {
        fn close(&self, code: u32, _reason: &str) {
            *self.closed.lock().unwrap() = Some(code);
        }
        fn peer(&self) -> SocketAddr {
            ([127, 0, 0, 1], 1).into()
        }
        fn transport(&self) -> &'static str {
            "test"
        }
        fn credit_granted(&self) -> Option<u64> {
            self.credit.as_ref().map(|credit| credit.load(Ordering::Relaxed))
        }
    }

    /// A stream whose writes never go through (a client that stopped reading).
    struct Blocked;

    impl FrameSink for Blocked {
        async fn write_chunk(&mut self, _chunk: Bytes) -> io::Result<()> {
            std::future::pending().await
        }
        fn finish(&mut self) {}
        async fn delivered(&mut self) {}
    }

    fn client(credit: Option<u64>) -> Arc<Client> {
        Arc::new(Client { credit: credit.map(AtomicU64::new), closed: Mutex::new(None) })
    }

    const STALL: Duration = Duration::from_secs(1);

    #[tokio::test]
    async fn a_client_that_granted_no_credit_for_the_stall_limit_is_stalled_counting_from_its_last_credit() {
        let client = client(Some(0));
        let mut watch = StallWatch::new(client.clone(), STALL);
        // Writes went through for a while after the client's last credit (its window filled).
        tokio::time::sleep(STALL / 2).await;
        let started = Instant::now();
        let outcome = watch.write(&mut Blocked, Bytes::from_static(b"x")).await;
        assert!(matches!(outcome, Err(WriteFailed::Stalled)), "{outcome:?}");
        let waited = started.elapsed();
        // Cut `stall` after the last credit (half of it left here), not `stall` after the write
        // began.
        assert!(waited >= STALL / 2 - SAMPLE_WHILE_WAITING && waited < STALL * 4 / 5, "waited {waited:?}");
    }

    #[tokio::test]
    async fn a_client_that_keeps_granting_credit_is_never_cut_however_long_the_write_waits() {
        let client = client(Some(0));
        let mut watch = StallWatch::new(client.clone(), STALL);
        let raising = {
            let client = client.clone();
            tokio::spawn(async move {
                for _ in 0..20 {
                    tokio::time::sleep(STALL / 4).await;
                    client.credit.as_ref().unwrap().fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        let mut stream = Blocked;
        let write = watch.write(&mut stream, Bytes::from_static(b"x"));
        // Three times the stall limit: still waiting, because credit kept coming.
        let outcome = tokio::time::timeout(STALL * 3, write).await;
        assert!(outcome.is_err(), "the write ended: {outcome:?}");
        raising.abort();
    }

    #[tokio::test]
    async fn a_client_that_had_nothing_to_read_for_long_still_has_a_third_of_the_limit_once_its_window_fills() {
        let client = client(Some(0));
        let mut watch = StallWatch::new(client.clone(), STALL);
        tokio::time::sleep(STALL * 2).await;
        let started = Instant::now();
        let outcome = watch.write(&mut Blocked, Bytes::from_static(b"x")).await;
        assert!(matches!(outcome, Err(WriteFailed::Stalled)), "{outcome:?}");
        let waited = started.elapsed();
        assert!(waited >= STALL / 3 - SAMPLE_WHILE_WAITING, "cut after {waited:?}");
    }

    #[tokio::test]
    async fn without_a_credit_count_a_write_is_stalled_after_waiting_the_whole_limit() {
        let client = client(None);
        let mut watch = StallWatch::new(client.clone(), STALL);
        tokio::time::sleep(STALL / 2).await;
        let started = Instant::now();
        let outcome = watch.write(&mut Blocked, Bytes::from_static(b"x")).await;
        assert!(matches!(outcome, Err(WriteFailed::Stalled)), "{outcome:?}");
        assert!(started.elapsed() >= STALL, "waited {:?}", started.elapsed());
    }
}
