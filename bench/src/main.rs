//! `anseo-bench`: Anseo's load generator. Runs one scenario of BENCH.md open-loop against an
//! Anseo, IRC or NATS server and prints the result as one JSON object on stdout.
//!
//! # Layout
//! - [`args`]: the command line, one subcommand per scenario.
//! - [`target`]: the protocols behind one interface (`anseo://`, `irc://`, `ircs://`, `nats://`).
//! - [`scenario`]: one file per scenario, plus logging in, receivers and the open-loop sender.
//! - [`payload`], [`clock`], [`stats`]: the send timestamp in the payload, the monotonic clock,
//!   and the HdrHistogram recorders.
//! - [`procfs`], [`spawn`]: the server under test: its CPU time and memory, starting it.
//! - [`result`], [`report`], [`progress`]: the JSON result, the Markdown + PNG report, stderr.

mod args;
mod clock;
mod payload;
mod peer;
mod procfs;
mod progress;
mod report;
mod result;
mod scenario;
mod spawn;
mod stats;

use anyhow::Context;
use clap::Parser;

use args::{Args, Scenario};
use peer::Target;
use scenario::Ctx;

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Scenario::Report(only) = &args.scenario {
        if let Some(measured) = &only.add {
            let text =
                std::fs::read_to_string(measured).with_context(|| format!("read {}", measured.display()))?;
            let result = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a JSON object", measured.display()))?;
            return report::add_and_write(&only.dir, result)
                .with_context(|| format!("add {} to {}", measured.display(), only.dir.display()));
        }
        return report::rewrite(&only.dir)
            .with_context(|| format!("redraw the report in {}", only.dir.display()));
    }
    raise_open_file_limit();
    let threads =
        args.common.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .enable_all()
        .build()
        .context("start the tokio runtime")?;
    let result = runtime.block_on(run(&args))?;
    println!("{}", serde_json::to_string(&result).context("serialize the result")?);
    if let Some(dir) = &args.common.report {
        report::add_and_write(dir, result)
            .with_context(|| format!("write the report in {}", dir.display()))?;
    }
    // Receiver tasks may still wait on connections; the result is out, so do not wait for them.
    runtime.shutdown_background();
    Ok(())
}

/// Starts the server if asked, runs the scenario, and stops the server.
async fn run(args: &Args) -> anyhow::Result<serde_json::Value> {
    let common = &args.common;
    let (mut server, target) = match &common.spawn_server {
        Some(path) => {
            let server =
                spawn::SpawnedServer::start(path, &common.server_args, common.server_cpu.as_deref())?;
            let target = Target::parse(&format!("anseo://{}", server.addr), Some(server.fingerprint))?;
            (Some(server), target)
        }
        None => {
            let fingerprint = match common.target.starts_with("ircs://") {
                true => common.tls_fingerprint,
                false => common.fingerprint,
            };
            (None, Target::parse(&common.target, fingerprint)?)
        }
    };
    let target = target.with_clients_per_socket(common.clients_per_socket);
    let pid = server.as_ref().map(spawn::SpawnedServer::pid).or(common.server_pid);
    let ctx = Ctx {
        target,
        probe: procfs::Probe::new(pid),
        load_probe: procfs::Probe::new(Some(std::process::id())),
        connect_concurrency: common.connect_concurrency,
        tag: format!("b{}", std::process::id() % 10_000),
    };
    let outcome = match &args.scenario {
        Scenario::Fanout(a) => scenario::fanout::run(&ctx, a).await,
        Scenario::Mix(a) => scenario::mix::run(&ctx, a).await,
        Scenario::Storm(a) => scenario::storm::run(&ctx, a).await,
        Scenario::Idle(a) => scenario::idle::run(&ctx, a).await,
        Scenario::Slow(a) => scenario::slow::run(&ctx, a).await,
        Scenario::Joinstorm(a) => scenario::joinstorm::run(&ctx, a).await,
        Scenario::Transfer(a) => scenario::transfer::run(&ctx, a).await,
        Scenario::Board(a) => scenario::board::run(&ctx, a).await,
        Scenario::Report(_) => Err(anyhow::anyhow!("`report` runs no scenario")),
    };
    if let Some(server) = server.as_mut() {
        server.stop();
    }
    let mut result = outcome
        .with_context(|| format!("the {} scenario against {}", args.scenario.name(), ctx.target.url()))?;
    result.label = common.label.clone().unwrap_or_else(|| ctx.target.kind.scheme().to_string());
    result.extra("server_pid_read", ctx.probe.pid().is_some());
    Ok(result.to_json())
}

/// Thousands of clients need thousands of sockets: lift the soft limit to the hard one.
fn raise_open_file_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}
