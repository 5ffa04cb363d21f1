//! Full-text search (SQLite FTS5) over room messages and direct messages: the `search` table
//! holds each message's text with its place, written beside the message itself, and is
//! searched newest first (by message id), only within what the searcher may read.

use anseo_shared::protocol::{Place, SearchHit};
use rusqlite::{Connection, params};

use super::{Store, StoreError, from_sql, to_sql};

/// A message's text to index, with where it was said: a room message has its room and
/// sequence number, a direct message its recipient (and no room).
pub(super) struct Indexed<'a> {
    pub id: u64,
    pub text: &'a str,
    pub room: &'a str,
    pub seq: u64,
    pub sender: &'a str,
    pub recipient: &'a str,
    pub ts: u64,
}

/// Index work a batch of writes leaves for after them. FTS5 flushes what it holds at every
/// savepoint, and each write has one (see `write_batch`): indexing inside them cost one flush
/// to disk per message (a twentieth of the server's time in the 100-client fan-out). Done
/// after the batch's writes, in their order, the whole batch's index is flushed once.
pub(super) enum Pending<'a> {
    /// A new message to index.
    Index(Indexed<'a>),
    /// Room message `id`'s text changed (edited or deleted): index what it says now.
    Reindex(u64),
}

/// Does the index work of a batch, in order, all or nothing.
pub(super) fn catch_up(
    transaction: &mut rusqlite::Transaction<'_>,
    pending: Vec<Pending<'_>>,
) -> rusqlite::Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let savepoint = transaction.savepoint()?;
    for work in pending {
        match work {
            Pending::Index(m) => index(&savepoint, m)?,
            Pending::Reindex(id) => reindex(&savepoint, id)?,
        }
    }
    savepoint.commit()
}

/// Indexes a message's text (an empty caption is nothing to find).
fn index(transaction: &Connection, m: Indexed<'_>) -> rusqlite::Result<()> {
    if m.text.is_empty() {
        return Ok(());
    }
    transaction
        .prepare_cached(
            "INSERT INTO search (rowid, text, room, sender, recipient, seq, ts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![to_sql(m.id), m.text, m.room, m.sender, m.recipient, m.seq, m.ts])
        .map(drop)
}

/// Indexes room message `id` again after an edit or deletion changed its text (a deleted
/// message's is empty: nothing left to find).
fn reindex(transaction: &Connection, id: u64) -> rusqlite::Result<()> {
    transaction.prepare_cached("DELETE FROM search WHERE rowid = ?1")?.execute([to_sql(id)])?;
    transaction
        .prepare_cached(
            "INSERT INTO search (rowid, text, room, sender, recipient, seq, ts)
             SELECT id, text, room, sender, '', seq, ts_ms FROM room_messages WHERE id = ?1 AND text != ''",
        )?
        .execute([to_sql(id)])
        .map(drop)
}

/// What a search may look at, and where it goes on from.
#[derive(Debug, Clone)]
pub struct SearchScope {
    /// The FTS5 query (see [`fts_query`]).
    pub query: String,
    /// The rooms the searcher is in, by name.
    pub rooms: Vec<String>,
    /// The searcher's name: their direct messages, sent or received.
    pub me: String,
    /// Only messages older than this id.
    pub before: Option<u64>,
    pub limit: u32,
}

impl Store {
    /// The messages `scope` finds, newest first, at most `limit` of them, and whether there are
    /// more.
    pub fn search(&self, scope: &SearchScope) -> Result<(Vec<SearchHit>, bool), StoreError> {
        // Room names are letters, digits, '_', '-' and '.' only: a JSON array of them needs no
        // escaping.
        let rooms =
            format!("[{}]", scope.rooms.iter().map(|r| format!("\"{r}\"")).collect::<Vec<_>>().join(","));
        let before = scope.before.map_or(i64::MAX, to_sql);
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT rowid, room, seq, sender, recipient, text, ts FROM search
                 WHERE search MATCH ?1 AND rowid < ?2
                   AND (room IN (SELECT value FROM json_each(?3))
                        OR (room = '' AND (sender = ?4 COLLATE NOCASE OR recipient = ?4 COLLATE NOCASE)))
                 ORDER BY rowid DESC LIMIT ?5",
            )
            .map_err(|e| self.error(e))?;
        let me = scope.me.clone();
        let rows = statement
            .query_map(params![scope.query, before, rooms, scope.me, scope.limit + 1], |row| {
                let room: String = row.get(1)?;
                let sender: String = row.get(3)?;
                let recipient: String = row.get(4)?;
                let place = match room.is_empty() {
                    false => Place::Room(room),
                    // The direct conversation is named after the other party.
                    true if sender.eq_ignore_ascii_case(&me) => Place::Direct(recipient),
                    true => Place::Direct(sender.clone()),
                };
                Ok(SearchHit {
                    id: from_sql(row.get(0)?),
                    place,
                    seq: row.get(2)?,
                    from: sender,
                    text: row.get(5)?,
                    ts: row.get(6)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        let mut hits = rows.map_err(|e| self.error(e))?;
        let more = hits.len() > scope.limit as usize;
        hits.truncate(scope.limit as usize);
        Ok((hits, more))
    }
}

/// The FTS5 query for what a user typed: every word must match, a word's start too (`bo`
/// finds `board`); quotes keep FTS5's own syntax out. `None` when there is no word.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .map(|word| word.trim_matches(|c| c == '\'' || c == '-'))
        .filter(|word| !word.is_empty())
        .take(16)
        .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}
