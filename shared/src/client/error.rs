//! Errors of the client core, in the words a user needs to act on them.

use std::fmt;

use crate::protocol::{AttachmentError, NameError, PasswordError, TextError, close_code};
use crate::trust::{Fingerprint, KnownServersError};

/// Why connecting and logging in failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("'{0}' is not a server address; expected HOST:PORT, e.g. 192.168.1.5:4433")]
    BadAddress(String),
    #[error("cannot find '{server}' on the network: {reason}")]
    Resolve { server: String, reason: String },
    #[error(
        "cannot reach {server} (no answer in {secs} s); check the address and that the server is running"
    )]
    Unreachable { server: String, secs: u64 },
    #[error("the name '{0}' is taken; choose another")]
    NameTaken(String),
    #[error("the name is not allowed: {0}")]
    InvalidName(String),
    #[error(
        "the server speaks protocol version {server} and this client version {client}; update the older one"
    )]
    UnsupportedVersion { server: u16, client: u16 },
    #[error("the server is full; try again later")]
    ServerFull,
    #[error("the name '{0}' is claimed; log in with its password")]
    PasswordRequired(String),
    #[error("wrong password for '{name}'{}", retry_hint(*retry_after_ms))]
    WrongPassword { name: String, retry_after_ms: u64 },
    #[error("this server only accepts claimed names; log in with a password to claim '{0}'")]
    AccountRequired(String),
    #[error("{0}")]
    InvalidPassword(String),
    #[error("the server cannot log you in right now: {0}; try again later")]
    Unavailable(String),
    #[error("{server} is not a known server; its certificate fingerprint is {fingerprint}")]
    UnknownServer { server: String, fingerprint: Fingerprint },
    #[error(
        "the server's certificate changed: {server} used to present {expected} and now presents \
         {actual}; someone may be impersonating it, so the connection was refused"
    )]
    CertificateChanged { server: String, expected: Fingerprint, actual: Fingerprint },
    #[error(
        "the server's certificate does not match the pinned fingerprint: expected {expected}, \
         got {actual}; the connection was refused"
    )]
    FingerprintMismatch { expected: Fingerprint, actual: Fingerprint },
    #[error("{0}")]
    Closed(Disconnect),
    #[error(transparent)]
    KnownServers(#[from] KnownServersError),
    #[error("cannot open a network socket: {0}")]
    Socket(std::io::Error),
    #[error("the connection to {server} failed: {reason}")]
    Failed { server: String, reason: String },
}

/// "; try again in 4 s" when the server asked to wait.
fn retry_hint(retry_after_ms: u64) -> String {
    match retry_after_ms {
        0 => String::new(),
        ms => format!("; too many tries, try again in {} s", ms.div_ceil(1000)),
    }
}

impl ConnectError {
    /// True for the errors about the server's identity (pin mismatch, changed or unknown
    /// certificate).
    pub fn is_certificate_problem(&self) -> bool {
        matches!(
            self,
            ConnectError::UnknownServer { .. }
                | ConnectError::CertificateChanged { .. }
                | ConnectError::FingerprintMismatch { .. }
        )
    }
}

/// Why a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disconnect {
    /// The server closed it with an application code and a reason.
    ByServer { code: u32, reason: String },
    /// This client quit.
    Quit,
    /// Nothing was heard from the server within the idle timeout.
    TimedOut,
    /// The connection broke for another reason.
    Lost(String),
    /// A resilient session stopped reconnecting: its last attempt failed in a way that trying
    /// again cannot fix.
    GaveUp(GaveUp),
}

/// A login failure that reconnecting cannot fix, as a resilient session reports it: the
/// error's words, and what kind of failure it was (the error itself is not `Clone`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GaveUp {
    pub reason: String,
    pub kind: GaveUpKind,
}

/// What kind of failure a resilient session gave up on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GaveUpKind {
    /// The server presented another certificate than the one expected (changed since it was
    /// trusted, or not the pinned one).
    CertificateChanged { expected: Fingerprint, actual: Fingerprint },
    /// The server refused the credential the session logs in with (a saved token whose
    /// password was changed since).
    CredentialRefused,
    /// Anything else (the name is not allowed any more, the address is wrong...).
    Other,
}

impl From<&ConnectError> for GaveUp {
    fn from(error: &ConnectError) -> Self {
        let kind = match error {
            ConnectError::CertificateChanged { expected, actual, .. }
            | ConnectError::FingerprintMismatch { expected, actual } => {
                GaveUpKind::CertificateChanged { expected: *expected, actual: *actual }
            }
            // A wrong password with a wait may be a name blocked by others' guesses, without
            // the credential having been checked.
            ConnectError::PasswordRequired(_) | ConnectError::WrongPassword { retry_after_ms: 0, .. } => {
                GaveUpKind::CredentialRefused
            }
            _ => GaveUpKind::Other,
        };
        GaveUp { reason: error.to_string(), kind }
    }
}

#[cfg(feature = "client")]
impl Disconnect {
    pub(crate) fn from_connection_error(error: &quinn::ConnectionError) -> Self {
        match error {
            quinn::ConnectionError::ApplicationClosed(close) => Disconnect::ByServer {
                code: close.error_code.into_inner() as u32,
                reason: String::from_utf8_lossy(&close.reason).into_owned(),
            },
            quinn::ConnectionError::LocallyClosed => Disconnect::Quit,
            quinn::ConnectionError::TimedOut => Disconnect::TimedOut,
            other => Disconnect::Lost(other.to_string()),
        }
    }
}

impl fmt::Display for Disconnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Disconnect::ByServer { code, reason } if *code == close_code::SHUTDOWN => {
                write!(f, "the server is shutting down ({reason})")
            }
            Disconnect::ByServer { reason, .. } => write!(f, "the server closed the connection: {reason}"),
            Disconnect::Quit => f.write_str("you left"),
            Disconnect::TimedOut => f.write_str("the connection to the server was lost (no answer for 30 s)"),
            Disconnect::Lost(reason) => write!(f, "the connection to the server was lost: {reason}"),
            Disconnect::GaveUp(gave_up) => f.write_str(&gave_up.reason),
        }
    }
}

/// Why a command could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(transparent)]
    Text(#[from] TextError),
    #[error(transparent)]
    Name(#[from] NameError),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Attachment(#[from] AttachmentError),
    #[error(transparent)]
    Board(#[from] crate::protocol::BoardOpError),
    #[error(transparent)]
    Emoji(#[from] crate::protocol::NotAnEmoji),
    #[error("not connected: {0}")]
    Disconnected(Disconnect),
}
