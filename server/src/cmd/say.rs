//! `Say`: a message to a room the sender is in. Encoded once and queued for every member, the
//! sender included (its copy, carrying its `client_msg_id`, is the confirmation). With a store,
//! the message is written first and delivered only once it is durable, so a confirmation
//! always means the message survives a crash. A message that could not be written is
//! answered `unavailable` and may be sent again with the same id.

use std::sync::Arc;

use anseo_shared::protocol::{Attachment, ErrorCode, ErrorReply, RoomMessage, ServerMsg, normalize_room};

use super::{CommandError, content};
use crate::clock::now_ms;
use crate::hub::{ClientId, Hub, HubHandle, encode};
use crate::outbox::Outbox;
use crate::store::{StoredMessage, WriteOp};

#[derive(Debug)]
pub struct Say {
    pub room: String,
    pub text: String,
    pub client_msg_id: u64,
    pub attachment: Option<Attachment>,
}

impl Say {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<(), CommandError> {
        let room_name = normalize_room(&self.room).map_err(|e| CommandError::room_name(&self.room, e))?;
        content::check(hub, &self.text, self.attachment.as_ref())?;

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
            attachment: self.attachment,
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
            attachment: message.attachment.clone(),
        };
        let Some(frame) = encode(&ServerMsg::Message(message)) else { return Ok(()) };
        let Some(store) = hub.store() else {
            for member in members {
                state.deliver(member, frame.clone());
            }
            return Ok(());
        };
        let recipients = state.chat_outboxes(members);
        let unsaved = Unsaved {
            hub: hub.handle(),
            instance: state.instance(me),
            sender: state.chat_outboxes([me]),
            client_msg_id: self.client_msg_id,
        };
        store
            .submit(WriteOp::RoomMessage(stored), move |committed| {
                if !committed {
                    return unsaved.refuse();
                }
                for outbox in recipients {
                    outbox.push(frame.clone());
                }
            })
            .map_err(|busy| {
                // Nothing was written: give the sequence number back so the room has no gap.
                if let Some(room) = state.room_mut(&room_name) {
                    room.last_seq -= 1;
                }
                state.forget_send(me, self.client_msg_id);
                CommandError::new(ErrorCode::Unavailable, busy.to_string())
            })
    }
}

/// A message (room or direct) whose write failed: its sender is told, so the client does not
/// wait for a confirmation that never comes, and its client message id is forgotten, so a
/// resend is posted instead of being answered `already_posted` (which a client takes as
/// confirmed).
pub(super) struct Unsaved {
    pub hub: HubHandle,
    /// The sender's client instance, if it resumes itself (its sends are recorded).
    pub instance: Option<u64>,
    /// The sender's chat queue (empty once it has left).
    pub sender: Vec<Arc<Outbox>>,
    pub client_msg_id: u64,
}

impl Unsaved {
    /// Forgets the send and answers the sender `unavailable`.
    pub fn refuse(self) {
        if let Some(instance) = self.instance {
            self.hub.lock().forget_sent(instance, self.client_msg_id);
        }
        let reply = ErrorReply {
            code: ErrorCode::Unavailable,
            message: "the message could not be saved; try again".to_string(),
            client_msg_id: Some(self.client_msg_id),
            ts: now_ms(),
        };
        if let Some(bytes) = encode(&ServerMsg::Error(reply)) {
            for outbox in self.sender {
                outbox.push(bytes.clone());
            }
        }
    }
}
