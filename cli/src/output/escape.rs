//! Making what the server sends safe to print on a terminal. Every text in the readable output
//! comes from other people (messages, names, topics) or from the server (reasons), so none of
//! it may reach the terminal raw: a control character could move the cursor or start an
//! escape sequence, a newline could start a line that looks like another message, and a bidi
//! override or a zero-width character could make text show something other than what it says.
//! Each such character is shown as its Rust escape instead (`\u{202e}`).

use std::fmt::Write;

use anseo_shared::protocol::is_control_or_format;

/// `text` with every control and format character (see [`is_control_or_format`]) escaped,
/// newlines and tabs included: the result is one line of visible characters.
pub fn escape(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        if is_control_or_format(c) {
            let _ = write!(shown, "\\u{{{:x}}}", c as u32);
        } else {
            shown.push(c);
        }
    }
    shown
}

/// The lines of a message, to be escaped and printed one by one (the caller marks each after
/// the first as a continuation). Tabs, which messages may contain, become four spaces.
pub fn message_lines(text: &str) -> Vec<String> {
    text.split('\n').map(|line| line.replace('\t', "    ")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(escape("hello, wörld 日本語 👍 — ok"), "hello, wörld 日本語 👍 — ok");
    }

    #[test]
    fn controls_are_escaped() {
        assert_eq!(escape("a\nb\tc\rd"), "a\\u{a}b\\u{9}c\\u{d}d");
        assert_eq!(escape("\u{1b}[2J"), "\\u{1b}[2J");
        assert_eq!(escape("\u{0}\u{7f}\u{85}\u{9b}"), "\\u{0}\\u{7f}\\u{85}\\u{9b}");
    }

    #[test]
    fn bidi_and_invisible_characters_are_escaped() {
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u{202e}fed");
        for c in
            ['\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}']
        {
            assert_eq!(escape(&c.to_string()), format!("\\u{{{:x}}}", c as u32));
        }
        assert_eq!(
            escape("a\u{200b}\u{200c}\u{200d}\u{200e}\u{200f}b"),
            "a\\u{200b}\\u{200c}\\u{200d}\\u{200e}\\u{200f}b"
        );
        assert_eq!(escape("\u{2060}\u{feff}\u{2028}"), "\\u{2060}\\u{feff}\\u{2028}");
    }

    #[test]
    fn a_message_splits_into_lines() {
        assert_eq!(message_lines("hi"), ["hi"]);
        assert_eq!(message_lines("hi\n[12:00] mallory: fake"), ["hi", "[12:00] mallory: fake"]);
        assert_eq!(message_lines("a\tb\n\u{1b}[31mred\r"), ["a    b", "\u{1b}[31mred\r"]);
    }
}
