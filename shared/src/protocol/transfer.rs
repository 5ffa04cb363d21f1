//! Transfers: a file's bytes travel on a QUIC stream of their own, never on the chat stream,
//! so a large transfer cannot hold up a chat message. The client opens a bidirectional
//! stream for each transfer after it logged in; its first frame is a [`TransferRequest`]
//! (length-prefixed like every frame), the server answers with a [`TransferReply`], and the
//! file's raw bytes follow.
//!
//! An upload names the file by the BLAKE3 hash of its bytes, with its size. The server
//! answers where to carry on from ([`TransferReply::SendFrom`]: 0 for a new file, more for
//! one whose upload broke off), or that it has the file already ([`TransferReply::Stored`]).
//! The client sends the bytes from there and finishes its side of the stream; the server
//! checks size and hash and answers [`TransferReply::Stored`] or why not.
//!
//! A download names the file by its hash, with the offset to start from (0, or what the
//! client kept of an earlier try). The server answers [`TransferReply::Sending`] with the
//! file's size and sends its bytes from the offset on, then finishes the stream; or it
//! answers why not (`not_found`, `not_allowed`: the file is attached to nothing this user
//! may see). The client checks the whole file's hash before it keeps or shows it.

use serde::{Deserialize, Serialize};

use super::ErrorCode;

/// A file's name on the server: the BLAKE3 hash of its bytes.
pub type FileHash = [u8; 32];

/// The first frame on a transfer stream. Append only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferRequest {
    /// Upload the file with this hash and size.
    Upload { hash: FileHash, size: u64 },
    /// Download the file with this hash, from byte `offset` on.
    Download { hash: FileHash, offset: u64 },
}

/// The server's answers on a transfer stream. Append only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferReply {
    /// Send the file's bytes from `offset` on, then finish the stream.
    SendFrom { offset: u64 },
    /// The server has the whole file, verified: it had it already, or the upload is complete.
    Stored,
    /// Refused (too large, storage full, wrong hash...): `message` says why, in words.
    Refused { code: ErrorCode, message: String },
    /// The file has `size` bytes; those from the requested offset on follow, then the
    /// stream ends.
    Sending { size: u64 },
}

/// The largest request or reply frame on a transfer stream.
pub const MAX_TRANSFER_FRAME: usize = 1024;

/// A hash in lower-case hex: how users, scripts and the server's folder name a file.
pub fn hash_to_hex(hash: &FileHash) -> String {
    hash.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The hash `hex` names (64 hex digits, either case), if it is one.
pub fn hash_from_hex(hex: &str) -> Option<FileHash> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut hash = [0u8; 32];
    for (i, byte) in hash.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(hash)
}
