//! One conversation's history: chat lines and muted notices, kept in server order.
//!
//! Room messages carry a per-room sequence number; presence notices (joins, leaves) carry
//! `after_seq`, the room's last sequence number when they happened. The two arrive on different
//! streams, so a notice may come before the message it follows, or after later ones. Ordering
//! by `(epoch, seq, kind)` puts each notice right after message `after_seq` whatever the arrival
//! order. The epoch grows on every reconnect, so a restarted server's sequence numbers (which
//! may start again from 1) never sort before what was already shown. Older messages from a
//! history page go before everything instead, in the epoch of the oldest entry.

use std::collections::HashSet;

use anseo_shared::protocol::{Attachment, MessageState};

/// A message as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatLine {
    /// The server's id (unique across the server), used to drop duplicates.
    pub id: u64,
    pub from: String,
    pub text: String,
    /// Server time, milliseconds since the Unix epoch.
    pub ts: u64,
    /// The file the message carries (`text` is then its caption, maybe empty).
    pub file: Option<Attachment>,
    /// The emoji under it (filled in for the lines shown: `Chat::with_reactions`).
    pub reactions: Vec<super::reactions::ReactionCount>,
    /// Whether it was edited or deleted since it was sent.
    pub state: MessageState,
}

/// A muted line about what happened in the conversation ("bob joined").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub ts: u64,
}

/// One line of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Message(ChatLine),
    Notice(Notice),
}

/// Where an entry sorts: after every entry of an earlier epoch, then by sequence number, a
/// message before the notices that follow it, notices in arrival order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    epoch: u32,
    seq: u64,
    kind: u8,
    arrival: u64,
}

/// The ordered entries of one room or direct conversation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    entries: Vec<(Key, Entry)>,
    /// Every message here by id and server time, to drop one that arrives again (live and in
    /// a page). The time too: a server without a store numbers its messages from 1 again after
    /// a restart.
    ids: HashSet<(u64, u64)>,
    epoch: u32,
    arrivals: u64,
    /// The highest message sequence number seen in this epoch.
    last_seq: u64,
    /// The last notice of people joining (or leaving), which more of the same at the same
    /// place join: a big room says "12 people joined" once, not twelve lines.
    group: Option<PresenceGroup>,
    /// The highest message id here (0: none), kept as messages come so reading it is free.
    newest_id: u64,
}

/// A notice of several people joining or leaving at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PresenceGroup {
    key: Key,
    joined: bool,
    names: Vec<String>,
}

/// People named in a grouped notice, at most; beyond, it counts them.
const NAMES_IN_A_NOTICE: usize = 3;

impl Timeline {
    /// Adds a message with its sequence number; a message already present (same id and time)
    /// is ignored. Returns whether it was added.
    pub fn add_message(&mut self, seq: u64, line: ChatLine) -> bool {
        self.add_message_in(self.epoch, seq, line)
    }

    /// Adds a message older than the messages here (from a page of earlier history): it goes
    /// into the oldest entry's epoch, so it sorts before them even after reconnects. A message
    /// already present is ignored. Returns whether it was added.
    pub fn add_older(&mut self, seq: u64, line: ChatLine) -> bool {
        let epoch = self.entries.first().map_or(self.epoch, |(key, _)| key.epoch);
        self.add_message_in(epoch, seq, line)
    }

    /// Adds a message that has no sequence number (direct messages): it goes last.
    pub fn push_message(&mut self, line: ChatLine) -> bool {
        let seq = self.last_seq + 1;
        self.add_message(seq, line)
    }

    /// Adds a notice that happened after message `after_seq`.
    pub fn add_notice(&mut self, after_seq: u64, notice: Notice) {
        let key = Key { epoch: self.epoch, seq: after_seq, kind: 1, arrival: self.next_arrival() };
        self.insert(key, Entry::Notice(notice));
    }

    /// Adds "NAME joined" (or "NAME left") after message `after_seq`; the same about others
    /// at the same place goes into the one notice ("bob and carol joined", "12 people joined").
    pub fn add_presence_notice(&mut self, after_seq: u64, joined: bool, name: String, ts: u64) {
        let open = self.group.as_mut().filter(|group| {
            group.joined == joined && group.key.epoch == self.epoch && group.key.seq == after_seq
        });
        if let Some(group) = open {
            if !group.names.contains(&name) {
                group.names.push(name);
            }
            let (key, text) = (group.key, group_text(&group.names, joined));
            if let Ok(at) = self.entries.binary_search_by(|(k, _)| k.cmp(&key)) {
                self.entries[at].1 = Entry::Notice(Notice { text, ts });
            }
            return;
        }
        let key = Key { epoch: self.epoch, seq: after_seq, kind: 1, arrival: self.next_arrival() };
        let text = group_text(std::slice::from_ref(&name), joined);
        self.insert(key, Entry::Notice(Notice { text, ts }));
        self.group = Some(PresenceGroup { key, joined, names: vec![name] });
    }

    /// Adds a notice that is a room message of its own (a moderation notice), after message
    /// `seq - 1`; one already present (same id and time) is ignored.
    pub fn add_numbered_notice(&mut self, seq: u64, id: u64, notice: Notice) -> bool {
        if !self.ids.insert((id, notice.ts)) {
            return false;
        }
        self.last_seq = self.last_seq.max(seq);
        self.add_notice(seq.saturating_sub(1), notice);
        true
    }

    /// The id of the newest message here (ids grow with time across the server).
    pub fn newest_id(&self) -> Option<u64> {
        (self.newest_id > 0).then_some(self.newest_id)
    }

    /// The message with server id `id`, if it is here.
    pub fn line(&self, id: u64) -> Option<&ChatLine> {
        self.entries.iter().rev().find_map(|(_, entry)| match entry {
            Entry::Message(line) if line.id == id => Some(line),
            _ => None,
        })
    }

    /// The message with server id `id`, to change (an edit or deletion of it).
    pub fn line_mut(&mut self, id: u64) -> Option<&mut ChatLine> {
        self.entries.iter_mut().rev().find_map(|(_, entry)| match entry {
            Entry::Message(line) if line.id == id => Some(line),
            _ => None,
        })
    }

    /// Adds a notice after everything shown so far.
    pub fn push_notice(&mut self, notice: Notice) {
        let after = self.entries.last().map_or(0, |(k, _)| if k.epoch == self.epoch { k.seq } else { 0 });
        self.add_notice(after.max(self.last_seq), notice);
    }

    /// Starts a new epoch: what comes next sorts after everything already here.
    pub fn new_epoch(&mut self) {
        self.epoch += 1;
        self.last_seq = 0;
    }

    /// Renames `old` to `new` in every line it sent.
    pub fn rename_sender(&mut self, old: &str, new: &str) {
        for (_, entry) in &mut self.entries {
            if let Entry::Message(line) = entry
                && line.from == old
            {
                line.from = new.to_string();
            }
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().map(|(_, e)| e)
    }

    /// The last `count` entries, oldest first, each with its number: unique in this
    /// conversation and kept for good (the order it arrived in), so the list can key them.
    pub fn numbered_last(&self, count: usize) -> impl Iterator<Item = (u64, &Entry)> {
        let start = self.entries.len().saturating_sub(count);
        self.entries[start..].iter().map(|(key, e)| (key.arrival, e))
    }

    fn add_message_in(&mut self, epoch: u32, seq: u64, line: ChatLine) -> bool {
        if !self.ids.insert((line.id, line.ts)) {
            return false;
        }
        self.newest_id = self.newest_id.max(line.id);
        if epoch == self.epoch {
            self.last_seq = self.last_seq.max(seq);
        }
        let key = Key { epoch, seq, kind: 0, arrival: self.next_arrival() };
        self.insert(key, Entry::Message(line));
        true
    }

    fn next_arrival(&mut self) -> u64 {
        self.arrivals += 1;
        self.arrivals
    }

    fn insert(&mut self, key: Key, entry: Entry) {
        // Nearly every entry belongs at the end: check that first, then search.
        if self.entries.last().is_none_or(|(last, _)| *last < key) {
            self.entries.push((key, entry));
        } else {
            let at = self.entries.partition_point(|(k, _)| *k < key);
            self.entries.insert(at, (key, entry));
        }
    }
}

/// "bob joined", "bob and carol joined", "bob, carol and dave joined", "12 people joined".
fn group_text(names: &[String], joined: bool) -> String {
    let verb = if joined { "joined" } else { "left" };
    match names {
        [one] => format!("{one} {verb}"),
        [rest @ .., last] if names.len() <= NAMES_IN_A_NOTICE => {
            format!("{} and {last} {verb}", rest.join(", "))
        }
        _ => format!("{} people {verb}", names.len()),
    }
}

/// Consecutive messages from one sender within this many milliseconds form one group.
pub const GROUP_WINDOW_MS: u64 = 5 * 60 * 1000;

/// A run of entries as the list draws them, keyed by the number of its first entry (see
/// [`Timeline::numbered_last`]), so a block keeps its key while lines are added to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Consecutive messages from one sender, close together in time.
    Group {
        key: u64,
        from: String,
        lines: Vec<ChatLine>,
    },
    Notice {
        key: u64,
        notice: Notice,
    },
    /// The "new messages" line, above the first message the user has not seen.
    NewMessages {
        key: u64,
    },
}

/// The new-messages line's key: its message's with the top bit set (entry numbers never have it).
const LINE_KEY: u64 = 1 << 63;

impl Block {
    pub fn key(&self) -> u64 {
        match self {
            Block::Group { key, .. } | Block::Notice { key, .. } | Block::NewMessages { key } => *key,
        }
    }
}

/// Groups consecutive messages from one sender; notices break groups.
pub fn blocks<'a>(entries: impl IntoIterator<Item = (u64, &'a Entry)>) -> Vec<Block> {
    blocks_with_line(entries, None)
}

/// [`blocks`], with the "new messages" line above the message `line_before` (by id), which
/// starts a group of its own.
pub fn blocks_with_line<'a>(
    entries: impl IntoIterator<Item = (u64, &'a Entry)>,
    line_before: Option<u64>,
) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for (key, entry) in entries {
        match entry {
            Entry::Notice(notice) => out.push(Block::Notice { key, notice: notice.clone() }),
            Entry::Message(line) if Some(line.id) == line_before => {
                out.push(Block::NewMessages { key: key | LINE_KEY });
                out.push(Block::Group { key, from: line.from.clone(), lines: vec![line.clone()] });
            }
            Entry::Message(line) => {
                if let Some(Block::Group { from, lines, .. }) = out.last_mut()
                    && *from == line.from
                    && lines.last().is_some_and(|last| line.ts.saturating_sub(last.ts) <= GROUP_WINDOW_MS)
                {
                    lines.push(line.clone());
                    continue;
                }
                out.push(Block::Group { key, from: line.from.clone(), lines: vec![line.clone()] });
            }
        }
    }
    out
}
