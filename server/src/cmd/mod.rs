//! One module per client command, dispatched from [`Command`] (mini-redis `cmd/`).
//!
//! Each command checks its input with the shared validation functions before taking the hub's
//! lock, then applies itself to the state and queues its replies. A failure becomes a typed
//! [`ErrorReply`](anseo_shared::protocol::ErrorReply) to the sender and never touches anyone
//! else.

mod access;
mod amend;
mod board;
mod content;
mod direct;
mod history;
mod join;
mod leave;
mod list_rooms;
mod list_users;
mod moderate;
mod nick;
mod post;
mod react;
mod say;
mod search;
mod set_password;
mod typing;
mod watch;

use anseo_shared::protocol::{ClientMsg, ErrorCode, NameError, ServerMsg, TextError};

pub use amend::{Amend, AmendRequest, amend};
pub use board::Draw;
pub use direct::Direct;
pub use history::{History, send_page};
pub use join::Join;
pub use leave::Leave;
pub use list_rooms::ListRooms;
pub use list_users::ListUsers;
pub use moderate::Moderate;
pub use nick::Nick;
pub use react::React;
pub use say::Say;
pub use search::{Search, SearchRequest, send_results};
pub use set_password::SetPassword;
pub use typing::Typing;
pub use watch::Watch;

use crate::clock::now_ms;
use crate::history::HistoryRequest;
use crate::hub::{ClientId, Hub};
use crate::limits::Kind;

/// A command from a logged-in client.
#[derive(Debug)]
pub enum Command {
    Say(Say),
    Direct(Direct),
    Join(Join),
    Leave(Leave),
    Nick(Nick),
    ListUsers(ListUsers),
    ListRooms(ListRooms),
    History(History),
    SetPassword(SetPassword),
    Draw(Draw),
    React(React),
    Typing(Typing),
    Search(Search),
    Amend(Amend),
    Moderate(Moderate),
    Watch(Watch),
}

/// What a command leaves to do after the hub lock is released: slow work (store reads,
/// password hashing) that the session awaits before the client's next command.
#[derive(Debug)]
pub enum Followup {
    /// Send a page of history.
    History(HistoryRequest),
    /// Claim `name` with `password` (or change its password) and send a token.
    SetPassword { name: String, password: String },
    /// Search the store and send what was found.
    Search(SearchRequest),
    /// Check an edit or deletion against the stored message and post it.
    Amend(AmendRequest),
}

/// Why a command failed, as sent back to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        CommandError { code, message: message.into() }
    }

    /// A message text broke the rules.
    pub fn text(error: TextError) -> Self {
        let code = match error {
            TextError::Empty => ErrorCode::Empty,
            TextError::TooLong { .. } => ErrorCode::TooLong,
            TextError::ControlCharacter(_) => ErrorCode::InvalidText,
        };
        CommandError::new(code, error.to_string())
    }

    /// A room name broke the rules.
    pub fn room_name(raw: &str, error: NameError) -> Self {
        CommandError::new(ErrorCode::InvalidRoom, format!("'{raw}' is not a valid room name: {error}"))
    }

    /// A user name broke the rules.
    pub fn user_name(raw: &str, error: NameError) -> Self {
        CommandError::new(ErrorCode::InvalidName, format!("'{raw}' is not a valid name: {error}"))
    }
}

impl Command {
    /// The command a frame carries; `None` for Hello, which only starts a session.
    pub fn from_msg(msg: ClientMsg) -> Option<Command> {
        Some(match msg {
            ClientMsg::Hello { .. } | ClientMsg::Login(_) | ClientMsg::Rejoin(_) => return None,
            ClientMsg::SetPassword { password } => Command::SetPassword(SetPassword { password }),
            ClientMsg::Say { room, text, client_msg_id, attachment } => {
                Command::Say(Say { room, text, client_msg_id, attachment })
            }
            ClientMsg::Direct { to, text, client_msg_id, attachment } => {
                Command::Direct(Direct { to, text, client_msg_id, attachment })
            }
            ClientMsg::Join { room, topic } => Command::Join(Join { room, topic }),
            ClientMsg::Leave { room } => Command::Leave(Leave { room }),
            ClientMsg::Nick { name } => Command::Nick(Nick { name }),
            ClientMsg::ListUsers => Command::ListUsers(ListUsers { after: None }),
            ClientMsg::ListRooms => Command::ListRooms(ListRooms { after: None }),
            ClientMsg::ListUsersAfter { after } => Command::ListUsers(ListUsers { after: Some(after) }),
            ClientMsg::ListRoomsAfter { after } => Command::ListRooms(ListRooms { after: Some(after) }),
            ClientMsg::History { room, before, limit } => Command::History(History { room, before, limit }),
            ClientMsg::Board { room, op } => Command::Draw(Draw { room, op }),
            ClientMsg::React { room, id, emoji, on } => Command::React(React { room, id, emoji, on }),
            ClientMsg::Typing { place } => Command::Typing(Typing { place }),
            ClientMsg::Search { text, before, limit } => Command::Search(Search { text, before, limit }),
            ClientMsg::Edit { room, id, text } => Command::Amend(Amend { room, id, text: Some(text) }),
            ClientMsg::Delete { room, id } => Command::Amend(Amend { room, id, text: None }),
            ClientMsg::Moderate { room, command } => Command::Moderate(Moderate { room, command }),
            ClientMsg::Watch { users } => Command::Watch(Watch { users }),
        })
    }

    /// The sender's id for a send, echoed in its confirmation or error.
    pub fn client_msg_id(&self) -> Option<u64> {
        match self {
            Command::Say(say) => Some(say.client_msg_id),
            Command::Direct(direct) => Some(direct.client_msg_id),
            _ => None,
        }
    }

    /// The budget the command is paid from: the message budget (the rate the Welcome
    /// announces) for everything that sends something to other users (messages, and the
    /// presence events of joins, leaves and renames); the request budget for the rest.
    pub fn budget(&self) -> Kind {
        match self {
            Command::Say(_)
            | Command::Direct(_)
            | Command::Join(_)
            | Command::Leave(_)
            | Command::Nick(_)
            | Command::React(_)
            | Command::Amend(_)
            | Command::Moderate(_) => Kind::Messages,
            Command::ListUsers(_)
            | Command::ListRooms(_)
            | Command::History(_)
            | Command::SetPassword(_)
            | Command::Typing(_)
            | Command::Search(_)
            | Command::Watch(_) => Kind::Requests,
            Command::Draw(_) => Kind::Board,
        }
    }

    /// Applies the command for client `me`; a failure is answered with a typed error. Returns
    /// what is left to do once the hub lock is released (see [`Followup`]).
    pub fn apply(self, hub: &Hub, me: ClientId) -> Option<Followup> {
        let client_msg_id = self.client_msg_id();
        let result = match self {
            Command::Say(cmd) => cmd.apply(hub, me).map(|()| None),
            Command::Direct(cmd) => cmd.apply(hub, me).map(|()| None),
            Command::Join(cmd) => cmd.apply(hub, me).map(|page| page.map(Followup::History)),
            Command::Leave(cmd) => cmd.apply(hub, me).map(|()| None),
            Command::Nick(cmd) => cmd.apply(hub, me).map(|()| None),
            Command::Draw(cmd) => cmd.apply(hub, me).map(|()| None),
            Command::React(cmd) => cmd.apply(hub, me).map(|()| None),
            Command::Typing(cmd) => cmd.apply(hub, me).map(|()| None),
            Command::Search(cmd) => cmd.apply(hub, me).map(|request| Some(Followup::Search(request))),
            Command::Amend(cmd) => cmd.apply(hub, me).map(|request| Some(Followup::Amend(request))),
            Command::Moderate(cmd) => cmd.apply(hub, me).map(|()| None),
            Command::Watch(cmd) => cmd.apply(hub, me).map(|()| None),
            Command::ListUsers(cmd) => cmd.apply(hub, me).map(|()| None),
            Command::ListRooms(cmd) => cmd.apply(hub, me).map(|()| None),
            Command::History(cmd) => cmd.apply(hub, me).map(|page| Some(Followup::History(page))),
            Command::SetPassword(cmd) => {
                cmd.apply(hub, me).map(|(name, password)| Some(Followup::SetPassword { name, password }))
            }
        };
        result.unwrap_or_else(|error| {
            hub.lock().send_error(me, error.code, error.message, client_msg_id);
            None
        })
    }
}

/// Sends client `me` who is online and the rooms afresh, for its presence writer that fell
/// behind the feed: right after `resubscribe` moved the writer to the end of the feed, under
/// the hub lock (where every presence event is published), so the snapshot reflects exactly
/// the events before those the writer sends next.
pub fn resync_presence(hub: &Hub, me: ClientId, resubscribe: &mut dyn FnMut()) {
    let state = hub.lock();
    resubscribe();
    state.send(me, &ServerMsg::Users { users: state.user_names(), ts: now_ms() });
    state.send(me, &ServerMsg::Rooms { rooms: state.room_list(), ts: now_ms() });
}

#[cfg(test)]
mod tests {
    use anseo_shared::protocol::{ClientMsg, PROTOCOL_VERSION};

    use super::*;

    #[test]
    fn the_message_budget_counts_what_the_welcome_rate_counts_and_requests_pay_for_the_rest() {
        let messages = [
            ClientMsg::Say { room: "lobby".into(), text: "hi".into(), client_msg_id: 1, attachment: None },
            ClientMsg::Direct { to: "bob".into(), text: "hi".into(), client_msg_id: 2, attachment: None },
            ClientMsg::Join { room: "dev".into(), topic: None },
            ClientMsg::Leave { room: "dev".into() },
            ClientMsg::Nick { name: "ann".into() },
            ClientMsg::ListUsers,
            ClientMsg::ListRooms,
            ClientMsg::History { room: "lobby".into(), before: None, limit: 10 },
            ClientMsg::SetPassword { password: "correct horse".into() },
        ];
        for msg in messages {
            let counted_by_the_client = msg.is_rate_limited();
            let command = Command::from_msg(msg).expect("a command");
            let expected = if counted_by_the_client { Kind::Messages } else { Kind::Requests };
            assert_eq!(command.budget(), expected, "{command:?}");
        }
        let draw = Command::from_msg(ClientMsg::Board {
            room: "art".into(),
            op: anseo_shared::protocol::BoardOp::Clear,
        });
        assert_eq!(draw.expect("a command").budget(), Kind::Board);
        assert!(
            Command::from_msg(ClientMsg::Hello { version: PROTOCOL_VERSION, name: "x".into() }).is_none()
        );
    }
}
