//! What a room message is besides something said: an edit or a deletion of an earlier
//! message, or a moderation notice. These are room messages like any other — numbered in the
//! room's sequence, stored, sent live and in history — so a client that was away catches up on
//! them exactly once, the same way it catches up on messages.

use serde::{Deserialize, Serialize};

/// What a room message is (protocol version 3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageKind {
    /// Something said: `text` (and the attachment) is the message.
    #[default]
    Said,
    /// The sender changed the text of their message `id`; `text` is the new text.
    Edit { id: u64 },
    /// Message `id` was deleted by `from` (its sender, or a moderator of the room); `text` is
    /// empty.
    Delete { id: u64 },
    /// `from` kept order in the room: see [`Moderation`]. `text` is the new topic for
    /// [`ModAction::Topic`], empty otherwise.
    Moderation(Moderation),
}

/// How a said message stands now, as history shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageState {
    #[default]
    AsSent,
    /// Its text is the latest edit's.
    Edited,
    /// Deleted: its text is empty and its file gone.
    Deleted,
}

/// A moderation action, as the room's notice carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moderation {
    pub action: ModAction,
    /// Whom it is about (empty for a topic).
    pub target: String,
}

/// What an owner, moderator or server admin did in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModAction {
    /// Set the room's topic.
    Topic,
    /// The target may not send in the room until `until` (ms since the epoch).
    Mute {
        until: u64,
    },
    Unmute,
    /// The target was put out of the room (they may join again).
    Kick,
    /// The target was put out and may not join again.
    Ban,
    Unban,
    /// The target became a moderator of the room.
    Op,
    /// The target is no longer a moderator.
    Deop,
}

impl ModAction {
    /// Its name in the terminal client's JSON (`action`).
    pub fn as_str(self) -> &'static str {
        match self {
            ModAction::Topic => "topic",
            ModAction::Mute { .. } => "mute",
            ModAction::Unmute => "unmute",
            ModAction::Kick => "kick",
            ModAction::Ban => "ban",
            ModAction::Unban => "unban",
            ModAction::Op => "op",
            ModAction::Deop => "deop",
        }
    }
}

/// A moderation command, as a client asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModCommand {
    Topic {
        topic: String,
    },
    /// Mute `name` in the room for `minutes` (at least 1, at most [`MAX_MUTE_MINUTES`]).
    Mute {
        name: String,
        minutes: u32,
    },
    Unmute {
        name: String,
    },
    Kick {
        name: String,
    },
    Ban {
        name: String,
    },
    Unban {
        name: String,
    },
    Op {
        name: String,
    },
    Deop {
        name: String,
    },
    /// Disconnect `name` from the server (server admins only; the room is not used).
    Disconnect {
        name: String,
    },
}

/// How long a mute lasts unless told otherwise, in minutes.
pub const DEFAULT_MUTE_MINUTES: u32 = 10;
/// The longest mute, in minutes (a week).
pub const MAX_MUTE_MINUTES: u32 = 7 * 24 * 60;
