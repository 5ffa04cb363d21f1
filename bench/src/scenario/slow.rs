//! `slow`: one sender at a steady rate into one room; after a baseline measurement, one client
//! stops reading for `--stall` seconds. Measures the server's peak memory (per client), how
//! soon the server cut the slow client (seen by the others as it going offline), and the
//! others' latency during the stall against the baseline.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::{Ctx, Run, SendPlan, check_size, connect_all, drain, quit_all, send_at_rate};
use crate::args::Slow;
use crate::clock::{self, now_ns};
use crate::progress;
use crate::result::{BenchResult, bytes_per_client, round};
use crate::stats::Recorder;

const ROOM: &str = "slow-0";

pub async fn run(ctx: &Ctx, args: &Slow) -> anyhow::Result<BenchResult> {
    check_size(&ctx.target, args.size)?;
    anyhow::ensure!(args.clients >= 3, "--clients must be at least 3 (a sender, a slow client, others)");
    let run = Arc::new(Run::new());
    let clients = connect_all(ctx, &run, args.clients, |_| vec![ROOM.to_string()]).await?;
    let sender = clients.senders[0].clone();
    let slow = args.clients - 1;
    let slow_name = ctx.name(slow);

    // Baseline: everyone reads.
    let spinner = progress::spinner("slow: baseline");
    let (baseline, _, _) =
        measure(&run, &sender, args, args.clients as u64 - 1, args.timing.warmup, args.timing.duration, ctx)
            .await;

    // The stall: the last client reads nothing; the others are measured.
    spinner.set_message(format!("slow: client {slow} stops reading for {} s", args.stall));
    let stall_start = now_ns();
    run.stall_until_ns.store(stall_start + clock::secs(args.stall), Ordering::SeqCst);
    run.excluded.store(slow as u32, Ordering::SeqCst);
    let (during, peak_rss, disconnects) =
        measure(&run, &sender, args, args.clients as u64 - 2, 0.0, args.stall, ctx).await;
    spinner.finish_and_clear();
    let cut_ns = run.offline.lock().expect("offline lock").get(&slow_name).copied();

    let mut result =
        BenchResult { scenario: "slow".into(), target: ctx.target.url(), ..BenchResult::default() };
    result.param("clients", args.clients);
    result.param("rate", args.rate);
    result.param("size", args.size);
    result.param("stall_secs", args.stall);
    result.param("duration_secs", args.timing.duration);
    result.param("warmup_secs", args.timing.warmup);
    let (records, sent, expected, cpu) = during;
    result.set_deliveries(&records, sent, expected, args.stall);
    result.set_cpu_per_delivery(cpu.0, cpu.1);
    result.disconnects = disconnects;
    result.server_cpu_us_per_login = clients.cpu_us_per_login;
    result.server_rss_bytes = peak_rss;
    result.server_bytes_per_client = bytes_per_client(clients.before, peak_rss, args.clients);
    let baseline_p99 = (!baseline.0.latency.is_empty()).then(|| baseline.0.latency.value_at_quantile(0.99));
    result.extra("baseline_p99_us", baseline_p99);
    result.extra("baseline_lost", baseline.2.saturating_sub(baseline.0.delivered));
    if let (Some(base), Some(now)) = (baseline_p99, result.p99_us) {
        result.extra("p99_over_baseline", round(now as f64 / base.max(1) as f64, 3));
    }
    result.extra("slow_client_disconnected", cut_ns.is_some());
    result.extra(
        "slow_client_cut_after_ms",
        cut_ns.map(|t| round(t.saturating_sub(stall_start) as f64 / 1e6, 1)),
    );
    quit_all(&run, clients.senders).await;
    Ok(result)
}

/// What one measured phase yields: records, sent, expected, and the server CPU samples.
type Phase = (Recorder, u64, u64, (Option<crate::procfs::Sample>, Option<crate::procfs::Sample>));

/// Sends at the rate for `warmup + seconds`, measuring the last `seconds`; returns the phase,
/// the server's peak RSS during it and the disconnects so far.
async fn measure(
    run: &Arc<Run>,
    sender: &crate::peer::Sender,
    args: &Slow,
    fan: u64,
    warmup: f64,
    seconds: f64,
    ctx: &Ctx,
) -> (Phase, Option<u64>, u64) {
    let start = now_ns() + clock::secs(0.05);
    let measure_start = start + clock::secs(warmup);
    let end = measure_start + clock::secs(seconds);
    run.window.open(measure_start, end);
    let plan = SendPlan {
        me: 0,
        room: ROOM.into(),
        rate: args.rate,
        start_ns: start,
        end_ns: end,
        size: args.size,
        fan,
    };
    let task = tokio::spawn(send_at_rate(sender.clone(), plan, run.clone()));
    clock::sleep_until(measure_start).await;
    let cpu_before = ctx.probe.sample();
    let mut peak = None;
    while now_ns() < end {
        if let Some(sample) = ctx.probe.sample() {
            peak = Some(peak.unwrap_or(0).max(sample.rss_bytes));
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let cpu_after = ctx.probe.sample();
    let _ = task.await;
    drain(run, args.timing.drain).await;
    run.window.close();
    let records = run.recorders.take();
    let sent = run.window.sent.load(Ordering::Relaxed);
    let expected = run.window.expected.load(Ordering::Relaxed);
    ((records, sent, expected, (cpu_before, cpu_after)), peak, run.disconnects())
}
