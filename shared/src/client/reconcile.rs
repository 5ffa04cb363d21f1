//! The heart of a resilient session, without IO: [`Reconcile`] takes the server's frames, the
//! caller's commands and the time, and gives out the frames to send ([`poll_transmit`]) and
//! the caller's [`ChatEvent`]s ([`poll_event`]), in the style of quinn-proto. It owns what a
//! session must remember across connections: the rooms this user is in and the last message
//! passed on in each, the name, the presence sequence, the outbox ([`Outbox`]: sends not
//! confirmed yet, paced commands), the list pages being collected, and after a reconnect the
//! catch-up of every room back to the last message passed on.
//!
//! No sockets, no tokio, no clock: the IO shell (`resume.rs`) reads frames, passes them in,
//! sends what comes out, and calls [`handle_timeout`] when [`poll_timeout`] says.
//!
//! [`poll_transmit`]: Reconcile::poll_transmit
//! [`poll_event`]: Reconcile::poll_event
//! [`poll_timeout`]: Reconcile::poll_timeout
//! [`handle_timeout`]: Reconcile::handle_timeout

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use web_time::Instant;

mod watch;

use self::watch::Watchlist;
use super::chat_event::{ChatEvent, Presence};
use super::outbox::{Answer, Destination, Outbox, Outcome, Outgoing};
use crate::board::Board;
use crate::protocol::{
    BoardEvent, BoardSnapshot, ClientMsg, DirectMessage, ErrorCode, ErrorReply, HistoryPage,
    MAX_HISTORY_PAGE, MessageKind, PresenceFrame, RoomInfo, RoomMessage, ServerMsg, Welcome, fold_name,
};

/// How long catching up after a reconnect may take; then the session goes on without the
/// rooms whose pages did not come (their rejoin was refused).
pub(super) const CATCH_UP: Duration = Duration::from_secs(20);
/// Leaving waits for the outbox to empty while confirmations keep coming at least this often.
pub(super) const QUIT_PATIENCE: Duration = Duration::from_secs(10);
/// Names or rooms collected for one list, at most (a server far larger than any LAN's).
const MAX_LISTED: usize = 100_000;
/// Commands held while the connection is down or catching up, at most (then the caller's
/// commands wait).
const MAX_HELD: usize = 64;
/// Presence events held during a catch-up, at most (a busy server's logins of 20 s).
const MAX_HELD_PRESENCE: usize = 20_000;

/// A resilient session's state between the wire and the caller.
#[derive(Debug)]
pub(super) struct Reconcile {
    /// This user's name, as the server last said.
    name: String,
    /// The rooms this user is in, by folded name.
    rooms: BTreeMap<String, RoomState>,
    /// Sends not confirmed yet and rate-limited commands waiting for their turn.
    outbox: Outbox,
    /// Presence up to this sequence number is reflected in the latest Welcome. Later events
    /// are all passed on: on a large server some come from the client's own queue, and may
    /// be numbered below one that came from everyone's.
    presence_seq: u64,
    /// Whom this session watches on a large server.
    watch: Watchlist,
    /// The pages of a user list being collected.
    user_pages: Vec<String>,
    /// The pages of a room list being collected.
    room_pages: Vec<RoomInfo>,
    /// The catch-up after a reconnect, until every room is back to where it was.
    catch_up: Option<CatchUp>,
    /// Set while the caller leaves: give up on the outbox at this time (moved on by every
    /// confirmation).
    quit_deadline: Option<Instant>,
    /// Whether a connection is up (false from a loss until the next login).
    connected: bool,
    /// Frames to send now, in order (outside the outbox's pacing).
    transmits: VecDeque<ClientMsg>,
    /// Commands outside the outbox given while the connection was down or catching up: sent
    /// once the catch-up is over.
    held: VecDeque<ClientMsg>,
    /// The rejoins after a reconnect, sent as the new connection's budget allows (they
    /// count against it, and a user in many rooms would overdraw it).
    rejoins: VecDeque<ClientMsg>,
    /// Events for the caller, in order.
    events: VecDeque<ChatEvent>,
}

#[derive(Debug)]
struct RoomState {
    name: String,
    /// The sequence number of the last message of this room passed to the caller.
    last_seq: u64,
    /// The number of the last operation on this room's board passed to the caller.
    board_seq: u64,
    /// The pages of a board snapshot being collected.
    board_pages: Vec<BoardSnapshot>,
}

impl RoomState {
    fn new(name: String) -> Self {
        RoomState { name, last_seq: 0, board_seq: 0, board_pages: Vec::new() }
    }
}

/// Catching up after a reconnect: each room's pages and live messages are collected until
/// they reach back to the last message passed on, then passed on in order.
#[derive(Debug)]
struct CatchUp {
    /// The new login's snapshot, for the `Resumed` event.
    welcome: Welcome,
    /// Rooms (folded) whose history does not reach back far enough yet.
    waiting: BTreeSet<String>,
    /// Messages collected per room (folded), by sequence number.
    collected: BTreeMap<String, BTreeMap<u64, RoomMessage>>,
    /// The member list of each room rejoined, by room name.
    members: BTreeMap<String, Vec<String>>,
    /// Presence that came after the new Welcome: passed on after `Resumed`, which carries
    /// that Welcome, so the snapshot does not undo it.
    presence: Vec<ChatEvent>,
    /// Go on without the rooms still waiting at this time.
    deadline: Instant,
}

impl Reconcile {
    /// A session just logged in with `welcome`.
    pub(super) fn new(welcome: &Welcome, now: Instant) -> Self {
        let mut rooms = BTreeMap::new();
        rooms.insert(fold_name(&welcome.room), RoomState::new(welcome.room.clone()));
        Reconcile {
            name: welcome.name.clone(),
            rooms,
            outbox: Outbox::new(welcome.send_rate, now),
            presence_seq: welcome.presence_seq,
            watch: Watchlist::default(),
            user_pages: Vec::new(),
            room_pages: Vec::new(),
            catch_up: None,
            quit_deadline: None,
            connected: true,
            transmits: VecDeque::new(),
            held: VecDeque::new(),
            rejoins: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// This user's name, as the server last said.
    pub(super) fn name(&self) -> &str {
        &self.name
    }

    /// How many sends are not confirmed yet.
    pub(super) fn unconfirmed_count(&self) -> usize {
        self.outbox.unconfirmed_count()
    }

    /// Whether the caller's next command must wait until confirmations make room.
    pub(super) fn is_full(&self) -> bool {
        self.outbox.is_full() || self.held.len() >= MAX_HELD
    }

    /// Whether everything sent was confirmed and nothing waits.
    pub(super) fn is_settled(&self) -> bool {
        self.outbox.is_empty()
    }

    /// Whether a catch-up after a reconnect is under way.
    pub(super) fn is_catching_up(&self) -> bool {
        self.catch_up.is_some()
    }

    /// Queues a message or direct message: it leaves paced, and stays until confirmed. The
    /// caller hears it is on its way ([`ChatEvent::Sending`]).
    pub(super) fn send(&mut self, outgoing: Outgoing) {
        self.events.push_back(outgoing.sending());
        self.outbox.push_send(outgoing);
    }

    /// Queues another command: behind the sends when the server rate-limits it, else at once.
    /// A list is always asked for from its first page on, so it comes whole.
    pub(super) fn command(&mut self, message: ClientMsg) {
        let message = match message {
            ClientMsg::ListUsers => ClientMsg::ListUsersAfter { after: String::new() },
            ClientMsg::ListRooms => ClientMsg::ListRoomsAfter { after: String::new() },
            ClientMsg::Watch { users } => return self.watch.show(users),
            other => other,
        };
        let offline = !self.connected || self.catch_up.is_some();
        if message.is_rate_limited() {
            self.outbox.push_command(message);
        } else if offline && matches!(message, ClientMsg::Typing { .. }) {
            // "Is typing" is for now: stale after a reconnect, and never worth a held place.
        } else if offline {
            self.held.push_back(message);
        } else {
            self.transmits.push_back(message);
        }
    }

    /// The caller leaves: the outbox gets [`QUIT_PATIENCE`] to empty, renewed by each
    /// confirmation.
    pub(super) fn begin_quit(&mut self, now: Instant) {
        self.quit_deadline = Some(now + QUIT_PATIENCE);
    }

    /// When a quit gives up on the outbox, if the caller is leaving.
    pub(super) fn quit_deadline(&self) -> Option<Instant> {
        self.quit_deadline
    }

    /// The next frame to send now, if any: replies to what arrived first, then what the
    /// outbox's pacing releases (nothing of it during a catch-up).
    pub(super) fn poll_transmit(&mut self, now: Instant) -> Option<ClientMsg> {
        if !self.connected {
            return None;
        }
        if !self.rejoins.is_empty() && self.outbox.take_token(now).is_ok() {
            return self.rejoins.pop_front();
        }
        if self.transmits.is_empty() && self.catch_up.is_none() {
            self.transmits.extend(self.watch.take_change(now));
            self.transmits.extend(self.outbox.release(now));
        }
        self.transmits.pop_front()
    }

    /// The next event for the caller, if any.
    pub(super) fn poll_event(&mut self) -> Option<ChatEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due next: the end of a catch-up, or
    /// the outbox's next paced release.
    pub(super) fn poll_timeout(&self, now: Instant) -> Option<Instant> {
        let rejoin = (!self.rejoins.is_empty()).then(|| self.outbox.token_at(now));
        let other = match &self.catch_up {
            Some(catch_up) => Some(catch_up.deadline),
            None => [self.outbox.next_due(now), self.watch.due()].into_iter().flatten().min(),
        };
        match (rejoin, other) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Time passed: a catch-up past its deadline ends with what it has; sends the pacing
    /// allows now become ready for [`poll_transmit`](Self::poll_transmit).
    pub(super) fn handle_timeout(&mut self, now: Instant) {
        if self.catch_up.as_ref().is_some_and(|catch_up| now >= catch_up.deadline) {
            self.finish_catch_up(now);
        }
    }

    /// The session ended for good: every send not confirmed is reported as not sent.
    pub(super) fn abandon(&mut self, reason: &str) {
        for outgoing in self.outbox.abandon() {
            self.events.push_back(ChatEvent::Unsent { client_msg_id: outgoing.id(), reason: reason.into() });
        }
    }

    /// Logged in again after a lost connection: rejoins the rooms and starts catching up.
    /// What was being sent on the old connection and not answered goes again afterwards.
    pub(super) fn reconnected(&mut self, welcome: Welcome, now: Instant) {
        self.connected = true;
        self.presence_seq = welcome.presence_seq;
        self.transmits.clear();
        self.user_pages.clear();
        self.room_pages.clear();
        // The new connection's budget: the rejoins first, then (after the catch-up) what was
        // not confirmed, in order.
        self.outbox.reconnected(welcome.send_rate, now);
        let lobby = fold_name(&welcome.room);
        self.rejoins = self
            .rooms
            .iter()
            .filter(|(key, _)| **key != lobby)
            .map(|(_, room)| ClientMsg::Join { room: room.name.clone(), topic: None })
            .collect();
        self.catch_up = Some(CatchUp {
            welcome,
            waiting: self.rooms.keys().cloned().collect(),
            collected: BTreeMap::new(),
            members: BTreeMap::new(),
            presence: Vec::new(),
            deadline: now + CATCH_UP,
        });
        self.finish_catch_up_if_complete(now);
    }

    /// A lost connection during a catch-up: what it collected is dropped (the next one
    /// collects it again).
    pub(super) fn disconnected(&mut self) {
        self.connected = false;
        self.catch_up = None;
        self.transmits.clear();
        self.rejoins.clear();
    }

    /// A frame of the presence stream.
    pub(super) fn handle_presence(&mut self, frame: PresenceFrame) {
        if frame.seq <= self.presence_seq {
            return;
        }
        if let Some(catch_up) = &mut self.catch_up {
            if catch_up.presence.len() < MAX_HELD_PRESENCE {
                catch_up.presence.push(ChatEvent::Presence(Presence::from(frame)));
            }
            return;
        }
        self.events.push_back(ChatEvent::Presence(Presence::from(frame)));
    }

    /// A frame of the chat stream.
    pub(super) fn handle_server(&mut self, message: ServerMsg, now: Instant) {
        let message = match self.catch_up.is_some() {
            true => match self.collect_missed(message, now) {
                Some(message) => message,
                None => return,
            },
            false => message,
        };
        match message {
            ServerMsg::Message(message) => self.on_message(message, now),
            ServerMsg::Direct(message) => self.on_direct(message, now),
            ServerMsg::Error(error) => self.on_error(error, now),
            ServerMsg::History(page) => self.on_page(page, now),
            ServerMsg::UsersPage { users, more, ts } => self.on_users_page(users, more, ts),
            ServerMsg::RoomsPage { rooms, more, ts } => self.on_rooms_page(rooms, more, ts),
            ServerMsg::Users { users, ts } => self.events.push_back(ChatEvent::Users { users, ts }),
            ServerMsg::Rooms { rooms, ts } => self.events.push_back(ChatEvent::Rooms { rooms, ts }),
            ServerMsg::Joined { room, members, ts, creator } => self.on_joined(room, members, ts, creator),
            ServerMsg::Left { room, ts } => {
                self.rooms.remove(&fold_name(&room));
                self.events.push_back(ChatEvent::Left { room, ts });
            }
            ServerMsg::Renamed { old, new, ts } => {
                self.name = new.clone();
                self.events.push_back(ChatEvent::Renamed { old, new, ts });
            }
            ServerMsg::Token { name, token, ts } => {
                self.events.push_back(ChatEvent::TokenIssued { name, token, ts })
            }
            ServerMsg::Board(event) => self.on_board(event),
            ServerMsg::BoardState(page) => self.on_board_page(page),
            ServerMsg::Reaction(reaction) => self.events.push_back(ChatEvent::Reaction(reaction)),
            ServerMsg::Reactions { room, reactions } => {
                self.events.push_back(ChatEvent::Reactions { room, reactions })
            }
            ServerMsg::Typing { place, from, ts } => {
                self.events.push_back(ChatEvent::Typing { place, from, ts })
            }
            ServerMsg::SearchResults { text, results, more, .. } => {
                self.events.push_back(ChatEvent::SearchResults { text, results, more })
            }
            // Only ever the answer to a login, which the connection handled.
            ServerMsg::Welcome(_) | ServerMsg::Rejected(_) => {}
        }
    }

    /// An operation on a board, passed on unless it was already (or the snapshot had it).
    fn on_board(&mut self, event: BoardEvent) {
        let Some(room) = self.rooms.get_mut(&fold_name(&event.room)) else { return };
        if event.seq > room.board_seq {
            room.board_seq = event.seq;
            self.events.push_back(ChatEvent::Board(event));
        }
    }

    /// Collects a page of a board snapshot; the whole board is passed on with the last page.
    fn on_board_page(&mut self, page: BoardSnapshot) {
        let Some(room) = self.rooms.get_mut(&fold_name(&page.room)) else { return };
        let more = page.more;
        room.board_pages.push(page);
        if more {
            return;
        }
        let board = Board::from_snapshot(std::mem::take(&mut room.board_pages));
        room.board_seq = board.seq();
        let name = room.name.clone();
        self.events.push_back(ChatEvent::BoardState { room: name, board });
    }

    /// A live message, passed on unless it was already (a message of a room is passed on once).
    fn on_message(&mut self, message: RoomMessage, now: Instant) {
        let is_new = self.rooms.get(&fold_name(&message.room)).is_none_or(|room| message.seq > room.last_seq);
        if is_new {
            self.pass_on(message, now);
        }
    }

    /// Passes a room message on, notes it as the room's latest, and confirms it if it echoes
    /// a send.
    fn pass_on(&mut self, message: RoomMessage, now: Instant) {
        self.note_seq(&message.room, message.seq);
        let confirms = self.confirm_echo(&message, now);
        self.events.push_back(ChatEvent::Message { message, confirms });
    }

    fn note_seq(&mut self, room: &str, seq: u64) {
        if let Some(room) = self.rooms.get_mut(&fold_name(room)) {
            room.last_seq = room.last_seq.max(seq);
        }
    }

    /// Confirms the send `message` echoes, if it is this user's and matches one; returns its id.
    fn confirm_echo(&mut self, message: &RoomMessage, now: Instant) -> Option<u64> {
        let to = Destination::Room(&message.room);
        let is_echo = message.kind == MessageKind::Said
            && message.from == self.name
            && self.outbox.is_echo(message.client_msg_id, to, &message.text, message.attachment.as_ref());
        is_echo.then(|| self.confirm(message.client_msg_id, now))
    }

    fn on_direct(&mut self, message: DirectMessage, now: Instant) {
        let to = Destination::User(&message.to);
        let is_echo = message.from == self.name
            && self.outbox.is_echo(message.client_msg_id, to, &message.text, message.attachment.as_ref());
        let confirms = is_echo.then(|| self.confirm(message.client_msg_id, now));
        let partner = if message.from == self.name { &message.to } else { &message.from };
        self.watch.add_partner(partner);
        self.events.push_back(ChatEvent::Direct { message, confirms });
    }

    /// A send was posted: it leaves the outbox, and a quit waiting for it waits on.
    fn confirm(&mut self, client_msg_id: u64, now: Instant) -> u64 {
        self.outbox.confirmed(client_msg_id);
        if let Some(deadline) = &mut self.quit_deadline {
            *deadline = now + QUIT_PATIENCE;
        }
        client_msg_id
    }

    /// A failed command. For a send: a re-sent message the server had posted already
    /// (confirmed), a refusal to retry (kept, nothing to show), or a final
    /// refusal (the caller hears it).
    fn on_error(&mut self, error: ErrorReply, now: Instant) {
        let ErrorReply { code, message, client_msg_id, ts } = error;
        let Some(id) = client_msg_id else {
            self.events.push_back(ChatEvent::CommandFailed { code, message, ts });
            return;
        };
        let answer = match code {
            ErrorCode::AlreadyPosted => {
                self.confirm(id, now);
                self.events.push_back(ChatEvent::AlreadyPosted { client_msg_id: id });
                return;
            }
            ErrorCode::RateLimited => Answer::RateLimited,
            ErrorCode::Unavailable => Answer::Unavailable,
            _ => Answer::Refused,
        };
        match self.outbox.answered(id, answer, now) {
            Outcome::Retrying => {
                tracing::debug!(id, code = code.as_str(), "the server refused a send; sending it again")
            }
            Outcome::Failed(_) | Outcome::Unknown => {
                self.events.push_back(ChatEvent::Refused { client_msg_id: id, code, message, ts })
            }
        }
    }

    /// A page of history counts as seen: later live messages continue after it.
    fn on_page(&mut self, page: HistoryPage, now: Instant) {
        if let Some(last) = page.messages.last() {
            self.note_seq(&page.room, last.seq);
        }
        for message in &page.messages {
            self.confirm_echo(message, now);
        }
        self.events.push_back(ChatEvent::History(page));
    }

    fn on_joined(&mut self, room: RoomInfo, members: Vec<String>, ts: u64, creator: String) {
        let state = RoomState::new(room.name.clone());
        self.rooms.entry(fold_name(&room.name)).or_insert(state);
        self.events.push_back(ChatEvent::Joined { room, members, ts, creator });
    }

    /// Collects a page of the user list; asks for the next, or passes the whole list on.
    fn on_users_page(&mut self, users: Vec<String>, more: bool, ts: u64) {
        let after = users.last().cloned();
        self.user_pages.extend(users);
        match after.filter(|_| more && self.user_pages.len() < MAX_LISTED) {
            Some(after) => self.transmits.push_back(ClientMsg::ListUsersAfter { after }),
            None => {
                let users = std::mem::take(&mut self.user_pages);
                self.events.push_back(ChatEvent::Users { users, ts });
            }
        }
    }

    /// Collects a page of the room list; asks for the next, or passes the whole list on.
    fn on_rooms_page(&mut self, rooms: Vec<RoomInfo>, more: bool, ts: u64) {
        let after = rooms.last().map(|room| room.name.clone());
        self.room_pages.extend(rooms);
        match after.filter(|_| more && self.room_pages.len() < MAX_LISTED) {
            Some(after) => self.transmits.push_back(ClientMsg::ListRoomsAfter { after }),
            None => {
                let rooms = std::mem::take(&mut self.room_pages);
                self.events.push_back(ChatEvent::Rooms { rooms, ts });
            }
        }
    }

    /// During a catch-up: keeps what belongs to it (the pages of the rooms waiting, live
    /// messages, the replies to the rejoins) and returns anything else for the usual handling.
    fn collect_missed(&mut self, message: ServerMsg, now: Instant) -> Option<ServerMsg> {
        let catch_up = self.catch_up.as_mut()?;
        match message {
            ServerMsg::History(page) if catch_up.waiting.contains(&fold_name(&page.room)) => {
                self.collect_page(page, now);
                None
            }
            ServerMsg::Message(message) => {
                catch_up.collected.entry(fold_name(&message.room)).or_default().insert(message.seq, message);
                None
            }
            // The replies to rejoining rooms this user was already in: not news, but their
            // member lists are the rooms' members now.
            ServerMsg::Joined { room, members, .. } if self.rooms.contains_key(&fold_name(&room.name)) => {
                catch_up.members.insert(room.name, members);
                None
            }
            other => Some(other),
        }
    }

    /// A page of a room being caught up: collected; an older one is asked for while it does
    /// not reach back to the last message passed on.
    fn collect_page(&mut self, page: HistoryPage, now: Instant) {
        let Some(catch_up) = self.catch_up.as_mut() else { return };
        let key = fold_name(&page.room);
        let last_seen = self.rooms.get(&key).map_or(0, |room| room.last_seq);
        let oldest = page.messages.first().map(|m| m.seq);
        let collected = catch_up.collected.entry(key.clone()).or_default();
        collected.extend(page.messages.into_iter().map(|m| (m.seq, m)));
        match oldest {
            Some(oldest) if page.more && oldest > last_seen + 1 => {
                let room = page.room;
                self.transmits.push_back(ClientMsg::History {
                    room,
                    before: Some(oldest),
                    limit: MAX_HISTORY_PAGE,
                });
            }
            _ => {
                catch_up.waiting.remove(&key);
                self.finish_catch_up_if_complete(now);
            }
        }
    }

    fn finish_catch_up_if_complete(&mut self, now: Instant) {
        if self.catch_up.as_ref().is_some_and(|catch_up| catch_up.waiting.is_empty()) {
            self.finish_catch_up(now);
        }
    }

    /// Passes on the missed messages in order per room, then `Resumed`; the outbox goes again.
    fn finish_catch_up(&mut self, now: Instant) {
        let Some(CatchUp { welcome, collected, members, presence, .. }) = self.catch_up.take() else {
            return;
        };
        let mut missed = 0;
        for (key, messages) in collected {
            let last_seen = self.rooms.get(&key).map_or(0, |room| room.last_seq);
            for message in messages.into_values().filter(|m| m.seq > last_seen) {
                self.pass_on(message, now);
                missed += 1;
            }
        }
        self.events.push_back(ChatEvent::Resumed { missed, welcome, members });
        self.events.extend(presence);
        self.transmits.extend(self.held.drain(..));
        self.watch.forget_sent();
    }
}

#[cfg(test)]
mod tests;
