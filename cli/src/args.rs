//! The command line.

use std::path::PathBuf;

use anseo_shared::trust::Fingerprint;
use clap::Parser;

/// Anseo's terminal client: chat on an Anseo server from a shell or a script.
///
/// Reads lines from standard input: plain text goes to the current room, `/help` lists the
/// commands, end of input leaves. Exit codes: 0 left normally, 1 other failure, 2 bad
/// arguments, 3 cannot connect, 4 name rejected, 5 server certificate not trusted, 6
/// disconnected by the server.
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

    /// The known-servers file to check and update (default: known_servers in Anseo's folder
    /// of your config directory, e.g. ~/.config/anseo/known_servers).
    #[arg(long, value_name = "FILE")]
    pub known_servers: Option<PathBuf>,
}
