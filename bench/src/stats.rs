//! What receivers record: a latency histogram (microseconds), deliveries and a per-second
//! latency series for the trend check, all for one measurement window at a time.
//!
//! Each receiver owns a [`Recorder`] behind a std `Mutex` that only it and the coordinator
//! touch, for a moment each (never across `.await`), so there is no contention to speak of.
//! The coordinator moves the [`Window`] forward and takes the records between steps.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use hdrhistogram::Histogram;

/// Latencies above this many microseconds are recorded as this.
const MAX_LATENCY_US: u64 = 300_000_000;

/// A new, empty latency histogram in microseconds (3 significant digits).
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).expect("valid histogram bounds")
}

/// The measurement window: only messages *sent* inside it count, so warm-up traffic and late
/// arrivals from an earlier step are ignored. Times are [`crate::clock`] nanoseconds.
#[derive(Debug, Default)]
pub struct Window {
    start_ns: AtomicU64,
    end_ns: AtomicU64,
    /// Messages sent in the window.
    pub sent: AtomicU64,
    /// Deliveries those messages should make (one per receiver other than the sender).
    pub expected: AtomicU64,
}

impl Window {
    /// Opens a new window (counters reset); nothing counts until `start_ns`.
    pub fn open(&self, start_ns: u64, end_ns: u64) {
        self.start_ns.store(u64::MAX, Ordering::SeqCst);
        self.sent.store(0, Ordering::SeqCst);
        self.expected.store(0, Ordering::SeqCst);
        self.end_ns.store(end_ns, Ordering::SeqCst);
        self.start_ns.store(start_ns, Ordering::SeqCst);
    }

    /// Closes the window: nothing sent from now on counts.
    pub fn close(&self) {
        self.start_ns.store(u64::MAX, Ordering::SeqCst);
    }

    pub fn start_ns(&self) -> u64 {
        self.start_ns.load(Ordering::Relaxed)
    }

    /// Whether a message sent at `sent_ns` counts.
    pub fn contains(&self, sent_ns: u64) -> bool {
        sent_ns >= self.start_ns.load(Ordering::Relaxed) && sent_ns < self.end_ns.load(Ordering::Relaxed)
    }

    /// Counts one send that should reach `receivers` clients.
    pub fn count_send(&self, sent_ns: u64, receivers: u64) {
        if self.contains(sent_ns) {
            self.sent.fetch_add(1, Ordering::Relaxed);
            self.expected.fetch_add(receivers, Ordering::Relaxed);
        }
    }
}

/// One receiver's records for the current window.
#[derive(Debug, Clone)]
pub struct Recorder {
    pub latency: Histogram<u64>,
    pub delivered: u64,
    /// Per second of the window: (sum of latencies in us, count).
    pub per_second: Vec<(u64, u64)>,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder { latency: histogram(), delivered: 0, per_second: Vec::new() }
    }
}

impl Recorder {
    /// Records a delivery that arrived at `now_ns`, sent at `sent_ns`, in a window that
    /// started at `start_ns`.
    pub fn record(&mut self, start_ns: u64, sent_ns: u64, now_ns: u64) {
        let us = now_ns.saturating_sub(sent_ns) / 1000;
        self.latency.saturating_record(us.max(1));
        self.delivered += 1;
        let second = ((sent_ns - start_ns) / 1_000_000_000) as usize;
        if second < 3600 {
            if self.per_second.len() <= second {
                self.per_second.resize(second + 1, (0, 0));
            }
            self.per_second[second].0 += us;
            self.per_second[second].1 += 1;
        }
    }

    /// Adds another receiver's records to these.
    pub fn merge(&mut self, other: &Recorder) {
        self.latency.add(&other.latency).expect("histograms with the same bounds");
        self.delivered += other.delivered;
        if self.per_second.len() < other.per_second.len() {
            self.per_second.resize(other.per_second.len(), (0, 0));
        }
        for (mine, theirs) in self.per_second.iter_mut().zip(&other.per_second) {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
    }

    /// Mean latency of the last third of the window over that of the first third (1.0 when
    /// flat; a growing backlog shows as a large ratio). `None` for windows under 3 s.
    pub fn trend_ratio(&self) -> Option<f64> {
        let seconds = &self.per_second;
        if seconds.len() < 3 {
            return None;
        }
        let third = seconds.len() / 3;
        let mean = |part: &[(u64, u64)]| {
            let (sum, count) = part.iter().fold((0, 0), |(s, c), (ps, pc)| (s + ps, c + pc));
            (count > 0).then(|| sum as f64 / count as f64)
        };
        let first = mean(&seconds[..third])?;
        let last = mean(&seconds[seconds.len() - third..])?;
        Some(last / first.max(1.0))
    }
}

/// Every receiver's recorder, for the coordinator to sum up or reset.
#[derive(Debug, Clone, Default)]
pub struct Recorders(Arc<Mutex<Vec<Arc<Mutex<Recorder>>>>>);

impl Recorders {
    /// A new recorder for one more receiver.
    pub fn add(&self) -> Arc<Mutex<Recorder>> {
        let recorder = Arc::new(Mutex::new(Recorder::default()));
        self.0.lock().expect("recorders lock").push(recorder.clone());
        recorder
    }

    /// Deliveries counted so far in this window, over all receivers.
    pub fn delivered(&self) -> u64 {
        let all = self.0.lock().expect("recorders lock");
        all.iter().map(|r| r.lock().expect("recorder lock").delivered).sum()
    }

    /// Takes every receiver's records (leaving them empty) and sums them.
    pub fn take(&self) -> Recorder {
        let all = self.0.lock().expect("recorders lock");
        let mut total = Recorder::default();
        for recorder in all.iter() {
            let mine = std::mem::take(&mut *recorder.lock().expect("recorder lock"));
            total.merge(&mine);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_counts_only_sends_inside_it() {
        let window = Window::default();
        window.open(1_000, 2_000);
        window.count_send(999, 5);
        window.count_send(1_000, 5);
        window.count_send(2_000, 5);
        assert_eq!(window.sent.load(Ordering::Relaxed), 1);
        assert_eq!(window.expected.load(Ordering::Relaxed), 5);
    }

    #[test]
    fn flat_latency_has_no_trend_and_a_backlog_has_one() {
        let mut flat = Recorder::default();
        let mut growing = Recorder::default();
        for second in 0..9u64 {
            let sent = second * 1_000_000_000;
            flat.record(0, sent, sent + 1_000_000);
            growing.record(0, sent, sent + (second + 1) * 10_000_000);
        }
        assert!(flat.trend_ratio().unwrap() < 1.01);
        assert!(growing.trend_ratio().unwrap() > 2.0);
        assert_eq!(flat.delivered, 9);
    }
}
