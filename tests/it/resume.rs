//! Resuming: clients whose server was killed and restarted reconnect by themselves, receive
//! what they missed once and in order, and re-send what was not confirmed without posting
//! anything twice.

use std::time::Duration;

use anseo_shared::client::{
    Addressee, Carried, CarriedSend, ChatEvent, ConnectOptions, Event, Presence, PresenceChange, Quic,
    Resilient, ResumeOptions, connect_resilient, connect_resilient_carrying,
};
use anseo_shared::protocol::{ClientMsg, ErrorCode, RoomMessage, ServerMsg};
use tokio::sync::mpsc::Receiver;

use crate::support::{Cli, Impairment, Relay, TestServer, WAIT, expect_event};

/// A short idle timeout, so clients notice a killed server within 2 s.
const QUICK: &[&str] =
    &["--idle-timeout-secs", "2", "--rate-limit-burst", "100000", "--rate-limit-per-sec", "100000"];

async fn resilient(server: &TestServer, name: &str) -> (Resilient, Receiver<ChatEvent>) {
    let connect = ConnectOptions::new(&server.addr, name, server.trust());
    let options = ResumeOptions { connect, reconnect_after_shutdown: true };
    let (client, _welcome, events) = connect_resilient(options).await.expect("login");
    (client, events)
}

/// Kills `server` and starts it again on the same address and data.
fn kill_and_restart(server: TestServer) -> TestServer {
    let addr = server.addr.clone();
    let dir = server.kill();
    TestServer::start_at(dir, &addr, QUICK)
}

/// Collects `from`'s lobby messages until the one with text `last`, failing on anything odd.
async fn messages_until(events: &mut Receiver<ChatEvent>, from: &str, last: &str) -> (Vec<RoomMessage>, u32) {
    let mut messages = Vec::new();
    let mut resumed = 0;
    loop {
        let event =
            tokio::time::timeout(WAIT * 3, events.recv()).await.expect("events stopped").expect("open");
        match event {
            ChatEvent::Message { message, .. } if message.from == from => {
                let done = message.text == last;
                messages.push(message);
                if done {
                    return (messages, resumed);
                }
            }
            ChatEvent::Resumed { .. } => resumed += 1,
            ChatEvent::Closed(reason) => panic!("the session ended: {reason}"),
            _ => {}
        }
    }
}

#[tokio::test]
async fn after_a_sigkill_restart_every_message_arrives_once_in_order() {
    let server = TestServer::start_with(QUICK);
    let (alice, mut alice_events) = resilient(&server, "alice").await;
    // Alice reads all along, as an app would: a caller that stops reading stops its session.
    let alice_reads = tokio::spawn(async move { messages_until(&mut alice_events, "alice", "m200").await });
    let (_bob, mut bob_events) = resilient(&server, "bob").await;
    for i in 1..=100 {
        alice.say("lobby", &format!("m{i}")).await.unwrap();
    }
    // Bob has seen part of it when the server dies.
    let (before, _) = messages_until(&mut bob_events, "alice", "m50").await;
    assert_eq!(before.len(), 50);
    let server = kill_and_restart(server);
    // Sent while the server is gone or just back: kept in alice's outbox and re-sent.
    for i in 101..=200 {
        alice.say("lobby", &format!("m{i}")).await.unwrap();
    }

    let (after, resumed) = messages_until(&mut bob_events, "alice", "m200").await;
    if resumed == 0 {
        // Everything came in the catch-up: the resume notice follows the missed messages.
        expect_event(&mut bob_events, "bob's resume", |e| {
            matches!(e, ChatEvent::Resumed { .. }).then_some(())
        })
        .await;
    }
    let texts: Vec<String> = before.iter().chain(&after).map(|m| m.text.clone()).collect();
    let expected: Vec<String> = (1..=200).map(|i| format!("m{i}")).collect();
    assert_eq!(texts, expected, "every message once, in order");
    let (own, _) = alice_reads.await.expect("alice's events");
    let mut confirmed: Vec<u64> = own.iter().map(|m| m.client_msg_id).collect();
    confirmed.sort_unstable();
    confirmed.dedup();
    assert_eq!(confirmed, (1..=200).collect::<Vec<u64>>(), "alice saw every message confirmed");

    // The store holds each message once.
    let mut reader = server.login("reader").await;
    reader.client.history("lobby", None, 200).await.unwrap();
    let count = expect_event(&mut reader.events, "the history", |e| match e {
        Event::Server(ServerMsg::History(page)) if page.messages.len() > 50 => {
            Some(page.messages.iter().filter(|m| m.from == "alice").count())
        }
        _ => None,
    })
    .await;
    assert_eq!(count, 200, "alice's messages are stored exactly once each");
}

#[tokio::test]
async fn the_terminal_client_says_reconnecting_and_resumed() {
    let server = TestServer::start_with(QUICK);
    let mut cli = Cli::login(&server, "dora").await;
    let server = kill_and_restart(server);
    let mut carol = server.login("carol").await;
    carol.client.say("lobby", "while you were away").await.unwrap();
    expect_event(&mut carol.events, "carol's echo", |e| match e {
        Event::Server(ServerMsg::Message(_)) => Some(()),
        _ => None,
    })
    .await;

    let seen = cli.json_until("the resume", |v| v["type"] == "resumed").await;
    let kinds: Vec<&str> =
        seen.iter().filter_map(|v| v["type"].as_str()).filter(|t| *t != "presence").collect();
    assert_eq!(kinds.first(), Some(&"reconnecting"), "{seen:?}");
    let missed: Vec<_> = seen.iter().filter(|v| v["type"] == "message").collect();
    assert_eq!(missed.len(), 1, "{seen:?}");
    assert_eq!(
        (missed[0]["from"].clone(), missed[0]["text"].clone()),
        ("carol".into(), "while you were away".into())
    );
    assert_eq!(seen.last().unwrap()["missed"], 1);

    cli.send("back again").await;
    let echo = expect_event(&mut carol.events, "dora's message", |e| match e {
        Event::Server(ServerMsg::Message(m)) if m.from == "dora" => Some(m.text.clone()),
        _ => None,
    })
    .await;
    assert_eq!(echo, "back again");
}

/// A client whose address changes (QUIC connection migration) keeps its session: no
/// reconnect, nothing missed, and what it sends still arrives.
#[tokio::test]
async fn a_client_that_changes_address_keeps_its_session() {
    let server = TestServer::start_with(QUICK);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let before = alice.client.local_addr().unwrap();
    alice.client.rebind(std::net::UdpSocket::bind("127.0.0.1:0").unwrap()).unwrap();
    let after = alice.client.local_addr().unwrap();
    assert_ne!(before.port(), after.port());

    for i in 1..=20 {
        bob.client.say("lobby", &format!("b{i}")).await.unwrap();
    }
    alice.client.say("lobby", "from my new address").await.unwrap();
    let mut received = Vec::new();
    while received.len() < 21 {
        let event = tokio::time::timeout(WAIT, alice.events.recv()).await.expect("alice's events").unwrap();
        match event {
            Event::Server(ServerMsg::Message(m)) => received.push(m.text),
            Event::Closed(reason) => panic!("alice's session ended: {reason}"),
            _ => {}
        }
    }
    let from_bob: Vec<String> = received.iter().filter(|t| t.starts_with('b')).cloned().collect();
    assert_eq!(from_bob, (1..=20).map(|i| format!("b{i}")).collect::<Vec<_>>());
    let heard = expect_event(&mut bob.events, "alice's message", |e| match e {
        Event::Server(ServerMsg::Message(m)) if m.from == "alice" => Some(m.text.clone()),
        _ => None,
    })
    .await;
    assert_eq!(heard, "from my new address");
}

/// A client whose link is dead for 10 s while others chat gets everything once and in order
/// when it comes back, and what it typed meanwhile arrives once.
#[tokio::test]
async fn a_client_cut_off_for_ten_seconds_misses_nothing() {
    let server = TestServer::start_with(&["--rate-limit-burst", "1000", "--rate-limit-per-sec", "1000"]);
    let relay = Relay::start(&server.addr, Impairment::NONE, 7).await;
    let connect = ConnectOptions::new(&relay.addr, "carol", server.trust());
    let options = ResumeOptions { connect, reconnect_after_shutdown: true };
    let (carol, _welcome, mut carol_events) = connect_resilient(options).await.expect("carol's login");
    let mut alice = server.login("alice").await;
    let bob = server.login("bob").await;

    relay.set_cut(true);
    for i in 1..=20 {
        let speaker = if i % 2 == 0 { &bob } else { &alice };
        speaker.client.say("lobby", &format!("while cut {i}")).await.unwrap();
        if i == 10 {
            for j in 1..=3 {
                carol.say("lobby", &format!("typed while cut {j}")).await.unwrap();
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    relay.set_cut(false);

    let mut texts = Vec::new();
    while texts.len() < 23 {
        let event =
            tokio::time::timeout(WAIT * 3, carol_events.recv()).await.expect("carol's events").unwrap();
        match event {
            ChatEvent::Message { message, .. } => texts.push(message.text),
            ChatEvent::Closed(reason) => panic!("carol's session ended: {reason}"),
            _ => {}
        }
    }
    let others: Vec<String> = texts.iter().filter(|t| t.starts_with("while cut")).cloned().collect();
    assert_eq!(others, (1..=20).map(|i| format!("while cut {i}")).collect::<Vec<_>>());
    let own: Vec<String> = texts.iter().filter(|t| t.starts_with("typed")).cloned().collect();
    assert_eq!(own, ["typed while cut 1", "typed while cut 2", "typed while cut 3"]);
    let mut heard = Vec::new();
    while heard.len() < 3 {
        let event =
            tokio::time::timeout(WAIT * 3, alice.events.recv()).await.expect("alice's events").unwrap();
        if let Event::Server(ServerMsg::Message(m)) = event
            && m.from == "carol"
        {
            heard.push(m.text);
        }
    }
    assert_eq!(heard, own, "alice got carol's messages once each, in order");
    alice.client.say("lobby", "after").await.unwrap();
    let next = expect_event(&mut alice.events, "alice's echo", |e| match e {
        Event::Server(ServerMsg::Message(m)) => Some(m.clone()),
        _ => None,
    })
    .await;
    assert_eq!((next.text.as_str(), next.seq), ("after", 24), "nothing was posted twice");
}

/// The burst: 3 senders, 5,100 messages, the server SIGKILLed in the middle and
/// restarted on the same data. Every client ends up with each message exactly once, in order,
/// and the store holds each exactly once.
#[tokio::test]
async fn a_burst_from_three_senders_survives_a_sigkill_exactly_once_for_everyone() {
    const PER_SENDER: u32 = 1700;
    const TOTAL: usize = 3 * PER_SENDER as usize;
    let server = TestServer::start_with(QUICK);
    let mut collectors = Vec::new();
    let mut senders = Vec::new();
    let mut handles = Vec::new();
    let mut clients = Vec::new();
    for name in ["ann", "ben", "cat", "dee"] {
        let (client, events) = resilient(&server, name).await;
        // Each client reads all along, as an app would, so confirmations keep flowing.
        collectors.push(tokio::spawn(collect(name, events, TOTAL)));
        clients.push((name, client));
    }
    for (name, client) in clients {
        // A session ends when its last handle goes.
        handles.push(client.clone());
        if name != "dee" {
            senders.push(tokio::spawn(async move {
                for i in 1..=PER_SENDER {
                    client.say("lobby", &format!("{name} {i}")).await.expect("send");
                }
                client
            }));
        }
    }
    let mut listener = server.login("listener").await;
    expect_event(&mut listener.events, "message 1000", |e| match e {
        Event::Server(ServerMsg::Message(m)) if m.seq >= 1000 => Some(()),
        _ => None,
    })
    .await;
    drop(listener);
    let server = kill_and_restart(server);

    for collector in collectors {
        let Ok((name, seen)) = collector.await else {
            panic!("a client stalled; server log:\n{}", server.log());
        };
        let seqs: Vec<u64> = seen.iter().map(|m| m.seq).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{name} saw messages out of order");
        let mut texts: Vec<&str> = seen.iter().map(|m| m.text.as_str()).collect();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), TOTAL, "{name} saw a message twice");
        for sender in ["ann", "ben", "cat"] {
            let own: Vec<u32> = seen
                .iter()
                .filter(|m| m.from == sender)
                .map(|m| m.text.rsplit(' ').next().unwrap().parse().unwrap())
                .collect();
            assert_eq!(own, (1..=PER_SENDER).collect::<Vec<_>>(), "{name}: {sender}'s messages in order");
        }
    }
    for sender in senders {
        sender.await.expect("sender").quit().await;
    }

    let mut reader = server.login("reader").await;
    let mut stored = next_history_page(&mut reader).await;
    while let Some(first) = stored.first().filter(|m| m.seq > 1) {
        reader.client.history("lobby", Some(first.seq), 200).await.unwrap();
        let older = next_history_page(&mut reader).await;
        assert!(!older.is_empty(), "an empty page before {}", first.seq);
        stored.splice(0..0, older);
    }
    assert_eq!(stored.len(), TOTAL, "the store holds each message exactly once");
}

/// Every room message `events` brings until there are `total`.
async fn collect(
    name: &'static str,
    mut events: Receiver<ChatEvent>,
    total: usize,
) -> (&'static str, Vec<RoomMessage>) {
    let mut seen = Vec::new();
    let mut notes = Vec::new();
    while seen.len() < total {
        let event = tokio::time::timeout(WAIT * 3, events.recv())
            .await
            .unwrap_or_else(|_| panic!("{name} stopped at {} messages; {notes:?}", seen.len()))
            .expect("open");
        match event {
            ChatEvent::Message { message, .. } => seen.push(message),
            ChatEvent::Closed(reason) => panic!("{name}'s session ended: {reason}"),
            ChatEvent::Reconnecting { attempt } => {
                notes.push(format!("reconnecting {attempt} at {}", seen.len()))
            }
            ChatEvent::Resumed { missed, .. } => notes.push(format!("resumed {missed} at {}", seen.len())),
            error @ (ChatEvent::Refused { .. } | ChatEvent::CommandFailed { .. }) => {
                notes.push(format!("error {error:?}"))
            }
            _ => {}
        }
    }
    (name, seen)
}

async fn next_history_page(client: &mut anseo_shared::client::Connected) -> Vec<RoomMessage> {
    expect_event(&mut client.events, "a history page", |e| match e {
        Event::Server(ServerMsg::History(page)) => Some(page.messages.clone()),
        _ => None,
    })
    .await
}

async fn with_instance(server: &TestServer, name: &str, instance: u64) -> anseo_shared::client::Connected {
    let mut options = ConnectOptions::new(&server.addr, name, server.trust());
    options.instance = Some(instance);
    anseo_shared::client::connect(&options).await.expect("login")
}

async fn say_raw(client: &mut anseo_shared::client::Connected, text: &str, client_msg_id: u64) -> ServerMsg {
    let message = ClientMsg::Say { room: "lobby".into(), text: text.into(), client_msg_id, attachment: None };
    client.client.send(message).await.unwrap();
    expect_event(&mut client.events, "the answer", |e| match e {
        Event::Server(answer @ (ServerMsg::Message(_) | ServerMsg::Error(_))) => Some(answer.clone()),
        _ => None,
    })
    .await
}

/// The server recognises a message re-sent by the same client instance, also after a
/// restart, and does not post it twice.
#[tokio::test]
async fn a_resent_message_is_recognised_and_not_posted_twice() {
    let mut server = TestServer::start();
    let mut zed = with_instance(&server, "zed", 4242).await;
    assert!(matches!(say_raw(&mut zed, "once", 7).await, ServerMsg::Message(m) if m.text == "once"));
    let again = say_raw(&mut zed, "once", 7).await;
    assert!(
        matches!(&again, ServerMsg::Error(e) if e.code == ErrorCode::AlreadyPosted && e.client_msg_id == Some(7)),
        "{again:?}"
    );
    zed.client.quit().await;
    assert!(server.terminate().success());

    let server = TestServer::start_in(server.kill(), &[]);
    let mut zed = with_instance(&server, "zed", 4242).await;
    let after_restart = say_raw(&mut zed, "once", 7).await;
    assert!(
        matches!(&after_restart, ServerMsg::Error(e) if e.code == ErrorCode::AlreadyPosted),
        "{after_restart:?}"
    );
    assert!(matches!(say_raw(&mut zed, "twice?", 8).await, ServerMsg::Message(m) if m.seq == 2));
    // Another client instance with the same ids is a different sender.
    let mut other = with_instance(&server, "yan", 1).await;
    assert!(matches!(say_raw(&mut other, "mine", 7).await, ServerMsg::Message(_)));
}

/// A client rejoining while the server still holds its old session (a drop not noticed yet)
/// replaces that session; anyone else asking for the name is still refused.
#[tokio::test]
async fn a_rejoin_replaces_the_clients_own_stale_session() {
    let server = TestServer::start();
    let mut old = with_instance(&server, "zoe", 99).await;
    let _new = with_instance(&server, "zoe", 99).await;
    let closed = expect_event(&mut old.events, "the old session's end", |e| match e {
        Event::Closed(reason) => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert!(closed.to_string().contains("replaced by a new connection"), "{closed}");
    let mut options = ConnectOptions::new(&server.addr, "zoe", server.trust());
    options.instance = Some(100);
    let refused =
        anseo_shared::client::connect(&options).await.err().expect("a different instance is refused");
    assert!(matches!(refused, anseo_shared::client::ConnectError::NameTaken(_)), "{refused:?}");
}

/// A client that was away learns each room's members as they are now: who joined and who left
/// meanwhile, not its old list.
#[tokio::test]
async fn a_resumed_client_gets_the_members_of_the_rooms_it_rejoined() {
    let server = TestServer::start_with(QUICK);
    let relay = Relay::start(&server.addr, Impairment::NONE, 11).await;
    let connect = ConnectOptions::new(&relay.addr, "carol", server.trust());
    let options = ResumeOptions { connect, reconnect_after_shutdown: true };
    let (carol, _welcome, mut carol_events) = connect_resilient(options).await.expect("carol's login");
    let mut bob = server.login("bob").await;
    carol.join("maths", None).await.unwrap();
    // Carol's join goes through her session and the relay, bob's straight to the server: wait
    // for hers, or the cut may lose it in flight.
    expect_event(&mut carol_events, "carol in maths", |e| match e {
        ChatEvent::Joined { room, .. } if room.name == "maths" => Some(()),
        _ => None,
    })
    .await;
    bob.client.join("maths", None).await.unwrap();
    expect_event(&mut carol_events, "bob in maths", |e| joined(e, "maths", "bob")).await;

    relay.set_cut(true);
    expect_event(&mut carol_events, "carol's reconnecting", |e| {
        matches!(e, ChatEvent::Reconnecting { .. }).then_some(())
    })
    .await;
    bob.client.leave("maths").await.unwrap();
    let dave = server.login("dave").await;
    dave.client.join("maths", None).await.unwrap();
    expect_event(&mut bob.events, "dave in maths", |e| joined_raw(e, "maths", "dave")).await;
    relay.set_cut(false);

    let members = expect_event(&mut carol_events, "carol's resume", |e| match e {
        ChatEvent::Resumed { members, .. } => Some(members.clone()),
        _ => None,
    })
    .await;
    assert_eq!(members.get("maths"), Some(&vec!["carol".to_string(), "dave".to_string()]));
    assert!(!members.contains_key("lobby"), "the lobby's members come with the Welcome");
}

/// `Some` for the presence event "`user` joined `room`", as a resilient session tells it.
fn joined(event: &ChatEvent, room: &str, user: &str) -> Option<()> {
    let ChatEvent::Presence(Presence { change: PresenceChange::JoinedRoom { room: r, user: u, .. }, .. }) =
        event
    else {
        return None;
    };
    (r == room && u == user).then_some(())
}

/// `Some` for the presence event "`user` joined `room`", as the raw client reads it.
fn joined_raw(event: &Event, room: &str, user: &str) -> Option<()> {
    let Event::Presence(frame) = event else { return None };
    let anseo_shared::protocol::PresenceEvent::Joined { room: r, user: u, .. } = &frame.event else {
        return None;
    };
    (r == room && u == user).then_some(())
}

#[tokio::test]
async fn a_client_of_a_killed_server_notices_the_restart_before_its_idle_timeout() {
    // Default settings: a 30 s idle timeout, keep-alives every 10 s.
    let server = TestServer::start();
    let connect = ConnectOptions::new(&server.addr, "alice", server.trust());
    let options = ResumeOptions { connect, reconnect_after_shutdown: true };
    let (_alice, _welcome, mut events) = connect_resilient(options).await.expect("login");
    let addr = server.addr.clone();
    let dir = server.kill();
    let _server = TestServer::start_at(dir, &addr, &[]);
    // The restarted server answers the old connection's next packet (a keep-alive within
    // 10 s) with a stateless reset: it knows the connection IDs' key and the reset key.
    let resumed = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(event) = events.recv().await {
            if matches!(event, ChatEvent::Resumed { .. }) {
                return true;
            }
        }
        false
    })
    .await;
    // Without the reset it would wait out the 30 s idle timeout.
    assert_eq!(resumed, Ok(true), "no resume within 20 s of the restart");
}

/// A later session on the same device carries on from an earlier one: what that one left
/// unconfirmed is sent again as the same instance with the same ids, so the server posts
/// what it had not taken and says it already posted the rest; new sends get later ids.
#[tokio::test]
async fn a_later_session_sends_what_an_earlier_one_left_unconfirmed_once() {
    let server = TestServer::start();
    let mut tess = Cli::login(&server, "tess").await;
    let options = || {
        let connect = ConnectOptions::new(&server.addr, "zoe", server.trust());
        ResumeOptions { connect, reconnect_after_shutdown: true }
    };
    // The first session: "one" is posted, then the session ends (as a reloaded tab's does)
    // before its confirmation is noted anywhere.
    let first = Carried { instance: 5150, next_id: 1, unsent: vec![] };
    let (zoe, _, mut events) =
        connect_resilient_carrying::<Quic>(options(), Some(first)).await.expect("login");
    zoe.say("lobby", "one").await.expect("say");
    expect_chat(&mut events, |e| matches!(e, ChatEvent::Message { confirms: Some(1), .. })).await;
    zoe.quit().await;
    drop(events);

    // The next session carries "one" (posted) and "two" (never sent).
    let lobby = |text: &str| CarriedSend {
        client_msg_id: 0,
        to: Addressee::Room("lobby".into()),
        text: text.into(),
        attachment: None,
    };
    let unsent = vec![
        CarriedSend { client_msg_id: 1, ..lobby("one") },
        CarriedSend { client_msg_id: 2, ..lobby("two") },
    ];
    let carried = Carried { instance: 5150, next_id: 2, unsent };
    let (zoe, _, mut events) =
        connect_resilient_carrying::<Quic>(options(), Some(carried)).await.expect("login");
    // What the session says of zoe's sends, in order: both on their way, "one" posted
    // already, "two" posted now.
    let mut said = Vec::new();
    while said.last() != Some(&"posted 2".to_string()) {
        said.extend(match expect_chat(&mut events, |_| true).await {
            ChatEvent::Sending { client_msg_id, text, .. } => Some(format!("sending {client_msg_id} {text}")),
            ChatEvent::AlreadyPosted { client_msg_id } => Some(format!("already posted {client_msg_id}")),
            ChatEvent::Message { confirms: Some(id), .. } => Some(format!("posted {id}")),
            _ => None,
        });
    }
    assert_eq!(said, ["sending 1 one", "sending 2 two", "already posted 1", "posted 2"]);
    zoe.say("lobby", "three").await.expect("say");
    let three = expect_chat(&mut events, |e| matches!(e, ChatEvent::Sending { .. })).await;
    assert!(
        matches!(three, ChatEvent::Sending { client_msg_id: 3, .. }),
        "a new send gets the next id: {three:?}"
    );

    let mut seen = Vec::new();
    while seen.len() < 3 {
        let message =
            tess.expect_json("zoe's messages", |v| (v["from"] == "zoe").then(|| v["text"].clone())).await;
        seen.push(message.as_str().unwrap_or_default().to_string());
    }
    assert_eq!(seen, ["one", "two", "three"]);
    let carry = zoe.carry(vec![]);
    assert_eq!((carry.instance, carry.next_id), (5150, 4));
}

/// Waits for an event `wanted` accepts, failing if the session ends first.
async fn expect_chat(events: &mut Receiver<ChatEvent>, wanted: impl Fn(&ChatEvent) -> bool) -> ChatEvent {
    loop {
        let event =
            tokio::time::timeout(WAIT, events.recv()).await.expect("no such event in time").expect("open");
        match event {
            ChatEvent::Closed(reason) => panic!("the session ended: {reason}"),
            event if wanted(&event) => return event,
            _ => {}
        }
    }
}
