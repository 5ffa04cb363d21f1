//! The store on a real database file in a temporary folder.

use std::sync::mpsc;

use super::*;
use anseo_shared::protocol::{ModAction, Moderation, Picture};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("anseo-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn message(room: &str, seq: u64, id: u64) -> StoredMessage {
    StoredMessage {
        room: room.into(),
        seq,
        id,
        sender: "alice".into(),
        text: format!("message {seq}"),
        ts_ms: 1000 + seq,
        client_msg_id: seq,
        instance: 0,
        attachment: None,
        kind: MessageKind::Said,
        state: MessageState::AsSent,
    }
}

fn room(name: &str) -> StoredRoom {
    StoredRoom {
        name: name.into(),
        topic: "a topic".into(),
        creator: "alice".into(),
        created_ms: 1,
        last_seq: 0,
        board_seq: 0,
    }
}

#[test]
fn rooms_and_messages_survive_reopening() {
    let dir = temp_dir("reopen");
    {
        let mut store = Store::open(&dir).unwrap();
        let ops: Vec<WriteOp> = [WriteOp::CreateRoom(room("maths"))]
            .into_iter()
            .chain((1..=3).map(|seq| WriteOp::RoomMessage(message("maths", seq, seq + 10))))
            .chain([WriteOp::RoomMessage(message("lobby", 1, 14))])
            .collect();
        store.write_batch(&ops).unwrap();
    }
    let store = Store::open(&dir).unwrap();
    let rooms = store.rooms().unwrap();
    let summary: Vec<(&str, u64)> = rooms.iter().map(|r| (r.name.as_str(), r.last_seq)).collect();
    assert_eq!(summary, [("lobby", 1), ("maths", 3)], "the lobby is kept without being created");
    assert_eq!(rooms[1], StoredRoom { last_seq: 3, ..room("maths") });
    assert_eq!(store.last_message_id().unwrap(), 14);
    let texts: Vec<String> = store.history("maths", None, 50).unwrap().into_iter().map(|m| m.text).collect();
    assert_eq!(texts, ["message 1", "message 2", "message 3"]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn history_pages_backwards_oldest_first() {
    let dir = temp_dir("pages");
    let mut store = Store::open(&dir).unwrap();
    let ops: Vec<WriteOp> = (1..=120).map(|seq| WriteOp::RoomMessage(message("lobby", seq, seq))).collect();
    store.write_batch(&ops).unwrap();
    let latest = store.history("lobby", None, 50).unwrap();
    assert_eq!((latest[0].seq, latest[49].seq), (71, 120));
    let older = store.history("lobby", Some(71), 50).unwrap();
    assert_eq!((older[0].seq, older[49].seq), (21, 70));
    let oldest = store.history("lobby", Some(21), 50).unwrap();
    assert_eq!(oldest.iter().map(|m| m.seq).collect::<Vec<_>>(), (1..=20).collect::<Vec<_>>());
    assert!(store.history("lobby", Some(1), 50).unwrap().is_empty());
    assert!(store.history("elsewhere", None, 50).unwrap().is_empty());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn writer_commits_before_running_completions_in_order() {
    let dir = temp_dir("writer");
    let store = Store::open(&dir).unwrap();
    let reader = store.reopen().unwrap();
    let (writer, thread) = StoreWriter::spawn(store);
    let (done_tx, done_rx) = mpsc::channel();
    for seq in 1..=500 {
        let done_tx = done_tx.clone();
        let dir = dir.clone();
        writer
            .submit(WriteOp::RoomMessage(message("lobby", seq, seq)), move |committed| {
                // Durable before anyone hears of it: a fresh connection already sees it.
                let visible = Store::open(&dir).unwrap().history("lobby", Some(seq + 1), 1).unwrap();
                done_tx.send((seq, committed, visible.len())).unwrap();
            })
            .unwrap();
    }
    drop(writer);
    thread.join().unwrap();
    let results: Vec<(u64, bool, usize)> = done_rx.try_iter().collect();
    assert_eq!(results.len(), 500);
    for (index, (seq, committed, visible)) in results.into_iter().enumerate() {
        assert_eq!((seq, committed, visible), (index as u64 + 1, true, 1));
    }
    assert_eq!(reader.history("lobby", None, 1000).unwrap().len(), 500);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_failed_write_fails_alone_and_the_rest_of_its_batch_is_committed() {
    let dir = temp_dir("fail");
    let mut store = Store::open(&dir).unwrap();
    store.write_batch(&[WriteOp::RoomMessage(message("lobby", 1, 1))]).unwrap();
    let (writer, thread) = StoreWriter::spawn(store);
    // Hold the writer in a completion until everything below is queued, so it is written
    // as one batch.
    let (release_tx, release_rx) = mpsc::channel::<()>();
    writer.after_queued_writes(move || release_rx.recv().unwrap()).unwrap();
    let (done_tx, done_rx) = mpsc::channel();
    let ops = [
        WriteOp::RoomMessage(message("lobby", 2, 2)),
        // The same (room, seq) again violates the primary key.
        WriteOp::RoomMessage(message("lobby", 1, 3)),
        WriteOp::CreateRoom(room("maths")),
        WriteOp::RoomMessage(message("lobby", 3, 4)),
    ];
    for (index, op) in ops.into_iter().enumerate() {
        let done_tx = done_tx.clone();
        writer.submit(op, move |ok| done_tx.send((index, ok)).unwrap()).unwrap();
    }
    release_tx.send(()).unwrap();
    drop(writer);
    thread.join().unwrap();
    let outcomes: Vec<(usize, bool)> = done_rx.try_iter().collect();
    assert_eq!(outcomes, [(0, true), (1, false), (2, true), (3, true)]);
    let store = Store::open(&dir).unwrap();
    let seqs: Vec<u64> = store.history("lobby", None, 50).unwrap().iter().map(|m| m.seq).collect();
    assert_eq!(seqs, [1, 2, 3], "the other writes of the batch are kept");
    assert!(store.rooms().unwrap().iter().any(|r| r.name == "maths"), "the room of the batch is kept");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn write_batch_reports_each_outcome() {
    let dir = temp_dir("outcomes");
    let mut store = Store::open(&dir).unwrap();
    let ops = [WriteOp::RoomMessage(message("lobby", 1, 1)), WriteOp::RoomMessage(message("lobby", 1, 2))];
    let outcomes = store.write_batch(&ops).unwrap();
    assert!(outcomes[0].is_ok());
    assert!(outcomes[1].is_err(), "a duplicate (room, seq) is refused");
    assert_eq!(store.history("lobby", None, 50).unwrap().len(), 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn client_message_ids_round_trip_over_the_whole_u64_range() {
    let dir = temp_dir("ids");
    let mut store = Store::open(&dir).unwrap();
    let ids = [0, 1, i64::MAX as u64, 1 << 63, u64::MAX - 1];
    let ops: Vec<WriteOp> = ids
        .iter()
        .enumerate()
        .map(|(index, &client_msg_id)| {
            let seq = index as u64 + 1;
            WriteOp::RoomMessage(StoredMessage { client_msg_id, instance: 7, ..message("lobby", seq, seq) })
        })
        .chain([WriteOp::Direct(StoredDirect {
            id: 100,
            sender: "alice".into(),
            recipient: "bob".into(),
            text: "hi".into(),
            ts_ms: crate::clock::now_ms(),
            client_msg_id: u64::MAX,
            pending_for: Some("bob".into()),
            instance: u64::MAX,
            attachment: None,
        })])
        .collect();
    let outcomes = store.write_batch(&ops).unwrap();
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    let stored: Vec<u64> =
        store.history("lobby", None, 50).unwrap().iter().map(|m| m.client_msg_id).collect();
    assert_eq!(stored, ids);
    let direct = &store.pending_directs("bob", 10).unwrap()[0];
    assert_eq!((direct.client_msg_id, direct.instance), (u64::MAX, u64::MAX));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_highest_id_per_instance_counts_ids_from_2_pow_63_as_highest() {
    let dir = temp_dir("highest");
    let mut store = Store::open(&dir).unwrap();
    let now = crate::clock::now_ms();
    let sent = |seq: u64, instance: u64, client_msg_id: u64| {
        WriteOp::RoomMessage(StoredMessage {
            client_msg_id,
            instance,
            ts_ms: now,
            ..message("lobby", seq, seq)
        })
    };
    let ops = [sent(1, 5, 7), sent(2, 5, u64::MAX - 3), sent(3, 5, 1 << 63), sent(4, 6, 9), sent(5, 6, 12)];
    store.write_batch(&ops).unwrap();
    let mut highest = store.sent_by_instance().unwrap();
    highest.sort();
    assert_eq!(highest, [(5, u64::MAX - 3), (6, 12)]);
    std::fs::remove_dir_all(dir).unwrap();
}

fn token_count(store: &Store, name_key: &str) -> i64 {
    store
        .connection
        .query_row("SELECT COUNT(*) FROM tokens WHERE name_key = ?1", [name_key], |row| row.get(0))
        .unwrap()
}

#[test]
fn tokens_are_capped_per_name_and_deleted_when_a_new_password_revokes_them() {
    let dir = temp_dir("tokens");
    let mut store = Store::open(&dir).unwrap();
    let set_password = |hash: &str| WriteOp::SetPassword {
        name_key: "bob".into(),
        name: "Bob".into(),
        password_hash: hash.into(),
        now_ms: 1,
    };
    let token =
        |n: u32| WriteOp::AddToken { name_key: "bob".into(), token_hash: format!("token {n}"), now_ms: 2 };
    let ops: Vec<WriteOp> =
        [set_password("first")].into_iter().chain((1..=MAX_TOKENS + 5).map(token)).collect();
    let outcomes = store.write_batch(&ops).unwrap();
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    assert_eq!(token_count(&store, "bob"), MAX_TOKENS as i64);
    assert!(!store.token_is_valid("bob", "token 5").unwrap(), "the oldest are deleted");
    assert!(store.token_is_valid("bob", "token 6").unwrap());
    assert!(store.token_is_valid("bob", &format!("token {}", MAX_TOKENS + 5)).unwrap());

    store.write_batch(&[set_password("second"), token(100)]).unwrap();
    assert_eq!(token_count(&store, "bob"), 1, "revoked tokens are deleted");
    assert!(store.token_is_valid("bob", "token 100").unwrap());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn attachments_are_kept_with_their_messages_and_found_by_hash() {
    let dir = temp_dir("attachments");
    let mut store = Store::open(&dir).unwrap();
    let file = |hash: u8| Attachment {
        hash: [hash; 32],
        name: "board.jpg".into(),
        size: 1234,
        mime: "image/jpeg".into(),
        picture: Some(Picture { width: 640, height: 480, preview: vec![0xFF, 0xD8, 1, 2, 3] }),
    };
    let ops = [
        WriteOp::CreateRoom(room("maths")),
        WriteOp::RoomMessage(StoredMessage { attachment: Some(file(1)), ..message("maths", 1, 1) }),
        WriteOp::Direct(StoredDirect {
            id: 2,
            sender: "Alice".into(),
            recipient: "bob".into(),
            text: String::new(),
            ts_ms: 5,
            client_msg_id: 2,
            pending_for: None,
            instance: 0,
            attachment: Some(file(2)),
        }),
    ];
    assert!(store.write_batch(&ops).unwrap().iter().all(Result::is_ok));
    assert_eq!(store.history("maths", None, 10).unwrap()[0].attachment, Some(file(1)));
    let in_maths = store.attached_to(&[1; 32], "carol").unwrap();
    assert_eq!(in_maths, AttachedTo { rooms: vec!["maths".into()], direct_of_user: false });
    assert!(store.attached_to(&[2; 32], "ALICE").unwrap().direct_of_user);
    assert!(store.attached_to(&[2; 32], "bob").unwrap().direct_of_user);
    assert_eq!(store.attached_to(&[2; 32], "carol").unwrap(), AttachedTo::default());
    assert_eq!(store.attached_to(&[3; 32], "bob").unwrap(), AttachedTo::default());
    std::fs::remove_dir_all(dir).unwrap();
}

/// The ids of the lobby's messages that alice's search for `query` finds, newest first.
fn found_in_lobby(store: &Store, query: &str) -> Vec<u64> {
    let scope = SearchScope {
        query: fts_query(query).unwrap(),
        rooms: vec!["lobby".into()],
        me: "alice".into(),
        before: None,
        limit: 10,
    };
    store.search(&scope).unwrap().0.iter().map(|hit| hit.id).collect()
}

#[test]
fn a_batch_is_indexed_after_its_writes_in_order_without_the_writes_that_failed() {
    let dir = temp_dir("index-batch");
    let mut store = Store::open(&dir).unwrap();
    let said = StoredMessage { text: "meet at noon".into(), ..message("lobby", 1, 1) };
    // Same place as the first: refused, and its words must not be found either.
    let clash = StoredMessage { text: "ghostly words".into(), ..message("lobby", 1, 2) };
    let edit = StoredMessage {
        text: "meet at one".into(),
        kind: MessageKind::Edit { id: 1 },
        ..message("lobby", 2, 3)
    };
    let gone = StoredMessage { text: "soon deleted".into(), ..message("lobby", 3, 4) };
    let delete =
        StoredMessage { text: String::new(), kind: MessageKind::Delete { id: 4 }, ..message("lobby", 4, 5) };
    let ops: Vec<WriteOp> = [said, clash, edit, gone, delete].into_iter().map(WriteOp::RoomMessage).collect();
    let outcomes = store.write_batch(&ops).unwrap();
    assert_eq!(outcomes.iter().map(Result::is_ok).collect::<Vec<_>>(), [true, false, true, true, true]);
    let ids = |query: &str| found_in_lobby(&store, query);
    assert_eq!(ids("meet"), [1], "the edited message, once");
    assert_eq!(ids("one"), [1]);
    assert_eq!(ids("noon"), Vec::<u64>::new(), "its text before the edit, in the same batch");
    assert_eq!(ids("ghostly"), Vec::<u64>::new(), "the refused write");
    assert_eq!(ids("deleted"), Vec::<u64>::new(), "the message deleted in the same batch");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_edit_or_deletion_changes_its_message_and_what_search_finds() {
    let dir = temp_dir("amend");
    let store = Store::open(&dir).unwrap();
    let (writer, thread) = StoreWriter::spawn(store);
    let said = StoredMessage { text: "see you at noon".into(), ..message("lobby", 1, 1) };
    let other = StoredMessage { text: "lunch at noon?".into(), ..message("lobby", 2, 2) };
    let edit = StoredMessage {
        text: "see you at one".into(),
        kind: MessageKind::Edit { id: 1 },
        ..message("lobby", 3, 3)
    };
    let delete =
        StoredMessage { text: String::new(), kind: MessageKind::Delete { id: 2 }, ..message("lobby", 4, 4) };
    let mute = StoredMessage {
        text: String::new(),
        kind: MessageKind::Moderation(Moderation {
            action: ModAction::Mute { until: 9_000 },
            target: "Bob".into(),
        }),
        ..message("lobby", 5, 5)
    };
    for op in [said, other, edit, delete, mute] {
        writer.submit(WriteOp::RoomMessage(op), |_| {}).unwrap();
    }
    drop(writer);
    thread.join().unwrap();

    let store = Store::open(&dir).unwrap();
    let history = store.history("lobby", None, 10).unwrap();
    let shown: Vec<(&str, MessageState)> = history.iter().map(|m| (m.text.as_str(), m.state)).collect();
    assert_eq!(
        shown,
        [
            ("see you at one", MessageState::Edited),
            ("", MessageState::Deleted),
            ("see you at one", MessageState::AsSent),
            ("", MessageState::AsSent),
            ("", MessageState::AsSent),
        ]
    );
    assert_eq!(history[2].kind, MessageKind::Edit { id: 1 });
    let target = store.target("lobby", 1).unwrap().unwrap();
    assert_eq!((target.sender.as_str(), target.state), ("alice", MessageState::Edited));
    let ids = |query: &str| found_in_lobby(&store, query);
    assert_eq!(ids("one"), [1], "the edit's text is found as its message's, once");
    assert_eq!(ids("noon"), Vec::<u64>::new(), "neither the old text nor the deleted message is found");
    let roles = store.roles().unwrap();
    assert_eq!(
        roles,
        [StoredRole {
            room: "lobby".into(),
            user: "bob".into(),
            muted_until: 9_000,
            ..StoredRole::default()
        }]
    );
}
