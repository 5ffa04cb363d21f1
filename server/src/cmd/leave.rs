//! `Leave`: step out of a room. The room stays (empty rooms persist); everyone is told.

use anseo_shared::protocol::{ErrorCode, ServerMsg, fold_name, normalize_room};

use super::CommandError;
use crate::clock::now_ms;
use crate::hub::{ClientId, Hub};

#[derive(Debug)]
pub struct Leave {
    pub room: String,
}

impl Leave {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<(), CommandError> {
        let name = normalize_room(&self.room).map_err(|e| CommandError::room_name(&self.room, e))?;
        let key = fold_name(&name);
        let mut state = hub.lock();
        let Some(room) = state.room(&key) else {
            return Err(CommandError::new(ErrorCode::NoSuchRoom, format!("no room '{name}'")));
        };
        let room_name = room.name.clone();
        if !room.members.contains(&me) {
            return Err(CommandError::new(ErrorCode::NotInRoom, format!("you are not in '{room_name}'")));
        }
        let user_name = state.user(me).map(|u| u.name.clone()).unwrap_or_default();
        state.remove_member(me, &key, &user_name);
        state.send(me, &ServerMsg::Left { room: room_name, ts: now_ms() });
        Ok(())
    }
}
