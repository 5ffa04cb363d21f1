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

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ring::rand::{SecureRandom, SystemRandom};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, timeout_at};

use super::connect::{ConnectOptions, Connected, connect};
use super::error::{ClientError, ConnectError, Disconnect, GaveUp};
use super::network::{CHECK_EVERY, NetworkWatch};
use super::session::{Client, Event};
use crate::protocol::{
    ClientMsg, Credential, ErrorCode, HistoryPage, MAX_HISTORY_PAGE, RoomMessage, ServerMsg, Welcome,
    close_code, fold_name, normalize_name, normalize_room, validate_password, validate_text, validate_topic,
};

/// Unconfirmed sends kept for re-sending, at most; beyond that, sending waits.
const MAX_OUTBOX: usize = 1000;
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
}

enum Command {
    Send(Outgoing),
    Other(ClientMsg),
    Quit(oneshot::Sender<()>),
}

/// A message or direct message until the server confirms it.
#[derive(Debug, Clone)]
enum Outgoing {
    Say { room: String, text: String, client_msg_id: u64 },
    Direct { to: String, text: String, client_msg_id: u64 },
}

impl Outgoing {
    fn id(&self) -> u64 {
        match self {
            Outgoing::Say { client_msg_id, .. } | Outgoing::Direct { client_msg_id, .. } => *client_msg_id,
        }
    }

    fn message(&self) -> ClientMsg {
        match self.clone() {
            Outgoing::Say { room, text, client_msg_id } => ClientMsg::Say { room, text, client_msg_id },
            Outgoing::Direct { to, text, client_msg_id } => ClientMsg::Direct { to, text, client_msg_id },
        }
    }
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
    let handle = Resilient {
        commands: commands_tx,
        next_id: Arc::new(AtomicU64::new(1)),
        max_message_chars: welcome.limits.max_message_chars as usize,
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
        outbox: BTreeMap::new(),
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

    /// Asks for the list of online users.
    pub async fn list_users(&self) -> Result<(), ClientError> {
        self.send(ClientMsg::ListUsers).await
    }

    /// Asks for the list of rooms.
    pub async fn list_rooms(&self) -> Result<(), ClientError> {
        self.send(ClientMsg::ListRooms).await
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

    /// Leaves cleanly and waits (briefly) until the server has heard.
    pub async fn quit(&self) {
        let (done_tx, done) = oneshot::channel();
        if self.commands.send(Command::Quit(done_tx)).await.is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(5), done).await;
        }
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
    /// Sends not confirmed yet, by client message id.
    outbox: BTreeMap<u64, Outgoing>,
    /// Presence up to this sequence number is reflected in the latest Welcome.
    presence_seq: u64,
    /// The machine's addresses, to notice a network change.
    network: NetworkWatch,
}

/// Whether the session goes on.
enum Flow {
    Continue,
    Stop,
}

impl Supervisor {
    async fn run(mut self) {
        let mut look = tokio::time::interval(CHECK_EVERY);
        look.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // A full outbox stops taking commands (the caller's sends wait) until confirmations
            // make room: backpressure instead of unbounded memory.
            let outbox_full = self.outbox.len() >= MAX_OUTBOX;
            let flow = tokio::select! {
                command = self.commands.recv(), if !outbox_full => self.execute(command).await,
                event = self.upstream.recv() => self.on_event(event).await,
                _ = look.tick() => self.migrate_on_network_change(),
            };
            if let Flow::Stop = flow {
                return;
            }
        }
    }

    async fn execute(&mut self, command: Option<Command>) -> Flow {
        match command {
            // Every handle is gone: nobody listens any more.
            None => {
                self.client.quit().await;
                Flow::Stop
            }
            Some(Command::Quit(done)) => {
                self.client.quit().await;
                let _ = self.events.send(Event::Closed(Disconnect::Quit)).await;
                let _ = done.send(());
                Flow::Stop
            }
            Some(Command::Send(outgoing)) => {
                let message = outgoing.message();
                self.outbox.insert(outgoing.id(), outgoing);
                // A failed send stays in the outbox and goes out again after the reconnect.
                let _ = self.client.send(message).await;
                Flow::Continue
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
                self.forward(Event::Closed(reason)).await;
                Flow::Stop
            }
            Event::Server(ServerMsg::Message(message)) => {
                if self.is_new(&message) {
                    self.note_message(&message);
                    self.forward(Event::Server(ServerMsg::Message(message))).await;
                }
                Flow::Continue
            }
            // A re-sent message the server had posted already: confirmed, nothing to show.
            Event::Server(ServerMsg::Error(error)) if error.code == ErrorCode::AlreadyPosted => {
                if let Some(id) = error.client_msg_id {
                    self.outbox.remove(&id);
                }
                Flow::Continue
            }
            event => {
                self.track(&event);
                self.forward(event).await;
                Flow::Continue
            }
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
        if message.from == self.name {
            self.outbox.remove(&message.client_msg_id);
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
            ServerMsg::Direct(direct) if direct.from == self.name => {
                _ = self.outbox.remove(&direct.client_msg_id)
            }
            ServerMsg::Error(error) => {
                // A refused send is final: the caller sees the error; re-sending would not help.
                if let Some(id) = error.client_msg_id {
                    self.outbox.remove(&id);
                }
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
            if message.from == self.name {
                self.outbox.remove(&message.client_msg_id);
            }
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
                    self.forward(Event::Closed(Disconnect::GaveUp(GaveUp::from(&error)))).await;
                    return Flow::Stop;
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
        for room in self.rooms.values().filter(|room| fold_name(&room.name) != fold_name(&welcome.room)) {
            let _ = self.client.send(ClientMsg::Join { room: room.name.clone(), topic: None }).await;
        }
        let CaughtUp { missed, members } = self.catch_up().await?;
        let count = missed.len() as u64;
        for message in missed {
            self.note_message(&message);
            self.forward(Event::Server(ServerMsg::Message(message))).await;
        }
        self.forward(Event::Resumed { missed: count, welcome, members }).await;
        for outgoing in self.outbox.values() {
            let _ = self.client.send(outgoing.message()).await;
        }
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
                other => {
                    self.track(&other);
                    self.forward(other).await;
                }
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

/// A random instance number for this client's run.
fn new_instance() -> u64 {
    let mut bytes = [0u8; 8];
    let _ = SystemRandom::new().fill(&mut bytes);
    // 0 means "no instance" in the server's store.
    u64::from_le_bytes(bytes).max(1)
}

/// Errors that trying again cannot fix.
fn is_final(error: &ConnectError) -> bool {
    error.is_certificate_problem()
        || matches!(
            error,
            ConnectError::BadAddress(_)
                | ConnectError::InvalidName(_)
                | ConnectError::UnsupportedVersion { .. }
                | ConnectError::PasswordRequired(_)
                | ConnectError::WrongPassword { .. }
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
    fn backoff_doubles_with_jitter_up_to_thirty_seconds() {
        for attempt in 1..=20 {
            let full = (FIRST_BACKOFF * 2u32.pow((attempt - 1).min(10))).min(MAX_BACKOFF);
            let wait = backoff(attempt);
            assert!(wait >= full / 2 && wait <= full, "attempt {attempt}: {wait:?} for {full:?}");
        }
        assert!(backoff(30) <= MAX_BACKOFF);
    }
}
