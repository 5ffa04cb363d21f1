//! Framing: a big-endian `u32` body length, then the postcard body. [`encode_frame`] encodes
//! one frame once so a server can hand the same bytes to many recipients; reading frames
//! from a byte stream is `framed.rs` (with the `codec` feature, which needs tokio-util).

use bytes::{BufMut, Bytes, BytesMut};
use serde::Serialize;

use super::MAX_SERVER_FRAME_LEN;

/// Why a frame could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("frame of {len} bytes is larger than the limit of {limit} bytes")]
    TooLarge { len: usize, limit: usize },
    #[error("frame could not be decoded: {0}")]
    Undecodable(#[from] postcard::Error),
    #[error("connection error: {0}")]
    Io(#[from] std::io::Error),
}

/// Encodes `msg` as one frame (length prefix included).
pub fn encode_frame<T: Serialize>(msg: &T) -> Result<Bytes, FrameError> {
    let mut buf = BytesMut::with_capacity(64);
    encode_frame_into(msg, &mut buf)?;
    Ok(buf.freeze())
}

/// Appends `msg` as one frame (length prefix included) to `buf`.
pub fn encode_frame_into<T: Serialize>(msg: &T, buf: &mut BytesMut) -> Result<(), FrameError> {
    let start = buf.len();
    buf.put_u32(0);
    // BytesMut implements Extend<u8>, so postcard writes straight after the placeholder.
    *buf = postcard::to_extend(msg, std::mem::take(buf))?;
    let len = buf.len() - start - 4;
    // The largest frame anyone accepts; the receiving side enforces its own, smaller limit.
    if len > MAX_SERVER_FRAME_LEN {
        buf.truncate(start);
        return Err(FrameError::TooLarge { len, limit: MAX_SERVER_FRAME_LEN });
    }
    buf[start..start + 4].copy_from_slice(&(len as u32).to_be_bytes());
    Ok(())
}
