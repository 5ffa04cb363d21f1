//! Uploads: the file is hashed (BLAKE3), the server says where to carry on from (nothing,
//! when it has the file already; the bytes it kept, when an earlier upload broke off), the
//! rest is sent, and the server's verdict comes back once it has checked every byte.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use futures_util::StreamExt;
use tokio::io::{AsyncRead, AsyncWriteExt};
use tokio_util::codec::FramedRead;

use super::{Next, Retry, TransferError, Transfers, file_error, lost};
use crate::client::commands::Commands;
use crate::protocol::{
    FileHash, FrameCodec, MAX_TRANSFER_FRAME, TransferReply, TransferRequest, encode_frame,
};

/// Bytes read from the file and written to the stream at a time.
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
    pub async fn upload(
        &self,
        path: &Path,
        progress: impl FnMut(u64, u64) + Send,
    ) -> Result<Uploaded, TransferError> {
        let (hash, size) = hash_file(path).await?;
        self.upload_hashed(path, hash, size, progress).await
    }

    /// [`upload`](Self::upload) of a file whose hash and size are known.
    pub(crate) async fn upload_hashed(
        &self,
        path: &Path,
        hash: FileHash,
        size: u64,
        mut progress: impl FnMut(u64, u64) + Send,
    ) -> Result<Uploaded, TransferError> {
        let mut sent = 0;
        let mut retry = Retry::new(&self.link);
        loop {
            let result = self.upload_once(path, hash, size, &mut progress, &mut sent).await;
            if let Next::Done(result) = retry.after(result).await {
                return result.map(|()| Uploaded { hash, size, sent });
            }
        }
    }

    async fn upload_once(
        &self,
        path: &Path,
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
