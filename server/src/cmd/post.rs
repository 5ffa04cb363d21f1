//! Posting a room message: numbered in the room, written, and delivered to every member once
//! durable (the sender's copy, carrying its `client_msg_id`, is its confirmation). Said
//! messages, edits, deletions and moderation notices all go this way, so they share one
//! order and one way of catching up.

use std::sync::Arc;

use anseo_shared::protocol::{Attachment, ErrorCode, MessageKind, MessageState, RoomMessage, ServerMsg};
use bytes::Bytes;

use super::CommandError;
use super::say::Unsaved;
use crate::clock::now_ms;
use crate::hub::{ClientId, Hub, State, encode};
use crate::outbox::Outbox;
use crate::store::{StoredMessage, WriteOp};

/// A message to post in a room.
pub(super) struct Post {
    pub text: String,
    /// The sender's id for a said message (0 for edits, deletions and notices, which are not
    /// confirmed through the outbox).
    pub client_msg_id: u64,
    pub attachment: Option<Attachment>,
    pub kind: MessageKind,
}

/// Frames to queue for someone right after the message is delivered (a kicked user's `Left`).
pub(super) type After = Vec<(Arc<Outbox>, Bytes)>;

/// Posts `post` from `me` in room `key` (which exists, with `me` in it). On a busy store
/// nothing is posted and the room keeps its sequence without a gap.
pub(super) fn post(
    hub: &Hub,
    state: &mut State,
    me: ClientId,
    key: &str,
    post: Post,
    after: After,
) -> Result<(), CommandError> {
    let from = state.user(me).map(|u| u.name.clone()).unwrap_or_default();
    let instance = state.instance(me).unwrap_or(0);
    let id = state.next_message_id();
    let Some(room) = state.room_mut(key) else {
        return Err(CommandError::new(ErrorCode::NoSuchRoom, "the room is gone"));
    };
    room.last_seq += 1;
    let message = RoomMessage {
        id,
        room: room.name.clone(),
        seq: room.last_seq,
        from,
        text: post.text,
        ts: now_ms(),
        client_msg_id: post.client_msg_id,
        attachment: post.attachment,
        kind: post.kind,
        state: MessageState::AsSent,
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
        kind: message.kind.clone(),
        state: message.state,
    };
    let Some(frame) = encode(&ServerMsg::Message(message)) else { return Ok(()) };
    let Some(store) = hub.store() else {
        for member in members {
            state.deliver(member, frame.clone());
        }
        after.into_iter().for_each(|(outbox, frame)| _ = outbox.push(frame));
        return Ok(());
    };
    let recipients = state.chat_outboxes(members);
    let unsaved = Unsaved {
        hub: hub.handle(),
        instance: state.instance(me),
        sender: state.chat_outboxes([me]),
        client_msg_id: post.client_msg_id,
    };
    store
        .submit(WriteOp::RoomMessage(stored), move |committed| {
            if !committed {
                return unsaved.refuse();
            }
            for outbox in recipients {
                outbox.push(frame.clone());
            }
            after.into_iter().for_each(|(outbox, frame)| _ = outbox.push(frame));
        })
        .map_err(|busy| {
            // Nothing was written: give the sequence number back so the room has no gap.
            if let Some(room) = state.room_mut(key) {
                room.last_seq -= 1;
            }
            if post.client_msg_id != 0 {
                state.forget_send(me, post.client_msg_id);
            }
            CommandError::new(ErrorCode::Unavailable, busy.to_string())
        })
}
