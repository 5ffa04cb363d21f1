//! Who is online, as far as this app knows. On a small server the Welcome lists everyone and
//! every login and logout is heard. On a large one the Welcome lists a screenful and the
//! count, the server tells this client only of the people it watches (the client core adds
//! the people of its direct conversations) and pushes the count every few seconds when it
//! changed, and "Show everyone" fetches the whole list (names in it beyond those watched may
//! leave unheard until it is fetched again).

use anseo_shared::protocol::MAX_WATCHED;

use super::{Chat, Command};

impl Chat {
    /// How many people are online, as far as this app knows: the server's count where it
    /// pushes one, else at least the names in the list.
    pub fn online_count(&self) -> usize {
        match self.count_pushed {
            true => self.users_online,
            false => self.users_online.max(self.users.len()),
        }
    }

    /// How many are in `room`: the server's count, which on a large server is more than the
    /// members this app knows of (the lobby's Welcome names a screenful).
    pub fn member_count(&self, room: &str) -> usize {
        let known = self.rooms.get(room).map_or(0, |r| r.members.len());
        self.directory.get(room).map_or(known, |info| info.members as usize)
    }

    /// Whether more people are online than the list shows (a large server).
    pub fn more_online(&self) -> bool {
        self.users_online > self.users.len()
    }

    /// Someone came online (`true`) or went offline, who was not (or was) in the list.
    pub(super) fn count_online(&mut self, came: bool) {
        self.users_online = match (self.count_pushed, came) {
            (true, true) => self.users_online + 1,
            (true, false) => self.users_online.saturating_sub(1),
            (false, true) => self.users_online.max(self.users.len() - 1) + 1,
            (false, false) => self.users_online.max(self.users.len() + 1) - 1,
        };
    }

    /// The people to watch, when they changed since last asked: the top of the user list,
    /// which is what the list shows first. Asked after every network event, so an unchanged
    /// list is only compared, not copied.
    pub fn watch_to_send(&mut self) -> Option<Command> {
        if self.shown().eq(self.watched.iter()) {
            return None;
        }
        self.watched = self.shown().cloned().collect();
        Some(Command::Watch { users: self.watched.clone() })
    }

    /// The top of the user list, without this user.
    fn shown(&self) -> impl Iterator<Item = &String> {
        self.users.iter().filter(|user| **user != self.me).take(MAX_WATCHED)
    }
}
