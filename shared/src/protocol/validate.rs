//! Validation rules both sides apply: the client before sending, the server on receipt.

use unicode_normalization::UnicodeNormalization;

use super::{MAX_NAME_CHARS, MAX_PASSWORD_CHARS, MAX_ROOM_CHARS, MAX_TOPIC_CHARS, MIN_PASSWORD_CHARS};

/// Why a user or room name is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the name is empty")]
    Empty,
    #[error("the name is longer than {max} characters")]
    TooLong { max: usize },
    #[error("the name may only contain letters, digits, '_', '-' and '.', not '{0}'")]
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

/// Normalises a user name (Unicode NFC) and checks it: 1-32 letters, digits, `_`, `-`, `.`.
pub fn normalize_name(raw: &str) -> Result<String, NameError> {
    normalize_identifier(raw, MAX_NAME_CHARS)
}

/// Normalises a room name (Unicode NFC) and checks it: 1-64 letters, digits, `_`, `-`, `.`.
/// A leading `#` is dropped, as users type it out of habit.
pub fn normalize_room(raw: &str) -> Result<String, NameError> {
    normalize_identifier(raw.strip_prefix('#').unwrap_or(raw), MAX_ROOM_CHARS)
}

/// The key under which names are compared for uniqueness (case-insensitive).
pub fn fold_name(name: &str) -> String {
    name.to_lowercase()
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
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Checks a message text: not empty (or only whitespace), at most `max_chars` characters, no
/// control characters except newline and tab.
pub fn validate_text(text: &str, max_chars: usize) -> Result<(), TextError> {
    if text.trim().is_empty() {
        return Err(TextError::Empty);
    }
    let chars = text.chars().count();
    if chars > max_chars {
        return Err(TextError::TooLong { chars, max: max_chars });
    }
    if let Some(bad) = text.chars().find(|c| c.is_control() && *c != '\n' && *c != '\t') {
        return Err(TextError::ControlCharacter(bad as u32));
    }
    Ok(())
}

/// Checks a room topic: at most 200 characters, no control characters at all.
pub fn validate_topic(topic: &str) -> Result<(), TextError> {
    let chars = topic.chars().count();
    if chars > MAX_TOPIC_CHARS {
        return Err(TextError::TooLong { chars, max: MAX_TOPIC_CHARS });
    }
    if let Some(bad) = topic.chars().find(|c| c.is_control()) {
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
