//! `ListRooms`: every room with its topic and member count, in name order.

use anseo_shared::protocol::ServerMsg;

use super::CommandError;
use crate::hub::{ClientId, Hub, now_ms};

#[derive(Debug)]
pub struct ListRooms;

impl ListRooms {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<(), CommandError> {
        let state = hub.lock();
        state.send(me, &ServerMsg::Rooms { rooms: state.room_list(), ts: now_ms() });
        Ok(())
    }
}
