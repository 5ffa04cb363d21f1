//! Staying connected: a [`Resilient`] session reconnects by itself when the connection is lost
//! (backoff with jitter, at most 30 s apart, at once when the network changes), logs in again,
//! rejoins its rooms, fetches what it missed in each room, and re-sends what was not confirmed
//! — so the caller sees every message once, in order per room, whatever the network did.
//!
//! This is the IO shell. One supervisor task owns the current [`Client`]: it reads the
//! connection's frames and the caller's commands, hands them to the pure core
//! ([`Reconcile`]), sends the frames the core gives out and passes its [`ChatEvent`]s on; and
//! when the connection is lost, it connects again and tells the core, which rejoins and catches
//! up (see `reconcile.rs`): the missed messages come in order with [`ChatEvent::Resumed`] after
//! them, and only then does the outbox go again with the same client message ids, so a message
//! the server had taken before the drop counts as confirmed and is not posted twice.
//!
//! Sends leave no faster than the server's announced rate allows, and one refused for speed
//! all the same is sent again in its place, so typing faster than the limit, or a backlog
//! re-sent after an outage, delays messages but never loses one. A send is dropped only when
//! the server refuses it for good, which the caller hears as [`ChatEvent::Refused`], or when
//! the session ends, which the caller hears as [`ChatEvent::Unsent`] for each message before
//! [`ChatEvent::Closed`]. What is unconfirmed can also outlive the session: the caller keeps
//! it ([`Resilient::carry`]) and hands it to the next session on this device
//! ([`connect_resilient_carrying`]), which sends it again under the same instance and ids,
//! so the server posts each message once even if it took it before the first session ended.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::carried::{Carried, CarriedSend};
use super::chat_event::ChatEvent;
use super::commands::{Commands, Link};
use super::dial::Dial;
use super::error::{ClientError, ConnectError, Disconnect, GaveUp};
use super::login::{ConnectOptions, LoggedIn};
use super::network::{CHECK_EVERY, NetworkWatch};
use super::outbox::{MAX_UNCONFIRMED, Outgoing};
use super::reconcile::{QUIT_PATIENCE, Reconcile};
use super::rt::{self, Instant, now};
use super::session::{Connection, Event};
use super::transfer::{TransferError, TransferStream, Transfers};
use crate::protocol::{ClientMsg, Credential, Welcome, close_code};

/// Commands waiting for the supervisor, at most.
const COMMAND_QUEUE: usize = 64;
/// Events waiting for the caller, at most.
const EVENT_QUEUE: usize = 256;
/// The longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The first wait.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// How a resilient session behaves.
#[derive(Debug, Clone)]
pub struct ResumeOptions {
    pub connect: ConnectOptions,
    /// Reconnect after the server said it is shutting down (it may be restarting). The terminal
    /// client ends instead, as its exit codes promise.
    pub reconnect_after_shutdown: bool,
}

/// The handle of a resilient session (see [`Commands`] for the commands). Cheap to clone; the
/// session ends when the last clone is dropped.
pub type Resilient = Commands<Supervised>;

/// Where a [`Resilient`] session's commands go: the supervisor's queue.
#[derive(Clone)]
pub struct Supervised {
    commands: mpsc::Sender<Command>,
    /// This client's instance number (see [`Carried`]).
    instance: u64,
    next_id: Arc<AtomicU64>,
    max_message_chars: usize,
    /// How many sends are not confirmed yet, kept by the supervisor.
    unconfirmed: Arc<AtomicUsize>,
    /// This user's name as the server last said, kept by the supervisor.
    name: Arc<Mutex<String>>,
}

enum Command {
    Send(Outgoing),
    Other(ClientMsg),
    Quit(oneshot::Sender<()>),
    /// A stream for a transfer, on the connection of the moment (once reconnected, when the
    /// session is reconnecting).
    OpenTransfer(oneshot::Sender<Result<TransferStream, TransferError>>),
}

impl Transfers for Supervised {
    async fn open_transfer(&self) -> Result<TransferStream, TransferError> {
        let (reply, opened) = oneshot::channel();
        let ended = || TransferError::Ended(Disconnect::Quit);
        self.commands.send(Command::OpenTransfer(reply)).await.map_err(|_| ended())?;
        opened.await.map_err(|_| ended())?
    }

    fn carries_on(&self) -> bool {
        true
    }
}

/// Connects over QUIC (errors are returned as from [`connect`](super::connect)), then keeps
/// the session alive until [`Resilient::quit`] or a loss that reconnecting cannot fix.
#[cfg(feature = "client")]
pub async fn connect_resilient(
    options: ResumeOptions,
) -> Result<(Resilient, Welcome, mpsc::Receiver<ChatEvent>), ConnectError> {
    connect_resilient_over::<super::quic::Quic>(options).await
}

/// Like `connect_resilient`, over connections of the kind `C` (QUIC, a WebSocket, the
/// browser's): it connects, and connects again, with [`Dial::dial`].
pub async fn connect_resilient_over<C: Dial>(
    options: ResumeOptions,
) -> Result<(Resilient, Welcome, mpsc::Receiver<ChatEvent>), ConnectError> {
    connect_resilient_carrying::<C>(options, None).await
}

/// Like [`connect_resilient_over`], carrying on from an earlier session of this device's
/// (see [`Carried`]): logged in as the same instance, its unconfirmed messages are sent again
/// with their ids (each comes back as [`ChatEvent::Sending`] first), and new ones get ids
/// after them. The server posts a message it already took once only.
pub async fn connect_resilient_carrying<C: Dial>(
    mut options: ResumeOptions,
    carried: Option<Carried>,
) -> Result<(Resilient, Welcome, mpsc::Receiver<ChatEvent>), ConnectError> {
    let carried = carried.filter(|carried| carried.instance != 0);
    let instance = carried.as_ref().map_or_else(new_instance, |carried| carried.instance);
    options.connect.instance = Some(instance);
    let unsent = carried.as_ref().map(|carried| carried.unsent.as_slice()).unwrap_or_default();
    let after_unsent = unsent.iter().map(|send| send.client_msg_id + 1).max().unwrap_or(1);
    let next_id = carried.as_ref().map_or(1, |carried| carried.next_id).max(after_unsent);
    let connected = C::dial(&options.connect).await?;
    let welcome = connected.welcome.clone();
    let (commands_tx, commands) = mpsc::channel(COMMAND_QUEUE);
    let (events_tx, events) = mpsc::channel(EVENT_QUEUE);
    let unconfirmed = Arc::new(AtomicUsize::new(0));
    let name = Arc::new(Mutex::new(welcome.name.clone()));
    let link = Supervised {
        name: name.clone(),
        commands: commands_tx,
        instance,
        next_id: Arc::new(AtomicU64::new(next_id)),
        max_message_chars: welcome.limits.max_message_chars as usize,
        unconfirmed: unconfirmed.clone(),
    };
    let mut supervisor = Supervisor {
        core: Reconcile::new(&welcome, now()),
        options,
        client: connected.client,
        upstream: connected.events,
        events: events_tx,
        commands,
        unconfirmed,
        name,
        quitting: None,
        attempt: 0,
        network: NetworkWatch::new(),
    };
    for send in carried.map(|carried| carried.unsent).unwrap_or_default().into_iter().take(MAX_UNCONFIRMED) {
        supervisor.core.send(Outgoing::carried(send));
    }
    rt::spawn(supervisor.run());
    Ok((Commands { link }, welcome, events))
}

impl Commands<Supervised> {
    /// Leaves cleanly: first waits until what was sent is confirmed (as long as confirmations
    /// keep coming), then until the server has heard. What could not be sent is reported as
    /// [`ChatEvent::Unsent`].
    pub async fn quit(&self) {
        let (done_tx, mut done) = oneshot::channel();
        if self.link.commands.send(Command::Quit(done_tx)).await.is_err() {
            return;
        }
        let mut left = self.unconfirmed();
        while rt::timeout(QUIT_PATIENCE, &mut done).await.is_err() {
            // No answer yet: wait on while the outbox shrinks (a reconnect may be under way).
            let now_left = self.unconfirmed();
            if now_left >= left {
                return;
            }
            left = now_left;
        }
    }

    /// How many messages sent with [`say`](Self::say) or [`direct`](Self::direct) are not
    /// confirmed yet.
    pub fn unconfirmed(&self) -> usize {
        self.link.unconfirmed.load(Ordering::Relaxed)
    }

    /// What the next session on this device carries on from this one, given the messages
    /// not confirmed yet (`unsent`, as [`ChatEvent::Sending`] gave them, oldest first).
    pub fn carry(&self, unsent: Vec<CarriedSend>) -> Carried {
        let next_id = self.link.next_id.load(Ordering::Relaxed);
        Carried { instance: self.link.instance, next_id, unsent }
    }

    /// This user's name, as the server last said (it changes with a rename).
    pub fn name(&self) -> String {
        self.link.name.lock().map(|name| name.clone()).unwrap_or_default()
    }
}

impl Link for Supervised {
    fn max_message_chars(&self) -> usize {
        self.max_message_chars
    }

    fn next_client_msg_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Queues the command for the supervisor: a message or direct message goes to the outbox
    /// (kept until confirmed), anything else in its turn. While reconnecting it waits in the
    /// queue and goes out after the resume.
    async fn send(&self, message: ClientMsg) -> Result<(), ClientError> {
        let command = match Outgoing::from_message(message) {
            Ok(outgoing) => Command::Send(outgoing),
            Err(message) => Command::Other(*message),
        };
        self.commands.send(command).await.map_err(|_| ClientError::Disconnected(Disconnect::Quit))
    }
}

struct Supervisor<C: Dial> {
    options: ResumeOptions,
    client: Commands<Connection<C>>,
    upstream: mpsc::Receiver<Event>,
    events: mpsc::Sender<ChatEvent>,
    commands: mpsc::Receiver<Command>,
    /// Everything the session remembers, and what it makes of the frames.
    core: Reconcile,
    /// The core's unconfirmed count, for the handle.
    unconfirmed: Arc<AtomicUsize>,
    /// The core's name, for the handle.
    name: Arc<Mutex<String>>,
    /// Set once the caller asked to leave: answered when the outbox is empty, or when
    /// confirmations stop coming for a while (the core's quit deadline).
    quitting: Option<oneshot::Sender<()>>,
    /// The current run of reconnection attempts (a catch-up cut short continues it).
    attempt: u32,
    /// The machine's addresses, to notice a network change.
    network: NetworkWatch,
}

/// Whether the session goes on.
enum Flow {
    Continue,
    Stop,
}

impl<C: Dial> Supervisor<C> {
    async fn run(mut self) {
        let mut look = rt::now() + CHECK_EVERY;
        loop {
            if self.quitting.is_some() && self.core.is_settled() {
                self.leave().await;
                return;
            }
            let accepting = self.is_accepting();
            let due = self.core.poll_timeout(now());
            let give_up_at = self.core.quit_deadline();
            let flow = tokio::select! {
                command = self.commands.recv(), if accepting => self.execute(command).await,
                event = self.upstream.recv() => self.on_event(event).await,
                () = sleep_until_some(due) => {
                    self.core.handle_timeout(now());
                    Flow::Continue
                }
                () = sleep_until_some(give_up_at) => self.leave().await,
                () = rt::sleep_until(look) => {
                    look = rt::now() + CHECK_EVERY;
                    self.migrate_on_network_change()
                }
            };
            if let Flow::Stop = flow {
                return;
            }
            self.drive().await;
        }
    }

    /// Whether the caller's next command is taken now. A full outbox stops taking them (the
    /// caller's sends wait) until confirmations make room: backpressure instead of unbounded
    /// memory. A quit takes no more.
    fn is_accepting(&self) -> bool {
        !self.core.is_full() && self.quitting.is_none()
    }

    /// Sends what the core has to send (a send that fails, the connection breaking, stays
    /// unconfirmed and goes again after the reconnect), then passes its events on.
    async fn drive(&mut self) {
        let now = now();
        while let Some(message) = self.core.poll_transmit(now) {
            let _ = self.client.send(message).await;
        }
        while let Some(event) = self.core.poll_event() {
            if let ChatEvent::TokenIssued { token, .. } = &event {
                // Later logins use the token, as a device that keeps it would.
                self.options.connect.credential = Some(Credential::Token(token.clone()));
            }
            let _ = self.events.send(event).await;
        }
        self.unconfirmed.store(self.core.unconfirmed_count(), Ordering::Relaxed);
        if let Ok(mut name) = self.name.lock()
            && *name != self.core.name()
        {
            *name = self.core.name().to_string();
        }
    }

    async fn execute(&mut self, command: Option<Command>) -> Flow {
        match command {
            // Every handle is gone: nobody listens any more.
            None => {
                self.client.quit().await;
                return Flow::Stop;
            }
            Some(Command::Quit(done)) => {
                self.core.begin_quit(now());
                self.quitting = Some(done);
            }
            Some(Command::Send(outgoing)) => self.core.send(outgoing),
            Some(Command::Other(message)) => self.core.command(message),
            Some(Command::OpenTransfer(reply)) => {
                let connection = self.client.link.clone();
                rt::spawn(async move {
                    let _ = reply.send(connection.open_transfer().await);
                });
            }
        }
        Flow::Continue
    }

    async fn on_event(&mut self, event: Option<Event>) -> Flow {
        let event = event.unwrap_or(Event::Closed(Disconnect::Lost("the session ended".into())));
        match event {
            Event::Server(message) => self.core.handle_server(message, now()),
            Event::Presence(frame) => self.core.handle_presence(frame),
            // A catch-up cut short is always tried again.
            Event::Closed(reason) if self.core.is_catching_up() || self.should_reconnect(&reason) => {
                if !self.core.is_catching_up() {
                    self.attempt = 0;
                }
                self.core.disconnected();
                return self.reconnect().await;
            }
            Event::Closed(reason) => {
                let unsent = format!("not sent: {reason}");
                return self.end(reason, &unsent).await;
            }
        }
        Flow::Continue
    }

    /// Quits now: what is still unconfirmed is reported as not sent.
    async fn leave(&mut self) -> Flow {
        self.client.quit().await;
        self.end(Disconnect::Quit, "you left before the server confirmed it").await
    }

    /// Ends the session: every send not confirmed is reported (with `unsent`), then `reason`.
    async fn end(&mut self, reason: Disconnect, unsent: &str) -> Flow {
        self.core.abandon(unsent);
        self.drive().await;
        let _ = self.events.send(ChatEvent::Closed(reason)).await;
        if let Some(done) = self.quitting.take() {
            let _ = done.send(());
        }
        Flow::Stop
    }

    /// After a network change, moves the connection to a fresh socket on the new network:
    /// the old one may be bound to an address that is gone. QUIC validates the new path and
    /// the session goes on; if it cannot, the connection times out and is reconnected.
    fn migrate_on_network_change(&mut self) -> Flow {
        if self.network.changed() {
            C::follow_network_change(&self.client);
        }
        Flow::Continue
    }

    /// Waits `pause` before the next attempt, or less if the network changes meanwhile. The
    /// caller's commands are taken meanwhile (the core keeps them until the connection is
    /// back); `Stop` when the session ends while waiting (the caller left, or every handle
    /// is gone).
    async fn pause_before_retry(&mut self, pause: Duration) -> Flow {
        let deadline = now() + pause;
        let mut look = now() + CHECK_EVERY;
        loop {
            if self.quitting.is_some() && self.core.is_settled() {
                return self.end(Disconnect::Quit, "you left before the server confirmed it").await;
            }
            let accepting = self.is_accepting();
            let give_up_at = self.core.quit_deadline();
            tokio::select! {
                () = rt::sleep_until(deadline) => return Flow::Continue,
                () = rt::sleep_until(look) => {
                    look = now() + CHECK_EVERY;
                    if self.network.changed() {
                        return Flow::Continue;
                    }
                }
                command = self.commands.recv(), if accepting => {
                    if let Flow::Stop = self.execute(command).await {
                        return Flow::Stop;
                    }
                    self.drive().await;
                }
                () = sleep_until_some(give_up_at) => {
                    return self.end(Disconnect::Quit, "you left before the server confirmed it").await;
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

    /// Connects again until it works (or cannot ever work); the core then rejoins the rooms
    /// and catches up, and the main loop carries it out.
    async fn reconnect(&mut self) -> Flow {
        loop {
            self.attempt += 1;
            let _ = self.events.send(ChatEvent::Reconnecting { attempt: self.attempt }).await;
            if let Flow::Stop = self.pause_before_retry(backoff(self.attempt)).await {
                return Flow::Stop;
            }
            let mut options = self.options.connect.clone();
            options.name = self.core.name().to_string();
            match C::dial(&options).await {
                Ok(LoggedIn { client, welcome, events }) => {
                    self.client = client;
                    self.upstream = events;
                    self.core.reconnected(welcome, now());
                    return Flow::Continue;
                }
                Err(error) if is_final(&error) => {
                    let reason = Disconnect::GaveUp(GaveUp::from(&error));
                    let unsent = format!("not sent: {reason}");
                    return self.end(reason, &unsent).await;
                }
                Err(ConnectError::WrongPassword { retry_after_ms, .. }) => {
                    tracing::debug!(retry_after_ms, "the name is being guessed at; logging in again later");
                    if let Flow::Stop = self.pause_before_retry(Duration::from_millis(retry_after_ms)).await {
                        return Flow::Stop;
                    }
                }
                Err(error) => tracing::debug!(%error, attempt = self.attempt, "reconnecting failed"),
            }
        }
    }
}

/// Sleeps until `at`, or forever when there is no time.
async fn sleep_until_some(at: Option<Instant>) {
    match at {
        Some(at) => rt::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// A random instance number for this client's run.
fn new_instance() -> u64 {
    // 0 means "no instance" in the server's store.
    u64::from_le_bytes(rt::random_bytes()).max(1)
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
    let [byte] = rt::random_bytes();
    full / 2 + full / 2 * u32::from(byte) / 255
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
