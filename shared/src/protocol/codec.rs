//! Framing: a big-endian `u32` body length, then the postcard body.
//!
//! [`FrameCodec`] plugs into `tokio_util::codec` (`FramedRead`/`FramedWrite`) for any byte
//! stream: `tokio_util`'s `LengthDelimitedCodec` cuts the frames, postcard decodes each body.
//! [`encode_frame`] encodes one frame once so a server can hand the same bytes to many
//! recipients.

use std::marker::PhantomData;

use bytes::{BufMut, Bytes, BytesMut};
use serde::{Serialize, de::DeserializeOwned};
use tokio_util::codec::{Decoder, Encoder, LengthDelimitedCodec};

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
    frames: LengthDelimitedCodec,
    /// Whether `frames` has read a length prefix and waits for the rest of that frame.
    in_frame: bool,
    _types: PhantomData<fn(Out) -> In>,
}

impl<In, Out> FrameCodec<In, Out> {
    /// A codec that refuses frames longer than `max_len` bytes in either direction.
    pub fn new(max_len: usize) -> Self {
        let frames = LengthDelimitedCodec::builder()
            .big_endian()
            .length_field_length(4)
            .max_frame_length(max_len)
            .new_codec();
        FrameCodec { max_len, frames, in_frame: false, _types: PhantomData }
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
        // A length over the limit is refused before anything is buffered for it, saying how
        // long it claimed to be (the framing codec's own error does not).
        if !self.in_frame
            && let Some(prefix) = src.get(..4)
        {
            let len = u32::from_be_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]) as usize;
            if len > self.max_len {
                return Err(FrameError::TooLarge { len, limit: self.max_len });
            }
        }
        let before = src.len();
        match self.frames.decode(src)? {
            Some(body) => {
                self.in_frame = false;
                Ok(Some(postcard::from_bytes(&body)?))
            }
            None => {
                // The prefix was taken and the body is still to come.
                self.in_frame |= src.len() < before;
                Ok(None)
            }
        }
    }
}

impl<In, Out: Serialize> Encoder<&Out> for FrameCodec<In, Out> {
    type Error = FrameError;

    fn encode(&mut self, msg: &Out, dst: &mut BytesMut) -> Result<(), FrameError> {
        encode_frame_into(msg, dst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_arriving_byte_by_byte_decodes_once_whole() {
        let text = "x".repeat(300);
        let frame = encode_frame(&text).unwrap();
        let mut codec = FrameCodec::<String, String>::new(1024);
        let mut buf = BytesMut::new();
        let mut decoded = Vec::new();
        for byte in frame.iter() {
            buf.put_u8(*byte);
            if let Some(text) = codec.decode(&mut buf).unwrap() {
                decoded.push(text);
            }
        }
        assert_eq!(decoded, [text]);
        assert!(buf.is_empty());
    }

    #[test]
    fn a_length_over_the_limit_is_refused_saying_how_long() {
        let mut codec = FrameCodec::<String, String>::new(16);
        let mut buf = BytesMut::from(&[0, 0, 1, 0, 1][..]);
        let error = codec.decode(&mut buf).unwrap_err();
        assert!(matches!(error, FrameError::TooLarge { len: 256, limit: 16 }), "{error}");
    }
}
