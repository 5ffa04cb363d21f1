//! Where the app keeps its small documents (the last login, the logins kept on this device,
//! the messages not confirmed yet): a file in Anseo's config folder on desktops and phones,
//! an entry of the browser's local storage (per server, since a page's storage belongs to
//! its origin) in the browser, or of the tab's session storage for what belongs to one tab.
//! The documents are whole texts, replaced whole.

use std::io;
#[cfg(not(target_arch = "wasm32"))]
use std::path::PathBuf;

/// Where one document lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    #[cfg(not(target_arch = "wasm32"))]
    path: PathBuf,
    #[cfg(target_arch = "wasm32")]
    key: String,
    /// In the tab's session storage rather than the page's local storage.
    #[cfg(target_arch = "wasm32")]
    this_tab: bool,
}

/// Whether a document holds secrets (then only its owner may read the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privacy {
    Public,
    Secret,
}

#[cfg(not(target_arch = "wasm32"))]
impl Place {
    /// The file `path`.
    pub fn file(path: PathBuf) -> Self {
        Place { path }
    }

    /// The document `name` in Anseo's config folder.
    pub fn named(name: &str) -> Self {
        Place::file(config_dir().join(name))
    }

    /// The document `name` of this window: the app has one, in Anseo's config folder.
    pub fn for_this_window(name: &str) -> Self {
        Place::named(name)
    }

    /// Removes the document; one that is not there is fine.
    pub fn remove(&self) -> io::Result<()> {
        match std::fs::remove_file(&self.path) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }

    /// The text, if the document exists and can be read.
    pub fn read(&self) -> Option<String> {
        std::fs::read_to_string(&self.path).ok()
    }

    /// Replaces the document whole (creating its folder).
    pub fn write(&self, text: &str, privacy: Privacy) -> io::Result<()> {
        let mode = match privacy {
            Privacy::Public => 0o644,
            Privacy::Secret => 0o600,
        };
        anseo_shared::files::write_atomically(&self.path, text.as_bytes(), mode)
    }

    /// The file's path.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

#[cfg(target_arch = "wasm32")]
impl Place {
    /// The document `name` in the page's local storage.
    pub fn named(name: &str) -> Self {
        Place { key: format!("anseo.{name}"), this_tab: false }
    }

    /// The document `name` of this tab, in its session storage: it survives a reload of the
    /// tab, and no other tab sees it.
    pub fn for_this_window(name: &str) -> Self {
        Place { key: format!("anseo.{name}"), this_tab: true }
    }

    /// The text, if the browser keeps it.
    pub fn read(&self) -> Option<String> {
        self.storage()?.get_item(&self.key).ok().flatten()
    }

    /// Removes the document; one that is not there is fine.
    pub fn remove(&self) -> io::Result<()> {
        match self.storage() {
            Some(storage) => storage
                .remove_item(&self.key)
                .map_err(|_| io::Error::other("the browser's storage is turned off")),
            None => Ok(()),
        }
    }

    fn storage(&self) -> Option<web_sys::Storage> {
        let window = web_sys::window()?;
        let storage = if self.this_tab { window.session_storage() } else { window.local_storage() };
        storage.ok().flatten()
    }

    /// Replaces the document whole. The browser keeps a page's storage to its origin (this
    /// server); a secret is as safe there as the browser's profile.
    pub fn write(&self, text: &str, _privacy: Privacy) -> io::Result<()> {
        let storage =
            self.storage().ok_or_else(|| io::Error::other("the browser keeps no storage for this page"))?;
        storage
            .set_item(&self.key, text)
            .map_err(|_| io::Error::other("the browser's storage is full or turned off"))
    }
}

/// Anseo's folder for settings and the known-servers file: `anseo` in the user's config dir;
/// on Android (which has no such dir without JNI) the app's private files folder.
#[cfg(not(target_arch = "wasm32"))]
pub fn config_dir() -> PathBuf {
    if cfg!(target_os = "android") {
        return PathBuf::from("/data/data/ie.anseo.app/files");
    }
    dirs::config_dir().unwrap_or_else(|| PathBuf::from(".")).join("anseo")
}
