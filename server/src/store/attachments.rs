//! Attachments in the store: each message's attachment is kept beside it, postcard-encoded,
//! with its hash in a column of its own so the server finds quickly where a file was shared
//! (who may download it).

use anseo_shared::protocol::{Attachment, FileHash, fold_name};
use rusqlite::params;

use super::{Store, StoreError};

/// Direct messages with one file looked at, at most, to find whether a user may download it.
const MAX_DIRECTS_LOOKED_AT: u32 = 1000;

/// Where a file was shared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttachedTo {
    /// The rooms (names as stored) with a message carrying it.
    pub rooms: Vec<String>,
    /// Whether a direct message the asking user sent or received carries it.
    pub direct_of_user: bool,
}

impl Store {
    /// Where the file `hash` was shared: in which rooms, and whether in a direct message of
    /// the user `name` (compared ignoring case).
    pub fn attached_to(&self, hash: &FileHash, name: &str) -> Result<AttachedTo, StoreError> {
        let hash = hash.to_vec();
        let mut rooms = self
            .connection
            .prepare_cached("SELECT DISTINCT room FROM room_messages WHERE attachment_hash = ?1")
            .map_err(|e| self.error(e))?;
        let rooms = rooms
            .query_map([&hash], |row| row.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.error(e))?;
        let mut parties = self
            .connection
            .prepare_cached(
                "SELECT sender, recipient FROM direct_messages WHERE attachment_hash = ?1 LIMIT ?2",
            )
            .map_err(|e| self.error(e))?;
        let me = fold_name(name);
        let direct_of_user = parties
            .query_map(params![&hash, MAX_DIRECTS_LOOKED_AT], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.error(e))?
            .iter()
            .any(|(sender, recipient)| fold_name(sender) == me || fold_name(recipient) == me);
        Ok(AttachedTo { rooms, direct_of_user })
    }
}

/// The column's value for `attachment`.
pub(super) fn encode(attachment: Option<&Attachment>) -> Option<Vec<u8>> {
    attachment.and_then(|attachment| postcard::to_stdvec(attachment).ok())
}

/// The attachment a column holds; one that cannot be read (it never should) is left out
/// with a warning rather than failing the whole page.
pub(super) fn decode(column: Option<Vec<u8>>) -> Option<Attachment> {
    let bytes = column?;
    match postcard::from_bytes(&bytes) {
        Ok(attachment) => Some(attachment),
        Err(error) => {
            tracing::warn!(%error, "an attachment in the store could not be read");
            None
        }
    }
}
