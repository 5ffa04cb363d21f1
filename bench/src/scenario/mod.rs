//! The scenarios of BENCH.md, one file each, and what they share: logging clients in, the
//! receiver task every client runs, the open-loop sender, and the run-wide counters.
//!
//! Open loop: a sender's n-th message is due at `start + n / rate` and carries that due time,
//! whether or not earlier messages were answered; if the sender or the server falls behind,
//! the lateness shows up as latency instead of silently lowering the offered rate.

pub mod board;
pub mod fanout;
pub mod idle;
pub mod joinstorm;
pub mod mix;
pub mod slow;
pub mod storm;
pub mod transfer;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use tokio::task::JoinSet;

use crate::clock::{self, now_ns};
use crate::payload::{self, Stamp};
use crate::peer::{Conn, Incoming, Receiver, Sender, Target};
use crate::procfs::{Probe, Sample};
use crate::stats::{Recorders, Window};

/// What every scenario gets.
pub struct Ctx {
    pub target: Target,
    pub probe: Probe,
    /// This process (the load generator), to report its own CPU per delivery beside the
    /// server's: when it is the one out of CPU, the server's limit was not reached.
    pub load_probe: Probe,
    pub connect_concurrency: usize,
    /// Prefix of this run's user names, so two runs against one server do not collide.
    pub tag: String,
}

impl Ctx {
    /// The user name of client `i`.
    pub fn name(&self, i: usize) -> String {
        format!("{}n{i}", self.tag)
    }
}

/// Counters and switches shared by the coordinator and every receiver.
#[derive(Default)]
pub struct Run {
    pub window: Window,
    pub recorders: Recorders,
    /// Connections that ended while the run was not stopping them.
    pub disconnects: AtomicU64,
    pub rate_limited: AtomicU64,
    pub errors: AtomicU64,
    pub send_failures: AtomicU64,
    pub stopping: AtomicBool,
    /// The client whose receiver records nothing (the slow consumer), or `u32::MAX`.
    pub excluded: AtomicU32,
    /// The excluded client reads nothing until this clock time.
    pub stall_until_ns: AtomicU64,
    /// When each user was first seen going offline, by anyone.
    pub offline: Mutex<HashMap<String, u64>>,
    /// A room whose member list every receiver tracks, and how many members it should reach.
    pub watch: Option<(String, usize)>,
    /// Per client: when its view of the watched room became complete (0: not yet).
    pub settled_ns: Vec<AtomicU64>,
    /// Per client: when it sent its join of the watched room, and when that was confirmed.
    pub join_sent_ns: Vec<AtomicU64>,
    pub join_done_ns: Vec<AtomicU64>,
}

impl Run {
    pub fn new() -> Self {
        Run { excluded: AtomicU32::new(u32::MAX), ..Run::default() }
    }

    /// A run whose receivers track the member list of `room` until it has `clients` members.
    pub fn watching(room: &str, clients: usize) -> Self {
        let zeros = || (0..clients).map(|_| AtomicU64::new(0)).collect();
        Run {
            watch: Some((room.to_string(), clients)),
            settled_ns: zeros(),
            join_sent_ns: zeros(),
            join_done_ns: zeros(),
            ..Run::new()
        }
    }

    pub fn disconnects(&self) -> u64 {
        self.disconnects.load(Ordering::Relaxed)
    }
}

/// Logged-in clients, in index order.
pub struct Clients {
    pub senders: Vec<Sender>,
    /// Server CPU per login over the whole connect phase.
    pub cpu_us_per_login: Option<f64>,
    /// The server before the first login.
    pub before: Option<Sample>,
}

/// Logs in `count` clients (at most `connect_concurrency` at once), joins each to the rooms
/// `rooms(i)` names and waits for the confirmations, then starts its receiver task.
pub async fn connect_all(
    ctx: &Ctx,
    run: &Arc<Run>,
    count: usize,
    rooms: impl Fn(usize) -> Vec<String>,
) -> anyhow::Result<Clients> {
    let before = ctx.probe.sample();
    let bar = crate::progress::bar(count as u64, "logging in");
    let mut pending = JoinSet::new();
    let mut conns: Vec<Option<Conn>> = (0..count).map(|_| None).collect();
    let mut next = 0;
    let mut done = 0;
    while done < count {
        while next < count && pending.len() < ctx.connect_concurrency.max(1) {
            let target = ctx.target.clone();
            let name = ctx.name(next);
            let my_rooms = rooms(next);
            let i = next;
            pending.spawn(async move {
                let mut conn = target.connect(&name).await?;
                for room in &my_rooms {
                    conn.join_and_wait(room).await?;
                }
                anyhow::Ok((i, conn))
            });
            next += 1;
        }
        let joined = pending.join_next().await.context("a login task")?;
        let (i, conn) = joined.context("a login task panicked")?.context("logging in the clients")?;
        conns[i] = Some(conn);
        done += 1;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let after = ctx.probe.sample();
    let mut senders = Vec::with_capacity(count);
    for (i, conn) in conns.into_iter().enumerate() {
        let conn = conn.expect("every client logged in");
        senders.push(conn.tx);
        spawn_receiver(i as u32, ctx.name(i), conn.rx, run.clone());
    }
    Ok(Clients { senders, cpu_us_per_login: crate::result::cpu_per(before, after, count), before })
}

/// Starts client `me`'s receiver: it records every benchmark payload sent inside the window,
/// counts disconnects, notes who goes offline and tracks the watched room's members.
pub fn spawn_receiver(me: u32, name: String, mut rx: Receiver, run: Arc<Run>) {
    let recorder = run.recorders.add();
    tokio::spawn(async move {
        let mut members: HashSet<String> = HashSet::new();
        let mut settled = false;
        loop {
            if run.excluded.load(Ordering::Relaxed) == me {
                let until = run.stall_until_ns.load(Ordering::Relaxed);
                if until > now_ns() {
                    clock::sleep_until(until).await;
                }
            }
            let incoming = rx.next().await;
            let now = now_ns();
            match incoming {
                Incoming::Text(text) => {
                    let Some(Stamp { sender, sent_ns, .. }) = payload::decode(&text) else { continue };
                    if sender == me
                        || !run.window.contains(sent_ns)
                        || run.excluded.load(Ordering::Relaxed) == me
                    {
                        continue;
                    }
                    let start = run.window.start_ns();
                    // Held only for this update, never across an await.
                    recorder.lock().expect("recorder lock").record(start, sent_ns, now);
                }
                Incoming::Closed(_) => {
                    let expected =
                        run.stopping.load(Ordering::Relaxed) || run.excluded.load(Ordering::Relaxed) == me;
                    if !expected {
                        run.disconnects.fetch_add(1, Ordering::Relaxed);
                    }
                    return;
                }
                Incoming::RateLimited => {
                    run.rate_limited.fetch_add(1, Ordering::Relaxed);
                }
                Incoming::Error(_) => {
                    run.errors.fetch_add(1, Ordering::Relaxed);
                }
                Incoming::Offline { user } => {
                    run.offline.lock().expect("offline lock").entry(user).or_insert(now);
                }
                Incoming::Members { room, members: list, complete } => {
                    if let Some((watched, _)) = &run.watch
                        && *watched == room
                    {
                        members.extend(list);
                        if complete && let Some(done) = run.join_done_ns.get(me as usize) {
                            let _ = done.compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed);
                        }
                    }
                }
                Incoming::Joined { room, user } => {
                    if run.watch.as_ref().is_some_and(|(watched, _)| *watched == room) {
                        members.insert(user);
                    }
                }
                Incoming::Left { room, user } => {
                    if run.watch.as_ref().is_some_and(|(watched, _)| *watched == room) {
                        members.remove(&user);
                    }
                }
                Incoming::Pong | Incoming::Other => {}
            }
            if let Some((_, want)) = &run.watch
                && !settled
                && members.len() >= *want
                && members.contains(&name)
            {
                settled = true;
                run.settled_ns[me as usize].store(now, Ordering::Relaxed);
            }
        }
    });
}

/// One open-loop sender's plan.
#[derive(Debug, Clone)]
pub struct SendPlan {
    pub me: u32,
    pub room: String,
    pub rate: f64,
    /// First message due at this clock time; none due at or after `end_ns`.
    pub start_ns: u64,
    pub end_ns: u64,
    pub size: usize,
    /// Deliveries each message should make.
    pub fan: u64,
}

/// Sends on schedule until the plan ends; messages due while it was busy go out together.
pub async fn send_at_rate(tx: Sender, plan: SendPlan, run: Arc<Run>) {
    let period = 1e9 / plan.rate;
    let mut n: u64 = 0;
    let mut texts = Vec::new();
    loop {
        let due = |n: u64| plan.start_ns + (n as f64 * period) as u64;
        if due(n) >= plan.end_ns {
            return;
        }
        let now = now_ns();
        if due(n) > now {
            clock::sleep_until(due(n)).await;
            continue;
        }
        texts.clear();
        while texts.len() < 256 && due(n) <= now && due(n) < plan.end_ns {
            let sent_ns = due(n);
            texts.push(payload::encode(Stamp { sender: plan.me, seq: n, sent_ns }, plan.size));
            run.window.count_send(sent_ns, plan.fan);
            n += 1;
        }
        if tx.say(&plan.room, &texts).await.is_err() {
            run.send_failures.fetch_add(1, Ordering::Relaxed);
            return;
        }
    }
}

/// Waits until the deliveries of the window reach `expected`, or `seconds` passed.
pub async fn drain(run: &Run, seconds: f64) {
    let deadline = now_ns() + clock::secs(seconds);
    while now_ns() < deadline {
        if run.recorders.delivered() >= run.window.expected.load(Ordering::Relaxed) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Every client leaves, many at once.
pub async fn quit_all(run: &Run, senders: Vec<Sender>) {
    run.stopping.store(true, Ordering::SeqCst);
    let mut leaving = JoinSet::new();
    for tx in senders {
        while leaving.len() >= 256 {
            leaving.join_next().await;
        }
        leaving.spawn(async move { tx.quit().await });
    }
    while leaving.join_next().await.is_some() {}
}

/// The seeded random generator the scenarios use, so runs repeat exactly.
pub type Rng = fastrand::Rng;

/// Checks the payload size against the target.
pub fn check_size(target: &Target, size: usize) -> anyhow::Result<()> {
    anyhow::ensure!(size >= payload::MIN_SIZE, "--size must be at least {} bytes", payload::MIN_SIZE);
    anyhow::ensure!(
        size <= target.max_payload(),
        "--size {size} is more than {} carries in one message ({} bytes)",
        target.url(),
        target.max_payload()
    );
    Ok(())
}
