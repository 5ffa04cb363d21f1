//! Logging in and out: the only places users are added to or removed from the hub.
//!
//! Login builds the Welcome snapshot and subscribes the new user to the presence feed under
//! the same lock, so every presence event after `Welcome::presence_seq` reaches the user
//! exactly once, and everything up to it is reflected in the snapshot: none is lost.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::Arc;

use anseo_shared::protocol::{
    HISTORY_ON_JOIN, LOBBY, Limits, MAX_FRAME_LEN, PresenceEvent, Rejection, ServerMsg, Welcome, close_code,
    fold_name, name_skeleton,
};

use super::{Audience, ClientId, Hub, User};
use crate::clock::now_ms;
use crate::history::HistoryRequest;
use crate::outbox::Outbox;
use crate::presence::PresenceReceiver;

/// A successful login.
#[derive(Debug)]
pub struct LoggedIn {
    pub id: ClientId,
    /// Users online now, this one included.
    pub online: usize,
    /// The lobby's latest messages, to send after the Welcome.
    pub lobby_history: HistoryRequest,
    /// The presence events from the Welcome on, for the user's presence writer.
    pub presence: PresenceReceiver,
}

impl Hub {
    /// Logs `name` (already normalised) in, queues the Welcome on its chat outbox, and tells
    /// everyone (itself included) it is online and in the lobby.
    pub fn login(&self, name: String, chat: Outbox) -> Result<LoggedIn, Rejection> {
        self.login_as(name, chat, None, None)
    }

    /// Like [`Hub::login`], for a client connecting from `address` that resumes itself with
    /// this instance number.
    pub fn login_as(
        &self,
        name: String,
        chat: Outbox,
        instance: Option<u64>,
        address: Option<IpAddr>,
    ) -> Result<LoggedIn, Rejection> {
        let mut state = self.lock();
        // Taken: someone online has this name or a look-alike of it, or an account holds a
        // look-alike (an account holding this very name was checked before, with its password).
        let skeleton = name_skeleton(&name);
        let claimed_look_alike = state.looks_claimed(&name) && !state.is_claimed(&name);
        if state.skeletons.contains_key(&skeleton) || claimed_look_alike {
            return Err(Rejection::NameTaken { name });
        }
        if state.users.len() >= self.limits.max_clients {
            return Err(Rejection::ServerFull);
        }
        state.last_client_id += 1;
        let id = state.last_client_id;
        let lobby_key = fold_name(LOBBY);

        // The new user subscribes first, so it too gets its own Online and Joined, numbered at
        // or below `presence_seq` in its Welcome: a client drops those (the snapshot has
        // them), and its presence stream starts at once.
        let (presence, subscription) = state.presence.subscribe();
        let rooms = BTreeSet::from([lobby_key.clone()]);
        let user = User {
            name: name.clone(),
            rooms,
            chat: Arc::new(chat),
            presence: subscription,
            watching: Vec::new(),
            counting: false,
            instance,
            address,
            last_typing: None,
        };
        state.users.insert(id, user);
        state.names.insert(fold_name(&name), id);
        state.skeletons.insert(skeleton, id);
        state.announce(PresenceEvent::Online { user: name.clone() }, Audience::Online(id));
        let lobby = state.rooms.get_mut(&lobby_key).expect("the lobby always exists");
        lobby.members.insert(id);
        let joined = PresenceEvent::Joined {
            room: lobby.name.clone(),
            user: name.clone(),
            members: lobby.members.len() as u32,
            after_seq: lobby.last_seq,
        };
        state.announce(joined, Audience::Online(id));

        let lobby = &state.rooms[&lobby_key];
        let welcome = Welcome {
            name,
            room: lobby.name.clone(),
            limits: Limits {
                max_message_chars: self.limits.max_message_chars,
                max_frame_len: MAX_FRAME_LEN as u32,
            },
            users: state.welcome_users(),
            rooms: state.room_page(None).0,
            members: if lobby.members.len() == state.online() {
                Vec::new()
            } else {
                state.member_page(lobby)
            },
            presence_seq: state.presence_seq,
            send_rate: self.limits.send_rate,
            users_online: state.online() as u32,
            rooms_total: state.room_count() as u32,
            ts: now_ms(),
        };
        let lobby_history = HistoryRequest {
            room: lobby.name.clone(),
            before: None,
            limit: HISTORY_ON_JOIN,
            up_to: lobby.last_seq,
        };
        state.send(id, &ServerMsg::Welcome(welcome));
        state.send_board(id, &fold_name(LOBBY));
        Ok(LoggedIn { id, online: state.users.len(), lobby_history, presence })
    }

    /// Closes the session holding `name` if it belongs to the same client `instance` (a
    /// rejoin after a drop the server has not noticed yet). Returns whether it did.
    pub fn close_stale_session(&self, name: &str, instance: u64) -> bool {
        let state = self.lock();
        let Some(user) = state.find_user(name).and_then(|id| state.users.get(&id)) else { return false };
        if user.instance != Some(instance) {
            return false;
        }
        user.chat.close(close_code::NORMAL, "replaced by a new connection of the same client");
        true
    }

    /// Logs `id` out: it leaves each of its rooms, then goes offline, and everyone is told.
    /// Returns its last name and how many remain online (None if it was not logged in).
    pub fn logout(&self, id: ClientId) -> Option<(String, usize)> {
        let mut state = self.lock();
        // Removed first, which stops its presence writer and closes its chat queue: it gets
        // none of its own leave events.
        let user = state.users.remove(&id)?;
        state.forget_watches(id, user.watching);
        state.names.remove(&fold_name(&user.name));
        state.skeletons.remove(&name_skeleton(&user.name));
        for key in &user.rooms {
            state.remove_member_of(
                id,
                key,
                &user.name,
                Audience::User { name: &user.name, rooms: &user.rooms },
            );
        }
        let audience = Audience::User { name: &user.name, rooms: &user.rooms };
        state.announce(PresenceEvent::Offline { user: user.name.clone() }, audience);
        Some((user.name, state.users.len()))
    }
}
