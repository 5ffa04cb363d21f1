//! The command line.

use std::path::PathBuf;

use anseo_shared::trust::Fingerprint;
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
#[command(name = "anseo-cli", version)]
pub struct Args {
    /// The server's address, as HOST:PORT (e.g. 192.168.1.5:4433).
    #[arg(long, value_name = "HOST:PORT")]
    pub server: String,

    /// The name to chat under (letters, digits, '_', '-', '.'; at most 32 characters).
    #[arg(long)]
    pub name: String,

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

impl Args {
    /// The folder `/get` saves to.
    pub fn download_dir(&self) -> PathBuf {
        self.download_dir.clone().or_else(dirs::download_dir).unwrap_or_else(|| PathBuf::from("."))
    }
}
