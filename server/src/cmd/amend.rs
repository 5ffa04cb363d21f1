//! `Edit` and `Delete`: changing or removing an earlier room message. Checked in two steps:
//! under the hub lock what the hub knows (the room, membership, the text, a mute), then,
//! once the lock is released, the message itself from the store (who sent it, whether it is
//! still there) by [`amend`], which posts the edit or deletion as a room message of its own
//! kind. The sender may edit and delete their own said messages; the room's owner, its
//! moderators and the server's admins may delete anyone's.

use anseo_shared::protocol::{ErrorCode, MessageKind, MessageState, fold_name, normalize_room};

use super::post::{Post, post};
use super::{CommandError, access, content};
use crate::hub::{ClientId, Hub, Standing};

#[derive(Debug)]
pub struct Amend {
    pub room: String,
    pub id: u64,
    /// The new text; `None` deletes the message.
    pub text: Option<String>,
}

/// An edit or deletion to check against the stored message once the hub lock is released.
#[derive(Debug, Clone)]
pub struct AmendRequest {
    room: String,
    id: u64,
    text: Option<String>,
    /// Whether the asker may delete others' messages in the room.
    moderates: bool,
}

impl Amend {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<AmendRequest, CommandError> {
        let room_name = normalize_room(&self.room).map_err(|e| CommandError::room_name(&self.room, e))?;
        if let Some(text) = &self.text {
            content::check(hub, text, None)?;
        }
        if hub.history().is_none() {
            let message =
                "this server keeps no history (--no-store), so messages cannot be edited or deleted";
            return Err(CommandError::new(ErrorCode::Unavailable, message));
        }
        let state = hub.lock();
        let room = access::member_room(&state, &room_name, me)?;
        access::not_muted(&state, room, me)?;
        let moderates = state.standing_of(room, me) >= Standing::Moderator;
        Ok(AmendRequest { room: room.name.clone(), id: self.id, text: self.text, moderates })
    }
}

/// Checks the request against the stored message and posts the edit or deletion.
pub async fn amend(hub: &Hub, me: ClientId, request: AmendRequest) {
    let result = check_and_post(hub, me, request).await;
    if let Err(error) = result {
        hub.lock().send_error(me, error.code, error.message, None);
    }
}

async fn check_and_post(hub: &Hub, me: ClientId, request: AmendRequest) -> Result<(), CommandError> {
    let Some(reader) = hub.history() else { return Ok(()) };
    let AmendRequest { room, id, text, moderates } = request;
    let not_found =
        || CommandError::new(ErrorCode::NotFound, format!("there is no message {id} in '{room}'"));
    let target = reader
        .target(&room, id)
        .await
        .map_err(|unavailable| CommandError::new(ErrorCode::Unavailable, unavailable.to_string()))?
        .ok_or_else(not_found)?;
    if target.kind != MessageKind::Said {
        return Err(CommandError::new(
            ErrorCode::NotAllowed,
            format!("message {id} is a notice, not something said"),
        ));
    }
    if target.state == MessageState::Deleted {
        return Err(CommandError::new(ErrorCode::NotFound, format!("message {id} was deleted")));
    }
    let mut state = hub.lock();
    let me_name = state.user(me).map(|u| u.name.clone()).unwrap_or_default();
    let own = fold_name(&target.sender) == fold_name(&me_name);
    let (kind, text) = match text {
        Some(_) if !own => {
            let message = format!("only {} can edit message {id}", target.sender);
            return Err(CommandError::new(ErrorCode::NotAllowed, message));
        }
        Some(text) => (MessageKind::Edit { id }, text),
        None if !own && !moderates => {
            let message =
                format!("only {} or a moderator of '{room}' can delete message {id}", target.sender);
            return Err(CommandError::new(ErrorCode::NotAllowed, message));
        }
        None => (MessageKind::Delete { id }, String::new()),
    };
    // Still in the room (the store was read without the lock)?
    if !state.room(&room).is_some_and(|r| r.members.contains(&me)) {
        return Err(CommandError::new(ErrorCode::NotInRoom, format!("you are not in '{room}'")));
    }
    post(hub, &mut state, me, &room, Post { text, client_msg_id: 0, attachment: None, kind }, Vec::new())
}
