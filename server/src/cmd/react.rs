//! `React`: a reaction put on or taken off a message of a room the sender is in. Like a
//! message, it reaches the room's members once written, so a reaction anyone saw survives a
//! crash; stored one per person per message (putting one on replaces the person's other).

use anseo_shared::protocol::{ErrorCode, Reaction, ServerMsg, normalize_room, validate_emoji};

use super::{CommandError, access};
use crate::clock::now_ms;
use crate::hub::{ClientId, Hub, encode};
use crate::store::WriteOp;

#[derive(Debug)]
pub struct React {
    pub room: String,
    pub id: u64,
    pub emoji: String,
    pub on: bool,
}

impl React {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<(), CommandError> {
        let room_name = normalize_room(&self.room).map_err(|e| CommandError::room_name(&self.room, e))?;
        validate_emoji(&self.emoji).map_err(|e| CommandError::new(ErrorCode::InvalidText, e.to_string()))?;

        let state = hub.lock();
        let room = access::member_room(&state, &room_name, me)?;
        if self.id == 0 || self.id > state.last_message_id() {
            return Err(CommandError::new(ErrorCode::NotFound, format!("there is no message {}", self.id)));
        }
        let by = state.user(me).map(|u| u.name.clone()).unwrap_or_default();
        let reaction = Reaction {
            room: room.name.clone(),
            id: self.id,
            by,
            emoji: self.emoji,
            on: self.on,
            ts: now_ms(),
        };
        let members: Vec<ClientId> = room.members.iter().copied().collect();
        let write = WriteOp::Reaction(reaction.clone());
        let Some(frame) = encode(&ServerMsg::Reaction(reaction)) else { return Ok(()) };
        let Some(store) = hub.store() else {
            for member in members {
                state.deliver(member, frame.clone());
            }
            return Ok(());
        };
        let recipients = state.chat_outboxes(members);
        let sender = state.chat_outboxes([me]);
        store
            .submit(write, move |committed| match committed {
                true => recipients.iter().for_each(|outbox| _ = outbox.push(frame.clone())),
                false => {
                    if let Some(error) = unsaved() {
                        sender.iter().for_each(|outbox| _ = outbox.push(error.clone()));
                    }
                }
            })
            .map_err(|busy| CommandError::new(ErrorCode::Unavailable, busy.to_string()))
    }
}

/// The error a reaction that could not be written gets.
fn unsaved() -> Option<bytes::Bytes> {
    let reply = anseo_shared::protocol::ErrorReply {
        code: ErrorCode::Unavailable,
        message: "the reaction could not be saved; try again".to_string(),
        client_msg_id: None,
        ts: now_ms(),
    };
    encode(&ServerMsg::Error(reply))
}
