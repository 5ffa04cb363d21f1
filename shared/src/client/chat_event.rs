//! What a [`Resilient`](super::Resilient) session tells its caller: [`ChatEvent`], the client
//! core's own events, already reconciled. A message comes once, in order per room, whether it
//! arrived live or was fetched after a reconnect; the caller's own send comes back with the id
//! it confirms; a send the server refused for good, or one given up on when the session ended,
//! is said so once. The caller never sees the wire enums (`ServerMsg`, `PresenceEvent`): only
//! the protocol's data structs (a [`RoomMessage`], a [`Welcome`]...) travel inside the events.

use std::collections::BTreeMap;

use super::error::Disconnect;
use crate::board::Board;
use crate::protocol::{
    Attachment, BoardEvent, DirectMessage, ErrorCode, HistoryPage, Place, PresenceEvent, PresenceFrame,
    Reaction, ReactionEntry, RoomInfo, RoomMessage, SearchHit, Welcome,
};

/// Something that happened in a resilient session, in the order the caller should apply it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatEvent {
    /// The core took a message or direct message of this user's: it goes out as the server's
    /// rate allows (or once the connection is back) and stays until confirmed. Always passed
    /// on before the [`ChatEvent::Message`] or [`ChatEvent::Direct`] that `confirms` it, or
    /// the refusal naming its id.
    /// `attachment` is the file it carries, already uploaded.
    Sending { client_msg_id: u64, to: Addressee, text: String, attachment: Option<Attachment> },
    /// A message in a room this user is in, live or missed during an outage; each is passed on
    /// once. `confirms` is the client message id of this user's own send it confirms.
    Message { message: RoomMessage, confirms: Option<u64> },
    /// A private message to or from this user; `confirms` as for [`ChatEvent::Message`].
    Direct { message: DirectMessage, confirms: Option<u64> },
    /// Earlier messages of a room, oldest first: the latest ones after a join (and the lobby's
    /// after login), or the page [`history`](super::Resilient::history) asked for. It is
    /// passed on as the server sent it: live messages may have come before it, so a caller
    /// places both by `seq`.
    History(HistoryPage),
    /// This user joined a room; `members` are its members now.
    /// `creator` made the room (empty for the lobby): the one who may clear its board.
    Joined { room: RoomInfo, members: Vec<String>, ts: u64, creator: String },
    /// This user left a room.
    Left { room: String, ts: u64 },
    /// Everyone online, in name order, however many pages the server sent it in.
    Users { users: Vec<String>, ts: u64 },
    /// Every room, in name order, however many pages the server sent it in.
    Rooms { rooms: Vec<RoomInfo>, ts: u64 },
    /// This user's name changed.
    Renamed { old: String, new: String, ts: u64 },
    /// A message or direct message of this user's that the server had posted already, when
    /// it was sent again (after a reconnect, or by a later session on this device that
    /// carried it on): confirmed, and not posted twice. Its echo is not sent again.
    AlreadyPosted { client_msg_id: u64 },
    /// The server refused a message or direct message for good (too long, no such user...):
    /// it is not sent again. Refusals for speed or a busy server are retried, never reported.
    Refused { client_msg_id: u64, code: ErrorCode, message: String, ts: u64 },
    /// The session ended before a message or direct message was confirmed (`reason` says
    /// how). Sent just before [`ChatEvent::Closed`], once per message.
    Unsent { client_msg_id: u64, reason: String },
    /// A command other than a send failed (a join refused, a name taken...).
    CommandFailed { code: ErrorCode, message: String, ts: u64 },
    /// A login token for `name`, to keep on this device and log in with instead of the
    /// password. Later reconnects of this session use it already.
    TokenIssued { name: String, token: String, ts: u64 },
    /// Someone came, went, moved or changed name, or a room was created. Changes already
    /// reflected in the latest [`Welcome`] are left out.
    Presence(Presence),
    /// The connection was lost; attempt `attempt` (1, 2, ...) to connect again is under way.
    Reconnecting { attempt: u32 },
    /// Back after a reconnect: the `missed` messages were passed on just before this,
    /// `welcome` is the new login's snapshot (users, rooms, the lobby's members), and
    /// `members` has the member list of every other room rejoined, by room name.
    Resumed { missed: u64, welcome: Welcome, members: BTreeMap<String, Vec<String>> },
    /// The session ended; nothing follows.
    Closed(Disconnect),
    /// An operation on the board of a room this user is in, passed on once and in order (to
    /// apply with [`Board::apply_event`]).
    Board(BoardEvent),
    /// The board of a room as it is, however many pages the server sent it in: after joining
    /// the room (the lobby's after login) and after a reconnect, when anything was ever drawn
    /// on it. It replaces the room's board; the operations after it follow as
    /// [`ChatEvent::Board`].
    BoardState { room: String, board: Board },
    /// Someone put a reaction on a message in one of this user's rooms (replacing any other
    /// of theirs on it), or took it off.
    Reaction(Reaction),
    /// The reactions on the messages of the [`ChatEvent::History`] page just before.
    Reactions { room: String, reactions: Vec<ReactionEntry> },
    /// `from` is typing in `place` (a direct conversation with `from` is `Place::Direct(from)`):
    /// show it for [`TYPING_SHOWS_MS`](crate::protocol::TYPING_SHOWS_MS), or until their message.
    Typing { place: Place, from: String, ts: u64 },
    /// A page of what a [`search`](super::Commands::search) for `text` found, newest first;
    /// `more` when older messages match too.
    SearchResults { text: String, results: Vec<SearchHit>, more: bool },
}

/// Where a send goes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Addressee {
    Room(String),
    User(String),
}

/// A change of who is online or where, numbered by the server's presence sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    /// Grows by one per change across the server.
    pub seq: u64,
    pub ts: u64,
    pub change: PresenceChange,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresenceChange {
    /// A user logged in (a [`PresenceChange::JoinedRoom`] for the lobby follows).
    Online { user: String },
    /// A user logged out or vanished (they left each of their rooms just before).
    Offline { user: String },
    /// A user changed name.
    Renamed { old: String, new: String },
    /// A user joined a room, which now has `members`; `after_seq` is the room's last message
    /// sequence number at that moment, to place the notice among the messages.
    JoinedRoom { room: String, user: String, members: u32, after_seq: u64 },
    /// A user left a room; as for [`PresenceChange::JoinedRoom`].
    LeftRoom { room: String, user: String, members: u32, after_seq: u64 },
    /// A room was created.
    RoomCreated { room: RoomInfo },
    /// How many are online now, from a large server (where a client hears only of the
    /// people it watches and cannot count them itself).
    Count { online: u32 },
}

impl From<PresenceFrame> for Presence {
    fn from(frame: PresenceFrame) -> Self {
        Presence { seq: frame.seq, ts: frame.ts, change: PresenceChange::from(frame.event) }
    }
}

impl From<PresenceEvent> for PresenceChange {
    fn from(event: PresenceEvent) -> Self {
        match event {
            PresenceEvent::Online { user } => PresenceChange::Online { user },
            PresenceEvent::Offline { user } => PresenceChange::Offline { user },
            PresenceEvent::Renamed { old, new } => PresenceChange::Renamed { old, new },
            PresenceEvent::Joined { room, user, members, after_seq } => {
                PresenceChange::JoinedRoom { room, user, members, after_seq }
            }
            PresenceEvent::Left { room, user, members, after_seq } => {
                PresenceChange::LeftRoom { room, user, members, after_seq }
            }
            PresenceEvent::RoomCreated { room } => PresenceChange::RoomCreated { room },
            PresenceEvent::Count { online } => PresenceChange::Count { online },
        }
    }
}
