//! The message payload: who sent it, its number, and the sender's monotonic send time, padded
//! to the requested size with printable ASCII (every target accepts it; chars == bytes).
//!
//! Layout: `b{sender:x}.{seq:x}.{sent_ns:x}.` then `x` up to `size`.

/// What a receiver learns from a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub sender: u32,
    pub seq: u64,
    pub sent_ns: u64,
}

/// The shortest payload that holds any stamp.
pub const MIN_SIZE: usize = 48;

/// Builds a payload of exactly `size` bytes (at least the stamp's length).
pub fn encode(stamp: Stamp, size: usize) -> String {
    let mut text = format!("b{:x}.{:x}.{:x}.", stamp.sender, stamp.seq, stamp.sent_ns);
    if text.len() < size {
        text.extend(std::iter::repeat_n('x', size - text.len()));
    }
    text
}

/// Reads the stamp back, or `None` for text that is not a benchmark payload.
pub fn decode(text: &str) -> Option<Stamp> {
    let rest = text.strip_prefix('b')?;
    let mut parts = rest.splitn(4, '.');
    let sender = u32::from_str_radix(parts.next()?, 16).ok()?;
    let seq = u64::from_str_radix(parts.next()?, 16).ok()?;
    let sent_ns = u64::from_str_radix(parts.next()?, 16).ok()?;
    parts.next()?;
    Some(Stamp { sender, seq, sent_ns })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_at_exact_size() {
        let stamp = Stamp { sender: 7, seq: 123_456, sent_ns: u64::MAX };
        for size in [MIN_SIZE, 64, 1024] {
            let text = encode(stamp, size);
            assert_eq!(text.len(), size);
            assert_eq!(decode(&text), Some(stamp));
        }
    }

    #[test]
    fn other_text_is_not_a_stamp() {
        assert_eq!(decode("hello"), None);
        assert_eq!(decode("b1.2"), None);
    }
}
