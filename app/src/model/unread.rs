//! Where the user stopped reading each room, and the "new messages" line. Each room keeps the
//! id of the newest message the user has seen there (`read`): it moves on while the room is
//! open, the window focused and the list at its newest message. Opening a room with newer
//! messages than that places the line above the first of them (`marker`) until the user opens
//! another conversation; "Jump" brings it into view. The marks are kept on this device
//! (`crate::read_marks`), so after the app restarts, the lobby's history shows the line where
//! the user left off and the room list counts what came since.

use std::collections::BTreeMap;

use super::{Chat, Command, Entry, Target};

impl Chat {
    /// The marks this device kept for this login, applied to each room as its first page of
    /// history arrives.
    pub(super) fn take_read_marks(&mut self, marks: BTreeMap<String, u64>) {
        for (room, id) in marks {
            match self.rooms.get_mut(&room) {
                Some(state) if state.read == 0 && state.timeline.is_empty() => state.read = id,
                Some(_) => {}
                None => _ = self.kept_marks.insert(room, id),
            }
        }
    }

    /// A room's latest messages (after a join or login) arrived: what is newer than where the
    /// user stopped reading on this device counts as unread, or, in the open room, gets the
    /// line above it.
    /// `messages` are the page's `(id, said by someone else)`, oldest first.
    pub(super) fn unread_in_page(&mut self, room_name: &str, messages: &[(u64, bool)]) {
        let kept = self.kept_marks.remove(room_name);
        let is_current = self.current == Target::Room(room_name.to_string());
        let Some(room) = self.rooms.get_mut(room_name) else { return };
        if let Some(kept) = kept {
            room.read = room.read.max(kept);
        }
        if room.read == 0 {
            // Never read here on this device: nothing to mark.
            room.read = messages.last().map_or(0, |(id, _)| *id);
            return;
        }
        let newer = messages.iter().filter(|(id, others)| *others && *id > room.read).count() as u32;
        if newer == 0 {
            return;
        }
        if is_current {
            room.marker = Some(room.read);
            self.read_current();
        } else {
            room.unread += newer;
        }
    }

    /// Opening room `name`: the line goes above its first message newer than the user read.
    pub(super) fn open_room_at_mark(&mut self, name: &str) {
        let me = self.me.clone();
        let Some(room) = self.rooms.get_mut(name) else { return };
        let unseen = room.timeline.iter().any(|entry| match entry {
            Entry::Message(line) => line.id > room.read && line.from != me,
            Entry::Notice(_) => false,
        });
        room.marker = unseen.then_some(room.read);
    }

    /// The user sees the newest message of the open room (focused, at the bottom): the room's
    /// mark moves up to it.
    pub(super) fn read_current(&mut self) {
        if !self.focused || self.scrolled_up {
            return;
        }
        let Target::Room(name) = &self.current else { return };
        let Some(room) = self.rooms.get_mut(name) else { return };
        let newest = room.timeline.newest_id().unwrap_or(0);
        if newest > room.read {
            room.read = newest;
            self.marks_changed = true;
        }
    }

    /// The id of the first message below the "new messages" line in the open room.
    pub fn first_unread(&self) -> Option<u64> {
        let (_, room) = self.current_room()?;
        let marker = room.marker?;
        room.timeline.iter().find_map(|entry| match entry {
            Entry::Message(line) if line.id > marker && line.from != self.me => Some(line.id),
            _ => None,
        })
    }

    /// "Jump": brings the first unread message of the open room into view.
    pub(super) fn jump_to_unread(&mut self) {
        self.jump_to = self.first_unread();
    }

    /// The marks to keep on this device, when they changed since last asked.
    pub fn read_marks_to_keep(&mut self) -> Option<Command> {
        if !std::mem::take(&mut self.marks_changed) {
            return None;
        }
        let marks =
            self.rooms.iter().filter(|(_, room)| room.read > 0).map(|(name, room)| (name.clone(), room.read));
        Some(Command::KeepReadMarks(marks.collect()))
    }
}
