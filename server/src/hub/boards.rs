//! Sending a room's whiteboard as it is: to a client that joins the room, and with the
//! lobby's after a login.

use anseo_shared::protocol::ServerMsg;

use super::{ClientId, State};

/// Points in one page of a board snapshot, at most (a point takes up to 6 bytes, so a page
/// stays far below the largest frame the server sends).
const SNAPSHOT_PAGE_POINTS: usize = 64 * 1024;

impl State {
    /// Queues the board of the room `key` for `to`, in pages, if anything was ever drawn on it
    /// (a client that hears nothing has the empty board it starts with).
    pub fn send_board(&self, to: ClientId, key: &str) {
        let Some(room) = self.rooms.get(key) else { return };
        if room.board.seq() == 0 {
            return;
        }
        for page in room.board.snapshot(&room.name, SNAPSHOT_PAGE_POINTS) {
            self.send(to, &ServerMsg::BoardState(page));
        }
    }
}
