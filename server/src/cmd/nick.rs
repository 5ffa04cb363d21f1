//! `Nick`: change the sender's name. The new name must be valid and not held by anyone else
//! (ignoring case and look-alike characters) nor claimed by an account (nor a look-alike of
//! one); the old one becomes free. Everyone is told; the sender gets `Renamed`.

use anseo_shared::protocol::{ErrorCode, PresenceEvent, ServerMsg, fold_name, normalize_name};

use super::CommandError;
use crate::clock::now_ms;
use crate::hub::{Audience, ClientId, Hub};

#[derive(Debug)]
pub struct Nick {
    pub name: String,
}

impl Nick {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<(), CommandError> {
        let new = normalize_name(&self.name).map_err(|e| CommandError::user_name(&self.name, e))?;
        let mut state = hub.lock();
        if state.find_user(&new).is_some_and(|holder| holder != me) {
            return Err(CommandError::new(ErrorCode::NameTaken, format!("the name '{new}' is taken")));
        }
        let current = state.user(me).map(|u| fold_name(&u.name));
        if current.as_deref() != Some(fold_name(&new).as_str()) {
            if state.looks_claimed(&new) {
                let message = format!("the name '{new}' is claimed; log in with it and its password instead");
                return Err(CommandError::new(ErrorCode::NameTaken, message));
            }
            if hub.accounts().is_some_and(|accounts| accounts.required()) {
                let message = "on this server names are accounts: log in with another name instead";
                return Err(CommandError::new(ErrorCode::NameTaken, message));
            }
        }
        let Some(old) = state.rename(me, new.clone()) else { return Ok(()) };
        if old != new {
            let rooms = state.user(me).map(|user| user.rooms.clone()).unwrap_or_default();
            let event = PresenceEvent::Renamed { old: old.clone(), new: new.clone() };
            state.announce(event, Audience::User { name: &old, rooms: &rooms });
            tracing::info!("{old} is now {new}");
        }
        state.send(me, &ServerMsg::Renamed { old, new, ts: now_ms() });
        Ok(())
    }
}
