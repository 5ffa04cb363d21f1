//! Limits and fairness: the message rate per client, connection caps, address validation under
//! a flood, rooms per user, and what the operator's log says (never message text).

use anseo_shared::client::{ConnectError, ConnectOptions, Disconnect, Event, connect};
use anseo_shared::protocol::{ErrorCode, ServerMsg, close_code};

use std::time::Duration;

use crate::support::{Bottleneck, Impairment, Relay, TestServer, expect_event};

fn room_text(event: &Event) -> Option<String> {
    match event {
        Event::Server(ServerMsg::Message(m)) => Some(m.text.clone()),
        _ => None,
    }
}

#[tokio::test]
async fn flooding_is_refused_with_a_retry_time_and_others_are_unaffected() {
    let server = TestServer::start_with(&["--rate-limit-burst", "3", "--rate-limit-per-sec", "0.5"]);
    let mut flooder = server.login("flooder").await;
    let mut calm = server.login("calm").await;
    for n in 1..=5 {
        flooder.client.say("lobby", &format!("flood {n}")).await.unwrap();
    }
    // The burst of 3 goes through; the 4th and 5th are refused with a retry time.
    for n in 1..=3 {
        let text = expect_event(&mut calm.events, "a flood message", room_text).await;
        assert_eq!(text, format!("flood {n}"));
    }
    let mut refused = Vec::new();
    while refused.len() < 2 {
        let error = expect_event(&mut flooder.events, "a rate-limit error", |e| match e {
            Event::Server(ServerMsg::Error(error)) => Some(error.clone()),
            _ => None,
        })
        .await;
        refused.push(error);
    }
    for (error, client_msg_id) in refused.iter().zip([4, 5]) {
        assert_eq!(error.code, ErrorCode::RateLimited);
        assert_eq!(error.client_msg_id, Some(client_msg_id));
        assert!(error.message.contains("try again in"), "{}", error.message);
    }
    // Someone else is not slowed down by the flooder's limit.
    calm.client.say("lobby", "calm here").await.unwrap();
    assert_eq!(expect_event(&mut calm.events, "calm's own message", room_text).await, "calm here");
    assert!(server.log().contains("rate limited"), "the log should record the refusals:\n{}", server.log());
    assert!(!server.log().contains("flood 4"), "message text must never be logged");
}

#[tokio::test]
async fn sustained_abuse_is_disconnected_with_a_reason() {
    let server = TestServer::start_with(&[
        "--rate-limit-burst",
        "1",
        "--rate-limit-per-sec",
        "0.1",
        "--abuse-disconnect-after",
        "5",
    ]);
    let mut abuser = server.login("abuser").await;
    for n in 0..10 {
        if abuser.client.say("lobby", &format!("spam {n}")).await.is_err() {
            break;
        }
    }
    let reason = expect_event(&mut abuser.events, "the disconnect", |e| match e {
        Event::Closed(reason) => Some(reason.clone()),
        _ => None,
    })
    .await;
    match reason {
        Disconnect::ByServer { code, reason } => {
            assert_eq!(code, close_code::ABUSE);
            assert!(reason.contains("too many messages"), "{reason}");
        }
        other => panic!("expected a close by the server, got {other:?}"),
    }
}

#[tokio::test]
async fn connections_per_address_are_capped() {
    let server = TestServer::start_with(&["--max-connections-per-address", "2"]);
    let _first = server.login("first").await;
    let _second = server.login("second").await;
    let error = connect(&ConnectOptions::new(&server.addr, "third", server.trust())).await.err();
    match error {
        Some(ConnectError::Closed(Disconnect::ByServer { code, reason })) => {
            assert_eq!(code, close_code::REJECTED);
            assert!(reason.contains("too many connections from your address"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    drop(_first);
    assert!(server.log().contains("refused"), "the log should record the refusal:\n{}", server.log());
}

#[tokio::test]
async fn total_connections_are_capped() {
    let server = TestServer::start_with(&["--max-connections", "1"]);
    let _only = server.login("only").await;
    let error = connect(&ConnectOptions::new(&server.addr, "extra", server.trust())).await.err();
    assert!(
        matches!(&error, Some(ConnectError::Closed(Disconnect::ByServer { reason, .. })) if reason.contains("full")),
        "{error:?}"
    );
}

#[tokio::test]
async fn address_validation_is_used_under_a_flood_of_handshakes() {
    // With the threshold at 0 every new connection must first prove its address (QUIC retry).
    let server = TestServer::start_with(&["--retry-above-handshakes", "0"]);
    let mut alice = server.login("alice").await;
    alice.client.say("lobby", "still works").await.unwrap();
    assert_eq!(expect_event(&mut alice.events, "the echo", room_text).await, "still works");
    assert!(server.log().contains("address validation"), "{}", server.log());
}

#[tokio::test]
async fn rooms_per_user_are_capped() {
    let server = TestServer::start_with(&["--max-rooms-per-user", "3"]);
    let mut alice = server.login("alice").await;
    // The lobby counts: two more rooms fit, the third does not.
    for room in ["one", "two", "three"] {
        alice.client.join(room, None).await.unwrap();
    }
    let error = expect_event(&mut alice.events, "the refusal", |e| match e {
        Event::Server(ServerMsg::Error(error)) => Some(error.clone()),
        _ => None,
    })
    .await;
    assert_eq!(error.code, ErrorCode::TooManyRooms);
    assert!(error.message.contains('3'), "{}", error.message);
}

#[tokio::test]
async fn every_limit_is_listed_in_help() {
    let output =
        std::process::Command::new(crate::support::binary("anseo-server")).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--max-message-chars",
        "--rate-limit-burst",
        "--rate-limit-per-sec",
        "--abuse-disconnect-after",
        "--max-connections",
        "--max-connections-per-address",
        "--retry-above-handshakes",
        "--hello-timeout-secs",
        "--max-rooms-per-user",
    ] {
        assert!(help.contains(flag), "--help does not list {flag}:\n{help}");
    }
    for fixed in ["64 KiB", "32 characters", "64 characters", "200 characters"] {
        assert!(help.contains(fixed), "--help does not mention the fixed limit {fixed}:\n{help}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_cut_off_when_its_stream_stalls() {
    // The byte cap is out of reach here, so only the stall limit can end the session.
    let server = TestServer::start_with(&[
        "--max-queued-bytes",
        "100000000",
        "--stall-timeout-secs",
        "1",
        "--rate-limit-per-sec",
        "100000",
        "--rate-limit-burst",
        "100000",
    ]);
    let stalled = server.login("stalled").await;
    let mut talker = server.login("talker").await;
    let text = "z".repeat(1000);
    for sent in 0.. {
        if stalled.client.list_users().await.is_err() {
            break;
        }
        assert!(sent < 20_000, "the stalled client was never disconnected");
        let id = talker.client.say("lobby", &text).await.unwrap();
        expect_event(&mut talker.events, "the talker's echo", |e| match e {
            Event::Server(ServerMsg::Message(m)) if m.client_msg_id == id => Some(()),
            _ => None,
        })
        .await;
    }
    let mut events = stalled.events;
    let reason = expect_event(&mut events, "the stall disconnect", |e| match e {
        Event::Closed(reason) => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert!(
        matches!(&reason, Disconnect::ByServer { code, reason } if *code == close_code::TOO_SLOW && reason.contains("did not move")),
        "{reason:?}"
    );
    assert!(server.log().contains("too slow"), "{}", server.log());
}

/// A client on a slow link (0.8 Mbit/s towards it, like a phone at the edge of the Wi-Fi)
/// that keeps reading is not cut off when a burst of big messages fills its window for
/// seconds: what trickles in is still acknowledged. Default server settings; the burst (1.44
/// MB) stays under the 1 MiB queue cap beyond what QUIC holds, and each talker under its
/// rate limit's burst of 50.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_on_a_slow_link_that_keeps_reading_gets_a_burst_whole() {
    const TALKERS: usize = 4;
    const EACH: usize = 45;
    let server = TestServer::start();
    let slow_link = Bottleneck { bytes_per_sec: 100_000, queue: Duration::from_millis(100) };
    let relay =
        Relay::start(&server.addr, Impairment { downstream: Some(slow_link), ..Impairment::NONE }, 3).await;
    let slowpoke = connect(&ConnectOptions::new(&relay.addr, "slowpoke", server.trust()))
        .await
        .expect("slowpoke's login");
    let mut events = slowpoke.events;
    let mut talkers = Vec::new();
    for t in 0..TALKERS {
        talkers.push(server.login(&format!("talker{t}")).await);
    }
    // 8,000 bytes each: 2,000 characters (the default limit) of four bytes.
    let text = |t: usize, n: usize| format!("{t} {n:02} {}", "😀".repeat(1994));
    for n in 0..EACH {
        for (t, talker) in talkers.iter().enumerate() {
            talker.client.say("lobby", &text(t, n)).await.unwrap();
        }
    }
    let mut next = [0usize; TALKERS];
    for _ in 0..TALKERS * EACH {
        let got = tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                match events.recv().await {
                    Some(event) => match room_text(&event) {
                        Some(text) => return text,
                        None if matches!(event, Event::Closed(_)) => {
                            panic!("slowpoke was cut off: {event:?}\nserver log:\n{}", server.log())
                        }
                        None => {}
                    },
                    None => panic!("slowpoke's events ended\nserver log:\n{}", server.log()),
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no message for a minute; got {next:?}"));
        let talker: usize = got[..1].parse().expect("a talker's message");
        assert_eq!(got, text(talker, next[talker]), "talker {talker}'s messages in order");
        next[talker] += 1;
    }
    assert_eq!(next, [EACH; TALKERS]);
    assert!(!server.log().contains("too slow"), "{}", server.log());
}
