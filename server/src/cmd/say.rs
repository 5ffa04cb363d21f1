//! `Say`: a message to a room the sender is in. Encoded once and queued for every member, the
//! sender included (its copy, carrying its `client_msg_id`, is the confirmation).

use anseo_shared::protocol::{ErrorCode, RoomMessage, ServerMsg, normalize_room, validate_text};

use super::CommandError;
use crate::hub::{ClientId, Hub, encode, now_ms};

#[derive(Debug)]
pub struct Say {
    pub room: String,
    pub text: String,
    pub client_msg_id: u64,
}

impl Say {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<(), CommandError> {
        let room_name = normalize_room(&self.room).map_err(|e| CommandError::room_name(&self.room, e))?;
        validate_text(&self.text, hub.limits().max_message_chars as usize).map_err(CommandError::text)?;

        let mut state = hub.lock();
        let Some(room) = state.room(&room_name) else {
            return Err(CommandError::new(ErrorCode::NoSuchRoom, format!("no room '{room_name}'")));
        };
        if !room.members.contains(&me) {
            let message = format!("you are not in '{}'; join it first", room.name);
            return Err(CommandError::new(ErrorCode::NotInRoom, message));
        }
        let from = state.user(me).map(|u| u.name.clone()).unwrap_or_default();
        let id = state.next_message_id();
        let room = state.room_mut(&room_name).expect("checked above");
        room.last_seq += 1;
        let message = RoomMessage {
            id,
            room: room.name.clone(),
            seq: room.last_seq,
            from,
            text: self.text,
            ts: now_ms(),
            client_msg_id: self.client_msg_id,
        };
        let members: Vec<ClientId> = room.members.iter().copied().collect();
        let Some(frame) = encode(&ServerMsg::Message(message)) else { return Ok(()) };
        for member in members {
            state.deliver(member, frame.clone());
        }
        Ok(())
    }
}
