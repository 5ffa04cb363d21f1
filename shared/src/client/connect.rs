//! Connecting: resolve the address, handshake with fingerprint verification, Hello/Welcome.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::time::{Instant, timeout_at};
use tokio_util::codec::{FramedRead, FramedWrite};

use super::commands::Commands;
use super::connection::{Quic, ServerConnection};
use super::error::{ConnectError, Disconnect};
use super::session::{Connection, Event, start_session};
use crate::protocol::{
    ClientMsg, Credential, FrameCodec, LoginRequest, MAX_SERVER_FRAME_LEN, PROTOCOL_VERSION, Rejection,
    RejoinRequest, ServerMsg, Welcome,
};
use crate::transport::client_config;
use crate::trust::{Fingerprint, KnownServers};

/// How the server's certificate is verified. There is no option that skips verification.
#[derive(Debug, Clone)]
pub enum Trust {
    /// Accept only the certificate with this SHA-256 fingerprint.
    Pinned(Fingerprint),
    /// Accept the fingerprint remembered for this address in the known-servers file; an
    /// unknown server is refused with [`ConnectError::UnknownServer`].
    KnownServers(PathBuf),
}

/// Where to connect, as whom, and how to verify the server.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// `HOST:PORT`, as the user typed it (also the known-servers key).
    pub server: String,
    pub name: String,
    pub trust: Trust,
    /// How long to wait for the server before giving up (5 s by default).
    pub timeout: Duration,
    /// A password or saved token for a claimed name (none: log in by name only).
    pub credential: Option<Credential>,
    /// The client's instance number, for a client that resumes itself (see
    /// [`RejoinRequest`]); `None` for a plain session.
    pub instance: Option<u64>,
    /// Whether presence events are decoded and passed on (the default). A load generator
    /// standing in for thousands of devices turns it off: the presence stream is then read
    /// and dropped undecoded, so that the generator, not the server, is not what limits a
    /// benchmark.
    pub presence: bool,
}

impl ConnectOptions {
    pub fn new(server: impl Into<String>, name: impl Into<String>, trust: Trust) -> Self {
        ConnectOptions {
            server: server.into(),
            name: name.into(),
            trust,
            timeout: Duration::from_secs(5),
            credential: None,
            instance: None,
            presence: true,
        }
    }

    /// Logs in with `credential` (a password claims a name nobody has claimed yet).
    pub fn with_credential(mut self, credential: Credential) -> Self {
        self.credential = Some(credential);
        self
    }
}

/// A logged-in session: the handle for commands, the Welcome, and the event stream.
pub struct Connected<C: ServerConnection = Quic> {
    pub client: Commands<Connection<C>>,
    pub welcome: Welcome,
    pub events: tokio::sync::mpsc::Receiver<Event>,
}

/// Connects, verifies the server's certificate, and logs in, on a UDP socket of its own.
pub async fn connect(options: &ConnectOptions) -> Result<Connected, ConnectError> {
    let deadline = Instant::now() + options.timeout;
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
) -> Result<Connected, ConnectError> {
    let deadline = Instant::now() + options.timeout;
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
) -> Result<Connected, ConnectError> {
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

/// Logs in over an established `connection` (of any kind): opens the frame stream, says
/// Hello (or Login, or Rejoin) and waits for the Welcome until `deadline`.
pub(super) async fn log_in<C: ServerConnection>(
    connection: C,
    options: &ConnectOptions,
    deadline: Instant,
) -> Result<Connected<C>, ConnectError> {
    let server = options.server.trim().to_string();
    let unreachable =
        || ConnectError::Unreachable { server: server.clone(), secs: options.timeout.as_secs() };
    let (send, recv) = connection.open_frames().await.map_err(ConnectError::Closed)?;
    let codec = || FrameCodec::<ServerMsg, ClientMsg>::new(MAX_SERVER_FRAME_LEN);
    let mut writer = FramedWrite::new(send, codec());
    let mut reader = FramedRead::new(recv, codec());
    let lost = |connection: &C| {
        ConnectError::Closed(
            connection
                .close_reason()
                .unwrap_or_else(|| Disconnect::Lost("the server ended the login".into())),
        )
    };
    if writer.send(&hello(options)).await.is_err() {
        return Err(lost(&connection));
    }
    let welcome = match timeout_at(deadline, reader.next()).await {
        Err(_elapsed) => return Err(unreachable()),
        Ok(Some(Ok(ServerMsg::Welcome(welcome)))) => welcome.with_members_filled_in(),
        Ok(Some(Ok(ServerMsg::Rejected(rejection)))) => return Err(rejection_error(rejection)),
        Ok(Some(Ok(other))) => {
            return Err(ConnectError::Failed {
                server,
                reason: format!("unexpected answer to Hello: {other:?}"),
            });
        }
        Ok(Some(Err(_)) | None) => return Err(lost(&connection)),
    };
    let (client, events) = start_session(connection, writer, reader, &welcome, options.presence);
    Ok(Connected { client, welcome, events })
}

/// The first frame: Hello for a name, Login with a credential, Rejoin for a client instance
/// that resumes itself.
fn hello(options: &ConnectOptions) -> ClientMsg {
    match (&options.credential, options.instance) {
        (credential, Some(instance)) => ClientMsg::Rejoin(RejoinRequest {
            version: PROTOCOL_VERSION,
            name: options.name.clone(),
            credential: credential.clone(),
            instance,
        }),
        (None, None) => ClientMsg::Hello { version: PROTOCOL_VERSION, name: options.name.clone() },
        (Some(credential), None) => ClientMsg::Login(LoginRequest {
            version: PROTOCOL_VERSION,
            name: options.name.clone(),
            credential: credential.clone(),
        }),
    }
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
            Trust::KnownServers(_) => {
                ConnectError::CertificateChanged { server: server.into(), expected, actual }
            }
        }),
        _ => None,
    }
}

fn rejection_error(rejection: Rejection) -> ConnectError {
    match rejection {
        Rejection::NameTaken { name } => ConnectError::NameTaken(name),
        Rejection::InvalidName { reason } => ConnectError::InvalidName(reason),
        Rejection::UnsupportedVersion { server, client } => {
            ConnectError::UnsupportedVersion { server, client }
        }
        Rejection::ServerFull => ConnectError::ServerFull,
        Rejection::PasswordRequired { name } => ConnectError::PasswordRequired(name),
        Rejection::WrongPassword { name, retry_after_ms } => {
            ConnectError::WrongPassword { name, retry_after_ms }
        }
        Rejection::AccountRequired { name } => ConnectError::AccountRequired(name),
        Rejection::InvalidPassword { reason } => ConnectError::InvalidPassword(reason),
        Rejection::Unavailable { reason } => ConnectError::Unavailable(reason),
    }
}
