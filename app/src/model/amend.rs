//! Edits, deletions and moderation notices. On the wire they are room messages of their own
//! kind; here an edit changes the text of the line it is about ("(edited)"), a deletion
//! empties it ("message deleted"), and a moderation notice is a muted line in the timeline
//! that names who did what ("bob muted carol for 10 minutes"). The user edits and deletes from
//! a message's menu: their own messages, and anyone's when they own or moderate the room; and
//! they keep order by typing `/topic`, `/mute`, `/kick`, `/ban`, `/op`... in the message box.

use anseo_shared::client::parse_moderation;
use anseo_shared::protocol::{MessageKind, MessageState, ModAction, Moderation, RoomMessage, validate_text};

use super::{Chat, Command, Notice, Target, capitalize};

impl Chat {
    /// Applies a room message that is not something said; returns false for one that is.
    pub(super) fn amendment(&mut self, message: &RoomMessage) -> bool {
        let Some(room) = self.rooms.get_mut(&message.room) else {
            return !matches!(message.kind, MessageKind::Said);
        };
        match &message.kind {
            MessageKind::Said => return false,
            MessageKind::Edit { id } => {
                if let Some(line) = room.timeline.line_mut(*id) {
                    line.text = message.text.clone();
                    line.state = MessageState::Edited;
                }
            }
            MessageKind::Delete { id } => {
                if let Some(line) = room.timeline.line_mut(*id) {
                    line.text.clear();
                    line.file = None;
                    line.state = MessageState::Deleted;
                }
                if self.editing == Some(*id) {
                    self.editing = None;
                }
            }
            MessageKind::Moderation(moderation) => {
                match moderation.action {
                    ModAction::Topic => room.topic = message.text.clone(),
                    ModAction::Op => _ = room.moderators.insert(moderation.target.clone()),
                    ModAction::Deop => _ = room.moderators.remove(&moderation.target),
                    _ => {}
                }
                if moderation.action == ModAction::Topic
                    && let Some(info) = self.directory.get_mut(&message.room)
                {
                    info.topic = message.text.clone();
                }
                let text = notice_text(&message.from, moderation, &message.text, &self.me);
                let notice = Notice { text, ts: message.ts };
                room.timeline.add_numbered_notice(message.seq, message.id, notice);
            }
        }
        true
    }

    /// Whether this user may delete a message from `from` in the open conversation: their own
    /// in a room, or anyone's in a room they own or moderate.
    pub fn may_delete(&self, from: &str) -> bool {
        match self.current_room() {
            Some((_, room)) => {
                from == self.me || room.creator == self.me || room.moderators.contains(&self.me)
            }
            None => false,
        }
    }

    /// "Edit" in a message's menu: the line becomes a field with its text.
    pub(super) fn start_edit(&mut self, id: u64) {
        let own = self.current_timeline().and_then(|timeline| timeline.line(id)).is_some_and(|line| {
            line.from == self.me && line.state != MessageState::Deleted && line.file.is_none()
        });
        if own && matches!(self.current, Target::Room(_)) {
            self.editing = Some(id);
            self.composer_error = None;
        }
    }

    /// Enter or Save in the edit field: the new text goes to the server (unchanged text just
    /// closes the field).
    pub(super) fn save_edit(&mut self, text: String) -> Option<Command> {
        let id = self.editing?;
        let Target::Room(room) = self.current.clone() else { return None };
        let text = anseo_shared::protocol::expand_shortcodes(text.trim());
        if let Err(e) = validate_text(&text, self.max_message_chars) {
            self.error = Some(capitalize(&e.to_string()));
            return None;
        }
        self.editing = None;
        let unchanged =
            self.current_timeline().and_then(|t| t.line(id)).is_some_and(|line| line.text == text);
        (!unchanged).then_some(Command::Edit { room, id, text })
    }

    /// A moderation command typed in the message box (`/mute bob 5`, `/topic ...`): `None`
    /// when the line is none, else the command for the open room (or nothing, with the usage
    /// shown under the box when it is written wrong).
    pub(super) fn moderation_line(&mut self, text: &str) -> Option<Option<Command>> {
        let parsed = parse_moderation(text)?;
        let Target::Room(room) = self.current.clone() else {
            self.composer_error = Some("Keeping order works in rooms, not in direct messages".into());
            return Some(None);
        };
        Some(match parsed {
            Ok(command) => {
                self.composer_error = None;
                self.draft.clear();
                Some(Command::Moderate { room, command })
            }
            Err(usage) => {
                self.composer_error = Some(format!("Write it like this: {usage}"));
                None
            }
        })
    }

    /// "Delete" in a message's menu.
    pub(super) fn delete_message(&mut self, id: u64) -> Option<Command> {
        let Target::Room(room) = self.current.clone() else { return None };
        let from = self.current_timeline()?.line(id)?.from.clone();
        self.may_delete(&from).then_some(Command::Delete { room, id })
    }
}

/// A moderation notice in words, from where this user (`me`) stands.
fn notice_text(by: &str, moderation: &Moderation, text: &str, me: &str) -> String {
    let target = if moderation.target == me { "you".to_string() } else { moderation.target.clone() };
    match moderation.action {
        ModAction::Topic if text.is_empty() => format!("{by} cleared the topic"),
        ModAction::Topic => format!("{by} set the topic: {text}"),
        ModAction::Mute { until } => {
            let time = super::text::local_time(until);
            format!("{by} muted {target} until {time}")
        }
        ModAction::Unmute => format!("{by} let {target} speak again"),
        ModAction::Kick => format!("{by} put {target} out of the room"),
        ModAction::Ban => format!("{by} banned {target} from the room"),
        ModAction::Unban => format!("{by} lifted the ban on {target}"),
        ModAction::Op => format!("{by} made {target} a moderator"),
        ModAction::Deop => format!("{by} took moderation from {target}"),
    }
}
