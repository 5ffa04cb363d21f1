//! The one network task: it owns the client core's session, runs [`Command`]s from the views
//! and reports [`NetEvent`]s to the model. When the connection drops it reconnects by itself
//! with backoff and rejoins the rooms the user was in.
//!
//! The session runs in a tokio task (the client core needs `Send`); [`use_network`] bridges it
//! into the UI through two channels and one `use_coroutine`, which is the only place that
//! writes network results into the model signal.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use anseo_shared::client::{ConnectOptions, Connected, Disconnect, Event, Trust, connect};
use anseo_shared::protocol::{LOBBY, ServerMsg};
use anseo_shared::trust::KnownServers;
use dioxus::prelude::*;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::model::{Command, LoginFailure, Model, NetEvent};
use crate::settings::LastLogin;

/// Where the network task keeps its files.
#[derive(Debug, Clone)]
pub struct Paths {
    pub known_servers: PathBuf,
    pub last_login: PathBuf,
}

impl Default for Paths {
    fn default() -> Self {
        // KnownServers::default_path() is the same file on desktops; on phones the app's own
        // folder is the only writable place.
        let known_servers = if cfg!(target_os = "android") {
            crate::settings::config_dir().join("known_servers")
        } else {
            KnownServers::default_path()
        };
        Paths { known_servers, last_login: LastLogin::default_path() }
    }
}

/// Starts the network task and returns the handle views send commands to. When the app
/// closes, the session leaves cleanly (Client::quit) before the process ends.
pub fn use_network(mut model: Signal<Model>, paths: Paths) -> Coroutine<Command> {
    let session = use_hook(|| Rc::new(Session::start(paths)));
    use_coroutine(move |mut commands: UnboundedReceiver<Command>| {
        let session = session.clone();
        async move {
            let Some(mut events) = session.take_events() else { return };
            loop {
                tokio::select! {
                    command = commands.next() => match command {
                        Some(command) => { let _ = session.commands.send(command); }
                        None => return,
                    },
                    event = events.recv() => match event {
                        Some(event) => model.write().apply(event),
                        None => return,
                    },
                }
            }
        }
    })
}

/// The running network task, seen from the UI thread. Dropping it (the app closes) asks the
/// task to quit and waits briefly until the server has been told.
struct Session {
    commands: mpsc::UnboundedSender<Command>,
    events: RefCell<Option<mpsc::Receiver<NetEvent>>>,
    finished: std::sync::mpsc::Receiver<()>,
}

impl Session {
    fn start(paths: Paths) -> Self {
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (event_tx, events) = mpsc::channel(256);
        let (finished_tx, finished) = std::sync::mpsc::channel();
        tokio::spawn(run(command_rx, Reporter { events: event_tx, finished: finished_tx }, paths));
        Session { commands, events: RefCell::new(Some(events)), finished }
    }

    fn take_events(&self) -> Option<mpsc::Receiver<NetEvent>> {
        self.events.borrow_mut().take()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        while self.finished.try_recv().is_ok() {}
        if self.commands.send(Command::Quit).is_ok() {
            // Blocking is fine here: the task runs on the runtime's worker threads.
            let _ = self.finished.recv_timeout(Duration::from_secs(3));
        }
    }
}

/// Where the network task reports to.
pub struct Reporter {
    pub events: mpsc::Sender<NetEvent>,
    /// Signalled each time a Quit command has been carried out.
    pub finished: std::sync::mpsc::Sender<()>,
}

impl Reporter {
    async fn send(&self, event: NetEvent) {
        let _ = self.events.send(event).await;
    }

    fn quit_done(&self) {
        let _ = self.finished.send(());
    }
}

/// The network task: waits for a login, then serves the session until the user leaves.
pub async fn run(mut commands: mpsc::UnboundedReceiver<Command>, events: Reporter, paths: Paths) {
    while let Some(command) = commands.recv().await {
        let options = match command {
            Command::Connect { server, name, pin } => {
                let trust = match pin {
                    Some(fingerprint) => Trust::Pinned(fingerprint),
                    None => Trust::KnownServers(paths.known_servers.clone()),
                };
                ConnectOptions::new(server, name, trust)
            }
            Command::TrustAndConnect { server, name, fingerprint } => {
                let remembered = KnownServers::load(&paths.known_servers)
                    .and_then(|mut known| known.remember(&server, fingerprint));
                if let Err(e) = remembered {
                    events.send(NetEvent::LoginFailed(LoginFailure::Other(e.to_string()))).await;
                    continue;
                }
                ConnectOptions::new(server, name, Trust::KnownServers(paths.known_servers.clone()))
            }
            Command::Quit => {
                events.quit_done();
                continue;
            }
            // Not logged in: nothing to do.
            _ => continue,
        };
        match connect(&options).await {
            Err(e) => {
                events.send(NetEvent::LoginFailed(LoginFailure::from(&e))).await;
            }
            Ok(connected) => {
                let last = LastLogin { server: options.server.clone(), name: options.name.clone() };
                if let Err(e) = last.save(&paths.last_login) {
                    tracing::warn!(error = %e, "cannot remember the last login");
                }
                events.send(NetEvent::Connected(connected.welcome.clone())).await;
                serve(connected, options, &mut commands, &events).await;
            }
        }
    }
}

/// Runs one logged-in session, reconnecting as needed, until the user quits.
async fn serve(
    mut connected: Connected,
    mut options: ConnectOptions,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    events: &Reporter,
) {
    let mut rooms = BTreeSet::from([LOBBY.to_string()]);
    loop {
        let Connected { client, events: mut incoming, .. } = connected;
        let reason = loop {
            tokio::select! {
                event = incoming.recv() => match event {
                    Some(Event::Server(message)) => {
                        track(&message, &mut rooms, &mut options);
                        events.send(NetEvent::Server(message)).await;
                    }
                    Some(Event::Presence(frame)) => { events.send(NetEvent::Presence(frame)).await; }
                    Some(Event::Closed(reason)) => break reason,
                    // Only resilient sessions report these; this loop reconnects by itself.
                    Some(Event::Reconnecting { .. } | Event::Resumed { .. }) => {}
                    None => break Disconnect::Lost("the session ended".into()),
                },
                command = commands.recv() => match command {
                    None | Some(Command::Quit) => {
                        client.quit().await;
                        events.send(NetEvent::LoggedOut).await;
                        events.quit_done();
                        return;
                    }
                    Some(command) => {
                        if let Err(message) = execute(&client, command).await {
                            events.send(NetEvent::CommandFailed(message)).await;
                        }
                    }
                },
            }
        };
        if reason == Disconnect::Quit {
            events.send(NetEvent::LoggedOut).await;
            return;
        }
        events.send(NetEvent::Lost { reason: reason.to_string() }).await;
        match reconnect(&options, commands, events).await {
            Some(again) => {
                events.send(NetEvent::Connected(again.welcome.clone())).await;
                for room in rooms.iter().filter(|r| **r != again.welcome.room) {
                    if let Err(e) = again.client.join(room, None).await {
                        let _ =
                            events.send(NetEvent::CommandFailed(format!("Cannot rejoin {room}: {e}"))).await;
                    }
                }
                connected = again;
            }
            None => return,
        }
    }
}

/// Tries to log in again with growing pauses (1, 2, 4, 8, 15 s...). Returns `None` when the
/// user quit meanwhile or the server's identity changed (already reported).
async fn reconnect(
    options: &ConnectOptions,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    events: &Reporter,
) -> Option<Connected> {
    for attempt in 1u32.. {
        let pause = Duration::from_secs((1u64 << (attempt - 1).min(4)).min(15));
        events.send(NetEvent::Reconnecting { attempt, retry_in_secs: pause.as_secs() }).await;
        let deadline = tokio::time::Instant::now() + pause;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => break,
                command = commands.recv() => match command {
                    None | Some(Command::Quit) => {
                        events.send(NetEvent::LoggedOut).await;
                        events.quit_done();
                        return None;
                    }
                    Some(_) => {
                        let message = "Not connected; reconnecting".to_string();
                        events.send(NetEvent::CommandFailed(message)).await;
                    }
                },
            }
        }
        match connect(options).await {
            Ok(connected) => return Some(connected),
            Err(e) if e.is_certificate_problem() => {
                events.send(NetEvent::LoginFailed(LoginFailure::from(&e))).await;
                return None;
            }
            Err(e) => tracing::info!(attempt, error = %e, "reconnecting failed"),
        }
    }
    None
}

/// Keeps what a reconnection needs: the rooms to rejoin and the current name.
fn track(message: &ServerMsg, rooms: &mut BTreeSet<String>, options: &mut ConnectOptions) {
    match message {
        ServerMsg::Joined { room, .. } => {
            rooms.insert(room.name.clone());
        }
        ServerMsg::Left { room, .. } => {
            rooms.remove(room);
        }
        ServerMsg::Renamed { new, .. } => options.name = new.clone(),
        _ => {}
    }
}

async fn execute(client: &anseo_shared::client::Client, command: Command) -> Result<(), String> {
    let result = match command {
        Command::Say { room, text } => client.say(&room, &text).await.map(drop),
        Command::Direct { to, text } => client.direct(&to, &text).await.map(drop),
        Command::Join { room, topic } => client.join(&room, topic.as_deref()).await,
        Command::Leave { room } => client.leave(&room).await,
        Command::Nick { name } => client.nick(&name).await,
        Command::Connect { .. } | Command::TrustAndConnect { .. } | Command::Quit => Ok(()),
    };
    result.map_err(|e| e.to_string())
}
