//! The store's schema, as numbered migrations run by `rusqlite_migration`. `PRAGMA
//! user_version` records how many have run; a migration is never edited once released, only
//! new ones appended. A database written by a newer server (more migrations than these) is
//! refused rather than misread.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

const STEPS: &[&str] = &[
    // 1: rooms and their messages, direct messages, accounts.
    "CREATE TABLE rooms (
         name TEXT PRIMARY KEY,
         topic TEXT NOT NULL DEFAULT '',
         creator TEXT NOT NULL DEFAULT '',
         created_ms INTEGER NOT NULL
     );
     CREATE TABLE room_messages (
         room TEXT NOT NULL,
         seq INTEGER NOT NULL,
         id INTEGER NOT NULL UNIQUE,
         sender TEXT NOT NULL,
         text TEXT NOT NULL,
         ts_ms INTEGER NOT NULL,
         client_msg_id INTEGER NOT NULL,
         PRIMARY KEY (room, seq)
     ) WITHOUT ROWID;
     CREATE TABLE direct_messages (
         id INTEGER PRIMARY KEY,
         sender TEXT NOT NULL,
         recipient TEXT NOT NULL,
         text TEXT NOT NULL,
         ts_ms INTEGER NOT NULL,
         client_msg_id INTEGER NOT NULL
     );
     CREATE INDEX direct_messages_by_recipient ON direct_messages (recipient, id);
     CREATE TABLE accounts (
         name_key TEXT PRIMARY KEY,
         name TEXT NOT NULL,
         password_hash TEXT NOT NULL,
         token_generation INTEGER NOT NULL DEFAULT 0,
         created_ms INTEGER NOT NULL
     );",
    // 2: login tokens, valid while their generation is the account's.
    "CREATE TABLE tokens (
         token_hash TEXT PRIMARY KEY,
         name_key TEXT NOT NULL,
         generation INTEGER NOT NULL,
         created_ms INTEGER NOT NULL
     );",
    // 3: direct messages waiting for an offline recipient who has an account.
    "ALTER TABLE direct_messages ADD COLUMN pending_for TEXT;
     CREATE INDEX direct_messages_pending ON direct_messages (pending_for, id) WHERE pending_for IS NOT NULL;",
    // 4: the sending client's instance, to recognise messages re-sent after a restart.
    "ALTER TABLE room_messages ADD COLUMN instance INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE direct_messages ADD COLUMN instance INTEGER NOT NULL DEFAULT 0;",
    // 5: revoked tokens were kept; they are deleted now (and from now on when revoked).
    "DELETE FROM tokens WHERE NOT EXISTS (
         SELECT 1 FROM accounts a WHERE a.name_key = tokens.name_key AND a.token_generation = tokens.generation
     );",
    // 6: attachments (postcard-encoded), and their hashes indexed to decide who may download.
    "ALTER TABLE room_messages ADD COLUMN attachment BLOB;
     ALTER TABLE room_messages ADD COLUMN attachment_hash BLOB;
     ALTER TABLE direct_messages ADD COLUMN attachment BLOB;
     ALTER TABLE direct_messages ADD COLUMN attachment_hash BLOB;
     CREATE INDEX room_messages_by_attachment ON room_messages (attachment_hash)
         WHERE attachment_hash IS NOT NULL;
     CREATE INDEX direct_messages_by_attachment ON direct_messages (attachment_hash)
         WHERE attachment_hash IS NOT NULL;",
    // 7: whiteboards: the strokes on each board as they are (points packed 4 bytes each),
    // and the number of each board's last operation.
    "CREATE TABLE board_strokes (
         room TEXT NOT NULL,
         stroke INTEGER NOT NULL,
         author TEXT NOT NULL,
         colour INTEGER NOT NULL,
         width INTEGER NOT NULL,
         tool INTEGER NOT NULL,
         points BLOB NOT NULL,
         ended INTEGER NOT NULL,
         seq INTEGER NOT NULL,
         PRIMARY KEY (room, stroke)
     ) WITHOUT ROWID;
     ALTER TABLE rooms ADD COLUMN board_seq INTEGER NOT NULL DEFAULT 0;",
    // 8: reactions, one per person per message.
    "CREATE TABLE reactions (
         room TEXT NOT NULL,
         message_id INTEGER NOT NULL,
         user TEXT NOT NULL,
         emoji TEXT NOT NULL,
         PRIMARY KEY (room, message_id, user)
     ) WITHOUT ROWID;",
    // 9: full-text search of room and direct messages (rowid: the message's id), filled with
    // what is there already.
    "CREATE VIRTUAL TABLE search USING fts5(
         text, room UNINDEXED, sender UNINDEXED, recipient UNINDEXED, seq UNINDEXED, ts UNINDEXED,
         tokenize = 'unicode61 remove_diacritics 2'
     );
     INSERT INTO search (rowid, text, room, sender, recipient, seq, ts)
         SELECT id, text, room, sender, '', seq, ts_ms FROM room_messages WHERE text != '';
     INSERT INTO search (rowid, text, room, sender, recipient, seq, ts)
         SELECT id, text, '', sender, recipient, 0, ts_ms FROM direct_messages WHERE text != '';",
    // 10: edits, deletions and moderation notices are room messages of their own kind
    // (postcard-encoded, NULL for something said); a said message's state (0 as sent, 1
    // edited, 2 deleted); people's standing in rooms (folded names).
    "ALTER TABLE room_messages ADD COLUMN kind BLOB;
     ALTER TABLE room_messages ADD COLUMN state INTEGER NOT NULL DEFAULT 0;
     CREATE TABLE room_roles (
         room TEXT NOT NULL,
         user TEXT NOT NULL,
         moderator INTEGER NOT NULL DEFAULT 0,
         banned INTEGER NOT NULL DEFAULT 0,
         muted_until INTEGER NOT NULL DEFAULT 0,
         PRIMARY KEY (room, user)
     ) WITHOUT ROWID;",
];

/// The steps above, for the migration runner.
fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|step| M::up(step)).collect())
}

/// Brings the database up to the latest schema.
pub fn migrate(connection: &mut Connection) -> Result<(), rusqlite_migration::Error> {
    migrations().to_latest(connection)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_harmless() {
        let mut connection = Connection::open_in_memory().unwrap();
        migrate(&mut connection).unwrap();
        migrate(&mut connection).unwrap();
        let version: usize = connection.query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
        assert_eq!(version, STEPS.len());
    }

    #[test]
    fn the_steps_are_valid_sql_in_order() {
        assert_eq!(migrations().validate(), Ok(()));
    }

    #[test]
    fn a_database_from_a_newer_server_is_refused() {
        let mut connection = Connection::open_in_memory().unwrap();
        connection.pragma_update(None, "user_version", STEPS.len() + 1).unwrap();
        let error = migrate(&mut connection).unwrap_err();
        assert!(matches!(error, rusqlite_migration::Error::MigrationDefinition(_)), "{error}");
    }
}
