//! Connecting over QUIC: resolve the address, handshake with fingerprint verification, then
//! log in (`login.rs`).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use super::dial::Dial;
use super::error::ConnectError;
use super::quic::Quic;
use std::future::Future;

use super::commands::Commands;
use super::login::{ConnectOptions, LoggedIn, Trust, log_in};
use super::rt::{self, Instant, timeout_at};
use super::session::Connection;
use crate::transport::client_config;
use crate::trust::{Fingerprint, KnownServers};

impl Dial for Quic {
    fn dial(options: &ConnectOptions) -> impl Future<Output = Result<LoggedIn<Self>, ConnectError>> + Send {
        connect(options)
    }

    fn follow_network_change(session: &Commands<Connection<Self>>) {
        let any: std::net::SocketAddr = match session.local_addr() {
            Ok(addr) if addr.is_ipv6() => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
            _ => (std::net::Ipv4Addr::UNSPECIFIED, 0).into(),
        };
        match std::net::UdpSocket::bind(any).and_then(|socket| session.rebind(socket)) {
            Ok(()) => tracing::info!("moved the connection to the new network"),
            Err(error) => tracing::warn!(%error, "cannot move the connection to the new network"),
        }
    }
}

/// Connects, verifies the server's certificate, and logs in, on a UDP socket of its own.
pub async fn connect(options: &ConnectOptions) -> Result<LoggedIn<Quic>, ConnectError> {
    let deadline = rt::now() + options.timeout;
    let server = options.server.trim().to_string();
    let address = resolve(&server, deadline, options.timeout).await?;
    let endpoint = client_endpoint(address)?;
    login(endpoint, address, options, deadline).await
}

/// Like [`connect`], over an endpoint (a UDP socket) that other sessions may share: a load
/// generator running thousands of clients in one process then reads all their packets with
/// a few batched system calls instead of one socket each. Make the endpoint with
/// [`client_endpoint`]. [`Client::quit`](super::Client::quit) waits (briefly) for the whole endpoint to go idle,
/// so sessions sharing one are best ended together.
pub async fn connect_on(
    endpoint: &quinn::Endpoint,
    options: &ConnectOptions,
) -> Result<LoggedIn<Quic>, ConnectError> {
    let deadline = rt::now() + options.timeout;
    let server = options.server.trim().to_string();
    let address = resolve(&server, deadline, options.timeout).await?;
    login(endpoint.clone(), address, options, deadline).await
}

/// A client endpoint on an ephemeral port, of the address family of `server`.
pub fn client_endpoint(server: SocketAddr) -> Result<quinn::Endpoint, ConnectError> {
    let bind: SocketAddr = match server {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    quinn::Endpoint::client(bind).map_err(ConnectError::Socket)
}

/// Handshakes with `address` over `endpoint` (QUIC, verifying the certificate) and logs in.
async fn login(
    endpoint: quinn::Endpoint,
    address: SocketAddr,
    options: &ConnectOptions,
    deadline: Instant,
) -> Result<LoggedIn<Quic>, ConnectError> {
    let server = options.server.trim().to_string();
    let expected = expected_fingerprint(&options.trust, &server)?;
    let (config, seen) = client_config(expected);
    let unreachable =
        || ConnectError::Unreachable { server: server.clone(), secs: options.timeout.as_secs() };
    let connecting = endpoint
        .connect_with(config, address, &tls_server_name(&server))
        .map_err(|e| ConnectError::Failed { server: server.clone(), reason: e.to_string() })?;
    let connection = match timeout_at(deadline, connecting).await {
        Err(_elapsed) => return Err(unreachable()),
        Ok(Ok(connection)) => connection,
        Ok(Err(error)) => {
            let presented = *seen.lock().unwrap_or_else(|e| e.into_inner());
            return Err(handshake_error(&options.trust, &server, expected, presented, error, unreachable));
        }
    };
    log_in(Quic { endpoint, connection }, options, deadline).await
}

pub(super) async fn resolve(
    server: &str,
    deadline: Instant,
    wait: Duration,
) -> Result<SocketAddr, ConnectError> {
    let Some((host, port)) = server.rsplit_once(':') else {
        return Err(ConnectError::BadAddress(server.into()));
    };
    if host.is_empty() || port.parse::<u16>().is_err() {
        return Err(ConnectError::BadAddress(server.into()));
    }
    let resolve_error = |reason: String| ConnectError::Resolve { server: server.into(), reason };
    match timeout_at(deadline, tokio::net::lookup_host(server)).await {
        Err(_elapsed) => Err(ConnectError::Unreachable { server: server.into(), secs: wait.as_secs() }),
        Ok(Err(e)) => Err(resolve_error(e.to_string())),
        Ok(Ok(mut addresses)) => addresses.next().ok_or_else(|| resolve_error("no address found".into())),
    }
}

/// The TLS server name: the host part when it is a valid name or IP, else a fixed name (the
/// certificate is checked by fingerprint, not by name).
pub(super) fn tls_server_name(server: &str) -> String {
    let host = server.rsplit_once(':').map_or(server, |(host, _)| host);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match rustls::pki_types::ServerName::try_from(host) {
        Ok(_) => host.to_string(),
        Err(_) => "anseo".to_string(),
    }
}

pub(super) fn expected_fingerprint(trust: &Trust, server: &str) -> Result<Option<Fingerprint>, ConnectError> {
    match trust {
        Trust::Pinned(fingerprint) => Ok(Some(*fingerprint)),
        Trust::KnownServers(path) => Ok(KnownServers::load(path)?.get(server)),
        Trust::PageOrigin => Err(ConnectError::Failed {
            server: server.into(),
            reason: "only a page in a browser trusts the server that served it; pin a fingerprint".into(),
        }),
    }
}

fn handshake_error(
    trust: &Trust,
    server: &str,
    expected: Option<Fingerprint>,
    presented: Option<Fingerprint>,
    error: quinn::ConnectionError,
    unreachable: impl Fn() -> ConnectError,
) -> ConnectError {
    handshake_refusal(trust, server, expected, presented).unwrap_or_else(|| match error {
        quinn::ConnectionError::TimedOut => unreachable(),
        other => ConnectError::Failed { server: server.into(), reason: other.to_string() },
    })
}

/// Why a handshake failed, when it was the certificate: unknown, or not the one expected.
pub(super) fn handshake_refusal(
    trust: &Trust,
    server: &str,
    expected: Option<Fingerprint>,
    presented: Option<Fingerprint>,
) -> Option<ConnectError> {
    match (presented, expected) {
        (Some(actual), None) => {
            Some(ConnectError::UnknownServer { server: server.into(), fingerprint: actual })
        }
        (Some(actual), Some(expected)) if actual != expected => Some(match trust {
            Trust::Pinned(_) => ConnectError::FingerprintMismatch { expected, actual },
            Trust::KnownServers(_) | Trust::PageOrigin => {
                ConnectError::CertificateChanged { server: server.into(), expected, actual }
            }
        }),
        _ => None,
    }
}
