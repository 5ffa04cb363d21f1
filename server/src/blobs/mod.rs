//! Attachments' bytes, stored by their BLAKE3 hash under the data folder (`blobs/`): the
//! first piece of pictures, voice clips and files in chat (issue 15). An upload is written to
//! `blobs/partial/` as it comes, so one that broke off carries on from what was kept; it
//! becomes a blob only once it has all its bytes and their hash is the one announced, by a
//! rename, so a crash never leaves half a file that counts. Bytes already stored cost nothing
//! to send again: the store says it has them.
//!
//! Bounded: the largest file, and all blobs and uploads in progress together (an upload
//! reserves its whole size when it starts, so the store cannot be promised more than it
//! holds). Synchronous file IO: the caller runs it off the async threads.

mod partial;

pub use anseo_shared::protocol::human_size;
/// Blobs are named by their hash in hex.
pub use anseo_shared::protocol::{hash_from_hex as from_hex, hash_to_hex as to_hex};
pub use partial::PartialBlob;

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A blob's name: the BLAKE3 hash of its bytes.
pub type Hash = [u8; 32];

/// The store's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobLimits {
    /// The largest file, in bytes.
    pub max_file: u64,
    /// All blobs and uploads in progress, in bytes.
    pub max_total: u64,
}

/// Why the store refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("the file is larger than {}", human_size(*max))]
    TooLarge { max: u64 },
    #[error("the server's storage for files is full ({} in use of {})", human_size(*used), human_size(*max))]
    StorageFull { used: u64, max: u64 },
    #[error("the file's bytes do not match its hash")]
    WrongHash,
    #[error("the file has more bytes than announced ({announced})")]
    TooManyBytes { announced: u64 },
    #[error("the file ended after {got} of its {announced} bytes")]
    Incomplete { got: u64, announced: u64 },
    #[error("this file is being uploaded already")]
    Busy,
    #[error("the server's disk is full; ask whoever runs the server to free some space")]
    DiskFull,
    #[error("the server cannot store files: {0}")]
    Io(#[from] io::Error),
}

/// What an upload starts with.
#[derive(Debug)]
pub enum Upload {
    /// The store has these bytes already.
    Stored,
    /// Write from the partial blob's offset on.
    Write(Box<PartialBlob>),
}

/// The blob store of one data folder.
#[derive(Debug, Clone)]
pub struct BlobStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    dir: PathBuf,
    limits: BlobLimits,
    /// Bytes of complete blobs, and the sizes reserved by uploads in progress (by hash).
    usage: Mutex<Usage>,
}

#[derive(Debug, Default)]
struct Usage {
    stored: u64,
    reserved: HashMap<Hash, u64>,
}

impl Usage {
    fn total(&self) -> u64 {
        self.stored + self.reserved.values().sum::<u64>()
    }
}

impl BlobStore {
    /// Opens (creating) `blobs/` under `data`, counting what is stored.
    pub fn open(data: &Path, limits: BlobLimits) -> Result<BlobStore, BlobError> {
        let dir = data.join("blobs");
        fs::create_dir_all(dir.join("partial"))?;
        let mut stored = 0;
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            if entry.file_type()?.is_file() && from_hex(&entry.file_name().to_string_lossy()).is_some() {
                stored += entry.metadata()?.len();
            }
        }
        let usage = Mutex::new(Usage { stored, reserved: HashMap::new() });
        Ok(BlobStore { inner: Arc::new(Inner { dir, limits, usage }) })
    }

    /// Starts (or carries on) the upload of `size` bytes whose hash is `hash`.
    pub fn begin_upload(&self, hash: Hash, size: u64) -> Result<Upload, BlobError> {
        if self.path(&hash).exists() {
            return Ok(Upload::Stored);
        }
        let limits = self.inner.limits;
        if size > limits.max_file {
            return Err(BlobError::TooLarge { max: limits.max_file });
        }
        {
            let mut usage = self.lock();
            if usage.reserved.contains_key(&hash) {
                return Err(BlobError::Busy);
            }
            let used = usage.total();
            if used + size > limits.max_total {
                return Err(BlobError::StorageFull { used, max: limits.max_total });
            }
            usage.reserved.insert(hash, size);
        }
        match PartialBlob::open(self.clone(), hash, size) {
            Ok(partial) => Ok(Upload::Write(Box::new(partial))),
            Err(error) => {
                self.release(&hash);
                Err(error)
            }
        }
    }

    /// The stored blob `hash` and its size, to read.
    pub fn open_blob(&self, hash: &Hash) -> io::Result<Option<(fs::File, u64)>> {
        match fs::File::open(self.path(hash)) {
            Ok(file) => {
                let size = file.metadata()?.len();
                Ok(Some((file, size)))
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The size of the stored blob `hash`, if it is stored (whole: partial uploads are not).
    pub fn size_of(&self, hash: &Hash) -> io::Result<Option<u64>> {
        match fs::metadata(self.path(hash)) {
            Ok(metadata) => Ok(Some(metadata.len())),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Bytes in complete blobs, and reserved by uploads in progress.
    pub fn used(&self) -> u64 {
        self.lock().total()
    }

    fn path(&self, hash: &Hash) -> PathBuf {
        self.inner.dir.join(to_hex(hash))
    }

    fn partial_path(&self, hash: &Hash, size: u64) -> PathBuf {
        self.inner.dir.join("partial").join(format!("{}.{size}", to_hex(hash)))
    }

    /// Ends the reservation of an upload that stopped (it may carry on later).
    fn release(&self, hash: &Hash) {
        self.lock().reserved.remove(hash);
    }

    /// Turns the reservation of a completed upload into stored bytes.
    fn stored(&self, hash: &Hash, size: u64) {
        let mut usage = self.lock();
        usage.reserved.remove(hash);
        usage.stored += size;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Usage> {
        self.inner.usage.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests;
