//! Standard input as a bounded channel of lines, read on a thread of its own: a blocking read
//! of stdin cannot be cancelled, so it must not hold up the async runtime or its shutdown.

use std::io::{BufRead, Read};

use tokio::sync::mpsc;

/// Longest line kept, in bytes; the rest of a longer line is dropped (such a line is far over
/// any message limit and is reported as too long anyway).
const MAX_LINE_BYTES: usize = 64 * 1024;

/// How many lines may wait for the session before the reader stops reading.
const LINE_QUEUE: usize = 16;

/// Starts reading stdin. The channel closes at end of input (or on a read error).
pub fn stdin_lines() -> mpsc::Receiver<String> {
    let (lines, receiver) = mpsc::channel(LINE_QUEUE);
    let spawned = std::thread::Builder::new().name("stdin".into()).spawn(move || {
        let mut stdin = std::io::stdin().lock();
        while let Some(line) = read_line(&mut stdin) {
            if lines.blocking_send(line).is_err() {
                return;
            }
        }
    });
    if let Err(error) = spawned {
        tracing::error!(%error, "cannot start the stdin reader; treating input as empty");
    }
    receiver
}

/// Reads one line without its `\n` or `\r\n`, invalid UTF-8 replaced; `None` at end of input.
fn read_line(reader: &mut impl BufRead) -> Option<String> {
    let mut bytes = Vec::new();
    let read = reader.by_ref().take(MAX_LINE_BYTES as u64).read_until(b'\n', &mut bytes).ok()?;
    if read == 0 {
        return None;
    }
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    } else if read == MAX_LINE_BYTES {
        reader.skip_until(b'\n').ok()?;
    }
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lines_and_strips_endings() {
        let mut input = std::io::Cursor::new(b"hi\r\n\nlast".to_vec());
        assert_eq!(read_line(&mut input).as_deref(), Some("hi"));
        assert_eq!(read_line(&mut input).as_deref(), Some(""));
        assert_eq!(read_line(&mut input).as_deref(), Some("last"));
        assert_eq!(read_line(&mut input), None);
    }

    #[test]
    fn an_overlong_line_is_cut_and_the_next_line_survives() {
        let mut text = vec![b'x'; MAX_LINE_BYTES + 100];
        text.extend_from_slice(b"\nnext\n");
        let mut input = std::io::Cursor::new(text);
        assert_eq!(read_line(&mut input).map(|l| l.len()), Some(MAX_LINE_BYTES));
        assert_eq!(read_line(&mut input).as_deref(), Some("next"));
    }
}
