//! Nothing lost: the store keeps rooms and messages across restarts (clean and SIGKILL), a
//! join brings the room's latest messages, history pages back to the beginning, and only
//! members read a room's history.

use std::collections::{HashMap, HashSet};

use anseo_shared::client::{Connected, Event};
use anseo_shared::protocol::{ErrorCode, HistoryPage, RoomMessage, ServerMsg};
use serde_json::json;
use tokio::sync::mpsc::Receiver;
use tokio::sync::oneshot;

use crate::support::{Cli, TestServer, expect_event};

/// Rate limits out of the way: these tests send bursts on purpose.
const FAST: &[&str] = &["--rate-limit-burst", "100000", "--rate-limit-per-sec", "100000"];

async fn next_page(events: &mut Receiver<Event>, room: &str) -> HistoryPage {
    expect_event(events, &format!("a history page of {room}"), |e| match e {
        Event::Server(ServerMsg::History(page)) if page.room == room => Some(page.clone()),
        _ => None,
    })
    .await
}

/// Sends `texts` to `room` and waits for every echo, in order.
async fn say_all(client: &mut Connected, room: &str, texts: &[String]) {
    for text in texts {
        client.client.say(room, text).await.expect("send");
    }
    let last = texts.last().expect("something to send").clone();
    expect_event(&mut client.events, "the echo of the last message", |e| match e {
        Event::Server(ServerMsg::Message(m)) if m.text == last => Some(()),
        Event::Server(ServerMsg::Error(error)) => panic!("a send failed: {error:?}"),
        _ => None,
    })
    .await;
}

fn texts(messages: &[RoomMessage]) -> Vec<String> {
    messages.iter().map(|m| m.text.clone()).collect()
}

fn numbered(prefix: &str, range: std::ops::RangeInclusive<u32>) -> Vec<String> {
    range.map(|i| format!("{prefix} {i}")).collect()
}

#[tokio::test]
async fn rooms_and_messages_survive_a_restart_and_page_back_to_the_beginning() {
    let mut server = TestServer::start_with(FAST);
    let mut alice = server.login("alice").await;
    alice.client.join("maths", Some("fractions")).await.unwrap();
    next_page(&mut alice.events, "maths").await;
    say_all(&mut alice, "maths", &numbered("sum", 1..=120)).await;
    assert!(server.terminate().success());

    let dir = server.kill();
    let server = TestServer::start_in(dir, FAST);
    let mut bob = server.login("bob").await;
    let maths = bob.welcome.rooms.iter().find(|r| r.name == "maths").expect("maths survived the restart");
    assert_eq!(maths.topic, "fractions");

    bob.client.join("maths", None).await.unwrap();
    let latest = next_page(&mut bob.events, "maths").await;
    assert_eq!(texts(&latest.messages), numbered("sum", 71..=120), "the last 50 come with the join");
    assert!(latest.messages.iter().all(|m| m.from == "alice"));
    assert_eq!(latest.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), (71..=120).collect::<Vec<u64>>());
    assert!(latest.more);

    bob.client.history("maths", Some(71), 50).await.unwrap();
    let older = next_page(&mut bob.events, "maths").await;
    assert_eq!(texts(&older.messages), numbered("sum", 21..=70));
    assert!(older.more);
    bob.client.history("maths", Some(21), 50).await.unwrap();
    let first = next_page(&mut bob.events, "maths").await;
    assert_eq!(texts(&first.messages), numbered("sum", 1..=20));
    assert!(!first.more, "the first page reaches the beginning of the room");

    // New messages continue the numbering of the first run.
    bob.client.say("maths", "after the restart").await.unwrap();
    let echo = expect_event(&mut bob.events, "the echo", |e| match e {
        Event::Server(ServerMsg::Message(m)) => Some(m.clone()),
        _ => None,
    })
    .await;
    assert_eq!(echo.seq, 121);
    assert!(echo.id > latest.messages.last().unwrap().id);
}

#[tokio::test]
async fn the_lobby_history_follows_the_welcome_and_live_messages_are_not_repeated() {
    let server = TestServer::start_with(FAST);
    let mut alice = server.login("alice").await;
    say_all(&mut alice, "lobby", &numbered("early", 1..=3)).await;
    let mut bob = server.login("bob").await;
    let page = next_page(&mut bob.events, "lobby").await;
    assert_eq!(texts(&page.messages), numbered("early", 1..=3));
    assert!(!page.more);

    alice.client.say("lobby", "live").await.unwrap();
    let live = expect_event(&mut bob.events, "the live message", |e| match e {
        Event::Server(ServerMsg::Message(m)) => Some(m.clone()),
        Event::Server(ServerMsg::History(page)) => panic!("a second page arrived: {page:?}"),
        _ => None,
    })
    .await;
    assert_eq!((live.text.as_str(), live.seq), ("live", 4));
}

#[tokio::test]
async fn only_members_read_a_rooms_history() {
    let server = TestServer::start_with(FAST);
    let mut alice = server.login("alice").await;
    alice.client.join("staff", None).await.unwrap();
    next_page(&mut alice.events, "staff").await;
    say_all(&mut alice, "staff", &["exam answers".to_string()]).await;

    let mut mallory = server.login("mallory").await;
    next_page(&mut mallory.events, "lobby").await;
    mallory.client.history("staff", None, 50).await.unwrap();
    let refusal = expect_event(&mut mallory.events, "the refusal", |e| match e {
        Event::Server(ServerMsg::Error(error)) => Some(error.clone()),
        Event::Server(ServerMsg::History(page)) => panic!("a non-member got history: {page:?}"),
        _ => None,
    })
    .await;
    assert_eq!(refusal.code, ErrorCode::NotInRoom);
    assert!(refusal.message.contains("join it"), "{}", refusal.message);
}

/// SIGKILL in the middle of a burst from three senders: every message whose echo reached its
/// sender is in the history after the restart, exactly once, numbered without gaps.
#[tokio::test]
async fn every_confirmed_message_survives_a_sigkill_exactly_once() {
    const PER_SENDER: u32 = 1700;
    let server = TestServer::start_with(FAST);
    let mut senders = Vec::new();
    for name in ["ann", "ben", "cat"] {
        let mut sender = server.login(name).await;
        next_page(&mut sender.events, "lobby").await;
        senders.push((name, sender));
    }
    let mut tasks = Vec::new();
    for (name, sender) in senders {
        let (stop, stopped) = oneshot::channel();
        tasks.push((stop, tokio::spawn(burst(name, sender, PER_SENDER, stopped))));
    }
    // Kill once a good part of the burst is in, while the rest is in flight.
    wait_for_lines(&server, "lobby", 1000).await;
    let dir = server.kill();
    let mut confirmed: HashMap<String, HashSet<u64>> = HashMap::new();
    for (stop, task) in tasks {
        let _ = stop.send(());
        let (name, ids) = task.await.expect("sender task");
        assert!(ids.len() < PER_SENDER as usize, "{name} finished before the kill: no test");
        confirmed.insert(name.to_string(), ids);
    }
    let total: usize = confirmed.values().map(HashSet::len).sum();
    assert!(total >= 100, "only {total} confirmed");

    let server = TestServer::start_in(dir, FAST);
    let mut reader = server.login("reader").await;
    let history = whole_history(&mut reader, "lobby").await;
    let seqs: Vec<u64> = history.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, (1..=history.len() as u64).collect::<Vec<_>>(), "sequence numbers without gaps");
    let mut seen: HashMap<(String, u64), usize> = HashMap::new();
    for m in &history {
        *seen.entry((m.from.clone(), m.client_msg_id)).or_default() += 1;
        assert_eq!(m.text, format!("{} {}", m.from, m.client_msg_id), "text matches its sender and id");
    }
    assert!(seen.values().all(|&n| n == 1), "a message is stored twice");
    for (name, ids) in &confirmed {
        for id in ids {
            assert_eq!(
                seen.get(&(name.clone(), *id)),
                Some(&1),
                "{name}'s confirmed message {id} is missing"
            );
        }
    }
}

/// Sends `count` messages as fast as the connection takes them; returns the client message
/// ids whose echo came back before `stop` (sent once the server is dead).
async fn burst(
    name: &'static str,
    mut sender: Connected,
    count: u32,
    mut stop: oneshot::Receiver<()>,
) -> (&'static str, HashSet<u64>) {
    let client = sender.client.clone();
    let sending = tokio::spawn(async move {
        for i in 1..=u64::from(count) {
            // The text names the client message id the client core will give it (1, 2, 3...).
            if client.say("lobby", &format!("{name} {i}")).await.is_err() {
                return;
            }
        }
    });
    let mut confirmed = HashSet::new();
    let mut note = |event: Event| match event {
        Event::Server(ServerMsg::Message(m)) if m.from == name => _ = confirmed.insert(m.client_msg_id),
        _ => {}
    };
    loop {
        tokio::select! {
            event = sender.events.recv() => match event {
                Some(event) => note(event),
                None => break,
            },
            _ = &mut stop => {
                // The server is dead: what already arrived is all that ever will.
                while let Ok(event) = sender.events.try_recv() {
                    note(event);
                }
                break;
            }
        }
    }
    sending.abort();
    (name, confirmed)
}

/// Waits until the server has accepted at least `count` messages in `room`, as seen by a
/// separate listener.
async fn wait_for_lines(server: &TestServer, room: &str, count: u64) {
    let mut listener = server.login("listener").await;
    expect_event(&mut listener.events, &format!("message {count} of {room}"), |e| match e {
        Event::Server(ServerMsg::Message(m)) if m.room == room && m.seq >= count => Some(()),
        _ => None,
    })
    .await;
}

/// Every message of `room`, paging back from the latest.
async fn whole_history(client: &mut Connected, room: &str) -> Vec<RoomMessage> {
    let mut all = next_page(&mut client.events, room).await.messages;
    loop {
        let Some(oldest) = all.first().map(|m| m.seq) else { return all };
        if oldest == 1 {
            return all;
        }
        client.client.history(room, Some(oldest), 200).await.unwrap();
        let page = next_page(&mut client.events, room).await;
        assert!(!page.messages.is_empty(), "an empty page before seq {oldest}");
        all.splice(0..0, page.messages);
    }
}

#[tokio::test]
async fn the_terminal_client_prints_older_messages_with_history() {
    let server = TestServer::start_with(FAST);
    let mut alice = server.login("alice").await;
    say_all(&mut alice, "lobby", &numbered("note", 1..=60)).await;

    let mut cli = Cli::login(&server, "bob").await;
    let latest = cli.json_until("the latest message", |v| v["text"] == "note 60").await;
    let latest: Vec<_> = latest.iter().filter(|v| v["type"] == "message").collect();
    assert_eq!(latest.len(), 50, "the lobby's last 50 follow the welcome");
    assert!(latest.iter().all(|v| v["history"] == true && v["from"] == "alice"));
    assert_eq!((latest[0]["text"].clone(), latest[0]["seq"].clone()), (json!("note 11"), json!(11)));

    cli.send("/history 5").await;
    let older = cli.json_until("note 10", |v| v["text"] == "note 10").await;
    let older: Vec<_> = older.iter().filter(|v| v["type"] == "message").map(|v| v["text"].clone()).collect();
    assert_eq!(older, ["note 6", "note 7", "note 8", "note 9", "note 10"].map(|t| json!(t)));
    cli.send("/history").await;
    let oldest = cli.json_until("note 5", |v| v["text"] == "note 5").await;
    assert_eq!(oldest.iter().filter(|v| v["history"] == true).count(), 5);
    cli.send("/history").await;
    let end = cli.json_until("an answer", |v| v["type"] != "presence").await;
    assert_eq!(end.last().unwrap()["type"], "info", "{end:?}");
    assert_eq!(end.last().unwrap()["message"], "no older messages in #lobby");

    // Live messages carry no history flag.
    alice.client.say("lobby", "now").await.unwrap();
    let live = cli.json_until("the live message", |v| v["text"] == "now").await;
    assert!(live.last().unwrap().get("history").is_none(), "{live:?}");
}
