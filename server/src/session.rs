//! One client connection, from handshake to goodbye.
//!
//! The client opens one bidirectional stream and must send `Hello` first (within the hello
//! timeout). A good Hello logs the user in through the hub, which queues the Welcome; two
//! writer tasks then drain the client's outboxes (chat onto the bidirectional stream, presence
//! onto the one uni stream the server opens). The session reads commands until the client
//! leaves, vanishes (idle timeout) or breaks the protocol, then logs the user out so everyone
//! is told.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anseo_shared::protocol::{
    ClientMsg, Credential, DirectMessage, ErrorCode, FrameError, PROTOCOL_VERSION, Rejection, ServerMsg,
    close_code, normalize_name,
};
use futures_util::StreamExt;
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_util::codec::FramedRead;

use crate::accounts::Admission;
use crate::clock::now_ms;
use crate::cmd::{self, Command, Followup};
use crate::history::HistoryRequest;
use crate::hub::{ClientId, LoggedIn, encode};
use crate::inbound::{Inbound, InboundCodec};
use crate::limits::{Budgets, Kind, SessionBudgets, Verdict};
use crate::link::{ClientConnection, ClientLink, FrameSink};
use crate::outbox::Outbox;
use crate::presence::Resync;
use crate::shared::Shared;
use crate::store::StoredDirect;
use crate::transfer;

/// How long the goodbye steps (delivering a rejection, flushing the last replies) may take.
const LINGER: Duration = Duration::from_secs(5);

/// The initial size of a client's read buffer.
const READ_BUFFER: usize = 512;

/// Waiting direct messages read from the store at a time.
const WAITING_PAGE: u32 = 100;

/// How often a backlog of waiting direct messages checks whether the client's queue drained.
const DRAIN_CHECK: Duration = Duration::from_millis(5);

/// Commands handled in a row before the session lets other tasks run.
const YIELD_EVERY: u32 = 32;

type Reader<C> = FramedRead<<C as ClientConnection>::Source, InboundCodec>;

/// One connection being served, over any transport.
struct Session<C> {
    connection: C,
    peer: SocketAddr,
    shared: Arc<Shared>,
}

/// What the first frame asked for.
struct Greeting {
    name: String,
    credential: Option<Credential>,
    /// The client's instance number, from a Rejoin.
    instance: Option<u64>,
}

/// A logged-in user's side of the session.
struct Login {
    id: ClientId,
    chat_writer: JoinHandle<()>,
    /// The client's transfers (files up and down), ended with the session.
    transfers: JoinHandle<()>,
}

/// Serves a connection that admission counted (the caller releases it), whatever carries it.
pub async fn serve_admitted<C: ClientConnection>(connection: C, shared: &Arc<Shared>) {
    let peer = connection.peer();
    let connected = shared.connections.fetch_add(1, Ordering::Relaxed) + 1;
    tracing::info!("{} connection from {peer} ({connected} connected)", connection.transport());
    Session { connection, peer, shared: shared.clone() }.run().await;
    shared.connections.fetch_sub(1, Ordering::Relaxed);
}

/// Forgets a connection that admission counted.
pub fn release(shared: &Shared, peer: SocketAddr) {
    shared.admission.lock().unwrap_or_else(|e| e.into_inner()).release(peer.ip());
}

impl<C: ClientConnection> Session<C> {
    /// The login's steps are boxed: a session spends its life in the command loop, and its
    /// task should not stay as large as the login (password hashing, store reads) needed.
    async fn run(self) {
        let Some((login, reader)) = Box::pin(self.log_in()).await else { return };
        self.read_commands(reader, login.id).await;
        Box::pin(self.finish(login)).await;
    }

    /// From the Hello to the lobby's history: the session logged in, and its command stream.
    async fn log_in(&self) -> Option<(Login, Reader<C>)> {
        let (send, reader, Greeting { name, credential, instance }) = self.read_hello().await?;
        if let Err(rejection) = self.within_login_rate() {
            return self.reject(send, rejection).await;
        }
        let admission = match self.admit(&name, credential).await {
            Ok(admission) => admission,
            Err(rejection) => return self.reject(send, rejection).await,
        };
        if let Some(instance) = instance {
            self.replace_stale_session(&name, instance).await;
        }
        let (login, lobby_history) = self.login(send, name.clone(), instance).await?;
        self.after_login(login.id, &name, admission).await;
        cmd::send_page(&self.shared.hub, login.id, lobby_history).await;
        Some((login, reader))
    }

    /// Waits for the bidirectional stream and its Hello (or Login), closing the connection on
    /// anything else. Returns the streams and what the first frame asked for.
    async fn read_hello(&self) -> Option<(C::Sink, Reader<C>, Greeting)> {
        let wait = self.shared.settings.hello_timeout;
        let too_late = format!("no Hello within {} s", wait.as_secs_f32());
        let deadline = tokio::time::Instant::now() + wait;
        let (send, recv) = match tokio::time::timeout_at(deadline, self.connection.accept_duplex()).await {
            Err(_elapsed) => return self.protocol_error(&too_late),
            Ok(Err(error)) => return self.gone(&error),
            Ok(Ok(streams)) => streams,
        };
        // Clients send small frames: a small initial buffer (it grows for a large frame)
        // keeps an idle client's memory down.
        let mut reader = FramedRead::with_capacity(recv, InboundCodec::default(), READ_BUFFER);
        match tokio::time::timeout_at(deadline, reader.next()).await {
            Err(_elapsed) => self.protocol_error(&too_late),
            Ok(None) => self.protocol_error("the stream ended before Hello"),
            Ok(Some(Err(error))) => self.frame_error(&error),
            Ok(Some(Ok(Inbound::Undecodable(reason)))) => {
                self.protocol_error(&format!("expected Hello, got an undecodable frame: {reason}"))
            }
            Ok(Some(Ok(Inbound::Message(
                first @ (ClientMsg::Hello { .. } | ClientMsg::Login(_) | ClientMsg::Rejoin(_)),
            )))) => {
                let (version, name, credential, instance) = match first {
                    ClientMsg::Login(login) => (login.version, login.name, Some(login.credential), None),
                    ClientMsg::Rejoin(rejoin) => {
                        (rejoin.version, rejoin.name, rejoin.credential, Some(rejoin.instance))
                    }
                    ClientMsg::Hello { version, name } => (version, name, None, None),
                    _ => unreachable!("matched above"),
                };
                if version != PROTOCOL_VERSION {
                    let rejection =
                        Rejection::UnsupportedVersion { server: PROTOCOL_VERSION, client: version };
                    return self.reject(send, rejection).await;
                }
                match normalize_name(&name) {
                    Ok(name) => Some((send, reader, Greeting { name, credential, instance })),
                    Err(error) => {
                        self.reject(send, Rejection::InvalidName { reason: error.to_string() }).await
                    }
                }
            }
            Ok(Some(Ok(Inbound::Message(_)))) => self.protocol_error("expected Hello as the first frame"),
        }
    }

    /// Checks the name against the accounts (every name is open without a store).
    async fn admit(&self, name: &str, credential: Option<Credential>) -> Result<Admission, Rejection> {
        match self.shared.hub.accounts() {
            None => Ok(Admission::Open),
            Some(accounts) => accounts.admit(name, credential, self.peer.ip()).await,
        }
    }

    /// Claims the name or issues a token, as the admission says, once the login succeeded.
    async fn after_login(&self, me: ClientId, name: &str, admission: Admission) {
        match admission {
            Admission::Open => {}
            // The claim took this address's turn when it was admitted.
            Admission::Claim(password) => self.save_password(me, name, password).await,
            Admission::Verified { issue_token } => {
                let Some(accounts) = self.shared.hub.accounts() else { return };
                if issue_token {
                    match accounts.issue_token(name).await {
                        Ok(token) => self.send_token(me, name, token),
                        Err(error) => self.shared.hub.lock().send_error(
                            me,
                            ErrorCode::Unavailable,
                            error.to_string(),
                            None,
                        ),
                    }
                }
                self.deliver_waiting_directs(me, name).await;
            }
        }
    }

    /// Hands over the direct messages that waited for this claimed name while it was offline,
    /// a page at a time, at the pace the client reads them. Only those that made it into the
    /// client's queue are marked delivered; the rest wait for its next login.
    async fn deliver_waiting_directs(&self, me: ClientId, name: &str) {
        let Some(accounts) = self.shared.hub.accounts() else { return };
        let Some(outbox) = self.shared.hub.lock().chat_outboxes([me]).pop() else { return };
        loop {
            let page = accounts.waiting_directs(name, WAITING_PAGE).await;
            let complete = page.len() == WAITING_PAGE as usize;
            let (queued, all) = self.queue_directs(&outbox, page).await;
            let recorded = accounts.delivered(name, queued).await;
            if !(recorded && all && complete) {
                return;
            }
        }
    }

    /// Queues `directs` for the client, each once its queue has room; returns the ids
    /// queued, and whether that is all of them (not when the client stopped reading).
    async fn queue_directs(&self, outbox: &Outbox, directs: Vec<StoredDirect>) -> (Vec<u64>, bool) {
        // A quarter of the client's queue at most, so the backlog never overflows it.
        let budget = self.shared.settings.outbox.bytes / 4;
        let mut queued = Vec::with_capacity(directs.len());
        for direct in directs {
            let id = direct.id;
            let message = DirectMessage {
                id,
                from: direct.sender,
                to: direct.recipient,
                text: direct.text,
                ts: direct.ts_ms,
                client_msg_id: direct.client_msg_id,
                attachment: direct.attachment,
            };
            let Some(frame) = encode(&ServerMsg::Direct(message)) else { continue };
            if !self.room_for(outbox, frame.len(), budget).await || !outbox.push(frame) {
                return (queued, false);
            }
            queued.push(id);
        }
        (queued, true)
    }

    /// Waits until `outbox` has room for `len` more bytes within `budget`; `false` when the
    /// client reads nothing for the stall timeout (it is then disconnected as too slow).
    async fn room_for(&self, outbox: &Outbox, len: usize, budget: usize) -> bool {
        let mut waited = Duration::ZERO;
        let mut last = outbox.queued_bytes();
        while last > 0 && last + len > budget {
            if waited >= self.shared.settings.outbox.stall || self.connection.is_closed() {
                return false;
            }
            tokio::time::sleep(DRAIN_CHECK).await;
            let now = outbox.queued_bytes();
            waited = if now < last { Duration::ZERO } else { waited + DRAIN_CHECK };
            last = now;
        }
        true
    }

    /// Claims `name` with `password` (or changes it) and sends the new token, if this
    /// address may set a password now.
    async fn set_password(&self, me: ClientId, name: &str, password: String) {
        let Some(accounts) = self.shared.hub.accounts() else { return };
        if let Err(error) = accounts.may_set_password(self.peer.ip()) {
            tracing::info!("{} sets passwords too often", self.peer);
            return self.shared.hub.lock().send_error(me, ErrorCode::RateLimited, error.to_string(), None);
        }
        self.save_password(me, name, password).await;
    }

    /// Claims `name` with `password` (or changes it) and sends the new token.
    async fn save_password(&self, me: ClientId, name: &str, password: String) {
        let Some(accounts) = self.shared.hub.accounts() else { return };
        match accounts.set_password(name, password).await {
            Ok(token) => {
                tracing::info!("{name} set a password");
                self.shared.hub.lock().mark_claimed(name);
                self.send_token(me, name, token);
            }
            Err(error) => {
                self.shared.hub.lock().send_error(me, ErrorCode::Unavailable, error.to_string(), None)
            }
        }
    }

    fn send_token(&self, me: ClientId, name: &str, token: String) {
        let message = ServerMsg::Token { name: name.to_string(), token, ts: now_ms() };
        self.shared.hub.lock().send(me, &message);
    }

    /// A client rejoining after a drop may find its old session still here (the server has
    /// not noticed the drop yet): that session is closed, and its name freed, first.
    async fn replace_stale_session(&self, name: &str, instance: u64) {
        if !self.shared.hub.close_stale_session(name, instance) {
            return;
        }
        tracing::info!("{name} rejoined from {}; closing the old session", self.peer);
        let deadline = tokio::time::Instant::now() + LINGER;
        while self.shared.hub.lock().find_user(name).is_some() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Logs the user in and starts its writers, or sends the rejection.
    async fn login(
        &self,
        send: C::Sink,
        name: String,
        instance: Option<u64>,
    ) -> Option<(Login, HistoryRequest)> {
        let limits = self.shared.settings.outbox;
        let link: Arc<dyn ClientLink> = Arc::new(self.connection.clone());
        let (chat, chat_queue) = Outbox::new(&link, "chat", limits);
        match self.shared.hub.login_as(name.clone(), chat, instance, Some(self.peer.ip())) {
            Ok(LoggedIn { id, online, lobby_history, presence }) => {
                tracing::info!("{name} joined ({online} online)");
                let chat_writer = tokio::spawn(chat_queue.drain_into(send));
                let shared = self.shared.clone();
                let resync: Resync =
                    Box::new(move |resubscribe| cmd::resync_presence(&shared.hub, id, resubscribe));
                let connection = self.connection.clone();
                tokio::spawn(async move {
                    match connection.open_sink().await {
                        Ok(stream) => presence.write_to(stream, link, limits.stall, resync).await,
                        Err(error) => tracing::debug!(%error, "could not open the presence stream"),
                    }
                });
                let transfers =
                    tokio::spawn(transfer::serve(self.connection.clone(), self.shared.clone(), id));
                Some((Login { id, chat_writer, transfers }, lobby_history))
            }
            Err(rejection) => self.reject(send, rejection).await,
        }
    }

    /// Answers each command until the stream ends or breaks. Every frame is paid from one of
    /// the session's budgets, which start from what the user's name or address left behind
    /// and are kept again when the stream ends (see [`Budgets`](crate::limits::Budgets)).
    async fn read_commands(&self, reader: Reader<C>, me: ClientId) {
        let Some(name) = self.shared.hub.lock().user(me).map(|user| user.name.clone()) else { return };
        let mut budgets = self.budgets().resume(&name, self.peer.ip(), Instant::now());
        self.answer_commands(reader, me, &mut budgets).await;
        // Kept under the name the user has now: a resuming client logs in with it.
        let name = self.shared.hub.lock().user(me).map_or(name, |user| user.name.clone());
        self.budgets().keep(&name, self.peer.ip(), &budgets, Instant::now());
    }

    fn budgets(&self) -> std::sync::MutexGuard<'_, Budgets> {
        self.shared.budgets.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The command loop of [`read_commands`](Self::read_commands).
    async fn answer_commands(&self, mut reader: Reader<C>, me: ClientId, budgets: &mut SessionBudgets) {
        let hub = &self.shared.hub;
        let mut handled = 0u32;
        while let Some(frame) = reader.next().await {
            // A client sending a long burst should not keep its own writers (and everyone
            // else on this worker) waiting until the whole burst is handled.
            handled = handled.wrapping_add(1);
            if handled.is_multiple_of(YIELD_EVERY) {
                tokio::task::yield_now().await;
            }
            let msg = match frame {
                Ok(Inbound::Message(msg)) => msg,
                Ok(Inbound::Undecodable(reason)) => {
                    tracing::debug!("undecodable frame from {}: {reason}", self.peer);
                    if self.within_rate(budgets, Kind::Requests, me, None) {
                        let message = format!("the frame could not be decoded: {reason}");
                        hub.lock().send_error(me, ErrorCode::Protocol, message, None);
                    }
                    continue;
                }
                Err(error) => {
                    self.frame_error::<()>(&error);
                    return;
                }
            };
            let Some(command) = Command::from_msg(msg) else {
                if self.within_rate(budgets, Kind::Requests, me, None) {
                    let message = "already logged in: Hello is only the first frame".to_string();
                    hub.lock().send_error(me, ErrorCode::Protocol, message, None);
                }
                continue;
            };
            if !self.within_rate(budgets, command.budget(), me, command.client_msg_id()) {
                continue;
            }
            // Slow follow-ups run here, so each client has at most one in flight.
            // Boxed, like the login: the loop waits for the next frame far more often.
            match command.apply(hub, me) {
                Some(Followup::History(request)) => Box::pin(cmd::send_page(hub, me, request)).await,
                Some(Followup::Search(request)) => Box::pin(cmd::send_results(hub, me, request)).await,
                Some(Followup::Amend(request)) => Box::pin(cmd::amend(hub, me, request)).await,
                Some(Followup::SetPassword { name, password }) => {
                    Box::pin(self.set_password(me, &name, password)).await
                }
                None => {}
            }
        }
    }

    /// Takes a token from the `kind` budget for one command, answering (or, for a flood,
    /// disconnecting) when there is none.
    fn within_rate(
        &self,
        budgets: &mut SessionBudgets,
        kind: Kind,
        me: ClientId,
        client_msg_id: Option<u64>,
    ) -> bool {
        let Verdict::Limited { retry_after, refused_in_a_row } = budgets.get_mut(kind).take(Instant::now())
        else {
            return true;
        };
        let what = match kind {
            Kind::Messages => "messages",
            Kind::Requests => "requests",
            Kind::Board => "board operations",
        };
        if refused_in_a_row >= self.shared.settings.abuse_after {
            tracing::warn!("{} keeps sending {what} too fast, disconnecting", self.peer);
            let reason = format!("flooding: too many {what} too fast");
            self.connection.close(close_code::ABUSE, &reason);
        } else {
            if refused_in_a_row == 1 {
                tracing::info!("{} rate limited ({what})", self.peer);
            }
            let message = format!("slow down: try again in {} ms", retry_after.as_millis().max(1));
            self.shared.hub.lock().send_error(me, ErrorCode::RateLimited, message, client_msg_id);
        }
        false
    }

    /// Counts a login from the client's address, refusing it beyond the logins an address
    /// may make in a minute.
    fn within_login_rate(&self) -> Result<(), Rejection> {
        let retry_after = self.budgets().login(self.peer.ip(), Instant::now()).err();
        let Some(retry_after) = retry_after else { return Ok(()) };
        tracing::warn!("{} logs in too often", self.peer);
        let seconds = retry_after.as_secs_f64().ceil().max(1.0);
        let reason = format!("too many logins from your address: try again in {seconds} s");
        Err(Rejection::Unavailable { reason })
    }

    /// Logs the user out (everyone is told), lets the last replies leave, and closes.
    async fn finish(&self, login: Login) {
        login.transfers.abort();
        if let Some((name, online)) = self.shared.hub.logout(login.id) {
            tracing::info!("{name} left ({online} online)");
        }
        // The hub dropped the user's outboxes, so the writer ends once its queue is empty.
        let _ = timeout(LINGER, login.chat_writer).await;
        self.connection.close(close_code::NORMAL, "bye");
    }

    /// Sends the rejection, waits until the client has it, and closes.
    async fn reject<T>(&self, mut send: C::Sink, rejection: Rejection) -> Option<T> {
        let reason = match &rejection {
            Rejection::NameTaken { name } => format!("the name '{name}' is taken"),
            Rejection::InvalidName { reason } => format!("invalid name: {reason}"),
            Rejection::UnsupportedVersion { server, client } => {
                format!("unsupported protocol version {client} (this server speaks {server})")
            }
            Rejection::ServerFull => "the server is full".to_string(),
            Rejection::PasswordRequired { name } => {
                format!("the name '{name}' is claimed; a password is needed")
            }
            Rejection::WrongPassword { name, .. } => format!("wrong password for '{name}'"),
            Rejection::AccountRequired { name } => {
                format!("'{name}' has no account and the server requires one")
            }
            Rejection::InvalidPassword { reason } => reason.clone(),
            Rejection::Unavailable { reason } => reason.clone(),
        };
        // The reason may quote what the client sent (a bad character of a name): escaped, so
        // no control character reaches the log.
        tracing::info!("login from {} refused: {}", self.peer, reason.escape_debug());
        if let Some(frame) = encode(&ServerMsg::Rejected(rejection)) {
            let delivered = async {
                if send.write_chunk(frame).await.is_ok() {
                    send.finish();
                    send.delivered().await;
                }
            };
            let _ = timeout(LINGER, delivered).await;
        }
        self.connection.close(close_code::REJECTED, &reason);
        None
    }

    /// Closes the connection for breaking the protocol.
    fn protocol_error<T>(&self, reason: &str) -> Option<T> {
        tracing::warn!("protocol error from {}: {reason}", self.peer);
        self.connection.close(close_code::PROTOCOL, reason);
        None
    }

    /// A frame could not be read: too large (the client's fault) or the connection is gone.
    fn frame_error<T>(&self, error: &FrameError) -> Option<T> {
        match error {
            FrameError::Io(io) => {
                tracing::debug!("connection from {} ended: {io}", self.peer);
                None
            }
            other => self.protocol_error(&other.to_string()),
        }
    }

    fn gone<T>(&self, error: &std::io::Error) -> Option<T> {
        tracing::debug!("connection from {} ended before Hello: {error}", self.peer);
        None
    }
}
