//! The one network task: it owns the client core's resilient session, runs [`Command`]s from
//! the views and reports [`NetEvent`]s to the model. Staying connected is the client core's
//! job ([`anseo_shared::client::Resilient`]): it reconnects with backoff, rejoins, passes on
//! what was missed and re-sends what was not confirmed; this task reports those steps.
//!
//! The session runs in a task of its own (tokio's on desktops and phones, the page's in the
//! browser: `anseo_shared::client::rt`); [`use_network`] bridges it
//! into the UI through two bounded channels (commands in, events out) and one
//! `use_coroutine`, which is the only place that writes network results into the model
//! signal. The coroutine forwards commands and applies events side by side, so a full command
//! queue never holds up the events that would empty it.
//!
//! # Layout
//! - [`login`]: choosing the credential (typed password, else the login saved on this device)
//!   and logging in; a refused saved login is forgotten.
//! - [`session`]: one logged-in session until the user leaves or it ends for good.
//! - `discovery`: the servers announcing themselves on the network, for the login screen.
//! - [`transfers`]: files going up and down beside the session's commands, cancellable.

#[cfg(not(target_arch = "wasm32"))]
mod discovery;
mod login;
mod session;
mod transfers;

use std::cell::RefCell;
#[cfg(not(target_arch = "wasm32"))]
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
#[cfg(not(target_arch = "wasm32"))]
use std::time::Duration;

use anseo_shared::client::{Trust, rt};
use anseo_shared::trust::Fingerprint;
#[cfg(not(target_arch = "wasm32"))]
use anseo_shared::trust::KnownServers;
use dioxus::prelude::*;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::model::{Command, LoginFailure, Model, NetEvent};
use crate::read_marks::ReadMarks;
use crate::settings::LastLogin;
use crate::storage::Place;
use crate::tokens::TokenStore;
use crate::unsent::UnsentStore;
use login::LoginRequest;

/// Where the network task keeps what it remembers.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The servers the user trusts (a browser trusts the server that served the page).
    #[cfg(not(target_arch = "wasm32"))]
    pub known_servers: PathBuf,
    pub last_login: Place,
    /// The logins kept on this device (see [`TokenStore`]).
    pub tokens: Place,
    /// This window's messages not confirmed yet (see [`UnsentStore`]).
    pub unsent: Place,
    /// Where the user stopped reading (see [`ReadMarks`]).
    pub read_marks: Place,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            #[cfg(not(target_arch = "wasm32"))]
            known_servers: known_servers_path(),
            last_login: LastLogin::default_place(),
            tokens: TokenStore::default_place(),
            unsent: UnsentStore::default_place(),
            read_marks: ReadMarks::default_place(),
        }
    }
}

/// KnownServers::default_path() is the same file on desktops; on phones the app's own folder
/// is the only writable place.
#[cfg(not(target_arch = "wasm32"))]
fn known_servers_path() -> PathBuf {
    if cfg!(target_os = "android") {
        crate::storage::config_dir().join("known_servers")
    } else {
        KnownServers::default_path()
    }
}

impl Paths {
    /// How to check the server: the pinned fingerprint, else the known-servers file; in the
    /// browser, the page's own server, which the browser checked.
    fn trust(&self, pin: Option<Fingerprint>) -> Trust {
        #[cfg(target_arch = "wasm32")]
        let trust = {
            let _ = pin;
            Trust::PageOrigin
        };
        #[cfg(not(target_arch = "wasm32"))]
        let trust = match pin {
            Some(fingerprint) => Trust::Pinned(fingerprint),
            None => Trust::KnownServers(self.known_servers.clone()),
        };
        trust
    }

    /// Trusts `fingerprint` for `server` from now on.
    fn remember(&self, server: &str, fingerprint: Fingerprint) -> Result<Trust, String> {
        #[cfg(target_arch = "wasm32")]
        let remembered = {
            let _ = (server, fingerprint);
            Ok(Trust::PageOrigin)
        };
        #[cfg(not(target_arch = "wasm32"))]
        let remembered = KnownServers::load(&self.known_servers)
            .and_then(|mut known| known.remember(server, fingerprint))
            .map(|()| Trust::KnownServers(self.known_servers.clone()))
            .map_err(|e| e.to_string());
        remembered
    }
}

/// Commands on their way to the network task, at most (then the views' commands wait in the
/// coroutine).
const COMMAND_QUEUE: usize = 64;
/// Events on their way to the model, at most.
const EVENT_QUEUE: usize = 256;

/// Starts the network task and returns the handle views send commands to. When the app
/// closes, the session leaves cleanly (Resilient::quit) before the process ends.
pub fn use_network(mut model: Signal<Model>, paths: Paths) -> Coroutine<Command> {
    let session = use_hook(|| Rc::new(Session::start(paths)));
    use_coroutine(move |mut commands: UnboundedReceiver<Command>| {
        let session = session.clone();
        async move {
            let Some(mut events) = session.take_events() else { return };
            let Some(to_network) = session.sender() else { return };
            let keep = session.sender();
            let forward = async move {
                while let Some(command) = commands.next().await {
                    if to_network.send(command).await.is_err() {
                        return;
                    }
                }
            };
            let apply = async move {
                while let Some(event) = events.recv().await {
                    let (notifications, marks, watch) = {
                        let mut model = model.write();
                        model.apply(event);
                        let chat = model.chat.as_mut();
                        chat.map(|chat| {
                            (chat.take_notifications(), chat.read_marks_to_keep(), chat.watch_to_send())
                        })
                        .unwrap_or_default()
                    };
                    notifications.into_iter().for_each(crate::notifier::show);
                    if let Some(keep) = &keep {
                        for command in marks.into_iter().chain(watch) {
                            let _ = keep.send(command).await;
                        }
                    }
                }
            };
            futures_util::future::join(forward, apply).await;
        }
    })
}

/// The running network task, seen from the UI thread. Dropping it (the app closes) closes the
/// command queue, which makes the task leave, and waits briefly until the server has been told.
struct Session {
    commands: RefCell<Option<mpsc::Sender<Command>>>,
    events: RefCell<Option<mpsc::Receiver<NetEvent>>>,
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    finished: std::sync::mpsc::Receiver<()>,
}

impl Session {
    fn start(paths: Paths) -> Self {
        let (commands, command_rx) = mpsc::channel(COMMAND_QUEUE);
        let (event_tx, events) = mpsc::channel(EVENT_QUEUE);
        let (finished_tx, finished) = std::sync::mpsc::channel();
        let on_login_screen = Arc::new(AtomicBool::new(true));
        #[cfg(not(target_arch = "wasm32"))]
        rt::spawn(discovery::watch(event_tx.clone(), paths.known_servers.clone(), on_login_screen.clone()));
        let reporter = Reporter { events: event_tx, finished: finished_tx, on_login_screen };
        rt::spawn(run(command_rx, reporter, paths));
        Session { commands: RefCell::new(Some(commands)), events: RefCell::new(Some(events)), finished }
    }

    fn take_events(&self) -> Option<mpsc::Receiver<NetEvent>> {
        self.events.borrow_mut().take()
    }

    /// A sender of commands to the task, while the app is open.
    fn sender(&self) -> Option<mpsc::Sender<Command>> {
        self.commands.borrow().clone()
    }
}

impl Drop for Session {
    /// The page of a browser cannot wait: its session ends with the page.
    #[cfg(target_arch = "wasm32")]
    fn drop(&mut self) {}

    #[cfg(not(target_arch = "wasm32"))]
    fn drop(&mut self) {
        while self.finished.try_recv().is_ok() {}
        if self.commands.borrow_mut().take().is_some() {
            // Blocking is fine here: the task runs on the runtime's worker threads.
            let _ = self.finished.recv_timeout(Duration::from_secs(3));
        }
    }
}

/// Where the network task reports to.
#[derive(Clone)]
pub struct Reporter {
    pub events: mpsc::Sender<NetEvent>,
    /// Signalled each time a Quit command has been carried out.
    pub finished: std::sync::mpsc::Sender<()>,
    /// No session is being served: the login screen shows (discovery looks only then).
    pub on_login_screen: Arc<AtomicBool>,
}

impl Reporter {
    async fn send(&self, event: NetEvent) {
        let _ = self.events.send(event).await;
    }

    fn quit_done(&self) {
        let _ = self.finished.send(());
    }
}

/// The network task: waits for a login, then serves the session until the user leaves or it
/// ends, and waits for the next login. It ends when the command queue closes (the app closed).
pub async fn run(mut commands: mpsc::Receiver<Command>, events: Reporter, paths: Paths) {
    let tokens = TokenStore::new(paths.tokens.clone());
    let unsent = UnsentStore::new(paths.unsent.clone());
    let marks = ReadMarks::new(paths.read_marks.clone());
    while let Some(command) = commands.recv().await {
        let request = match command {
            Command::Connect { server, name, password, pin } => {
                LoginRequest { trust: paths.trust(pin), server, name, password }
            }
            Command::TrustAndConnect { server, name, password, fingerprint } => {
                match paths.remember(&server, fingerprint) {
                    Ok(trust) => LoginRequest { server, name, password, trust },
                    Err(e) => {
                        events.send(NetEvent::LoginFailed(LoginFailure::Other(e))).await;
                        continue;
                    }
                }
            }
            Command::Quit => {
                events.quit_done();
                continue;
            }
            // Not logged in: nothing to do.
            _ => continue,
        };
        match login::log_in(&request, &tokens, &unsent).await {
            Err(failure) => events.send(NetEvent::LoginFailed(failure)).await,
            Ok(logged_in) => {
                let last = LastLogin { server: logged_in.server.clone(), name: request.name.trim().into() };
                if let Err(e) = last.save(&paths.last_login) {
                    tracing::warn!(error = %e, "cannot remember the last login");
                }
                events.send(NetEvent::Connected(logged_in.welcome.clone())).await;
                events.send(NetEvent::ReadMarks(marks.load(&logged_in.server, &logged_in.name))).await;
                if let Some(fingerprint) = remembered(&request.trust, &logged_in.server) {
                    events.send(NetEvent::Trusted(fingerprint)).await;
                }
                events.on_login_screen.store(false, Ordering::Relaxed);
                session::serve(logged_in, &mut commands, &events, &tokens, &unsent, &marks).await;
                events.on_login_screen.store(true, Ordering::Relaxed);
            }
        }
    }
    events.quit_done();
}

/// The fingerprint the known-servers file holds for `server`, when that is how it was trusted
/// (a pin is known to the model already; a page's server is the page's).
fn remembered(trust: &anseo_shared::client::Trust, server: &str) -> Option<Fingerprint> {
    #[cfg(not(target_arch = "wasm32"))]
    if let anseo_shared::client::Trust::KnownServers(path) = trust {
        return KnownServers::load(path).ok()?.get(server);
    }
    let _ = (trust, server);
    None
}
