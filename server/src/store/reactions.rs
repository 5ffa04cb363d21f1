//! Reactions in the store: one row per person per message, replaced when the person reacts
//! with another emoji, deleted when taken off; read back with a page of history.

use anseo_shared::protocol::{Reaction, ReactionEntry};
use rusqlite::{Connection, params};

use super::{Store, StoreError, from_sql, to_sql};

/// Puts the reaction on (replacing the person's other on the message, if the message is in
/// the room) or takes it off.
pub(super) fn apply(transaction: &Connection, reaction: &Reaction) -> rusqlite::Result<()> {
    let Reaction { room, id, by, emoji, on, .. } = reaction;
    let id = to_sql(*id);
    let statement = match on {
        true => {
            "INSERT OR REPLACE INTO reactions (room, message_id, user, emoji)
             SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM room_messages WHERE room = ?1 AND id = ?2)"
        }
        false => "DELETE FROM reactions WHERE room = ?1 AND message_id = ?2 AND user = ?3 AND emoji = ?4",
    };
    transaction.prepare_cached(statement)?.execute(params![room, id, by, emoji]).map(drop)
}

impl Store {
    /// The reactions on the messages of `room` with ids from `first` to `last`.
    pub fn reactions(&self, room: &str, first: u64, last: u64) -> Result<Vec<ReactionEntry>, StoreError> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT message_id, user, emoji FROM reactions
                 WHERE room = ?1 AND message_id BETWEEN ?2 AND ?3 ORDER BY message_id, user",
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map(params![room, to_sql(first), to_sql(last)], |row| {
                Ok(ReactionEntry { id: from_sql(row.get(0)?), by: row.get(1)?, emoji: row.get(2)? })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        rows.map_err(|e| self.error(e))
    }
}
