//! How far back a room's history is loaded, and whether older messages can be asked for.
//!
//! The server sends a page of a room's latest messages after each join (and the lobby's after
//! login); scrolling to the top of a room asks for the page before the oldest message loaded,
//! one request at a time. The timeline places page and live messages by sequence number,
//! whatever order they arrive in; this only keeps what the next request needs.

use anseo_shared::protocol::HistoryPage;

/// How many older messages one "load older" asks for.
pub const OLDER_PAGE: u32 = 50;

/// What is known of one room's history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct History {
    /// The sequence number of the oldest message a page brought.
    pub oldest_seq: Option<u64>,
    /// The server has messages older than `oldest_seq`.
    pub more: bool,
    /// A request for older messages is on its way.
    pub loading: bool,
}

impl History {
    /// Whether the room is loaded back to its first message.
    pub fn at_beginning(&self) -> bool {
        self.oldest_seq.is_some() && !self.more
    }

    /// Whether a message belongs before everything the pages brought so far.
    pub fn is_older(&self, seq: u64) -> bool {
        self.oldest_seq.is_some_and(|oldest| seq < oldest)
    }

    /// The `before` of the next older page, unless nothing is older or a request is already on
    /// its way; from here on one is.
    pub fn request_older(&mut self) -> Option<u64> {
        if self.loading || !self.more {
            return None;
        }
        let before = self.oldest_seq?;
        self.loading = true;
        Some(before)
    }

    /// Takes note of a page of this room. A page that starts after the oldest message (the
    /// latest messages again, after a reconnect) changes nothing; an empty one means there is
    /// nothing older.
    pub fn take_page(&mut self, page: &HistoryPage) {
        self.loading = false;
        match page.messages.first() {
            Some(first) if self.oldest_seq.is_none_or(|oldest| first.seq < oldest) => {
                self.oldest_seq = Some(first.seq);
                self.more = page.more;
            }
            Some(_) => {}
            None => self.more = false,
        }
    }

    /// The connection dropped or the server refused a request: an answer may never come.
    pub fn forget_request(&mut self) {
        self.loading = false;
    }
}
