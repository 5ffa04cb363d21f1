//! Files up to the server, each on a stream of its own beside the chat stream (see
//! [`TransferRequest`]): the file is hashed (BLAKE3), the server says where to carry on from
//! (nothing, when it has the file already; the bytes it kept, when an earlier upload broke
//! off), the rest is sent, and the server's verdict comes back once it has checked every byte.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio_util::codec::FramedRead;

use super::commands::Commands;
use super::connection::ServerConnection;
use super::error::Disconnect;
use super::rt;
use super::session::Connection;
use crate::protocol::{
    ErrorCode, FileHash, FrameCodec, MAX_TRANSFER_FRAME, TransferReply, TransferRequest, encode_frame,
};

/// Bytes read from the file and written to the stream at a time.
const CHUNK: usize = 256 * 1024;

/// How long to wait before asking a busy server again, doubling each time up to
/// [`MAX_BUSY_WAIT`].
const BUSY_WAIT: Duration = Duration::from_millis(100);
const MAX_BUSY_WAIT: Duration = Duration::from_secs(2);

/// A file the server has now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uploaded {
    /// The BLAKE3 hash of its bytes: its name on the server.
    pub hash: FileHash,
    pub size: u64,
    /// Bytes this upload sent (less than `size` when the server had some or all of them).
    pub sent: u64,
}

/// Why a file did not reach the server.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The server refused it (too large, storage full...), in words.
    #[error("{message}")]
    Refused { code: ErrorCode, message: String },
    /// The file could not be read.
    #[error("cannot read {path}: {reason}")]
    File { path: String, reason: String },
    /// The connection broke; trying again carries on where this stopped.
    #[error("the transfer broke off: {0}")]
    Lost(String),
}

impl From<Disconnect> for TransferError {
    fn from(reason: Disconnect) -> Self {
        TransferError::Lost(reason.to_string())
    }
}

impl<C: ServerConnection> Commands<Connection<C>> {
    /// Sends the file at `path` to the server, carrying on from what it kept of an earlier
    /// try; `progress` hears the bytes the server has so far, and the size. When the server
    /// is busy with the same file (an earlier connection's upload still ending), it tries
    /// again a few times.
    pub async fn upload(
        &self,
        path: &Path,
        mut progress: impl FnMut(u64, u64) + Send,
    ) -> Result<Uploaded, TransferError> {
        let (hash, size) = hash_file(path).await?;
        let mut wait = BUSY_WAIT;
        loop {
            match self.upload_once(path, hash, size, &mut progress).await {
                Err(TransferError::Refused { code: ErrorCode::Unavailable, .. }) if wait < MAX_BUSY_WAIT => {
                    rt::sleep(wait).await;
                    wait *= 2;
                }
                result => return result,
            }
        }
    }

    async fn upload_once(
        &self,
        path: &Path,
        hash: FileHash,
        size: u64,
        progress: &mut (impl FnMut(u64, u64) + Send),
    ) -> Result<Uploaded, TransferError> {
        let (mut send, recv) = self.link.connection().open_transfer().await?;
        let request = encode_frame(&TransferRequest::Upload { hash, size }).expect("a request fits a frame");
        send.write_all(&request).await.map_err(lost)?;
        let mut replies = FramedRead::new(recv, FrameCodec::<TransferReply, ()>::new(MAX_TRANSFER_FRAME));
        let offset = match next_reply(&mut replies).await? {
            TransferReply::SendFrom { offset } => offset.min(size),
            TransferReply::Stored => {
                progress(size, size);
                return Ok(Uploaded { hash, size, sent: 0 });
            }
            TransferReply::Refused { code, message } => return Err(TransferError::Refused { code, message }),
        };
        let mut file = open_at(path, offset)?;
        let mut done = offset;
        progress(done, size);
        while done < size {
            let (read, chunk) = read_chunk(file, path).await?;
            file = read;
            if chunk.is_empty() {
                return Err(file_error(path, "the file got shorter while it was sent"));
            }
            send.write_all(&chunk).await.map_err(lost)?;
            done += chunk.len() as u64;
            progress(done, size);
        }
        send.shutdown().await.map_err(lost)?;
        match next_reply(&mut replies).await? {
            TransferReply::Stored => Ok(Uploaded { hash, size, sent: size - offset }),
            TransferReply::Refused { code, message } => Err(TransferError::Refused { code, message }),
            TransferReply::SendFrom { .. } => Err(TransferError::Lost("the server asked twice".into())),
        }
    }
}

async fn next_reply<R: tokio::io::AsyncRead + Unpin>(
    replies: &mut FramedRead<R, FrameCodec<TransferReply, ()>>,
) -> Result<TransferReply, TransferError> {
    match replies.next().await {
        Some(Ok(reply)) => Ok(reply),
        Some(Err(error)) => Err(TransferError::Lost(format!("the server's answer: {error}"))),
        None => Err(TransferError::Lost("the server ended the transfer".into())),
    }
}

fn lost(error: std::io::Error) -> TransferError {
    TransferError::Lost(error.to_string())
}

fn file_error(path: &Path, reason: impl ToString) -> TransferError {
    TransferError::File { path: path.display().to_string(), reason: reason.to_string() }
}

/// The BLAKE3 hash and size of the file at `path`, read off the async threads.
async fn hash_file(path: &Path) -> Result<(FileHash, u64), TransferError> {
    let owned = path.to_path_buf();
    let hashed = tokio::task::spawn_blocking(move || {
        let mut hasher = blake3::Hasher::new();
        hasher.update_reader(File::open(&owned)?)?;
        Ok::<_, std::io::Error>((*hasher.finalize().as_bytes(), hasher.count()))
    })
    .await
    .map_err(|e| file_error(path, e))?;
    hashed.map_err(|e| file_error(path, e))
}

fn open_at(path: &Path, offset: u64) -> Result<File, TransferError> {
    let mut file = File::open(path).map_err(|e| file_error(path, e))?;
    file.seek(SeekFrom::Start(offset)).map_err(|e| file_error(path, e))?;
    Ok(file)
}

/// The next chunk of `file` (empty at its end), read off the async threads.
async fn read_chunk(mut file: File, path: &Path) -> Result<(File, Vec<u8>), TransferError> {
    let read = tokio::task::spawn_blocking(move || {
        let mut chunk = vec![0u8; CHUNK];
        let n = file.read(&mut chunk)?;
        chunk.truncate(n);
        Ok::<_, std::io::Error>((file, chunk))
    })
    .await
    .map_err(|e| file_error(path, e))?;
    read.map_err(|e| file_error(path, e))
}
