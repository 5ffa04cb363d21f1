//! Where each room's shown history begins, so `/history` continues from there and no message
//! is printed twice.
//!
//! The server sends a page of a room's latest messages after a join; live messages may arrive
//! before it, but always with higher sequence numbers than the page's. A `/history` page holds
//! only messages older than the one asked from. So within a room, a page message is new
//! exactly when its sequence number is below the oldest one shown.

use std::collections::HashMap;

use anseo_shared::protocol::{HistoryPage, fold_name};

/// The oldest sequence number shown, per room (by folded name).
#[derive(Debug, Default)]
pub struct Oldest {
    rooms: HashMap<String, u64>,
}

impl Oldest {
    /// A message of `room` with sequence number `seq` was shown.
    pub fn saw(&mut self, room: &str, seq: u64) {
        let oldest = self.rooms.entry(fold_name(room)).or_insert(seq);
        *oldest = (*oldest).min(seq);
    }

    /// The oldest sequence number shown in `room`, if any.
    pub fn of(&self, room: &str) -> Option<u64> {
        self.rooms.get(&fold_name(room)).copied()
    }

    /// This user left `room`: what it shows after a rejoin starts afresh.
    pub fn forget(&mut self, room: &str) {
        self.rooms.remove(&fold_name(room));
    }

    /// Keeps the messages of `page` not shown yet, notes them as shown, and says how many.
    pub fn unseen(&mut self, mut page: HistoryPage) -> (HistoryPage, usize) {
        if let Some(oldest) = self.of(&page.room) {
            page.messages.retain(|m| m.seq < oldest);
        }
        if let Some(first) = page.messages.first() {
            self.saw(&page.room, first.seq);
        }
        let shown = page.messages.len();
        (page, shown)
    }
}

#[cfg(test)]
mod tests {
    use anseo_shared::protocol::RoomMessage;

    use super::*;

    fn page(room: &str, seqs: std::ops::RangeInclusive<u64>) -> HistoryPage {
        let messages = seqs
            .map(|seq| RoomMessage {
                id: seq,
                room: room.into(),
                seq,
                from: "bob".into(),
                text: format!("m{seq}"),
                ts: 0,
                client_msg_id: seq,
                attachment: None,
                kind: Default::default(),
                state: Default::default(),
            })
            .collect();
        HistoryPage { room: room.into(), messages, more: true, ts: 0 }
    }

    #[test]
    fn a_page_after_live_messages_shows_only_older_ones() {
        let mut oldest = Oldest::default();
        oldest.saw("Dev", 8);
        oldest.saw("dev", 9);
        let (kept, shown) = oldest.unseen(page("dev", 3..=9));
        assert_eq!(kept.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [3, 4, 5, 6, 7]);
        assert_eq!(shown, 5);
        assert_eq!(oldest.of("DEV"), Some(3));
    }

    #[test]
    fn rooms_are_separate_and_leaving_forgets() {
        let mut oldest = Oldest::default();
        let (_, shown) = oldest.unseen(page("dev", 10..=12));
        assert_eq!(shown, 3);
        assert_eq!(oldest.of("ops"), None);
        oldest.forget("dev");
        let (_, shown) = oldest.unseen(page("dev", 11..=14));
        assert_eq!(shown, 4, "after a rejoin the latest page is shown again");
    }
}
