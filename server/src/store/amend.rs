//! Edits, deletions and moderation in the store. Each is a room message of its own (kept like
//! any other, so history and a returning client see it in order); writing one also changes
//! what it is about, in the same transaction: an edit replaces the message's text (and what
//! search finds), a deletion empties it and lets its file go, a moderation notice updates the
//! room's topic or the roles and sanctions of its people.

use anseo_shared::protocol::{MessageKind, MessageState, ModAction, fold_name};
use rusqlite::{Connection, OptionalExtension, params};

use super::search::Pending;
use super::{Store, StoreError, StoredMessage, from_sql, to_sql};

/// A room message as an edit or deletion needs it: who sent it and how it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub sender: String,
    pub kind: MessageKind,
    pub state: MessageState,
}

/// Someone's standing in a room, as stored: moderator, banned, muted until (ms, 0: not).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredRole {
    pub room: String,
    /// The folded name.
    pub user: String,
    pub moderator: bool,
    pub banned: bool,
    pub muted_until: u64,
}

/// The kind column: NULL for something said, else the kind postcard-encoded.
pub(super) fn encode_kind(kind: &MessageKind) -> Option<Vec<u8>> {
    match kind {
        MessageKind::Said => None,
        other => postcard::to_allocvec(other).ok(),
    }
}

pub(super) fn decode_kind(bytes: Option<Vec<u8>>) -> MessageKind {
    bytes.and_then(|bytes| postcard::from_bytes(&bytes).ok()).unwrap_or_default()
}

pub(super) fn encode_state(state: MessageState) -> i64 {
    match state {
        MessageState::AsSent => 0,
        MessageState::Edited => 1,
        MessageState::Deleted => 2,
    }
}

pub(super) fn decode_state(value: i64) -> MessageState {
    match value {
        1 => MessageState::Edited,
        2 => MessageState::Deleted,
        _ => MessageState::AsSent,
    }
}

/// What writing the message `m` (an edit, deletion or notice) changes besides itself; the
/// search index's share goes to `pending`.
pub(super) fn apply(
    transaction: &Connection,
    m: &StoredMessage,
    pending: &mut Vec<Pending<'_>>,
) -> rusqlite::Result<()> {
    match &m.kind {
        MessageKind::Said => Ok(()),
        MessageKind::Edit { id } => {
            let changed = transaction
                .prepare_cached("UPDATE room_messages SET text = ?1, state = 1 WHERE room = ?2 AND id = ?3 AND state != 2")?
                .execute(params![m.text, m.room, to_sql(*id)])?;
            if changed > 0 {
                pending.push(Pending::Reindex(*id));
            }
            Ok(())
        }
        MessageKind::Delete { id } => {
            transaction
                .prepare_cached(
                    "UPDATE room_messages SET text = '', state = 2, attachment = NULL, attachment_hash = NULL
                     WHERE room = ?1 AND id = ?2",
                )?
                .execute(params![m.room, to_sql(*id)])?;
            pending.push(Pending::Reindex(*id));
            Ok(())
        }
        MessageKind::Moderation(moderation) => {
            let user = fold_name(&moderation.target);
            let set = |column: &str, value: i64| {
                let sql = format!(
                    "INSERT INTO room_roles (room, user, {column}) VALUES (?1, ?2, ?3)
                     ON CONFLICT (room, user) DO UPDATE SET {column} = excluded.{column}"
                );
                transaction.prepare_cached(&sql)?.execute(params![m.room, user, value]).map(drop)
            };
            match moderation.action {
                ModAction::Topic => transaction
                    .prepare_cached("UPDATE rooms SET topic = ?1 WHERE name = ?2")?
                    .execute(params![m.text, m.room])
                    .map(drop),
                ModAction::Mute { until } => set("muted_until", to_sql(until)),
                ModAction::Unmute => set("muted_until", 0),
                ModAction::Kick => Ok(()),
                ModAction::Ban => set("banned", 1),
                ModAction::Unban => set("banned", 0),
                ModAction::Op => set("moderator", 1),
                ModAction::Deop => set("moderator", 0),
            }
        }
    }
}

impl Store {
    /// Message `id` of `room`, as an edit or deletion of it needs it.
    pub fn target(&self, room: &str, id: u64) -> Result<Option<Target>, StoreError> {
        self.connection
            .query_row(
                "SELECT sender, kind, state FROM room_messages WHERE room = ?1 AND id = ?2",
                params![room, to_sql(id)],
                |row| {
                    Ok(Target {
                        sender: row.get(0)?,
                        kind: decode_kind(row.get(1)?),
                        state: decode_state(row.get(2)?),
                    })
                },
            )
            .optional()
            .map_err(|e| self.error(e))
    }

    /// Everyone's standing in every room (only those with any).
    pub fn roles(&self) -> Result<Vec<StoredRole>, StoreError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT room, user, moderator, banned, muted_until FROM room_roles
                 WHERE moderator != 0 OR banned != 0 OR muted_until != 0",
            )
            .map_err(|e| self.error(e))?;
        statement
            .query_map([], |row| {
                Ok(StoredRole {
                    room: row.get(0)?,
                    user: row.get(1)?,
                    moderator: row.get(2)?,
                    banned: row.get(3)?,
                    muted_until: from_sql(row.get(4)?),
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.error(e))
    }
}
