//! One upload in progress: the bytes kept so far in `blobs/partial/HASH.SIZE`, and the
//! BLAKE3 state over them. Carrying on from a partial file reads it again first, so what was
//! kept is checked with the rest when the upload completes.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::PathBuf;

use super::{BlobError, BlobStore, Hash};

/// Bytes read at a time when a kept partial file is hashed again.
const REREAD: usize = 256 * 1024;

/// Bytes written before the kernel is asked to start writing them to disk. Without it, a
/// large upload leaves up to a gigabyte in the page cache for the final sync, and every
/// fsync of the store's database (each chat message) waits behind that writeback meanwhile.
const WRITE_BEHIND: u64 = 8 * 1024 * 1024;

/// An upload in progress, holding its reservation in the store until it ends.
#[derive(Debug)]
pub struct PartialBlob {
    store: BlobStore,
    hash: Hash,
    size: u64,
    path: PathBuf,
    file: File,
    hasher: blake3::Hasher,
    written: u64,
    /// Bytes up to here are on their way to disk (see [`WRITE_BEHIND`]).
    flushed: u64,
    /// Set once the reservation is released (completed or abandoned).
    done: bool,
}

impl PartialBlob {
    /// Opens the partial file of `hash` (creating it), hashing what it holds.
    pub(super) fn open(store: BlobStore, hash: Hash, size: u64) -> Result<PartialBlob, BlobError> {
        let path = store.partial_path(&hash, size);
        let mut file = OpenOptions::new().read(true).append(true).create(true).open(&path)?;
        let mut hasher = blake3::Hasher::new();
        let mut written = 0u64;
        let mut buffer = vec![0u8; REREAD];
        loop {
            let n = file.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            written += n as u64;
        }
        if written > size {
            // Cannot happen through this store; start over rather than trust it.
            file.set_len(0)?;
            hasher = blake3::Hasher::new();
            written = 0;
        }
        Ok(PartialBlob { store, hash, size, path, file, hasher, written, flushed: written, done: false })
    }

    /// Where the upload carries on: the bytes already kept.
    pub fn offset(&self) -> u64 {
        self.written
    }

    /// The size announced for the whole file.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Keeps `chunk`, the next bytes of the file. More bytes than announced end the upload
    /// and drop what was kept.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), BlobError> {
        if self.written + chunk.len() as u64 > self.size {
            self.discard();
            return Err(BlobError::TooManyBytes { announced: self.size });
        }
        if let Err(error) = self.file.write_all(chunk) {
            if error.kind() == std::io::ErrorKind::StorageFull {
                // What was written goes, so the disk has room for chat again.
                self.discard();
                return Err(BlobError::DiskFull);
            }
            return Err(error.into());
        }
        self.hasher.update(chunk);
        self.written += chunk.len() as u64;
        if self.written - self.flushed >= WRITE_BEHIND {
            start_writeback(&self.file, self.flushed, self.written - self.flushed);
            self.flushed = self.written;
        }
        Ok(())
    }

    /// Ends the upload: with all its bytes and the announced hash, the blob is stored (on
    /// disk before it counts). Short of bytes, what was kept stays for a later upload to carry
    /// on from; with another hash, it is dropped.
    pub fn finish(mut self) -> Result<(), BlobError> {
        if self.written < self.size {
            return Err(BlobError::Incomplete { got: self.written, announced: self.size });
        }
        if *self.hasher.finalize().as_bytes() != self.hash {
            self.discard();
            return Err(BlobError::WrongHash);
        }
        self.file.sync_all()?;
        fs::rename(&self.path, self.store.path(&self.hash))?;
        self.done = true;
        self.store.stored(&self.hash, self.size);
        Ok(())
    }

    /// Drops what was kept, and the reservation.
    fn discard(&mut self) {
        let _ = fs::remove_file(&self.path);
        self.written = 0;
        self.hasher = blake3::Hasher::new();
        self.release();
    }

    fn release(&mut self) {
        if !self.done {
            self.done = true;
            self.store.release(&self.hash);
        }
    }
}

impl Drop for PartialBlob {
    /// An upload that stopped keeps its bytes for later, and gives back its reservation.
    fn drop(&mut self) {
        self.release();
    }
}

/// Asks the kernel to start writing `len` bytes of `file` from `offset` to disk, without
/// waiting for it (Linux; elsewhere the final sync writes everything).
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else { return };
    // SAFETY: the descriptor is open for as long as `file` is borrowed; the call only
    // starts writeback of pages already written and touches no memory of ours.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _offset: u64, _len: u64) {}
