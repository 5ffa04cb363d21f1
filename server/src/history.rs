//! Room history: pages read from the store on a blocking thread and sent on the client's chat
//! stream. A few connections read side by side (the store's WAL mode lets readers run beside
//! each other and the writer), so one client paging through history as fast as it may does
//! not hold up everyone else's joins.
//!
//! A page is read only after every write queued before the request has committed, and covers
//! sequence numbers up to the room's latest at the moment of the request (taken under the hub
//! lock). So a client that joins gets, between the page and the live messages that follow the
//! join, every message of the room exactly once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use anseo_shared::protocol::{
    FileHash, FrameError, HistoryPage, ReactionEntry, RoomMessage, SearchHit, ServerMsg, encode_frame,
};
use bytes::Bytes;

use crate::store::{AttachedTo, SearchScope, Store, StoreWriter, StoredMessage, Target};

/// What to read, decided under the hub lock (where membership and the latest sequence number
/// are known) and served after it is released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRequest {
    /// The room's name as the hub spells it.
    pub room: String,
    /// Only messages older than this sequence number (`None`: up to `up_to`).
    pub before: Option<u64>,
    pub limit: u32,
    /// The room's latest sequence number when the request was made.
    pub up_to: u64,
}

/// Connections that read history, at most.
pub const READERS: usize = 3;

/// Reads history beside the store's writer.
pub struct HistoryReader {
    readers: Arc<ReaderPool>,
    writer: StoreWriter,
}

/// The store connections history is read on. Each is held by one blocking read at a time.
struct ReaderPool {
    connections: Vec<Mutex<Store>>,
    /// Where the next read looks first, so reads spread over the connections.
    next: AtomicUsize,
}

/// History could not be read; the client gets an `unavailable` error.
#[derive(Debug, thiserror::Error)]
#[error("the history of '{room}' could not be read; try again in a moment")]
pub struct HistoryUnavailable {
    room: String,
}

/// A page of history as read: the messages and the reactions on them.
#[derive(Debug, Default)]
pub struct Page {
    pub messages: Vec<StoredMessage>,
    pub reactions: Vec<ReactionEntry>,
}

impl HistoryReader {
    /// A reader on `store`, its own connection to the store `writer` writes to, and on up to
    /// [`READERS`] in all (connections that cannot be opened are done without).
    pub fn new(store: Store, writer: StoreWriter) -> HistoryReader {
        let mut connections = Vec::with_capacity(READERS);
        for _ in 1..READERS {
            match store.reopen() {
                Ok(another) => connections.push(Mutex::new(another)),
                Err(error) => tracing::warn!(%error, "history is read on fewer connections"),
            }
        }
        connections.push(Mutex::new(store));
        HistoryReader { readers: Arc::new(ReaderPool { connections, next: AtomicUsize::new(0) }), writer }
    }

    /// The messages `request` asks for, oldest first, and the reactions on them.
    pub async fn read(&self, request: &HistoryRequest) -> Result<Page, HistoryUnavailable> {
        let before = request.before.unwrap_or(u64::MAX).min(request.up_to.saturating_add(1));
        if before <= 1 {
            // Sequence numbers start at 1: nothing to read (a login to a quiet lobby), and
            // no blocking thread to wake for it.
            return Ok(Page::default());
        }
        let unavailable = || HistoryUnavailable { room: request.room.clone() };
        self.queued_writes_done().await.map_err(|()| unavailable())?;

        let readers = self.readers.clone();
        let room = request.room.clone();
        let limit = request.limit;
        let read = tokio::task::spawn_blocking(move || {
            let store = readers.checkout();
            let messages = store.history(&room, Some(before), limit)?;
            let reactions = match (messages.first(), messages.last()) {
                (Some(first), Some(last)) => store.reactions(&room, first.id, last.id)?,
                _ => Vec::new(),
            };
            Ok::<_, crate::store::StoreError>(Page { messages, reactions })
        });
        match read.await {
            Ok(Ok(page)) => Ok(page),
            Ok(Err(error)) => {
                tracing::error!(%error, "could not read history");
                Err(unavailable())
            }
            Err(_panicked) => Err(unavailable()),
        }
    }
}

impl HistoryReader {
    /// Waits until every write queued so far is committed (or failed), so that a read sees
    /// everything accepted before it was asked for.
    async fn queued_writes_done(&self) -> Result<(), ()> {
        let (committed_tx, committed) = tokio::sync::oneshot::channel();
        self.writer
            .after_queued_writes(move || {
                let _ = committed_tx.send(());
            })
            .map_err(drop)?;
        committed.await.map_err(drop)
    }

    /// What `scope` finds (see [`Store::search`]), after the writes queued before it.
    pub async fn search(&self, scope: SearchScope) -> Result<(Vec<SearchHit>, bool), HistoryUnavailable> {
        let unavailable = || HistoryUnavailable { room: String::new() };
        self.queued_writes_done().await.map_err(|()| unavailable())?;
        let readers = self.readers.clone();
        match tokio::task::spawn_blocking(move || readers.checkout().search(&scope)).await {
            Ok(Ok(found)) => Ok(found),
            Ok(Err(error)) => {
                tracing::error!(%error, "could not search");
                Err(unavailable())
            }
            Err(_panicked) => Err(unavailable()),
        }
    }

    /// Message `id` of `room` as an edit or deletion needs it, after the writes queued before.
    pub async fn target(&self, room: &str, id: u64) -> Result<Option<Target>, HistoryUnavailable> {
        let unavailable = || HistoryUnavailable { room: room.to_string() };
        self.queued_writes_done().await.map_err(|()| unavailable())?;
        let readers = self.readers.clone();
        let room_name = room.to_string();
        match tokio::task::spawn_blocking(move || readers.checkout().target(&room_name, id)).await {
            Ok(Ok(target)) => Ok(target),
            Ok(Err(error)) => {
                tracing::error!(%error, "could not read a message");
                Err(unavailable())
            }
            Err(_panicked) => Err(unavailable()),
        }
    }

    /// Where the file `hash` was shared (see [`Store::attached_to`]), read beside history.
    pub async fn attached_to(&self, hash: FileHash, name: String) -> Result<AttachedTo, HistoryUnavailable> {
        let readers = self.readers.clone();
        let read = tokio::task::spawn_blocking(move || readers.checkout().attached_to(&hash, &name));
        match read.await {
            Ok(Ok(places)) => Ok(places),
            Ok(Err(error)) => {
                tracing::error!(%error, "could not look up a file");
                Err(HistoryUnavailable { room: String::new() })
            }
            Err(_panicked) => Err(HistoryUnavailable { room: String::new() }),
        }
    }
}

impl ReaderPool {
    /// A connection no other read holds, or (all busy) the next one in turn, once it is free.
    fn checkout(&self) -> MutexGuard<'_, Store> {
        let count = self.connections.len();
        let first = self.next.fetch_add(1, Ordering::Relaxed);
        for offset in 0..count {
            if let Ok(store) = self.connections[(first + offset) % count].try_lock() {
                return store;
            }
        }
        self.connections[first % count].lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Encodes `page`, dropping its oldest messages until it fits a frame (long messages at the
/// largest `--max-message-chars` can make a full page too large); `more` is set from what
/// remains.
pub fn encode_fitting(mut page: HistoryPage) -> Option<Bytes> {
    loop {
        page.more = page.messages.first().is_some_and(|oldest| oldest.seq > 1);
        match encode_frame(&ServerMsg::History(page.clone())) {
            Ok(frame) => return Some(frame),
            Err(FrameError::TooLarge { .. }) if page.messages.len() > 1 => {
                let drop = page.messages.len().div_ceil(4);
                page.messages.drain(..drop);
            }
            Err(error) => {
                tracing::error!(%error, "could not encode a history page");
                return None;
            }
        }
    }
}

pub fn into_room_message(stored: StoredMessage) -> RoomMessage {
    RoomMessage {
        id: stored.id,
        room: stored.room,
        seq: stored.seq,
        from: stored.sender,
        text: stored.text,
        ts: stored.ts_ms,
        client_msg_id: stored.client_msg_id,
        attachment: stored.attachment,
        kind: stored.kind,
        state: stored.state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anseo_shared::protocol::MAX_SERVER_FRAME_LEN;

    fn message(seq: u64, chars: usize) -> RoomMessage {
        RoomMessage {
            id: seq,
            room: "lobby".into(),
            seq,
            from: "alice".into(),
            text: "é".repeat(chars),
            ts: 1,
            client_msg_id: seq,
            attachment: None,
            kind: Default::default(),
            state: Default::default(),
        }
    }

    #[test]
    fn a_page_too_large_for_a_frame_keeps_its_newest_messages() {
        // 200 messages of 10,000 two-byte characters: about 4 MB, four times the frame limit.
        let messages: Vec<_> = (1..=200).map(|seq| message(seq, 10_000)).collect();
        let page = HistoryPage { room: "lobby".into(), messages, more: false, ts: 1 };
        let frame = encode_fitting(page).expect("a page that fits");
        assert!(frame.len() <= MAX_SERVER_FRAME_LEN + 4);
        let decoded: ServerMsg = postcard::from_bytes(&frame[4..]).unwrap();
        let ServerMsg::History(page) = decoded else { panic!("not a history page") };
        assert_eq!(page.messages.last().map(|m| m.seq), Some(200));
        assert!(page.messages.len() < 200 && page.messages.len() >= 40, "{}", page.messages.len());
        assert!(page.more);
        let seqs: Vec<u64> = page.messages.iter().map(|m| m.seq).collect();
        assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1));
    }

    #[test]
    fn reads_at_the_same_time_each_get_their_own_connection() {
        let dir = std::env::temp_dir().join(format!("anseo-history-readers-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let connections = (0..READERS).map(|_| Mutex::new(Store::open(&dir).unwrap())).collect();
        let pool = ReaderPool { connections, next: AtomicUsize::new(0) };
        let held: Vec<_> = (0..READERS).map(|_| pool.checkout()).collect();
        let distinct: std::collections::HashSet<*const Store> =
            held.iter().map(|store| &**store as *const Store).collect();
        assert_eq!(distinct.len(), READERS, "no two reads share a connection while one is free");
        drop(held);
        assert!(pool.checkout().history("lobby", None, 10).unwrap().is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_page_from_the_first_message_has_no_more() {
        let page = HistoryPage { room: "lobby".into(), messages: vec![message(1, 3)], more: true, ts: 1 };
        let frame = encode_fitting(page).unwrap();
        let ServerMsg::History(page) = postcard::from_bytes(&frame[4..]).unwrap() else { panic!() };
        assert!(!page.more);
    }
}
