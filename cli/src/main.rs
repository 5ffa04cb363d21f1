//! `anseo-cli`: Anseo's terminal client. It reads lines from standard input (plain text is a
//! message to the current room, `/command ...` is a command) and prints what happens, either as
//! readable lines or, with `--json`, as one JSON object per line for scripts.
//!
//! # Layout
//! - [`args`]: the command line.
//! - [`login`]: deciding whom to trust and connecting (pin, known-servers file, first use).
//! - [`chat`]: the session loop between standard input, the server's events and the output.
//! - [`command`]: parsing one input line into a [`command::Command`] (pure).
//! - [`rooms`]: which room plain text goes to, and which rooms this user is in (pure).
//! - [`history`]: where each room's shown history begins, so nothing prints twice (pure).
//! - [`output`]: what gets printed, as a serde enum, and its human form.
//! - [`input`]: standard input as a bounded channel of lines.
//! - [`pending`]: commands still awaiting the server's answer (leaving waits for them).
//! - [`status`]: exit codes and the one-line reasons on stderr.
//! - [`discover`]: `anseo-cli discover`, the servers announcing themselves on the network.
//!
//! All networking goes through the client core in `anseo_shared::client`; nothing here knows
//! the wire format.

mod args;
mod board;
mod chat;
mod clock;
mod command;
mod discover;
mod history;
mod input;
mod login;
mod output;
mod pending;
mod rooms;
mod status;
mod transfers;

use std::process::ExitCode;

use clap::Parser;

use crate::args::Args;
use crate::status::Status;

fn main() -> ExitCode {
    let args = Args::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("anseo-cli: cannot start the async runtime: {error}");
            return ExitCode::from(Status::Other as u8);
        }
    };
    let status = match args.command {
        Some(args::Command::Discover { timeout, json }) => runtime.block_on(discover::run(timeout, json)),
        None => runtime.block_on(chat::run(args)),
    };
    // The stdin thread may be blocked in a read that cannot be cancelled: do not wait for it.
    runtime.shutdown_background();
    ExitCode::from(status as u8)
}

/// Logs go to stderr, quiet unless `RUST_LOG` asks for more: stdout belongs to the chat.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
