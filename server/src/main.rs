//! The `anseo-server` binary: parse the command line, set up logging, run until Ctrl-C or
//! SIGTERM.

use anyhow::Context;
use clap::Parser;

use std::path::{Path, PathBuf};

use anseo_server::args::{Args, Subcommand};
use anseo_server::cert::{self, CertSource};
use anseo_server::{banner, invite};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    match &args.command {
        Some(Subcommand::Fingerprint { cert_dir, cert }) => {
            println!("{}", cert::fingerprint(&cert_source(cert_dir, cert))?);
            return Ok(());
        }
        Some(Subcommand::Invite { listen, cert_dir, cert, svg, png }) => {
            let fingerprint = cert::fingerprint(&cert_source(cert_dir, cert))?;
            return print_invites(*listen, fingerprint, svg.as_deref(), png.as_deref());
        }
        None => {}
    }
    init_tracing();
    let config = args.config()?;
    anseo_server::run(config, shutdown_signal()).await.context("the server could not start")?;
    Ok(())
}

/// The certificate named by a subcommand's `--cert-dir` or `--cert`.
fn cert_source(cert_dir: &Path, cert: &Option<PathBuf>) -> CertSource {
    match cert {
        Some(cert) => CertSource::Files { cert: cert.clone(), key: Default::default() },
        None => CertSource::Dir(cert_dir.to_path_buf()),
    }
}

/// `anseo-server invite`: the links for a server on `listen`, a QR code of the first in the
/// terminal, and in `svg` or `png` if asked.
fn print_invites(
    listen: std::net::SocketAddr,
    fingerprint: anseo_shared::trust::Fingerprint,
    svg: Option<&Path>,
    png: Option<&Path>,
) -> anyhow::Result<()> {
    let reachable = banner::reachable_at(listen, &banner::network_addresses());
    let invites = invite::invites(&banner::invite_addresses(listen, &reachable), fingerprint);
    for line in invite::lines(&invites) {
        println!("{}", line.trim_start());
    }
    let first = invites[0].web_link();
    for line in invite::terminal_qr(&first)? {
        println!("{line}");
    }
    if let Some(path) = svg {
        invite::write_svg(&first, path).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = png {
        invite::write_png(&first, path).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Logs to stderr; `RUST_LOG` chooses the detail (info by default).
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt().with_env_filter(filter).with_ansi(colour).with_writer(std::io::stderr).init();
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot watch for SIGTERM; only Ctrl-C stops the server");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutdown requested");
}
