//! Chat as users meet it, end to end through the client core: unique names, the lobby, rooms,
//! direct messages, nick changes, presence, and a client that vanishes.

use std::time::Duration;

use anseo_shared::client::{ConnectError, ConnectOptions, Connected, Event, connect};
use anseo_shared::protocol::{
    ClientMsg, DirectMessage, ErrorCode, ErrorReply, PresenceEvent, PresenceFrame, RoomInfo, RoomMessage,
    ServerMsg,
};
use tokio::sync::mpsc::Receiver;

use crate::support::{TestServer, expect_before, expect_event};

async fn next_message(events: &mut Receiver<Event>, what: &str) -> RoomMessage {
    expect_event(events, what, |e| match e {
        Event::Server(ServerMsg::Message(m)) => Some(m.clone()),
        _ => None,
    })
    .await
}

async fn next_direct(events: &mut Receiver<Event>, what: &str) -> DirectMessage {
    expect_event(events, what, |e| match e {
        Event::Server(ServerMsg::Direct(m)) => Some(m.clone()),
        _ => None,
    })
    .await
}

async fn next_error(events: &mut Receiver<Event>, what: &str) -> ErrorReply {
    expect_event(events, what, |e| match e {
        Event::Server(ServerMsg::Error(error)) => Some(error.clone()),
        _ => None,
    })
    .await
}

/// The next presence frame that `client`'s Welcome did not already reflect.
async fn next_presence(client: &mut Connected, what: &str) -> PresenceFrame {
    let reflected = client.welcome.presence_seq;
    expect_event(&mut client.events, what, |e| match e {
        Event::Presence(frame) if frame.seq > reflected => Some(frame.clone()),
        _ => None,
    })
    .await
}

/// Waits for the Joined reply to this client's join of `room`.
async fn joined(events: &mut Receiver<Event>, room: &str) -> (RoomInfo, Vec<String>) {
    expect_event(events, &format!("the reply to joining {room}"), |e| match e {
        Event::Server(ServerMsg::Joined { room: info, members, .. }) if info.name == room => {
            Some((info.clone(), members.clone()))
        }
        _ => None,
    })
    .await
}

async fn rooms(client: &mut Connected) -> Vec<RoomInfo> {
    client.client.list_rooms().await.unwrap();
    expect_event(&mut client.events, "the room list", |e| match e {
        Event::Server(ServerMsg::Rooms { rooms, .. }) => Some(rooms.clone()),
        _ => None,
    })
    .await
}

async fn users(client: &mut Connected) -> Vec<String> {
    client.client.list_users().await.unwrap();
    expect_event(&mut client.events, "the user list", |e| match e {
        Event::Server(ServerMsg::Users { users, .. }) => Some(users.clone()),
        _ => None,
    })
    .await
}

/// Sends a lobby message from `sender` and waits until `watcher` has it: everything the
/// server queued for `watcher` before it has been delivered by then.
async fn marker(sender: &Connected, watcher: &mut Receiver<Event>, text: &str) {
    sender.client.say("lobby", text).await.unwrap();
    expect_before(
        watcher,
        text,
        |e| matches!(e, Event::Server(ServerMsg::Message(m)) if m.text == text),
        |_| false,
    )
    .await;
}

fn is_message_with(text: &'static str) -> impl FnMut(&Event) -> bool {
    move |e| match e {
        Event::Server(ServerMsg::Message(m)) => m.text == text,
        Event::Server(ServerMsg::Direct(m)) => m.text == text,
        _ => false,
    }
}

#[tokio::test]
async fn a_name_in_use_is_refused_in_any_case_and_another_name_works() {
    let server = TestServer::start();
    let _alice = server.login("Alice").await;
    for taken in ["Alice", "alice", "ALICE"] {
        match connect(&ConnectOptions::new(&server.addr, taken, server.trust())).await {
            Err(ConnectError::NameTaken(name)) => assert_eq!(name, taken),
            Err(other) => panic!("{taken}: expected NameTaken, got {other}"),
            Ok(_) => panic!("{taken}: a second Alice was let in"),
        }
    }
    match connect(&ConnectOptions::new(&server.addr, "no spaces!", server.trust())).await {
        Err(ConnectError::InvalidName(reason)) => assert!(reason.contains("' '"), "{reason}"),
        Err(other) => panic!("expected InvalidName, got {other}"),
        Ok(_) => panic!("an invalid name was let in"),
    }
    let mut retry = server.login("alice2").await;
    assert_eq!(retry.welcome.name, "alice2");
    assert_eq!(retry.welcome.users, vec!["Alice", "alice2"]);
    assert_eq!(users(&mut retry).await, vec!["Alice", "alice2"]);
}

#[tokio::test]
async fn lobby_messages_reach_everyone_with_the_echo_as_confirmation() {
    let server = TestServer::start();
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    assert_eq!(carol.welcome.room, "lobby");
    assert_eq!(carol.welcome.members, vec!["alice", "bob", "carol"]);

    let first = alice.client.say("lobby", "good morning").await.unwrap();
    let second = alice.client.say("lobby", "line two\n\twith a tab").await.unwrap();
    let mut seen = Vec::new();
    for (name, events) in
        [("alice", &mut alice.events), ("bob", &mut bob.events), ("carol", &mut carol.events)]
    {
        let a = next_message(events, &format!("{name}'s first message")).await;
        let b = next_message(events, &format!("{name}'s second message")).await;
        assert_eq!((a.from.as_str(), a.room.as_str(), a.text.as_str()), ("alice", "lobby", "good morning"));
        assert_eq!(b.text, "line two\n\twith a tab");
        assert_eq!(b.seq, a.seq + 1, "{name}: room sequence numbers without gaps");
        assert!(b.id > a.id, "{name}: ids grow");
        assert_eq!((a.client_msg_id, b.client_msg_id), (first, second));
        assert!(a.ts > 0 && b.ts >= a.ts);
        seen.push((a, b));
    }
    // Everyone got the very same messages (same ids, seqs, stamps).
    assert!(seen.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(seen[0].0.seq, 1, "the first message in a fresh lobby");
}

#[tokio::test]
async fn rooms_are_created_joined_listed_and_left_and_outlive_their_members() {
    let server = TestServer::start();
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;

    alice.client.join("games", Some("board games")).await.unwrap();
    let (info, members) = joined(&mut alice.events, "games").await;
    assert_eq!(info, RoomInfo { name: "games".into(), topic: "board games".into(), members: 1 });
    assert_eq!(members, vec!["alice"]);

    // A topic only applies on creation.
    bob.client.join("#games", Some("something else")).await.unwrap();
    let (info, members) = joined(&mut bob.events, "games").await;
    assert_eq!((info.topic.as_str(), info.members), ("board games", 2));
    assert_eq!(members, vec!["alice", "bob"]);

    let listed = rooms(&mut alice).await;
    assert_eq!(
        listed,
        vec![
            RoomInfo { name: "games".into(), topic: "board games".into(), members: 2 },
            RoomInfo { name: "lobby".into(), topic: String::new(), members: 2 },
        ]
    );

    bob.client.leave("games").await.unwrap();
    expect_event(&mut bob.events, "the reply to leaving", |e| match e {
        Event::Server(ServerMsg::Left { room, .. }) if room == "games" => Some(()),
        _ => None,
    })
    .await;
    alice.client.leave("games").await.unwrap();
    let listed = rooms(&mut alice).await;
    let games = listed.iter().find(|r| r.name == "games").expect("an empty room persists");
    assert_eq!(games.members, 0);

    // Leaving again, or a room that never existed, is refused.
    alice.client.leave("games").await.unwrap();
    assert_eq!(next_error(&mut alice.events, "not in room").await.code, ErrorCode::NotInRoom);
    alice.client.leave("nowhere").await.unwrap();
    assert_eq!(next_error(&mut alice.events, "no such room").await.code, ErrorCode::NoSuchRoom);
}

#[tokio::test]
async fn room_messages_never_reach_non_members() {
    let server = TestServer::start();
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    for member in [&mut alice, &mut bob] {
        member.client.join("secret", None).await.unwrap();
        joined(&mut member.events, "secret").await;
    }

    let id = alice.client.say("secret", "for members only").await.unwrap();
    let got = next_message(&mut bob.events, "the room message").await;
    assert_eq!(
        (got.room.as_str(), got.from.as_str(), got.text.as_str()),
        ("secret", "alice", "for members only")
    );
    let echo = next_message(&mut alice.events, "alice's echo").await;
    assert_eq!((echo.client_msg_id, echo.seq), (id, 1));

    // carol sees the later lobby marker but never the room message.
    alice.client.say("lobby", "marker").await.unwrap();
    expect_before(
        &mut carol.events,
        "the lobby marker",
        is_message_with("marker"),
        is_message_with("for members only"),
    )
    .await;

    let refused = carol.client.say("secret", "let me in").await.unwrap();
    let error = next_error(&mut carol.events, "the not-in-room error").await;
    assert_eq!((error.code, error.client_msg_id), (ErrorCode::NotInRoom, Some(refused)));
    carol.client.say("nowhere", "hello?").await.unwrap();
    let error = next_error(&mut carol.events, "the no-such-room error").await;
    assert_eq!(error.code, ErrorCode::NoSuchRoom);
    assert!(error.message.contains("nowhere"), "{}", error.message);
    // Neither attempt reached the members.
    marker(&carol, &mut bob.events, "carol's marker").await;
}

#[tokio::test]
async fn direct_messages_reach_only_the_recipient_and_confirm_to_the_sender() {
    let server = TestServer::start();
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;

    let id = alice.client.direct("BOB", "just between us").await.unwrap();
    let got = next_direct(&mut bob.events, "the direct message").await;
    assert_eq!((got.from.as_str(), got.to.as_str(), got.text.as_str()), ("alice", "bob", "just between us"));
    let copy = next_direct(&mut alice.events, "the sender's copy").await;
    assert_eq!(copy, got);
    assert_eq!(copy.client_msg_id, id);

    alice.client.say("lobby", "marker").await.unwrap();
    expect_before(&mut carol.events, "the lobby marker", is_message_with("marker"), |e| {
        matches!(e, Event::Server(ServerMsg::Direct(_)))
    })
    .await;

    let refused = alice.client.direct("zed", "anyone?").await.unwrap();
    let error = next_error(&mut alice.events, "the no-such-user error").await;
    assert_eq!(error.code, ErrorCode::NoSuchUser);
    assert_eq!(error.client_msg_id, Some(refused));
    assert!(error.message.contains("no user 'zed' is online"), "{}", error.message);
}

#[tokio::test]
async fn nick_changes_are_announced_and_free_the_old_name() {
    let server = TestServer::start();
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;

    alice.client.nick("alicia").await.unwrap();
    let renamed = expect_event(&mut alice.events, "the Renamed reply", |e| match e {
        Event::Server(ServerMsg::Renamed { old, new, .. }) => Some((old.clone(), new.clone())),
        _ => None,
    })
    .await;
    assert_eq!(renamed, ("alice".to_string(), "alicia".to_string()));
    let announced = expect_event(&mut bob.events, "the rename announcement", |e| match e {
        Event::Presence(PresenceFrame { event: PresenceEvent::Renamed { old, new }, .. }) => {
            Some((old.clone(), new.clone()))
        }
        _ => None,
    })
    .await;
    assert_eq!(announced, renamed);

    // Messages now carry the new name; the old name is free for someone else.
    alice.client.say("lobby", "new name").await.unwrap();
    assert_eq!(next_message(&mut bob.events, "the renamed user's message").await.from, "alicia");
    let newcomer = server.login("Alice").await;
    assert_eq!(newcomer.welcome.name, "Alice");
    assert_eq!(users(&mut bob).await, vec!["Alice", "alicia", "bob"]);

    // Taken (in any case) and invalid names are refused.
    bob.client.nick("ALICIA").await.unwrap();
    let error = next_error(&mut bob.events, "the name-taken error").await;
    assert_eq!(error.code, ErrorCode::NameTaken);
    bob.client.send(ClientMsg::Nick { name: "two words".into() }).await.unwrap();
    assert_eq!(next_error(&mut bob.events, "the invalid-name error").await.code, ErrorCode::InvalidName);
    bob.client.send(ClientMsg::Nick { name: "x".repeat(33) }).await.unwrap();
    assert_eq!(next_error(&mut bob.events, "the too-long-name error").await.code, ErrorCode::InvalidName);
    assert_eq!(users(&mut bob).await, vec!["Alice", "alicia", "bob"]);
}

#[tokio::test]
async fn presence_tells_everyone_who_comes_joins_leaves_and_goes() {
    let server = TestServer::start();
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;

    let online = next_presence(&mut alice, "bob online").await;
    assert_eq!(online.event, PresenceEvent::Online { user: "bob".into() });
    let lobby = next_presence(&mut alice, "bob in the lobby").await;
    assert_eq!(
        lobby.event,
        PresenceEvent::Joined { room: "lobby".into(), user: "bob".into(), members: 2, after_seq: 0 }
    );
    assert_eq!(lobby.seq, online.seq + 1);
    assert_eq!(bob.welcome.presence_seq, lobby.seq, "bob's Welcome reflects his own arrival");
    assert_eq!(bob.welcome.users, vec!["alice", "bob"]);
    // bob's own stream starts with his arrival, numbered within what his Welcome reflects.
    let own = expect_event(&mut bob.events, "bob's presence stream", |e| match e {
        Event::Presence(frame) => Some(frame.clone()),
        _ => None,
    })
    .await;
    assert_eq!((own.seq, own.event.clone()), (online.seq, PresenceEvent::Online { user: "bob".into() }));

    bob.client.join("chess", Some("openings")).await.unwrap();
    let created = next_presence(&mut alice, "the new room").await;
    assert_eq!(
        created.event,
        PresenceEvent::RoomCreated {
            room: RoomInfo { name: "chess".into(), topic: "openings".into(), members: 0 }
        }
    );
    let join = next_presence(&mut alice, "bob joining chess").await;
    assert_eq!(
        join.event,
        PresenceEvent::Joined { room: "chess".into(), user: "bob".into(), members: 1, after_seq: 0 }
    );
    bob.client.say("chess", "e4").await.unwrap();
    bob.client.leave("chess").await.unwrap();
    let leave = next_presence(&mut alice, "bob leaving chess").await;
    assert_eq!(
        leave.event,
        PresenceEvent::Left { room: "chess".into(), user: "bob".into(), members: 0, after_seq: 1 }
    );

    bob.client.quit().await;
    let left = next_presence(&mut alice, "bob leaving the lobby").await;
    assert_eq!(
        left.event,
        PresenceEvent::Left { room: "lobby".into(), user: "bob".into(), members: 1, after_seq: 0 }
    );
    let offline = next_presence(&mut alice, "bob offline").await;
    assert_eq!(offline.event, PresenceEvent::Offline { user: "bob".into() });
    // One server-wide sequence, without gaps, in order.
    let seqs = [online.seq, lobby.seq, created.seq, join.seq, leave.seq, left.seq, offline.seq];
    assert_eq!(seqs.to_vec(), (online.seq..online.seq + 7).collect::<Vec<_>>());
    assert_eq!(users(&mut alice).await, vec!["alice"]);
}

/// Logs `name` in on a runtime of its own, then stops that runtime without closing anything:
/// to the server the client has simply vanished (like a phone leaving the Wi-Fi).
fn vanishing_client(server: &TestServer, name: &str) -> Vec<String> {
    let options = ConnectOptions::new(&server.addr, name, server.trust());
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                let connected = runtime.block_on(connect(&options)).expect("the vanishing client logs in");
                let users = connected.welcome.users.clone();
                // Never dropped: dropping would close the connection politely.
                std::mem::forget(connected);
                drop(runtime);
                users
            })
            .join()
            .unwrap()
    })
}

#[tokio::test]
async fn a_vanished_client_is_removed_and_announced() {
    let server = TestServer::start_with(&["--idle-timeout-secs", "2"]);
    let mut alice = server.login("alice").await;
    let users_seen = vanishing_client(&server, "ghost");
    assert_eq!(users_seen, vec!["alice", "ghost"]);
    let started = std::time::Instant::now();

    let left = expect_event(&mut alice.events, "ghost leaving the lobby", |e| match e {
        Event::Presence(PresenceFrame { event: PresenceEvent::Left { user, room, .. }, .. })
            if user == "ghost" =>
        {
            Some(room.clone())
        }
        _ => None,
    })
    .await;
    assert_eq!(left, "lobby");
    let offline = next_presence(&mut alice, "ghost offline").await;
    assert_eq!(offline.event, PresenceEvent::Offline { user: "ghost".into() });
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "removed before the idle timeout: {:?}",
        started.elapsed()
    );

    // The server carries on: the name is free and chat works.
    let mut ghost_again = server.login("ghost").await;
    alice.client.say("lobby", "welcome back").await.unwrap();
    assert_eq!(
        next_message(&mut ghost_again.events, "a message after the vanishing").await.text,
        "welcome back"
    );
    assert!(server.log().contains("ghost left (1 online)"), "{}", server.log());
}
