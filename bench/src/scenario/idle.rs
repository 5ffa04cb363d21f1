//! `idle`: logged-in clients that do nothing: the server's memory per client, from its RSS
//! and from the kernel's socket memory (/proc/net/sockstat, both ends of loopback included).

use std::sync::Arc;

use super::{Ctx, Run, connect_all, quit_all};
use crate::args::Idle;
use crate::procfs::socket_memory_bytes;
use crate::result::{BenchResult, bytes_per_client, round};

pub async fn run(ctx: &Ctx, args: &Idle) -> anyhow::Result<BenchResult> {
    anyhow::ensure!(args.clients >= 1, "--clients must be at least 1");
    let run = Arc::new(Run::new());
    let sockets_before = socket_memory_bytes();
    let started = std::time::Instant::now();
    let clients = connect_all(ctx, &run, args.clients, |_| Vec::new()).await?;
    let login_secs = started.elapsed().as_secs_f64();
    tokio::time::sleep(std::time::Duration::from_secs_f64(args.settle)).await;
    let after = ctx.probe.sample();
    let sockets_after = socket_memory_bytes();

    let mut result =
        BenchResult { scenario: "idle".into(), target: ctx.target.url(), ..BenchResult::default() };
    result.param("clients", args.clients);
    result.param("settle_secs", args.settle);
    result.disconnects = run.disconnects();
    result.server_cpu_us_per_login = clients.cpu_us_per_login;
    result.server_rss_bytes = after.map(|s| s.rss_bytes);
    result.server_bytes_per_client = bytes_per_client(clients.before, result.server_rss_bytes, args.clients);
    if let (Some(before), Some(after)) = (sockets_before, sockets_after) {
        let per_client = (after as f64 - before as f64) / args.clients as f64;
        result.extra("socket_mem_bytes_per_client", round(per_client, 1));
    }
    result.extra("login_secs", round(login_secs, 3));
    quit_all(&run, clients.senders).await;
    Ok(result)
}
