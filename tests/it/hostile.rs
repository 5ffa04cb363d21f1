//! Hostile and broken clients, speaking raw QUIC (no client core): oversized, undecodable and
//! random frames, commands before Hello, a second Hello, silence, an old protocol version, and
//! a reader too slow to keep up. Each gets a typed error or a close with a code and a reason,
//! and nobody else notices.

use anseo_shared::client::{ConnectError, ConnectOptions, Disconnect, Event, connect};
use anseo_shared::protocol::{
    ClientMsg, ErrorCode, FrameCodec, PROTOCOL_VERSION, PresenceEvent, Rejection, ServerMsg, close_code,
    encode_frame,
};
use anseo_shared::transport::client_config;
use futures_util::StreamExt;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use tokio_util::codec::FramedRead;

use crate::support::{TestServer, WAIT, expect_before, expect_event};

type Replies = FramedRead<quinn::RecvStream, FrameCodec<ServerMsg, ClientMsg>>;

/// A raw connection with its bidirectional stream open.
struct Raw {
    _endpoint: quinn::Endpoint,
    connection: quinn::Connection,
    send: quinn::SendStream,
    replies: Replies,
}

impl Raw {
    async fn connect(server: &TestServer) -> Raw {
        let (config, _seen) = client_config(Some(server.fingerprint));
        let endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = server.addr.parse().unwrap();
        let connection = endpoint.connect_with(config, addr, "localhost").unwrap().await.expect("handshake");
        let (send, recv) = connection.open_bi().await.unwrap();
        Raw { _endpoint: endpoint, connection, send, replies: FramedRead::new(recv, FrameCodec::default()) }
    }

    /// Connects and logs in as `name`, returning after the Welcome and the lobby's history.
    async fn login(server: &TestServer, name: &str) -> Raw {
        let mut raw = Raw::connect(server).await;
        raw.send_msg(&ClientMsg::Hello { version: PROTOCOL_VERSION, name: name.into() }).await;
        match raw.next_reply().await {
            ServerMsg::Welcome(welcome) => assert_eq!(welcome.name, name),
            other => panic!("expected Welcome, got {other:?}"),
        }
        match raw.next_reply().await {
            ServerMsg::History(page) => assert_eq!(page.room, "lobby"),
            other => panic!("expected the lobby's history, got {other:?}"),
        }
        raw
    }

    async fn send_msg(&mut self, msg: &ClientMsg) {
        self.send_bytes(&encode_frame(msg).unwrap()).await;
    }

    async fn send_bytes(&mut self, bytes: &[u8]) {
        self.send.write_all(bytes).await.expect("write to the server");
    }

    async fn next_reply(&mut self) -> ServerMsg {
        match tokio::time::timeout(WAIT, self.replies.next()).await {
            Ok(Some(Ok(msg))) => msg,
            other => panic!("no reply from the server: {other:?}"),
        }
    }

    async fn next_error(&mut self) -> ErrorCode {
        match self.next_reply().await {
            ServerMsg::Error(error) => error.code,
            other => panic!("expected an Error reply, got {other:?}"),
        }
    }

    /// Waits for the server to close the connection; returns its code and reason.
    async fn closed(&self) -> (u32, String) {
        let error =
            tokio::time::timeout(WAIT, self.connection.closed()).await.expect("the server never closed");
        match error {
            quinn::ConnectionError::ApplicationClosed(close) => {
                (close.error_code.into_inner() as u32, String::from_utf8_lossy(&close.reason).into_owned())
            }
            other => panic!("expected an application close, got {other}"),
        }
    }

    /// Proves the session is alive and the stream in step: ListUsers is answered.
    async fn still_served(&mut self) -> Vec<String> {
        self.send_msg(&ClientMsg::ListUsers).await;
        loop {
            if let ServerMsg::Users { users, .. } = self.next_reply().await {
                return users;
            }
        }
    }
}

/// The lobby users, seen from a fresh, well-behaved client.
async fn server_still_works(server: &TestServer, name: &str) -> Vec<String> {
    let mut probe = server.login(name).await;
    probe.client.say("lobby", "still here").await.unwrap();
    expect_event(&mut probe.events, "the probe's echo", |e| match e {
        Event::Server(ServerMsg::Message(m)) if m.text == "still here" => Some(()),
        _ => None,
    })
    .await;
    probe.welcome.users
}

#[tokio::test]
async fn an_oversized_frame_closes_the_connection_with_a_protocol_error() {
    let server = TestServer::start();
    let mut alice = server.login("alice").await;
    let mut raw = Raw::login(&server, "big").await;
    let mut frame = (1u32 << 20).to_be_bytes().to_vec();
    frame.extend_from_slice(&[0; 1024]);
    raw.send_bytes(&frame).await;
    let (code, reason) = raw.closed().await;
    assert_eq!(code, close_code::PROTOCOL);
    assert!(reason.contains("larger than the limit"), "{reason}");
    // The session ended like any other: everyone is told.
    expect_event(&mut alice.events, "big going offline", |e| match e {
        Event::Presence(frame) => {
            matches!(&frame.event, PresenceEvent::Offline { user } if user == "big").then_some(())
        }
        _ => None,
    })
    .await;
    assert_eq!(server_still_works(&server, "after_big").await, vec!["after_big", "alice"]);
}

#[tokio::test]
async fn an_undecodable_frame_gets_an_error_and_the_session_goes_on() {
    let server = TestServer::start();
    let mut raw = Raw::login(&server, "garbler").await;
    raw.send_bytes(&[0, 0, 0, 3, 0xff, 0xff, 0xff]).await;
    assert_eq!(raw.next_error().await, ErrorCode::Protocol);
    raw.send_bytes(&[0, 0, 0, 0]).await;
    assert_eq!(raw.next_error().await, ErrorCode::Protocol);
    assert_eq!(raw.still_served().await, vec!["garbler"]);
}

#[tokio::test]
async fn a_command_before_hello_closes_the_connection() {
    let server = TestServer::start();
    let mut raw = Raw::connect(&server).await;
    raw.send_msg(&ClientMsg::Say {
        room: "lobby".into(),
        text: "sneaky".into(),
        client_msg_id: 1,
        attachment: None,
    })
    .await;
    let (code, reason) = raw.closed().await;
    assert_eq!(code, close_code::PROTOCOL);
    assert!(reason.contains("Hello"), "{reason}");

    let mut raw = Raw::connect(&server).await;
    raw.send_bytes(&[0, 0, 0, 2, 0xee, 0xee]).await;
    let (code, reason) = raw.closed().await;
    assert_eq!(code, close_code::PROTOCOL);
    assert!(reason.contains("Hello"), "{reason}");
    assert_eq!(server_still_works(&server, "after_sneaky").await, vec!["after_sneaky"]);
}

#[tokio::test]
async fn a_second_hello_is_refused_without_ending_the_session() {
    let server = TestServer::start();
    let mut raw = Raw::login(&server, "twice").await;
    raw.send_msg(&ClientMsg::Hello { version: PROTOCOL_VERSION, name: "someone_else".into() }).await;
    assert_eq!(raw.next_error().await, ErrorCode::Protocol);
    assert_eq!(raw.still_served().await, vec!["twice"], "the second Hello must not rename or add anyone");
}

#[tokio::test]
async fn a_client_that_never_says_hello_is_closed() {
    let server = TestServer::start_with(&["--hello-timeout-secs", "1"]);
    // One opens its stream but sends nothing; one sends half a frame.
    let silent = Raw::connect(&server).await;
    let mut partial = Raw::connect(&server).await;
    partial.send_bytes(&[0, 0, 0, 40, 0]).await;
    for raw in [&silent, &partial] {
        let (code, reason) = raw.closed().await;
        assert_eq!(code, close_code::PROTOCOL);
        assert!(reason.contains("no Hello within 1 s"), "{reason}");
    }
    assert_eq!(server_still_works(&server, "patient").await, vec!["patient"]);
}

#[tokio::test]
async fn an_unsupported_version_is_rejected_with_both_versions() {
    let server = TestServer::start();
    let mut raw = Raw::connect(&server).await;
    raw.send_msg(&ClientMsg::Hello { version: 99, name: "future".into() }).await;
    match raw.next_reply().await {
        ServerMsg::Rejected(rejection) => {
            assert_eq!(rejection, Rejection::UnsupportedVersion { server: PROTOCOL_VERSION, client: 99 })
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    let (code, _reason) = raw.closed().await;
    assert_eq!(code, close_code::REJECTED);
}

/// A frame with a valid length and random contents, sometimes cut short.
fn random_frame(rng: &mut SmallRng) -> Vec<u8> {
    let len = rng.random_range(0..120usize);
    let mut frame = (len as u32).to_be_bytes().to_vec();
    // Mostly start with a real variant tag so the decoder gets past the first byte.
    let mut body: Vec<u8> = (0..len).map(|_| rng.random()).collect();
    if let Some(first) = body.first_mut() {
        *first = rng.random_range(0..10);
    }
    frame.extend_from_slice(&body);
    frame
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_random_frames_do_not_disturb_other_clients() {
    let server = TestServer::start_with(&["--rate-limit-per-sec", "100000", "--rate-limit-burst", "100000"]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let Raw { _endpoint, connection: _attacker_connection, send: mut attack, replies } =
        Raw::login(&server, "attacker").await;
    // Read (and ignore) whatever the attacker is sent, so it is never "too slow".
    let drain = tokio::spawn(replies.for_each(|_| async {}));

    let mut rng = SmallRng::seed_from_u64(20261122);
    const ROUNDS: usize = 50;
    const FRAMES_PER_ROUND: usize = 60;
    for round in 0..ROUNDS {
        let mut burst = Vec::new();
        for _ in 0..FRAMES_PER_ROUND {
            burst.extend(random_frame(&mut rng));
        }
        attack.write_all(&burst).await.expect("the attacker may keep writing");
        alice.client.say("lobby", &format!("calm message {round}")).await.unwrap();
    }
    // Finally half a frame, and the attacker goes away mid-frame.
    attack.write_all(&[0, 0, 0, 50, 1, 2, 3]).await.unwrap();
    let _ = attack.finish();

    // bob saw exactly alice's messages, in order, without gaps, and nothing odd.
    let mut received = Vec::new();
    while received.len() < ROUNDS {
        let event =
            tokio::time::timeout(WAIT, bob.events.recv()).await.expect("bob's messages stopped").unwrap();
        match event {
            Event::Server(ServerMsg::Message(m)) if m.room == "lobby" => received.push(m),
            // The lobby's history after login, empty on a new server.
            Event::Server(ServerMsg::History(page)) if page.messages.is_empty() => {}
            Event::Server(other) => panic!("bob got an unexpected reply: {other:?}"),
            Event::Closed(reason) => panic!("bob was disconnected: {reason}"),
            Event::Presence(_) => {}
        }
    }
    let texts: Vec<String> = received.iter().map(|m| format!("{}: {}", m.from, m.text)).collect();
    let expected: Vec<String> = (0..ROUNDS).map(|n| format!("alice: calm message {n}")).collect();
    assert_eq!(texts, expected);
    assert!(received.windows(2).all(|w| w[1].seq == w[0].seq + 1), "sequence gaps");
    for _ in 0..ROUNDS {
        let m = expect_event(&mut alice.events, "alice's echo", |e| match e {
            Event::Server(ServerMsg::Message(m)) => Some(m.clone()),
            Event::Server(ServerMsg::Error(error)) => panic!("alice got an error: {error:?}"),
            _ => None,
        })
        .await;
        assert_eq!(m.from, "alice");
    }

    let _ = tokio::time::timeout(WAIT, drain).await;
    let users = server_still_works(&server, "newcomer").await;
    assert!(users.contains(&"alice".to_string()) && users.contains(&"bob".to_string()), "{users:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_too_slow_to_read_is_disconnected_not_buffered() {
    let server = TestServer::start_with(&[
        "--max-queued-bytes",
        "65536",
        "--rate-limit-per-sec",
        "100000",
        "--rate-limit-burst",
        "100000",
    ]);
    // The slow client never reads its events: the client core stops reading the network once
    // its own small queue is full, like an app that has hung.
    let slow = server.login("sleepy").await;
    let mut talker = server.login("talker").await;
    let text = "y".repeat(1000);
    let deadline = tokio::time::Instant::now() + WAIT;
    for sent in 0.. {
        if slow.client.list_users().await.is_err() {
            break;
        }
        assert!(
            sent < 5000 && tokio::time::Instant::now() < deadline,
            "the slow client was never disconnected"
        );
        // The talker reads its echoes, so only the sleepy client falls behind.
        let id = talker.client.say("lobby", &text).await.unwrap();
        expect_event(&mut talker.events, "the talker's echo", |e| match e {
            Event::Server(ServerMsg::Message(m)) if m.client_msg_id == id => Some(()),
            _ => None,
        })
        .await;
    }
    let mut events = slow.events;
    let reason = expect_event(&mut events, "the too-slow disconnect", |e| match e {
        Event::Closed(reason) => Some(reason.clone()),
        _ => None,
    })
    .await;
    match reason {
        Disconnect::ByServer { code, reason } => {
            assert_eq!(code, close_code::TOO_SLOW);
            assert!(reason.contains("too slow"), "{reason}");
        }
        other => panic!("expected a close by the server, got {other:?}"),
    }
    let users = server_still_works(&server, "awake").await;
    assert_eq!(users, vec!["awake", "talker"]);
}

#[tokio::test]
async fn bad_input_from_a_logged_in_client_gets_typed_errors() {
    let server = TestServer::start();
    let mut bob = server.login("bob").await;
    let mut eve = server.login("eve").await;
    let cases: Vec<(ClientMsg, ErrorCode)> = vec![
        (
            ClientMsg::Say { room: "lobby".into(), text: String::new(), client_msg_id: 1, attachment: None },
            ErrorCode::Empty,
        ),
        (
            ClientMsg::Say {
                room: "lobby".into(),
                text: " \n\t ".into(),
                client_msg_id: 2,
                attachment: None,
            },
            ErrorCode::Empty,
        ),
        (
            ClientMsg::Say {
                room: "lobby".into(),
                text: "bell\u{7}".into(),
                client_msg_id: 3,
                attachment: None,
            },
            ErrorCode::InvalidText,
        ),
        (
            ClientMsg::Say {
                room: "lobby".into(),
                text: "x".repeat(2001),
                client_msg_id: 4,
                attachment: None,
            },
            ErrorCode::TooLong,
        ),
        (
            ClientMsg::Say { room: "no room!".into(), text: "hi".into(), client_msg_id: 5, attachment: None },
            ErrorCode::InvalidRoom,
        ),
        (
            ClientMsg::Direct { to: "bob".into(), text: String::new(), client_msg_id: 6, attachment: None },
            ErrorCode::Empty,
        ),
        (
            ClientMsg::Direct { to: "b o b".into(), text: "hi".into(), client_msg_id: 7, attachment: None },
            ErrorCode::InvalidName,
        ),
        (ClientMsg::Join { room: String::new(), topic: None }, ErrorCode::InvalidRoom),
        (ClientMsg::Join { room: "r".repeat(65), topic: None }, ErrorCode::InvalidRoom),
        (ClientMsg::Join { room: "topical".into(), topic: Some("t".repeat(201)) }, ErrorCode::TopicTooLong),
        (
            ClientMsg::Join { room: "topical".into(), topic: Some("line\nbreak".into()) },
            ErrorCode::InvalidText,
        ),
        (ClientMsg::Leave { room: "#".into() }, ErrorCode::InvalidRoom),
        (ClientMsg::Nick { name: String::new() }, ErrorCode::InvalidName),
    ];
    for (msg, code) in cases {
        let client_msg_id = match &msg {
            ClientMsg::Say { client_msg_id, .. } | ClientMsg::Direct { client_msg_id, .. } => {
                Some(*client_msg_id)
            }
            _ => None,
        };
        let shown = format!("{msg:?}");
        eve.client.send(msg).await.unwrap();
        let error = expect_event(&mut eve.events, "the error reply", |e| match e {
            Event::Server(ServerMsg::Error(error)) => Some(error.clone()),
            // The lobby's history after login, empty on a new server.
            Event::Server(ServerMsg::History(page)) if page.messages.is_empty() => None,
            Event::Server(other) => panic!("{shown}: expected an error, got {other:?}"),
            _ => None,
        })
        .await;
        assert_eq!((error.code, error.client_msg_id), (code, client_msg_id), "{shown}: {}", error.message);
        assert!(!error.message.is_empty() && !error.message.ends_with('.'), "{}", error.message);
    }
    // None of it reached bob, and no room was created by the refused joins.
    eve.client.say("lobby", "eve's marker").await.unwrap();
    expect_before(
        &mut bob.events,
        "eve's marker",
        |e| matches!(e, Event::Server(ServerMsg::Message(m)) if m.text == "eve's marker"),
        |e| {
            matches!(e, Event::Server(_))
                && !matches!(e, Event::Server(ServerMsg::Message(_)))
                // bob's own lobby history after login, empty on a new server.
                && !matches!(e, Event::Server(ServerMsg::History(page)) if page.messages.is_empty())
        },
    )
    .await;
    eve.client.list_rooms().await.unwrap();
    let rooms = expect_event(&mut eve.events, "the room list", |e| match e {
        Event::Server(ServerMsg::Rooms { rooms, .. }) => {
            Some(rooms.iter().map(|r| r.name.clone()).collect::<Vec<_>>())
        }
        _ => None,
    })
    .await;
    assert_eq!(rooms, vec!["lobby"]);
}

#[tokio::test]
async fn room_caps_per_user_and_per_server_are_enforced() {
    let server = TestServer::start_with(&["--max-rooms-per-user", "3", "--max-rooms", "4"]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    // The lobby counts for alice: two more rooms fit, a third does not.
    for room in ["one", "two", "three"] {
        alice.client.join(room, None).await.unwrap();
    }
    let error = expect_event(&mut alice.events, "the per-user refusal", |e| match e {
        Event::Server(ServerMsg::Error(error)) => Some(error.clone()),
        _ => None,
    })
    .await;
    assert_eq!(error.code, ErrorCode::TooManyRooms);
    assert!(error.message.contains('3'), "{}", error.message);
    // lobby, one, two and now three (bob's) make four: a fifth room is refused.
    bob.client.join("three", None).await.unwrap();
    bob.client.join("four", None).await.unwrap();
    let error = expect_event(&mut bob.events, "the server-wide refusal", |e| match e {
        Event::Server(ServerMsg::Error(error)) => Some(error.clone()),
        _ => None,
    })
    .await;
    assert_eq!(error.code, ErrorCode::TooManyRooms);
    assert!(error.message.contains("4 rooms"), "{}", error.message);
}

#[tokio::test]
async fn a_full_server_rejects_the_next_login() {
    let server = TestServer::start_with(&["--max-clients", "1"]);
    let only = server.login("only").await;
    let refused = connect(&ConnectOptions::new(&server.addr, "extra", server.trust())).await;
    assert!(matches!(refused, Err(ConnectError::ServerFull)), "{:?}", refused.err());
    only.client.quit().await;
    // A place is free again once the first user has left.
    let mut retry = None;
    for _ in 0..50 {
        match connect(&ConnectOptions::new(&server.addr, "extra", server.trust())).await {
            Ok(connected) => {
                retry = Some(connected);
                break;
            }
            Err(ConnectError::ServerFull) => tokio::task::yield_now().await,
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!(retry.expect("a place came free").welcome.users, vec!["extra"]);
}
