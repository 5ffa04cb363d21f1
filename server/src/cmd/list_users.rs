//! `ListUsers` and `ListUsersAfter`: who is online, in name order, a page at a time (see
//! `hub::pages`). `ListUsers`, from clients of the first release, gets the first page as a
//! plain list.

use anseo_shared::protocol::ServerMsg;

use super::CommandError;
use crate::clock::now_ms;
use crate::hub::{ClientId, Hub};

#[derive(Debug)]
pub struct ListUsers {
    /// The page after this name (`Some("")` for the first); `None` for the first release's
    /// unpaged `ListUsers`.
    pub after: Option<String>,
}

impl ListUsers {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<(), CommandError> {
        let state = hub.lock();
        let after = self.after.as_deref().filter(|after| !after.is_empty());
        let (users, more) = state.user_page(after);
        let reply = match self.after {
            None => ServerMsg::Users { users, ts: now_ms() },
            Some(_) => ServerMsg::UsersPage { users, more, ts: now_ms() },
        };
        state.send(me, &reply);
        Ok(())
    }
}
