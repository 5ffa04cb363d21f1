//! What the app remembers between runs: the last server address and name, in `last_login.json`
//! in Anseo's folder of the user's config dir (next to `known_servers`), or in the browser's
//! storage ([`Place`]).

use serde::{Deserialize, Serialize};

use crate::storage::{Place, Privacy};

/// The fields of the last successful login.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastLogin {
    pub server: String,
    pub name: String,
}

impl LastLogin {
    /// Where it is kept by default.
    pub fn default_place() -> Place {
        Place::named("last_login.json")
    }

    /// Reads it; a missing or unreadable document gives empty fields.
    pub fn load(place: &Place) -> Self {
        place.read().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default()
    }

    /// Rewrites it whole.
    pub fn save(&self, place: &Place) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        place.write(&text, Privacy::Public)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_then_load_round_trips_and_missing_is_empty() {
        let dir = std::env::temp_dir().join(format!("anseo-app-settings-{}", std::process::id()));
        let path = Place::file(dir.join("nested").join("last_login.json"));
        assert_eq!(LastLogin::load(&path), LastLogin::default());
        let last = LastLogin { server: "10.0.0.2:4433".into(), name: "alice".into() };
        last.save(&path).unwrap();
        assert_eq!(LastLogin::load(&path), last);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
