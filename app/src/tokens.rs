//! Logins kept on this device: after a password login or a claim the server hands out a login
//! token, and the next login to the same server with the same name uses it instead of asking
//! for the password again.
//!
//! One JSON document, `tokens.json` in Anseo's config folder, readable by its owner only (mode
//! 0600 on Unix), or in the browser's storage for the page's server ([`Place`]). Entries are keyed by the server address as typed (trimmed, like the
//! known-servers file) and the folded name (names compare case-insensitively). Nothing here
//! prints a token.

use std::io;

use anseo_shared::protocol::fold_name;
use serde::{Deserialize, Serialize};

use crate::storage::{Place, Privacy};

/// The token file of this device.
#[derive(Debug, Clone)]
pub struct TokenStore {
    place: Place,
}

#[derive(Default, Serialize, Deserialize)]
struct TokenFile {
    tokens: Vec<Entry>,
}

/// One saved login (no `Debug`: it holds the token).
#[derive(Serialize, Deserialize)]
struct Entry {
    server: String,
    /// Folded.
    name: String,
    token: String,
}

impl Entry {
    fn is_for(&self, server: &str, name: &str) -> bool {
        self.server == server.trim() && self.name == fold_name(name)
    }
}

impl TokenStore {
    pub fn new(place: Place) -> Self {
        TokenStore { place }
    }

    /// Where this device keeps them.
    pub fn default_place() -> Place {
        Place::named("tokens.json")
    }

    /// The token saved for `name` on `server`, if any. An unreadable file counts as empty.
    pub fn get(&self, server: &str, name: &str) -> Option<String> {
        let file = self.load();
        file.tokens.into_iter().find(|entry| entry.is_for(server, name)).map(|entry| entry.token)
    }

    /// Saves `token` for `name` on `server`, replacing an older one.
    pub fn save(&self, server: &str, name: &str, token: &str) -> io::Result<()> {
        let mut file = self.load();
        file.tokens.retain(|entry| !entry.is_for(server, name));
        let entry = Entry { server: server.trim().to_string(), name: fold_name(name), token: token.into() };
        file.tokens.push(entry);
        self.write(&file)
    }

    /// Forgets the token for `name` on `server` (it was refused).
    pub fn forget(&self, server: &str, name: &str) -> io::Result<()> {
        let mut file = self.load();
        let before = file.tokens.len();
        file.tokens.retain(|entry| !entry.is_for(server, name));
        if file.tokens.len() == before {
            return Ok(());
        }
        self.write(&file)
    }

    fn load(&self) -> TokenFile {
        self.place.read().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default()
    }

    /// Replaces the file, owner-only (it holds secrets).
    fn write(&self, file: &TokenFile) -> io::Result<()> {
        let text = serde_json::to_string_pretty(file).map_err(io::Error::other)?;
        self.place.write(&text, Privacy::Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, TokenStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::new(Place::file(dir.path().join("nested").join("tokens.json")));
        (dir, store)
    }

    #[test]
    fn a_saved_token_is_found_by_server_and_folded_name() {
        let (_dir, store) = store();
        assert_eq!(store.get("10.0.0.1:4433", "bob"), None, "no file yet");
        store.save(" 10.0.0.1:4433 ", "Bob", "token-1").unwrap();
        assert_eq!(store.get("10.0.0.1:4433", "bob").as_deref(), Some("token-1"));
        assert_eq!(store.get("10.0.0.1:4433", "BOB").as_deref(), Some("token-1"));
        assert_eq!(store.get("10.0.0.2:4433", "bob"), None, "another server");
        assert_eq!(store.get("10.0.0.1:4433", "carol"), None, "another name");
    }

    #[test]
    fn saving_again_replaces_and_forgetting_removes_only_that_login() {
        let (_dir, store) = store();
        store.save("h:1", "bob", "old").unwrap();
        store.save("h:1", "carol", "carol's").unwrap();
        store.save("h:2", "bob", "other server").unwrap();
        store.save("h:1", "bob", "new").unwrap();
        assert_eq!(store.get("h:1", "bob").as_deref(), Some("new"));
        store.forget("h:1", "BOB").unwrap();
        assert_eq!(store.get("h:1", "bob"), None);
        assert_eq!(store.get("h:1", "carol").as_deref(), Some("carol's"));
        assert_eq!(store.get("h:2", "bob").as_deref(), Some("other server"));
        store.forget("h:9", "nobody").unwrap();
    }

    #[test]
    fn an_unreadable_file_counts_as_empty_and_is_replaced() {
        let (_dir, store) = store();
        std::fs::create_dir_all(store.place.path().parent().unwrap()).unwrap();
        std::fs::write(store.place.path(), "not json").unwrap();
        assert_eq!(store.get("h:1", "bob"), None);
        store.save("h:1", "bob", "t").unwrap();
        assert_eq!(store.get("h:1", "bob").as_deref(), Some("t"));
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let (_dir, store) = store();
        std::fs::create_dir_all(store.place.path().parent().unwrap()).unwrap();
        std::fs::write(store.place.path(), "{\"tokens\": []}").unwrap();
        std::fs::set_permissions(store.place.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        store.save("h:1", "bob", "t").unwrap();
        let mode = std::fs::metadata(store.place.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        store.forget("h:1", "bob").unwrap();
        let mode = std::fs::metadata(store.place.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
