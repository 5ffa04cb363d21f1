//! The store on a real database file in a temporary folder.

use std::sync::mpsc;

use super::*;

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
    }
}

fn room(name: &str) -> StoredRoom {
    StoredRoom {
        name: name.into(),
        topic: "a topic".into(),
        creator: "alice".into(),
        created_ms: 1,
        last_seq: 0,
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
fn a_failed_write_reports_failure_to_every_completion_of_its_batch() {
    let dir = temp_dir("fail");
    let mut store = Store::open(&dir).unwrap();
    store.write_batch(&[WriteOp::RoomMessage(message("lobby", 1, 1))]).unwrap();
    let (writer, thread) = StoreWriter::spawn(store);
    let (done_tx, done_rx) = mpsc::channel();
    // The same (room, seq) again violates the primary key.
    writer.submit(WriteOp::RoomMessage(message("lobby", 1, 2)), move |ok| done_tx.send(ok).unwrap()).unwrap();
    drop(writer);
    thread.join().unwrap();
    assert!(!done_rx.recv().unwrap(), "a write that violates the key must report failure");
    std::fs::remove_dir_all(dir).unwrap();
}
