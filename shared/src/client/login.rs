//! Logging in over a connection of any kind: the options (where, as whom, how the server is
//! trusted), the first frame (Hello, Login or Rejoin) and the Welcome or the rejection. The
//! transports (`connect.rs` for QUIC, `websocket_native.rs` and the browser's) connect first, then
//! hand the connection here.

use std::path::PathBuf;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio_util::codec::{FramedRead, FramedWrite};

use super::commands::Commands;
use super::connection::ServerConnection;
use super::error::{ConnectError, Disconnect};
use super::rt::{Instant, timeout_at};
use super::session::{Connection, Event, start_session};
use crate::protocol::{
    ClientMsg, Credential, FrameCodec, LoginRequest, MAX_SERVER_FRAME_LEN, PROTOCOL_VERSION, Rejection,
    RejoinRequest, ServerMsg, Welcome,
};
use crate::trust::Fingerprint;

/// How the server's certificate is verified. There is no option that skips verification.
#[derive(Debug, Clone)]
pub enum Trust {
    /// Accept only the certificate with this SHA-256 fingerprint.
    Pinned(Fingerprint),
    /// Accept the fingerprint remembered for this address in the known-servers file; an
    /// unknown server is refused with [`ConnectError::UnknownServer`].
    KnownServers(PathBuf),
    /// The browser checked the certificate when it loaded the page this client runs in,
    /// and connects only to the server that served it (the web client; a native connection
    /// refuses this).
    PageOrigin,
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
pub struct LoggedIn<C: ServerConnection> {
    pub client: Commands<Connection<C>>,
    pub welcome: Welcome,
    pub events: tokio::sync::mpsc::Receiver<Event>,
}

/// Logs in over an established `connection` (of any kind): opens the frame stream, says
/// Hello (or Login, or Rejoin) and waits for the Welcome until `deadline`.
pub(crate) async fn log_in<C: ServerConnection>(
    connection: C,
    options: &ConnectOptions,
    deadline: Instant,
) -> Result<LoggedIn<C>, ConnectError> {
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
    Ok(LoggedIn { client, welcome, events })
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
