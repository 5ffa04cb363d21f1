//! The rate limit, met as users meet it, with the server's default limits: a client typing
//! faster than the limit, and a backlog typed during an outage and re-sent when the server is
//! back, are paced, not refused: every message arrives exactly once, in order, with no error
//! printed and no abuse disconnect.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anseo_shared::client::{ChatEvent, ConnectOptions, Event, Resilient, ResumeOptions, connect_resilient};
use anseo_shared::protocol::{RoomMessage, ServerMsg};
use serde_json::Value;
use tokio::sync::mpsc::Receiver;

use crate::support::{Cli, TestServer, expect_event};

/// The default limit: a burst of 50, then 10 a second.
const DEFAULT_BURST: usize = 50;
const DEFAULT_PER_SEC: usize = 10;

async fn observer(server: &TestServer, name: &str) -> (Resilient, Receiver<ChatEvent>) {
    let connect = ConnectOptions::new(&server.addr, name, server.trust());
    let options = ResumeOptions { connect, reconnect_after_shutdown: true };
    let (client, _welcome, events) = connect_resilient(options).await.expect("observer login");
    (client, events)
}

/// Lobby messages from `senders` until there are `total`, failing after `patience` without a
/// new one.
async fn collect(
    events: &mut Receiver<ChatEvent>,
    senders: &[&str],
    total: usize,
    patience: Duration,
) -> Vec<RoomMessage> {
    let mut seen = Vec::new();
    while seen.len() < total {
        let event = match tokio::time::timeout(patience, events.recv()).await {
            Ok(Some(event)) => event,
            Ok(None) => panic!("the observer's session ended after {} messages", seen.len()),
            Err(_) => panic!("no message for {patience:?}; {} of {total} arrived", seen.len()),
        };
        match event {
            ChatEvent::Message { message, .. } if senders.contains(&message.from.as_str()) => {
                seen.push(message)
            }
            ChatEvent::Closed(reason) => panic!("the observer was disconnected: {reason}"),
            _ => {}
        }
    }
    seen
}

/// Checks that each sender's messages are `"{sender} 1"`, `"{sender} 2"`, ... `count`, each
/// once and in order.
fn assert_each_once_in_order(seen: &[RoomMessage], senders: &[&str], count: usize) {
    let mut by_sender: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for m in seen {
        by_sender.entry(m.from.as_str()).or_default().push(m.text.clone());
    }
    for sender in senders {
        let expected: Vec<String> = (1..=count).map(|i| format!("{sender} {i}")).collect();
        assert_eq!(by_sender.get(sender), Some(&expected), "{sender}'s messages, once each and in order");
    }
    assert!(seen.windows(2).all(|w| w[1].seq == w[0].seq + 1), "sequence numbers without gaps");
}

/// Errors and closes a sender printed (none are expected before its own `closed`).
fn errors(output: &[Value]) -> Vec<String> {
    output.iter().filter(|v| v["type"] == "error").map(|v| v.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_messages_as_fast_as_possible_all_arrive_paced_in_order() {
    const COUNT: usize = 200;
    let server = TestServer::start();
    let (_observer, mut events) = observer(&server, "watcher").await;
    let mut fast = Cli::login(&server, "fast").await;
    let started = Instant::now();
    for i in 1..=COUNT {
        fast.send(&format!("fast {i}")).await;
    }
    fast.close_stdin();
    let seen = collect(&mut events, &["fast"], COUNT, Duration::from_secs(5)).await;
    let took = started.elapsed();
    assert_each_once_in_order(&seen, &["fast"], COUNT);

    let output = fast.rest_json().await;
    assert_eq!(errors(&output), Vec::<String>::new(), "nothing refused is printed");
    let echoes = output.iter().filter(|v| v["type"] == "message" && v["from"] == "fast").count();
    assert_eq!(echoes, COUNT, "the sender printed each echo");
    assert_eq!(output.last().map(|v| v["reason"].clone()), Some(Value::from("you left")));
    assert_eq!(fast.wait_exit().await.code, Some(0));
    assert!(!server.log().contains("disconnecting"), "no abuse disconnect:\n{}", server.log());
    // The limit allows the burst at once, then 10 a second: about 15 s for 200.
    let allowed = Duration::from_secs(((COUNT - DEFAULT_BURST) / DEFAULT_PER_SEC) as u64);
    println!("{COUNT} messages took {took:.1?} (the limit allows them in {allowed:?} at best)");
    assert!(took >= allowed - Duration::from_secs(1), "faster than the limit: {took:?}");
}

/// The scenario: three people type a message every 0.25 s, 120 each; the server is
/// killed 12 s in and started again on the same data after `down`.
async fn outage_scenario(down: Duration) {
    const PER_SENDER: usize = 120;
    const SENDERS: [&str; 3] = ["ann", "ben", "cat"];
    let server = TestServer::start();
    let addr = server.addr.clone();
    let (_observer, mut events) = observer(&server, "watcher").await;
    let mut clis = Vec::new();
    for name in SENDERS {
        clis.push(Cli::login(&server, name).await);
    }
    let observing = tokio::spawn(async move {
        let seen = collect(&mut events, &SENDERS, SENDERS.len() * PER_SENDER, Duration::from_secs(60)).await;
        (seen, events)
    });

    let typing = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        for i in 1..=PER_SENDER {
            tick.tick().await;
            for (cli, name) in clis.iter_mut().zip(SENDERS) {
                cli.send(&format!("{name} {i}")).await;
            }
        }
        clis
    });
    tokio::time::sleep(Duration::from_secs(12)).await;
    let dir = server.kill();
    tokio::time::sleep(down).await;
    let server = TestServer::start_at(dir, &addr, &[]);

    let mut clis = typing.await.expect("typing");
    let Ok((seen, _events)) = observing.await else {
        panic!("the observer stalled; server log:\n{}", server.log());
    };
    assert_each_once_in_order(&seen, &SENDERS, PER_SENDER);
    for (cli, name) in clis.iter_mut().zip(SENDERS) {
        cli.close_stdin();
        let output = cli.rest_json().await;
        assert_eq!(errors(&output), Vec::<String>::new(), "{name} printed an error");
        assert!(output.iter().any(|v| v["type"] == "resumed"), "{name} resumed");
    }
    assert!(!server.log().contains("disconnecting"), "no abuse disconnect:\n{}", server.log());

    // The restarted server's history holds each message once.
    let mut reader = server.login("reader").await;
    let mut stored = next_history_page(&mut reader).await;
    while let Some(first) = stored.first().filter(|m| m.seq > 1) {
        reader.client.history("lobby", Some(first.seq), 200).await.expect("history");
        let older = next_history_page(&mut reader).await;
        assert!(!older.is_empty(), "an empty page before {}", first.seq);
        stored.splice(0..0, older);
    }
    assert_each_once_in_order(&stored, &SENDERS, PER_SENDER);
}

async fn next_history_page(client: &mut anseo_shared::client::Connected) -> Vec<RoomMessage> {
    expect_event(&mut client.events, "a history page", |e| match e {
        Event::Server(ServerMsg::History(page)) => Some(page.messages.clone()),
        _ => None,
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_typed_across_a_sigkill_restart_after_one_second_all_arrive_once() {
    outage_scenario(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_typed_across_a_sigkill_restart_after_twenty_seconds_all_arrive_once() {
    outage_scenario(Duration::from_secs(20)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_the_server_never_confirmed_are_reported_not_sent_when_the_terminal_client_leaves() {
    let server = TestServer::start();
    let mut cli = Cli::login(&server, "ann").await;
    let _dir = server.kill();
    for i in 1..=3 {
        cli.send(&format!("lost {i}")).await;
    }
    cli.close_stdin();
    // It waits for answers while they might come (5 s without one, then 10 s in the core).
    cli.set_patience(Duration::from_secs(30));
    let output = cli.rest_json().await;
    let unsent: Vec<u64> = output
        .iter()
        .filter(|v| v["type"] == "error" && v["code"] == "not_sent")
        .filter_map(|v| v["client_msg_id"].as_u64())
        .collect();
    assert_eq!(unsent, [1, 2, 3], "each message is reported once: {output:?}");
    assert_eq!(output.last().map(|v| v["type"].clone()), Some(Value::from("closed")));
    assert_eq!(cli.wait_exit().await.code, Some(0));
}
