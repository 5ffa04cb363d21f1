//! The command line: everything is optional; given values pre-fill the login form.

use anseo_shared::trust::{Fingerprint, Invite};
use clap::Parser;

/// Anseo: chat on your local network.
#[derive(Debug, Clone, Default, Parser)]
#[command(name = "anseo", version, about)]
pub struct Args {
    /// The server, as HOST:PORT (default: the last one used).
    #[arg(long, value_name = "HOST:PORT")]
    pub server: Option<String>,
    /// Your name (default: the last one used).
    #[arg(long)]
    pub name: Option<String>,
    /// The server's certificate fingerprint (64 hex digits, as its startup banner shows):
    /// the app then accepts only this certificate and does not ask.
    #[arg(long, value_name = "HEX")]
    pub fingerprint: Option<Fingerprint>,
    /// An invite link (anseo://HOST:PORT?fp=HEX or https://HOST:PORT/join#fp=HEX), as a
    /// desktop opens the app for one: the server and its fingerprint in one.
    #[arg(value_name = "LINK", conflicts_with_all = ["server", "fingerprint"])]
    pub link: Option<Invite>,
}
