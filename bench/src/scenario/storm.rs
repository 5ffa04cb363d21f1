//! `storm`: clients arriving at a fixed rate, open loop (each login starts on schedule however
//! slow the earlier ones are): success rate, login latency from the scheduled arrival to the
//! server's welcome, logins per second and server CPU per login. Anseo logins are always TLS.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinSet;

use super::{Ctx, Run, quit_all, spawn_receiver};
use crate::args::Storm;
use crate::clock::{self, now_ns};
use crate::progress;
use crate::result::{BenchResult, bytes_per_client, cpu_per, round};
use crate::stats::histogram;

pub async fn run(ctx: &Ctx, args: &Storm) -> anyhow::Result<BenchResult> {
    anyhow::ensure!(
        args.clients >= 1 && args.arrival_rate > 0.0,
        "need 1+ clients and a positive --arrival-rate"
    );
    let run = Arc::new(Run::new());
    let logins = Arc::new(Mutex::new(histogram()));
    let senders = Arc::new(Mutex::new(Vec::new()));
    let last_login_ns = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let bar = progress::bar(args.clients as u64, &format!("storm at {:.0} logins/s", args.arrival_rate));

    let before = ctx.probe.sample();
    let start = now_ns() + clock::secs(0.05);
    let mut tasks = JoinSet::new();
    for i in 0..args.clients {
        let due = start + (i as f64 * 1e9 / args.arrival_rate) as u64;
        clock::sleep_until(due).await;
        let (target, name, run) = (ctx.target.clone().without_presence(), ctx.name(i), run.clone());
        let (logins, senders, last, failures, bar) =
            (logins.clone(), senders.clone(), last_login_ns.clone(), failures.clone(), bar.clone());
        let timeout = Duration::from_secs_f64(args.login_timeout);
        tasks.spawn(async move {
            match tokio::time::timeout(timeout, target.connect(&name)).await {
                Ok(Ok(conn)) => {
                    let now = now_ns();
                    logins.lock().expect("login histogram").saturating_record(((now - due) / 1000).max(1));
                    last.fetch_max(now, std::sync::atomic::Ordering::Relaxed);
                    senders.lock().expect("senders").push(conn.tx);
                    spawn_receiver(i as u32, name, conn.rx, run);
                }
                Ok(Err(e)) => failures.lock().expect("failures").push(format!("{e:#}")),
                Err(_) => failures.lock().expect("failures").push("timed out".into()),
            }
            bar.inc(1);
        });
    }
    while tasks.join_next().await.is_some() {}
    let after = ctx.probe.sample();
    bar.finish_and_clear();
    tokio::time::sleep(Duration::from_secs_f64(args.hold)).await;
    let rss = ctx.probe.sample().map(|s| s.rss_bytes);

    let logins = logins.lock().expect("login histogram").clone();
    let failures = std::mem::take(&mut *failures.lock().expect("failures"));
    let succeeded = logins.len() as usize;
    let last = last_login_ns.load(std::sync::atomic::Ordering::Relaxed);
    let mut result =
        BenchResult { scenario: "storm".into(), target: ctx.target.url(), ..BenchResult::default() };
    result.param("clients", args.clients);
    result.param("arrival_rate", args.arrival_rate);
    result.param("login_timeout_secs", args.login_timeout);
    result.disconnects = run.disconnects();
    if succeeded > 0 && last > start {
        result.logins_per_sec = Some(round(succeeded as f64 / ((last - start) as f64 / 1e9), 1));
        result.login_p99_us = Some(logins.value_at_quantile(0.99));
        result.extra("login_p50_us", logins.value_at_quantile(0.50));
        result.extra("login_max_us", logins.max());
    }
    result.set_latency(&logins);
    result.extra("latency_is", "login");
    result.server_cpu_us_per_login = cpu_per(before, after, succeeded);
    result.server_rss_bytes = rss;
    result.server_bytes_per_client = bytes_per_client(before, rss, succeeded);
    result.extra("logins_ok", succeeded);
    result.extra("logins_failed", failures.len());
    result.extra("success_rate", round(succeeded as f64 / args.clients as f64, 6));
    result.extra("first_failure", failures.first().cloned());
    let senders = std::mem::take(&mut *senders.lock().expect("senders"));
    quit_all(&run, senders).await;
    Ok(result)
}
