//! Bad networks: a lossy, slow, reordering, duplicating link loses nothing; a captured
//! session leaks no plaintext.

use std::collections::HashSet;
use std::time::Duration;

use anseo_shared::client::{ConnectOptions, Connected, Event, connect};
use anseo_shared::protocol::{RoomMessage, ServerMsg};

use crate::support::{Impairment, Relay, TestServer, expect_event};

async fn login_via(relay: &Relay, server: &TestServer, name: &str) -> Connected {
    let mut options = ConnectOptions::new(&relay.addr, name, server.trust());
    // The handshake itself crosses the lossy link: give it room.
    options.timeout = Duration::from_secs(30);
    connect(&options).await.unwrap_or_else(|e| panic!("{name} could not log in through the relay: {e}"))
}

/// Collects room messages until `count` have arrived (or fails after `limit`).
async fn collect_messages(mut connected: Connected, count: usize, limit: Duration) -> Vec<RoomMessage> {
    let mut messages = Vec::with_capacity(count);
    let collected = tokio::time::timeout(limit, async {
        while messages.len() < count {
            match connected.events.recv().await {
                Some(Event::Server(ServerMsg::Message(message))) => messages.push(message),
                Some(Event::Closed(reason)) => {
                    panic!("connection closed after {} messages: {reason}", messages.len())
                }
                Some(_) => {}
                None => panic!("event stream ended after {} messages", messages.len()),
            }
        }
    })
    .await;
    assert!(collected.is_ok(), "only {} of {count} messages arrived within {limit:?}", messages.len());
    messages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lossy_link_delivers_every_message_exactly_once_in_order() {
    let server = TestServer::start_with(&["--rate-limit-per-sec", "1000", "--rate-limit-burst", "1000"]);
    let impairment = Impairment {
        loss: 0.10,
        duplicate: 0.05,
        delay: Duration::from_millis(50),
        jitter: Duration::from_millis(20),
        downstream: None,
    };
    let relay = Relay::start(&server.addr, impairment, 7).await;
    let names = ["ann", "ben", "cat"];
    let mut sessions = Vec::new();
    for name in names {
        sessions.push(login_via(&relay, &server, name).await);
    }
    // Everyone must be in the lobby before the first message, so each sees all 1000.
    let mut last = sessions.pop().unwrap();
    expect_event(&mut last.events, "the presence stream to start", |e| {
        matches!(e, Event::Presence(_)).then_some(())
    })
    .await;
    sessions.push(last);

    const TOTAL: usize = 1000;
    let mut collectors = Vec::new();
    let mut senders = Vec::new();
    for (index, connected) in sessions.into_iter().enumerate() {
        let client = connected.client.clone();
        collectors.push(tokio::spawn(collect_messages(connected, TOTAL, Duration::from_secs(240))));
        senders.push(tokio::spawn(async move {
            let mine = (index..TOTAL).step_by(3);
            for n in mine {
                client.say("lobby", &format!("message {n} from {}", names[index])).await.expect("send");
            }
        }));
    }
    for sender in senders {
        sender.await.expect("sender task");
    }
    for (index, collector) in collectors.into_iter().enumerate() {
        let messages = collector.await.expect("collector task");
        let seqs: Vec<u64> = messages.iter().map(|m| m.seq).collect();
        let first = seqs[0];
        assert_eq!(
            seqs,
            (first..first + TOTAL as u64).collect::<Vec<_>>(),
            "{}: gaps or disorder",
            names[index]
        );
        let ids: HashSet<u64> = messages.iter().map(|m| m.id).collect();
        assert_eq!(ids.len(), TOTAL, "{}: duplicate ids", names[index]);
        for (sender_index, sender) in names.iter().enumerate() {
            let texts: Vec<&str> =
                messages.iter().filter(|m| m.from == *sender).map(|m| m.text.as_str()).collect();
            let expected: Vec<String> =
                (sender_index..TOTAL).step_by(3).map(|n| format!("message {n} from {sender}")).collect();
            assert_eq!(texts, expected, "{} saw {sender}'s messages wrongly", names[index]);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captured_session_contains_no_plaintext() {
    let server = TestServer::start();
    let relay = Relay::start(&server.addr, Impairment::NONE, 1).await;
    let mut alice = login_via(&relay, &server, "alice_wiretap").await;
    let mut bob = login_via(&relay, &server, "bob_wiretap").await;
    alice.client.join("secret-garden", Some("topic-never-seen")).await.unwrap();
    bob.client.join("secret-garden", None).await.unwrap();
    expect_event(&mut bob.events, "bob's join", |e| match e {
        Event::Server(ServerMsg::Joined { room, .. }) if room.name == "secret-garden" => Some(()),
        _ => None,
    })
    .await;
    alice.client.say("secret-garden", "the eagle lands at noon").await.unwrap();
    bob.client.direct("alice_wiretap", "meet by the old oak").await.unwrap();
    expect_event(&mut bob.events, "alice's room message", |e| match e {
        Event::Server(ServerMsg::Message(m)) if m.text == "the eagle lands at noon" => Some(()),
        _ => None,
    })
    .await;
    expect_event(&mut alice.events, "bob's direct message", |e| match e {
        Event::Server(ServerMsg::Direct(m)) if m.text == "meet by the old oak" => Some(()),
        _ => None,
    })
    .await;

    let capture = relay.captured();
    assert!(capture.len() > 1000, "the relay captured only {} bytes", capture.len());
    for secret in [
        "alice_wiretap",
        "bob_wiretap",
        "secret-garden",
        "topic-never-seen",
        "eagle lands",
        "old oak",
        "lobby",
    ] {
        let found = capture.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found, "'{secret}' appears in plaintext on the wire");
    }
}
