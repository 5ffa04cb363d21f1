//! The app's state and everything that changes it, with no IO and no Dioxus: a user
//! [`Action`] may produce a [`Command`] for the network task; a [`NetEvent`] from the network
//! task updates the state. Views read the state and send actions; nothing else writes it.
//!
//! # Layout
//! - [`login`]: the login form, its validation and the server-identity questions.
//! - [`failure`]: why a login failed or a session ended, in the model's terms.
//! - [`secret`]: a password that never shows in `Debug` output.
//! - [`pending`]: messages sent but not confirmed yet (also while reconnecting).
//! - [`timeline`]: one conversation's lines in server order, notices placed by `after_seq`.
//! - [`history`]: how far back a room is loaded, and the request for older messages.
//! - [`text`]: splitting a message into text and links.

pub mod failure;
pub mod history;
pub mod login;
pub mod pending;
pub mod secret;
pub mod text;
pub mod timeline;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use anseo_shared::protocol::{
    DirectMessage, HistoryPage, LOBBY, PresenceEvent, PresenceFrame, RoomInfo, RoomMessage, ServerMsg,
    Welcome, normalize_name, normalize_room, validate_password, validate_text, validate_topic,
};
use anseo_shared::trust::Fingerprint;

pub use failure::LoginFailure;
pub use history::{History, OLDER_PAGE};
pub use login::{CertificateWarning, LoginForm, TrustPrompt};
pub use pending::{Pending, PendingLine};
pub use secret::Secret;
pub use timeline::{Block, ChatLine, Entry, Notice, Timeline, blocks};

/// How many entries the list shows at first, and how many more each "show earlier" adds.
pub const PAGE: usize = 150;
/// The composer shows a character counter from this share of the limit on (in percent).
pub const COUNTER_FROM_PERCENT: usize = 80;

/// What the user did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    EditName(String),
    EditServer(String),
    EditPassword(Secret),
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
    /// Claim this user's name with a password, or change its password.
    SetPassword(Secret),
    /// The message list was scrolled; `at_bottom` when the newest message is visible.
    Scrolled {
        at_bottom: bool,
    },
    /// The top of the list was reached, or "show earlier"/"load older" pressed: show more of
    /// what is loaded, else ask the server for older messages of the room.
    LoadOlder,
    /// Send a message that was not sent again (its client message id).
    RetrySend(u64),
    /// Drop a message that was not sent.
    DiscardUnsent(u64),
    DismissError,
    /// Leave the server and go back to the login form.
    Disconnect,
}

/// What the network task should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Log in; without a password, with the login saved on this device for the server and
    /// name, if there is one.
    Connect {
        server: String,
        name: String,
        password: Option<Secret>,
        pin: Option<Fingerprint>,
    },
    /// Remember the fingerprint for the server, then connect.
    TrustAndConnect {
        server: String,
        name: String,
        password: Option<Secret>,
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
    /// Ask for up to `limit` messages of `room` older than sequence number `before`.
    History {
        room: String,
        before: Option<u64>,
        limit: u32,
    },
    SetPassword {
        password: Secret,
    },
    Quit,
}

/// What the network task reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetEvent {
    /// Logged in.
    Connected(Welcome),
    /// The login failed, or the session ended for good (it could not reconnect).
    LoginFailed(LoginFailure),
    /// Everything from the server but login tokens (see `TokenStored`).
    Server(ServerMsg),
    Presence(PresenceFrame),
    /// The connection dropped; reconnection attempt `attempt` (1, 2, ...) is under way.
    Reconnecting {
        attempt: u32,
    },
    /// Back after a drop: the `missed` messages came just before this, `welcome` is the new
    /// login's snapshot, and `members` the members of each other room rejoined.
    Resumed {
        missed: u64,
        welcome: Welcome,
        members: BTreeMap<String, Vec<String>>,
    },
    /// A message went out (or waits in the outbox); its echo will carry `client_msg_id`.
    Sending(PendingLine),
    /// The client core gave up on a message: the session ended before it was confirmed.
    Unsent {
        client_msg_id: u64,
        reason: String,
    },
    /// The server gave this device a login for `name` (after a password login or setting a
    /// password), and it was saved.
    TokenStored {
        name: String,
        ts: u64,
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
    /// Claim the name with a password, or change it.
    Password,
}

/// Whether the app can talk to the server right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Connected,
    /// Lost the connection; reconnection attempt `attempt` is under way.
    Reconnecting {
        attempt: u32,
    },
}

/// A room this user is a member of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Room {
    pub topic: String,
    pub members: BTreeSet<String>,
    pub timeline: Timeline,
    pub unread: u32,
    pub history: History,
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
    /// Messages sent but not confirmed yet.
    pub pending: Pending,
    /// A new password was sent and its answer has not come yet.
    pub saving_password: bool,
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
            Some(chat) if chat.status == Status::Connected => format!("{} — Anseo", chat.me),
            Some(chat) => format!("{} (reconnecting…) — Anseo", chat.me),
            None => "Anseo".to_string(),
        }
    }

    /// Applies a user action; returns what the network task should do, if anything.
    pub fn act(&mut self, action: Action) -> Option<Command> {
        match action {
            Action::EditName(name) => self.login.edit_name(name),
            Action::EditServer(server) => self.login.edit_server(server),
            Action::EditPassword(password) => self.login.edit_password(password),
            Action::SubmitLogin => return self.submit_login(),
            Action::TrustServer => {
                let prompt = self.login.trust_prompt.take()?;
                self.login.connecting = true;
                return Some(Command::TrustAndConnect {
                    server: prompt.server,
                    name: self.login.name.trim().to_string(),
                    password: self.login.typed_password(),
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
                self.login.password = Secret::default();
                self.login.password_error = None;
                self.chat = Some(Chat::new(welcome, self.login.server.trim().to_string()));
            }
            NetEvent::LoginFailed(failure) => {
                // A session that cannot reconnect (a changed certificate, a refused login)
                // ends: back to the form, which says why.
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
            password: self.login.typed_password(),
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
            pending: Pending::default(),
            saving_password: false,
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
        draft_counter(self.draft.chars().count(), self.max_message_chars)
    }

    /// Whether the draft is over the server's limit.
    pub fn draft_too_long(&self) -> bool {
        self.draft.chars().count() > self.max_message_chars
    }

    /// A one-line description of the connection.
    pub fn status_text(&self) -> String {
        match &self.status {
            Status::Connected => format!("Connected to {}", self.server),
            Status::Reconnecting { attempt } => format!(
                "Connection lost. Reconnecting… (attempt {attempt}). What you send now goes out once \
                 it is back."
            ),
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
            Action::SetPassword(password) => return self.set_password(password),
            Action::Scrolled { at_bottom } => {
                self.scrolled_up = !at_bottom;
                if at_bottom {
                    self.new_below = 0;
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

    fn apply(&mut self, event: NetEvent) {
        match event {
            NetEvent::Server(message) => self.server_message(message),
            NetEvent::Presence(frame) => self.presence(frame),
            NetEvent::Reconnecting { attempt } => self.status = Status::Reconnecting { attempt },
            NetEvent::Resumed { missed, welcome, members } => self.resumed(missed, welcome, members),
            NetEvent::Sending(line) => self.pending.sending(line),
            NetEvent::Unsent { client_msg_id, reason } => {
                self.pending.refused(client_msg_id, capitalize(&reason))
            }
            NetEvent::TokenStored { name, ts } => self.token_stored(&name, ts),
            NetEvent::CommandFailed(message) => {
                self.saving_password = false;
                self.error = Some(message);
            }
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

    fn server_message(&mut self, message: ServerMsg) {
        match message {
            ServerMsg::Message(message) => {
                if message.from == self.me {
                    self.pending.confirmed(message.client_msg_id);
                }
                self.room_message(message);
            }
            ServerMsg::Direct(message) => {
                if message.from == self.me {
                    self.pending.confirmed(message.client_msg_id);
                }
                self.direct_message(message);
            }
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
                self.saving_password = false;
                // A refused message shows its reason in place, where it can be sent again.
                if let Some(id) = error.client_msg_id {
                    self.pending.refused(id, capitalize(&error.message));
                    return;
                }
                self.error = Some(error.message);
                // The error does not say which request it answers: a refused history request
                // must not block asking again.
                for room in self.rooms.values_mut() {
                    room.history.forget_request();
                }
            }
            ServerMsg::History(page) => self.history_page(page),
            // Tokens are kept by the network task and reported as `TokenStored`.
            // Pages of lists reach the model whole, as `Users` and `Rooms` (the client core
            // collects them).
            ServerMsg::Welcome(_)
            | ServerMsg::Rejected(_)
            | ServerMsg::Token { .. }
            | ServerMsg::UsersPage { .. }
            | ServerMsg::RoomsPage { .. } => {}
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
        for message in page.messages {
            let line = ChatLine { id: message.id, from: message.from, text: message.text, ts: message.ts };
            if known.is_older(message.seq) {
                older += usize::from(room.timeline.add_older(message.seq, line));
            } else {
                room.timeline.add_message(message.seq, line);
            }
        }
        if is_current && all_drawn && older > 0 {
            self.shown = self.shown.max(room.timeline.len());
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

/// The composer's character counter for a draft of `chars` characters, once it nears `max`.
pub fn draft_counter(chars: usize, max: usize) -> Option<String> {
    (chars * 100 >= max * COUNTER_FROM_PERCENT).then(|| format!("{chars} / {max}"))
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
