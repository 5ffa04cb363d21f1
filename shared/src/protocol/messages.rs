//! The frames of protocol version 2 (version 1 had no attachments). Variants are only ever appended: postcard encodes an enum
//! variant by its position, so inserting or reordering one changes the wire format.
//!
//! Times (`ts`) are milliseconds since the Unix epoch, stamped by the server.

use serde::{Deserialize, Serialize};

use super::{
    Attachment, BoardEvent, BoardOp, BoardSnapshot, MessageKind, MessageState, ModCommand, Reaction,
    ReactionEntry,
};

/// What a client sends on its bidirectional stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientMsg {
    /// The first frame of every session.
    Hello { version: u16, name: String },
    /// A message to a room the client is a member of. With an attachment (a file the client
    /// has uploaded), the text is its caption and may be empty.
    Say { room: String, text: String, client_msg_id: u64, attachment: Option<Attachment> },
    /// A private message to one online user; `text` and `attachment` as for `Say`.
    Direct { to: String, text: String, client_msg_id: u64, attachment: Option<Attachment> },
    /// Join a room, creating it (with the topic, if given) when it does not exist.
    Join { room: String, topic: Option<String> },
    /// Leave a room.
    Leave { room: String },
    /// Change this user's name.
    Nick { name: String },
    /// Ask for the list of online users.
    ListUsers,
    /// Ask for the list of rooms.
    ListRooms,
    /// Ask for up to `limit` messages of a room this client is in, older than sequence number
    /// `before` (the latest when `None`); answered by [`ServerMsg::History`].
    History { room: String, before: Option<u64>, limit: u32 },
    /// Instead of `Hello` as the first frame: log in with a password or a saved login token.
    /// A password for a name nobody has claimed claims it.
    Login(LoginRequest),
    /// Claim this user's current name with `password`, or change its password (which revokes
    /// every saved login token); answered by [`ServerMsg::Token`].
    SetPassword { password: String },
    /// Instead of `Hello` or `Login` as the first frame, from a client that resumes itself
    /// after drops: see [`RejoinRequest`].
    Rejoin(RejoinRequest),
    /// Ask for a page of the online users whose names sort after `after` (from the first
    /// when empty); answered by [`ServerMsg::UsersPage`]. `ListUsers` gets the first page only.
    ListUsersAfter { after: String },
    /// Ask for a page of the rooms whose names sort after `after` (from the first when
    /// empty); answered by [`ServerMsg::RoomsPage`]. `ListRooms` gets the first page only.
    ListRoomsAfter { after: String },
    /// An operation on the board of a room the client is in (see [`BoardOp`]); answered by
    /// [`ServerMsg::Board`] to everyone in the room, the sender included. Paid from a budget
    /// of its own, not the message rate.
    Board { room: String, op: BoardOp },
    /// Puts this user's reaction `emoji` on the message `id` of `room` (replacing any other
    /// of theirs on it), or takes it off; answered by [`ServerMsg::Reaction`] to the room.
    React { room: String, id: u64, emoji: String, on: bool },
    /// This user is typing in `place` (a room, or a direct conversation with a user): shown
    /// to the others there for a few seconds, never stored. Clients send it at most every
    /// [`TYPING_EVERY_MS`]; the server drops what comes faster.
    Typing { place: Place },
    /// Search the messages of the rooms this user is in and their direct messages for `text`
    /// (every word, a word's start matching too), newest first, older than message `before`
    /// (a page's last id) when given; answered by [`ServerMsg::SearchResults`].
    Search { text: String, before: Option<u64>, limit: u32 },
    /// Replace the text of this user's message `id` in `room`; posted to the room as a
    /// [`MessageKind::Edit`] message.
    Edit { room: String, id: u64, text: String },
    /// Delete message `id` of `room` (this user's own, or any as the room's owner, a
    /// moderator or a server admin); posted as a [`MessageKind::Delete`] message.
    Delete { room: String, id: u64 },
    /// Keep order in `room` (owners, moderators and server admins only); posted as a
    /// [`MessageKind::Moderation`] notice.
    Moderate { room: String, command: ModCommand },
    /// Hear of these users' comings and goings (the people this client shows: its visible
    /// user list, its direct conversations), instead of whom it watched before. Only a large
    /// server needs it, where presence does not go to everyone; it keeps at most
    /// [`MAX_WATCHED`] names and answers nothing.
    Watch { users: Vec<String> },
}

/// The most names one [`ClientMsg::Watch`] is kept with.
pub const MAX_WATCHED: usize = 256;

/// The most search results one page holds.
pub const MAX_SEARCH_PAGE: u32 = 50;
/// The longest search text, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;

/// A message a search found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub id: u64,
    /// Where it was said: a room, or the direct conversation with the other user.
    pub place: Place,
    /// The room message's sequence number (0 for a direct message).
    pub seq: u64,
    pub from: String,
    pub text: String,
    pub ts: u64,
}

/// How often a client says its user is still typing, at most, in milliseconds.
pub const TYPING_EVERY_MS: u64 = 3000;
/// How long "is typing" shows after the last signal, in milliseconds.
pub const TYPING_SHOWS_MS: u64 = 6000;

/// A conversation: a room, or the direct messages with one user.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Place {
    Room(String),
    /// From a client: the user it writes to; from the server: the user who is typing to you.
    Direct(String),
}

impl ClientMsg {
    /// Whether the server counts this command against the sender's [`SendRate`]: everything
    /// that posts or changes what others see. Lists, history and passwords are not counted.
    pub fn is_rate_limited(&self) -> bool {
        matches!(
            self,
            ClientMsg::Say { .. }
                | ClientMsg::Direct { .. }
                | ClientMsg::Join { .. }
                | ClientMsg::Leave { .. }
                | ClientMsg::Nick { .. }
                | ClientMsg::React { .. }
        )
    }
}

/// A login from a client that keeps `instance`, a random number, for its whole run. The
/// server recognises a message re-sent by that client (same instance, same client message
/// id) and does not post it twice, and a rejoin replaces the client's own session that the
/// server still holds from before a drop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejoinRequest {
    pub version: u16,
    pub name: String,
    pub credential: Option<Credential>,
    pub instance: u64,
}

/// A login with credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub version: u16,
    pub name: String,
    pub credential: Credential,
}

/// How a user proves a claimed name is theirs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Credential {
    Password(String),
    /// A token from an earlier [`ServerMsg::Token`], kept by the device.
    Token(String),
}

impl std::fmt::Debug for Credential {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Password(_) => f.write_str("Password(..)"),
            Credential::Token(_) => f.write_str("Token(..)"),
        }
    }
}

/// What the server sends on a client's bidirectional stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerMsg {
    /// The login succeeded.
    Welcome(Welcome),
    /// The login failed; the server closes the connection after this frame.
    Rejected(Rejection),
    /// A message in a room this client is a member of (its own included: the echo is the
    /// confirmation of a send).
    Message(RoomMessage),
    /// A private message to or from this client (the sender gets the copy as confirmation).
    Direct(DirectMessage),
    /// This client joined a room.
    /// `creator` (appended: empty for the lobby) may clear the room's board.
    Joined { room: RoomInfo, members: Vec<String>, ts: u64, creator: String },
    /// This client left a room.
    Left { room: String, ts: u64 },
    /// Everyone online, in name order.
    Users { users: Vec<String>, ts: u64 },
    /// Every room, in name order.
    Rooms { rooms: Vec<RoomInfo>, ts: u64 },
    /// This client's name changed.
    Renamed { old: String, new: String, ts: u64 },
    /// A command failed.
    Error(ErrorReply),
    /// Earlier messages of a room, oldest first: the latest ones after a join (and the
    /// lobby's after Welcome), or the page a `History` command asked for. Live messages may
    /// arrive before it; a client places both by `seq` and drops ids it already has.
    History(HistoryPage),
    /// A login token for `name`, to keep on this device and log in with instead of the
    /// password: sent after a password login, a claim or a password change.
    Token { name: String, token: String, ts: u64 },
    /// A page of the online users, in name order; `more` when others sort after the last.
    UsersPage { users: Vec<String>, more: bool, ts: u64 },
    /// A page of the rooms, in name order; `more` when others sort after the last.
    RoomsPage { rooms: Vec<RoomInfo>, more: bool, ts: u64 },
    /// An operation on the board of a room this client is in, numbered by the server.
    Board(BoardEvent),
    /// A page of a room's board as it is, after a join (the lobby's after the Welcome) when
    /// anything was ever drawn on it: it replaces what the client had. Operations numbered
    /// at or below its `seq` are in it already.
    BoardState(BoardSnapshot),
    /// A reaction put on or taken off a message in a room this client is in.
    Reaction(Reaction),
    /// The reactions on the messages of the history page just sent (only when there are any).
    Reactions { room: String, reactions: Vec<ReactionEntry> },
    /// `from` is typing in `place` (for a direct conversation, `Place::Direct(from)`).
    Typing { place: Place, from: String, ts: u64 },
    /// A page of what a search found, newest first; `more` when older ones match too.
    SearchResults { text: String, results: Vec<SearchHit>, more: bool, ts: u64 },
}

/// A page of a room's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub room: String,
    /// Oldest first, consecutive sequence numbers.
    pub messages: Vec<RoomMessage>,
    /// Whether the room has messages older than the first one here.
    pub more: bool,
    pub ts: u64,
}

/// The answer to a successful Hello.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Welcome {
    /// The name as the server normalised it.
    pub name: String,
    /// The room the user is in now ([`crate::protocol::LOBBY`]).
    pub room: String,
    /// The server's limits.
    pub limits: Limits,
    /// Everyone online, this user included, in name order: the first page of them when there
    /// are too many for one frame (see `users_online`).
    pub users: Vec<String>,
    /// Every room, or the first page of them (see `rooms_total`).
    pub rooms: Vec<RoomInfo>,
    /// The members of `room`, in name order; empty when they are everyone online (the usual
    /// lobby: a login to a busy server then carries the names once, not twice). The first
    /// page of them on a busy server. The room
    /// always has the user in it, so it is never really empty.
    /// [`Welcome::with_members_filled_in`] restores the list.
    pub members: Vec<String>,
    /// Presence events with a sequence number up to this one are already reflected above.
    pub presence_seq: u64,
    pub ts: u64,
    /// How fast this client may send. Appended last: a client of the first release reads the
    /// Welcome without it (postcard ignores the bytes after the fields it knows).
    pub send_rate: SendRate,
    /// How many users are online (`users` lists them all when it has as many). Appended.
    pub users_online: u32,
    /// How many rooms there are (`rooms` lists them all when it has as many). Appended.
    pub rooms_total: u32,
}

impl Welcome {
    /// The Welcome with `members` listing everyone online when the server left it empty.
    pub fn with_members_filled_in(mut self) -> Welcome {
        if self.members.is_empty() {
            self.members = self.users.clone();
        }
        self
    }
}

/// Limits the server enforces, so clients can enforce them before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub max_message_chars: u32,
    pub max_frame_len: u32,
}

/// How fast the server lets one client send the commands it rate-limits (messages, direct
/// messages, joins, leaves, renames): `burst` at once after a quiet spell, then one every
/// `micros_per_send`. A client that paces itself by it is never refused for speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendRate {
    pub burst: u32,
    pub micros_per_send: u64,
}

/// A room as listed to clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomInfo {
    pub name: String,
    /// Empty when the room has no topic.
    pub topic: String,
    pub members: u32,
}

/// Why a login was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rejection {
    /// Someone online already has this name (compared case-insensitively).
    NameTaken { name: String },
    /// The name breaks the naming rules; `reason` says which.
    InvalidName { reason: String },
    /// The client speaks a protocol version the server does not.
    UnsupportedVersion { server: u16, client: u16 },
    /// The server has no room for another client.
    ServerFull,
    /// The name is claimed: logging in with it needs its password (or a saved token).
    PasswordRequired { name: String },
    /// The password or token is wrong; after repeated failures, further tries are refused
    /// until `retry_after_ms` has passed.
    WrongPassword { name: String, retry_after_ms: u64 },
    /// The server accepts claimed names only: log in with a password to claim one.
    AccountRequired { name: String },
    /// The password given to claim a name breaks the rules; `reason` says which.
    InvalidPassword { reason: String },
    /// The server could not check the login now (e.g. its store failed); try again later.
    Unavailable { reason: String },
}

/// A message posted in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomMessage {
    /// Unique across the server.
    pub id: u64,
    pub room: String,
    /// 1, 2, 3... within the room, without gaps.
    pub seq: u64,
    pub from: String,
    pub text: String,
    pub ts: u64,
    /// The sender's id for this send, echoed so the sender can match its confirmation.
    pub client_msg_id: u64,
    /// The file it carries, if any (`text` is then its caption, maybe empty).
    pub attachment: Option<Attachment>,
    /// Said, or an edit, deletion or moderation notice (version 3).
    pub kind: MessageKind,
    /// Whether a said message was edited or deleted since (history shows it as it is now).
    pub state: MessageState,
}

/// A private message between two users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectMessage {
    pub id: u64,
    pub from: String,
    pub to: String,
    pub text: String,
    pub ts: u64,
    pub client_msg_id: u64,
    /// As for [`RoomMessage::attachment`].
    pub attachment: Option<Attachment>,
}

/// A failed command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReply {
    pub code: ErrorCode,
    /// What happened, in words a user understands.
    pub message: String,
    /// The send this error answers, if it answers one.
    pub client_msg_id: Option<u64>,
    pub ts: u64,
}

/// Machine-readable error kinds. Append only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorCode {
    NameTaken,
    InvalidName,
    TooLong,
    Empty,
    NoSuchUser,
    NoSuchRoom,
    InvalidRoom,
    NotInRoom,
    InvalidText,
    TopicTooLong,
    TooManyRooms,
    RateLimited,
    Protocol,
    /// The server could not do it now (e.g. busy writing); trying again later may work.
    Unavailable,
    /// A password too short or too long.
    InvalidPassword,
    /// A re-sent message that the server already posted (its `client_msg_id` says which).
    AlreadyPosted,
    /// A file larger than the server takes.
    TooLarge,
    /// The server's storage for files is full.
    StorageFull,
    /// A file whose bytes do not match its hash, or its announced size.
    WrongHash,
    /// No such file on the server (never uploaded, or the upload is not complete).
    NotFound,
    /// The file is attached to nothing this user may see (a room they are not in, someone
    /// else's direct message).
    NotAllowed,
    /// The board has as many strokes as the server allows: delete some, or clear it.
    BoardFull,
    /// The sender is muted in the room for a while (the message says until when).
    Muted,
}

impl ErrorCode {
    /// The snake_case name used in the terminal client's JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NameTaken => "name_taken",
            ErrorCode::InvalidName => "invalid_name",
            ErrorCode::TooLong => "too_long",
            ErrorCode::Empty => "empty",
            ErrorCode::NoSuchUser => "no_such_user",
            ErrorCode::NoSuchRoom => "no_such_room",
            ErrorCode::InvalidRoom => "invalid_room",
            ErrorCode::NotInRoom => "not_in_room",
            ErrorCode::InvalidText => "invalid_text",
            ErrorCode::TopicTooLong => "topic_too_long",
            ErrorCode::TooManyRooms => "too_many_rooms",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Protocol => "protocol",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::InvalidPassword => "invalid_password",
            ErrorCode::AlreadyPosted => "already_posted",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::StorageFull => "storage_full",
            ErrorCode::WrongHash => "wrong_hash",
            ErrorCode::NotFound => "not_found",
            ErrorCode::NotAllowed => "not_allowed",
            ErrorCode::BoardFull => "board_full",
            ErrorCode::Muted => "muted",
        }
    }
}

/// One frame on the presence stream. `seq` grows by one per event across the server, so a
/// client can drop what its Welcome already reflected and notice a gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceFrame {
    pub seq: u64,
    pub ts: u64,
    pub event: PresenceEvent,
}

/// Something changed about who is online or where. Append only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PresenceEvent {
    /// A user logged in (a `Joined` for the lobby follows).
    Online { user: String },
    /// A user logged out or vanished (`Left` events for each of their rooms came first).
    Offline { user: String },
    /// A user changed name.
    Renamed { old: String, new: String },
    /// A user joined a room. `after_seq` is the room's last message sequence number at that
    /// moment, so a client can place the notice among the messages.
    Joined { room: String, user: String, members: u32, after_seq: u64 },
    /// A user left a room.
    Left { room: String, user: String, members: u32, after_seq: u64 },
    /// A room was created.
    RoomCreated { room: RoomInfo },
    /// How many are online now. Sent on a large server (see `ClientMsg::Watch`), where a
    /// client hears only of the people it watches and cannot keep the count itself, at most
    /// every few seconds and only when it changed; only to clients that sent `Watch` (which
    /// understand it).
    Count { online: u32 },
}
