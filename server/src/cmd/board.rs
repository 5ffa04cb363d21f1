//! `Board`: an operation on the whiteboard of a room the sender is in. The board's rules
//! ([`Board::check`](anseo_shared::board::Board::check)) decide whether it may happen; the
//! server numbers what it accepts, applies it to the room's board at once (so a client that
//! joins next gets it in its snapshot) and, with a store, sends it to the room's members once
//! it is written, like a message. A stroke that reaches its limit is cut there and ended, and
//! its author is told.

use anseo_shared::board::BoardRefusal;
use anseo_shared::protocol::{
    BoardEvent, BoardOp, BoardOpError, ErrorCode, ServerMsg, normalize_room, validate_board_op,
};

use super::CommandError;
use crate::clock::now_ms;
use crate::hub::{ClientId, Hub, encode};
use crate::store::{StoredBoardOp, WriteOp};

#[derive(Debug)]
pub struct Draw {
    pub room: String,
    pub op: BoardOp,
}

impl Draw {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<(), CommandError> {
        let room_name = normalize_room(&self.room).map_err(|e| CommandError::room_name(&self.room, e))?;
        validate_board_op(&self.op).map_err(malformed)?;

        let mut state = hub.lock();
        let by = state.user(me).map(|u| u.name.clone()).unwrap_or_default();
        let Some(room) = state.room_mut(&room_name) else {
            return Err(CommandError::new(ErrorCode::NoSuchRoom, format!("no room '{room_name}'")));
        };
        if !room.members.contains(&me) {
            let message = format!("you are not in '{}'; join it first", room.name);
            return Err(CommandError::new(ErrorCode::NotInRoom, message));
        }
        let creator = room.is_creator(&by);
        let checked = room.board.check(self.op, &by, creator, hub.limits().board).map_err(refused)?;
        let mut events = Vec::with_capacity(checked.ops.len());
        for op in checked.ops {
            let seq = room.board.seq() + 1;
            room.board.apply(seq, &by, &op);
            events.push(BoardEvent { room: room.name.clone(), seq, by: by.clone(), ts: now_ms(), op });
        }
        let members: Vec<ClientId> = room.members.iter().copied().collect();
        let recipients = state.chat_outboxes(members);
        for event in events {
            let stored = StoredBoardOp {
                room: event.room.clone(),
                seq: event.seq,
                by: by.clone(),
                op: event.op.clone(),
            };
            let Some(frame) = encode(&ServerMsg::Board(event)) else { continue };
            let deliver = {
                let recipients = recipients.clone();
                move || {
                    for outbox in &recipients {
                        outbox.push(frame.clone());
                    }
                }
            };
            let Some(store) = hub.store() else {
                deliver();
                continue;
            };
            // Everyone's copy of the board must stay the same as the server's, which has the
            // operation already: it is delivered even when it could not be written (and is
            // then lost at the next restart, which the log says).
            let failed = deliver.clone();
            let submitted = store.submit(WriteOp::Board(stored), move |committed| {
                if !committed {
                    tracing::error!("a board operation could not be written; it is lost at the next restart");
                }
                deliver();
            });
            if submitted.is_err() {
                tracing::error!("the store is busy; a board operation is not written");
                failed();
            }
        }
        if checked.cut {
            let max = hub.limits().board.max_stroke_points;
            return Err(refused(BoardRefusal::TooLong { max }));
        }
        Ok(())
    }
}

fn malformed(error: BoardOpError) -> CommandError {
    let code = match error {
        BoardOpError::TooManyPoints { .. } => ErrorCode::TooLong,
        BoardOpError::OffBoard { .. } | BoardOpError::BadWidth { .. } | BoardOpError::BadColour { .. } => {
            ErrorCode::Protocol
        }
    };
    CommandError::new(code, error.to_string())
}

fn refused(refusal: BoardRefusal) -> CommandError {
    let code = match refusal {
        BoardRefusal::NoSuchStroke(_) => ErrorCode::NotFound,
        BoardRefusal::NotYours(_)
        | BoardRefusal::NotCreator
        | BoardRefusal::Ended(_)
        | BoardRefusal::Duplicate(_) => ErrorCode::NotAllowed,
        BoardRefusal::Full { .. } | BoardRefusal::TooManyPoints { .. } => ErrorCode::BoardFull,
        BoardRefusal::TooLong { .. } => ErrorCode::TooLong,
    };
    CommandError::new(code, refusal.to_string())
}
