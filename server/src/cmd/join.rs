//! `Join`: enter a room, creating it (with the topic, if given) when it does not exist. A
//! topic given for an existing room is ignored. Everyone is told about the new room and the
//! join; the joiner gets the room and its members, then the room's latest messages.

use anseo_shared::protocol::{
    ErrorCode, HISTORY_ON_JOIN, ServerMsg, TextError, fold_name, normalize_room, validate_topic,
};

use super::CommandError;
use crate::clock::now_ms;
use crate::history::HistoryRequest;
use crate::hub::{ClientId, Hub};
use crate::store::{StoredRoom, WriteOp};

#[derive(Debug)]
pub struct Join {
    pub room: String,
    pub topic: Option<String>,
}

impl Join {
    /// Returns the history to send when the client was not in the room yet.
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<Option<HistoryRequest>, CommandError> {
        let name = normalize_room(&self.room).map_err(|e| CommandError::room_name(&self.room, e))?;
        let topic = self.topic.as_deref().map(str::trim).unwrap_or_default().to_string();
        validate_topic(&topic).map_err(|e| {
            let code = match e {
                TextError::TooLong { .. } => ErrorCode::TopicTooLong,
                TextError::Empty | TextError::ControlCharacter(_) => ErrorCode::InvalidText,
            };
            CommandError::new(code, format!("the topic is not allowed: {e}"))
        })?;

        let key = fold_name(&name);
        let mut state = hub.lock();
        let Some(user) = state.user(me) else { return Ok(None) };
        let already_in = user.rooms.contains(&key);
        if let Some(room) = state.room(&name).filter(|room| !already_in && room.order.is_banned(&user.name)) {
            let message = format!("you are banned from '{}'", room.name);
            return Err(CommandError::new(ErrorCode::NotAllowed, message));
        }
        if !already_in && user.rooms.len() >= hub.limits().max_rooms_per_user {
            let max = hub.limits().max_rooms_per_user;
            return Err(CommandError::new(
                ErrorCode::TooManyRooms,
                format!("you are in {max} rooms already, the most allowed; leave one first"),
            ));
        }
        if state.room(&name).is_none() {
            let max = hub.limits().max_rooms;
            if state.room_count() >= max {
                let message = format!("the server has {max} rooms, the most allowed; join an existing one");
                return Err(CommandError::new(ErrorCode::TooManyRooms, message));
            }
            if let Err(wait) = state.take_room_budget(me) {
                let minutes = wait.as_secs().div_ceil(60).max(1);
                let message = format!(
                    "you have created too many rooms lately; try again in {minutes} min, or join an existing one"
                );
                return Err(CommandError::new(ErrorCode::TooManyRooms, message));
            }
            if let Some(store) = hub.store() {
                let creator = state.user(me).map(|u| u.name.clone()).unwrap_or_default();
                let room = StoredRoom {
                    name: name.clone(),
                    topic: topic.clone(),
                    creator,
                    created_ms: now_ms(),
                    last_seq: 0,
                    board_seq: 0,
                };
                store
                    .submit(WriteOp::CreateRoom(room), |_| {})
                    .map_err(|busy| CommandError::new(ErrorCode::Unavailable, busy.to_string()))?;
            }
            let creator = state.user(me).map(|u| u.name.clone()).unwrap_or_default();
            state.create_room(name, topic, creator);
        }
        if !already_in {
            state.add_member(me, &key);
        }
        let room = state.room(&key).expect("the room exists now");
        let reply = ServerMsg::Joined {
            room: room.info(),
            members: state.member_page(room),
            ts: now_ms(),
            creator: room.creator.clone(),
        };
        let history = (!already_in).then(|| HistoryRequest {
            room: room.name.clone(),
            before: None,
            limit: HISTORY_ON_JOIN,
            up_to: room.last_seq,
        });
        state.send(me, &reply);
        state.send_board(me, &key);
        Ok(history)
    }
}
