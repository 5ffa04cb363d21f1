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

use serde::{Deserialize, Serialize};

use super::ErrorCode;

/// A file's name on the server: the BLAKE3 hash of its bytes.
pub type FileHash = [u8; 32];

/// The first frame on a transfer stream. Append only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferRequest {
    /// Upload the file with this hash and size.
    Upload { hash: FileHash, size: u64 },
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
}

/// The largest request or reply frame on a transfer stream.
pub const MAX_TRANSFER_FRAME: usize = 1024;
