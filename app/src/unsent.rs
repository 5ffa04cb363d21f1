//! Messages not confirmed yet, kept on this device so they outlive the session: a browser
//! tab reloaded (or closed by the system) while offline, an app that quit before the server
//! answered. The next login to the same server with the same name takes them and the client
//! core sends them again as the same client instance with the same ids
//! ([`Carried`]), so the server posts each once even if it took one before.
//!
//! One JSON document for the one session of this window: in the browser, the tab's session
//! storage (it survives a reload of the tab, and two tabs never take each other's); on
//! desktops and phones, `unsent.json` in Anseo's config folder. It exists only while
//! something is unconfirmed, so a second session under the same name elsewhere on the
//! device does not take this one's instance.

use std::io;

use anseo_shared::client::{Addressee, Carried, CarriedSend, ChatEvent};
use anseo_shared::protocol::{Attachment, fold_name};
use serde::{Deserialize, Serialize};

use crate::storage::{Place, Privacy};

/// This window's unconfirmed messages, kept.
#[derive(Debug, Clone)]
pub struct UnsentStore {
    place: Place,
}

#[derive(Serialize, Deserialize)]
struct Document {
    server: String,
    /// Folded.
    name: String,
    instance: u64,
    next_id: u64,
    unsent: Vec<Line>,
}

#[derive(Serialize, Deserialize)]
struct Line {
    id: u64,
    /// The room, or `None` for a direct message to `user`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    room: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    text: String,
    /// The file the message carries, already uploaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attachment: Option<Attachment>,
}

impl UnsentStore {
    pub fn new(place: Place) -> Self {
        UnsentStore { place }
    }

    /// Where this window keeps them.
    pub fn default_place() -> Place {
        Place::for_this_window("unsent.json")
    }

    /// Takes what an earlier session of `name` on `server` left unconfirmed, if anything.
    /// It is kept until the new session says otherwise ([`keep`](Self::keep)).
    pub fn take(&self, server: &str, name: &str) -> Option<Carried> {
        let document: Document = serde_json::from_str(&self.place.read()?).ok()?;
        if document.server != server.trim() || document.name != fold_name(name) {
            return None;
        }
        let unsent = document.unsent.into_iter().filter_map(Line::into_send).collect();
        Some(Carried { instance: document.instance, next_id: document.next_id, unsent })
    }

    /// Keeps `carried` for the next session of `name` on `server`; with nothing unsent,
    /// keeps nothing.
    pub fn keep(&self, server: &str, name: &str, carried: &Carried) -> io::Result<()> {
        if carried.unsent.is_empty() {
            return self.place.remove();
        }
        let document = Document {
            server: server.trim().to_string(),
            name: fold_name(name),
            instance: carried.instance,
            next_id: carried.next_id,
            unsent: carried.unsent.iter().map(Line::from_send).collect(),
        };
        let text = serde_json::to_string(&document).map_err(io::Error::other)?;
        self.place.write(&text, Privacy::Secret)
    }
}

impl Line {
    fn from_send(send: &CarriedSend) -> Line {
        let (room, user) = match &send.to {
            Addressee::Room(room) => (Some(room.clone()), None),
            Addressee::User(user) => (None, Some(user.clone())),
        };
        Line {
            id: send.client_msg_id,
            room,
            user,
            text: send.text.clone(),
            attachment: send.attachment.clone(),
        }
    }

    fn into_send(self) -> Option<CarriedSend> {
        let to = match (self.room, self.user) {
            (Some(room), None) => Addressee::Room(room),
            (None, Some(user)) => Addressee::User(user),
            _ => return None,
        };
        Some(CarriedSend { client_msg_id: self.id, to, text: self.text, attachment: self.attachment })
    }
}

/// The session's unconfirmed messages, followed from its events, oldest first.
#[derive(Debug, Default)]
pub struct Unconfirmed {
    sends: Vec<CarriedSend>,
}

impl Unconfirmed {
    /// Follows `event`; says whether the unconfirmed messages changed. A message refused for
    /// good is no longer on its way; one the session could not send before it ended still is.
    pub fn follow(&mut self, event: &ChatEvent) -> bool {
        let done = match event {
            ChatEvent::Sending { client_msg_id, to, text, attachment } => {
                let send = CarriedSend {
                    client_msg_id: *client_msg_id,
                    to: to.clone(),
                    text: text.clone(),
                    attachment: attachment.clone(),
                };
                self.sends.push(send);
                return true;
            }
            ChatEvent::Message { confirms: Some(id), .. }
            | ChatEvent::Direct { confirms: Some(id), .. }
            | ChatEvent::AlreadyPosted { client_msg_id: id }
            | ChatEvent::Refused { client_msg_id: id, .. } => *id,
            _ => return false,
        };
        let before = self.sends.len();
        self.sends.retain(|send| send.client_msg_id != done);
        self.sends.len() != before
    }

    pub fn sends(&self) -> Vec<CarriedSend> {
        self.sends.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, UnsentStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = UnsentStore::new(Place::file(dir.path().join("nested").join("unsent.json")));
        (dir, store)
    }

    fn send(id: u64, to: Addressee, text: &str) -> CarriedSend {
        CarriedSend { client_msg_id: id, to, text: text.into(), attachment: None }
    }

    #[test]
    fn what_is_kept_is_taken_by_the_same_server_and_name_only() {
        let (_dir, store) = store();
        assert_eq!(store.take("h:1", "bob"), None, "nothing kept yet");
        let unsent = vec![
            send(3, Addressee::Room("lobby".into()), "one"),
            send(4, Addressee::User("ann".into()), "two"),
        ];
        let carried = Carried { instance: 77, next_id: 5, unsent };
        store.keep(" h:1 ", "Bob", &carried).unwrap();
        assert_eq!(store.take("h:1", "BOB"), Some(carried));
        assert_eq!(store.take("h:2", "bob"), None, "another server");
        assert_eq!(store.take("h:1", "carol"), None, "another name");
    }

    #[test]
    fn with_nothing_unsent_nothing_is_kept() {
        let (_dir, store) = store();
        let unsent = vec![send(1, Addressee::Room("lobby".into()), "hi")];
        store.keep("h:1", "bob", &Carried { instance: 9, next_id: 2, unsent }).unwrap();
        store.keep("h:1", "bob", &Carried { instance: 9, next_id: 2, unsent: vec![] }).unwrap();
        assert_eq!(store.take("h:1", "bob"), None);
        assert!(!store.place.path().exists());
    }

    #[test]
    fn sends_are_followed_until_confirmed_or_refused() {
        let mut unconfirmed = Unconfirmed::default();
        let sending = |id: u64, text: &str| ChatEvent::Sending {
            client_msg_id: id,
            to: Addressee::Room("lobby".into()),
            text: text.into(),
            attachment: None,
        };
        assert!(unconfirmed.follow(&sending(1, "a")));
        assert!(unconfirmed.follow(&sending(2, "b")));
        assert!(unconfirmed.follow(&sending(3, "c")));
        let refused = ChatEvent::Refused {
            client_msg_id: 2,
            code: anseo_shared::protocol::ErrorCode::TooLong,
            message: "too long".into(),
            ts: 0,
        };
        assert!(unconfirmed.follow(&refused));
        assert!(!unconfirmed.follow(&ChatEvent::Reconnecting { attempt: 1 }));
        let texts: Vec<String> = unconfirmed.sends().into_iter().map(|send| send.text).collect();
        assert_eq!(texts, ["a", "c"]);
    }
}
