//! `mix`: many small rooms, every client sending slowly on its own random schedule, a share of
//! the messages direct to a random user, and a share of the clients per second changing
//! presence (joining or leaving the room `mix-away`). Measures latency and server CPU.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::{Ctx, Rng, Run, check_size, connect_all, drain, quit_all};
use crate::args::Mix;
use crate::clock::{self, now_ns};
use crate::payload::{self, Stamp};
use crate::peer::Sender;
use crate::progress;
use crate::result::{BenchResult, round};

const AWAY_ROOM: &str = "mix-away";

pub async fn run(ctx: &Ctx, args: &Mix) -> anyhow::Result<BenchResult> {
    check_size(&ctx.target, args.size)?;
    anyhow::ensure!(
        args.clients >= 2 && (1..=args.clients).contains(&args.rooms),
        "need 2+ clients and 1..=clients rooms"
    );
    anyhow::ensure!(args.rate_per_client > 0.0, "--rate-per-client must be positive");
    let run = Arc::new(Run::new());
    let room_of = |i: usize| format!("mix-{}", i % args.rooms);
    let clients = connect_all(ctx, &run, args.clients, |i| vec![room_of(i)]).await?;
    let names: Arc<Vec<String>> = Arc::new((0..args.clients).map(|i| ctx.name(i)).collect());

    let spinner = progress::spinner("mix");
    let start = now_ns() + clock::secs(0.05);
    let measure_start = start + clock::secs(args.timing.warmup);
    let end = measure_start + clock::secs(args.timing.duration);
    run.window.open(measure_start, end);
    let mut tasks = Vec::new();
    for (i, tx) in clients.senders.iter().enumerate() {
        let members = (0..args.clients).filter(|c| c % args.rooms == i % args.rooms).count() as u64;
        let plan = ClientPlan {
            me: i,
            room: room_of(i),
            fan: members - 1,
            period_ns: 1e9 / args.rate_per_client,
            direct_share: args.direct_percent / 100.0,
            size: args.size,
            start_ns: start,
            end_ns: end,
            seed: args.seed.wrapping_add(i as u64),
        };
        tasks.push(tokio::spawn(client_loop(tx.clone(), plan, names.clone(), run.clone())));
    }
    let changes_per_sec = args.clients as f64 * args.presence_percent / 100.0;
    let presence =
        tokio::spawn(presence_loop(clients.senders.clone(), changes_per_sec, end, args.seed, run.clone()));
    clock::sleep_until(measure_start).await;
    let cpu_before = ctx.probe.sample();
    while now_ns() < end {
        spinner.set_message(format!(
            "mix: sent {} delivered {}",
            run.window.sent.load(Ordering::Relaxed),
            run.recorders.delivered()
        ));
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let cpu_after = ctx.probe.sample();
    for task in tasks {
        let _ = task.await;
    }
    let presence_changes = presence.await.unwrap_or(0);
    drain(&run, args.timing.drain).await;
    run.window.close();
    spinner.finish_and_clear();

    let records = run.recorders.take();
    let mut result =
        BenchResult { scenario: "mix".into(), target: ctx.target.url(), ..BenchResult::default() };
    result.param("clients", args.clients);
    result.param("rooms", args.rooms);
    result.param("rate_per_client", args.rate_per_client);
    result.param("direct_percent", args.direct_percent);
    result.param("presence_percent", args.presence_percent);
    result.param("size", args.size);
    result.param("duration_secs", args.timing.duration);
    result.param("warmup_secs", args.timing.warmup);
    let sent = run.window.sent.load(Ordering::Relaxed);
    let expected = run.window.expected.load(Ordering::Relaxed);
    result.set_deliveries(&records, sent, expected, args.timing.duration);
    result.set_cpu_per_delivery(cpu_before, cpu_after);
    result.disconnects = run.disconnects();
    result.server_cpu_us_per_login = clients.cpu_us_per_login;
    result.server_rss_bytes = ctx.probe.sample().map(|s| s.rss_bytes);
    result.server_bytes_per_client =
        crate::result::bytes_per_client(clients.before, result.server_rss_bytes, args.clients);
    if let (Some(before), Some(after)) = (cpu_before, cpu_after) {
        let cpu_share = (after.cpu_us - before.cpu_us) as f64 / (args.timing.duration * 1e6);
        result.extra("server_cpu_share", round(cpu_share, 4));
    }
    result.extra("expected", expected);
    result.extra("presence_changes", presence_changes);
    result.extra("rate_limited", run.rate_limited.load(Ordering::Relaxed));
    result.extra("send_failures", run.send_failures.load(Ordering::Relaxed));
    quit_all(&run, clients.senders).await;
    Ok(result)
}

struct ClientPlan {
    me: usize,
    room: String,
    fan: u64,
    period_ns: f64,
    direct_share: f64,
    size: usize,
    start_ns: u64,
    end_ns: u64,
    seed: u64,
}

/// One client's sends: one per period from a random phase; some go to a random other user.
async fn client_loop(tx: Sender, plan: ClientPlan, names: Arc<Vec<String>>, run: Arc<Run>) {
    let mut rng = Rng::with_seed(plan.seed);
    let phase = rng.f64() * plan.period_ns;
    for n in 0u64.. {
        let due = plan.start_ns + (phase + n as f64 * plan.period_ns) as u64;
        if due >= plan.end_ns {
            return;
        }
        clock::sleep_until(due).await;
        let text = payload::encode(Stamp { sender: plan.me as u32, seq: n, sent_ns: due }, plan.size);
        let sent = if rng.f64() < plan.direct_share {
            let mut to = rng.usize(..names.len().saturating_sub(1).max(1));
            if to >= plan.me {
                to += 1;
            }
            run.window.count_send(due, 1);
            tx.direct(&names[to], &text).await
        } else {
            run.window.count_send(due, plan.fan);
            tx.say(&plan.room, std::slice::from_ref(&text)).await
        };
        if sent.is_err() {
            run.send_failures.fetch_add(1, Ordering::Relaxed);
            return;
        }
    }
}

/// Every 100 ms, a few random clients join or leave the away room. Returns how many changes.
async fn presence_loop(senders: Vec<Sender>, per_sec: f64, end_ns: u64, seed: u64, run: Arc<Run>) -> u64 {
    let mut rng = Rng::with_seed(seed ^ 0xA5A5);
    let mut away = vec![false; senders.len()];
    let mut owed = 0.0;
    let mut changes = 0;
    while now_ns() < end_ns && per_sec > 0.0 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        owed += per_sec / 10.0;
        while owed >= 1.0 {
            owed -= 1.0;
            let i = rng.usize(..senders.len().max(1));
            let done =
                if away[i] { senders[i].leave(AWAY_ROOM).await } else { senders[i].join(AWAY_ROOM).await };
            if done.is_err() {
                run.send_failures.fetch_add(1, Ordering::Relaxed);
            }
            away[i] = !away[i];
            changes += 1;
        }
    }
    changes
}
