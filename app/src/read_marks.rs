//! Where the user stopped reading, kept on this device: for each server and name, the id of
//! the newest message seen in each room. The next login places the "new messages" line there
//! and counts what came since as unread. One JSON document, `read.json` in Anseo's config
//! folder (the browser's local storage for the page's server), bounded: at most
//! [`MAX_LOGINS`] logins of [`MAX_ROOMS`] rooms each.

use std::collections::BTreeMap;
use std::io;
use std::time::Duration;

use anseo_shared::client::rt::Instant;

use anseo_shared::protocol::fold_name;
use serde::{Deserialize, Serialize};

use crate::storage::{Place, Privacy};

/// Logins remembered, at most (the oldest saved is dropped).
pub const MAX_LOGINS: usize = 20;
/// Rooms remembered per login, at most.
pub const MAX_ROOMS: usize = 200;

/// The read marks of this device.
#[derive(Debug, Clone)]
pub struct ReadMarks {
    place: Place,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Document {
    /// Most recently saved last.
    logins: Vec<Login>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Login {
    server: String,
    /// Folded.
    name: String,
    /// Room name to the id of the newest message read there.
    rooms: BTreeMap<String, u64>,
}

impl ReadMarks {
    pub fn new(place: Place) -> Self {
        ReadMarks { place }
    }

    /// Where this device keeps them.
    pub fn default_place() -> Place {
        Place::named("read.json")
    }

    /// The marks of `name` on `server` (none when nothing was kept or the file is unreadable).
    pub fn load(&self, server: &str, name: &str) -> BTreeMap<String, u64> {
        let document = self.document();
        let login = document.logins.into_iter().find(|login| login.is(server, name));
        login.map(|login| login.rooms).unwrap_or_default()
    }

    /// Keeps `rooms` as the marks of `name` on `server`.
    pub fn save(&self, server: &str, name: &str, rooms: &BTreeMap<String, u64>) -> io::Result<()> {
        let mut document = self.document();
        document.logins.retain(|login| !login.is(server, name));
        let rooms = rooms.iter().rev().take(MAX_ROOMS).map(|(room, id)| (room.clone(), *id)).collect();
        document.logins.push(Login { server: server.trim().to_string(), name: fold_name(name), rooms });
        let excess = document.logins.len().saturating_sub(MAX_LOGINS);
        document.logins.drain(..excess);
        let text = serde_json::to_string(&document).map_err(io::Error::other)?;
        self.place.write(&text, Privacy::Public)
    }

    fn document(&self) -> Document {
        self.place.read().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default()
    }
}

/// Writes one login's marks at most once every [`SAVE_EVERY`] (they move with every message
/// read in a busy room); the latest marks in between wait, and are written at the session's
/// end at the latest.
#[derive(Debug, Default)]
pub struct MarkSaver {
    waiting: Option<BTreeMap<String, u64>>,
    last: Option<Instant>,
}

/// The shortest time between two writes of the marks.
pub const SAVE_EVERY: Duration = Duration::from_secs(1);

impl MarkSaver {
    /// Keeps `rooms` as `name`'s marks on `server`: now, or once [`SAVE_EVERY`] has passed.
    pub fn offer(&mut self, marks: &ReadMarks, server: &str, name: &str, rooms: BTreeMap<String, u64>) {
        self.waiting = Some(rooms);
        if self.last.is_none_or(|last| last.elapsed() >= SAVE_EVERY) {
            self.flush(marks, server, name);
        }
    }

    /// Writes the marks still waiting, if any.
    pub fn flush(&mut self, marks: &ReadMarks, server: &str, name: &str) {
        let Some(rooms) = self.waiting.take() else { return };
        self.last = Some(Instant::now());
        if let Err(e) = marks.save(server, name, &rooms) {
            tracing::warn!(error = %e, "cannot keep where the user stopped reading");
        }
    }
}

impl Login {
    fn is(&self, server: &str, name: &str) -> bool {
        self.server == server.trim() && self.name == fold_name(name)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn marks_are_kept_per_server_and_name() {
        let dir = tempfile::tempdir().unwrap();
        let marks = ReadMarks::new(Place::file(dir.path().join("read.json")));
        assert!(marks.load("host:4433", "alice").is_empty());
        let rooms = BTreeMap::from([("lobby".to_string(), 17), ("maths".to_string(), 40)]);
        marks.save("host:4433", "Alice", &rooms).unwrap();
        marks.save("other:4433", "alice", &BTreeMap::from([("lobby".to_string(), 3)])).unwrap();
        assert_eq!(marks.load("host:4433", "alice"), rooms);
        assert_eq!(marks.load("other:4433", "ALICE")["lobby"], 3);
        assert!(marks.load("host:4433", "bob").is_empty());
    }

    #[test]
    fn marks_moving_fast_are_written_once_a_second_and_the_last_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let marks = ReadMarks::new(Place::file(dir.path().join("read.json")));
        let mut saver = MarkSaver::default();
        let at = |id: u64| BTreeMap::from([("lobby".to_string(), id)]);
        saver.offer(&marks, "host:4433", "alice", at(1));
        saver.offer(&marks, "host:4433", "alice", at(2));
        assert_eq!(marks.load("host:4433", "alice"), at(1), "the second waits");
        saver.flush(&marks, "host:4433", "alice");
        assert_eq!(marks.load("host:4433", "alice"), at(2));
    }
}
