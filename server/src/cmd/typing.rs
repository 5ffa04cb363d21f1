//! `Typing`: the sender is typing in a room or to one user. Passed on at once to the others
//! there (never stored, never queued for anyone offline), at most once every
//! [`TYPING_EVERY_MS`] per person: what comes faster is dropped without an answer.

use std::time::{Duration, Instant};

use anseo_shared::protocol::{ErrorCode, Place, ServerMsg, TYPING_EVERY_MS, normalize_name, normalize_room};

use super::CommandError;
use crate::clock::now_ms;
use crate::hub::{ClientId, Hub, encode};

#[derive(Debug)]
pub struct Typing {
    pub place: Place,
}

impl Typing {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<(), CommandError> {
        let mut state = hub.lock();
        let now = Instant::now();
        let Some(user) = state.user_mut(me) else { return Ok(()) };
        let every = Duration::from_millis(TYPING_EVERY_MS);
        // A little slack: a client's 3 s and the server's are not the same clock.
        if user.last_typing.is_some_and(|last| now.duration_since(last) < every.mul_f64(0.9)) {
            return Ok(());
        }
        user.last_typing = Some(now);
        let from = user.name.clone();
        let (place, recipients) = match self.place {
            Place::Room(room) => {
                let name = normalize_room(&room).map_err(|e| CommandError::room_name(&room, e))?;
                let Some(room) = state.room(&name) else {
                    return Err(CommandError::new(ErrorCode::NoSuchRoom, format!("no room '{name}'")));
                };
                if !room.members.contains(&me) {
                    let message = format!("you are not in '{}'; join it first", room.name);
                    return Err(CommandError::new(ErrorCode::NotInRoom, message));
                }
                let others: Vec<ClientId> = room.members.iter().copied().filter(|id| *id != me).collect();
                (Place::Room(room.name.clone()), others)
            }
            Place::Direct(to) => {
                let to = normalize_name(&to).map_err(|e| CommandError::user_name(&to, e))?;
                // Nobody to tell when they are offline: a typing signal is not worth keeping.
                let Some(recipient) = state.find_user(&to).filter(|id| *id != me) else { return Ok(()) };
                (Place::Direct(from.clone()), vec![recipient])
            }
        };
        let Some(frame) = encode(&ServerMsg::Typing { place, from, ts: now_ms() }) else { return Ok(()) };
        for recipient in recipients {
            state.deliver(recipient, frame.clone());
        }
        Ok(())
    }
}
