//! Reactions on room messages: who put which emoji under which message (one each), as the
//! server said, kept per room by message id (so a reaction that comes before its message, in
//! a catch-up, is not lost); the message list reads them into each line it shows. Reacting
//! with the emoji one has on a message already takes it off.

use std::collections::BTreeMap;

use anseo_shared::protocol::{Reaction, ReactionEntry};

use super::{Block, Chat, Command, Target};

/// The emoji offered under every message, a click away.
pub const QUICK_REACTIONS: [&str; 6] = ["👍", "❤️", "😂", "🎉", "😮", "😢"];

/// Who reacted how to one message: user to emoji.
pub type Reactions = BTreeMap<String, String>;

/// One emoji under a message: how many put it there, and who.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionCount {
    pub emoji: String,
    pub by: Vec<String>,
    /// Whether this user is among them.
    pub mine: bool,
}

impl Chat {
    /// A reaction put on or taken off, from the server.
    pub(super) fn reaction(&mut self, reaction: Reaction) {
        let Some(room) = self.rooms.get_mut(&reaction.room) else { return };
        let on_message = room.reactions.entry(reaction.id).or_default();
        match reaction.on {
            true => _ = on_message.insert(reaction.by, reaction.emoji),
            false if on_message.get(&reaction.by) == Some(&reaction.emoji) => {
                _ = on_message.remove(&reaction.by)
            }
            false => {}
        }
    }

    /// The reactions that came with a page of history.
    pub(super) fn reactions(&mut self, room: String, reactions: Vec<ReactionEntry>) {
        let Some(room) = self.rooms.get_mut(&room) else { return };
        for entry in reactions {
            room.reactions.entry(entry.id).or_default().insert(entry.by, entry.emoji);
        }
    }

    /// Puts `emoji` on message `id` of the open room, or takes it off if it is this user's
    /// reaction there already.
    pub(super) fn react(&mut self, id: u64, emoji: String) -> Option<Command> {
        let Target::Room(room) = &self.current else { return None };
        let mine = self.rooms.get(room)?.reactions.get(&id).and_then(|r| r.get(&self.me));
        let on = mine != Some(&emoji);
        Some(Command::React { room: room.clone(), id, emoji, on })
    }

    /// The reactions on the messages of `blocks` of the open room, filled in.
    pub fn with_reactions(&self, mut blocks: Vec<Block>) -> Vec<Block> {
        let Target::Room(room) = &self.current else { return blocks };
        let Some(room) = self.rooms.get(room) else { return blocks };
        for block in &mut blocks {
            if let Block::Group { lines, .. } = block {
                for line in lines {
                    line.reactions = counts(room.reactions.get(&line.id), &self.me);
                }
            }
        }
        blocks
    }
}

/// The emoji under one message, most used first (then in emoji order).
pub fn counts(reactions: Option<&Reactions>, me: &str) -> Vec<ReactionCount> {
    let mut by_emoji: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (user, emoji) in reactions.into_iter().flatten() {
        by_emoji.entry(emoji).or_default().push(user.clone());
    }
    let mut counts: Vec<ReactionCount> = by_emoji
        .into_iter()
        .map(|(emoji, by)| ReactionCount { emoji: emoji.to_string(), mine: by.iter().any(|u| u == me), by })
        .collect();
    counts.sort_by(|a, b| b.by.len().cmp(&a.by.len()).then_with(|| a.emoji.cmp(&b.emoji)));
    counts
}
