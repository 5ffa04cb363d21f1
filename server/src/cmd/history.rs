//! `History`: a page of older messages of a room the client is in. Checked here, under the hub
//! lock; read from the store afterwards by [`send_page`], which also sends the pages that
//! follow a login or a join.

use anseo_shared::protocol::{ErrorCode, HistoryPage, MAX_HISTORY_PAGE, ServerMsg, normalize_room};

use super::CommandError;
use crate::clock::now_ms;
use crate::history::{HistoryRequest, Page, encode_fitting, into_room_message};

/// Reactions in one frame, at most (each well under 200 bytes).
const REACTIONS_PER_FRAME: usize = 2000;
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

/// Reads the page `request` asks for and queues it for `me` (an empty page without a store).
pub async fn send_page(hub: &Hub, me: ClientId, request: HistoryRequest) {
    let Page { messages, reactions } = match hub.history() {
        None => Page::default(),
        Some(reader) => match reader.read(&request).await {
            Ok(page) => page,
            Err(unavailable) => {
                hub.lock().send_error(me, ErrorCode::Unavailable, unavailable.to_string(), None);
                return;
            }
        },
    };
    let page = HistoryPage {
        room: request.room.clone(),
        messages: messages.into_iter().map(into_room_message).collect(),
        more: false,
        ts: now_ms(),
    };
    let Some(frame) = encode_fitting(page) else { return };
    let state = hub.lock();
    state.deliver(me, frame);
    // A page holds at most 200 messages, and each person one reaction on each.
    for chunk in reactions.chunks(REACTIONS_PER_FRAME) {
        state.send(me, &ServerMsg::Reactions { room: request.room.clone(), reactions: chunk.to_vec() });
    }
}
