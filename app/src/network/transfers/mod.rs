//! Files going up and down beside the session's commands, each in a task of its own that the
//! user can cancel. Each reports its progress to the model ([`NetEvent::TransferProgress`], a
//! few times a second, dropped rather than queued when the model is behind) and its end
//! ([`NetEvent::TransferEnded`], always).
//!
//! A cancelled download leaves its hidden partial file in the download folder, so downloading
//! the same file again carries on where it stopped; a cancelled upload sends no message.
//!
//! Where the bytes come from and go is the platform's: files on disk (`disk.rs`), or the
//! page's files and memory in the browser (`page.rs`, which hands downloads to the browser).

use std::sync::{Arc, Weak};
use std::time::Duration;

use anseo_shared::client::{Addressee, Resilient, rt};
use anseo_shared::protocol::FileHash;
use futures_util::future::{AbortHandle, abortable};
use tokio::sync::{Semaphore, mpsc};

use crate::model::{NetEvent, PickedFile, Target};

#[cfg(not(target_arch = "wasm32"))]
mod disk;
#[cfg(target_arch = "wasm32")]
mod page;

#[cfg(not(target_arch = "wasm32"))]
use disk::{fetch, save, share};
#[cfg(target_arch = "wasm32")]
use page::{fetch, save, share};

/// At most this often a transfer reports its progress.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// The transfers this session started, to cancel them by number.
pub struct Transfers {
    next_id: u64,
    /// The tasks' abort handles; a task's `Weak` dies when the task ends.
    running: Vec<(u64, AbortHandle, Weak<()>)>,
    /// Media come into the cache one at a time, so a screen of pictures never takes the
    /// server's transfer slots from the user's own downloads and uploads.
    media_slot: Arc<Semaphore>,
}

impl Default for Transfers {
    fn default() -> Self {
        Transfers { next_id: 0, running: Vec::new(), media_slot: Arc::new(Semaphore::new(1)) }
    }
}

impl Transfers {
    /// Downloads the file `hash` into the download folder as `name` (or a free name like it,
    /// see `unique_path`), and reports where it is or why not.
    pub fn download(
        &mut self,
        client: Resilient,
        hash: FileHash,
        name: String,
        events: mpsc::Sender<NetEvent>,
    ) {
        let id = self.next_id();
        let mut progress = Progress::new(id, &name, false, events.clone());
        let reports = events.clone();
        let work = async move {
            let event = match save(&client, hash, &name, &mut progress).await {
                Ok(path) => NetEvent::Downloaded { hash, path },
                Err(message) => NetEvent::DownloadFailed { hash, message },
            };
            let _ = reports.send(event).await;
        };
        let cancelled = NetEvent::DownloadFailed { hash, message: "cancelled".into() };
        self.start(id, work, Some(cancelled), events);
    }

    /// Shares `file` with `to` (a picture without its hidden details, see
    /// `Commands::send_file`); its message comes back as the client core's events.
    pub fn send_file(
        &mut self,
        client: Resilient,
        to: Target,
        file: PickedFile,
        events: mpsc::Sender<NetEvent>,
    ) {
        let id = self.next_id();
        let name = file.name();
        let mut progress = Progress::new(id, &name, true, events.clone());
        let reports = events.clone();
        let work = async move {
            if let Err(message) = share(&client, addressee(to), file, &mut progress).await {
                let _ =
                    reports.send(NetEvent::CommandFailed(format!("Could not send {name}: {message}"))).await;
            }
        };
        self.start(id, work, None, events);
    }

    /// Fetches the file `hash` into the media cache (see `crate::media`) to show or play it in
    /// place; quiet (no progress bar), and at once when it is there already.
    pub fn fetch_media(&mut self, client: Resilient, hash: FileHash, events: mpsc::Sender<NetEvent>) {
        let slot = self.media_slot.clone();
        rt::spawn(async move {
            let _turn = slot.acquire().await;
            let event = match fetch(&client, hash).await {
                Ok(url) => NetEvent::MediaReady { hash, url },
                Err(message) => NetEvent::MediaFailed { hash, message },
            };
            let _ = events.send(event).await;
        });
    }

    /// Stops transfer `id`, if it still runs.
    pub fn cancel(&mut self, id: u64) {
        self.running.retain(|(running, handle, _)| {
            if *running == id {
                handle.abort();
            }
            *running != id
        });
    }

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Runs `work` as transfer `id`, reporting `cancelled` (if any) when it is cancelled, and
    /// its end in any case.
    fn start(
        &mut self,
        id: u64,
        work: impl Future<Output = ()> + rt::MaybeSend + 'static,
        cancelled: Option<NetEvent>,
        events: mpsc::Sender<NetEvent>,
    ) {
        self.running.retain(|(_, _, alive)| alive.strong_count() > 0);
        let (work, handle) = abortable(work);
        let alive = Arc::new(());
        self.running.push((id, handle, Arc::downgrade(&alive)));
        rt::spawn(async move {
            let _alive = alive;
            if let (Err(_), Some(event)) = (work.await, cancelled) {
                let _ = events.send(event).await;
            }
            let _ = events.send(NetEvent::TransferEnded { id }).await;
        });
    }
}

/// Reports a transfer's progress, at most every [`PROGRESS_EVERY`], never waiting for room.
pub(super) struct Progress {
    id: u64,
    name: String,
    up: bool,
    events: mpsc::Sender<NetEvent>,
    last: Option<rt::Instant>,
}

impl Progress {
    fn new(id: u64, name: &str, up: bool, events: mpsc::Sender<NetEvent>) -> Self {
        Progress { id, name: name.to_string(), up, events, last: None }
    }

    pub(super) fn report(&mut self, done: u64, total: u64) {
        let now = rt::now();
        if self.last.is_some_and(|last| now - last < PROGRESS_EVERY) && done < total {
            return;
        }
        self.last = Some(now);
        let (id, name, up) = (self.id, self.name.clone(), self.up);
        let _ = self.events.try_send(NetEvent::TransferProgress { id, name, up, done, total });
    }
}

/// The client core's name for a conversation.
fn addressee(to: Target) -> Addressee {
    match to {
        Target::Room(room) => Addressee::Room(room),
        Target::Direct(user) => Addressee::User(user),
    }
}
