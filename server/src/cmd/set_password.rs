//! `SetPassword`: claim the sender's current name, or change its password. Checked here; the
//! hashing and writing happen after the hub lock is released ([`crate::accounts`]).
//!
//! Whoever is online with a name is its rightful holder: a claimed name can only be logged
//! into with its credential and nobody renames into it, so no further proof is asked.

use anseo_shared::protocol::{ErrorCode, validate_password};

use super::CommandError;
use crate::hub::{ClientId, Hub};

pub struct SetPassword {
    pub password: String,
}

impl std::fmt::Debug for SetPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetPassword(..)")
    }
}

impl SetPassword {
    /// Returns the name to claim (the sender's, as it is now) and the password.
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<(String, String), CommandError> {
        validate_password(&self.password)
            .map_err(|e| CommandError::new(ErrorCode::InvalidPassword, e.to_string()))?;
        if hub.accounts().is_none() {
            let message = "this server keeps no accounts (it runs without a store)";
            return Err(CommandError::new(ErrorCode::Unavailable, message));
        }
        let name = hub.lock().user(me).map(|u| u.name.clone()).unwrap_or_default();
        Ok((name, self.password))
    }
}
