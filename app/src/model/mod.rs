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
//! - [`board`]: a room's Board tab: the pen, the stroke being drawn, undo and clear.
//! - [`reactions`]: who put which emoji under which message.
//! - [`notify`]: mentions, and the notifications for what the user does not see.
//! - [`search`]: the search dialog's text and results, and opening a result.
//! - [`typing`]: who is typing where, and this user's own typing.
//! - `amend.rs`: edits, deletions and moderation notices, and editing from a message's menu.
//! - `unread.rs`: where the user stopped reading each room, and the "new messages" line.
//! - `actions.rs`: what the user does in a chat ([`Action`]s that may give [`Command`]s).
//! - `incoming.rs`: what the network task reports, applied to the chat ([`NetEvent`]s).

mod actions;
mod amend;
pub mod board;
pub mod failure;
pub mod history;
mod incoming;
pub mod login;
pub mod notify;
pub mod pending;
mod people;
pub mod reactions;
pub mod search;
pub mod secret;
pub mod text;
pub mod timeline;
pub mod typing;
mod unread;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use anseo_shared::board::Board;
use anseo_shared::client::ChatEvent;
use anseo_shared::protocol::{Attachment, BoardOp, FileHash, Point, RoomInfo, StrokeStyle, Tool, Welcome};
use anseo_shared::trust::Fingerprint;

pub use board::{Drawing, RoomView};
pub use failure::LoginFailure;
pub use history::{History, OLDER_PAGE};
pub use login::{CertificateWarning, Discovered, LoginForm, TrustPrompt};
pub use pending::{Pending, PendingLine};
pub use secret::Secret;
pub use timeline::{Block, ChatLine, Entry, Notice, Timeline, blocks, blocks_with_line};

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
    /// Share this file in the open conversation.
    SendFile(PickedFile),
    /// Save the file a message carries into the download folder.
    Download {
        hash: FileHash,
        name: String,
    },
    /// Stop a file going up or down (its number in [`Chat::transfers`]).
    CancelTransfer(u64),
    /// Fetch a picture or voice clip into the app's cache to show or play it in place.
    FetchMedia(FileHash),
    /// Open a picture large, over everything.
    ViewPicture(Attachment),
    ClosePicture,
    /// Something the user tried in the page cannot be done; show why.
    ShowError(String),
    DismissError,
    /// Fill the login form with a server found on the network (its address; not its
    /// fingerprint, which is only what it announced).
    PickDiscovered(String),
    /// Leave the server and go back to the login form.
    Disconnect,
    /// Show the open room's messages or its board.
    ShowRoomView(RoomView),
    /// The pointer went down on the board: stroke `stroke` (a fresh random id) begins at
    /// `point`; `now_ms` is the view's clock.
    StrokeStart {
        point: Point,
        stroke: u64,
        now_ms: u64,
    },
    /// The pointer moved while drawing.
    StrokeMove {
        point: Point,
        now_ms: u64,
    },
    /// The pointer went up or left the board.
    StrokeEnd,
    /// Take back this user's last stroke on the open board.
    UndoStroke,
    /// Clear the open board.
    ClearBoard,
    /// Change the pen: its tool, colour or width (what is `None` stays).
    SetPen {
        tool: Option<Tool>,
        colour: Option<u32>,
        width: Option<u16>,
    },
    /// Put this emoji on a message of the open room, or take it off if it is this user's there.
    React {
        id: u64,
        emoji: String,
    },
    /// A second passed (sent while someone shows as typing).
    Tick,
    /// Search for this text (`next_page`: older results of the same search).
    Search {
        text: String,
        next_page: bool,
    },
    /// Open the conversation of a search result, showing the message.
    OpenResult(anseo_shared::protocol::SearchHit),
    /// The message list has scrolled to the message it was asked to show.
    Jumped,
    /// The window got (true) or lost the keyboard focus.
    Focus(bool),
    /// Which messages of this room raise a notification.
    SetNotify {
        room: String,
        level: notify::NotifyLevel,
    },
    /// "Edit" in the menu of this user's message `id` in the open room.
    StartEdit(u64),
    /// Save the message being edited with this text.
    SaveEdit(String),
    /// Stop editing without saving.
    CancelEdit,
    /// "Delete" in the menu of message `id` in the open room.
    DeleteMessage(u64),
    /// "Jump" beside "new messages": bring the first unread message of the open room into view.
    JumpToUnread,
    /// "Show everyone" under a user list that shows part of a large server.
    ShowEveryone,
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
    /// Share `file` in a conversation (its message comes back like any other).
    SendFile {
        to: Target,
        file: PickedFile,
    },
    /// Download the file `hash` into the download folder as `name` (or a free name like it).
    Download {
        hash: FileHash,
        name: String,
    },
    /// Stop transfer `id`.
    CancelTransfer {
        id: u64,
    },
    /// Download the file `hash` into the app's media cache (see `crate::media`).
    FetchMedia {
        hash: FileHash,
    },
    /// Put this user's reaction on message `id` of `room`, or take it off.
    React {
        room: String,
        id: u64,
        emoji: String,
        on: bool,
    },
    /// Search this user's rooms and direct messages.
    Search {
        text: String,
        before: Option<u64>,
        limit: u32,
    },
    /// Tell the others in `place` this user is typing.
    Typing {
        place: anseo_shared::protocol::Place,
    },
    /// Replace the text of this user's message `id` in `room`.
    Edit {
        room: String,
        id: u64,
        text: String,
    },
    /// Delete message `id` of `room`.
    Delete {
        room: String,
        id: u64,
    },
    /// Keep order in `room` (a moderation command typed in the message box).
    Moderate {
        room: String,
        command: anseo_shared::protocol::ModCommand,
    },
    /// Keep on this device where the user stopped reading each room (room to message id).
    KeepReadMarks(BTreeMap<String, u64>),
    /// The whole list of who is online.
    ListUsers,
    /// Hear of these people's comings and goings on a large server.
    Watch {
        users: Vec<String>,
    },
    /// Send operations on the board of `room`, in order.
    Draw {
        room: String,
        ops: Vec<BoardOp>,
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
    /// What the client core reported: messages, confirmations and refusals, joins, lists,
    /// renames, presence, reconnecting and resuming. Login tokens come as `TokenStored`, the
    /// session's end as `LoginFailed` or `LoggedOut`.
    Chat(ChatEvent),
    /// The server gave this device a login for `name` (after a password login or setting a
    /// password), and it was saved.
    TokenStored { name: String, ts: u64 },
    /// A command could not be sent.
    CommandFailed(String),
    /// A file is saved at `path`, its bytes checked against its hash.
    Downloaded { hash: FileHash, path: String },
    /// A file could not be downloaded; `message` says why.
    DownloadFailed { hash: FileHash, message: String },
    /// How far file transfer `id` (`name`, going up or down) is: `done` of `total` bytes.
    TransferProgress { id: u64, name: String, up: bool, done: u64, total: u64 },
    /// Transfer `id` ended: done, failed or cancelled (reported apart).
    TransferEnded { id: u64 },
    /// The file `hash` is in the media cache, verified.
    MediaReady { hash: FileHash, url: String },
    /// The file `hash` could not be fetched into the media cache; `message` says why.
    MediaFailed { hash: FileHash, message: String },
    /// The session ended after a Disconnect.
    LoggedOut,
    /// The server's certificate is the one remembered for it with this fingerprint.
    Trusted(Fingerprint),
    /// The servers announcing themselves on the network now (while the login form shows).
    Discovered(Vec<Discovered>),
    /// This device cannot look for servers on the network; why, in words.
    DiscoveryFailed(String),
    /// Where the user stopped reading each room, as this device kept it (right after login).
    ReadMarks(BTreeMap<String, u64>),
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
    /// The server's invite link and QR code, to show a newcomer.
    Invite,
    /// Search the rooms and direct messages.
    Search,
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
    /// The room's whiteboard, as the server last said.
    pub board: Board,
    /// The board changed while its tab was not showing (the tab shows a dot).
    pub board_changed: bool,
    /// The reactions on its messages, by message id.
    pub reactions: BTreeMap<u64, reactions::Reactions>,
    /// Who created it (empty for the lobby): the one who may clear its board.
    pub creator: String,
    /// Messages that mention this user, since the room was last open.
    pub mentions: u32,
    /// Which of its messages raise a notification.
    pub notify: notify::NotifyLevel,
    /// Its moderators, as far as the notices seen say (the server decides).
    pub moderators: BTreeSet<String>,
    /// The id of the newest message the user has seen here (0: none yet on this device).
    pub read: u64,
    /// While the room is open: the "new messages" line goes after this message id.
    pub marker: Option<u64>,
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
    /// The fingerprint of the server's certificate, once known (pinned, or remembered).
    pub fingerprint: Option<Fingerprint>,
    pub max_message_chars: usize,
    pub status: Status,
    /// Everyone online, in name order; on a large server, those this app knows of (see
    /// `people`).
    pub users: Vec<String>,
    /// How many are online, by the Welcome and the changes heard since.
    users_online: usize,
    /// Whether the server pushes the count (a large server): then it is `users_online`,
    /// whatever the list holds (names beyond those watched may have left unheard).
    count_pushed: bool,
    /// The names this app last asked the server to watch.
    watched: Vec<String>,
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
    /// A room the user asked to join: opened when the server confirms.
    pending_join: Option<String>,
    /// Files this session downloaded or is downloading, by hash.
    pub downloads: BTreeMap<FileHash, Download>,
    /// Files going up or down now, in the order they started.
    pub transfers: Vec<Transfer>,
    /// Pictures and voice clips fetched (or being fetched) into the media cache, by hash.
    pub media: BTreeMap<FileHash, Media>,
    /// The picture shown large, if one is.
    pub viewing: Option<Attachment>,
    /// Whether the open room shows its messages or its board.
    pub room_view: RoomView,
    /// The pen the board draws with.
    pub pen: StrokeStyle,
    /// The stroke being drawn, if one is.
    pub drawing: Option<Drawing>,
    /// Who is typing, per conversation.
    pub typing: BTreeMap<Target, typing::Typists>,
    /// The search dialog's text and results.
    pub search: search::Search,
    /// A message to bring into view (a search result opened), by id.
    pub jump_to: Option<u64>,
    /// Whether the window has the keyboard focus (the user sees what it shows).
    pub focused: bool,
    /// The message of the open room being edited, by id.
    pub editing: Option<u64>,
    /// Read marks kept on this device for rooms not joined yet (applied at their first page).
    kept_marks: BTreeMap<String, u64>,
    /// A room's read mark moved since the marks were last handed out to be kept.
    marks_changed: bool,
    /// Notifications waiting to be shown.
    notifications: Vec<notify::Notification>,
}

/// A file the user picked to send: its path (desktop), or the page's file (browser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickedFile {
    Path(std::path::PathBuf),
    #[cfg(target_arch = "wasm32")]
    Page(anseo_shared::client::PageFile),
}

impl PickedFile {
    /// The file's name, as a message shows it.
    pub fn name(&self) -> String {
        match self {
            PickedFile::Path(path) => {
                path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
            }
            #[cfg(target_arch = "wasm32")]
            PickedFile::Page(file) => file.name(),
        }
    }
}

/// Where a picture's or voice clip's copy in the media cache is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Media {
    Fetching,
    /// There, at this address of the page (`/media/HASH` on desktop, a `blob:` in the browser).
    Ready(String),
    /// Failed; why, in words.
    Failed(String),
}

/// How a file a message carries is shown in place, beyond its card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inline {
    /// Its preview, then the full picture once fetched; a click shows it large.
    Picture,
    /// A player, once fetched.
    Audio,
}

/// The largest picture or voice clip fetched by itself to be shown in place.
pub const INLINE_MAX_BYTES: u64 = 64 << 20;

/// The audio types the app plays in place (Ogg/Opus, M4A, MP3, WAV).
const PLAYABLE: [&str; 8] = [
    "audio/ogg",
    "audio/opus",
    "audio/mp4",
    "audio/x-m4a",
    "audio/m4a",
    "audio/mpeg",
    "audio/wav",
    "audio/x-wav",
];

/// How `file` is shown in place, if it is (not over [`INLINE_MAX_BYTES`]).
pub fn inline(file: &Attachment) -> Option<Inline> {
    if file.size > INLINE_MAX_BYTES {
        return None;
    }
    if file.picture.is_some() {
        Some(Inline::Picture)
    } else if PLAYABLE.contains(&file.mime.as_str()) {
        Some(Inline::Audio)
    } else {
        None
    }
}

/// A file going up or down, as the transfer bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// Its number, to cancel it.
    pub id: u64,
    pub name: String,
    /// Going up (sent), else down (saved).
    pub up: bool,
    pub done: u64,
    pub total: u64,
}

/// Where a file's download is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Download {
    Saving,
    /// Saved at this path.
    Saved(String),
    /// Failed; why, in words.
    Failed(String),
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

    /// The web client's start: the server is the page's own (`host`, whose certificate has
    /// `fingerprint`).
    pub fn for_page(name: String, host: String, fingerprint: Option<Fingerprint>) -> Self {
        let login =
            LoginForm { name, server: host, pin: fingerprint, page_server: true, ..LoginForm::default() };
        Model { login, chat: None }
    }

    /// The window title.
    pub fn title(&self) -> String {
        match &self.chat {
            Some(chat) if chat.status == Status::Connected && chat.unread_total() > 0 => {
                format!("({}) {} — Anseo", chat.unread_total(), chat.me)
            }
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
            Action::PickDiscovered(server) => self.login.edit_server(server),
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
            NetEvent::Discovered(found) => self.login.discovered = found,
            NetEvent::DiscoveryFailed(reason) => {
                self.login.discovery_error = Some(format!(
                    "This device cannot look for servers on the network ({reason}): paste an invite link or type the address."
                ))
            }
            NetEvent::Connected(welcome) => {
                self.login.connecting = false;
                self.login.error = None;
                self.login.password = Secret::default();
                self.login.password_error = None;
                let mut chat = Chat::new(welcome, self.login.server.trim().to_string());
                chat.fingerprint = self.login.pin;
                self.chat = Some(chat);
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
    /// The invite to this server, to show a newcomer, once its fingerprint is known.
    pub fn invite(&self) -> Option<anseo_shared::trust::Invite> {
        Some(anseo_shared::trust::Invite { server: self.server.clone(), fingerprint: self.fingerprint? })
    }

    /// The session right after login: in the lobby.
    pub fn new(welcome: Welcome, server: String) -> Self {
        let mut chat = Chat {
            me: welcome.name.clone(),
            server,
            fingerprint: None,
            max_message_chars: welcome.limits.max_message_chars as usize,
            status: Status::Connected,
            users: Vec::new(),
            users_online: 0,
            count_pushed: false,
            watched: Vec::new(),
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
            pending_join: None,
            downloads: BTreeMap::new(),
            transfers: Vec::new(),
            media: BTreeMap::new(),
            viewing: None,
            room_view: RoomView::Messages,
            pen: board::DEFAULT_PEN,
            drawing: None,
            typing: BTreeMap::new(),
            search: search::Search::default(),
            jump_to: None,
            focused: true,
            editing: None,
            kept_marks: BTreeMap::new(),
            marks_changed: false,
            notifications: Vec::new(),
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
}

/// The composer's character counter for a draft of `chars` characters, once it nears `max`.
pub fn draft_counter(chars: usize, max: usize) -> Option<String> {
    (chars >= counter_from(max)).then(|| format!("{chars} / {max}"))
}

/// The draft length, in characters, from which the counter shows.
pub fn counter_from(max: usize) -> usize {
    (max * COUNTER_FROM_PERCENT).div_ceil(100)
}

/// `text` with its first letter in upper case.
fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
