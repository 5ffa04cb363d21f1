//! Reading and writing frames on any byte stream: [`FrameCodec`] plugs into
//! `tokio_util::codec` (`FramedRead`/`FramedWrite`); `tokio_util`'s `LengthDelimitedCodec`
//! cuts the frames, postcard decodes each body. Built with the `codec` feature (on by default;
//! the protocol alone, for the web, builds without it and without tokio).

use std::marker::PhantomData;

use bytes::BytesMut;
use serde::{Serialize, de::DeserializeOwned};
use tokio_util::codec::{Decoder, Encoder, LengthDelimitedCodec};

use super::MAX_FRAME_LEN;
use super::codec::{FrameError, encode_frame_into};

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
    use bytes::BufMut;

    use super::*;
    use crate::protocol::encode_frame;

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
