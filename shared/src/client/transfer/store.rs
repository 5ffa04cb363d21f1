//! Where a transfer's bytes come from and go to, whatever holds them: a file on disk (native,
//! [`DiskFile`] and [`PartFile`]), or the page's file and memory in the browser (`page.rs`).
//! The transfer protocol (`upload.rs`, `download.rs`) reads and writes through these.

use std::future::Future;

use super::TransferError;
use crate::client::rt::MaybeSend;
use crate::protocol::FileHash;

/// Bytes read for hashing at a time.
const HASH_CHUNK: usize = 1024 * 1024;

/// Where an upload's bytes come from.
pub trait UploadSource {
    /// Up to `len` bytes from `offset` on; empty at the end.
    fn read_at(
        &mut self,
        offset: u64,
        len: usize,
    ) -> impl Future<Output = Result<Vec<u8>, TransferError>> + MaybeSend;
}

/// Where a download's bytes gather until the file is complete and checked.
pub trait DownloadSink {
    /// How many bytes earlier tries kept (a download carries on after them).
    fn kept(&mut self) -> impl Future<Output = Result<u64, TransferError>> + MaybeSend;
    /// Adds `bytes` after those kept.
    fn append(&mut self, bytes: Vec<u8>) -> impl Future<Output = Result<(), TransferError>> + MaybeSend;
    /// Forgets what was kept (it was not this file's).
    fn discard(&mut self) -> impl Future<Output = ()> + MaybeSend;
    /// The BLAKE3 hash of what is kept.
    fn hash(&mut self) -> impl Future<Output = Result<FileHash, TransferError>> + MaybeSend;
}

/// An upload's bytes already in memory (a picture without its hidden details, say).
impl UploadSource for &[u8] {
    async fn read_at(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, TransferError> {
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(self.len());
        Ok(self[start..(start.saturating_add(len)).min(self.len())].to_vec())
    }
}

/// The BLAKE3 hash and size of what `source` holds, read a chunk at a time.
pub async fn hash_source(source: &mut impl UploadSource) -> Result<(FileHash, u64), TransferError> {
    let mut hasher = blake3::Hasher::new();
    loop {
        let chunk = source.read_at(hasher.count(), HASH_CHUNK).await?;
        if chunk.is_empty() {
            return Ok((*hasher.finalize().as_bytes(), hasher.count()));
        }
        hasher.update(&chunk);
    }
}

#[cfg(feature = "client")]
pub use disk::{DiskFile, PartFile};

/// Files on disk, read and written off the async threads.
#[cfg(feature = "client")]
mod disk {
    use std::fs::{File, OpenOptions};
    use std::io::{Read, Seek, SeekFrom, Write};
    use std::path::{Path, PathBuf};

    use super::{DownloadSink, UploadSource};
    use crate::client::transfer::{TransferError, file_error};
    use crate::protocol::FileHash;

    /// A file on disk to upload.
    pub struct DiskFile {
        path: PathBuf,
        /// The open file and where it is, while it is read in order.
        open: Option<(File, u64)>,
    }

    impl DiskFile {
        pub fn new(path: &Path) -> Self {
            DiskFile { path: path.to_path_buf(), open: None }
        }
    }

    impl UploadSource for DiskFile {
        async fn read_at(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, TransferError> {
            let (file, at) = match self.open.take() {
                Some((file, at)) if at == offset => (file, at),
                _ => (File::open(&self.path).map_err(|e| file_error(&self.path, e))?, u64::MAX),
            };
            let read = tokio::task::spawn_blocking(move || {
                let mut file = file;
                if at != offset {
                    file.seek(SeekFrom::Start(offset))?;
                }
                let mut chunk = Vec::with_capacity(len);
                (&mut file).take(len as u64).read_to_end(&mut chunk)?;
                Ok::<_, std::io::Error>((file, chunk))
            })
            .await
            .map_err(|e| file_error(&self.path, e))?;
            let (file, chunk) = read.map_err(|e| file_error(&self.path, e))?;
            self.open = Some((file, offset + chunk.len() as u64));
            Ok(chunk)
        }
    }

    /// The hidden `.part` file a download gathers in (see `partial_path`). Its hash is
    /// worked out as the bytes are written (after reading what an earlier try kept, when a
    /// download carries on), so a complete file is not read again.
    pub struct PartFile {
        path: PathBuf,
        /// The file open for appending, and the hash of everything in it.
        open: Option<(File, blake3::Hasher)>,
    }

    impl PartFile {
        pub fn new(path: &Path) -> Self {
            PartFile { path: path.to_path_buf(), open: None }
        }

        /// The file open for appending, with the hash of what it holds (read from disk when
        /// it was not all written through this handle, or a write failed).
        async fn open(&mut self) -> Result<(File, blake3::Hasher), TransferError> {
            if let Some(open) = self.open.take() {
                return Ok(open);
            }
            let file = open_for_append(&self.path)?;
            let path = self.path.clone();
            let hashed = tokio::task::spawn_blocking(move || {
                let mut hasher = blake3::Hasher::new();
                hasher.update_reader(File::open(&path)?)?;
                Ok::<_, std::io::Error>(hasher)
            })
            .await
            .map_err(|e| file_error(&self.path, e))?;
            Ok((file, hashed.map_err(|e| file_error(&self.path, e))?))
        }
    }

    impl DownloadSink for PartFile {
        async fn kept(&mut self) -> Result<u64, TransferError> {
            // Nothing is created before the first byte arrives (a refused download leaves
            // nothing behind).
            if self.open.is_none() && !self.path.exists() {
                return Ok(0);
            }
            let (file, hasher) = self.open().await?;
            let kept = hasher.count();
            self.open = Some((file, hasher));
            Ok(kept)
        }

        async fn append(&mut self, bytes: Vec<u8>) -> Result<(), TransferError> {
            let (mut file, mut hasher) = self.open().await?;
            let written = tokio::task::spawn_blocking(move || {
                file.write_all(&bytes)?;
                hasher.update(&bytes);
                Ok::<_, std::io::Error>((file, hasher))
            })
            .await;
            let open =
                written.map_err(|e| file_error(&self.path, e))?.map_err(|e| file_error(&self.path, e))?;
            self.open = Some(open);
            Ok(())
        }

        async fn discard(&mut self) {
            self.open = None;
            let _ = std::fs::remove_file(&self.path);
        }

        async fn hash(&mut self) -> Result<FileHash, TransferError> {
            let (_file, hasher) = self.open().await?;
            Ok(*hasher.finalize().as_bytes())
        }
    }

    fn open_for_append(path: &Path) -> Result<File, TransferError> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
        }
        OpenOptions::new().create(true).append(true).open(path).map_err(|e| file_error(path, e))
    }
}
