//! `Watch`: the people whose comings and goings this client wants to hear of on a large
//! server (see [`crate::hub::Audience`]). Replaces whom it watched; no answer.

use crate::hub::{ClientId, Hub};

#[derive(Debug)]
pub struct Watch {
    pub users: Vec<String>,
}

impl Watch {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<(), super::CommandError> {
        hub.lock().watch(me, self.users);
        Ok(())
    }
}
