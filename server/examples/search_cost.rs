//! How long a search takes in a large store: writes `N` room messages (100,000 by default)
//! and 1,000 direct messages into a fresh store, then times searches of several kinds and
//! prints the figures (p50 and the slowest, in ms).
//!
//! `cargo run --release -p anseo-server --example search_cost [N]`

use std::time::Instant;

use anseo_server::store::{SearchScope, Store, StoredDirect, StoredMessage, WriteOp, fts_query};

const WORDS: &[&str] = &[
    "homework",
    "fractions",
    "friday",
    "lunch",
    "board",
    "maths",
    "music",
    "bus",
    "trip",
    "library",
    "exam",
    "project",
    "paint",
    "football",
    "choir",
    "science",
    "garden",
    "story",
    "poem",
    "history",
];

fn main() -> anyhow::Result<()> {
    let count: u64 = std::env::args().nth(1).map(|n| n.parse()).transpose()?.unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(dir.path())?;
    let started = Instant::now();
    let mut ops = Vec::new();
    for id in 1..=count {
        let room = format!("room{}", id % 20);
        let text = (0..8)
            .map(|k| WORDS[((id * 7 + k * 13) % WORDS.len() as u64) as usize])
            .collect::<Vec<_>>()
            .join(" ");
        let text = format!("{text} message {id}");
        ops.push(WriteOp::RoomMessage(StoredMessage {
            room,
            seq: id / 20 + 1,
            id,
            sender: format!("user{}", id % 30),
            text,
            ts_ms: id,
            client_msg_id: 0,
            instance: 0,
            attachment: None,
            kind: Default::default(),
            state: Default::default(),
        }));
        if ops.len() == 5000 {
            store.write_batch(ops.iter())?;
            ops.clear();
        }
    }
    for k in 0..1000 {
        ops.push(WriteOp::Direct(StoredDirect {
            id: count + 1 + k,
            sender: "user1".into(),
            recipient: "user2".into(),
            text: format!("private homework note {k}"),
            ts_ms: count + k,
            client_msg_id: 0,
            pending_for: None,
            instance: 0,
            attachment: None,
        }));
    }
    store.write_batch(ops.iter())?;
    println!("wrote {} messages in {:.1} s", count + 1000, started.elapsed().as_secs_f64());

    let rooms: Vec<String> = (0..5).map(|r| format!("room{r}")).collect();
    for text in ["homework", "friday exam", "garden poem choir", "message 99980", "zebra", "frac"] {
        let scope = SearchScope {
            query: fts_query(text).unwrap(),
            rooms: rooms.clone(),
            me: "user1".into(),
            before: None,
            limit: 25,
        };
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..20 {
            let start = Instant::now();
            let (hits, _) = store.search(&scope)?;
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            found = hits.len();
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{text:>20}: {found:>2} results, p50 {:.2} ms, slowest {:.2} ms",
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
    Ok(())
}
