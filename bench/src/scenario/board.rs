//! `board`: a classroom drawing together. `--clients` people in one room, `--drawers` of them
//! drawing at once, each sending a batch of points `--batches-per-sec` times a second (a
//! stroke is begun, grows by batches for `--stroke-secs`, ends, and the next begins): server
//! CPU per board operation, and the latency from a batch sent to it arriving at each of the
//! others (p50/p99 over every delivery), with the server's store on as users run it.
//!
//! Each batch's first point carries its number along x, so a receiver finds when it was sent
//! (in this process) by stroke and number.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anseo_shared::client::{Client, Event};
use anseo_shared::protocol::{BoardOp, Point, ServerMsg, StrokeStyle, Tool};
use anyhow::bail;
use hdrhistogram::Histogram;
use tokio::sync::mpsc;

use super::Ctx;
use crate::args::Board;
use crate::clock::now_ns;
use crate::peer::{Conn, Receiver, Sender};
use crate::result::{BenchResult, round};

/// When each batch was sent, by stroke and batch number.
type SentAt = Arc<Mutex<HashMap<(u64, u16), u64>>>;

pub async fn run(ctx: &Ctx, args: &Board) -> anyhow::Result<BenchResult> {
    anyhow::ensure!(args.drawers >= 1 && args.drawers < args.clients, "--drawers must be 1 to clients - 1");
    let room = format!("board-{}", ctx.tag);
    let mut clients = Vec::new();
    let mut listeners = Vec::new();
    let sent_at: SentAt = Arc::default();
    let latencies = Arc::new(Mutex::new(Histogram::<u64>::new(3)?));
    for i in 0..args.clients {
        let (client, mut events) = connect_anseo(ctx, i).await?;
        client.join(&room, None).await?;
        wait_joined(&mut events, &room).await?;
        clients.push(client);
        listeners.push(tokio::spawn(listen(events, sent_at.clone(), latencies.clone())));
    }

    let ops = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let until = now_ns() + (args.warmup + args.duration) as u64 * 1_000_000_000;
    let measure_from = now_ns() + args.warmup as u64 * 1_000_000_000;
    let mut drawers = Vec::new();
    for (i, client) in clients.iter().take(args.drawers).enumerate() {
        let plan = Plan { room: room.clone(), drawer: i as u16, args: args.clone(), until, measure_from };
        drawers.push(tokio::spawn(draw(client.clone(), plan, sent_at.clone(), ops.clone())));
    }
    tokio::time::sleep(Duration::from_secs_f64(args.warmup)).await;
    latencies.lock().expect("latencies").reset();
    let cpu_before = ctx.probe.sample();
    tokio::time::sleep(Duration::from_secs_f64(args.duration)).await;
    let cpu_after = ctx.probe.sample();
    for drawer in drawers {
        drawer.await??;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let latency = latencies.lock().expect("latencies").clone();
    for client in &clients {
        client.quit().await;
    }
    for listener in listeners {
        listener.abort();
    }

    let measured_ops = ops.load(std::sync::atomic::Ordering::Relaxed);
    let mut result =
        BenchResult { scenario: "board".into(), target: ctx.target.url(), ..BenchResult::default() };
    result.param("clients", args.clients);
    result.param("drawers", args.drawers);
    result.param("batches_per_sec", args.batches_per_sec);
    result.param("points_per_batch", args.points_per_batch);
    result.set_latency(&latency);
    result.delivered = Some(latency.len());
    result.extra("board_ops", measured_ops);
    result.extra("board_ops_per_sec", round(measured_ops as f64 / args.duration, 1));
    if let (Some(before), Some(after)) = (cpu_before, cpu_after) {
        let cpu = after.cpu_us.saturating_sub(before.cpu_us) as f64;
        result.extra("server_cpu_us_per_board_op", round(cpu / measured_ops.max(1) as f64, 1));
        result.server_rss_bytes = Some(after.rss_bytes);
    }
    Ok(result)
}

/// What one drawer does.
struct Plan {
    room: String,
    drawer: u16,
    args: Board,
    until: u64,
    measure_from: u64,
}

/// Draws strokes until the end: a batch every 1/`batches_per_sec` s.
async fn draw(
    client: Client,
    plan: Plan,
    sent_at: SentAt,
    ops: Arc<std::sync::atomic::AtomicU64>,
) -> anyhow::Result<()> {
    let style = StrokeStyle { colour: 0x0969da, width: 30, tool: Tool::Pen };
    let batches_per_stroke = (plan.args.stroke_secs * plan.args.batches_per_sec).max(1.0) as u16;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / plan.args.batches_per_sec));
    let mut stroke = u64::from(plan.drawer) << 32;
    while now_ns() < plan.until {
        stroke += 1;
        tick.tick().await;
        client.draw(&plan.room, BoardOp::Begin { stroke, style, points: Vec::new() }).await?;
        let mut count = 1;
        for batch in 0..batches_per_stroke {
            tick.tick().await;
            let y = 100 + plan.drawer * 1000 + batch % 900;
            let points: Vec<Point> = (0..plan.args.points_per_batch as u16)
                .map(|k| Point { x: batch + k.min(1) * 5000, y })
                .collect();
            let now = now_ns();
            sent_at.lock().expect("sent").insert((stroke, batch), now);
            client.draw(&plan.room, BoardOp::Points { stroke, points }).await?;
            count += 1;
            if now_ns() >= plan.until {
                break;
            }
        }
        client.draw(&plan.room, BoardOp::End { stroke }).await?;
        count += 1;
        if now_ns() > plan.measure_from {
            ops.fetch_add(count, std::sync::atomic::Ordering::Relaxed);
        }
    }
    Ok(())
}

/// Records how long each batch of points took to reach this client (its own included: the
/// echo, drawn like everyone else's).
async fn listen(mut events: mpsc::Receiver<Event>, sent_at: SentAt, latencies: Arc<Mutex<Histogram<u64>>>) {
    while let Some(event) = events.recv().await {
        let Event::Server(ServerMsg::Board(event)) = event else { continue };
        let BoardOp::Points { stroke, points } = event.op else { continue };
        let Some(first) = points.first() else { continue };
        let sent = sent_at.lock().expect("sent").get(&(stroke, first.x)).copied();
        if let Some(sent) = sent {
            let _ = latencies.lock().expect("latencies").record(now_ns().saturating_sub(sent) / 1000);
        }
    }
}

async fn wait_joined(events: &mut mpsc::Receiver<Event>, room: &str) -> anyhow::Result<()> {
    while let Some(event) = events.recv().await {
        match event {
            Event::Server(ServerMsg::Joined { room: joined, .. }) if joined.name == room => return Ok(()),
            Event::Server(ServerMsg::Error(error)) => bail!("cannot join {room}: {}", error.message),
            Event::Closed(reason) => bail!("the session ended: {reason}"),
            _ => {}
        }
    }
    bail!("the session ended")
}

/// Logs in client `i` on the Anseo target.
async fn connect_anseo(ctx: &Ctx, i: usize) -> anyhow::Result<(Client, mpsc::Receiver<Event>)> {
    match ctx.target.connect(&ctx.name(i)).await? {
        Conn { tx: Sender::Anseo(client), rx: Receiver::Anseo(events) } => Ok((client, events)),
        _ => bail!("the board scenario runs against Anseo only (anseo://HOST:PORT)"),
    }
}
