//! Files going up (`/send`) and down (`/get`) beside the chat: each runs as a task of its
//! own, so chat goes on meanwhile, and tells the session loop how it is going ([`Note`]): its
//! progress a few times a second (a bar on stderr for people, `transfer` objects for
//! scripts), and how it ended. A transfer that breaks off with the connection carries on by
//! itself once the session has reconnected.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anseo_shared::client::{Addressee, Resilient, TransferError};
use anseo_shared::protocol::{FileHash, hash_to_hex};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::mpsc;

use crate::output::{Direction, Report};

/// The least time between two progress notes of one transfer.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// Notes waiting for the session loop, at most (progress notes beyond it are skipped).
const NOTES: usize = 64;

/// What a transfer tells the session loop.
#[derive(Debug)]
pub enum Note {
    /// Progress, to print for scripts.
    Progress(Report),
    /// The file is up and its message on its way (its echo carries `client_msg_id`).
    Shared { client_msg_id: u64 },
    /// A file is down, whole and checked.
    Downloaded(Report),
    /// It failed.
    Failed(Report),
}

impl Note {
    /// Whether the transfer ended with this note.
    pub fn is_last(&self) -> bool {
        !matches!(self, Note::Progress(_))
    }
}

/// The transfers of a session.
pub struct Transfers {
    notes: mpsc::Sender<Note>,
    running: usize,
    json: bool,
}

impl Transfers {
    pub fn new(json: bool) -> (Transfers, mpsc::Receiver<Note>) {
        let (notes, receiver) = mpsc::channel(NOTES);
        (Transfers { notes, running: 0, json }, receiver)
    }

    /// How many transfers have not ended.
    pub fn running(&self) -> usize {
        self.running
    }

    /// Takes note that a transfer ended (its last note arrived).
    pub fn ended(&mut self) {
        self.running = self.running.saturating_sub(1);
    }

    /// Shares the file at `path` with `to`.
    pub fn send(
        &mut self,
        client: Resilient,
        to: Addressee,
        path: PathBuf,
        caption: String,
        keep_metadata: bool,
    ) {
        self.running += 1;
        let notes = self.notes.clone();
        let mut progress = Progress::new(Direction::Up, self.json, notes.clone());
        tokio::spawn(async move {
            let shared = client
                .send_file(&to, &path, &caption, keep_metadata, |hash, done, total| {
                    progress.update(hash, done, total)
                })
                .await;
            progress.finish();
            let note = match shared {
                Ok(shared) => Note::Shared { client_msg_id: shared.client_msg_id },
                Err(error) => Note::Failed(failure(None, &error)),
            };
            let _ = notes.send(note).await;
        });
    }

    /// Downloads the file `hash` to `dest`.
    pub fn get(&mut self, client: Resilient, hash: FileHash, dest: PathBuf) {
        self.running += 1;
        let notes = self.notes.clone();
        let mut progress = Progress::new(Direction::Down, self.json, notes.clone());
        tokio::spawn(async move {
            let downloaded =
                client.download(hash, &dest, |done, total| progress.update(hash, done, total)).await;
            progress.finish();
            let note = match downloaded {
                Ok(file) => Note::Downloaded(Report::Downloaded {
                    hash: hash_to_hex(&hash),
                    path: file.path.display().to_string(),
                    size: file.size,
                }),
                Err(error) => Note::Failed(failure(Some(hash), &error)),
            };
            let _ = notes.send(note).await;
        });
    }
}

/// The error report for a transfer that failed.
fn failure(hash: Option<FileHash>, error: &TransferError) -> Report {
    Report::transfer_failed(hash.as_ref().map(hash_to_hex), error.code(), error.to_string())
}

/// One transfer's progress: notes for scripts, at most one per [`PROGRESS_EVERY`], one at
/// the end, and one where a transfer carries on after a break (so a script sees it resume);
/// a bar on stderr for people.
struct Progress {
    direction: Direction,
    notes: Option<mpsc::Sender<Note>>,
    bar: Option<ProgressBar>,
    last: Option<(Instant, u64)>,
}

impl Progress {
    fn new(direction: Direction, json: bool, notes: mpsc::Sender<Note>) -> Progress {
        Progress { direction, notes: json.then_some(notes), bar: None, last: None }
    }

    fn update(&mut self, hash: FileHash, done: u64, total: u64) {
        let carried_on = self.last.is_some_and(|(_, before)| done <= before);
        let recent = self.last.is_some_and(|(at, _)| at.elapsed() < PROGRESS_EVERY);
        if recent && done < total && !carried_on {
            return;
        }
        self.last = Some((Instant::now(), done));
        if let Some(notes) = &self.notes {
            let report =
                Report::Transfer { direction: self.direction, hash: hash_to_hex(&hash), done, total };
            // A note skipped while the loop is busy is made up for by the next one.
            let _ = notes.try_send(Note::Progress(report));
            return;
        }
        let direction = self.direction;
        let bar = self.bar.get_or_insert_with(|| new_bar(direction, total));
        bar.set_position(done);
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// A bar on stderr (drawn only when stderr is a terminal).
fn new_bar(direction: Direction, total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    let verb = if direction == Direction::Up { "sending" } else { "receiving" };
    let template = format!("{verb} [{{bar:30}}] {{bytes}}/{{total_bytes}} {{bytes_per_sec}} {{eta}}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
