//! `History`: a page of older messages of a room the client is in. Checked here, under the hub
//! lock; read from the store afterwards by [`crate::history::send_page`].

use anseo_shared::protocol::{ErrorCode, MAX_HISTORY_PAGE, normalize_room};

use super::CommandError;
use crate::history::HistoryRequest;
use crate::hub::{ClientId, Hub};

#[derive(Debug)]
pub struct History {
    pub room: String,
    pub before: Option<u64>,
    pub limit: u32,
}

impl History {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<HistoryRequest, CommandError> {
        let name = normalize_room(&self.room).map_err(|e| CommandError::room_name(&self.room, e))?;
        let state = hub.lock();
        let Some(room) = state.room(&name) else {
            return Err(CommandError::new(ErrorCode::NoSuchRoom, format!("no room '{name}'")));
        };
        // Room messages reach members only, and so does their history.
        if !room.members.contains(&me) {
            let message = format!("you are not in '{}'; join it to read its history", room.name);
            return Err(CommandError::new(ErrorCode::NotInRoom, message));
        }
        Ok(HistoryRequest {
            room: room.name.clone(),
            before: self.before,
            limit: self.limit.clamp(1, MAX_HISTORY_PAGE),
            up_to: room.last_seq,
        })
    }
}
