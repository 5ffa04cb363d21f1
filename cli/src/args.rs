//! The command line.

use std::path::PathBuf;

use anseo_shared::trust::{Fingerprint, Invite};
use clap::Parser;

/// Anseo's terminal client: chat on an Anseo server from a shell or a script.
///
/// Reads lines from standard input: plain text goes to the current room, `/help` lists the
/// commands, end of input leaves. Exit codes: 0 left normally, 1 other failure, 2 bad
/// arguments, 3 cannot connect, 4 name or password rejected, 5 server certificate not
/// trusted, 6 disconnected by the server.
///
/// A name claimed with a password needs that password: `--password-file FILE` (its first line)
/// or `--ask-password` (asked on the terminal). A password for a name nobody has claimed claims
/// it. Passwords are never taken on the command line, where other users could see them.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "anseo-cli",
    version,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The server's address, as HOST:PORT (e.g. 192.168.1.5:4433).
    #[arg(long, value_name = "HOST:PORT", required_unless_present = "link")]
    pub server: Option<String>,

    /// An invite link (https://HOST:PORT/join#fp=HEX or anseo://HOST:PORT?fp=HEX, from the
    /// server's banner or a member's Invite button): the server and its fingerprint in one.
    #[arg(long, value_name = "LINK", conflicts_with_all = ["server", "fingerprint"])]
    pub link: Option<Invite>,

    /// The name to chat under (letters, digits, '_', '-', '.'; at most 32 characters).
    #[arg(long, required = true)]
    pub name: Option<String>,

    /// Accept only the server certificate with this SHA-256 fingerprint (64 hex digits,
    /// colons and spaces allowed), instead of consulting the known-servers file.
    #[arg(long, value_name = "HEX")]
    pub fingerprint: Option<Fingerprint>,

    /// Trust a server not yet in the known-servers file without asking, and remember it.
    #[arg(long)]
    pub trust_new: bool,

    /// Print one JSON object per line on stdout instead of readable lines.
    #[arg(long)]
    pub json: bool,

    /// Log in with the password on the first line of FILE (claiming the name if it is free).
    #[arg(long, value_name = "FILE", conflicts_with = "ask_password")]
    pub password_file: Option<PathBuf>,

    /// Ask for the password on the terminal (without showing it) before connecting.
    #[arg(long)]
    pub ask_password: bool,

    /// The known-servers file to check and update (default: known_servers in Anseo's folder
    /// of your config directory, e.g. ~/.config/anseo/known_servers).
    #[arg(long, value_name = "FILE")]
    pub known_servers: Option<PathBuf>,

    /// Where `/get` saves files (default: your download folder, e.g. ~/Downloads, or the
    /// current folder when there is none).
    #[arg(long, value_name = "DIR")]
    pub download_dir: Option<PathBuf>,

    /// Send pictures with their hidden details (EXIF: camera, time, GPS position). By default
    /// `/send` removes them from JPEG and PNG files first.
    #[arg(long)]
    pub keep_metadata: bool,
}

/// What else `anseo-cli` does besides chatting.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// List the Anseo servers announcing themselves on this network (DNS-SD over mDNS).
    Discover {
        /// How long to listen, in seconds.
        #[arg(long, default_value_t = 3.0)]
        timeout: f64,
        /// One JSON object per server on stdout.
        #[arg(long)]
        json: bool,
    },
}

impl Args {
    /// The server to connect to: `--server`, or the invite link's.
    pub fn server(&self) -> &str {
        match (&self.link, &self.server) {
            (Some(invite), _) => &invite.server,
            (None, Some(server)) => server,
            (None, None) => "",
        }
    }

    /// The fingerprint to pin: `--fingerprint`, or the invite link's.
    pub fn pin(&self) -> Option<Fingerprint> {
        self.link.as_ref().map(|invite| invite.fingerprint).or(self.fingerprint)
    }

    /// The name to chat under (clap requires it when chatting).
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }

    /// The folder `/get` saves to.
    pub fn download_dir(&self) -> PathBuf {
        self.download_dir.clone().or_else(dirs::download_dir).unwrap_or_else(|| PathBuf::from("."))
    }
}
