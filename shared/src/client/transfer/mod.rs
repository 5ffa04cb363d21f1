//! Files to and from the server, each on a stream of its own beside the chat stream (see
//! [`TransferRequest`](crate::protocol::TransferRequest)), named by the BLAKE3 hash of their
//! bytes. An upload carries on from what the server kept of an earlier try; a download from
//! what this device kept (a `.part` file beside the destination), and its bytes are checked
//! against the hash before the file takes its name.
//!
//! On a raw [`Client`](super::Client) a transfer that breaks off returns
//! [`TransferError::Lost`], and calling again carries on. On a [`Resilient`](super::Resilient)
//! session it carries on by itself once the session has reconnected, as long as the session
//! lives: the caller sees one call that takes longer.

mod download;
#[cfg(feature = "web")]
mod page;
mod store;
mod upload;

use std::pin::Pin;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};

pub use download::{Downloaded, partial_path, unique_path};
#[cfg(feature = "web")]
pub use page::{PageFile, PageMemory};
#[cfg(feature = "client")]
pub use store::{DiskFile, PartFile};
pub use store::{DownloadSink, UploadSource, hash_source};
pub use upload::Uploaded;
#[cfg(all(feature = "client", feature = "media"))]
pub(crate) use upload::hash_file;

use super::connection::ServerConnection;
use super::error::Disconnect;
use super::rt;
use super::session::Connection;
use crate::protocol::ErrorCode;

/// How long to wait before trying again (a busy server, a lost connection), doubling each
/// time up to [`MAX_WAIT`].
const FIRST_WAIT: Duration = Duration::from_millis(100);
const MAX_WAIT: Duration = Duration::from_secs(2);
/// Tries on a busy server (the same file still being stored by an earlier connection).
const BUSY_TRIES: u32 = 6;
/// Tries after the connection broke, at most: a link that breaks this often is not usable.
const LOST_TRIES: u32 = 30;

/// Why a file did not go up or come down.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The server refused it (too large, storage full, not allowed...), in words.
    #[error("{message}")]
    Refused { code: ErrorCode, message: String },
    /// A file on this device could not be read or written.
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    /// The downloaded bytes do not match the file's hash: nothing was kept.
    #[error("the downloaded file does not match its hash (nothing was kept); try again")]
    Corrupt,
    /// The connection broke; trying again carries on where this stopped.
    #[error("the transfer broke off: {0}")]
    Lost(String),
    /// The session ended.
    #[error("not connected: {0}")]
    Ended(Disconnect),
}

impl TransferError {
    /// The code a script sees for this error (`too_large`, `not_allowed`, `lost`...).
    pub fn code(&self) -> &'static str {
        match self {
            TransferError::Refused { code, .. } => code.as_str(),
            TransferError::File { .. } => "file",
            TransferError::Corrupt => "wrong_hash",
            TransferError::Lost(_) | TransferError::Ended(_) => "disconnected",
        }
    }
}

/// A transfer stream's two halves, whatever the connection underneath.
pub type TransferStream = (Pin<Box<dyn AsyncWrite + Send>>, Pin<Box<dyn AsyncRead + Send>>);

/// A session that can open transfer streams.
pub trait Transfers: Send + Sync {
    /// Opens a stream for one transfer: `Lost` when the connection is down now,
    /// `Ended` when the session is over.
    fn open_transfer(&self) -> impl Future<Output = Result<TransferStream, TransferError>> + Send;
    /// Whether a transfer that broke off should carry on by itself (the session reconnects).
    fn carries_on(&self) -> bool;
}

impl<C: ServerConnection> Transfers for Connection<C> {
    async fn open_transfer(&self) -> Result<TransferStream, TransferError> {
        let (send, recv) = self.connection().open_transfer().await.map_err(lost_from)?;
        Ok((Box::pin(send), Box::pin(recv)))
    }

    fn carries_on(&self) -> bool {
        false
    }
}

/// When to try a transfer again: after a busy server (a few times), and, on a session that
/// reconnects, after the connection broke; waiting longer each time.
struct Retry {
    wait: Duration,
    busy: u32,
    lost: u32,
    carries_on: bool,
}

/// What [`Retry::after`] decided.
enum Next<T> {
    Done(Result<T, TransferError>),
    TryAgain,
}

impl Retry {
    fn new(transfers: &impl Transfers) -> Retry {
        Retry { wait: FIRST_WAIT, busy: 0, lost: 0, carries_on: transfers.carries_on() }
    }

    /// Whether to try again after `result` (having waited), or be done with it.
    async fn after<T>(&mut self, result: Result<T, TransferError>) -> Next<T> {
        match result {
            Err(TransferError::Refused { code: ErrorCode::Unavailable, .. }) if self.busy < BUSY_TRIES => {
                self.busy += 1;
            }
            Err(TransferError::Lost(reason)) if self.carries_on && self.lost < LOST_TRIES => {
                self.lost += 1;
                tracing::debug!(%reason, "the transfer broke off; carrying on once reconnected");
            }
            result => return Next::Done(result),
        }
        rt::sleep(self.wait).await;
        self.wait = (self.wait * 2).min(MAX_WAIT);
        Next::TryAgain
    }
}

fn lost_from(reason: Disconnect) -> TransferError {
    TransferError::Lost(reason.to_string())
}

fn lost(error: std::io::Error) -> TransferError {
    TransferError::Lost(error.to_string())
}

#[cfg(feature = "client")]
fn file_error(path: &std::path::Path, reason: impl ToString) -> TransferError {
    TransferError::File { path: path.display().to_string(), reason: reason.to_string() }
}
