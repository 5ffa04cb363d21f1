//! `Say`: a message to a room the sender is in. Encoded once and queued for every member, the
//! sender included (its copy, carrying its `client_msg_id`, is the confirmation). With a store,
//! the message is written first and delivered only once it is durable, so a confirmation
//! always means the message survives a crash.

use anseo_shared::protocol::{ErrorCode, ErrorReply, RoomMessage, ServerMsg, normalize_room, validate_text};

use super::CommandError;
use crate::hub::{ClientId, Hub, encode, now_ms};
use crate::store::{StoredMessage, WriteOp};

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
        if !state.first_send(me, self.client_msg_id) {
            return Err(CommandError::new(ErrorCode::AlreadyPosted, "already posted"));
        }
        let from = state.user(me).map(|u| u.name.clone()).unwrap_or_default();
        let instance = state.instance(me).unwrap_or(0);
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
        let stored = StoredMessage {
            room: message.room.clone(),
            seq: message.seq,
            id: message.id,
            sender: message.from.clone(),
            text: message.text.clone(),
            ts_ms: message.ts,
            client_msg_id: message.client_msg_id,
            instance,
        };
        let Some(frame) = encode(&ServerMsg::Message(message)) else { return Ok(()) };
        let Some(store) = hub.store() else {
            for member in members {
                state.deliver(member, frame.clone());
            }
            return Ok(());
        };
        let recipients = state.chat_outboxes(members);
        let sender = state.chat_outboxes([me]);
        let client_msg_id = self.client_msg_id;
        store
            .submit(WriteOp::RoomMessage(stored), move |committed| {
                if committed {
                    for outbox in recipients {
                        outbox.push(frame.clone());
                    }
                } else {
                    let message = "the message could not be saved; try again".to_string();
                    let reply = ErrorReply {
                        code: ErrorCode::Unavailable,
                        message,
                        client_msg_id: Some(client_msg_id),
                        ts: now_ms(),
                    };
                    if let Some(bytes) = encode(&ServerMsg::Error(reply)) {
                        sender.iter().for_each(|outbox| {
                            outbox.push(bytes.clone());
                        });
                    }
                }
            })
            .map_err(|busy| {
                // Nothing was written: give the sequence number back so the room has no gap.
                if let Some(room) = state.room_mut(&room_name) {
                    room.last_seq -= 1;
                }
                state.forget_send(me, client_msg_id);
                CommandError::new(ErrorCode::Unavailable, busy.to_string())
            })
    }
}
