//! The hub: who is online, which rooms exist and who is in them, and the counters that stamp
//! every event (presence sequence, message ids, per-room sequences).
//!
//! The state sits behind a std [`Mutex`], not an async one: everything done under it is quick
//! and never waits — state changes, encoding a frame, and `try_send` into each recipient's
//! bounded [`Outbox`]. The lock is therefore never held across an `.await`, which is what lets
//! one mutex serve every session without stalling the runtime (mini-redis does the same).
//!
//! Login and logout live in [`login`](self::login); each command's logic lives in
//! `crate::cmd`, on top of the helpers here.

mod audience;
mod boards;
pub mod counts;
mod login;
mod order;
mod pages;
mod room_budget;

pub use audience::{Audience, PRESENCE_FOR_EVERYONE_UP_TO};
pub use order::{MAX_ORDER_NAMES, RoomOrder, Standing};
pub use pages::LIST_PAGE_BYTES;
pub use room_budget::{RoomBudget, RoomCreationLimits};

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use anseo_shared::board::{Board, BoardLimits};
use anseo_shared::protocol::{
    ErrorCode, ErrorReply, LOBBY, PresenceEvent, RoomInfo, SendRate, ServerMsg, Stroke, encode_frame,
    fold_name, name_skeleton,
};
use bytes::Bytes;

use crate::accounts::Accounts;
use crate::blobs::BlobStore;
use crate::clock::now_ms;
use crate::history::HistoryReader;
use crate::outbox::Outbox;
use crate::presence::{PresenceFeed, Subscription};
use crate::store::{StoreWriter, StoredRole, StoredRoom};

pub use login::LoggedIn;

/// Client instances whose last message id the hub remembers, at most.
const MAX_INSTANCES: usize = 100_000;

/// Identifies one logged-in session for its whole life (names can change, ids do not).
pub type ClientId = u64;

/// Limits the hub enforces.
#[derive(Debug, Clone, Copy)]
pub struct HubLimits {
    /// Clients logged in at once, at most; more are rejected as `ServerFull`.
    pub max_clients: usize,
    /// Rooms one user may be in at once (the lobby included).
    pub max_rooms_per_user: usize,
    /// Rooms on the server at once, at most (rooms outlive their members, so this bounds
    /// what join/leave cycles can pile up).
    pub max_rooms: usize,
    /// Longest room message or direct message, in characters.
    pub max_message_chars: u32,
    /// How fast one client may send, announced in the Welcome so clients pace themselves.
    pub send_rate: SendRate,
    /// How many rooms one name, and one address, may create in an hour.
    pub room_creation: RoomCreationLimits,
    /// How much a room's whiteboard holds.
    pub board: BoardLimits,
    /// Presence events kept for clients that are behind (normally
    /// [`crate::presence::PRESENCE_BACKLOG`]; the ring is allocated whole at start).
    pub presence_backlog: usize,
}

/// The shared state of the server, one per process.
pub struct Hub {
    state: Arc<Mutex<State>>,
    limits: HubLimits,
    /// Where messages and rooms are written before anyone hears of them, and history read
    /// (none: in memory, without history).
    storage: Option<Storage>,
}

/// The store's writer, with the history and account readers beside it, and the store of
/// people's files.
pub struct Storage {
    pub writer: StoreWriter,
    pub history: HistoryReader,
    pub accounts: Accounts,
    pub blobs: BlobStore,
}

/// Everything the lock protects.
pub struct State {
    users: HashMap<ClientId, User>,
    /// Folded name (see [`fold_name`]) to the user holding it. Ordered, so name lists come
    /// out sorted without sorting them at each login.
    names: BTreeMap<String, ClientId>,
    /// Name skeleton (see [`name_skeleton`]) to the user holding it: the key that makes names
    /// unique, so that nobody logs in or renames into a look-alike of an online name.
    skeletons: HashMap<String, ClientId>,
    /// Folded room name to room: rooms are found ignoring case, like names.
    rooms: BTreeMap<String, Room>,
    /// The sequence number of the last presence event sent.
    presence_seq: u64,
    /// Where presence events go, once for everyone.
    presence: PresenceFeed,
    /// Folded name to the clients watching it (see [`audience`]).
    watchers: HashMap<String, Vec<ClientId>>,
    /// How many were online when last told (see [`counts`]).
    counted: u32,
    /// The last id given to a room or direct message.
    last_message_id: u64,
    /// Folded names claimed by accounts: nobody renames into them.
    claimed: HashSet<String>,
    /// The skeletons of the claimed names: nobody logs in or renames into a look-alike of a
    /// claimed name, whether its owner is online or not.
    claimed_skeletons: HashSet<String>,
    /// The highest client message id taken from each client instance: a send at or below it
    /// is a retry of something already posted.
    sent: HashMap<u64, u64>,
    last_client_id: ClientId,
    /// How many more rooms each name and address may create.
    room_budget: RoomBudget,
    /// Folded names of the server's admins (`--admin`).
    admins: HashSet<String>,
}

/// One logged-in user.
pub struct User {
    pub name: String,
    /// Keys of the rooms this user is in.
    pub rooms: BTreeSet<String>,
    /// Replies and chat, on the client's bidirectional stream. Shared so that a message
    /// waiting to be written can still be delivered after the commit.
    chat: Arc<Outbox>,
    /// Keeps the user's presence writer going (dropped at logout, it stops it), and takes
    /// the events for this user alone.
    presence: Subscription,
    /// The folded names this user watches (see [`audience`]).
    watching: Vec<String>,
    /// Whether the client has sent `Watch`: it understands the online count ([`counts`]).
    counting: bool,
    /// The client's instance number, when it resumes itself (see `RejoinRequest`).
    pub instance: Option<u64>,
    /// Where the client connects from (none for a hub driven without a network).
    pub address: Option<IpAddr>,
    /// When the user's last "is typing" went out (they go out at most every 3 s).
    pub last_typing: Option<std::time::Instant>,
}

/// One room. Rooms outlive their members; the lobby always exists.
pub struct Room {
    pub name: String,
    pub topic: String,
    pub members: BTreeSet<ClientId>,
    /// The sequence number of the room's last message (0 before the first).
    pub last_seq: u64,
    /// Who created it (empty for the lobby): who may clear its board.
    pub creator: String,
    /// Its whiteboard.
    pub board: Board,
    /// Its moderators, bans and mutes.
    pub order: RoomOrder,
}

/// What a hub starts from: the rooms and last message id of an earlier run.
#[derive(Debug, Default)]
pub struct Restored {
    pub rooms: Vec<StoredRoom>,
    pub last_message_id: u64,
    /// Folded names that are claimed by accounts.
    pub claimed: Vec<String>,
    /// The highest client message id stored per client instance.
    pub sent: Vec<(u64, u64)>,
    /// The strokes on every board, by room name, in the order they were begun.
    pub strokes: Vec<(String, Stroke)>,
    /// People's standing in rooms (moderators, bans, mutes).
    pub roles: Vec<StoredRole>,
}

impl Hub {
    /// A hub with nobody online and only the lobby, kept in memory.
    pub fn new(limits: HubLimits) -> Hub {
        Hub::restore(limits, Restored::default(), None)
    }

    /// A hub with the rooms and counters of an earlier run, writing to `storage`.
    pub fn restore(limits: HubLimits, restored: Restored, storage: Option<Storage>) -> Hub {
        let mut rooms = BTreeMap::new();
        rooms.insert(fold_name(LOBBY), Room::new(LOBBY.into(), String::new(), String::new()));
        let mut boards: HashMap<String, Vec<Stroke>> = HashMap::new();
        for (room, stroke) in restored.strokes {
            boards.entry(room).or_default().push(stroke);
        }
        for stored in restored.rooms {
            let strokes = boards.remove(&stored.name).unwrap_or_default();
            let room = Room {
                board: Board::restored(stored.board_seq, strokes),
                last_seq: stored.last_seq,
                ..Room::new(stored.name, stored.topic, stored.creator)
            };
            rooms.insert(fold_name(&room.name), room);
        }
        for role in restored.roles {
            if let Some(room) = rooms.get_mut(&fold_name(&role.room)) {
                room.order.restore(role.user, role.moderator, role.banned, role.muted_until);
            }
        }
        let state = State {
            users: HashMap::new(),
            names: BTreeMap::new(),
            skeletons: HashMap::new(),
            rooms,
            presence_seq: 0,
            presence: PresenceFeed::new(limits.presence_backlog),
            watchers: HashMap::new(),
            counted: 0,
            last_message_id: restored.last_message_id,
            // A folded name has the skeleton of the name, so the store's keys serve.
            claimed_skeletons: restored.claimed.iter().map(|key| name_skeleton(key)).collect(),
            claimed: restored.claimed.into_iter().collect(),
            sent: restored.sent.into_iter().collect(),
            last_client_id: 0,
            room_budget: RoomBudget::new(limits.room_creation),
            admins: HashSet::new(),
        };
        Hub { state: Arc::new(Mutex::new(state)), limits, storage }
    }

    /// The store, if the hub writes to one.
    pub fn store(&self) -> Option<&StoreWriter> {
        self.storage.as_ref().map(|storage| &storage.writer)
    }

    /// The accounts, if the hub has a store.
    pub fn accounts(&self) -> Option<&Accounts> {
        self.storage.as_ref().map(|storage| &storage.accounts)
    }

    /// People's files, by hash, if the hub has a store (`--no-store` keeps no files).
    pub fn blobs(&self) -> Option<&BlobStore> {
        self.storage.as_ref().map(|storage| &storage.blobs)
    }

    /// Where history is read, if the hub has a store.
    pub fn history(&self) -> Option<&HistoryReader> {
        self.storage.as_ref().map(|storage| &storage.history)
    }

    pub fn limits(&self) -> HubLimits {
        self.limits
    }

    /// Locks the state. A panic while it was held poisons nothing we rely on (every change is
    /// made in an order that leaves the state consistent), so a poisoned lock is taken over.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A handle on the state that outlives this borrow, for a write's completion (which runs
    /// on the store's thread after the command has returned). Nothing that holds the lock
    /// waits for the store, so taking it there cannot deadlock.
    pub fn handle(&self) -> HubHandle {
        HubHandle(self.state.clone())
    }
}

/// The hub's state, reachable from a store completion (see [`Hub::handle`]).
pub struct HubHandle(Arc<Mutex<State>>);

impl HubHandle {
    /// Locks the state, like [`Hub::lock`].
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl State {
    /// The user with this id, if still online.
    pub fn user(&self, id: ClientId) -> Option<&User> {
        self.users.get(&id)
    }

    pub fn user_mut(&mut self, id: ClientId) -> Option<&mut User> {
        self.users.get_mut(&id)
    }

    /// The id of the online user called `name`, or a name that looks like it (ignoring case
    /// and look-alike characters: at most one user online holds a [`name_skeleton`]).
    pub fn find_user(&self, name: &str) -> Option<ClientId> {
        self.skeletons.get(&name_skeleton(name)).copied()
    }

    /// Whether an account holds `name` (ignoring case).
    pub fn is_claimed(&self, name: &str) -> bool {
        self.claimed.contains(&fold_name(name))
    }

    /// Whether an account holds `name` or a name that looks like it.
    pub fn looks_claimed(&self, name: &str) -> bool {
        self.claimed_skeletons.contains(&name_skeleton(name))
    }

    /// `name` is claimed from now on.
    pub fn mark_claimed(&mut self, name: &str) {
        self.claimed.insert(fold_name(name));
        self.claimed_skeletons.insert(name_skeleton(name));
    }

    /// Records a send from `me` with `client_msg_id`; `false` when its client already sent it
    /// (a retry after a drop), which must not be posted again.
    pub fn first_send(&mut self, me: ClientId, client_msg_id: u64) -> bool {
        let Some(instance) = self.users.get(&me).and_then(|user| user.instance) else { return true };
        if self.sent.len() >= MAX_INSTANCES && !self.sent.contains_key(&instance) {
            // Forget the instances that sent least recently: drop the smallest half.
            let mut highest: Vec<u64> = self.sent.values().copied().collect();
            highest.sort_unstable();
            let cut = highest[highest.len() / 2];
            self.sent.retain(|_, id| *id > cut);
        }
        let highest = self.sent.entry(instance).or_insert(0);
        if client_msg_id <= *highest {
            return false;
        }
        *highest = client_msg_id;
        true
    }

    /// Undoes [`State::first_send`] for a send that could not be posted after all.
    pub fn forget_send(&mut self, me: ClientId, client_msg_id: u64) {
        if let Some(instance) = self.instance(me) {
            self.forget_sent(instance, client_msg_id);
        }
    }

    /// Undoes [`State::first_send`] for client `instance` (which may have reconnected since).
    pub fn forget_sent(&mut self, instance: u64, client_msg_id: u64) {
        if let Some(highest) = self.sent.get_mut(&instance)
            && *highest == client_msg_id
        {
            *highest = client_msg_id - 1;
        }
    }

    /// The client instance of `me`, if it resumes itself.
    pub fn instance(&self, me: ClientId) -> Option<u64> {
        self.users.get(&me).and_then(|user| user.instance)
    }

    /// How many users are online.
    pub fn online(&self) -> usize {
        self.users.len()
    }

    /// The room called `name` (ignoring case), with its key.
    pub fn room(&self, name: &str) -> Option<&Room> {
        self.rooms.get(&fold_name(name))
    }

    pub fn room_mut(&mut self, name: &str) -> Option<&mut Room> {
        self.rooms.get_mut(&fold_name(name))
    }

    /// Everyone online, in name order.
    pub fn user_names(&self) -> Vec<String> {
        self.names.values().filter_map(|id| self.users.get(id)).map(|u| u.name.clone()).collect()
    }

    /// The members of `room`, in name order.
    pub fn member_names(&self, room: &Room) -> Vec<String> {
        if room.members.len() == self.users.len() {
            // Everyone (the usual lobby): no need to look at the member set.
            return self.user_names();
        }
        if room.members.len() * 8 >= self.users.len() {
            // A large room: walking the ordered names beats sorting.
            let members = self.names.values().filter(|id| room.members.contains(id));
            return members.filter_map(|id| self.users.get(id)).map(|u| u.name.clone()).collect();
        }
        let mut names: Vec<String> =
            room.members.iter().filter_map(|id| self.users.get(id)).map(|u| u.name.clone()).collect();
        names.sort_by_cached_key(|name| fold_name(name));
        names
    }

    /// How many rooms exist.
    pub fn room_count(&self) -> usize {
        self.rooms.len()
    }

    /// Every room, in name order.
    pub fn room_list(&self) -> Vec<RoomInfo> {
        self.rooms.values().map(Room::info).collect()
    }

    /// The last message id given (0 before the first).
    pub fn last_message_id(&self) -> u64 {
        self.last_message_id
    }

    /// The next server-wide message id.
    pub fn next_message_id(&mut self) -> u64 {
        self.last_message_id += 1;
        self.last_message_id
    }

    /// Takes one room from the creation budget of `creator`'s name and address; refused with
    /// the time until the next one.
    pub fn take_room_budget(&mut self, creator: ClientId) -> Result<(), std::time::Duration> {
        let Some(user) = self.users.get(&creator) else { return Ok(()) };
        let (name, address) = (user.name.clone(), user.address);
        self.room_budget.take(&name, address, std::time::Instant::now())
    }

    /// Creates a room (which must not exist yet) and tells everyone.
    pub fn create_room(&mut self, name: String, topic: String, creator: String) {
        let room = Room::new(name, topic, creator);
        let info = room.info();
        self.rooms.insert(fold_name(&room.name), room);
        self.announce(PresenceEvent::RoomCreated { room: info }, Audience::Everyone);
    }

    /// Puts `id` into the existing room `key` and tells everyone. Returns false if the room
    /// does not exist.
    pub fn add_member(&mut self, id: ClientId, key: &str) -> bool {
        let (Some(room), Some(user)) = (self.rooms.get_mut(key), self.users.get_mut(&id)) else {
            return false;
        };
        room.members.insert(id);
        user.rooms.insert(key.to_string());
        let event = PresenceEvent::Joined {
            room: room.name.clone(),
            user: user.name.clone(),
            members: room.members.len() as u32,
            after_seq: room.last_seq,
        };
        self.announce(event, room_audience(key, Audience::Online(id)));
        true
    }

    /// Takes `id` out of room `key` and tells everyone.
    pub fn remove_member(&mut self, id: ClientId, key: &str, user_name: &str) {
        if let Some(user) = self.users.get_mut(&id) {
            user.rooms.remove(key);
        }
        self.remove_member_of(id, key, user_name, Audience::Online(id));
    }

    /// Takes `id` out of room `key` and tells its members, or `user` (those the user's
    /// comings and goings concern) where `key` is the lobby.
    fn remove_member_of(&mut self, id: ClientId, key: &str, user_name: &str, user: Audience<'_>) {
        let Some(room) = self.rooms.get_mut(key) else { return };
        if !room.members.remove(&id) {
            return;
        }
        let event = PresenceEvent::Left {
            room: room.name.clone(),
            user: user_name.to_string(),
            members: room.members.len() as u32,
            after_seq: room.last_seq,
        };
        self.announce(event, room_audience(key, user));
    }

    /// Renames the user `id`, keeping the name index in step.
    pub fn rename(&mut self, id: ClientId, new: String) -> Option<String> {
        let user = self.users.get_mut(&id)?;
        let old = std::mem::replace(&mut user.name, new.clone());
        self.names.remove(&fold_name(&old));
        self.skeletons.remove(&name_skeleton(&old));
        self.names.insert(fold_name(&new), id);
        self.skeletons.insert(name_skeleton(&new), id);
        Some(old)
    }

    /// Encodes `msg` and queues it for `to`.
    pub fn send(&self, to: ClientId, msg: &ServerMsg) {
        if let Some(bytes) = encode(msg) {
            self.deliver(to, bytes);
        }
    }

    /// The chat queues of `ids` (those still online), for delivery after a commit.
    pub fn chat_outboxes(&self, ids: impl IntoIterator<Item = ClientId>) -> Vec<Arc<Outbox>> {
        ids.into_iter().filter_map(|id| self.users.get(&id)).map(|user| user.chat.clone()).collect()
    }

    /// Queues an already-encoded chat frame for `to`.
    pub fn deliver(&self, to: ClientId, frame: Bytes) {
        if let Some(user) = self.users.get(&to) {
            user.chat.push(frame);
        }
    }

    /// Sends `to` a typed error.
    pub fn send_error(&self, to: ClientId, code: ErrorCode, message: String, client_msg_id: Option<u64>) {
        let reply = ErrorReply { code, message, client_msg_id, ts: now_ms() };
        self.send(to, &ServerMsg::Error(reply));
    }
}

impl Room {
    /// A room without members, messages or strokes.
    pub fn new(name: String, topic: String, creator: String) -> Room {
        Room {
            name,
            topic,
            members: BTreeSet::new(),
            last_seq: 0,
            creator,
            board: Board::default(),
            order: RoomOrder::default(),
        }
    }

    /// Whether `name` created the room.
    pub fn is_creator(&self, name: &str) -> bool {
        !self.creator.is_empty() && fold_name(&self.creator) == fold_name(name)
    }

    /// The room as listed to clients.
    pub fn info(&self) -> RoomInfo {
        RoomInfo { name: self.name.clone(), topic: self.topic.clone(), members: self.members.len() as u32 }
    }
}

/// Encodes one frame; a frame that cannot be encoded (larger than the frame limit, which the
/// input limits rule out) is logged and dropped.
/// Who hears that a user came into or left the room `key`: its members; on a large server,
/// the lobby's comings and goings are news only for those the user concerns (`user`).
fn room_audience<'a>(key: &'a str, user: Audience<'a>) -> Audience<'a> {
    match key == fold_name(LOBBY) {
        true => user,
        false => Audience::Room(key),
    }
}

pub fn encode<T: serde::Serialize>(msg: &T) -> Option<Bytes> {
    match encode_frame(msg) {
        Ok(bytes) => Some(bytes),
        Err(error) => {
            tracing::error!(%error, "could not encode a frame");
            None
        }
    }
}

#[cfg(test)]
mod tests;
