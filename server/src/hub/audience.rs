//! Who hears a presence event. On a small server everyone online does (one append to the
//! shared ring). On a large one, announcing every login to everyone would make a login rush
//! cost the square of its size, so an event goes only to the people it concerns, as Discord's
//! lazy member lists and IRC's quits do:
//! - a user's login, logout, rename and lobby comings and goings go to those who watch that
//!   user (`ClientMsg::Watch`: the people a client shows) and to the members of the other
//!   rooms the user is in;
//! - a join or leave of another room goes to that room's members;
//! - a new room goes to everyone.
//!
//! Everyone else learns of such changes when they ask (`/users`, the room list).

use std::collections::BTreeSet;

use anseo_shared::protocol::{LOBBY, MAX_WATCHED, PresenceEvent, PresenceFrame, fold_name};

use super::{ClientId, State, encode};
use crate::clock::now_ms;
use crate::presence::Sequenced;

/// Users online up to which every presence event goes to everyone. Above it, a login
/// announced to all would cost each of them a wake-up and the server one write per client.
/// Measured with `anseo-bench storm` at 1,000 logins a second (bench/README.md): with 200
/// online, sending everything costs 900-1,150 µs of server CPU per login, against 750-850 µs
/// on a large server where presence goes by subscription; the gap grows with everyone online
/// (8.5 ms per login at 10,000 before), so past a few hundred it is not worth it.
pub const PRESENCE_FOR_EVERYONE_UP_TO: usize = 256;

/// The people a presence event concerns, on a large server.
pub enum Audience<'a> {
    Everyone,
    /// The members of the room with this key (the lobby's: see `User`).
    Room(&'a str),
    /// Those watching the user called `name`, and the members of `rooms` but the lobby.
    User {
        name: &'a str,
        rooms: &'a BTreeSet<String>,
    },
    /// `User` for the user with this id, who is online: looked up only on a large server, so
    /// a small one copies nothing to announce a join.
    Online(ClientId),
}

impl State {
    /// Whether presence events go to everyone online (a small server).
    pub fn presence_for_everyone(&self) -> bool {
        self.users.len() <= PRESENCE_FOR_EVERYONE_UP_TO
    }

    /// Numbers `event`, encodes it once and hands it to those who hear it.
    pub fn announce(&mut self, event: PresenceEvent, audience: Audience<'_>) {
        self.presence_seq += 1;
        let seq = self.presence_seq;
        let Some(frame) = encode(&PresenceFrame { seq, ts: now_ms(), event }) else { return };
        let event = Sequenced { seq, frame };
        if self.presence_for_everyone() {
            return self.presence.publish(event);
        }
        for id in self.audience(audience) {
            if let Some(user) = self.users.get(&id) {
                user.presence.send(event.clone());
            }
        }
    }

    /// The ids of those who hear an event for `audience`, each once.
    fn audience(&self, audience: Audience<'_>) -> Vec<ClientId> {
        let lobby = fold_name(LOBBY);
        let mut ids: Vec<ClientId> = match audience {
            Audience::Everyone => return self.users.keys().copied().collect(),
            Audience::Room(key) if *key == lobby => Vec::new(),
            Audience::Room(key) => {
                self.rooms.get(key).map(|room| room.members.iter().copied().collect()).unwrap_or_default()
            }
            Audience::User { name, rooms } => self.concerned(name, rooms, &lobby),
            Audience::Online(id) => match self.users.get(&id) {
                Some(user) => self.concerned(&user.name, &user.rooms, &lobby),
                None => Vec::new(),
            },
        };
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Those watching the user called `name`, and the members of `rooms` but the `lobby`.
    fn concerned(&self, name: &str, rooms: &BTreeSet<String>, lobby: &str) -> Vec<ClientId> {
        let watchers = self.watchers.get(&fold_name(name)).into_iter().flatten().copied();
        let shared = rooms
            .iter()
            .filter(|key| *key != lobby)
            .filter_map(|key| self.rooms.get(key))
            .flat_map(|room| room.members.iter().copied());
        watchers.chain(shared).collect()
    }

    /// Makes `id` watch `names` (folded, at most [`MAX_WATCHED`]) instead of whom it watched.
    pub fn watch(&mut self, id: ClientId, names: Vec<String>) {
        self.unwatch_all(id);
        let mut names: Vec<String> = names.iter().map(|name| fold_name(name)).collect();
        names.sort_unstable();
        names.dedup();
        names.truncate(MAX_WATCHED);
        for name in &names {
            self.watchers.entry(name.clone()).or_default().push(id);
        }
        if let Some(user) = self.users.get_mut(&id) {
            user.watching = names;
            user.counting = true;
        }
    }

    /// Stops `id` watching anyone (it logs out, or watches others).
    pub fn unwatch_all(&mut self, id: ClientId) {
        let watching = self.users.get_mut(&id).map(|user| std::mem::take(&mut user.watching));
        self.forget_watches(id, watching.unwrap_or_default());
    }

    /// Takes `id` off the watcher lists of `names`.
    pub fn forget_watches(&mut self, id: ClientId, names: Vec<String>) {
        for name in names {
            if let Some(watchers) = self.watchers.get_mut(&name) {
                watchers.retain(|watcher| *watcher != id);
                if watchers.is_empty() {
                    self.watchers.remove(&name);
                }
            }
        }
    }
}
