//! Notifications and mentions: a message that mentions this user (`@name`, ignoring case) or
//! a direct message raises a notification, and so does any message in a room set to "all",
//! unless the user sees it already (the window has the focus and the conversation is open).
//! The model only queues them ([`Chat::take_notifications`]); the app shows them with the
//! platform's notifications. Mentions are counted apart from unread messages per room.

use anseo_shared::protocol::fold_name;

use super::{Chat, Target};

/// Which messages of a room raise a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NotifyLevel {
    All,
    /// Only those that mention this user (the default).
    #[default]
    Mentions,
    Nothing,
}

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub title: String,
    pub body: String,
}

/// Whether `text` mentions `me`: `@me`, ignoring case, not inside a longer name.
pub fn mentions(text: &str, me: &str) -> bool {
    let me = fold_name(me);
    text.match_indices('@').any(|(at, _)| {
        let name: String =
            text[at + 1..].chars().take_while(|c| c.is_alphanumeric() || "_-.".contains(*c)).collect();
        let name = name.trim_end_matches('.');
        fold_name(name) == me
    })
}

impl Chat {
    /// The window got or lost the keyboard focus.
    pub(super) fn focus(&mut self, focused: bool) {
        self.focused = focused;
        self.read_current();
    }

    /// Whether the user sees `target` now.
    fn sees(&self, target: &Target) -> bool {
        self.focused && self.current == *target
    }

    /// A live room message from someone else: counts a mention, and queues a notification if
    /// the room's setting asks for one and the user does not see it.
    pub(super) fn notice_room_message(&mut self, room: &str, from: &str, text: &str) {
        let target = Target::Room(room.to_string());
        let mentioned = mentions(text, &self.me);
        let sees = self.sees(&target);
        let Some(state) = self.rooms.get_mut(room) else { return };
        if mentioned && self.current != target {
            state.mentions += 1;
        }
        let wanted = match state.notify {
            NotifyLevel::All => true,
            NotifyLevel::Mentions => mentioned,
            NotifyLevel::Nothing => false,
        };
        if wanted && !sees {
            self.notifications
                .push(Notification { title: format!("{from} in #{room}"), body: text.to_string() });
        }
    }

    /// A live direct message from someone else: queues a notification unless the user sees it.
    pub(super) fn notice_direct(&mut self, from: &str, text: &str) {
        if !self.sees(&Target::Direct(from.to_string())) {
            self.notifications.push(Notification { title: from.to_string(), body: text.to_string() });
        }
    }

    /// The notifications to show now (each given out once).
    pub fn take_notifications(&mut self) -> Vec<Notification> {
        std::mem::take(&mut self.notifications)
    }

    /// Unread messages in every conversation, for the window's title.
    pub fn unread_total(&self) -> u32 {
        self.rooms.values().map(|r| r.unread).chain(self.directs.values().map(|c| c.unread)).sum()
    }

    /// Sets which messages of `room` raise notifications.
    pub(super) fn set_notify(&mut self, room: &str, level: NotifyLevel) {
        if let Some(state) = self.rooms.get_mut(room) {
            state.notify = level;
        }
    }
}
