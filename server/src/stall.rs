//! Telling a client that stopped reading from one on a slow link, by the flow-control credit
//! it grants.
//!
//! A QUIC client that reads its streams keeps raising its receive limits (MAX_STREAM_DATA and
//! MAX_DATA frames: quinn sends one each time an eighth of a window has been read). One that
//! stopped reading grants nothing more; the server's writes go on until its window is used up
//! and then wait. Timing the waiting write alone cut such a client only once its window had
//! filled plus the stall limit (2.3 s in the `slow` benchmark). Here a waiting write is too
//! slow when the client has granted no credit for the limit, counted from its last credit
//! (but from no earlier than two thirds of the limit before the write began to wait: a client
//! may well have granted nothing for minutes when it had little to read), and no stream data
//! has gone out to it for a third of the limit (everything its window allows was sent: it
//! has it and does not read it). To a client on a slow link, what the server holds for it
//! keeps going out as its acknowledgements open the congestion window, so it is not cut
//! however long its writes take. (quinn 0.11 does not count the bytes a peer acknowledged;
//! STREAM frames sent are the nearest count it keeps.)
//!
//! The counts are sampled (a lock on the connection) at most every [`SAMPLE_AFTER_WRITE`]
//! while writes go through and every [`SAMPLE_WHILE_WAITING`] while one waits. Where the
//! transport has no counts (WebSocket, over TCP), a write that waits the limit is too slow.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use crate::link::{ClientLink, FrameSink, Progress};

/// How often the client's progress is read while writes go through, at most.
const SAMPLE_AFTER_WRITE: Duration = Duration::from_millis(10);

/// How often the client's progress is read while a write waits.
const SAMPLE_WHILE_WAITING: Duration = Duration::from_millis(50);

/// Why a write did not go through.
#[derive(Debug)]
pub enum WriteFailed {
    /// The stream or connection failed (the client is gone).
    Stream(io::Error),
    /// The client took nothing in for the stall limit while the write waited.
    Stalled,
}

/// Writes to one of a client's streams and notices when the client stops reading.
pub struct StallWatch {
    link: Arc<dyn ClientLink>,
    stall: Duration,
    /// The counts at the last sample (`None` where the transport has none).
    seen: Option<Progress>,
    sampled: Instant,
    /// The latest times the client is known to have granted credit, and stream data to have
    /// gone out to it, no earlier than.
    last_credit: Instant,
    last_sent: Instant,
}

impl StallWatch {
    /// Watches `link`; a write is too slow once the client has taken nothing in for `stall`.
    pub fn new(link: Arc<dyn ClientLink>, stall: Duration) -> Self {
        let now = Instant::now();
        let seen = link.progress();
        StallWatch { link, stall, seen, sampled: now, last_credit: now, last_sent: now }
    }

    /// Writes `chunk` whole, waiting as long as the client keeps taking data in.
    pub async fn write(&mut self, stream: &mut impl FrameSink, chunk: Bytes) -> Result<(), WriteFailed> {
        let started = Instant::now();
        let write = stream.write_chunk(chunk);
        tokio::pin!(write);
        loop {
            let wake = match self.seen {
                Some(_) => Instant::now() + SAMPLE_WHILE_WAITING,
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

    /// Whether the write that started at `started` has waited long enough (see the module).
    fn is_stalled(&self, started: Instant) -> bool {
        if self.seen.is_none() {
            return started.elapsed() >= self.stall;
        }
        let floor = started.checked_sub(self.stall * 2 / 3).unwrap_or(started);
        self.last_credit.max(floor).elapsed() >= self.stall && self.last_sent.elapsed() >= self.stall / 3
    }

    /// Reads the client's progress. What changed since the previous sample happened after
    /// it; when that sample is recent (writes or waiting kept sampling), its time is when it is
    /// known to have happened no earlier than. After a quiet spell there is no telling, and the
    /// client is given the benefit of the doubt: now.
    fn sample(&mut self) {
        let now = Instant::now();
        let progress = self.link.progress();
        let since = match now.duration_since(self.sampled) <= 2 * SAMPLE_WHILE_WAITING {
            true => self.sampled,
            false => now,
        };
        if let (Some(old), Some(new)) = (self.seen, progress) {
            if new.credit != old.credit {
                self.last_credit = since;
            }
            if new.sent != old.sent {
                self.last_sent = since;
            }
        }
        self.seen = progress;
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

    /// A client whose credit and stream data sent the test raises by hand.
    struct Client {
        counts: Option<(AtomicU64, AtomicU64)>,
        closed: Mutex<Option<u32>>,
    }

    impl Client {
        fn grant(&self) {
            self.counts.as_ref().unwrap().0.fetch_add(1, Ordering::Relaxed);
        }
        fn send(&self) {
            self.counts.as_ref().unwrap().1.fetch_add(1, Ordering::Relaxed);
        }
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
        fn progress(&self) -> Option<Progress> {
            let (credit, sent) = self.counts.as_ref()?;
            Some(Progress { credit: credit.load(Ordering::Relaxed), sent: sent.load(Ordering::Relaxed) })
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

    fn client(counted: bool) -> Arc<Client> {
        let counts = counted.then(|| (AtomicU64::new(0), AtomicU64::new(0)));
        Arc::new(Client { counts, closed: Mutex::new(None) })
    }

    const STALL: Duration = Duration::from_secs(1);

    #[tokio::test]
    async fn a_client_that_granted_no_credit_for_the_stall_limit_is_stalled_counting_from_its_last_credit() {
        let client = client(true);
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

    /// Whether a write that the stream never takes is still waiting after three times the
    /// limit, while `progress` happens to the client `every` so often.
    async fn still_waiting(every: Duration, progress: fn(&Client)) -> bool {
        let client = client(true);
        let mut watch = StallWatch::new(client.clone(), STALL);
        let ticking = {
            let client = client.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    progress(&client);
                }
            })
        };
        let mut stream = Blocked;
        let outcome =
            tokio::time::timeout(STALL * 3, watch.write(&mut stream, Bytes::from_static(b"x"))).await;
        ticking.abort();
        outcome.is_err()
    }

    #[tokio::test]
    async fn a_client_that_keeps_granting_credit_is_never_cut_however_long_the_write_waits() {
        assert!(still_waiting(STALL / 4, Client::grant).await, "cut although credit kept coming");
    }

    #[tokio::test]
    async fn a_client_that_had_nothing_to_read_for_long_still_has_a_third_of_the_limit_once_its_window_fills()
    {
        let client = client(true);
        let mut watch = StallWatch::new(client.clone(), STALL);
        tokio::time::sleep(STALL * 2).await;
        let started = Instant::now();
        let outcome = watch.write(&mut Blocked, Bytes::from_static(b"x")).await;
        assert!(matches!(outcome, Err(WriteFailed::Stalled)), "{outcome:?}");
        let waited = started.elapsed();
        assert!(waited >= STALL / 3 - SAMPLE_WHILE_WAITING, "cut after {waited:?}");
    }

    #[tokio::test]
    async fn a_client_on_a_slow_link_that_data_still_goes_out_to_is_not_cut() {
        assert!(still_waiting(STALL / 10, Client::send).await, "cut although its data kept going out");
    }

    #[tokio::test]
    async fn without_a_credit_count_a_write_is_stalled_after_waiting_the_whole_limit() {
        let client = client(false);
        let mut watch = StallWatch::new(client.clone(), STALL);
        tokio::time::sleep(STALL / 2).await;
        let started = Instant::now();
        let outcome = watch.write(&mut Blocked, Bytes::from_static(b"x")).await;
        assert!(matches!(outcome, Err(WriteFailed::Stalled)), "{outcome:?}");
        assert!(started.elapsed() >= STALL, "waited {:?}", started.elapsed());
    }
}
