//! Staying connected: a [`Resilient`] session reconnects by itself when the connection is lost
//! (backoff with jitter, at most 30 s apart, at once when the network changes), logs in again,
//! rejoins its rooms, fetches what it missed in each room, and re-sends what was not confirmed
//! — so the caller sees every message once, in order per room, whatever the network did.
//!
//! One supervisor task owns the current [`Client`] and its events. The caller's handle sends
//! it commands; the supervisor forwards events, keeping track of the rooms (the last sequence
//! number seen in each) and of the outbox (sends not confirmed yet). After a reconnect it
//! collects each room's history back to the last message seen, emits the missed ones in order
//! with [`Event::Resumed`] after them, and only then re-sends the outbox with the same client
//! message ids: a message the server had taken before the drop shows up in that history and
//! counts as confirmed, so it is not posted twice.
//!
//! Sends leave no faster than the server's announced rate allows ([`Outbox`] paces them), and
//! one refused for speed all the same is sent again in its place, so typing faster than the
//! limit, or a backlog re-sent after an outage, delays messages but never loses one. A send is
//! dropped only when the server refuses it for good (too long, not a member...), which the
//! caller hears as that error, or when the session ends, which the caller hears as
//! [`Event::Unsent`] for each message before [`Event::Closed`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use ring::rand::{SecureRandom, SystemRandom};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, timeout_at};

use super::connect::{ConnectOptions, Connected, connect};
use super::error::{ClientError, ConnectError, Disconnect, GaveUp};
use super::network::{CHECK_EVERY, NetworkWatch};
use super::outbox::{Answer, Destination, Outbox, Outcome, Outgoing};
use super::session::{Client, Event};
use crate::protocol::RoomInfo;
use crate::protocol::{
    ClientMsg, Credential, ErrorCode, ErrorReply, HistoryPage, MAX_HISTORY_PAGE, RoomMessage, SendRate,
    ServerMsg, Welcome, close_code, fold_name, normalize_name, normalize_room, validate_password,
    validate_text, validate_topic,
};

/// Commands waiting for the supervisor, at most.
const COMMAND_QUEUE: usize = 64;
/// Events waiting for the caller, at most.
const EVENT_QUEUE: usize = 256;
/// The longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The first wait.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// How long catching up after a reconnect may take before it counts as a lost connection.
const CATCH_UP: Duration = Duration::from_secs(20);
/// Names or rooms collected for one list, at most (a server far larger than any LAN's).
const MAX_LISTED: usize = 100_000;
/// Leaving waits for the outbox to empty while confirmations keep coming at least this often.
const QUIT_PATIENCE: Duration = Duration::from_secs(10);

/// How a resilient session behaves.
#[derive(Debug, Clone)]
pub struct ResumeOptions {
    pub connect: ConnectOptions,
    /// Reconnect after the server said it is shutting down (it may be restarting). The terminal
    /// client ends instead, as its exit codes promise.
    pub reconnect_after_shutdown: bool,
}

/// The handle of a resilient session. Cheap to clone.
#[derive(Clone)]
pub struct Resilient {
    commands: mpsc::Sender<Command>,
    next_id: Arc<AtomicU64>,
    max_message_chars: usize,
    /// How many sends are not confirmed yet, kept by the supervisor.
    unconfirmed: Arc<AtomicUsize>,
}

enum Command {
    Send(Outgoing),
    Other(ClientMsg),
    Quit(oneshot::Sender<()>),
}

/// Connects (errors are returned as from [`connect`]), then keeps the session alive until
/// [`Resilient::quit`] or a loss that reconnecting cannot fix.
pub async fn connect_resilient(
    mut options: ResumeOptions,
) -> Result<(Resilient, Welcome, mpsc::Receiver<Event>), ConnectError> {
    options.connect.instance = Some(new_instance());
    let connected = connect(&options.connect).await?;
    let welcome = connected.welcome.clone();
    let (commands_tx, commands) = mpsc::channel(COMMAND_QUEUE);
    let (events_tx, events) = mpsc::channel(EVENT_QUEUE);
    let unconfirmed = Arc::new(AtomicUsize::new(0));
    let handle = Resilient {
        commands: commands_tx,
        next_id: Arc::new(AtomicU64::new(1)),
        max_message_chars: welcome.limits.max_message_chars as usize,
        unconfirmed: unconfirmed.clone(),
    };
    let mut rooms = BTreeMap::new();
    rooms.insert(fold_name(&welcome.room), RoomState { name: welcome.room.clone(), last_seq: 0 });
    let supervisor = Supervisor {
        name: welcome.name.clone(),
        options,
        client: connected.client,
        upstream: connected.events,
        events: events_tx,
        commands,
        rooms,
        outbox: Outbox::new(welcome.send_rate, Instant::now().into_std()),
        send_rate: welcome.send_rate,
        unconfirmed,
        quitting: None,
        user_pages: Vec::new(),
        room_pages: Vec::new(),
        presence_seq: welcome.presence_seq,
        network: NetworkWatch::new(),
    };
    tokio::spawn(supervisor.run());
    Ok((handle, welcome, events))
}

impl Resilient {
    /// Sends `text` to `room`; returns the client message id its echo will carry.
    pub async fn say(&self, room: &str, text: &str) -> Result<u64, ClientError> {
        validate_text(text, self.max_message_chars)?;
        let room = normalize_room(room)?;
        let client_msg_id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.command(Command::Send(Outgoing::Say { room, text: text.into(), client_msg_id })).await?;
        Ok(client_msg_id)
    }

    /// Sends a private message; returns the client message id its copy will carry.
    pub async fn direct(&self, to: &str, text: &str) -> Result<u64, ClientError> {
        validate_text(text, self.max_message_chars)?;
        let to = normalize_name(to)?;
        let client_msg_id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.command(Command::Send(Outgoing::Direct { to, text: text.into(), client_msg_id })).await?;
        Ok(client_msg_id)
    }

    /// Joins `room`, creating it with `topic` when it does not exist.
    pub async fn join(&self, room: &str, topic: Option<&str>) -> Result<(), ClientError> {
        let room = normalize_room(room)?;
        let topic = topic.map(str::trim).filter(|t| !t.is_empty());
        if let Some(topic) = topic {
            validate_topic(topic)?;
        }
        self.send(ClientMsg::Join { room, topic: topic.map(Into::into) }).await
    }

    /// Leaves `room`.
    pub async fn leave(&self, room: &str) -> Result<(), ClientError> {
        self.send(ClientMsg::Leave { room: normalize_room(room)? }).await
    }

    /// Asks to be called `name` from now on.
    pub async fn nick(&self, name: &str) -> Result<(), ClientError> {
        self.send(ClientMsg::Nick { name: normalize_name(name)? }).await
    }

    /// Asks for the list of online users; it comes as one `Users` event, however many pages
    /// the server sends it in.
    pub async fn list_users(&self) -> Result<(), ClientError> {
        self.send(ClientMsg::ListUsersAfter { after: String::new() }).await
    }

    /// Asks for the list of rooms; it comes as one `Rooms` event, however many pages the
    /// server sends it in.
    pub async fn list_rooms(&self) -> Result<(), ClientError> {
        self.send(ClientMsg::ListRoomsAfter { after: String::new() }).await
    }

    /// Asks for up to `limit` messages of `room` older than `before` (the latest when `None`).
    pub async fn history(&self, room: &str, before: Option<u64>, limit: u32) -> Result<(), ClientError> {
        self.send(ClientMsg::History { room: normalize_room(room)?, before, limit }).await
    }

    /// Claims this user's name with `password`, or changes its password.
    pub async fn set_password(&self, password: &str) -> Result<(), ClientError> {
        validate_password(password)?;
        self.send(ClientMsg::SetPassword { password: password.into() }).await
    }

    /// Sends any other command, unchecked. While reconnecting it waits in the queue and goes
    /// out after the resume.
    pub async fn send(&self, message: ClientMsg) -> Result<(), ClientError> {
        self.command(Command::Other(message)).await
    }

    /// The longest message the server accepts, in characters.
    pub fn max_message_chars(&self) -> usize {
        self.max_message_chars
    }

    /// Leaves cleanly: first waits until what was sent is confirmed (as long as confirmations
    /// keep coming), then until the server has heard. What could not be sent is reported as
    /// [`Event::Unsent`].
    pub async fn quit(&self) {
        let (done_tx, mut done) = oneshot::channel();
        if self.commands.send(Command::Quit(done_tx)).await.is_err() {
            return;
        }
        let mut left = self.unconfirmed.load(Ordering::Relaxed);
        while tokio::time::timeout(QUIT_PATIENCE, &mut done).await.is_err() {
            // No answer yet: wait on while the outbox shrinks (a reconnect may be under way).
            let now_left = self.unconfirmed.load(Ordering::Relaxed);
            if now_left >= left {
                return;
            }
            left = now_left;
        }
    }

    /// How many messages sent with [`say`](Self::say) or [`direct`](Self::direct) are not
    /// confirmed yet.
    pub fn unconfirmed(&self) -> usize {
        self.unconfirmed.load(Ordering::Relaxed)
    }

    async fn command(&self, command: Command) -> Result<(), ClientError> {
        self.commands.send(command).await.map_err(|_| ClientError::Disconnected(Disconnect::Quit))
    }
}

#[derive(Debug)]
struct RoomState {
    name: String,
    /// The sequence number of the last message of this room passed to the caller.
    last_seq: u64,
}

struct Supervisor {
    options: ResumeOptions,
    name: String,
    client: Client,
    upstream: mpsc::Receiver<Event>,
    events: mpsc::Sender<Event>,
    commands: mpsc::Receiver<Command>,
    /// The rooms this user is in, by folded name.
    rooms: BTreeMap<String, RoomState>,
    /// Sends not confirmed yet and rate-limited commands waiting for their turn.
    outbox: Outbox,
    /// The server's rate, from the latest Welcome.
    send_rate: SendRate,
    /// The outbox's unconfirmed count, for the handle.
    unconfirmed: Arc<AtomicUsize>,
    /// Set once the caller asked to leave: answered when the outbox is empty, or when
    /// confirmations stop coming for [`QUIT_PATIENCE`].
    quitting: Option<Quitting>,
    /// Presence up to this sequence number is reflected in the latest Welcome.
    presence_seq: u64,
    /// The pages of a user list being collected.
    user_pages: Vec<String>,
    /// The pages of a room list being collected.
    room_pages: Vec<RoomInfo>,
    /// The machine's addresses, to notice a network change.
    network: NetworkWatch,
}

/// Whether the session goes on.
enum Flow {
    Continue,
    Stop,
}

/// A quit waiting for the outbox to empty.
struct Quitting {
    done: oneshot::Sender<()>,
    /// Give up on the outbox at this time (moved on by every confirmation).
    give_up_at: Instant,
}

impl Supervisor {
    async fn run(mut self) {
        let mut look = tokio::time::interval(CHECK_EVERY);
        look.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            if self.quitting.is_some() && self.outbox.is_empty() {
                self.leave().await;
                return;
            }
            // A full outbox stops taking commands (the caller's sends wait) until confirmations
            // make room: backpressure instead of unbounded memory. A quit takes no more.
            let accepting = !self.outbox.is_full() && self.quitting.is_none();
            let due = self.outbox.next_due(Instant::now().into_std()).map(Instant::from_std);
            let give_up_at = self.quitting.as_ref().map(|quitting| quitting.give_up_at);
            let flow = tokio::select! {
                command = self.commands.recv(), if accepting => self.execute(command).await,
                event = self.upstream.recv() => self.on_event(event).await,
                () = sleep_until_some(due) => self.flush().await,
                () = sleep_until_some(give_up_at) => self.leave().await,
                _ = look.tick() => self.migrate_on_network_change(),
            };
            self.unconfirmed.store(self.outbox.unconfirmed_count(), Ordering::Relaxed);
            if let Flow::Stop = flow {
                return;
            }
        }
    }

    /// Sends what the pacing lets go now. A send that fails (the connection is breaking)
    /// stays unconfirmed and goes again after the reconnect.
    async fn flush(&mut self) -> Flow {
        for message in self.outbox.release(Instant::now().into_std()) {
            let _ = self.client.send(message).await;
        }
        Flow::Continue
    }

    /// Quits now: what is still unconfirmed is reported as not sent.
    async fn leave(&mut self) -> Flow {
        self.client.quit().await;
        self.abandon_outbox("you left before the server confirmed it").await;
        let _ = self.events.send(Event::Closed(Disconnect::Quit)).await;
        if let Some(quitting) = self.quitting.take() {
            let _ = quitting.done.send(());
        }
        Flow::Stop
    }

    /// Tells the caller about every send that will not be confirmed now.
    async fn abandon_outbox(&mut self, reason: &str) {
        for outgoing in self.outbox.abandon() {
            self.forward(Event::Unsent { client_msg_id: outgoing.id(), reason: reason.to_string() }).await;
        }
        self.unconfirmed.store(0, Ordering::Relaxed);
    }

    async fn execute(&mut self, command: Option<Command>) -> Flow {
        match command {
            // Every handle is gone: nobody listens any more.
            None => {
                self.client.quit().await;
                Flow::Stop
            }
            Some(Command::Quit(done)) => {
                let give_up_at = Instant::now() + QUIT_PATIENCE;
                self.quitting = Some(Quitting { done, give_up_at });
                Flow::Continue
            }
            Some(Command::Send(outgoing)) => {
                self.outbox.push_send(outgoing);
                self.flush().await
            }
            Some(Command::Other(message)) if message.is_rate_limited() => {
                self.outbox.push_command(message);
                self.flush().await
            }
            Some(Command::Other(message)) => {
                let _ = self.client.send(message).await;
                Flow::Continue
            }
        }
    }

    async fn on_event(&mut self, event: Option<Event>) -> Flow {
        let event = event.unwrap_or(Event::Closed(Disconnect::Lost("the session ended".into())));
        match event {
            Event::Closed(reason) if self.should_reconnect(&reason) => self.reconnect().await,
            Event::Closed(reason) => {
                self.abandon_outbox(&format!("not sent: {reason}")).await;
                self.forward(Event::Closed(reason)).await;
                if let Some(quitting) = self.quitting.take() {
                    let _ = quitting.done.send(());
                }
                Flow::Stop
            }
            Event::Server(ServerMsg::Message(message)) => {
                if self.is_new(&message) {
                    self.note_message(&message);
                    self.forward(Event::Server(ServerMsg::Message(message))).await;
                }
                Flow::Continue
            }
            Event::Server(ServerMsg::Error(error)) if error.client_msg_id.is_some() => {
                self.on_send_error(error).await;
                Flow::Continue
            }
            event => {
                self.relay(event).await;
                Flow::Continue
            }
        }
    }

    /// Passes an event on, keeping track of what it says; a page of a list is collected until
    /// the list is whole, then passed on as one list.
    async fn relay(&mut self, event: Event) {
        match event {
            Event::Server(ServerMsg::UsersPage { users, more, ts }) => {
                let after = users.last().cloned();
                self.user_pages.extend(users);
                match after.filter(|_| more && self.user_pages.len() < MAX_LISTED) {
                    Some(after) => _ = self.client.send(ClientMsg::ListUsersAfter { after }).await,
                    None => {
                        let users = std::mem::take(&mut self.user_pages);
                        self.forward(Event::Server(ServerMsg::Users { users, ts })).await;
                    }
                }
            }
            Event::Server(ServerMsg::RoomsPage { rooms, more, ts }) => {
                let after = rooms.last().map(|room| room.name.clone());
                self.room_pages.extend(rooms);
                match after.filter(|_| more && self.room_pages.len() < MAX_LISTED) {
                    Some(after) => _ = self.client.send(ClientMsg::ListRoomsAfter { after }).await,
                    None => {
                        let rooms = std::mem::take(&mut self.room_pages);
                        self.forward(Event::Server(ServerMsg::Rooms { rooms, ts })).await;
                    }
                }
            }
            event => {
                self.track(&event);
                self.forward(event).await;
            }
        }
    }

    /// The server's answer to a send that is not its echo: a re-sent message it had posted
    /// already (confirmed, nothing to show), a refusal to retry (kept, nothing to show), or
    /// a final refusal (the caller sees it).
    async fn on_send_error(&mut self, error: ErrorReply) {
        let Some(id) = error.client_msg_id else { return };
        let answer = match error.code {
            ErrorCode::AlreadyPosted => {
                self.confirm(id);
                return;
            }
            ErrorCode::RateLimited => Answer::RateLimited,
            ErrorCode::Unavailable => Answer::Unavailable,
            _ => Answer::Refused,
        };
        match self.outbox.answered(id, answer, Instant::now().into_std()) {
            Outcome::Retrying => {
                tracing::debug!(id, code = error.code.as_str(), "the server refused a send; sending it again")
            }
            Outcome::Failed(_) | Outcome::Unknown => {
                self.forward(Event::Server(ServerMsg::Error(error))).await
            }
        }
    }

    /// A send was posted: it leaves the outbox, and a quit waiting for it waits on.
    fn confirm(&mut self, client_msg_id: u64) {
        self.outbox.confirmed(client_msg_id);
        if let Some(quitting) = &mut self.quitting {
            quitting.give_up_at = Instant::now() + QUIT_PATIENCE;
        }
    }

    /// After a network change, moves the connection to a fresh socket on the new network:
    /// the old one may be bound to an address that is gone. QUIC validates the new path and
    /// the session goes on; if it cannot, the connection times out and is reconnected.
    fn migrate_on_network_change(&mut self) -> Flow {
        if !self.network.changed() {
            return Flow::Continue;
        }
        let any: std::net::SocketAddr = match self.client.local_addr() {
            Ok(addr) if addr.is_ipv6() => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
            _ => (std::net::Ipv4Addr::UNSPECIFIED, 0).into(),
        };
        match std::net::UdpSocket::bind(any).and_then(|socket| self.client.rebind(socket)) {
            Ok(()) => tracing::info!("moved the connection to the new network"),
            Err(error) => tracing::warn!(%error, "cannot move the connection to the new network"),
        }
        Flow::Continue
    }

    /// Waits `pause` before the next attempt, or less if the network changes meanwhile.
    async fn pause_before_retry(&mut self, pause: Duration) {
        let deadline = Instant::now() + pause;
        let mut look = tokio::time::interval_at(Instant::now() + CHECK_EVERY, CHECK_EVERY);
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return,
                _ = look.tick() => {
                    if self.network.changed() {
                        return;
                    }
                }
            }
        }
    }

    fn should_reconnect(&self, reason: &Disconnect) -> bool {
        match reason {
            Disconnect::Quit | Disconnect::GaveUp(_) => false,
            Disconnect::TimedOut | Disconnect::Lost(_) => true,
            Disconnect::ByServer { code, .. } => {
                *code == close_code::TOO_SLOW
                    || (*code == close_code::SHUTDOWN && self.options.reconnect_after_shutdown)
            }
        }
    }

    /// A live message not passed on yet (a message of a room is never passed on twice).
    fn is_new(&self, message: &RoomMessage) -> bool {
        self.rooms.get(&fold_name(&message.room)).is_none_or(|room| message.seq > room.last_seq)
    }

    fn note_message(&mut self, message: &RoomMessage) {
        if let Some(room) = self.rooms.get_mut(&fold_name(&message.room)) {
            room.last_seq = room.last_seq.max(message.seq);
        }
        self.confirm_echo(message);
    }

    /// Confirms the send `message` echoes, if it is this user's and matches one.
    fn confirm_echo(&mut self, message: &RoomMessage) {
        let to = Destination::Room(&message.room);
        if message.from == self.name && self.outbox.is_echo(message.client_msg_id, to, &message.text) {
            self.confirm(message.client_msg_id);
        }
    }

    /// Keeps rooms, name, credential and outbox in step with what the server says.
    fn track(&mut self, event: &Event) {
        let Event::Server(message) = event else {
            if let Event::Presence(frame) = event {
                self.presence_seq = self.presence_seq.max(frame.seq);
            }
            return;
        };
        match message {
            ServerMsg::Joined { room, .. } => {
                let state = RoomState { name: room.name.clone(), last_seq: 0 };
                self.rooms.entry(fold_name(&room.name)).or_insert(state);
            }
            ServerMsg::Left { room, .. } => _ = self.rooms.remove(&fold_name(room)),
            ServerMsg::History(page) => self.note_page(page),
            ServerMsg::Renamed { new, .. } => self.name = new.clone(),
            ServerMsg::Direct(direct)
                if direct.from == self.name
                    && self.outbox.is_echo(
                        direct.client_msg_id,
                        Destination::User(&direct.to),
                        &direct.text,
                    ) =>
            {
                self.confirm(direct.client_msg_id)
            }
            ServerMsg::Token { token, .. } => {
                // Later logins use the token, as a device that keeps it would.
                self.options.connect.credential = Some(Credential::Token(token.clone()));
            }
            _ => {}
        }
    }

    /// A page of history counts as seen: later live messages continue after it.
    fn note_page(&mut self, page: &HistoryPage) {
        let Some(last) = page.messages.last() else { return };
        if let Some(room) = self.rooms.get_mut(&fold_name(&page.room)) {
            room.last_seq = room.last_seq.max(last.seq);
        }
        for message in &page.messages {
            self.confirm_echo(message);
        }
    }

    async fn forward(&self, event: Event) {
        let _ = self.events.send(event).await;
    }

    /// Connects again until it works (or cannot ever work), then resumes.
    async fn reconnect(&mut self) -> Flow {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            self.forward(Event::Reconnecting { attempt }).await;
            self.pause_before_retry(backoff(attempt)).await;
            let mut options = self.options.connect.clone();
            options.name = self.name.clone();
            match connect(&options).await {
                Ok(connected) => match self.resume(connected).await {
                    Some(()) => return Flow::Continue,
                    None => continue,
                },
                Err(error) if is_final(&error) => {
                    let reason = Disconnect::GaveUp(GaveUp::from(&error));
                    self.abandon_outbox(&format!("not sent: {reason}")).await;
                    self.forward(Event::Closed(reason)).await;
                    if let Some(quitting) = self.quitting.take() {
                        let _ = quitting.done.send(());
                    }
                    return Flow::Stop;
                }
                Err(ConnectError::WrongPassword { retry_after_ms, .. }) => {
                    tracing::debug!(retry_after_ms, "the name is being guessed at; logging in again later");
                    self.pause_before_retry(Duration::from_millis(retry_after_ms)).await;
                }
                Err(error) => tracing::debug!(%error, attempt, "reconnecting failed"),
            }
        }
    }

    /// Rejoins the rooms, passes on what was missed in each, then re-sends the outbox.
    /// `None` when the new connection broke during the catch-up.
    async fn resume(&mut self, connected: Connected) -> Option<()> {
        let Connected { client, welcome, events } = connected;
        self.client = client;
        self.upstream = events;
        self.presence_seq = welcome.presence_seq;
        self.send_rate = welcome.send_rate;
        // The new session's budget: the unconfirmed sends go again, paced, in order, after
        // the rejoins, which are paced too (a user in many rooms would overdraw it).
        self.outbox.reconnected(self.send_rate, Instant::now().into_std());
        let lobby = fold_name(&welcome.room);
        let rejoins: Vec<String> = self
            .rooms
            .values()
            .filter(|room| fold_name(&room.name) != lobby)
            .map(|room| room.name.clone())
            .collect();
        for room in rejoins {
            while let Err(ready) = self.outbox.take_token(Instant::now().into_std()) {
                tokio::time::sleep_until(Instant::from_std(ready)).await;
            }
            let _ = self.client.send(ClientMsg::Join { room, topic: None }).await;
        }
        let CaughtUp { missed, members } = self.catch_up().await?;
        let count = missed.len() as u64;
        for message in missed {
            self.note_message(&message);
            self.forward(Event::Server(ServerMsg::Message(message))).await;
        }
        self.forward(Event::Resumed { missed: count, welcome, members }).await;
        self.flush().await;
        Some(())
    }

    /// Collects, per room, every message after the last one passed on: the page that follows
    /// each (re)join, older pages as needed, and live messages meanwhile; and each rejoined
    /// room's members. Returns the messages in order per room.
    async fn catch_up(&mut self) -> Option<CaughtUp> {
        let mut waiting: BTreeSet<String> = self.rooms.keys().cloned().collect();
        let mut collected: BTreeMap<String, BTreeMap<u64, RoomMessage>> = BTreeMap::new();
        let mut members = BTreeMap::new();
        let deadline = Instant::now() + CATCH_UP;
        while !waiting.is_empty() {
            let event = match timeout_at(deadline, self.upstream.recv()).await {
                // A room whose page never came (its rejoin was refused): go on without it.
                Err(_elapsed) => break,
                Ok(None) => return None,
                Ok(Some(event)) => event,
            };
            match event {
                Event::Closed(_) => return None,
                Event::Server(ServerMsg::History(page)) if waiting.contains(&fold_name(&page.room)) => {
                    let key = fold_name(&page.room);
                    let last_seen = self.rooms.get(&key).map_or(0, |room| room.last_seq);
                    let oldest = page.messages.first().map(|m| m.seq);
                    collected
                        .entry(key.clone())
                        .or_default()
                        .extend(page.messages.into_iter().map(|m| (m.seq, m)));
                    match oldest {
                        Some(oldest) if page.more && oldest > last_seen + 1 => {
                            let ask = ClientMsg::History {
                                room: page.room,
                                before: Some(oldest),
                                limit: MAX_HISTORY_PAGE,
                            };
                            let _ = self.client.send(ask).await;
                        }
                        _ => _ = waiting.remove(&key),
                    }
                }
                Event::Server(ServerMsg::Message(message)) => {
                    collected.entry(fold_name(&message.room)).or_default().insert(message.seq, message);
                }
                // The replies to rejoining rooms this user was already in: not news, but their
                // member lists are the rooms' members now.
                Event::Server(ServerMsg::Joined { room, members: list, .. })
                    if self.rooms.contains_key(&fold_name(&room.name)) =>
                {
                    members.insert(room.name, list);
                }
                // Already reflected in the new Welcome.
                Event::Presence(frame) if frame.seq <= self.presence_seq => {}
                other => self.relay(other).await,
            }
        }
        let missed = collected
            .into_iter()
            .flat_map(|(key, messages)| {
                let last_seen = self.rooms.get(&key).map_or(0, |room| room.last_seq);
                messages.into_values().filter(move |m| m.seq > last_seen)
            })
            .collect();
        Some(CaughtUp { missed, members })
    }
}

/// What a catch-up after a reconnect found.
struct CaughtUp {
    /// The messages not passed on before, in order per room.
    missed: Vec<RoomMessage>,
    /// The member list of each room rejoined, by room name.
    members: BTreeMap<String, Vec<String>>,
}

/// Sleeps until `at`, or forever when there is no time.
async fn sleep_until_some(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// A random instance number for this client's run.
fn new_instance() -> u64 {
    let mut bytes = [0u8; 8];
    let _ = SystemRandom::new().fill(&mut bytes);
    // 0 means "no instance" in the server's store.
    u64::from_le_bytes(bytes).max(1)
}

/// Errors that trying again cannot fix. A password login refused while the name is being
/// guessed at (`WrongPassword` with a wait) is not one: the password was not even checked, so
/// it is tried again after the wait.
fn is_final(error: &ConnectError) -> bool {
    error.is_certificate_problem()
        || matches!(
            error,
            ConnectError::BadAddress(_)
                | ConnectError::InvalidName(_)
                | ConnectError::UnsupportedVersion { .. }
                | ConnectError::PasswordRequired(_)
                | ConnectError::WrongPassword { retry_after_ms: 0, .. }
                | ConnectError::AccountRequired(_)
                | ConnectError::InvalidPassword(_)
                | ConnectError::KnownServers(_)
        )
}

/// The wait before attempt `attempt` (1, 2, ...): doubling from 250 ms up to 30 s, each
/// between half and all of that at random, so clients of a restarted server do not all come
/// back at once.
fn backoff(attempt: u32) -> Duration {
    let full = FIRST_BACKOFF.saturating_mul(1 << attempt.saturating_sub(1).min(10)).min(MAX_BACKOFF);
    let mut byte = [0u8];
    let _ = SystemRandom::new().fill(&mut byte);
    full / 2 + full / 2 * u32::from(byte[0]) / 255
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttled_password_login_is_tried_again_and_a_wrong_one_is_not() {
        let wrong = ConnectError::WrongPassword { name: "bob".into(), retry_after_ms: 0 };
        let throttled = ConnectError::WrongPassword { name: "bob".into(), retry_after_ms: 2000 };
        assert!(is_final(&wrong));
        assert!(!is_final(&throttled));
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_thirty_seconds() {
        for attempt in 1..=20 {
            let full = (FIRST_BACKOFF * 2u32.pow((attempt - 1).min(10))).min(MAX_BACKOFF);
            let wait = backoff(attempt);
            assert!(wait >= full / 2 && wait <= full, "attempt {attempt}: {wait:?} for {full:?}");
        }
        assert!(backoff(30) <= MAX_BACKOFF);
    }
}
