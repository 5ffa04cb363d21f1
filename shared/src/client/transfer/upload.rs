//! Uploads: the file is hashed (BLAKE3), the server says where to carry on from (nothing,
//! when it has the file already; the bytes it kept, when an earlier upload broke off), the
//! rest is sent, and the server's verdict comes back once it has checked every byte.

#[cfg(feature = "client")]
use std::fs::File;
#[cfg(feature = "client")]
use std::path::Path;

use futures_util::StreamExt;
use tokio::io::{AsyncRead, AsyncWriteExt};
use tokio_util::codec::FramedRead;

#[cfg(feature = "client")]
use super::file_error;
#[cfg(feature = "client")]
use super::store::DiskFile;
use super::store::UploadSource;
use super::{Next, Retry, TransferError, Transfers, lost};
use crate::client::commands::Commands;
use crate::client::rt;
use crate::protocol::{
    FileHash, FrameCodec, MAX_TRANSFER_FRAME, TransferReply, TransferRequest, encode_frame,
};

/// How long to wait for the server's reason once it stopped an upload.
const REFUSAL_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Bytes read from the source and written to the stream at a time.
const CHUNK: usize = 256 * 1024;

/// A file the server has now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uploaded {
    /// The BLAKE3 hash of its bytes: its name on the server.
    pub hash: FileHash,
    pub size: u64,
    /// Bytes sent (less than `size` when the server had some or all of them; more when a
    /// broken-off try sent bytes the server did not keep).
    pub sent: u64,
}

impl<L: Transfers> Commands<L> {
    /// Sends the file at `path` to the server, carrying on from what it kept of an earlier
    /// try; `progress` hears the bytes the server has so far, and the size.
    #[cfg(feature = "client")]
    pub async fn upload(
        &self,
        path: &Path,
        progress: impl FnMut(u64, u64) + Send,
    ) -> Result<Uploaded, TransferError> {
        let (hash, size) = hash_file(path).await?;
        self.upload_from(&mut DiskFile::new(path), hash, size, progress).await
    }

    /// Sends what `source` holds (`size` bytes whose hash is `hash`) to the server, carrying
    /// on from what it kept of an earlier try; `progress` hears the bytes the server has so
    /// far, and the size.
    pub async fn upload_from(
        &self,
        source: &mut impl UploadSource,
        hash: FileHash,
        size: u64,
        mut progress: impl FnMut(u64, u64) + Send,
    ) -> Result<Uploaded, TransferError> {
        let mut sent = 0;
        let mut retry = Retry::new(&self.link);
        loop {
            let result = self.upload_once(source, hash, size, &mut progress, &mut sent).await;
            if let Next::Done(result) = retry.after(result).await {
                return result.map(|()| Uploaded { hash, size, sent });
            }
        }
    }

    async fn upload_once(
        &self,
        source: &mut impl UploadSource,
        hash: FileHash,
        size: u64,
        progress: &mut (impl FnMut(u64, u64) + Send),
        sent: &mut u64,
    ) -> Result<(), TransferError> {
        let (mut send, recv) = self.link.open_transfer().await?;
        let request = encode_frame(&TransferRequest::Upload { hash, size }).expect("a request fits a frame");
        send.write_all(&request).await.map_err(lost)?;
        let mut replies = FramedRead::new(recv, FrameCodec::<TransferReply, ()>::new(MAX_TRANSFER_FRAME));
        let offset = match next_reply(&mut replies).await? {
            TransferReply::SendFrom { offset } => offset.min(size),
            TransferReply::Stored => {
                progress(size, size);
                return Ok(());
            }
            reply => return Err(unexpected(reply)),
        };
        let mut done = offset;
        progress(done, size);
        while done < size {
            let chunk = source.read_at(done, CHUNK).await?;
            if chunk.is_empty() {
                return Err(TransferError::File {
                    path: "the file".into(),
                    reason: "it got shorter while it was sent".into(),
                });
            }
            if let Err(error) = send.write_all(&chunk).await {
                // The server may have stopped the upload, saying why (its disk is full...).
                return match rt::timeout(REFUSAL_WAIT, next_reply(&mut replies)).await {
                    Ok(Ok(reply @ TransferReply::Refused { .. })) => Err(unexpected(reply)),
                    _ => Err(lost(error)),
                };
            }
            done += chunk.len() as u64;
            *sent += chunk.len() as u64;
            progress(done, size);
        }
        send.shutdown().await.map_err(lost)?;
        match next_reply(&mut replies).await? {
            TransferReply::Stored => Ok(()),
            reply => Err(unexpected(reply)),
        }
    }
}

/// The server's next answer on a transfer stream.
pub(super) async fn next_reply<R: AsyncRead + Unpin>(
    replies: &mut FramedRead<R, FrameCodec<TransferReply, ()>>,
) -> Result<TransferReply, TransferError> {
    match replies.next().await {
        Some(Ok(reply)) => Ok(reply),
        Some(Err(error)) => Err(TransferError::Lost(format!("the server's answer: {error}"))),
        None => Err(TransferError::Lost("the server ended the transfer".into())),
    }
}

/// A refusal as an error, or an answer that does not belong here.
pub(super) fn unexpected(reply: TransferReply) -> TransferError {
    match reply {
        TransferReply::Refused { code, message } => TransferError::Refused { code, message },
        other => TransferError::Lost(format!("the server answered out of turn ({other:?})")),
    }
}

/// The BLAKE3 hash and size of the file at `path`, read off the async threads.
#[cfg(feature = "client")]
pub(crate) async fn hash_file(path: &Path) -> Result<(FileHash, u64), TransferError> {
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
