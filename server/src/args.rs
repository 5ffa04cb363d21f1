//! The command line, parsed with clap and turned into a [`Config`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anseo_shared::board::BoardLimits;
use anseo_shared::protocol::{
    DEFAULT_BOARD_OPS_PER_SEC, DEFAULT_MAX_BOARD_POINTS, DEFAULT_MAX_BOARD_STROKES,
    DEFAULT_MAX_MESSAGE_CHARS, DEFAULT_MAX_STROKE_POINTS, MAX_MESSAGE_CHARS_LIMIT,
};
use anseo_shared::transport::IDLE_TIMEOUT;

use crate::cert::CertSource;
use crate::config::{Config, ConnectionLimits, FileLimits, SessionSettings, WebListen};
use crate::hub::{HubLimits, RoomCreationLimits};
use crate::limits::RateLimit;
use crate::outbox::OutboxLimits;
use crate::presence::PRESENCE_BACKLOG;

/// The limits of protocol version 1, which no option changes.
const FIXED_LIMITS: &str = "Fixed limits: frames from clients at most 64 KiB; user names 1-32 characters; room names 1-64 \
characters; room topics at most 200 characters; --max-message-chars at most 10000 characters.";

/// The Anseo chat server: QUIC with a self-signed certificate that clients verify by its
/// fingerprint.
#[derive(Debug, clap::Parser)]
#[command(name = "anseo-server", version, about, args_conflicts_with_subcommands = true, after_help = FIXED_LIMITS)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Subcommand>,

    /// The UDP address to listen on; the default `[::]` takes IPv4 and IPv6 clients
    #[arg(long, default_value = "[::]:4433")]
    pub listen: SocketAddr,

    /// The TCP address of the web client (HTTPS and its WebSocket); default: the port of
    /// --listen, on TCP
    #[arg(long, conflicts_with = "no_web")]
    pub web_listen: Option<SocketAddr>,

    /// Serve no web client (no TCP listener)
    #[arg(long)]
    pub no_web: bool,

    /// The name the server shows on the local network, where phones and laptops find it;
    /// default: this machine's host name
    #[arg(long, value_name = "NAME")]
    pub display_name: Option<String>,

    /// Do not announce the server on the local network (DNS-SD over mDNS)
    #[arg(long, conflicts_with = "display_name")]
    pub no_discovery: bool,

    #[command(flatten)]
    pub cert: CertArgs,

    /// The folder of the message store (anseo.db); default: anseo in the user's data folder
    /// (~/.local/share/anseo on Linux)
    #[arg(long)]
    pub data_dir: Option<PathBuf>,

    /// Only claimed names may log in: a login must come with a password (which claims a new
    /// name) or a saved token. Needs the store.
    #[arg(long)]
    pub require_accounts: bool,

    /// Make NAME a server admin, who may keep order in every room (topic, mute, kick, ban,
    /// moderators) and disconnect users. Only a claimed name counts (one that logged in with
    /// a password once: anseo-cli --password-file or --ask-password, or the app's lock
    /// button), so nobody else can log in as it. Repeat for several admins
    #[arg(long = "admin", value_name = "NAME")]
    pub admins: Vec<String>,

    /// Keep everything in memory only: nothing survives a restart (for tests and benchmarks);
    /// overrides --data-dir
    #[arg(long)]
    pub no_store: bool,

    /// The longest message accepted, in characters
    #[arg(long, default_value_t = DEFAULT_MAX_MESSAGE_CHARS,
          value_parser = clap::value_parser!(u32).range(1..=MAX_MESSAGE_CHARS_LIMIT as i64))]
    pub max_message_chars: u32,

    /// Users online at once, at most; more are told the server is full
    #[arg(long, default_value_t = 10_000)]
    pub max_clients: usize,

    /// Rooms one user may be in at once (the lobby included)
    #[arg(long, default_value_t = 50)]
    pub max_rooms_per_user: usize,

    /// Rooms on the server at once, at most (the lobby included)
    #[arg(long, default_value_t = 1000)]
    pub max_rooms: usize,

    /// Rooms one user name may create in an hour (rooms outlive their members)
    #[arg(long, default_value_t = 20)]
    pub rooms_created_per_hour: u32,

    /// Rooms one IP address may create in an hour (a classroom behind one NAT shares one)
    #[arg(long, default_value_t = 60)]
    pub rooms_created_per_hour_per_address: u32,

    /// The largest file people may share, in MiB
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
    pub max_file_mib: u64,

    /// Storage for people's files, all together, in GiB
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
    pub max_storage_gib: u64,

    /// Transfers (uploads and downloads) one client may have in progress at once
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=16))]
    pub uploads_per_client: u64,

    /// Seconds a new connection may take to log in
    #[arg(long, default_value_t = 5.0)]
    pub hello_timeout_secs: f64,

    /// Seconds of silence after which a client counts as gone
    #[arg(long, default_value_t = IDLE_TIMEOUT.as_secs_f64())]
    pub idle_timeout_secs: f64,

    /// Messages one client may send per second, on average
    #[arg(long, default_value_t = 10.0)]
    pub rate_limit_per_sec: f64,

    /// Messages one client may send at once after being quiet
    #[arg(long, default_value_t = 50)]
    pub rate_limit_burst: u32,

    /// Requests (lists, history pages, passwords, undecodable frames) one client may send per
    /// second, on average; never less than --rate-limit-per-sec
    #[arg(long, default_value_t = 10.0)]
    pub request_limit_per_sec: f64,

    /// Requests one client may send at once after being quiet (a reconnect catching up asks
    /// for one history page per room); never less than --rate-limit-burst
    #[arg(long, default_value_t = 100)]
    pub request_limit_burst: u32,

    /// Whiteboard operations (a stroke begun, a batch of its points, its end, a delete) one
    /// client may send per second, on average; twice as many at once
    #[arg(long, default_value_t = DEFAULT_BOARD_OPS_PER_SEC)]
    pub board_ops_per_sec: u32,

    /// Points in one whiteboard stroke, at most: a longer stroke is cut there
    #[arg(long, default_value_t = DEFAULT_MAX_STROKE_POINTS)]
    pub board_max_points: u32,

    /// Points on one room's whiteboard, at most (a joiner is sent the whole board at once)
    #[arg(long, default_value_t = DEFAULT_MAX_BOARD_POINTS)]
    pub board_max_total_points: u32,

    /// Strokes on one room's whiteboard, at most
    #[arg(long, default_value_t = DEFAULT_MAX_BOARD_STROKES)]
    pub board_max_strokes: u32,

    /// Logins from one IP address per minute, at most (a classroom behind one NAT shares one);
    /// as many as --max-connections-per-address may come at once
    #[arg(long, default_value_t = 600)]
    pub max_logins_per_minute: u32,

    /// Messages or requests refused for speed in a row after which a client is disconnected
    #[arg(long, default_value_t = 100)]
    pub abuse_disconnect_after: u32,

    /// Presence events kept for clients that are behind; a client further behind is sent who
    /// is online and the rooms afresh
    #[arg(long, default_value_t = PRESENCE_BACKLOG)]
    pub presence_backlog: usize,

    /// Bytes that may wait for one client before it is disconnected as too slow
    #[arg(long, default_value_t = OutboxLimits::default().bytes)]
    pub max_queued_bytes: usize,

    /// Seconds a client may grant no room for the data waiting for it (it reads nothing) before
    /// it is disconnected as too slow
    #[arg(long, default_value_t = OutboxLimits::default().stall.as_secs_f64())]
    pub stall_timeout_secs: f64,

    /// Connections open at once, at most (logged in or not)
    #[arg(long, default_value_t = 20_000)]
    pub max_connections: u32,

    /// Connections from one IP address at once, at most (a classroom behind one NAT shares one)
    #[arg(long, default_value_t = 256)]
    pub max_connections_per_address: u32,

    /// Handshakes in progress above which new clients must first prove their address (QUIC retry)
    #[arg(long, default_value_t = 64)]
    pub retry_above_handshakes: usize,
}

/// The per-user data folder: `anseo` in the platform's data directory.
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("anseo")
}

/// Where the certificate comes from.
#[derive(Debug, clap::Args)]
pub struct CertArgs {
    /// The folder holding cert.pem and key.pem (generated on first start); not used when
    /// --cert and --key are given
    #[arg(long, default_value = "certs")]
    pub cert_dir: PathBuf,

    /// A PEM certificate (chain) to use instead of the generated one
    #[arg(long, requires = "key")]
    pub cert: Option<PathBuf>,

    /// The PEM private key of --cert
    #[arg(long, requires = "cert")]
    pub key: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Subcommand {
    /// Print the certificate's SHA-256 fingerprint (64 hex digits) and exit
    Fingerprint {
        /// The folder holding cert.pem; not used when --cert is given
        #[arg(long, default_value = "certs")]
        cert_dir: PathBuf,
        /// A PEM certificate file
        #[arg(long)]
        cert: Option<PathBuf>,
    },
    /// Print the invite links (one per address people can reach the server at) and a QR code
    /// of the first, as the banner does; optionally write the QR code to a file
    Invite {
        /// The server's UDP address, as given to the server
        #[arg(long, default_value = "[::]:4433")]
        listen: SocketAddr,
        /// The folder holding cert.pem; not used when --cert is given
        #[arg(long, default_value = "certs")]
        cert_dir: PathBuf,
        /// A PEM certificate file
        #[arg(long)]
        cert: Option<PathBuf>,
        /// Write the QR code of the first link to FILE as SVG
        #[arg(long, value_name = "FILE")]
        svg: Option<PathBuf>,
        /// Write the QR code of the first link to FILE as PNG
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
    },
}

impl CertArgs {
    pub fn source(&self) -> CertSource {
        match (&self.cert, &self.key) {
            (Some(cert), Some(key)) => CertSource::Files { cert: cert.clone(), key: key.clone() },
            _ => CertSource::Dir(self.cert_dir.clone()),
        }
    }
}

impl Args {
    /// Logins per address: a minute's worth at once, or as many as may be connected at once if
    /// that is more (so a load test that allows a million connections from one address may
    /// open them), then a minute's worth per minute.
    fn login_rate(&self) -> RateLimit {
        let per_minute = self.max_logins_per_minute.max(1);
        RateLimit {
            burst: per_minute.max(self.max_connections_per_address),
            per_sec: f64::from(per_minute) / 60.0,
        }
    }

    /// The server configuration these arguments describe.
    pub fn config(&self) -> anyhow::Result<Config> {
        let seconds = |name: &str, secs: f64| {
            Duration::try_from_secs_f64(secs)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| anyhow::anyhow!("--{name} must be a positive number of seconds, not {secs}"))
        };
        anyhow::ensure!(self.rate_limit_burst > 0, "--rate-limit-burst must be at least 1");
        anyhow::ensure!(self.rate_limit_per_sec > 0.0, "--rate-limit-per-sec must be positive");
        anyhow::ensure!(
            !(self.require_accounts && self.no_store),
            "--require-accounts needs the store, where accounts live; drop --no-store"
        );
        anyhow::ensure!(
            self.admins.is_empty() || !self.no_store,
            "--admin needs the store, where claimed names live; drop --no-store"
        );
        let admins = self
            .admins
            .iter()
            .map(|name| {
                anseo_shared::protocol::normalize_name(name)
                    .map_err(|e| anyhow::anyhow!("--admin '{name}' is not a valid name: {e}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        anyhow::ensure!(self.request_limit_burst > 0, "--request-limit-burst must be at least 1");
        anyhow::ensure!(self.request_limit_per_sec > 0.0, "--request-limit-per-sec must be positive");
        let rate = RateLimit { burst: self.rate_limit_burst, per_sec: self.rate_limit_per_sec };
        // Raising the message rate (for a benchmark, say) raises the request rate with it.
        let requests = RateLimit {
            burst: self.request_limit_burst.max(rate.burst),
            per_sec: self.request_limit_per_sec.max(rate.per_sec),
        };
        Ok(Config {
            listen: self.listen,
            web: match (self.no_web, self.web_listen) {
                (true, _) => WebListen::Off,
                (false, Some(addr)) => WebListen::At(addr),
                (false, None) => WebListen::SamePort,
            },
            cert: self.cert.source(),
            discovery: (!self.no_discovery)
                .then(|| self.display_name.clone().unwrap_or_else(crate::discovery::default_name)),
            hub: HubLimits {
                max_clients: self.max_clients,
                max_rooms_per_user: self.max_rooms_per_user.max(1),
                max_rooms: self.max_rooms.max(1),
                max_message_chars: self.max_message_chars,
                presence_backlog: self.presence_backlog.max(1),
                send_rate: rate.to_send_rate(),
                board: BoardLimits {
                    max_stroke_points: self.board_max_points.max(1),
                    max_strokes: self.board_max_strokes.max(1),
                    max_points: self.board_max_total_points.max(1),
                },
                room_creation: RoomCreationLimits {
                    per_name_per_hour: self.rooms_created_per_hour,
                    per_address_per_hour: self.rooms_created_per_hour_per_address,
                },
            },
            session: SessionSettings {
                hello_timeout: seconds("hello-timeout-secs", self.hello_timeout_secs)?,
                outbox: OutboxLimits {
                    bytes: self.max_queued_bytes,
                    stall: seconds("stall-timeout-secs", self.stall_timeout_secs)?,
                    ..OutboxLimits::default()
                },
                rate,
                requests,
                logins: self.login_rate(),
                board: RateLimit {
                    burst: self.board_ops_per_sec.max(1) * 2,
                    per_sec: f64::from(self.board_ops_per_sec.max(1)),
                },
                abuse_after: self.abuse_disconnect_after.max(1),
            },
            idle_timeout: seconds("idle-timeout-secs", self.idle_timeout_secs)?,
            require_accounts: self.require_accounts,
            admins,
            store: match (&self.no_store, &self.data_dir) {
                (true, _) => None,
                (false, Some(dir)) => Some(dir.clone()),
                (false, None) => Some(default_data_dir()),
            },
            files: FileLimits {
                max_file: self.max_file_mib << 20,
                max_storage: self.max_storage_gib << 30,
                uploads_per_client: self.uploads_per_client as usize,
            },
            connections: ConnectionLimits {
                max_total: self.max_connections.max(1),
                max_per_address: self.max_connections_per_address.max(1),
                retry_above_handshakes: self.retry_above_handshakes,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn defaults() {
        let args = Args::try_parse_from(["anseo-server"]).unwrap();
        let config = args.config().unwrap();
        assert_eq!(config.listen, "[::]:4433".parse().unwrap());
        assert_eq!(config.cert, CertSource::Dir("certs".into()));
        assert_eq!(config.hub.max_message_chars, DEFAULT_MAX_MESSAGE_CHARS);
        assert_eq!(config.session.hello_timeout, Duration::from_secs(5));
        assert_eq!(config.session.rate, RateLimit { burst: 50, per_sec: 10.0 });
        assert_eq!(config.session.requests, RateLimit { burst: 100, per_sec: 10.0 });
        assert_eq!(config.session.logins, RateLimit { burst: 600, per_sec: 10.0 });
        assert_eq!(config.hub.presence_backlog, PRESENCE_BACKLOG);
    }

    #[test]
    fn the_request_rate_is_never_below_the_message_rate() {
        let args = Args::try_parse_from([
            "anseo-server",
            "--rate-limit-burst",
            "1000",
            "--rate-limit-per-sec",
            "500",
            "--request-limit-burst",
            "20",
        ])
        .unwrap();
        assert_eq!(args.config().unwrap().session.requests, RateLimit { burst: 1000, per_sec: 500.0 });
        let args = Args::try_parse_from(["anseo-server", "--request-limit-per-sec", "0"]).unwrap();
        assert!(args.config().is_err());
    }

    #[test]
    fn message_limit_above_the_protocol_limit_is_refused() {
        let too_many = (MAX_MESSAGE_CHARS_LIMIT + 1).to_string();
        assert!(Args::try_parse_from(["anseo-server", "--max-message-chars", &too_many]).is_err());
        assert!(Args::try_parse_from(["anseo-server", "--max-message-chars", "0"]).is_err());
    }

    #[test]
    fn cert_needs_key_and_wins_over_cert_dir() {
        assert!(Args::try_parse_from(["anseo-server", "--cert", "c.pem"]).is_err());
        assert!(Args::try_parse_from(["anseo-server", "--key", "k.pem"]).is_err());
        let args =
            Args::try_parse_from(["anseo-server", "--cert-dir", "d", "--cert", "c", "--key", "k"]).unwrap();
        assert_eq!(args.cert.source(), CertSource::Files { cert: "c".into(), key: "k".into() });
    }

    #[test]
    fn fingerprint_subcommand() {
        let args = Args::try_parse_from(["anseo-server", "fingerprint", "--cert-dir", "x"]).unwrap();
        assert!(
            matches!(args.command, Some(Subcommand::Fingerprint { ref cert_dir, cert: None }) if cert_dir.as_os_str() == "x")
        );
    }
}
