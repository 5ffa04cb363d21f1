//! The events this client reports, as one serde enum: its JSON form is the `--json` schema
//! documented in `cli/JSON.md`. Field names and `type` values are an interface: only add.

use anseo_shared::board::Board;
use anseo_shared::client::{ChatEvent, Presence, PresenceChange};
use anseo_shared::protocol::{
    Attachment, BoardEvent, BoardOp, DirectMessage, HistoryPage, MessageKind, MessageState, ModAction,
    Moderation, Place, Point, Reaction, ReactionEntry, RoomInfo, RoomMessage, SearchHit, Welcome, colour_hex,
    hash_to_hex,
};
use serde::Serialize;

/// One line of output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Report {
    /// Logged in.
    Welcome {
        server: String,
        name: String,
        room: String,
        users: Vec<String>,
        /// How many are online: more than `users` lists on a large server.
        online: u32,
        rooms: Vec<RoomEntry>,
        members: Vec<String>,
        max_message_chars: u32,
    },
    /// A message in a room this user is in (this user's own included: the server's echo).
    /// `history` is true (and only then present) for an earlier message: the room's latest
    /// after a join, or the answer to `/history`.
    Message {
        room: String,
        from: String,
        text: String,
        id: u64,
        seq: u64,
        ts: u64,
        client_msg_id: u64,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        history: bool,
        /// The file the message carries (`text` is then its caption, maybe empty).
        #[serde(skip_serializing_if = "Option::is_none")]
        attachment: Option<AttachmentEntry>,
        /// True (and only then present) when its text is an edit's (history shows messages
        /// as they are now).
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        edited: bool,
        /// True (and only then present) when it was deleted: its text is empty.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        deleted: bool,
    },
    /// `by` changed the text of their message `id` in `room` to `text`. `seq` is the edit's
    /// own place in the room; `history` as for `message`.
    Edited {
        room: String,
        id: u64,
        text: String,
        by: String,
        seq: u64,
        ts: u64,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        history: bool,
    },
    /// `by` deleted message `id` in `room` (their own, or as a moderator).
    Deleted {
        room: String,
        id: u64,
        by: String,
        seq: u64,
        ts: u64,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        history: bool,
    },
    /// `by` kept order in `room`: `action` is topic, mute, unmute, kick, ban, unban, op or
    /// deop; `target` whom it is about (empty for a topic); `topic` the new topic; `until`
    /// (ms since the epoch) when a mute ends.
    Moderation {
        room: String,
        action: String,
        by: String,
        target: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        until: Option<u64>,
        seq: u64,
        ts: u64,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        history: bool,
    },
    /// A private message to or from this user.
    Dm {
        from: String,
        to: String,
        text: String,
        id: u64,
        ts: u64,
        client_msg_id: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        attachment: Option<AttachmentEntry>,
    },
    /// How far a file going up (`/send`) or down (`/get`) is: a few times a second at most,
    /// and once when it is complete.
    Transfer { direction: Direction, hash: String, done: u64, total: u64 },
    /// A file `/get` asked for is complete, its bytes checked against its hash.
    Downloaded { hash: String, path: String, size: u64 },
    /// Someone came, went, moved or changed name.
    Presence {
        event: PresenceKind,
        user: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        room: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        new_name: Option<String>,
        ts: u64,
    },
    /// A room was created.
    RoomCreated { room: String, topic: String, ts: u64 },
    /// How many are online now (from a server with more than 256 online).
    Online { online: u32, ts: u64 },
    /// The answer to `/users`.
    Users { users: Vec<String> },
    /// The answer to `/rooms`.
    Rooms { rooms: Vec<RoomEntry> },
    /// This user joined a room.
    Joined { room: String, topic: String, members: Vec<String> },
    /// This user left a room.
    Left { room: String },
    /// This user's name changed.
    Renamed { old: String, new: String },
    /// Plain text goes to `room` from now on (`/switch`, `/join`, or leaving the current room;
    /// `room` is absent when no room is left).
    Switched {
        #[serde(skip_serializing_if = "Option::is_none")]
        room: Option<String>,
    },
    /// A note for the user that is neither an error nor from the server (e.g. "no older
    /// messages in #dev").
    Info { message: String },
    /// The answer to `/help`.
    Help { commands: Vec<String> },
    /// Something failed: a command the server refused, or one this client did not send.
    Error {
        code: String,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<u64>,
        /// The file a failed `/send` or `/get` was about.
        #[serde(skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
    },
    /// The connection was lost; the client is connecting again (attempt 1, 2, ...).
    Reconnecting { attempt: u32 },
    /// Back after a reconnect: the `missed` messages were printed just before.
    Resumed { missed: u64 },
    /// The connection ended; nothing follows.
    Closed { reason: String },
    /// Someone (maybe this user) began a stroke on the board of `room`, with its first points.
    StrokeBegin {
        room: String,
        seq: u64,
        by: String,
        stroke: u64,
        /// `#rrggbb`.
        colour: String,
        width: u16,
        /// `pen`, `highlighter` or `eraser`.
        tool: String,
        points: Vec<[u16; 2]>,
        ts: u64,
    },
    /// More points of a stroke being drawn.
    StrokePoints { room: String, seq: u64, by: String, stroke: u64, points: Vec<[u16; 2]>, ts: u64 },
    /// A stroke is finished.
    StrokeEnd { room: String, seq: u64, by: String, stroke: u64, ts: u64 },
    /// A stroke was taken off the board.
    StrokeDeleted { room: String, seq: u64, by: String, stroke: u64, ts: u64 },
    /// The board was cleared.
    BoardCleared { room: String, seq: u64, by: String, ts: u64 },
    /// The board of `room` as it is: after joining it (or the lobby's after login) when
    /// anything was ever drawn on it, after a reconnect, and as the answer to `/board`.
    Board { room: String, seq: u64, strokes: usize, authors: Vec<AuthorEntry> },
    /// A reaction put on (`on`: `by`'s reaction to message `id` is now `emoji`, replacing any
    /// other of theirs) or taken off. `history` (true, and only then present) for one that
    /// comes with a page of history.
    Reaction {
        room: String,
        id: u64,
        by: String,
        emoji: String,
        on: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        ts: Option<u64>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        history: bool,
    },
    /// The answer to `/search`: the messages found, newest first, each like a `message` (or,
    /// for a direct message, a `dm`) object; `more` when older ones match too.
    SearchResults { text: String, results: Vec<serde_json::Value>, more: bool },
    /// `from` is typing: in `room`, or (`direct`, and then no `room`) to this user.
    Typing {
        from: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        room: Option<String>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        direct: bool,
        ts: u64,
    },
}

/// Who drew how many strokes on a board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorEntry {
    pub name: String,
    pub strokes: usize,
}

/// A room in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoomEntry {
    pub name: String,
    /// Empty when the room has no topic.
    pub topic: String,
    pub members: u32,
}

/// A file a message carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentEntry {
    pub name: String,
    pub size: u64,
    pub mime: String,
    /// The file's BLAKE3 hash in hex: what `/get` takes.
    pub hash: String,
    /// A picture's size in pixels, upright.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

impl From<Attachment> for AttachmentEntry {
    fn from(attachment: Attachment) -> Self {
        AttachmentEntry {
            name: attachment.name,
            size: attachment.size,
            mime: attachment.mime,
            hash: hash_to_hex(&attachment.hash),
            width: attachment.picture.as_ref().map(|p| p.width),
            height: attachment.picture.as_ref().map(|p| p.height),
        }
    }
}

/// Which way a file goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
}

/// The `event` of a `presence` report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceKind {
    Online,
    Offline,
    Join,
    Leave,
    Nick,
}

impl Report {
    pub fn welcome(server: &str, welcome: &Welcome) -> Self {
        Report::Welcome {
            server: server.to_string(),
            name: welcome.name.clone(),
            room: welcome.room.clone(),
            users: welcome.users.clone(),
            online: welcome.users_online.max(welcome.users.len() as u32),
            rooms: welcome.rooms.iter().map(RoomEntry::from).collect(),
            members: welcome.members.clone(),
            max_message_chars: welcome.limits.max_message_chars,
        }
    }

    pub fn error(code: &str, message: impl Into<String>) -> Self {
        Report::Error { code: code.to_string(), message: message.into(), client_msg_id: None, hash: None }
    }

    /// A `/send` or `/get` of the file `hash` that failed.
    pub fn transfer_failed(hash: Option<String>, code: &str, message: impl Into<String>) -> Self {
        Report::Error { code: code.to_string(), message: message.into(), client_msg_id: None, hash }
    }

    /// A message the client core gave up on when the session ended.
    pub fn unsent(client_msg_id: u64, reason: String) -> Self {
        Report::Error {
            code: "not_sent".to_string(),
            message: reason,
            client_msg_id: Some(client_msg_id),
            hash: None,
        }
    }

    /// The report for an event of the session, if it is one a user sees as it is.
    pub fn from_event(event: ChatEvent) -> Option<Self> {
        Some(match event {
            ChatEvent::Message { message, .. } => Report::from(message),
            ChatEvent::Direct { message, .. } => Report::from(message),
            ChatEvent::Joined { room, members, .. } => {
                Report::Joined { room: room.name, topic: room.topic, members }
            }
            ChatEvent::Left { room, .. } => Report::Left { room },
            ChatEvent::Users { users, .. } => Report::Users { users },
            ChatEvent::Rooms { rooms, .. } => {
                Report::Rooms { rooms: rooms.iter().map(RoomEntry::from).collect() }
            }
            ChatEvent::Renamed { old, new, .. } => Report::Renamed { old, new },
            ChatEvent::Refused { client_msg_id, code, message, .. } => Report::Error {
                code: code.as_str().to_string(),
                message,
                client_msg_id: Some(client_msg_id),
                hash: None,
            },
            ChatEvent::CommandFailed { code, message, .. } => Report::error(code.as_str(), message),
            ChatEvent::Unsent { client_msg_id, reason } => Report::unsent(client_msg_id, reason),
            ChatEvent::Presence(presence) => Report::from_presence(presence),
            ChatEvent::Reconnecting { attempt } => Report::Reconnecting { attempt },
            ChatEvent::Resumed { missed, .. } => Report::Resumed { missed },
            ChatEvent::Closed(reason) => Report::Closed { reason: reason.to_string() },
            ChatEvent::Board(event) => Report::from_board_event(event),
            ChatEvent::BoardState { room, board } => Report::board(&room, &board),
            ChatEvent::Reaction(Reaction { room, id, by, emoji, on, ts }) => {
                Report::Reaction { room, id, by, emoji, on, ts: Some(ts), history: false }
            }
            ChatEvent::Typing { place: Place::Room(room), from, ts } => {
                Report::Typing { from, room: Some(room), direct: false, ts }
            }
            ChatEvent::Typing { place: Place::Direct(_), from, ts } => {
                Report::Typing { from, room: None, direct: true, ts }
            }
            // Needs this user's name: see `Report::search_results`.
            ChatEvent::SearchResults { .. } => return None,
            // Many at once: see `Report::reactions`.
            ChatEvent::Reactions { .. } => return None,
            // A page holds many messages: see `Report::history`.
            // The login token is for devices that keep it (the app); a script has its password.
            // A message on its way is printed when posted (its echo) or refused; one posted
            // before a drop was printed then.
            ChatEvent::History(_)
            | ChatEvent::TokenIssued { .. }
            | ChatEvent::Sending { .. }
            | ChatEvent::AlreadyPosted { .. } => return None,
        })
    }

    /// The report for an operation on a board.
    pub fn from_board_event(event: BoardEvent) -> Self {
        let BoardEvent { room, seq, by, ts, op } = event;
        let xy = |points: Vec<Point>| points.iter().map(|p| [p.x, p.y]).collect();
        match op {
            BoardOp::Begin { stroke, style, points } => Report::StrokeBegin {
                room,
                seq,
                by,
                stroke,
                colour: colour_hex(style.colour),
                width: style.width,
                tool: style.tool.as_str().to_string(),
                points: xy(points),
                ts,
            },
            BoardOp::Points { stroke, points } => {
                Report::StrokePoints { room, seq, by, stroke, points: xy(points), ts }
            }
            BoardOp::End { stroke } => Report::StrokeEnd { room, seq, by, stroke, ts },
            BoardOp::Delete { stroke } => Report::StrokeDeleted { room, seq, by, stroke, ts },
            BoardOp::Clear => Report::BoardCleared { room, seq, by, ts },
        }
    }

    /// What a search found, for `me`.
    pub fn search_results(text: String, hits: Vec<SearchHit>, more: bool, me: &str) -> Self {
        let result = |hit: SearchHit| match hit.place {
            Place::Room(room) => serde_json::json!({
                "type": "message", "room": room, "from": hit.from, "text": hit.text,
                "id": hit.id, "seq": hit.seq, "ts": hit.ts,
            }),
            Place::Direct(other) => {
                let to = if hit.from == me { other } else { me.to_string() };
                serde_json::json!({ "type": "dm", "from": hit.from, "to": to, "text": hit.text, "id": hit.id, "ts": hit.ts })
            }
        };
        Report::SearchResults { text, results: hits.into_iter().map(result).collect(), more }
    }

    /// The reactions that came with a page of history.
    pub fn reactions(room: &str, reactions: Vec<ReactionEntry>) -> Vec<Self> {
        let report = |r: ReactionEntry| Report::Reaction {
            room: room.to_string(),
            id: r.id,
            by: r.by,
            emoji: r.emoji,
            on: true,
            ts: None,
            history: true,
        };
        reactions.into_iter().map(report).collect()
    }

    /// Who drew what on the board of `room`.
    pub fn board(room: &str, board: &Board) -> Self {
        let authors =
            board.authors().into_iter().map(|(name, strokes)| AuthorEntry { name, strokes }).collect();
        Report::Board { room: room.to_string(), seq: board.seq(), strokes: board.strokes().len(), authors }
    }

    /// The report for a change of presence.
    pub fn from_presence(presence: Presence) -> Self {
        let ts = presence.ts;
        let report = |event, user, room, new_name| Report::Presence { event, user, room, new_name, ts };
        match presence.change {
            PresenceChange::Online { user } => report(PresenceKind::Online, user, None, None),
            PresenceChange::Offline { user } => report(PresenceKind::Offline, user, None, None),
            PresenceChange::Renamed { old, new } => report(PresenceKind::Nick, old, None, Some(new)),
            PresenceChange::JoinedRoom { room, user, .. } => {
                report(PresenceKind::Join, user, Some(room), None)
            }
            PresenceChange::LeftRoom { room, user, .. } => {
                report(PresenceKind::Leave, user, Some(room), None)
            }
            PresenceChange::RoomCreated { room } => {
                Report::RoomCreated { room: room.name, topic: room.topic, ts }
            }
            PresenceChange::Count { online } => Report::Online { online, ts },
        }
    }
}

impl From<&RoomInfo> for RoomEntry {
    fn from(room: &RoomInfo) -> Self {
        RoomEntry { name: room.name.clone(), topic: room.topic.clone(), members: room.members }
    }
}

impl Report {
    /// One report per message of a history page, oldest first.
    pub fn history(page: HistoryPage) -> Vec<Report> {
        page.messages.into_iter().map(|m| Report::message(m, true)).collect()
    }

    fn message(m: RoomMessage, history: bool) -> Report {
        let RoomMessage { room, from: by, seq, ts, .. } = m.clone();
        match m.kind {
            MessageKind::Said => Report::Message {
                room: m.room,
                from: m.from,
                text: m.text,
                id: m.id,
                seq: m.seq,
                ts: m.ts,
                client_msg_id: m.client_msg_id,
                history,
                attachment: m.attachment.map(AttachmentEntry::from),
                edited: m.state == MessageState::Edited,
                deleted: m.state == MessageState::Deleted,
            },
            MessageKind::Edit { id } => Report::Edited { room, id, text: m.text, by, seq, ts, history },
            MessageKind::Delete { id } => Report::Deleted { room, id, by, seq, ts, history },
            MessageKind::Moderation(Moderation { action, target }) => Report::Moderation {
                room,
                action: action.as_str().to_string(),
                by,
                target,
                topic: (action == ModAction::Topic).then_some(m.text),
                until: match action {
                    ModAction::Mute { until } => Some(until),
                    _ => None,
                },
                seq,
                ts,
                history,
            },
        }
    }
}

impl From<RoomMessage> for Report {
    fn from(m: RoomMessage) -> Self {
        Report::message(m, false)
    }
}

impl From<DirectMessage> for Report {
    fn from(m: DirectMessage) -> Self {
        Report::Dm {
            from: m.from,
            to: m.to,
            text: m.text,
            id: m.id,
            ts: m.ts,
            client_msg_id: m.client_msg_id,
            attachment: m.attachment.map(AttachmentEntry::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use anseo_shared::protocol::ErrorCode;
    use serde_json::json;

    use super::*;

    fn to_json(report: &Report) -> serde_json::Value {
        serde_json::to_value(report).unwrap()
    }

    #[test]
    fn message_json_has_every_documented_field() {
        let message = RoomMessage {
            id: 7,
            room: "lobby".into(),
            seq: 3,
            from: "alice".into(),
            text: "hi".into(),
            ts: 1000,
            client_msg_id: 2,
            attachment: None,
            kind: MessageKind::Said,
            state: MessageState::AsSent,
        };
        assert_eq!(
            to_json(&Report::from(message)),
            json!({"type": "message", "room": "lobby", "from": "alice", "text": "hi", "id": 7, "seq": 3,
                   "ts": 1000, "client_msg_id": 2})
        );
    }

    #[test]
    fn an_attachment_shows_in_json_with_its_hash_in_hex() {
        let message = DirectMessage {
            id: 7,
            from: "alice".into(),
            to: "bob".into(),
            text: String::new(),
            ts: 1000,
            client_msg_id: 2,
            attachment: Some(Attachment {
                hash: [0xab; 32],
                name: "board.jpg".into(),
                size: 1234,
                mime: "image/jpeg".into(),
                picture: Some(anseo_shared::protocol::Picture { width: 64, height: 48, preview: vec![1] }),
            }),
        };
        assert_eq!(
            to_json(&Report::from(message)),
            json!({"type": "dm", "from": "alice", "to": "bob", "text": "", "id": 7, "ts": 1000, "client_msg_id": 2,
                   "attachment": {"name": "board.jpg", "size": 1234, "mime": "image/jpeg", "hash": "ab".repeat(32),
                                  "width": 64, "height": 48}})
        );
        let transfer = Report::Transfer { direction: Direction::Up, hash: "ab".into(), done: 5, total: 9 };
        assert_eq!(
            to_json(&transfer),
            json!({"type": "transfer", "direction": "up", "hash": "ab", "done": 5, "total": 9})
        );
    }

    #[test]
    fn presence_json_names_the_event_and_omits_absent_fields() {
        let frame = |change| Presence { seq: 1, ts: 5, change };
        assert_eq!(
            to_json(&Report::from_presence(frame(PresenceChange::Renamed {
                old: "bob".into(),
                new: "rob".into()
            }))),
            json!({"type": "presence", "event": "nick", "user": "bob", "new_name": "rob", "ts": 5})
        );
        let joined =
            PresenceChange::JoinedRoom { room: "dev".into(), user: "bob".into(), members: 2, after_seq: 0 };
        assert_eq!(
            to_json(&Report::from_presence(frame(joined))),
            json!({"type": "presence", "event": "join", "user": "bob", "room": "dev", "ts": 5})
        );
        assert_eq!(
            to_json(&Report::from_presence(frame(PresenceChange::Offline { user: "bob".into() }))),
            json!({"type": "presence", "event": "offline", "user": "bob", "ts": 5})
        );
        assert_eq!(
            to_json(&Report::from_presence(frame(PresenceChange::Count { online: 300 }))),
            json!({"type": "online", "online": 300, "ts": 5})
        );
    }

    #[test]
    fn server_errors_use_the_snake_case_codes() {
        let refused = ChatEvent::Refused {
            client_msg_id: 4,
            code: ErrorCode::NoSuchUser,
            message: "nobody called zed is online".into(),
            ts: 0,
        };
        assert_eq!(
            to_json(&Report::from_event(refused).unwrap()),
            json!({"type": "error", "code": "no_such_user", "message": "nobody called zed is online",
                   "client_msg_id": 4})
        );
        assert_eq!(
            to_json(&Report::error("too_long", "x")),
            json!({"type": "error", "code": "too_long", "message": "x"})
        );
    }

    #[test]
    fn rooms_list_rooms_with_topic_and_member_count() {
        let rooms = vec![RoomInfo { name: "dev".into(), topic: "Rust".into(), members: 2 }];
        assert_eq!(
            to_json(&Report::from_event(ChatEvent::Rooms { rooms, ts: 0 }).unwrap()),
            json!({"type": "rooms", "rooms": [{"name": "dev", "topic": "Rust", "members": 2}]})
        );
    }
}
