//! What the user does in a chat: opening conversations, sending, joining and leaving,
//! renaming, setting a password, scrolling and loading older messages. Each action changes the
//! chat and may give a [`Command`] for the network task; the server's answers come back
//! through `incoming.rs`.

use anseo_shared::protocol::{
    LOBBY, expand_shortcodes, normalize_name, normalize_room, validate_password, validate_text,
    validate_topic,
};

use super::{
    Action, Chat, Command, Download, Media, OLDER_PAGE, PAGE, Pane, Secret, Status, Target, capitalize,
};

impl Chat {
    /// Applies a user action in the chat; returns what the network task should do, if anything.
    pub(super) fn act(&mut self, action: Action) -> Option<Command> {
        match action {
            Action::Select(target) => self.select(target),
            Action::OpenDirect(user) if user != self.me => {
                self.directs.entry(user.clone()).or_default();
                self.select(Target::Direct(user));
            }
            Action::ShowPane(pane) => self.pane = pane,
            Action::Draft(text) => {
                self.composer_error = None;
                self.draft = text;
            }
            Action::Send(text) => return self.send(text),
            Action::OpenDialog(dialog) => {
                self.dialog = Some(dialog);
                self.error = None;
            }
            Action::CloseDialog => self.dialog = None,
            Action::JoinRoom { room, topic } => return self.join(&room, &topic),
            Action::LeaveRoom(room) if room != LOBBY && self.rooms.contains_key(&room) => {
                return Some(Command::Leave { room });
            }
            Action::ChangeNick(name) => match normalize_name(name.trim()) {
                Ok(name) if name == self.me => self.dialog = None,
                Ok(name) => {
                    self.dialog = None;
                    return Some(Command::Nick { name });
                }
                Err(e) => self.error = Some(format!("Cannot use that name: {e}")),
            },
            Action::SetPassword(password) => return self.set_password(password),
            Action::Scrolled { at_bottom } => {
                self.scrolled_up = !at_bottom;
                if at_bottom {
                    self.new_below = 0;
                    self.read_current();
                }
            }
            Action::LoadOlder => return self.load_older(),
            Action::RetrySend(client_msg_id) => {
                let line = self.pending.take_failed(client_msg_id)?;
                return Some(match line.to {
                    Target::Room(room) => Command::Say { room, text: line.text },
                    Target::Direct(to) => Command::Direct { to, text: line.text },
                });
            }
            Action::DiscardUnsent(client_msg_id) => _ = self.pending.take_failed(client_msg_id),
            Action::SendFile(file) => return Some(Command::SendFile { to: self.current.clone(), file }),
            Action::Download { hash, name } => {
                if matches!(self.downloads.get(&hash), Some(Download::Saving)) {
                    return None;
                }
                self.downloads.insert(hash, Download::Saving);
                return Some(Command::Download { hash, name });
            }
            Action::CancelTransfer(id) => return Some(Command::CancelTransfer { id }),
            Action::FetchMedia(hash) => {
                if self.media.contains_key(&hash) {
                    return None;
                }
                self.media.insert(hash, Media::Fetching);
                return Some(Command::FetchMedia { hash });
            }
            Action::ShowRoomView(view) => self.show_room_view(view),
            Action::React { id, emoji } => return self.react(id, emoji),
            Action::Tick => self.tick(),
            Action::Search { text, next_page } => return self.search(text, next_page),
            Action::OpenResult(hit) => self.open_result(hit),
            Action::Jumped => self.jump_to = None,
            Action::Focus(focused) => self.focus(focused),
            Action::SetNotify { room, level } => self.set_notify(&room, level),
            Action::StartEdit(id) => self.start_edit(id),
            Action::SaveEdit(text) => return self.save_edit(text),
            Action::CancelEdit => self.editing = None,
            Action::DeleteMessage(id) => return self.delete_message(id),
            Action::JumpToUnread => self.jump_to_unread(),
            Action::ShowEveryone => return Some(Command::ListUsers),
            Action::StrokeStart { point, stroke, now_ms } => return self.start_stroke(point, stroke, now_ms),
            Action::StrokeMove { point, now_ms } => return self.extend_stroke(point, now_ms),
            Action::StrokeEnd => return self.finish_stroke(),
            Action::UndoStroke => return self.undo_stroke(),
            Action::ClearBoard => return self.clear_board(),
            Action::SetPen { tool, colour, width } => self.set_pen(tool, colour, width),
            Action::ViewPicture(file) => self.viewing = Some(file),
            Action::ClosePicture => self.viewing = None,
            Action::ShowError(message) => self.error = Some(message),
            Action::DismissError => self.error = None,
            _ => {}
        }
        None
    }

    /// Opens a conversation: its unread count is cleared, the list starts at its newest.
    pub(super) fn select(&mut self, target: Target) {
        match &target {
            Target::Room(name) => match self.rooms.get_mut(name) {
                Some(room) => {
                    room.unread = 0;
                    room.mentions = 0;
                }
                None => return,
            },
            Target::Direct(user) => self.directs.entry(user.clone()).or_default().unread = 0,
        }
        if self.current != target {
            self.drawing = None;
            self.editing = None;
            if let Target::Room(left) = &self.current
                && let Some(room) = self.rooms.get_mut(left)
            {
                room.marker = None;
            }
            if let Target::Room(opened) = &target {
                self.open_room_at_mark(opened);
            }
            if matches!(target, Target::Direct(_)) {
                self.room_view = super::RoomView::Messages;
            } else if let Target::Room(room) = &target
                && self.room_view == super::RoomView::Board
                && let Some(room) = self.rooms.get_mut(room)
            {
                room.board_changed = false;
            }
            self.shown = PAGE;
            self.scrolled_up = false;
            self.new_below = 0;
        }
        self.current = target;
        self.pane = Pane::Chat;
        self.scrolled_up = false;
        self.read_current();
    }

    fn send(&mut self, text: String) -> Option<Command> {
        if let Some(command) = self.moderation_line(&text) {
            return command;
        }
        let text = expand_shortcodes(&text);
        if let Err(e) = validate_text(&text, self.max_message_chars) {
            self.composer_error = Some(capitalize(&e.to_string()));
            return None;
        }
        // While reconnecting the client core keeps it and sends it once the connection is back.
        self.composer_error = None;
        self.draft.clear();
        self.scrolled_up = false;
        self.new_below = 0;
        Some(match &self.current {
            Target::Room(room) => Command::Say { room: room.clone(), text },
            Target::Direct(to) => Command::Direct { to: to.clone(), text },
        })
    }

    /// Shows more of the open conversation: what is loaded but not drawn first, then older
    /// messages from the server (one request at a time, and only while there are some).
    fn load_older(&mut self) -> Option<Command> {
        if self.current_timeline().is_some_and(|t| t.len() > self.shown) {
            self.shown += PAGE;
            return None;
        }
        if let Status::Reconnecting { .. } = self.status {
            return None;
        }
        let Target::Room(name) = &self.current else { return None };
        let before = self.rooms.get_mut(name)?.history.request_older()?;
        Some(Command::History { room: name.clone(), before: Some(before), limit: OLDER_PAGE })
    }

    fn set_password(&mut self, password: Secret) -> Option<Command> {
        if let Err(e) = validate_password(password.expose()) {
            self.error = Some(capitalize(&e.to_string()));
            return None;
        }
        self.error = None;
        self.saving_password = true;
        Some(Command::SetPassword { password })
    }

    fn join(&mut self, room: &str, topic: &str) -> Option<Command> {
        let room = match normalize_room(room.trim()) {
            Ok(room) => room,
            Err(e) => {
                self.error = Some(format!("Cannot use that room name: {e}"));
                return None;
            }
        };
        let topic = topic.trim();
        if let Err(e) = validate_topic(topic) {
            self.error = Some(format!("Cannot use that topic: {e}"));
            return None;
        }
        self.dialog = None;
        self.error = None;
        if self.rooms.contains_key(&room) {
            self.select(Target::Room(room));
            return None;
        }
        self.pending_join = Some(room.clone());
        let topic = (!topic.is_empty()).then(|| topic.to_string());
        Some(Command::Join { room, topic })
    }
}
