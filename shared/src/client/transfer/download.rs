//! Downloads: the bytes go to a `.part` file beside the destination as they come, so a
//! download that broke off carries on from what it kept; once every byte is there, the whole
//! file's BLAKE3 hash is checked, and only a file that matches takes its name (a rename, so
//! nobody ever sees half a file under it). A file that does not match is deleted.

use std::path::{Path, PathBuf};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::codec::FramedRead;

use super::store::DownloadSink;
#[cfg(feature = "client")]
use super::store::PartFile;
use super::upload::{next_reply, unexpected};
use super::{Next, Retry, TransferError, Transfers, lost};
use crate::client::commands::Commands;
use crate::protocol::{
    ErrorCode, FileHash, FrameCodec, MAX_TRANSFER_FRAME, TransferReply, TransferRequest, encode_frame,
};

/// Bytes gathered before they are written to the file.
const WRITE_CHUNK: usize = 1024 * 1024;

/// A file downloaded whole and checked against its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    pub hash: FileHash,
    /// Where it is now.
    pub path: PathBuf,
    pub size: u64,
    /// Bytes received by this call (less than `size` when an earlier try kept some).
    pub received: u64,
}

impl<L: Transfers> Commands<L> {
    /// Downloads the file `hash` to `dest`, carrying on from what an earlier try kept beside
    /// it; `progress` hears the bytes this device has so far, and the size. When `dest` is
    /// taken by the time the file is complete, it gets a name of its own beside it (see
    /// [`unique_path`]): an existing file is never overwritten.
    #[cfg(feature = "client")]
    pub async fn download(
        &self,
        hash: FileHash,
        dest: &Path,
        progress: impl FnMut(u64, u64) + Send,
    ) -> Result<Downloaded, TransferError> {
        let partial = partial_path(dest, &hash);
        let (size, received) = self.download_into(hash, &mut PartFile::new(&partial), progress).await?;
        let path = unique_path(dest);
        std::fs::rename(&partial, &path).map_err(|e| super::file_error(&path, e))?;
        Ok(Downloaded { hash, path, size, received })
    }

    /// Downloads the file `hash` into `sink`, carrying on from what it kept; once every byte
    /// is there, checks what it holds against the hash (and discards it if it does not
    /// match). Returns the size and the bytes this call received.
    pub async fn download_into(
        &self,
        hash: FileHash,
        sink: &mut impl DownloadSink,
        mut progress: impl FnMut(u64, u64) + Send,
    ) -> Result<(u64, u64), TransferError> {
        let mut received = 0;
        let mut retry = Retry::new(&self.link);
        let size = loop {
            let result = self.download_once(hash, sink, &mut progress, &mut received).await;
            if let Next::Done(result) = retry.after(result).await {
                break result?;
            }
        };
        if sink.hash().await? != hash {
            sink.discard().await;
            return Err(TransferError::Corrupt);
        }
        Ok((size, received))
    }

    /// One try: asks for the bytes after those `sink` holds and appends them; returns the
    /// file's size once they are all there.
    async fn download_once(
        &self,
        hash: FileHash,
        sink: &mut impl DownloadSink,
        progress: &mut (impl FnMut(u64, u64) + Send),
        received: &mut u64,
    ) -> Result<u64, TransferError> {
        let mut offset = sink.kept().await?;
        let (mut send, recv) = self.link.open_transfer().await?;
        let request =
            encode_frame(&TransferRequest::Download { hash, offset }).expect("a request fits a frame");
        send.write_all(&request).await.map_err(lost)?;
        send.shutdown().await.map_err(lost)?;
        let mut replies = FramedRead::new(recv, FrameCodec::<TransferReply, ()>::new(MAX_TRANSFER_FRAME));
        let size = match next_reply(&mut replies).await? {
            TransferReply::Sending { size } => size,
            TransferReply::Refused { code: ErrorCode::Protocol, .. } if offset > 0 => {
                // What was kept is longer than the file: it is not this file's start.
                sink.discard().await;
                return Err(TransferError::Lost("starting the download again".into()));
            }
            reply => return Err(unexpected(reply)),
        };
        let leftover = replies.read_buffer().to_vec();
        let mut recv = replies.into_inner();
        let mut chunk = leftover;
        progress(offset, size);
        loop {
            chunk.reserve(WRITE_CHUNK.saturating_sub(chunk.len()));
            let ended = loop {
                if chunk.len() >= WRITE_CHUNK {
                    break false;
                }
                match recv.read_buf(&mut chunk).await {
                    Ok(0) => break true,
                    Ok(_) => {}
                    Err(error) => {
                        // Keep what came, for the next try.
                        if offset + chunk.len() as u64 <= size {
                            sink.append(std::mem::take(&mut chunk)).await?;
                        }
                        return Err(lost(error));
                    }
                }
            };
            let got = chunk.len() as u64;
            if offset + got > size {
                sink.discard().await;
                return Err(TransferError::Corrupt);
            }
            sink.append(std::mem::take(&mut chunk)).await?;
            offset += got;
            *received += got;
            progress(offset, size);
            if ended {
                break;
            }
        }
        if offset < size {
            return Err(TransferError::Lost(format!("the server sent {offset} of {size} bytes")));
        }
        Ok(size)
    }
}

/// Where the bytes of `hash` gather until they are complete: a hidden file beside `dest`.
pub fn partial_path(dest: &Path, hash: &FileHash) -> PathBuf {
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let short: String = hash.iter().take(8).map(|b| format!("{b:02x}")).collect();
    dest.with_file_name(format!(".{name}.{short}.part"))
}

/// `path` if nothing is there, else the first free `name (1).ext`, `name (2).ext`... beside it.
pub fn unique_path(path: &Path) -> PathBuf {
    if !path.exists() {
        return path.to_path_buf();
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let extension = path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    (1..)
        .map(|n| path.with_file_name(format!("{stem} ({n}){extension}")))
        .find(|candidate| !candidate.exists())
        .expect("some number is free")
}
