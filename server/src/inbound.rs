//! Reading a client's frames: the shared [`FrameCodec`], except that a frame whose body does
//! not decode is handed up as [`Inbound::Undecodable`] instead of ending the stream.
//!
//! The length prefix has already been consumed when the body fails to decode, so the stream is
//! still in step and the session can answer with an error and carry on. A frame that is too
//! large, or a broken stream, remains an error: the stream cannot be resynchronised.

use anseo_shared::protocol::{ClientMsg, FrameCodec, FrameError, ServerMsg};
use bytes::BytesMut;
use tokio_util::codec::Decoder;

/// One frame from a client.
#[derive(Debug)]
pub enum Inbound {
    Message(ClientMsg),
    /// A frame of acceptable length whose body is not a `ClientMsg`; says why.
    Undecodable(String),
}

/// The server's decoder for client frames.
#[derive(Default)]
pub struct InboundCodec {
    frames: FrameCodec<ClientMsg, ServerMsg>,
}

impl Decoder for InboundCodec {
    type Item = Inbound;
    type Error = FrameError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Inbound>, FrameError> {
        match self.frames.decode(src) {
            Ok(frame) => Ok(frame.map(Inbound::Message)),
            Err(FrameError::Undecodable(error)) => Ok(Some(Inbound::Undecodable(error.to_string()))),
            Err(error) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use anseo_shared::protocol::encode_frame;

    use super::*;

    #[test]
    fn a_bad_body_does_not_lose_the_next_frame() {
        let mut buf = BytesMut::new();
        buf.extend_from_slice(&[0, 0, 0, 2, 0xff, 0xff]);
        buf.extend_from_slice(&encode_frame(&ClientMsg::ListUsers).unwrap());
        let mut codec = InboundCodec::default();
        assert!(matches!(codec.decode(&mut buf), Ok(Some(Inbound::Undecodable(_)))));
        assert!(matches!(codec.decode(&mut buf), Ok(Some(Inbound::Message(ClientMsg::ListUsers)))));
        assert!(buf.is_empty());
    }

    #[test]
    fn a_frame_arriving_in_pieces_is_decoded_once_whole() {
        let msg = ClientMsg::Say {
            room: "lobby".into(),
            text: "x".repeat(300),
            client_msg_id: 9,
            attachment: None,
        };
        let frame = encode_frame(&msg).unwrap();
        let mut codec = InboundCodec::default();
        let mut buf = BytesMut::new();
        for piece in frame.chunks(7) {
            assert!(codec.decode(&mut buf).unwrap().is_none());
            buf.extend_from_slice(piece);
        }
        assert!(matches!(codec.decode(&mut buf), Ok(Some(Inbound::Message(decoded))) if decoded == msg));
        assert!(buf.is_empty());
    }

    #[test]
    fn an_oversized_frame_is_an_error() {
        let mut buf = BytesMut::from(&[0xff, 0xff, 0xff, 0xff, 1][..]);
        assert!(matches!(InboundCodec::default().decode(&mut buf), Err(FrameError::TooLarge { .. })));
    }
}
