//! `joinstorm`: logged-in clients all join one room within a few seconds; measures how long
//! until every client's member list of that room is complete ("presence settled"), and each
//! join's own confirmation time.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::{Ctx, Run, connect_all, quit_all};
use crate::args::Joinstorm;
use crate::clock::{self, now_ns};
use crate::progress;
use crate::result::{BenchResult, round};
use crate::stats::histogram;

const ROOM: &str = "joinstorm";

pub async fn run(ctx: &Ctx, args: &Joinstorm) -> anyhow::Result<BenchResult> {
    anyhow::ensure!(
        ctx.target.has_presence(),
        "{} has no presence: joinstorm does not apply",
        ctx.target.url()
    );
    anyhow::ensure!(args.clients >= 1, "--clients must be at least 1");
    let run = Arc::new(Run::watching(ROOM, args.clients));
    let clients = connect_all(ctx, &run, args.clients, |_| Vec::new()).await?;

    let bar = progress::bar(args.clients as u64, "joinstorm: settled clients");
    let cpu_before = ctx.probe.sample();
    let start = now_ns() + clock::secs(0.05);
    let joins = {
        let (senders, run) = (clients.senders.clone(), run.clone());
        let (within, count) = (args.within, args.clients);
        tokio::spawn(async move {
            for (i, tx) in senders.iter().enumerate() {
                let due = start + (i as f64 * within * 1e9 / count as f64) as u64;
                clock::sleep_until(due).await;
                run.join_sent_ns[i].store(now_ns(), Ordering::Relaxed);
                if tx.join(ROOM).await.is_err() {
                    run.send_failures.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };
    let deadline = start + clock::secs(args.within + args.timeout);
    let settled = || run.settled_ns.iter().filter(|t| t.load(Ordering::Relaxed) != 0).count();
    while settled() < args.clients && now_ns() < deadline {
        bar.set_position(settled() as u64);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = joins.await;
    let cpu_after = ctx.probe.sample();
    bar.finish_and_clear();

    let mut join_latency = histogram();
    for (sent, done) in run.join_sent_ns.iter().zip(&run.join_done_ns) {
        let (sent, done) = (sent.load(Ordering::Relaxed), done.load(Ordering::Relaxed));
        if sent != 0 && done > sent {
            join_latency.saturating_record(((done - sent) / 1000).max(1));
        }
    }
    let settled_count = settled();
    let last_settled = run.settled_ns.iter().map(|t| t.load(Ordering::Relaxed)).max().unwrap_or(0);
    let mut result =
        BenchResult { scenario: "joinstorm".into(), target: ctx.target.url(), ..BenchResult::default() };
    result.param("clients", args.clients);
    result.param("within_secs", args.within);
    result.disconnects = run.disconnects();
    result.set_latency(&join_latency);
    result.extra("latency_is", "join confirmation");
    result.extra("settled_clients", settled_count);
    result.extra(
        "settle_ms",
        (settled_count == args.clients).then(|| round(last_settled.saturating_sub(start) as f64 / 1e6, 1)),
    );
    result.server_cpu_us_per_login = clients.cpu_us_per_login;
    if let (Some(before), Some(after)) = (cpu_before, cpu_after) {
        result.extra(
            "server_cpu_us_per_join",
            round((after.cpu_us - before.cpu_us) as f64 / args.clients as f64, 2),
        );
    }
    result.server_rss_bytes = ctx.probe.sample().map(|s| s.rss_bytes);
    result.server_bytes_per_client =
        crate::result::bytes_per_client(clients.before, result.server_rss_bytes, args.clients);
    quit_all(&run, clients.senders).await;
    Ok(result)
}
