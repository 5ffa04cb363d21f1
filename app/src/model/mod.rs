//! The app's state and everything that changes it, with no IO and no Dioxus: a user
//! [`Action`] may produce a [`Command`] for the network task; a [`NetEvent`] from the network
//! task updates the state. Views read the state and send actions; nothing else writes it.
//!
//! # Layout
//! - [`login`]: the login form, its validation and the server-identity questions.
//! - [`timeline`]: one conversation's lines in server order, notices placed by `after_seq`.
//! - [`text`]: splitting a message into text and links.

pub mod login;
pub mod text;
pub mod timeline;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use anseo_shared::protocol::{
    DirectMessage, HistoryPage, LOBBY, PresenceEvent, PresenceFrame, RoomInfo, RoomMessage, ServerMsg,
    Welcome, normalize_name, normalize_room, validate_text, validate_topic,
};
use anseo_shared::trust::Fingerprint;

pub use login::{CertificateWarning, LoginFailure, LoginForm, TrustPrompt};
pub use timeline::{Block, ChatLine, Entry, Notice, Timeline, blocks};

/// How many messages the list shows at first, and how many more each "show earlier" adds.
pub const PAGE: usize = 150;
/// The composer shows a character counter from this share of the limit on (in percent).
pub const COUNTER_FROM_PERCENT: usize = 80;

/// What the user did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    EditName(String),
    EditServer(String),
    /// Enter or the Connect button on the login form.
    SubmitLogin,
    /// "Trust" in the trust dialog.
    TrustServer,
    /// "Cancel" in the trust dialog.
    CancelTrust,
    DismissCertificateWarning,
    /// Open a room or a direct conversation.
    Select(Target),
    /// Open (or start) the direct conversation with a user.
    OpenDirect(String),
    /// Phone layout: show this pane.
    ShowPane(Pane),
    /// The composer's text changed.
    Draft(String),
    /// Enter or the Send button in the composer.
    Send(String),
    OpenDialog(Dialog),
    CloseDialog,
    JoinRoom {
        room: String,
        topic: String,
    },
    LeaveRoom(String),
    ChangeNick(String),
    /// The message list was scrolled; `at_bottom` when the newest message is visible.
    Scrolled {
        at_bottom: bool,
    },
    ShowEarlier,
    DismissError,
    /// Leave the server and go back to the login form.
    Disconnect,
}

/// What the network task should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Connect {
        server: String,
        name: String,
        pin: Option<Fingerprint>,
    },
    /// Remember the fingerprint for the server, then connect.
    TrustAndConnect {
        server: String,
        name: String,
        fingerprint: Fingerprint,
    },
    Say {
        room: String,
        text: String,
    },
    Direct {
        to: String,
        text: String,
    },
    Join {
        room: String,
        topic: Option<String>,
    },
    Leave {
        room: String,
    },
    Nick {
        name: String,
    },
    Quit,
}

/// What the network task reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetEvent {
    /// Logged in, for the first time or again after a lost connection.
    Connected(Welcome),
    LoginFailed(LoginFailure),
    Server(ServerMsg),
    Presence(PresenceFrame),
    /// The connection dropped; the network task reconnects by itself.
    Lost {
        reason: String,
    },
    /// The next reconnection attempt starts in `retry_in_secs`.
    Reconnecting {
        attempt: u32,
        retry_in_secs: u64,
    },
    /// A command could not be sent.
    CommandFailed(String),
    /// The session ended after a Disconnect.
    LoggedOut,
}

/// A conversation: a room or the direct messages with one user.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Room(String),
    Direct(String),
}

/// The pane shown on a narrow (phone) screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    Rooms,
    #[default]
    Chat,
    Users,
}

/// A modal dialog over the chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialog {
    JoinRoom,
    Nick,
}

/// Whether the app can talk to the server right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Connected,
    /// Lost the connection; reconnecting.
    Reconnecting {
        reason: String,
        attempt: u32,
        retry_in_secs: u64,
    },
}

/// A room this user is a member of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Room {
    pub topic: String,
    pub members: BTreeSet<String>,
    pub timeline: Timeline,
    pub unread: u32,
}

/// The direct messages with one user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversation {
    pub timeline: Timeline,
    pub unread: u32,
}

/// The state of a logged-in session (kept while reconnecting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chat {
    pub me: String,
    pub server: String,
    pub max_message_chars: usize,
    pub status: Status,
    /// Everyone online, in name order.
    pub users: Vec<String>,
    /// Every room on the server (for the join dialog), by name.
    pub directory: BTreeMap<String, RoomInfo>,
    /// The rooms this user is in.
    pub rooms: BTreeMap<String, Room>,
    pub directs: BTreeMap<String, Conversation>,
    pub current: Target,
    pub pane: Pane,
    pub dialog: Option<Dialog>,
    /// The last failed command, shown until dismissed.
    pub error: Option<String>,
    /// Why the composer's text cannot be sent, if it cannot.
    pub composer_error: Option<String>,
    /// The composer's text (read from its input events; the text area is not driven by it).
    pub draft: String,
    /// How many of the newest entries the list shows.
    pub shown: usize,
    /// The user scrolled away from the newest message.
    pub scrolled_up: bool,
    /// Messages that arrived below the visible part of the list.
    pub new_below: u32,
    /// Presence events up to this sequence number are already reflected.
    presence_seq: u64,
    /// A room the user asked to join: opened when the server confirms.
    pending_join: Option<String>,
}

/// The whole app state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Model {
    pub login: LoginForm,
    /// `Some` once logged in.
    pub chat: Option<Chat>,
}

impl Model {
    /// A model showing the login form with these fields filled in.
    pub fn new(name: String, server: String, pin: Option<Fingerprint>) -> Self {
        let login = LoginForm { name, server, pin, ..LoginForm::default() };
        Model { login, chat: None }
    }

    /// The window title.
    pub fn title(&self) -> String {
        match &self.chat {
            Some(chat) => format!("{} — Anseo", chat.me),
            None => "Anseo".to_string(),
        }
    }

    /// Applies a user action; returns what the network task should do, if anything.
    pub fn act(&mut self, action: Action) -> Option<Command> {
        match action {
            Action::EditName(name) => self.login.edit_name(name),
            Action::EditServer(server) => self.login.edit_server(server),
            Action::SubmitLogin => return self.submit_login(),
            Action::TrustServer => {
                let prompt = self.login.trust_prompt.take()?;
                self.login.connecting = true;
                return Some(Command::TrustAndConnect {
                    server: prompt.server,
                    name: self.login.name.trim().to_string(),
                    fingerprint: prompt.fingerprint,
                });
            }
            Action::CancelTrust => self.login.trust_prompt = None,
            Action::DismissCertificateWarning => self.login.certificate_warning = None,
            Action::Disconnect => {
                self.chat.take()?;
                self.login.connecting = false;
                return Some(Command::Quit);
            }
            other => return self.chat.as_mut()?.act(other),
        }
        None
    }

    /// Applies what the network task reported.
    pub fn apply(&mut self, event: NetEvent) {
        match event {
            NetEvent::Connected(welcome) => {
                self.login.connecting = false;
                self.login.error = None;
                match &mut self.chat {
                    Some(chat) => chat.reconnected(welcome),
                    None => self.chat = Some(Chat::new(welcome, self.login.server.trim().to_string())),
                }
            }
            NetEvent::LoginFailed(failure) => {
                // A certificate problem while reconnecting ends the session: the user decides.
                if let Some(chat) = self.chat.take() {
                    self.login.name = chat.me;
                }
                self.login.fail(failure);
            }
            NetEvent::LoggedOut => {
                self.chat = None;
                self.login.connecting = false;
            }
            other => {
                if let Some(chat) = &mut self.chat {
                    chat.apply(other);
                }
            }
        }
    }

    fn submit_login(&mut self) -> Option<Command> {
        // While a trust question is open, Enter belongs to the dialog.
        if self.login.connecting || self.chat.is_some() || self.login.trust_prompt.is_some() {
            return None;
        }
        if !self.login.validate() {
            return None;
        }
        self.login.connecting = true;
        self.login.error = None;
        self.login.trust_prompt = None;
        self.login.certificate_warning = None;
        Some(Command::Connect {
            server: self.login.server.trim().to_string(),
            name: self.login.name.trim().to_string(),
            pin: self.login.pin,
        })
    }
}

impl Chat {
    /// The session right after login: in the lobby.
    pub fn new(welcome: Welcome, server: String) -> Self {
        let mut chat = Chat {
            me: welcome.name.clone(),
            server,
            max_message_chars: welcome.limits.max_message_chars as usize,
            status: Status::Connected,
            users: Vec::new(),
            directory: BTreeMap::new(),
            rooms: BTreeMap::new(),
            directs: BTreeMap::new(),
            current: Target::Room(welcome.room.clone()),
            pane: Pane::Chat,
            dialog: None,
            error: None,
            composer_error: None,
            draft: String::new(),
            shown: PAGE,
            scrolled_up: false,
            new_below: 0,
            presence_seq: 0,
            pending_join: None,
        };
        chat.take_welcome(welcome);
        chat
    }

    /// The current room, if a room is open.
    pub fn current_room(&self) -> Option<(&str, &Room)> {
        match &self.current {
            Target::Room(name) => self.rooms.get_key_value(name).map(|(k, v)| (k.as_str(), v)),
            Target::Direct(_) => None,
        }
    }

    /// The open conversation's timeline.
    pub fn current_timeline(&self) -> Option<&Timeline> {
        match &self.current {
            Target::Room(name) => self.rooms.get(name).map(|r| &r.timeline),
            Target::Direct(user) => self.directs.get(user).map(|c| &c.timeline),
        }
    }

    /// Whether `user` is online.
    pub fn is_online(&self, user: &str) -> bool {
        self.users.iter().any(|u| u == user)
    }

    /// The character counter's text, once the draft nears the limit.
    pub fn counter(&self) -> Option<String> {
        let chars = self.draft.chars().count();
        (chars * 100 >= self.max_message_chars * COUNTER_FROM_PERCENT)
            .then(|| format!("{chars} / {}", self.max_message_chars))
    }

    /// Whether the draft is over the server's limit.
    pub fn draft_too_long(&self) -> bool {
        self.draft.chars().count() > self.max_message_chars
    }

    /// A one-line description of the connection.
    pub fn status_text(&self) -> String {
        match &self.status {
            Status::Connected => format!("Connected to {}", self.server),
            Status::Reconnecting { reason, attempt: 0, .. } => format!("Connection lost: {reason}"),
            Status::Reconnecting { retry_in_secs, .. } => {
                format!("Connection lost; reconnecting in {retry_in_secs} s")
            }
        }
    }

    fn act(&mut self, action: Action) -> Option<Command> {
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
            Action::Scrolled { at_bottom } => {
                self.scrolled_up = !at_bottom;
                if at_bottom {
                    self.new_below = 0;
                }
            }
            Action::ShowEarlier => self.shown += PAGE,
            Action::DismissError => self.error = None,
            _ => {}
        }
        None
    }

    fn select(&mut self, target: Target) {
        match &target {
            Target::Room(name) => match self.rooms.get_mut(name) {
                Some(room) => room.unread = 0,
                None => return,
            },
            Target::Direct(user) => self.directs.entry(user.clone()).or_default().unread = 0,
        }
        if self.current != target {
            self.shown = PAGE;
            self.scrolled_up = false;
            self.new_below = 0;
        }
        self.current = target;
        self.pane = Pane::Chat;
    }

    fn send(&mut self, text: String) -> Option<Command> {
        if let Err(e) = validate_text(&text, self.max_message_chars) {
            self.composer_error = Some(capitalize(&e.to_string()));
            return None;
        }
        if let Status::Reconnecting { .. } = self.status {
            self.composer_error = Some("Not connected; wait until the connection is back".into());
            return None;
        }
        self.composer_error = None;
        self.draft.clear();
        self.scrolled_up = false;
        self.new_below = 0;
        Some(match &self.current {
            Target::Room(room) => Command::Say { room: room.clone(), text },
            Target::Direct(to) => Command::Direct { to: to.clone(), text },
        })
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

    fn apply(&mut self, event: NetEvent) {
        match event {
            NetEvent::Server(message) => self.server_message(message),
            NetEvent::Presence(frame) => self.presence(frame),
            NetEvent::Lost { reason } => {
                self.status = Status::Reconnecting { reason, attempt: 0, retry_in_secs: 0 };
            }
            NetEvent::Reconnecting { attempt, retry_in_secs } => {
                let reason = match &self.status {
                    Status::Reconnecting { reason, .. } => reason.clone(),
                    Status::Connected => String::new(),
                };
                self.status = Status::Reconnecting { reason, attempt, retry_in_secs };
            }
            NetEvent::CommandFailed(message) => self.error = Some(message),
            NetEvent::Connected(_) | NetEvent::LoginFailed(_) | NetEvent::LoggedOut => {}
        }
    }

    fn take_welcome(&mut self, welcome: Welcome) {
        self.me = welcome.name;
        self.max_message_chars = welcome.limits.max_message_chars as usize;
        self.users = welcome.users;
        self.directory = welcome.rooms.into_iter().map(|r| (r.name.clone(), r)).collect();
        self.presence_seq = welcome.presence_seq;
        let topic = self.directory.get(&welcome.room).map(|r| r.topic.clone()).unwrap_or_default();
        let room = self.rooms.entry(welcome.room).or_default();
        room.members = welcome.members.into_iter().collect();
        room.topic = topic;
    }

    /// Logged in again after a lost connection: the network task rejoins the other rooms.
    fn reconnected(&mut self, welcome: Welcome) {
        self.status = Status::Connected;
        for room in self.rooms.values_mut() {
            room.timeline.new_epoch();
            room.members.clear();
        }
        for conversation in self.directs.values_mut() {
            conversation.timeline.new_epoch();
        }
        let ts = welcome.ts;
        self.take_welcome(welcome);
        let notice = Notice { text: "Reconnected".into(), ts };
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

    fn server_message(&mut self, message: ServerMsg) {
        match message {
            ServerMsg::Message(message) => self.room_message(message),
            ServerMsg::Direct(message) => self.direct_message(message),
            ServerMsg::Joined { room: info, members, .. } => {
                let name = info.name.clone();
                let room = self.rooms.entry(name.clone()).or_default();
                room.topic = info.topic.clone();
                room.members = members.into_iter().collect();
                self.directory.insert(name.clone(), info);
                if self.pending_join.as_ref() == Some(&name) {
                    self.pending_join = None;
                    self.select(Target::Room(name));
                }
            }
            ServerMsg::Left { room, .. } => {
                self.rooms.remove(&room);
                if self.current == Target::Room(room) {
                    self.current = Target::Room(LOBBY.into());
                    self.shown = PAGE;
                }
            }
            ServerMsg::Users { users, .. } => self.users = users,
            ServerMsg::Rooms { rooms, .. } => {
                self.directory = rooms.into_iter().map(|r| (r.name.clone(), r)).collect();
            }
            ServerMsg::Renamed { old, new, ts } => self.rename(&old, &new, ts),
            ServerMsg::Error(error) => {
                self.pending_join = None;
                self.error = Some(error.message);
            }
            ServerMsg::History(page) => self.history_page(page),
            // The app logs in by name; saved login tokens are not used yet.
            ServerMsg::Welcome(_) | ServerMsg::Rejected(_) | ServerMsg::Token { .. } => {}
        }
    }

    /// Earlier messages of a room (after a join or a reconnect): placed by sequence number,
    /// those already shown dropped, and none of them counted as unread.
    fn history_page(&mut self, page: HistoryPage) {
        let room = self.rooms.entry(page.room).or_default();
        for message in page.messages {
            let line = ChatLine { id: message.id, from: message.from, text: message.text, ts: message.ts };
            room.timeline.add_message(message.seq, line);
        }
    }

    fn room_message(&mut self, message: RoomMessage) {
        let mine = message.from == self.me;
        let is_current = self.current == Target::Room(message.room.clone());
        let room = self.rooms.entry(message.room).or_default();
        let line = ChatLine { id: message.id, from: message.from, text: message.text, ts: message.ts };
        if !room.timeline.add_message(message.seq, line) || mine {
            return;
        }
        if !is_current {
            room.unread += 1;
        } else if self.scrolled_up {
            self.new_below += 1;
        }
    }

    fn direct_message(&mut self, message: DirectMessage) {
        let mine = message.from == self.me;
        let peer = if mine { message.to } else { message.from.clone() };
        let is_current = self.current == Target::Direct(peer.clone());
        let conversation = self.directs.entry(peer).or_default();
        let line = ChatLine { id: message.id, from: message.from, text: message.text, ts: message.ts };
        if !conversation.timeline.push_message(line) || mine {
            return;
        }
        if !is_current {
            conversation.unread += 1;
        } else if self.scrolled_up {
            self.new_below += 1;
        }
    }

    fn presence(&mut self, frame: PresenceFrame) {
        if frame.seq <= self.presence_seq {
            return;
        }
        self.presence_seq = frame.seq;
        let ts = frame.ts;
        match frame.event {
            PresenceEvent::Online { user } => {
                if let Err(at) = self.users.binary_search(&user) {
                    self.users.insert(at, user);
                }
            }
            PresenceEvent::Offline { user } => {
                self.users.retain(|u| *u != user);
                for room in self.rooms.values_mut() {
                    room.members.remove(&user);
                }
            }
            PresenceEvent::Renamed { old, new } => self.rename(&old, &new, ts),
            PresenceEvent::Joined { room, user, members, after_seq } => {
                if let Some(info) = self.directory.get_mut(&room) {
                    info.members = members;
                }
                if user == self.me {
                    return;
                }
                if let Some(joined) = self.rooms.get_mut(&room)
                    && joined.members.insert(user.clone())
                {
                    joined.timeline.add_notice(after_seq, Notice { text: format!("{user} joined"), ts });
                }
            }
            PresenceEvent::Left { room, user, members, after_seq } => {
                if let Some(info) = self.directory.get_mut(&room) {
                    info.members = members;
                }
                if user == self.me {
                    return;
                }
                if let Some(joined) = self.rooms.get_mut(&room)
                    && joined.members.remove(&user)
                {
                    joined.timeline.add_notice(after_seq, Notice { text: format!("{user} left"), ts });
                }
            }
            PresenceEvent::RoomCreated { room } => {
                self.directory.insert(room.name.clone(), room);
            }
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

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
