//! `fanout`: clients in rooms, senders at an offered rate. With `--find-max` the rate steps up
//! (x1.5 by default) until a step is not sustained by BENCH.md's rule, then one more step at
//! half the last sustained rate gives the latency at a comfortable load.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::json;

use super::{Ctx, Run, SendPlan, check_size, connect_all, drain, quit_all, send_at_rate};
use crate::args::Fanout;
use crate::clock::{self, now_ns};
use crate::peer::Sender;
use crate::progress;
use crate::result::{BenchResult, round};

/// BENCH.md: a rate is sustained with >= 99.99 % delivered, no disconnects, p99 <= 50 ms and
/// no upward latency trend (here: the last third's mean latency under twice the first's,
/// or under 5 ms).
const MIN_DELIVERED: f64 = 0.9999;
const MAX_P99_US: u64 = 50_000;
const MAX_TREND: f64 = 2.0;
const TREND_FLOOR_US: f64 = 5_000.0;

pub async fn run(ctx: &Ctx, args: &Fanout) -> anyhow::Result<BenchResult> {
    check_size(&ctx.target, args.size)?;
    anyhow::ensure!(
        args.clients >= 2 && args.rooms >= 1 && args.rooms <= args.clients,
        "need 2+ clients and 1..=clients rooms"
    );
    anyhow::ensure!(args.senders >= 1 && args.senders <= args.clients, "--senders must be 1..=clients");
    anyhow::ensure!(args.rate > 0.0 && args.step > 1.0, "--rate must be positive and --step above 1");
    let run = Arc::new(Run::new());
    let room_of = |i: usize| format!("fanout-{}", i % args.rooms);
    let clients = connect_all(ctx, &run, args.clients, |i| vec![room_of(i)]).await?;

    let mut steps = Vec::new();
    let mut best: Option<BenchResult> = None;
    let mut first: Option<BenchResult> = None;
    let mut rate = args.rate;
    for _ in 0..if args.find_max { args.max_steps } else { 1 } {
        let mut result = step(ctx, args, &run, &clients.senders, rate).await;
        steps.push(step_summary(&result));
        // On a noisy machine one hiccup can fail a step the server sustains: with --find-max
        // a failed step is run once more before the search stops.
        if args.find_max && !is_sustained(&result) {
            result = step(ctx, args, &run, &clients.senders, rate).await;
            let mut retry = step_summary(&result);
            retry["retry"] = json!(true);
            steps.push(retry);
        }
        first.get_or_insert_with(|| result.clone());
        if !is_sustained(&result) {
            break;
        }
        best = Some(result);
        rate *= args.step;
    }
    let mut result = best.clone().or(first).expect("at least one step ran");
    if args.find_max {
        if let Some(best) = &best {
            let half = best.params["rate"].as_f64().unwrap_or(args.rate) / 2.0;
            let at_half = step(ctx, args, &run, &clients.senders, half).await;
            result.extra("p99_us_at_half_rate", at_half.p99_us);
            result.extra("p50_us_at_half_rate", at_half.p50_us);
            result.extra("half_rate", half);
        }
        result.extra("steps", steps);
    }
    result.server_cpu_us_per_login = clients.cpu_us_per_login;
    result.server_rss_bytes = ctx.probe.sample().map(|s| s.rss_bytes);
    result.server_bytes_per_client =
        crate::result::bytes_per_client(clients.before, result.server_rss_bytes, args.clients);
    result.param("find_max", args.find_max);
    quit_all(&run, clients.senders).await;
    Ok(result)
}

/// Whether a step's rate was sustained (everything delivered in time, nobody cut).
fn is_sustained(result: &BenchResult) -> bool {
    result.extra["sustained"] == json!(true)
}

/// One measured step at `rate` messages per second.
async fn step(ctx: &Ctx, args: &Fanout, run: &Arc<Run>, senders: &[Sender], rate: f64) -> BenchResult {
    let spinner = progress::spinner(&format!("fanout at {rate:.0} msg/s"));
    let start = now_ns() + clock::secs(0.05);
    let measure_start = start + clock::secs(args.timing.warmup);
    let end = measure_start + clock::secs(args.timing.duration);
    run.window.open(measure_start, end);
    let disconnects_before = run.disconnects();
    let per_sender = rate / args.senders as f64;
    let mut tasks = Vec::new();
    for (i, tx) in senders.iter().enumerate().take(args.senders) {
        let room = i % args.rooms;
        let members = (0..args.clients).filter(|c| c % args.rooms == room).count() as u64;
        let plan = SendPlan {
            me: i as u32,
            room: format!("fanout-{room}"),
            rate: per_sender,
            // Spread the senders' schedules evenly over one period.
            start_ns: start + (i as f64 * 1e9 / rate) as u64,
            end_ns: end,
            size: args.size,
            fan: members - 1,
        };
        tasks.push(tokio::spawn(send_at_rate(tx.clone(), plan, run.clone())));
    }
    clock::sleep_until(measure_start).await;
    let cpu_before = ctx.probe.sample();
    let load_before = ctx.load_probe.sample();
    while now_ns() < end {
        let delivered = run.recorders.delivered();
        spinner.set_message(format!(
            "fanout at {rate:.0} msg/s: sent {} delivered {delivered}",
            run.window.sent.load(Ordering::Relaxed)
        ));
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let cpu_after = ctx.probe.sample();
    let load_after = ctx.load_probe.sample();
    for task in tasks {
        let _ = task.await;
    }
    drain(run, args.timing.drain).await;
    run.window.close();
    let records = run.recorders.take();
    let sent = run.window.sent.load(Ordering::Relaxed);
    let expected = run.window.expected.load(Ordering::Relaxed);

    let mut result = base(ctx, args, rate);
    result.set_deliveries(&records, sent, expected, args.timing.duration);
    result.set_cpu_per_delivery(cpu_before, cpu_after);
    result.disconnects = run.disconnects();
    if let (Some(before), Some(after)) = (load_before, load_after)
        && records.delivered > 0
    {
        let cpu = after.cpu_us.saturating_sub(before.cpu_us) as f64;
        result.extra("load_cpu_us_per_delivery", round(cpu / records.delivered as f64, 4));
    }
    let trend = records.trend_ratio();
    let delivered_share = if expected > 0 { records.delivered as f64 / expected as f64 } else { 0.0 };
    let offered = rate * args.timing.duration;
    let p99 = result.p99_us.unwrap_or(u64::MAX);
    let trend_ok = trend.is_none_or(|t| t <= MAX_TREND)
        || records
            .per_second
            .last()
            .is_some_and(|(sum, n)| (*sum as f64) < TREND_FLOOR_US * (*n).max(1) as f64);
    let sustained = expected > 0
        && delivered_share >= MIN_DELIVERED
        && run.disconnects() == disconnects_before
        && p99 <= MAX_P99_US
        && trend_ok
        && sent as f64 >= 0.99 * offered;
    result.extra("sustained", sustained);
    result.extra("expected", expected);
    result.extra("delivered_ratio", round(delivered_share, 6));
    result.extra("latency_trend_ratio", trend.map(|t| round(t, 3)));
    result.extra("rate_limited", run.rate_limited.load(Ordering::Relaxed));
    result.extra("send_failures", run.send_failures.load(Ordering::Relaxed));
    spinner.finish_and_clear();
    progress::note(
        &spinner,
        format!(
            "fanout {rate:.0} msg/s: {} deliveries/s, p50 {} us, p99 {} us, lost {}, {}",
            result.deliveries_per_sec.unwrap_or(0.0),
            result.p50_us.unwrap_or(0),
            result.p99_us.unwrap_or(0),
            result.lost.unwrap_or(0),
            if sustained { "sustained" } else { "NOT sustained" }
        ),
    );
    // Let queues empty before the next step.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    result
}

fn base(ctx: &Ctx, args: &Fanout, rate: f64) -> BenchResult {
    let mut result =
        BenchResult { scenario: "fanout".into(), target: ctx.target.url(), ..BenchResult::default() };
    result.param("clients", args.clients);
    result.param("rooms", args.rooms);
    result.param("senders", args.senders);
    result.param("rate", round(rate, 1));
    result.param("size", args.size);
    result.param("duration_secs", args.timing.duration);
    result.param("warmup_secs", args.timing.warmup);
    result
}

fn step_summary(result: &BenchResult) -> serde_json::Value {
    json!({
        "rate": result.params["rate"],
        "deliveries_per_sec": result.deliveries_per_sec,
        "p50_us": result.p50_us,
        "p99_us": result.p99_us,
        "lost": result.lost,
        "disconnects": result.disconnects,
        "server_cpu_us_per_delivery": result.server_cpu_us_per_delivery,
        "load_cpu_us_per_delivery": result.extra.get("load_cpu_us_per_delivery"),
        "latency_trend_ratio": result.extra["latency_trend_ratio"],
        "sustained": result.extra["sustained"],
    })
}
