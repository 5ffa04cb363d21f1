//! The command line: options shared by every scenario (target, server under test, report) and
//! one subcommand per scenario with its own parameters, named as in BENCH.md.

use std::path::PathBuf;

use anseo_shared::trust::Fingerprint;

/// Anseo's load generator: runs a scenario open-loop against Anseo, an IRC server or NATS and
/// prints the result as one JSON object on stdout (progress goes to stderr).
#[derive(Debug, clap::Parser)]
#[command(name = "anseo-bench", version, about)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,

    #[command(subcommand)]
    pub scenario: Scenario,
}

/// Options every scenario takes (before or after the scenario name).
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// The server under test: anseo://HOST:PORT, irc://HOST:PORT, ircs://HOST:PORT or nats://HOST:PORT
    #[arg(long, global = true, default_value = "anseo://127.0.0.1:4433")]
    pub target: String,

    /// The Anseo server's certificate fingerprint (64 hex digits); not needed with --spawn-server
    #[arg(long, global = true)]
    pub fingerprint: Option<Fingerprint>,

    /// The SHA-256 fingerprint of an ircs:// server's certificate (colons allowed)
    #[arg(long, global = true)]
    pub tls_fingerprint: Option<Fingerprint>,

    /// Start this anseo-server binary on a free loopback port, benchmark it, and stop it
    #[arg(long, global = true, value_name = "PATH")]
    pub spawn_server: Option<PathBuf>,

    /// An extra argument for the spawned server (repeat it); e.g. --server-arg=--max-queued-bytes=65536
    #[arg(long = "server-arg", global = true, value_name = "ARG", allow_hyphen_values = true)]
    pub server_args: Vec<String>,

    /// Pin the spawned server to these CPUs (with taskset: "0", "0,1"), away from the load
    /// generator
    #[arg(long, global = true, value_name = "CPUS")]
    pub server_cpu: Option<String>,

    /// The pid of a server started elsewhere, to read its CPU time and memory from /proc
    #[arg(long, global = true)]
    pub server_pid: Option<u32>,

    /// A name for this target in the report (default: the URL scheme, e.g. `irc`)
    #[arg(long, global = true)]
    pub label: Option<String>,

    /// Add the result to DIR/results.json and rewrite DIR's Markdown table and latency plots
    #[arg(long, global = true, value_name = "DIR")]
    pub report: Option<PathBuf>,

    /// Worker threads of the load generator (default: the CPUs it may run on)
    #[arg(long, global = true)]
    pub threads: Option<usize>,

    /// Anseo clients sharing one UDP socket (1: a socket each, like separate devices); sharing
    /// makes the load generator cheaper per packet, so it measures the server, not itself
    #[arg(long, global = true, default_value_t = 1)]
    pub clients_per_socket: usize,

    /// Logins in flight at once while clients connect before a measurement
    #[arg(long, global = true, default_value_t = 64)]
    pub connect_concurrency: usize,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Scenario {
    /// Clients in rooms, senders at an offered rate: deliveries/s and latency
    Fanout(Fanout),
    /// Many small rooms, slow senders, direct messages and presence changes
    Mix(Mix),
    /// Clients arriving at a fixed rate: login rate, login latency, server CPU per login
    Storm(Storm),
    /// Idle logged-in clients: server memory per client
    Idle(Idle),
    /// One client stops reading under load: memory cap, time to cut it, others' latency
    Slow(Slow),
    /// Clients joining one room within a time: how long until everyone's member list settles
    Joinstorm(Joinstorm),
    /// One file up to the server and down again while others chat: MB/s, chat latency, memory
    Transfer(Transfer),
    /// People drawing on one room's whiteboard: server CPU per board operation, latency from a
    /// batch of points sent to it arriving at the others
    Board(Board),
    /// Runs nothing: rewrites the Markdown table and plots of DIR from its results.json
    Report(ReportOnly),
}

impl Scenario {
    pub fn name(&self) -> &'static str {
        match self {
            Scenario::Fanout(_) => "fanout",
            Scenario::Mix(_) => "mix",
            Scenario::Storm(_) => "storm",
            Scenario::Idle(_) => "idle",
            Scenario::Slow(_) => "slow",
            Scenario::Joinstorm(_) => "joinstorm",
            Scenario::Transfer(_) => "transfer",
            Scenario::Board(_) => "board",
            Scenario::Report(_) => "report",
        }
    }
}

/// `report`: what to redraw.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportOnly {
    /// A folder with a results.json written by --report (or by hand)
    pub dir: std::path::PathBuf,

    /// Adds this result (one JSON object, e.g. a peer measured by compare.sh without the load
    /// generator, such as scp) before redrawing
    #[arg(long, value_name = "FILE")]
    pub add: Option<std::path::PathBuf>,
}

/// How long to warm up and measure.
#[derive(Debug, Clone, clap::Args)]
pub struct Timing {
    /// Seconds measured (per rate step)
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,

    /// Seconds of load before the measurement starts (per rate step)
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,

    /// Seconds to wait for late deliveries after the last send
    #[arg(long, default_value_t = 2.0)]
    pub drain: f64,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Fanout {
    /// Clients, spread evenly over the rooms
    #[arg(long, default_value_t = 100)]
    pub clients: usize,

    #[arg(long, default_value_t = 1)]
    pub rooms: usize,

    /// Clients that send (the first ones; each room's senders send to it)
    #[arg(long, default_value_t = 1)]
    pub senders: usize,

    /// Offered messages per second, all senders together (the first step with --find-max)
    #[arg(long, default_value_t = 1000.0)]
    pub rate: f64,

    /// Payload bytes per message
    #[arg(long, default_value_t = 64)]
    pub size: usize,

    #[command(flatten)]
    pub timing: Timing,

    /// Step the rate up from --rate until a step is not sustained; report the last sustained one
    #[arg(long)]
    pub find_max: bool,

    /// The factor between rate steps
    #[arg(long, default_value_t = 1.5)]
    pub step: f64,

    /// The most rate steps to try
    #[arg(long, default_value_t = 20)]
    pub max_steps: usize,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Mix {
    #[arg(long, default_value_t = 1000)]
    pub clients: usize,

    #[arg(long, default_value_t = 100)]
    pub rooms: usize,

    /// Messages per second each client sends
    #[arg(long, default_value_t = 0.2)]
    pub rate_per_client: f64,

    /// Share of the messages that are direct messages, in percent
    #[arg(long, default_value_t = 20.0)]
    pub direct_percent: f64,

    /// Share of the clients changing presence (joining or leaving a room) per second, in percent
    #[arg(long, default_value_t = 1.0)]
    pub presence_percent: f64,

    #[arg(long, default_value_t = 64)]
    pub size: usize,

    #[command(flatten)]
    pub timing: Timing,

    /// Seed of the random choices (who, when, direct or not)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Storm {
    #[arg(long, default_value_t = 10_000)]
    pub clients: usize,

    /// New clients per second
    #[arg(long, default_value_t = 1000.0)]
    pub arrival_rate: f64,

    /// Seconds a login may take before it counts as failed
    #[arg(long, default_value_t = 10.0)]
    pub login_timeout: f64,

    /// Seconds to stay connected after the last login, before leaving
    #[arg(long, default_value_t = 1.0)]
    pub hold: f64,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Idle {
    #[arg(long, default_value_t = 1000)]
    pub clients: usize,

    /// Seconds to wait after the last login before reading the server's memory
    #[arg(long, default_value_t = 2.0)]
    pub settle: f64,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Transfer {
    /// The file's size in MiB
    #[arg(long, default_value_t = 1024)]
    pub size_mib: u64,

    /// Seconds of chat measured before the transfers (the idle latency)
    #[arg(long, default_value_t = 5.0)]
    pub idle_secs: f64,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Board {
    /// People in the room
    #[arg(long, default_value_t = 30)]
    pub clients: usize,

    /// How many of them draw at once
    #[arg(long, default_value_t = 5)]
    pub drawers: usize,

    /// Batches of points each drawer sends a second (the app sends about 30)
    #[arg(long, default_value_t = 30.0)]
    pub batches_per_sec: f64,

    /// Points in each batch
    #[arg(long, default_value_t = 4)]
    pub points_per_batch: usize,

    /// Seconds each stroke is drawn for before the next begins
    #[arg(long, default_value_t = 2.0)]
    pub stroke_secs: f64,

    /// Seconds of drawing before the measurement
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,

    /// Seconds measured
    #[arg(long, default_value_t = 20.0)]
    pub duration: f64,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Slow {
    #[arg(long, default_value_t = 100)]
    pub clients: usize,

    /// Messages per second from the one sender
    #[arg(long, default_value_t = 1000.0)]
    pub rate: f64,

    #[arg(long, default_value_t = 1024)]
    pub size: usize,

    /// Seconds the slow client stops reading
    #[arg(long, default_value_t = 60.0)]
    pub stall: f64,

    /// The baseline measurement before the stall
    #[command(flatten)]
    pub timing: Timing,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Joinstorm {
    #[arg(long, default_value_t = 1000)]
    pub clients: usize,

    /// Seconds over which the joins are spread
    #[arg(long, default_value_t = 10.0)]
    pub within: f64,

    /// Seconds after the last join to wait for member lists to settle
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
}
