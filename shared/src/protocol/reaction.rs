//! Reactions: an emoji someone puts under a room message. Each person has at most one
//! reaction on a message: putting one on replaces theirs, taking it off removes it. Reactions
//! are kept with the room and come with its history.

use serde::{Deserialize, Serialize};

/// A reaction put on or taken off, as the server sends it to the room's members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    pub room: String,
    /// The message's id.
    pub id: u64,
    pub by: String,
    pub emoji: String,
    /// On: `by`'s reaction to the message is now `emoji` (replacing any other of theirs);
    /// off: `by` took `emoji` off.
    pub on: bool,
    pub ts: u64,
}

/// A reaction on a message, as history carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionEntry {
    pub id: u64,
    pub by: String,
    pub emoji: String,
}

/// The longest emoji a reaction may be, in bytes (a family with skin tones is about 35).
pub const MAX_EMOJI_BYTES: usize = 64;

/// Why a reaction is not an emoji.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an emoji; react with one emoji, like 👍")]
pub struct NotAnEmoji(pub String);

/// Checks that `emoji` is one emoji (from Unicode's list).
pub fn validate_emoji(emoji: &str) -> Result<(), NotAnEmoji> {
    let known = emoji.len() <= MAX_EMOJI_BYTES && emojis::get(emoji).is_some();
    match known {
        true => Ok(()),
        false => Err(NotAnEmoji(emoji.chars().take(16).collect())),
    }
}

/// `text` with every `:shortcode:` that names an emoji (`:tada:`, `:+1:`) replaced by it;
/// anything else between colons is left as typed.
pub fn expand_shortcodes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(':') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let code = after.find(':').map(|end| &after[..end]);
        match code.filter(|code| is_shortcode(code)).and_then(emojis::get_by_shortcode) {
            Some(emoji) => {
                out.push_str(emoji.as_str());
                rest = &after[code.map_or(0, str::len) + 1..];
            }
            None => {
                out.push(':');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_shortcode(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 40
        && code.chars().all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
}
