//! `Say`: a message to a room the sender is in. Encoded once and queued for every member, the
//! sender included (its copy, carrying its `client_msg_id`, is the confirmation). With a store,
//! the message is written first and delivered only once it is durable, so a confirmation
//! always means the message survives a crash. A message that could not be written is
//! answered `unavailable` and may be sent again with the same id.

use std::sync::Arc;

use anseo_shared::protocol::{Attachment, ErrorCode, ErrorReply, MessageKind, ServerMsg, normalize_room};

use super::post::Post;
use super::{CommandError, access, content};
use crate::clock::now_ms;
use crate::hub::{ClientId, Hub, HubHandle, encode};
use crate::outbox::Outbox;

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
        let room = access::member_room(&state, &room_name, me)?;
        access::not_muted(&state, room, me)?;
        if !state.first_send(me, self.client_msg_id) {
            return Err(CommandError::new(ErrorCode::AlreadyPosted, "already posted"));
        }
        let post = Post {
            text: self.text,
            client_msg_id: self.client_msg_id,
            attachment: self.attachment,
            kind: MessageKind::Said,
        };
        super::post::post(hub, &mut state, me, &room_name, post, Vec::new())
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
