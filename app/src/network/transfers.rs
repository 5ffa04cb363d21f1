//! Files going up and down beside the session's commands, each in a task of its own that the
//! user can cancel. Each reports its progress to the model ([`NetEvent::TransferProgress`], a
//! few times a second, dropped rather than queued when the model is behind) and its end
//! ([`NetEvent::TransferEnded`], always).
//!
//! A cancelled download leaves its hidden partial file in the download folder, so downloading
//! the same file again carries on where it stopped; a cancelled upload sends no message.

use std::sync::{Arc, Weak};
use std::time::Duration;

use anseo_shared::client::{Resilient, rt};
use anseo_shared::protocol::FileHash;
use futures_util::future::{AbortHandle, abortable};
use tokio::sync::{Semaphore, mpsc};

use crate::model::{NetEvent, Target};

/// At most this often a transfer reports its progress.
#[cfg_attr(target_arch = "wasm32", allow(dead_code, reason = "no transfers in the browser yet"))]
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

    /// Shares the file at `path` with `to` (a picture without its hidden details, see
    /// `Commands::send_file`); its message comes back as the client core's events.
    pub fn send_file(
        &mut self,
        client: Resilient,
        to: Target,
        path: std::path::PathBuf,
        events: mpsc::Sender<NetEvent>,
    ) {
        let id = self.next_id();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut progress = Progress::new(id, &name, true, events.clone());
        let reports = events.clone();
        let work = async move {
            if let Err(message) = share(&client, to, &path, &mut progress).await {
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
                Ok(()) => NetEvent::MediaReady { hash },
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
        work: impl Future<Output = ()> + Send + 'static,
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
#[cfg_attr(target_arch = "wasm32", allow(dead_code, reason = "no transfers in the browser yet"))]
struct Progress {
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

    #[cfg_attr(target_arch = "wasm32", allow(dead_code, reason = "no transfers in the browser yet"))]
    fn report(&mut self, done: u64, total: u64) {
        let now = rt::now();
        if self.last.is_some_and(|last| now - last < PROGRESS_EVERY) && done < total {
            return;
        }
        self.last = Some(now);
        let (id, name, up) = (self.id, self.name.clone(), self.up);
        let _ = self.events.try_send(NetEvent::TransferProgress { id, name, up, done, total });
    }
}

/// Downloads `hash` into the download folder as `name` or a free name like it; where it went.
#[cfg(not(target_arch = "wasm32"))]
async fn save(
    client: &Resilient,
    hash: FileHash,
    name: &str,
    progress: &mut Progress,
) -> Result<String, String> {
    let dir = dirs::download_dir().or_else(dirs::home_dir).unwrap_or_else(|| ".".into());
    let dest = anseo_shared::client::unique_path(&dir.join(name));
    match client.download(hash, &dest, |done, total| progress.report(done, total)).await {
        Ok(file) => Ok(file.path.display().to_string()),
        Err(error) => Err(error.to_string()),
    }
}

/// Shares the file at `path` with `to`.
#[cfg(not(target_arch = "wasm32"))]
async fn share(
    client: &Resilient,
    to: Target,
    path: &std::path::Path,
    progress: &mut Progress,
) -> Result<(), String> {
    let to = match to {
        Target::Room(room) => anseo_shared::client::Addressee::Room(room),
        Target::Direct(user) => anseo_shared::client::Addressee::User(user),
    };
    let sent = client.send_file(&to, path, "", false, |_, done, total| progress.report(done, total)).await;
    sent.map(drop).map_err(|error| error.to_string())
}

/// In the browser, files do not come down yet.
#[cfg(target_arch = "wasm32")]
async fn save(
    _client: &Resilient,
    _hash: FileHash,
    _name: &str,
    _progress: &mut Progress,
) -> Result<String, String> {
    Err("files cannot be downloaded in the browser yet; use the app or the terminal client".into())
}

/// In the browser, files do not go up yet.
#[cfg(target_arch = "wasm32")]
async fn share(
    _client: &Resilient,
    _to: Target,
    _path: &std::path::Path,
    _progress: &mut Progress,
) -> Result<(), String> {
    Err("files cannot be sent from the browser yet; use the app or the terminal client".into())
}

/// Downloads `hash` into the media cache, unless it is there.
#[cfg(not(target_arch = "wasm32"))]
async fn fetch(client: &Resilient, hash: FileHash) -> Result<(), String> {
    let path = crate::media::cached(&hash);
    if path.is_file() {
        return Ok(());
    }
    std::fs::create_dir_all(crate::media::media_dir()).map_err(|e| e.to_string())?;
    client.download(hash, &path, |_, _| {}).await.map(drop).map_err(|error| error.to_string())
}

/// In the browser, files do not come down yet: pictures stay previews.
#[cfg(target_arch = "wasm32")]
async fn fetch(_client: &Resilient, _hash: FileHash) -> Result<(), String> {
    Err("files cannot be downloaded in the browser yet".into())
}
