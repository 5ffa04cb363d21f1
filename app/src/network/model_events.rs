//! A stopgap between the client core's [`ChatEvent`]s and the model's [`NetEvent`]s, which
//! still carry the wire enums (`ServerMsg`, `PresenceFrame`): each event is rebuilt as the
//! frame it came from. It goes away when the model applies `ChatEvent`s itself.

use anseo_shared::client::{ChatEvent, Presence, PresenceChange};
use anseo_shared::protocol::{ErrorReply, PresenceEvent, PresenceFrame, ServerMsg};

use crate::model::NetEvent;

/// The model's event for `event`; `None` for what the session handles itself (login tokens,
/// the end of the session).
pub fn net_event(event: ChatEvent) -> Option<NetEvent> {
    let server = |message| Some(NetEvent::Server(message));
    match event {
        ChatEvent::Message { message, .. } => server(ServerMsg::Message(message)),
        ChatEvent::Direct { message, .. } => server(ServerMsg::Direct(message)),
        ChatEvent::History(page) => server(ServerMsg::History(page)),
        ChatEvent::Joined { room, members, ts } => server(ServerMsg::Joined { room, members, ts }),
        ChatEvent::Left { room, ts } => server(ServerMsg::Left { room, ts }),
        ChatEvent::Users { users, ts } => server(ServerMsg::Users { users, ts }),
        ChatEvent::Rooms { rooms, ts } => server(ServerMsg::Rooms { rooms, ts }),
        ChatEvent::Renamed { old, new, ts } => server(ServerMsg::Renamed { old, new, ts }),
        ChatEvent::Refused { client_msg_id, code, message, ts } => {
            server(ServerMsg::Error(ErrorReply { code, message, client_msg_id: Some(client_msg_id), ts }))
        }
        ChatEvent::CommandFailed { code, message, ts } => {
            server(ServerMsg::Error(ErrorReply { code, message, client_msg_id: None, ts }))
        }
        ChatEvent::Presence(presence) => Some(NetEvent::Presence(presence_frame(presence))),
        ChatEvent::Unsent { client_msg_id, reason } => Some(NetEvent::Unsent { client_msg_id, reason }),
        ChatEvent::Reconnecting { attempt } => Some(NetEvent::Reconnecting { attempt }),
        ChatEvent::Resumed { missed, welcome, members } => {
            Some(NetEvent::Resumed { missed, welcome, members })
        }
        ChatEvent::TokenIssued { .. } | ChatEvent::Closed(_) => None,
    }
}

fn presence_frame(presence: Presence) -> PresenceFrame {
    let event = match presence.change {
        PresenceChange::Online { user } => PresenceEvent::Online { user },
        PresenceChange::Offline { user } => PresenceEvent::Offline { user },
        PresenceChange::Renamed { old, new } => PresenceEvent::Renamed { old, new },
        PresenceChange::JoinedRoom { room, user, members, after_seq } => {
            PresenceEvent::Joined { room, user, members, after_seq }
        }
        PresenceChange::LeftRoom { room, user, members, after_seq } => {
            PresenceEvent::Left { room, user, members, after_seq }
        }
        PresenceChange::RoomCreated { room } => PresenceEvent::RoomCreated { room },
    };
    PresenceFrame { seq: presence.seq, ts: presence.ts, event }
}
