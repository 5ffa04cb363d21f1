//! What commands about a room's messages check first: the room exists, the sender is in it,
//! and (to post) is not muted there.

use anseo_shared::protocol::ErrorCode;

use super::CommandError;
use crate::clock::now_ms;
use crate::hub::{ClientId, Room, State};

/// The room called `name` with `me` among its members, or why not.
pub(super) fn member_room<'a>(state: &'a State, name: &str, me: ClientId) -> Result<&'a Room, CommandError> {
    let Some(room) = state.room(name) else {
        return Err(CommandError::new(ErrorCode::NoSuchRoom, format!("no room '{name}'")));
    };
    if !room.members.contains(&me) {
        let message = format!("you are not in '{}'; join it first", room.name);
        return Err(CommandError::new(ErrorCode::NotInRoom, message));
    }
    Ok(room)
}

/// Refuses `me` while they are muted in `room` (saying until when).
pub(super) fn not_muted(state: &State, room: &Room, me: ClientId) -> Result<(), CommandError> {
    let name = state.user(me).map(|u| u.name.as_str()).unwrap_or_default();
    match room.order.muted_until(name, now_ms()) {
        Some(until) => Err(muted(&room.name, until)),
        None => Ok(()),
    }
}

/// The refusal of a muted user's message: until when, in minutes from now and in UTC.
fn muted(room: &str, until: u64) -> CommandError {
    let minutes = until.saturating_sub(now_ms()).div_ceil(60_000);
    let secs = until / 1000;
    let (hours, mins) = ((secs / 3600) % 24, (secs / 60) % 60);
    let message = format!(
        "you are muted in '{room}' for {minutes} more minute{} (until {hours:02}:{mins:02} UTC)",
        if minutes == 1 { "" } else { "s" }
    );
    CommandError::new(ErrorCode::Muted, message)
}
