//! A UDP relay between clients and a server that makes the network bad on purpose: it drops,
//! delays, duplicates and (through jitter) reorders datagrams with a seeded RNG, can carry the
//! server's datagrams through a slow link (a rate and a drop-tail queue, like a weak Wi-Fi
//! connection), and can record every byte it forwards so a test can search the capture for
//! plaintext.
//!
//! Each client address gets its own upstream socket, so the server sees distinct clients.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use tokio::net::UdpSocket;

/// How bad the link is, in each direction.
#[derive(Debug, Clone, Copy)]
pub struct Impairment {
    /// Probability that a datagram is dropped.
    pub loss: f64,
    /// Probability that a datagram is sent twice.
    pub duplicate: f64,
    /// Base one-way delay.
    pub delay: Duration,
    /// Up to this much is added to or taken from the delay, which also reorders datagrams.
    pub jitter: Duration,
    /// A slow link from the server to the clients, if any.
    pub downstream: Option<Bottleneck>,
}

impl Impairment {
    /// A perfect link.
    pub const NONE: Impairment = Impairment {
        loss: 0.0,
        duplicate: 0.0,
        delay: Duration::ZERO,
        jitter: Duration::ZERO,
        downstream: None,
    };
}

/// A link that carries `bytes_per_sec` and queues at most `queue` worth of datagrams; what
/// does not fit is dropped (a router's drop-tail queue).
#[derive(Debug, Clone, Copy)]
pub struct Bottleneck {
    pub bytes_per_sec: u64,
    pub queue: Duration,
}

/// A running relay. Stops when dropped.
pub struct Relay {
    /// The address clients connect to instead of the server's.
    pub addr: String,
    capture: Arc<Mutex<Vec<u8>>>,
    cut: Arc<AtomicBool>,
    forwarded: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    /// Starts a relay in front of `server` (`HOST:PORT`).
    pub async fn start(server: &str, impairment: Impairment, seed: u64) -> Relay {
        let server: SocketAddr = server.parse().expect("server address");
        let front = Arc::new(UdpSocket::bind("127.0.0.1:0").await.expect("bind relay"));
        let addr = front.local_addr().expect("relay address").to_string();
        let capture = Arc::new(Mutex::new(Vec::new()));
        let cut = Arc::new(AtomicBool::new(false));
        let forwarded = Arc::new(AtomicU64::new(0));
        let link = Link {
            impairment,
            free_at: Arc::new(Mutex::new(Instant::now())),
            rng: Arc::new(Mutex::new(SmallRng::seed_from_u64(seed))),
            capture: capture.clone(),
            cut: cut.clone(),
            forwarded: forwarded.clone(),
        };
        let task = tokio::spawn(relay_loop(front, server, link));
        Relay { addr, capture, cut, forwarded, task }
    }

    /// Drops every datagram in both directions while `cut` is true (a dead link).
    pub fn set_cut(&self, cut: bool) {
        self.cut.store(cut, Ordering::Relaxed);
    }

    /// Bytes forwarded so far, both ways (datagrams as they came, before loss or duplication).
    pub fn forwarded(&self) -> u64 {
        self.forwarded.load(Ordering::Relaxed)
    }

    /// Every datagram forwarded so far, concatenated.
    pub fn captured(&self) -> Vec<u8> {
        self.capture.lock().unwrap().clone()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone)]
struct Link {
    impairment: Impairment,
    /// When the slow link towards the clients has sent everything queued on it.
    free_at: Arc<Mutex<Instant>>,
    rng: Arc<Mutex<SmallRng>>,
    capture: Arc<Mutex<Vec<u8>>>,
    cut: Arc<AtomicBool>,
    forwarded: Arc<AtomicU64>,
}

impl Link {
    /// Forwards one datagram through `socket` to `to`, impaired; `downstream` when it comes
    /// from the server.
    fn forward(&self, socket: &Arc<UdpSocket>, to: SocketAddr, datagram: &[u8], downstream: bool) {
        if self.cut.load(Ordering::Relaxed) {
            return;
        }
        let queued = match (downstream, self.impairment.downstream) {
            (true, Some(bottleneck)) => match self.through(bottleneck, datagram.len()) {
                Some(wait) => wait,
                None => return,
            },
            _ => Duration::ZERO,
        };
        self.capture.lock().unwrap().extend_from_slice(datagram);
        self.forwarded.fetch_add(datagram.len() as u64, Ordering::Relaxed);
        let (copies, delays) = {
            let mut rng = self.rng.lock().unwrap();
            if rng.random_bool(self.impairment.loss) {
                return;
            }
            let copies = if rng.random_bool(self.impairment.duplicate) { 2 } else { 1 };
            let jitter = self.impairment.jitter.as_micros() as i64;
            let delays: Vec<Duration> = (0..copies)
                .map(|_| {
                    let offset = if jitter > 0 { rng.random_range(-jitter..=jitter) } else { 0 };
                    let micros = (self.impairment.delay.as_micros() as i64 + offset).max(0);
                    Duration::from_micros(micros as u64) + queued
                })
                .collect();
            (copies, delays)
        };
        for delay in delays.into_iter().take(copies) {
            let socket = socket.clone();
            let datagram = datagram.to_vec();
            tokio::spawn(async move {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                let _ = socket.send_to(&datagram, to).await;
            });
        }
    }
}

impl Link {
    /// How long a datagram of `len` bytes takes through `bottleneck` (queueing and sending),
    /// or `None` when its queue is full and the datagram is dropped.
    fn through(&self, bottleneck: Bottleneck, len: usize) -> Option<Duration> {
        let now = Instant::now();
        let mut free_at = self.free_at.lock().unwrap();
        let start = (*free_at).max(now);
        if start - now > bottleneck.queue {
            return None;
        }
        *free_at = start + Duration::from_secs_f64(len as f64 / bottleneck.bytes_per_sec as f64);
        Some(*free_at - now)
    }
}

async fn relay_loop(front: Arc<UdpSocket>, server: SocketAddr, link: Link) {
    let mut upstreams: HashMap<SocketAddr, Arc<UdpSocket>> = HashMap::new();
    let mut buf = vec![0u8; 65536];
    loop {
        let Ok((len, client)) = front.recv_from(&mut buf).await else { return };
        let upstream = match upstreams.get(&client) {
            Some(upstream) => upstream.clone(),
            None => {
                let upstream = Arc::new(UdpSocket::bind("127.0.0.1:0").await.expect("bind upstream"));
                tokio::spawn(back_loop(upstream.clone(), front.clone(), client, link.clone()));
                upstreams.insert(client, upstream.clone());
                upstream
            }
        };
        link.forward(&upstream, server, &buf[..len], false);
    }
}

/// Carries the server's datagrams back to one client.
async fn back_loop(upstream: Arc<UdpSocket>, front: Arc<UdpSocket>, client: SocketAddr, link: Link) {
    let mut buf = vec![0u8; 65536];
    while let Ok(len) = upstream.recv(&mut buf).await {
        link.forward(&front, client, &buf[..len], true);
    }
}
