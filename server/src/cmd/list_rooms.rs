//! `ListRooms` and `ListRoomsAfter`: every room with its topic and member count, in name
//! order, a page at a time (see `hub::pages`). `ListRooms`, from clients of the first release,
//! gets the first page as a plain list.

use anseo_shared::protocol::ServerMsg;

use super::CommandError;
use crate::clock::now_ms;
use crate::hub::{ClientId, Hub};

#[derive(Debug)]
pub struct ListRooms {
    /// The page after this room name (`Some("")` for the first); `None` for the first
    /// release's unpaged `ListRooms`.
    pub after: Option<String>,
}

impl ListRooms {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<(), CommandError> {
        let state = hub.lock();
        let after = self.after.as_deref().filter(|after| !after.is_empty());
        let (rooms, more) = state.room_page(after);
        let reply = match self.after {
            None => ServerMsg::Rooms { rooms, ts: now_ms() },
            Some(_) => ServerMsg::RoomsPage { rooms, more, ts: now_ms() },
        };
        state.send(me, &reply);
        Ok(())
    }
}
