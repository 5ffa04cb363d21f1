//! Validation rules both sides apply: the client before sending, the server on receipt.
//!
//! # What a text may contain
//!
//! - User and room names: letters, digits, `_`, `-` and `.` only. No space, and no control or
//!   format character of any kind (bidi controls, zero-width characters, ...): a name must
//!   look like what it is.
//! - Room topics: any printable text on one line, but no control or format character.
//! - Messages may span lines: newline and tab are allowed. Every other control character (C0,
//!   DEL, C1) is refused, and so are the bidi embeddings and overrides (U+202A to U+202E),
//!   which reorder the text after them and let a message show something other than what it
//!   says. Other format characters stay allowed in messages because real text needs them:
//!   the zero-width joiner builds emoji sequences, bidi marks and isolates mix right-to-left
//!   and left-to-right words. A client must therefore show a message's line breaks and
//!   invisible characters unmistakably (the terminal client escapes them, see
//!   [`is_control_or_format`], and marks each line after a message's first as its
//!   continuation), so that no message can pass for another one.
//!
//! # When two names are the same
//!
//! [`fold_name`] ignores case: it is the key rooms, claimed accounts and saved logins are
//! stored under. [`name_skeleton`] also ignores what merely looks alike (Unicode's confusable
//! skeleton, UTS #39): the server lets at most one user online, and one account, hold a
//! skeleton, so `аlice` (with a Cyrillic `а`) or `ａｌｉｃｅ` (fullwidth) cannot pose as `alice`.

use unicode_normalization::UnicodeNormalization;

use super::{MAX_NAME_CHARS, MAX_PASSWORD_CHARS, MAX_ROOM_CHARS, MAX_TOPIC_CHARS, MIN_PASSWORD_CHARS};

/// Why a user or room name is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the name is empty")]
    Empty,
    #[error("the name is longer than {max} characters")]
    TooLong { max: usize },
    #[error("the name may only contain letters, digits, '_', '-' and '.', not {}", describe(*.0))]
    BadCharacter(char),
}

/// Why a message text is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("the message is empty")]
    Empty,
    #[error("the message has {chars} characters; the limit is {max}")]
    TooLong { chars: usize, max: usize },
    #[error("the message contains a control character (U+{0:04X})")]
    ControlCharacter(u32),
}

/// Checks a search's text: not empty, at most [`MAX_SEARCH_CHARS`](super::MAX_SEARCH_CHARS)
/// characters, no control characters.
pub fn validate_search(text: &str) -> Result<(), TextError> {
    validate_text(text, super::MAX_SEARCH_CHARS)
}

/// Normalises a user name (Unicode NFC) and checks it: 1-32 letters, digits, `_`, `-`, `.`.
pub fn normalize_name(raw: &str) -> Result<String, NameError> {
    normalize_identifier(raw, MAX_NAME_CHARS)
}

/// Normalises a room name (Unicode NFC) and checks it: 1-64 letters, digits, `_`, `-`, `.`.
/// A leading `#` is dropped, as users type it out of habit.
pub fn normalize_room(raw: &str) -> Result<String, NameError> {
    normalize_identifier(raw.strip_prefix('#').unwrap_or(raw), MAX_ROOM_CHARS)
}

/// The key under which names are stored and found ignoring case: rooms, claimed accounts,
/// saved logins. Look-alike names have different keys here; see [`name_skeleton`].
pub fn fold_name(name: &str) -> String {
    name.to_lowercase()
}

/// The key under which user names are compared for uniqueness: two names with the same
/// skeleton look alike and may not both be held. It is the UTS #39 confusable skeleton of the
/// name's NFKC form in lower case, lowered once more (a few look-alikes map to capitals), so
/// `Alice`, `аlice` (Cyrillic `а`), `ａｌｉｃｅ` (fullwidth) and `a1ice` share one. The key is
/// for comparing only: names are shown as typed.
///
/// A name and its [`fold_name`] have the same skeleton, so a key the store folded can be
/// turned into a skeleton too.
pub fn name_skeleton(name: &str) -> String {
    let lowered: String = name.nfkc().flat_map(char::to_lowercase).collect();
    unicode_security::skeleton(&lowered).flat_map(char::to_lowercase).collect()
}

/// Whether `c` is a control character (C0, DEL, C1) or an invisible format character that
/// changes how the text around it is shown: bidi controls (embeddings, overrides, isolates,
/// marks), zero-width characters, the byte order mark, line and paragraph separators, tag
/// characters and the like. Names never contain these; a client escapes them when it prints
/// a text.
pub fn is_control_or_format(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}' // soft hyphen
                | '\u{034F}' // combining grapheme joiner
                | '\u{061C}' // Arabic letter mark
                | '\u{115F}' | '\u{1160}' // Hangul fillers
                | '\u{17B4}' | '\u{17B5}' // Khmer inherent vowels
                | '\u{180B}'..='\u{180F}' // Mongolian variation selectors and vowel separator
                | '\u{200B}'..='\u{200F}' // zero-width space, (non-)joiner, LRM, RLM
                | '\u{2028}'..='\u{202E}' // line and paragraph separators, bidi embeddings and overrides
                | '\u{2060}'..='\u{206F}' // word joiner, invisible operators, bidi isolates
                | '\u{3164}' // Hangul filler
                | '\u{FEFF}' // zero-width no-break space, byte order mark
                | '\u{FFA0}' // halfwidth Hangul filler
                | '\u{FFF9}'..='\u{FFFB}' // interlinear annotations
                | '\u{E0000}'..='\u{E007F}' // tags
        )
}

/// Whether `c` is a bidi embedding or override (U+202A to U+202E), which a message may not
/// contain.
fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}')
}

/// A character as an error message shows it: quoted when it is visible, its code point
/// (`U+202E`) when it is not.
fn describe(c: char) -> String {
    if is_control_or_format(c) || (c.is_whitespace() && c != ' ') {
        format!("U+{:04X}", c as u32)
    } else {
        format!("'{c}'")
    }
}

fn normalize_identifier(raw: &str, max: usize) -> Result<String, NameError> {
    let name: String = raw.nfc().collect();
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.chars().count() > max {
        return Err(NameError::TooLong { max });
    }
    if let Some(bad) = name.chars().find(|c| !is_name_char(*c)) {
        return Err(NameError::BadCharacter(bad));
    }
    Ok(name)
}

fn is_name_char(c: char) -> bool {
    (c.is_alphanumeric() || matches!(c, '_' | '-' | '.')) && !is_control_or_format(c)
}

/// Checks a message text: not empty (or only whitespace), at most `max_chars` characters, no
/// control characters except newline and tab, no bidi embeddings or overrides.
pub fn validate_text(text: &str, max_chars: usize) -> Result<(), TextError> {
    if text.trim().is_empty() {
        return Err(TextError::Empty);
    }
    let chars = text.chars().count();
    if chars > max_chars {
        return Err(TextError::TooLong { chars, max: max_chars });
    }
    let refused = |c: char| (c.is_control() && c != '\n' && c != '\t') || is_bidi_override(c);
    if let Some(bad) = text.chars().find(|c| refused(*c)) {
        return Err(TextError::ControlCharacter(bad as u32));
    }
    Ok(())
}

/// Checks the text of a message that carries an attachment: its caption, which may be empty,
/// and otherwise follows the rules of [`validate_text`].
pub fn validate_caption(text: &str, max_chars: usize) -> Result<(), TextError> {
    if text.is_empty() { Ok(()) } else { validate_text(text, max_chars) }
}

/// Checks a room topic: at most 200 characters, no control or format characters at all.
pub fn validate_topic(topic: &str) -> Result<(), TextError> {
    let chars = topic.chars().count();
    if chars > MAX_TOPIC_CHARS {
        return Err(TextError::TooLong { chars, max: MAX_TOPIC_CHARS });
    }
    if let Some(bad) = topic.chars().find(|c| is_control_or_format(*c)) {
        return Err(TextError::ControlCharacter(bad as u32));
    }
    Ok(())
}

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password is too short: at least {min} characters")]
    TooShort { min: usize },
    #[error("the password is too long: at most {max} characters")]
    TooLong { max: usize },
}

/// Checks a new password's length (8 to 128 characters); anything else is the user's choice.
pub fn validate_password(password: &str) -> Result<(), PasswordError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort { min: MIN_PASSWORD_CHARS });
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordError::TooLong { max: MAX_PASSWORD_CHARS });
    }
    Ok(())
}
