//! Framing: a big-endian `u32` body length, then the postcard body.
//!
//! [`FrameCodec`] plugs into `tokio_util::codec` (`FramedRead`/`FramedWrite`) for any byte
//! stream; [`encode_frame`] encodes one frame once so a server can hand the same bytes to
//! many recipients.

use std::marker::PhantomData;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use serde::{Serialize, de::DeserializeOwned};
use tokio_util::codec::{Decoder, Encoder};

use super::{MAX_FRAME_LEN, MAX_SERVER_FRAME_LEN};

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

/// A `tokio_util` codec that decodes `In` frames and encodes `Out` frames.
pub struct FrameCodec<In, Out> {
    max_len: usize,
    _types: PhantomData<fn(Out) -> In>,
}

impl<In, Out> FrameCodec<In, Out> {
    /// A codec that refuses frames longer than `max_len` bytes in either direction.
    pub fn new(max_len: usize) -> Self {
        FrameCodec { max_len, _types: PhantomData }
    }
}

impl<In, Out> Default for FrameCodec<In, Out> {
    fn default() -> Self {
        Self::new(MAX_FRAME_LEN)
    }
}

impl<In: DeserializeOwned, Out> Decoder for FrameCodec<In, Out> {
    type Item = In;
    type Error = FrameError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<In>, FrameError> {
        // Stateless: the length prefix stays in `src` until the whole frame is there, so a
        // frame split across reads is never mistaken for a new length.
        let Some(prefix) = src.get(..4) else { return Ok(None) };
        let len = u32::from_be_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]) as usize;
        if len > self.max_len {
            return Err(FrameError::TooLarge { len, limit: self.max_len });
        }
        if src.len() < 4 + len {
            src.reserve(4 + len - src.len());
            return Ok(None);
        }
        src.advance(4);
        let body = src.split_to(len);
        Ok(Some(postcard::from_bytes(&body)?))
    }
}

impl<In, Out: Serialize> Encoder<&Out> for FrameCodec<In, Out> {
    type Error = FrameError;

    fn encode(&mut self, msg: &Out, dst: &mut BytesMut) -> Result<(), FrameError> {
        encode_frame_into(msg, dst)
    }
}
