//! Feeds arbitrary bytes, split at an arbitrary point, to every decoder a peer runs: the
//! server's (`ClientMsg`) and the client's (`ServerMsg`, `PresenceFrame`). Decoding must never
//! panic, and a decoded frame must re-encode to a frame that decodes to the same value.
#![no_main]

use anseo_shared::protocol::{ClientMsg, FrameCodec, PresenceFrame, ServerMsg, encode_frame};
use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use serde::{Serialize, de::DeserializeOwned};
use tokio_util::codec::Decoder;

fn decode_all<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(data: &[u8]) {
    let split = data.first().map_or(0, |b| *b as usize % (data.len().max(1)));
    let mut codec = FrameCodec::<T, T>::default();
    let mut buf = BytesMut::from(&data[..split]);
    let mut feed_rest = Some(&data[split..]);
    loop {
        match codec.decode(&mut buf) {
            Ok(Some(frame)) => {
                let again = encode_frame(&frame).expect("a decoded frame re-encodes");
                let mut again = BytesMut::from(&again[..]);
                let decoded = FrameCodec::<T, T>::default().decode(&mut again).expect("re-decodes");
                assert_eq!(decoded.as_ref(), Some(&frame));
            }
            Ok(None) => match feed_rest.take() {
                Some(rest) => buf.extend_from_slice(rest),
                None => return,
            },
            Err(_) => return,
        }
    }
}

fuzz_target!(|data: &[u8]| {
    decode_all::<ClientMsg>(data);
    decode_all::<ServerMsg>(data);
    decode_all::<PresenceFrame>(data);
});
