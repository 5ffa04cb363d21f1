//! The `anseo-server` binary: parse the command line, set up logging, run until Ctrl-C or
//! SIGTERM.

use anyhow::Context;
use clap::Parser;

use anseo_server::args::{Args, Subcommand};
use anseo_server::cert::{self, CertSource};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(Subcommand::Fingerprint { cert_dir, cert }) = &args.command {
        let source = match cert {
            Some(cert) => CertSource::Files { cert: cert.clone(), key: Default::default() },
            None => CertSource::Dir(cert_dir.clone()),
        };
        println!("{}", cert::fingerprint(&source)?);
        return Ok(());
    }
    init_tracing();
    let config = args.config()?;
    anseo_server::run(config, shutdown_signal()).await.context("the server could not start")?;
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
