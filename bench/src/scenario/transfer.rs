//! `transfer`: one file up to the server and down again over loopback, as a user's `/send`
//! and `/get` do it (hashed, on a stream of its own, checked against its hash when it is
//! down), while two other clients chat: MB/s each way, chat latency idle and during each
//! transfer, and the server's memory during them (streamed: it stays flat, whatever the size).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anseo_shared::client::{Addressee, Client};
use anyhow::{Context, bail};
use hdrhistogram::Histogram;

use super::Ctx;
use crate::args::Transfer;
use crate::clock::now_ns;
use crate::peer::{Conn, Incoming, Receiver, Sender};
use crate::result::{BenchResult, round};

/// The caption of the shared file.
const CAPTION: &str = "the bench file";
/// Chat messages a second during the measurement (well under the server's default rate).
const PINGS_PER_SEC: u64 = 8;
/// How often the server's memory is read during a transfer.
const RSS_EVERY: Duration = Duration::from_millis(100);

pub async fn run(ctx: &Ctx, args: &Transfer) -> anyhow::Result<BenchResult> {
    let dir = std::env::temp_dir().join(format!("anseo-bench-transfer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).context("a folder for the file")?;
    let outcome = measure(ctx, args, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

async fn measure(ctx: &Ctx, args: &Transfer, dir: &Path) -> anyhow::Result<BenchResult> {
    let size = args.size_mib * (1 << 20);
    let file = write_file(dir, size).context("write the file to send")?;
    let (mover, mut mover_heard) = connect_anseo(ctx, 0).await?;
    let talker = ctx.target.connect(&ctx.name(1)).await?;
    let listener = ctx.target.connect(&ctx.name(2)).await?;
    let chat = Chat::start(talker.tx.clone(), listener);
    let rss_before = ctx.probe.sample().map(|s| s.rss_bytes);

    tokio::time::sleep(Duration::from_secs_f64(args.idle_secs)).await;
    let idle = chat.take().await;

    let (up_secs, rss_up) = timed(ctx, mover.upload(&file, |_, _| {})).await;
    let uploaded = up_secs.0.context("the upload")?;
    let during_up = chat.take().await;
    let attachment = anseo_shared::protocol::Attachment {
        hash: uploaded.hash,
        name: "bench.bin".into(),
        size,
        mime: "application/octet-stream".into(),
        picture: None,
    };
    mover.share(&Addressee::Room("lobby".into()), CAPTION, attachment).await.context("share the file")?;
    // Downloads are for those the file was shared with: once the message is posted.
    loop {
        match mover_heard.next().await {
            Incoming::Text(text) if text == CAPTION => break,
            Incoming::Closed(reason) => bail!("the session ended before the file was shared: {reason}"),
            _ => {}
        }
    }

    let copy = dir.join("copy.bin");
    let (down, rss_down) = timed(ctx, mover.download(uploaded.hash, &copy, |_, _| {})).await;
    let downloaded = down.0.context("the download")?;
    let during_down = chat.take().await;
    if downloaded.size != size {
        bail!("downloaded {} bytes of {size}", downloaded.size);
    }
    chat.stop(talker.tx).await;
    mover.quit().await;

    let mut result =
        BenchResult { scenario: "transfer".into(), target: ctx.target.url(), ..BenchResult::default() };
    result.param("size_mib", args.size_mib);
    let mb = size as f64 / 1e6;
    result.extra("upload_mb_per_sec", round(mb / up_secs.1, 1));
    result.extra("download_mb_per_sec", round(mb / down.1, 1));
    result.extra("chat_p99_idle_us", p99(&idle));
    result.extra("chat_p99_during_upload_us", p99(&during_up));
    result.extra("chat_p99_during_download_us", p99(&during_down));
    result.extra("chat_messages_during_transfers", during_up.len() + during_down.len());
    let mut during = during_up;
    during.add(&during_down).ok();
    result.set_latency(&during);
    result.server_rss_bytes = rss_up.max(rss_down);
    result.extra("server_rss_before_bytes", rss_before);
    Ok(result)
}

/// Logs in client `i` on the Anseo target, for the transfers.
async fn connect_anseo(ctx: &Ctx, i: usize) -> anyhow::Result<(Client, Receiver)> {
    match ctx.target.connect(&ctx.name(i)).await? {
        Conn { tx: Sender::Anseo(client), rx } => Ok((client, rx)),
        _ => bail!("the transfer scenario runs against Anseo only (anseo://HOST:PORT)"),
    }
}

/// A file of `size` bytes that no earlier run stored (its first bytes are the time).
fn write_file(dir: &Path, size: u64) -> std::io::Result<PathBuf> {
    use std::io::Write;
    let path = dir.join("bench.bin");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    let mut block: Vec<u8> = (0..1 << 20).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    block[..8].copy_from_slice(&now_ns().to_le_bytes());
    let mut left = size;
    let mut n = 0u64;
    while left > 0 {
        block[8..16].copy_from_slice(&n.to_le_bytes());
        let take = left.min(block.len() as u64) as usize;
        out.write_all(&block[..take])?;
        left -= take as u64;
        n += 1;
    }
    out.flush()?;
    Ok(path)
}

/// Runs `work`, reading the server's memory meanwhile: its outcome and seconds, and the
/// largest RSS seen.
async fn timed<T>(ctx: &Ctx, work: impl Future<Output = T>) -> ((T, f64), Option<u64>) {
    let started = Instant::now();
    let mut largest = None;
    let mut tick = tokio::time::interval(RSS_EVERY);
    tokio::pin!(work);
    loop {
        tokio::select! {
            outcome = &mut work => return ((outcome, started.elapsed().as_secs_f64()), largest),
            _ = tick.tick() => {
                let rss = ctx.probe.sample().map(|s| s.rss_bytes);
                largest = largest.max(rss);
            }
        }
    }
}

/// Two clients chatting in the lobby: one says a stamped line every 1/[`PINGS_PER_SEC`] s,
/// the other records how long each took.
struct Chat {
    latencies: Arc<tokio::sync::Mutex<Histogram<u64>>>,
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// The listener's session, which ends when its last sending handle goes.
    listener: Sender,
}

impl Chat {
    fn start(talker: Sender, listener: Conn) -> Chat {
        let Conn { tx: listener, rx: mut heard } = listener;
        let latencies = Arc::new(tokio::sync::Mutex::new(Histogram::new(3).expect("a histogram")));
        let stop = Arc::new(AtomicBool::new(false));
        let recorded = latencies.clone();
        let listen = tokio::spawn(async move {
            loop {
                match heard.next().await {
                    Incoming::Text(text) => {
                        if let Some(sent) = text.strip_prefix("ping ").and_then(|t| t.parse::<u64>().ok()) {
                            let _ = recorded.lock().await.record(now_ns().saturating_sub(sent) / 1000);
                        }
                    }
                    Incoming::Closed(_) => return,
                    _ => {}
                }
            }
        });
        let stopping = stop.clone();
        let talk = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / PINGS_PER_SEC));
            while !stopping.load(Ordering::Relaxed) {
                tick.tick().await;
                if talker.say("lobby", &[format!("ping {}", now_ns())]).await.is_err() {
                    return;
                }
            }
        });
        Chat { latencies, stop, tasks: vec![listen, talk], listener }
    }

    /// The latencies recorded since the last call.
    async fn take(&self) -> Histogram<u64> {
        let mut latencies = self.latencies.lock().await;
        let taken = latencies.clone();
        latencies.reset();
        taken
    }

    async fn stop(self, talker: Sender) {
        self.stop.store(true, Ordering::Relaxed);
        talker.quit().await;
        self.listener.quit().await;
        for task in self.tasks {
            task.abort();
        }
    }
}

fn p99(latency: &Histogram<u64>) -> Option<u64> {
    (!latency.is_empty()).then(|| latency.value_at_quantile(0.99))
}
