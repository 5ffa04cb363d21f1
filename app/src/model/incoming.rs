//! What the network task reports, applied to the chat: the client core's [`ChatEvent`]s
//! (messages and their confirmations, joins and leaves, lists, renames, presence, refusals,
//! reconnecting and resuming), login tokens kept and commands that failed. Each event comes
//! once and in order (the client core sees to that), so applying it is plain bookkeeping.

use std::collections::BTreeMap;

use anseo_shared::client::{Addressee, ChatEvent, Presence, PresenceChange};
use anseo_shared::protocol::{
    DirectMessage, HistoryPage, LOBBY, MessageKind, RoomInfo, RoomMessage, Welcome,
};

use super::{
    Chat, ChatLine, Dialog, Download, Media, NetEvent, Notice, PAGE, PendingLine, Status, Target, Transfer,
    capitalize,
};

impl Chat {
    /// Applies what the network task reported (the login's start and end are the model's).
    pub(super) fn apply(&mut self, event: NetEvent) {
        match event {
            NetEvent::Chat(event) => self.chat_event(event),
            NetEvent::TokenStored { name, ts } => self.token_stored(&name, ts),
            NetEvent::CommandFailed(message) => {
                self.saving_password = false;
                self.error = Some(message);
            }
            NetEvent::Downloaded { hash, path } => _ = self.downloads.insert(hash, Download::Saved(path)),
            NetEvent::DownloadFailed { hash, message } => {
                self.downloads.insert(hash, Download::Failed(message));
            }
            NetEvent::TransferProgress { id, name, up, done, total } => {
                let progress = Transfer { id, name, up, done, total };
                match self.transfers.iter_mut().find(|transfer| transfer.id == id) {
                    Some(transfer) => *transfer = progress,
                    None => self.transfers.push(progress),
                }
            }
            NetEvent::TransferEnded { id } => self.transfers.retain(|transfer| transfer.id != id),
            NetEvent::MediaReady { hash, url } => _ = self.media.insert(hash, Media::Ready(url)),
            NetEvent::MediaFailed { hash, message } => _ = self.media.insert(hash, Media::Failed(message)),
            NetEvent::Trusted(fingerprint) => self.fingerprint = Some(fingerprint),
            NetEvent::ReadMarks(marks) => self.take_read_marks(marks),
            NetEvent::Connected(_)
            | NetEvent::LoginFailed(_)
            | NetEvent::LoggedOut
            | NetEvent::Discovered(_)
            | NetEvent::DiscoveryFailed(_) => {}
        }
    }

    fn chat_event(&mut self, event: ChatEvent) {
        match event {
            ChatEvent::Sending { client_msg_id, to, text, .. } => {
                self.pending.sending(PendingLine { client_msg_id, to: Target::from(to), text })
            }
            ChatEvent::Message { message, confirms } => {
                if let Some(client_msg_id) = confirms {
                    self.pending.confirmed(client_msg_id);
                }
                self.stopped_typing(&Target::Room(message.room.clone()), &message.from);
                self.room_message(message);
            }
            ChatEvent::Direct { message, confirms } => {
                if let Some(client_msg_id) = confirms {
                    self.pending.confirmed(client_msg_id);
                }
                self.stopped_typing(&Target::Direct(message.from.clone()), &message.from);
                self.direct_message(message);
            }
            ChatEvent::AlreadyPosted { client_msg_id } => self.pending.confirmed(client_msg_id),
            ChatEvent::History(page) => self.history_page(page),
            ChatEvent::Joined { room, members, creator, .. } => self.joined(room, members, creator),
            ChatEvent::Left { room, .. } => self.left(room),
            ChatEvent::Users { users, .. } => {
                self.users_online = users.len();
                self.users = users;
            }
            ChatEvent::Rooms { rooms, .. } => {
                self.directory = rooms.into_iter().map(|r| (r.name.clone(), r)).collect();
            }
            ChatEvent::Renamed { old, new, ts } => self.rename(&old, &new, ts),
            // A refused message shows its reason in place, where it can be sent again.
            ChatEvent::Refused { client_msg_id, message, .. } => {
                self.pending.refused(client_msg_id, capitalize(&message))
            }
            ChatEvent::Unsent { client_msg_id, reason } => {
                self.pending.refused(client_msg_id, capitalize(&reason))
            }
            ChatEvent::CommandFailed { message, .. } => self.command_failed(message),
            ChatEvent::Presence(presence) => self.presence(presence),
            ChatEvent::Reconnecting { attempt } => self.status = Status::Reconnecting { attempt },
            ChatEvent::Resumed { missed, welcome, members } => self.resumed(missed, welcome, members),
            ChatEvent::Board(event) => self.board_event(event),
            ChatEvent::Reaction(reaction) => self.reaction(reaction),
            ChatEvent::Typing { place, from, .. } => self.someone_typing(place, from),
            ChatEvent::SearchResults { text, results, more } => self.search_results(text, results, more),
            ChatEvent::Reactions { room, reactions } => self.reactions(room, reactions),
            ChatEvent::BoardState { room, board } => self.board_state(room, board),
            // Tokens are kept by the network task (reported as `TokenStored`); the session's
            // end comes as `LoginFailed` or `LoggedOut`.
            ChatEvent::TokenIssued { .. } | ChatEvent::Closed(_) => {}
        }
    }

    fn joined(&mut self, info: RoomInfo, members: Vec<String>, creator: String) {
        let name = info.name.clone();
        let room = self.rooms.entry(name.clone()).or_default();
        room.creator = creator;
        room.topic = info.topic.clone();
        room.members = members.into_iter().collect();
        self.directory.insert(name.clone(), info);
        if self.pending_join.as_ref() == Some(&name) {
            self.pending_join = None;
            self.select(Target::Room(name));
        }
    }

    fn left(&mut self, room: String) {
        self.rooms.remove(&room);
        if self.current == Target::Room(room) {
            self.current = Target::Room(LOBBY.into());
            self.shown = PAGE;
        }
    }

    /// A command other than a send was refused (a join, a rename, a password, a history
    /// request): said until dismissed.
    fn command_failed(&mut self, message: String) {
        self.pending_join = None;
        self.saving_password = false;
        self.error = Some(message);
        // The error does not say which request it answers: a refused history request must
        // not block asking again.
        for room in self.rooms.values_mut() {
            room.history.forget_request();
        }
    }

    pub(super) fn take_welcome(&mut self, welcome: Welcome) {
        self.me = welcome.name;
        self.max_message_chars = welcome.limits.max_message_chars as usize;
        self.users_online = welcome.users_online as usize;
        self.count_pushed = false;
        self.users = welcome.users;
        self.directory = welcome.rooms.into_iter().map(|r| (r.name.clone(), r)).collect();
        let topic = self.directory.get(&welcome.room).map(|r| r.topic.clone()).unwrap_or_default();
        let room = self.rooms.entry(welcome.room).or_default();
        room.members = welcome.members.into_iter().collect();
        room.topic = topic;
    }

    /// Back after a lost connection: the client core rejoined the rooms and passed on the
    /// `missed` messages just before. Other rooms' members are those still online (changes
    /// while away come with later presence events only).
    fn resumed(&mut self, missed: u64, welcome: Welcome, mut members: BTreeMap<String, Vec<String>>) {
        self.status = Status::Connected;
        for (name, room) in &mut self.rooms {
            room.timeline.new_epoch();
            match members.remove(name) {
                Some(now) => room.members = now.into_iter().collect(),
                // Not rejoined (the lobby comes with the Welcome): whoever is still online.
                None => room.members.retain(|member| welcome.users.contains(member)),
            }
            room.history.forget_request();
        }
        for conversation in self.directs.values_mut() {
            conversation.timeline.new_epoch();
        }
        let ts = welcome.ts;
        self.take_welcome(welcome);
        let text = match missed {
            0 => "Reconnected".to_string(),
            1 => "Reconnected — 1 missed message".to_string(),
            n => format!("Reconnected — {n} missed messages"),
        };
        self.push_notice_here(Notice { text, ts });
    }

    /// The server gave this device a login: after a new password, say so and close the
    /// dialog (a password login gets one too, without a word).
    fn token_stored(&mut self, name: &str, ts: u64) {
        if !std::mem::take(&mut self.saving_password) {
            return;
        }
        if self.dialog == Some(Dialog::Password) {
            self.dialog = None;
        }
        let text = format!("Password saved: the name {name} is yours, and this device stays logged in");
        self.push_notice_here(Notice { text, ts });
    }

    /// Adds a notice to the open conversation.
    fn push_notice_here(&mut self, notice: Notice) {
        match &self.current {
            Target::Room(name) => {
                if let Some(room) = self.rooms.get_mut(name) {
                    room.timeline.push_notice(notice);
                }
            }
            Target::Direct(user) => {
                if let Some(c) = self.directs.get_mut(user) {
                    c.timeline.push_notice(notice);
                }
            }
        }
    }

    /// Earlier messages of a room (after a join or a reconnect, or older ones asked for):
    /// placed by sequence number, those already here dropped, none of them counted as unread
    /// or as new below. Older messages of the open room are all drawn.
    fn history_page(&mut self, page: HistoryPage) {
        let is_current = self.current == Target::Room(page.room.clone());
        // A page for a room left meanwhile.
        let Some(room) = self.rooms.get_mut(&page.room) else { return };
        let all_drawn = room.timeline.len() <= self.shown;
        let known = room.history;
        room.history.take_page(&page);
        let mut older = 0;
        let first_page = known.oldest_seq.is_none();
        let me = self.me.clone();
        // What the unread count of a room's first page needs: each message's id, and whether
        // it is something someone else said.
        let latest: Option<Vec<(u64, bool)>> = first_page.then(|| {
            page.messages.iter().map(|m| (m.id, m.from != me && m.kind == MessageKind::Said)).collect()
        });
        for message in page.messages {
            if self.amendment(&message) {
                continue;
            }
            let Some(room) = self.rooms.get_mut(&page.room) else { return };
            let seq = message.seq;
            let line = ChatLine::from(message);
            if known.is_older(seq) {
                older += usize::from(room.timeline.add_older(seq, line));
            } else {
                room.timeline.add_message(seq, line);
            }
        }
        if let Some(latest) = latest {
            self.unread_in_page(&page.room, &latest);
        }
        let Some(room) = self.rooms.get(&page.room) else { return };
        if is_current && all_drawn && older > 0 {
            self.shown = self.shown.max(room.timeline.len());
        }
    }

    fn room_message(&mut self, message: RoomMessage) {
        if self.amendment(&message) {
            return;
        }
        let mine = message.from == self.me;
        let is_current = self.current == Target::Room(message.room.clone());
        let room = self.rooms.entry(message.room.clone()).or_default();
        let seq = message.seq;
        let (name, from, text) = (message.room.clone(), message.from.clone(), message.text.clone());
        if !room.timeline.add_message(seq, ChatLine::from(message)) {
            return;
        }
        if mine {
            if is_current {
                self.read_current();
            }
            return;
        }
        self.notice_room_message(&name, &from, &text);
        let room = self.rooms.entry(name).or_default();
        if !is_current {
            room.unread += 1;
        } else if self.scrolled_up {
            self.new_below += 1;
        }
        if is_current {
            self.read_current();
        }
    }

    fn direct_message(&mut self, message: DirectMessage) {
        let mine = message.from == self.me;
        let peer = if mine { message.to } else { message.from.clone() };
        let is_current = self.current == Target::Direct(peer.clone());
        let conversation = self.directs.entry(peer).or_default();
        let (from, text) = (message.from.clone(), message.text.clone());
        let line = ChatLine {
            id: message.id,
            from: message.from,
            text: message.text,
            ts: message.ts,
            file: message.attachment,
            reactions: Vec::new(),
            state: Default::default(),
        };
        if !conversation.timeline.push_message(line) || mine {
            return;
        }
        self.notice_direct(&from, &text);
        let Some(conversation) = self.directs.get_mut(&from) else { return };
        if !is_current {
            conversation.unread += 1;
        } else if self.scrolled_up {
            self.new_below += 1;
        }
    }

    fn presence(&mut self, presence: Presence) {
        let Presence { ts, change, .. } = presence;
        match change {
            PresenceChange::Online { user } => {
                if let Err(at) = self.users.binary_search(&user) {
                    self.users.insert(at, user);
                    self.count_online(true);
                }
            }
            PresenceChange::Offline { user } => {
                if let Some(at) = self.users.iter().position(|u| *u == user) {
                    self.users.remove(at);
                    self.count_online(false);
                }
                for room in self.rooms.values_mut() {
                    room.members.remove(&user);
                }
            }
            PresenceChange::Renamed { old, new } => self.rename(&old, &new, ts),
            PresenceChange::JoinedRoom { room, user, members, after_seq } => {
                self.count_members(&room, members);
                if let Some(joined) = self.rooms.get_mut(&room)
                    && user != self.me
                    && joined.members.insert(user.clone())
                {
                    joined.timeline.add_presence_notice(after_seq, true, user, ts);
                }
            }
            PresenceChange::LeftRoom { room, user, members, after_seq } => {
                self.count_members(&room, members);
                if let Some(joined) = self.rooms.get_mut(&room)
                    && user != self.me
                    && joined.members.remove(&user)
                {
                    joined.timeline.add_presence_notice(after_seq, false, user, ts);
                }
            }
            PresenceChange::RoomCreated { room } => {
                self.directory.insert(room.name.clone(), room);
            }
            PresenceChange::Count { online } => {
                self.users_online = online as usize;
                self.count_pushed = true;
            }
        }
    }

    /// The member count the join dialog shows for `room`.
    fn count_members(&mut self, room: &str, members: u32) {
        if let Some(info) = self.directory.get_mut(room) {
            info.members = members;
        }
    }

    /// `old` is now called `new` (this user or another). Safe to apply twice: the server
    /// reports this user's own rename on both streams.
    fn rename(&mut self, old: &str, new: &str, ts: u64) {
        let was_me = self.me == old;
        if was_me {
            self.me = new.to_string();
        }
        if let Some(at) = self.users.iter().position(|u| u == old) {
            self.users.remove(at);
            if let Err(at) = self.users.binary_search_by(|u| u.as_str().cmp(new)) {
                self.users.insert(at, new.to_string());
            }
        }
        let text = if was_me {
            format!("You are now known as {new}")
        } else {
            format!("{old} is now known as {new}")
        };
        for room in self.rooms.values_mut() {
            if room.members.remove(old) {
                room.members.insert(new.to_string());
                room.timeline.rename_sender(old, new);
                room.timeline.push_notice(Notice { text: text.clone(), ts });
            }
        }
        self.pending.rename(old, new);
        if let Some(mut conversation) = self.directs.remove(old) {
            conversation.timeline.rename_sender(old, new);
            conversation.timeline.push_notice(Notice { text: text.clone(), ts });
            self.directs.insert(new.to_string(), conversation);
            if self.current == Target::Direct(old.to_string()) {
                self.current = Target::Direct(new.to_string());
            }
        }
    }
}

impl From<Addressee> for Target {
    fn from(to: Addressee) -> Self {
        match to {
            Addressee::Room(room) => Target::Room(room),
            Addressee::User(user) => Target::Direct(user),
        }
    }
}

impl From<RoomMessage> for ChatLine {
    fn from(message: RoomMessage) -> ChatLine {
        ChatLine {
            id: message.id,
            from: message.from,
            text: message.text,
            ts: message.ts,
            file: message.attachment,
            reactions: Vec::new(),
            state: message.state,
        }
    }
}
