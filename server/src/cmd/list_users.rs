//! `ListUsers`: everyone online, in name order.

use anseo_shared::protocol::ServerMsg;

use super::CommandError;
use crate::hub::{ClientId, Hub, now_ms};

#[derive(Debug)]
pub struct ListUsers;

impl ListUsers {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<(), CommandError> {
        let state = hub.lock();
        state.send(me, &ServerMsg::Users { users: state.user_names(), ts: now_ms() });
        Ok(())
    }
}
