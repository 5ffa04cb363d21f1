//! The embedded store: rooms, room messages, direct messages and accounts in SQLite (WAL).
//!
//! [`Store`] is the synchronous database; [`StoreWriter`] owns the writing connection on a
//! thread of its own and commits whatever has queued up in one transaction (group commit), then
//! runs each write's completion — which is where the server delivers a message, so a message is
//! only ever seen by anyone once it is durable. Reads (history) use their own connection.
//! The data folder is private to the server's user and used by one server at a time
//! ([`FolderLock`]).

mod amend;
mod attachments;
mod boards;
mod folder;
mod reactions;
mod schema;
mod search;
mod writer;

use std::path::{Path, PathBuf};

use anseo_shared::protocol::{Attachment, LOBBY, MessageKind, MessageState, Reaction};
use rusqlite::{Connection, OptionalExtension, params};

pub use amend::{StoredRole, Target};
pub use attachments::AttachedTo;
pub use boards::StoredBoardOp;
pub use folder::FolderLock;
use search::{Indexed, Pending};
pub use search::{SearchScope, fts_query};
pub use writer::{StoreBusy, StoreWriter};

/// Login tokens kept per name (one per device that logged in with the password), at most:
/// a new one beyond this deletes the oldest.
pub const MAX_TOKENS: u32 = 20;

/// The store could not be opened or used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data folder {path}: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("database error in {path}: {source}")]
    Sqlite { path: PathBuf, source: rusqlite::Error },
    #[error("cannot make {path} private: {source}")]
    Permissions { path: PathBuf, source: std::io::Error },
    #[error("cannot lock the data folder with {path}: {source}")]
    Lock { path: PathBuf, source: std::io::Error },
    #[error(
        "the data folder {dir} is in use by another anseo-server ({holder}); stop it first or choose another --data-dir"
    )]
    InUse { dir: PathBuf, holder: String },
    #[error(
        "cannot bring the database {path} up to date (was it written by a newer anseo-server?): {source}"
    )]
    Schema { path: PathBuf, source: rusqlite_migration::Error },
    #[error("the store's thread stopped")]
    Gone,
}

/// A room as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRoom {
    pub name: String,
    pub topic: String,
    pub creator: String,
    pub created_ms: u64,
    /// The sequence number of the room's latest message (0 when it has none).
    pub last_seq: u64,
    /// The number of the last operation on its board (0 when nothing was ever drawn).
    pub board_seq: u64,
}

/// A room message as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub room: String,
    pub seq: u64,
    pub id: u64,
    pub sender: String,
    pub text: String,
    pub ts_ms: u64,
    pub client_msg_id: u64,
    /// The sending client's instance number (0 for a plain session).
    pub instance: u64,
    pub attachment: Option<Attachment>,
    pub kind: MessageKind,
    pub state: MessageState,
}

/// A direct message as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDirect {
    pub id: u64,
    pub sender: String,
    pub recipient: String,
    pub text: String,
    pub ts_ms: u64,
    pub client_msg_id: u64,
    /// The folded name of the offline recipient it waits for; `None` once delivered.
    pub pending_for: Option<String>,
    /// The sending client's instance number (0 for a plain session).
    pub instance: u64,
    pub attachment: Option<Attachment>,
}

/// One change to write.
#[derive(Debug, Clone)]
pub enum WriteOp {
    CreateRoom(StoredRoom),
    RoomMessage(StoredMessage),
    Direct(StoredDirect),
    /// Claims a name, or sets a new password for it (which revokes its tokens).
    SetPassword {
        name_key: String,
        name: String,
        password_hash: String,
        now_ms: u64,
    },
    /// A login token (only its SHA-256 is kept) for the account's current generation.
    AddToken {
        name_key: String,
        token_hash: String,
        now_ms: u64,
    },
    /// Direct messages that waited for their recipient have been handed over.
    Delivered {
        ids: Vec<u64>,
    },
    /// An operation on a room's whiteboard.
    Board(StoredBoardOp),
    /// A reaction put on or taken off a message.
    Reaction(Reaction),
}

/// A connection to the database file (or to a private in-memory database).
pub struct Store {
    connection: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) `anseo.db` in `dir` and migrates it. The folder and the
    /// database files are made private to the server's user.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        folder::prepare(dir)?;
        let path = dir.join("anseo.db");
        folder::create_private(&path)?;
        let wrap = |source| StoreError::Sqlite { path: path.clone(), source };
        let mut connection = Connection::open(&path).map_err(wrap)?;
        // WAL lets history reads run beside the writer; FULL sync makes every commit durable
        // on power loss too (a confirmed message is on disk), at the cost of one more fsync
        // per group commit.
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;",
            )
            .map_err(wrap)?;
        schema::migrate(&mut connection)
            .map_err(|source| StoreError::Schema { path: path.to_path_buf(), source })?;
        // The lobby exists from the start, without a join creating it: record it, so its
        // messages are restored with it.
        connection
            .execute(
                "INSERT OR IGNORE INTO rooms (name, topic, creator, created_ms) VALUES (?1, '', '', ?2)",
                params![LOBBY, crate::clock::now_ms()],
            )
            .map_err(wrap)?;
        folder::restrict(&path)?;
        Ok(Store { connection, path })
    }

    /// A second connection to the same file, for reads beside the writer.
    pub fn reopen(&self) -> Result<Store, StoreError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        Store::open(dir)
    }

    /// Every room with its latest sequence number, in name order.
    pub fn rooms(&self) -> Result<Vec<StoredRoom>, StoreError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT r.name, r.topic, r.creator, r.created_ms,
                        COALESCE((SELECT MAX(seq) FROM room_messages m WHERE m.room = r.name), 0),
                        r.board_seq
                 FROM rooms r ORDER BY r.name",
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([], |row| {
                Ok(StoredRoom {
                    name: row.get(0)?,
                    topic: row.get(1)?,
                    creator: row.get(2)?,
                    created_ms: row.get(3)?,
                    last_seq: row.get(4)?,
                    board_seq: row.get(5)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        rows.map_err(|e| self.error(e))
    }

    /// The largest message id used so far (room or direct), 0 for an empty store.
    pub fn last_message_id(&self) -> Result<u64, StoreError> {
        self.connection
            .query_row(
                "SELECT MAX(COALESCE((SELECT MAX(id) FROM room_messages), 0),
                            COALESCE((SELECT MAX(id) FROM direct_messages), 0))",
                [],
                |row| row.get(0),
            )
            .map_err(|e| self.error(e))
    }

    /// Up to `limit` messages of `room` before sequence number `before` (or the latest),
    /// oldest first.
    pub fn history(
        &self,
        room: &str,
        before: Option<u64>,
        limit: u32,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        let before = before.unwrap_or(u64::MAX).min(i64::MAX as u64) as i64;
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT room, seq, id, sender, text, ts_ms, client_msg_id, instance, attachment, kind, state
                 FROM room_messages WHERE room = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3",
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map(params![room, before, limit], |row| {
                Ok(StoredMessage {
                    room: row.get(0)?,
                    seq: row.get(1)?,
                    id: row.get(2)?,
                    sender: row.get(3)?,
                    text: row.get(4)?,
                    ts_ms: row.get(5)?,
                    client_msg_id: from_sql(row.get(6)?),
                    instance: from_sql(row.get(7)?),
                    attachment: attachments::decode(row.get(8)?),
                    kind: amend::decode_kind(row.get(9)?),
                    state: amend::decode_state(row.get(10)?),
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        let mut messages = rows.map_err(|e| self.error(e))?;
        messages.reverse();
        Ok(messages)
    }

    /// The password hash of the account holding `name_key`, if the name is claimed.
    pub fn password_hash(&self, name_key: &str) -> Result<Option<String>, StoreError> {
        self.connection
            .query_row("SELECT password_hash FROM accounts WHERE name_key = ?1", [name_key], |row| row.get(0))
            .optional()
            .map_err(|e| self.error(e))
    }

    /// Direct messages waiting for the user `name_key`, oldest first (at most `limit`).
    pub fn pending_directs(&self, name_key: &str, limit: u32) -> Result<Vec<StoredDirect>, StoreError> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT id, sender, recipient, text, ts_ms, client_msg_id, pending_for, instance, attachment
                 FROM direct_messages
                 WHERE pending_for = ?1 ORDER BY id LIMIT ?2",
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map(params![name_key, limit], |row| {
                Ok(StoredDirect {
                    id: row.get(0)?,
                    sender: row.get(1)?,
                    recipient: row.get(2)?,
                    text: row.get(3)?,
                    ts_ms: row.get(4)?,
                    client_msg_id: from_sql(row.get(5)?),
                    pending_for: row.get(6)?,
                    instance: from_sql(row.get(7)?),
                    attachment: attachments::decode(row.get(8)?),
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        rows.map_err(|e| self.error(e))
    }

    /// How many direct messages wait for each name (folded).
    pub fn waiting_counts(&self) -> Result<Vec<(String, usize)>, StoreError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT pending_for, COUNT(*) FROM direct_messages
                 WHERE pending_for IS NOT NULL GROUP BY pending_for",
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get::<_, i64>(1)? as usize)))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        rows.map_err(|e| self.error(e))
    }

    /// The highest client message id stored from each client instance in the last day: what
    /// a restarted server needs to recognise a message re-sent after it went down.
    pub fn sent_by_instance(&self) -> Result<Vec<(u64, u64)>, StoreError> {
        let since = crate::clock::now_ms().saturating_sub(24 * 3600 * 1000) as i64;
        // Ids are stored bit-cast to i64, so the ids from 2^63 up are the negative ones: the
        // highest id is the largest negative one if there is any, else the largest.
        let mut statement = self
            .connection
            .prepare(
                "SELECT instance,
                        COALESCE(MAX(CASE WHEN client_msg_id < 0 THEN client_msg_id END), MAX(client_msg_id))
                 FROM (
                     SELECT instance, client_msg_id FROM room_messages WHERE instance != 0 AND ts_ms > ?1
                     UNION ALL
                     SELECT instance, client_msg_id FROM direct_messages WHERE instance != 0 AND ts_ms > ?1
                 ) GROUP BY instance",
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([since], |row| Ok((from_sql(row.get(0)?), from_sql(row.get(1)?))))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        rows.map_err(|e| self.error(e))
    }

    /// Whether `token_hash` is a current (not revoked) token of the account `name_key`.
    pub fn token_is_valid(&self, name_key: &str, token_hash: &str) -> Result<bool, StoreError> {
        self.connection
            .query_row(
                "SELECT COUNT(*) FROM tokens t JOIN accounts a ON a.name_key = t.name_key
                 WHERE t.token_hash = ?1 AND t.name_key = ?2 AND t.generation = a.token_generation",
                [token_hash, name_key],
                |row| row.get::<_, i64>(0),
            )
            .map(|count| count > 0)
            .map_err(|e| self.error(e))
    }

    /// The folded names of every claimed name.
    pub fn claimed_names(&self) -> Result<Vec<String>, StoreError> {
        let mut statement =
            self.connection.prepare("SELECT name_key FROM accounts").map_err(|e| self.error(e))?;
        let names = statement
            .query_map([], |row| row.get(0))
            .and_then(|rows| rows.collect::<Result<Vec<String>, _>>());
        names.map_err(|e| self.error(e))
    }

    /// Writes every change in one transaction, each in a savepoint of its own, so a change
    /// that fails is undone alone and the others are still committed. Returns each change's
    /// outcome in order, or an error when the transaction as a whole failed (then nothing
    /// was written).
    pub fn write_batch<'a>(
        &mut self,
        ops: impl IntoIterator<Item = &'a WriteOp>,
    ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        let path = self.path.clone();
        let wrap = |source| StoreError::Sqlite { path: path.clone(), source };
        let mut transaction = self.connection.transaction().map_err(wrap)?;
        let mut pending = Vec::new();
        let outcomes =
            ops.into_iter().map(|op| apply_alone(&mut transaction, op, &mut pending).map_err(wrap)).collect();
        // The messages stand even if indexing them fails: they are only not found by search.
        if let Err(error) = search::catch_up(&mut transaction, pending) {
            tracing::error!(%error, "could not index messages for search");
        }
        transaction.commit().map_err(wrap)?;
        Ok(outcomes)
    }

    fn error(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.clone(), source }
    }
}

/// Applies `op` in a savepoint: on failure, whatever it changed is rolled back (its index work
/// in `pending` too), and the rest of the transaction stands.
fn apply_alone<'a>(
    transaction: &mut rusqlite::Transaction<'_>,
    op: &'a WriteOp,
    pending: &mut Vec<Pending<'a>>,
) -> rusqlite::Result<()> {
    let before = pending.len();
    let savepoint = transaction.savepoint()?;
    let applied = apply(&savepoint, op, pending).and_then(|()| savepoint.commit());
    if applied.is_err() {
        pending.truncate(before);
    }
    applied
}

/// SQLite integers are signed: a `u64` is stored as the `i64` with the same bits, so every
/// value (client message ids from 2^63 up included) round-trips.
fn to_sql(value: u64) -> i64 {
    value as i64
}

/// The `u64` that [`to_sql`] stored.
fn from_sql(value: i64) -> u64 {
    value as u64
}

fn apply<'a>(
    transaction: &Connection,
    op: &'a WriteOp,
    pending: &mut Vec<Pending<'a>>,
) -> rusqlite::Result<()> {
    match op {
        WriteOp::CreateRoom(room) => transaction
            .prepare_cached(
                "INSERT OR IGNORE INTO rooms (name, topic, creator, created_ms) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![room.name, room.topic, room.creator, room.created_ms])
            .map(drop),
        WriteOp::RoomMessage(m) => {
            let (room, sender) = (&m.room, &m.sender);
            // An edit's text is found as its message's; notices are not searched.
            let text = if m.kind == MessageKind::Said { m.text.as_str() } else { "" };
            pending.push(Pending::Index(Indexed {
                id: m.id,
                text,
                room,
                seq: m.seq,
                sender,
                recipient: "",
                ts: m.ts_ms,
            }));
            amend::apply(transaction, m, pending)?;
            transaction
            .prepare_cached(
                "INSERT INTO room_messages
                     (room, seq, id, sender, text, ts_ms, client_msg_id, instance, attachment, attachment_hash,
                      kind, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                m.room,
                m.seq,
                m.id,
                m.sender,
                m.text,
                m.ts_ms,
                to_sql(m.client_msg_id),
                to_sql(m.instance),
                attachments::encode(m.attachment.as_ref()),
                m.attachment.as_ref().map(|a| a.hash.to_vec()),
                amend::encode_kind(&m.kind),
                amend::encode_state(m.state)
            ])
            .map(drop)
        }
        WriteOp::Direct(d) => {
            let (sender, recipient) = (&d.sender, &d.recipient);
            pending.push(Pending::Index(Indexed {
                id: d.id,
                text: &d.text,
                room: "",
                seq: 0,
                sender,
                recipient,
                ts: d.ts_ms,
            }));
            transaction
                .prepare_cached(
                    "INSERT INTO direct_messages
                     (id, sender, recipient, text, ts_ms, client_msg_id, pending_for, instance,
                      attachment, attachment_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?
                .execute(params![
                    d.id,
                    d.sender,
                    d.recipient,
                    d.text,
                    d.ts_ms,
                    to_sql(d.client_msg_id),
                    d.pending_for,
                    to_sql(d.instance),
                    attachments::encode(d.attachment.as_ref()),
                    d.attachment.as_ref().map(|a| a.hash.to_vec())
                ])
                .map(drop)
        }
        WriteOp::Board(op) => boards::apply(transaction, op),
        WriteOp::Reaction(reaction) => reactions::apply(transaction, reaction),
        WriteOp::Delivered { ids } => {
            let mut statement =
                transaction.prepare_cached("UPDATE direct_messages SET pending_for = NULL WHERE id = ?1")?;
            ids.iter().try_for_each(|id| statement.execute([id]).map(drop))
        }
        WriteOp::SetPassword { name_key, name, password_hash, now_ms } => transaction
            .prepare_cached(
                "INSERT INTO accounts (name_key, name, password_hash, token_generation, created_ms)
                 VALUES (?1, ?2, ?3, 0, ?4)
                 ON CONFLICT (name_key) DO UPDATE SET
                     password_hash = excluded.password_hash, token_generation = token_generation + 1",
            )?
            .execute(params![name_key, name, password_hash, now_ms])
            .and_then(|_| delete_revoked_tokens(transaction, name_key)),
        WriteOp::AddToken { name_key, token_hash, now_ms } => transaction
            .prepare_cached(
                "INSERT INTO tokens (token_hash, name_key, generation, created_ms)
                 SELECT ?1, name_key, token_generation, ?3 FROM accounts WHERE name_key = ?2",
            )?
            .execute(params![token_hash, name_key, now_ms])
            .and_then(|_| delete_oldest_tokens(transaction, name_key)),
    }
}

/// Deletes the tokens of `name_key` that its latest password change revoked.
fn delete_revoked_tokens(transaction: &Connection, name_key: &str) -> rusqlite::Result<()> {
    transaction
        .prepare_cached(
            "DELETE FROM tokens WHERE name_key = ?1
             AND generation < (SELECT token_generation FROM accounts WHERE name_key = ?1)",
        )?
        .execute([name_key])
        .map(drop)
}

/// Deletes the oldest tokens of `name_key` beyond [`MAX_TOKENS`].
fn delete_oldest_tokens(transaction: &Connection, name_key: &str) -> rusqlite::Result<()> {
    transaction
        .prepare_cached(
            "DELETE FROM tokens WHERE name_key = ?1 AND rowid NOT IN
                 (SELECT rowid FROM tokens WHERE name_key = ?1 ORDER BY rowid DESC LIMIT ?2)",
        )?
        .execute(params![name_key, MAX_TOKENS])
        .map(drop)
}

#[cfg(test)]
mod tests;
