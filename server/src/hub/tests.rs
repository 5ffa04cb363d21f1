//! The hub and its commands driven without a network: clients are detached outboxes, commands
//! go through [`Command::apply`] as the session would send them, and each test reads back the
//! frames every client was queued, decoded as a client would.

use anseo_shared::protocol::{
    ClientMsg, ErrorCode, FrameCodec, MAX_SERVER_FRAME_LEN, PresenceEvent, PresenceFrame, RoomInfo,
    RoomMessage, SendRate, ServerMsg,
};
use bytes::BytesMut;
use serde::de::DeserializeOwned;
use tokio_util::codec::Decoder;

use super::{ClientId, Hub, HubLimits, RoomCreationLimits};
use crate::cmd::Command;
use crate::outbox::{DetachedReceiver, Outbox, OutboxLimits};
use crate::presence::PresenceReceiver;

fn limits() -> HubLimits {
    HubLimits {
        max_clients: 10,
        max_rooms_per_user: 5,
        max_rooms: 20,
        max_message_chars: 100,
        presence_backlog: 1024,
        send_rate: SendRate { burst: 50, micros_per_send: 100_000 },
        room_creation: RoomCreationLimits { per_name_per_hour: 3, per_address_per_hour: 60 },
        board: anseo_shared::board::BoardLimits {
            max_stroke_points: 5000,
            max_strokes: 2000,
            max_points: 60_000,
        },
    }
}

/// A logged-in client with nothing behind it but its queues.
struct Client {
    id: ClientId,
    chat: DetachedReceiver,
    presence: PresenceReceiver,
}

impl Client {
    /// Everything queued on the chat stream since the last look.
    fn replies(&mut self) -> Vec<ServerMsg> {
        decode_all(self.chat.try_drain())
    }

    /// Every presence event queued since the last look.
    fn presence(&mut self) -> Vec<PresenceEvent> {
        let frames: Vec<PresenceFrame> = decode_all(self.presence.try_drain().expect("the feed keeps up"));
        frames.into_iter().map(|frame| frame.event).collect()
    }
}

fn decode_all<T: DeserializeOwned>(frames: Vec<bytes::Bytes>) -> Vec<T> {
    let mut codec = FrameCodec::<T, ()>::new(MAX_SERVER_FRAME_LEN);
    frames
        .into_iter()
        .map(|frame| {
            let mut buf = BytesMut::from(&frame[..]);
            codec.decode(&mut buf).expect("a valid frame").expect("a whole frame")
        })
        .collect()
}

fn login(hub: &Hub, name: &str) -> Client {
    let (chat, chat_rx) = Outbox::detached(OutboxLimits::default());
    let logged_in = hub.login(name.into(), chat).expect("login");
    Client { id: logged_in.id, chat: chat_rx, presence: logged_in.presence }
}

fn run(hub: &Hub, client: &Client, msg: ClientMsg) {
    Command::from_msg(msg).expect("a command").apply(hub, client.id);
}

fn say(room: &str, text: &str, client_msg_id: u64) -> ClientMsg {
    ClientMsg::Say { room: room.into(), text: text.into(), client_msg_id, attachment: None }
}

fn messages(replies: &[ServerMsg]) -> Vec<&RoomMessage> {
    replies
        .iter()
        .filter_map(|reply| if let ServerMsg::Message(m) = reply { Some(m) } else { None })
        .collect()
}

#[test]
fn a_login_is_welcomed_with_everyone_online_and_announced_to_them() {
    let hub = Hub::new(limits());
    let mut alice = login(&hub, "alice");
    alice.replies();
    alice.presence();
    let mut bob = login(&hub, "Bob");
    let Some(ServerMsg::Welcome(welcome)) = bob.replies().into_iter().next() else {
        panic!("no Welcome first")
    };
    assert_eq!(welcome.users, ["alice", "Bob"]);
    assert_eq!((welcome.users_online, welcome.rooms_total), (2, 1));
    assert_eq!(
        alice.presence(),
        [
            PresenceEvent::Online { user: "Bob".into() },
            PresenceEvent::Joined { room: "lobby".into(), user: "Bob".into(), members: 2, after_seq: 0 }
        ]
    );
    assert!(
        hub.login("BOB".into(), Outbox::detached(OutboxLimits::default()).0).is_err(),
        "names are unique"
    );
}

#[test]
fn a_message_reaches_every_member_once_numbered_and_stamped_by_the_hub() {
    let hub = Hub::new(limits());
    let mut alice = login(&hub, "alice");
    let mut bob = login(&hub, "bob");
    alice.replies();
    bob.replies();
    run(&hub, &alice, say("lobby", "hello", 7));
    run(&hub, &bob, say("LOBBY", "hi alice", 1));
    for client in [&mut alice, &mut bob] {
        let replies = client.replies();
        let seen: Vec<(u64, &str, &str, u64)> = messages(&replies)
            .iter()
            .map(|m| (m.seq, m.from.as_str(), m.text.as_str(), m.client_msg_id))
            .collect();
        assert_eq!(seen, [(1, "alice", "hello", 7), (2, "bob", "hi alice", 1)]);
    }
}

#[test]
fn a_refused_command_answers_its_sender_only() {
    let hub = Hub::new(limits());
    let mut alice = login(&hub, "alice");
    let mut bob = login(&hub, "bob");
    alice.replies();
    bob.replies();
    run(&hub, &alice, say("maths", "anyone?", 3));
    let replies = alice.replies();
    let [ServerMsg::Error(error)] = replies.as_slice() else { panic!("{replies:?}") };
    assert_eq!((error.code, error.client_msg_id), (ErrorCode::NoSuchRoom, Some(3)));
    assert!(bob.replies().is_empty());
}

#[test]
fn joining_creates_a_room_and_leaving_tells_the_others() {
    let hub = Hub::new(limits());
    let mut alice = login(&hub, "alice");
    let mut bob = login(&hub, "bob");
    run(&hub, &alice, ClientMsg::Join { room: "maths".into(), topic: Some("sums".into()) });
    run(&hub, &bob, ClientMsg::Join { room: "Maths".into(), topic: None });
    let joined = bob.replies().into_iter().find_map(|reply| match reply {
        ServerMsg::Joined { room, members, .. } => Some((room.name, room.topic, members)),
        _ => None,
    });
    assert_eq!(joined, Some(("maths".into(), "sums".into(), vec!["alice".into(), "bob".into()])));
    alice.presence();
    run(&hub, &bob, ClientMsg::Leave { room: "maths".into() });
    assert_eq!(
        alice.presence(),
        [PresenceEvent::Left { room: "maths".into(), user: "bob".into(), members: 1, after_seq: 0 }]
    );
    run(&hub, &bob, say("maths", "still here?", 9));
    let replies = bob.replies();
    assert!(
        matches!(replies.last(), Some(ServerMsg::Error(e)) if e.code == ErrorCode::NotInRoom),
        "{replies:?}"
    );
}

#[test]
fn one_name_creates_only_its_hourly_budget_of_rooms() {
    let hub = Hub::new(limits());
    let mut alice = login(&hub, "alice");
    for room in ["one", "two", "three", "four"] {
        run(&hub, &alice, ClientMsg::Join { room: room.into(), topic: None });
    }
    let replies = alice.replies();
    let refused: Vec<_> =
        replies.iter().filter_map(|r| if let ServerMsg::Error(e) = r { Some(e) } else { None }).collect();
    assert_eq!(refused.len(), 1, "{replies:?}");
    assert_eq!(refused[0].code, ErrorCode::TooManyRooms);
    assert!(hub.lock().room("four").is_none());
}

#[test]
fn lists_page_through_everything_in_name_order() {
    let hub = Hub::new(limits());
    let mut alice = login(&hub, "alice");
    let _bob = login(&hub, "bob");
    alice.replies();
    run(&hub, &alice, ClientMsg::ListUsersAfter { after: String::new() });
    run(&hub, &alice, ClientMsg::ListUsersAfter { after: "alice".into() });
    run(&hub, &alice, ClientMsg::ListUsers);
    let replies = alice.replies();
    assert_eq!(
        replies
            .iter()
            .map(|r| format!("{r:?}"))
            .map(|r| r.split(", ts").next().unwrap_or_default().to_string())
            .collect::<Vec<_>>(),
        [
            r#"UsersPage { users: ["alice", "bob"], more: false"#,
            r#"UsersPage { users: ["bob"], more: false"#,
            r#"Users { users: ["alice", "bob"]"#,
        ]
    );
}

#[test]
fn a_rename_is_answered_and_announced() {
    let hub = Hub::new(limits());
    let mut alice = login(&hub, "alice");
    let mut bob = login(&hub, "bob");
    alice.replies();
    bob.presence();
    run(&hub, &alice, ClientMsg::Nick { name: "alicia".into() });
    assert!(
        matches!(alice.replies().as_slice(), [ServerMsg::Renamed { old, new, .. }] if old == "alice" && new == "alicia")
    );
    assert_eq!(bob.presence(), [PresenceEvent::Renamed { old: "alice".into(), new: "alicia".into() }]);
    assert!(hub.lock().find_user("alice").is_none());
}

#[test]
fn a_direct_message_reaches_its_recipient_and_its_sender_only() {
    let hub = Hub::new(limits());
    let mut alice = login(&hub, "alice");
    let mut bob = login(&hub, "bob");
    let mut carol = login(&hub, "carol");
    for client in [&mut alice, &mut bob, &mut carol] {
        client.replies();
    }
    run(
        &hub,
        &alice,
        ClientMsg::Direct { to: "BOB".into(), text: "just us".into(), client_msg_id: 4, attachment: None },
    );
    for client in [&mut alice, &mut bob] {
        let replies = client.replies();
        let [ServerMsg::Direct(direct)] = replies.as_slice() else { panic!("{replies:?}") };
        let seen = (direct.from.as_str(), direct.to.as_str(), direct.text.as_str(), direct.client_msg_id);
        assert_eq!(seen, ("alice", "bob", "just us", 4));
    }
    assert!(carol.replies().is_empty(), "nobody else sees it");

    run(
        &hub,
        &alice,
        ClientMsg::Direct { to: "dave".into(), text: "hello?".into(), client_msg_id: 5, attachment: None },
    );
    let replies = alice.replies();
    let [ServerMsg::Error(error)] = replies.as_slice() else { panic!("{replies:?}") };
    assert_eq!((error.code, error.client_msg_id), (ErrorCode::NoSuchUser, Some(5)));
    assert_eq!(error.message, "no user 'dave' is online");
}

/// A hub with `crowd` more users online than presence goes to everyone for, none of them
/// reading presence.
fn large_hub(crowd: usize) -> Hub {
    let hub = Hub::new(HubLimits { max_clients: 1000, ..limits() });
    for n in 0..super::PRESENCE_FOR_EVERYONE_UP_TO + crowd {
        std::mem::forget(login(&hub, &format!("user{n:04}")));
    }
    hub
}

#[test]
fn on_a_large_server_a_login_is_announced_only_to_those_watching_the_name() {
    let hub = large_hub(1);
    let mut alice = login(&hub, "alice");
    let mut carol = login(&hub, "carol");
    let Some(ServerMsg::Welcome(welcome)) = alice.replies().into_iter().next() else { panic!("no Welcome") };
    assert_eq!(welcome.users.len(), super::pages::WELCOME_NAMES_WHEN_LARGE, "a screenful, not everyone");
    assert_eq!(welcome.users_online as usize, super::PRESENCE_FOR_EVERYONE_UP_TO + 2);
    run(&hub, &alice, ClientMsg::Watch { users: vec!["BOB".into()] });
    alice.presence();
    carol.presence();

    let bob = login(&hub, "bob");
    assert_eq!(
        alice.presence(),
        [
            PresenceEvent::Online { user: "bob".into() },
            PresenceEvent::Joined { room: "lobby".into(), user: "bob".into(), members: 260, after_seq: 0 },
        ]
    );
    assert_eq!(carol.presence(), [], "carol watches nobody");
    let _dan = login(&hub, "dan");
    assert_eq!(alice.presence(), [], "alice does not watch dan");

    hub.logout(bob.id);
    assert_eq!(
        alice.presence(),
        [
            PresenceEvent::Left { room: "lobby".into(), user: "bob".into(), members: 260, after_seq: 0 },
            PresenceEvent::Offline { user: "bob".into() },
        ]
    );
}

#[test]
fn on_a_large_server_room_members_hear_of_each_other_and_of_a_member_going_offline() {
    let hub = large_hub(1);
    let mut alice = login(&hub, "alice");
    let mut bob = login(&hub, "bob");
    let mut carol = login(&hub, "carol");
    run(&hub, &alice, ClientMsg::Join { room: "class".into(), topic: None });
    run(&hub, &bob, ClientMsg::Join { room: "class".into(), topic: None });
    let created = RoomInfo { name: "class".into(), topic: String::new(), members: 0 };
    assert_eq!(
        carol.presence(),
        [PresenceEvent::RoomCreated { room: created }],
        "a new room is news for all"
    );
    assert_eq!(
        alice.presence()[1..],
        [
            PresenceEvent::Joined { room: "class".into(), user: "alice".into(), members: 1, after_seq: 0 },
            PresenceEvent::Joined { room: "class".into(), user: "bob".into(), members: 2, after_seq: 0 },
        ]
    );
    bob.presence();

    hub.logout(bob.id);
    assert_eq!(
        alice.presence(),
        [
            PresenceEvent::Left { room: "class".into(), user: "bob".into(), members: 1, after_seq: 0 },
            PresenceEvent::Left { room: "lobby".into(), user: "bob".into(), members: 259, after_seq: 0 },
            PresenceEvent::Offline { user: "bob".into() },
        ],
        "those who shared a room with bob hear he is gone"
    );
    assert_eq!(carol.presence(), []);
}

#[test]
fn on_a_large_server_the_clients_that_watch_are_told_the_count_when_it_changed() {
    let hub = large_hub(1);
    let mut alice = login(&hub, "alice");
    let mut carol = login(&hub, "carol");
    run(&hub, &alice, ClientMsg::Watch { users: Vec::new() });
    alice.presence();
    carol.presence();
    let online = super::PRESENCE_FOR_EVERYONE_UP_TO as u32 + 3;

    hub.lock().announce_count();
    assert_eq!(alice.presence(), [PresenceEvent::Count { online }]);
    assert_eq!(carol.presence(), [], "carol never sent Watch: an older client, it is not told");
    hub.lock().announce_count();
    assert_eq!(alice.presence(), [], "nothing changed");

    let dan = login(&hub, "dan");
    let _erin = login(&hub, "erin");
    hub.logout(dan.id);
    hub.lock().announce_count();
    assert_eq!(
        alice.presence(),
        [PresenceEvent::Count { online: online + 1 }],
        "once, however many came and went"
    );
}

#[test]
fn on_a_small_server_the_count_is_not_sent_unless_it_was_large_when_last_told() {
    let hub = Hub::new(limits());
    let mut alice = login(&hub, "alice");
    let _bob = login(&hub, "bob");
    run(&hub, &alice, ClientMsg::Watch { users: vec!["bob".into()] });
    alice.presence();
    hub.lock().announce_count();
    assert_eq!(alice.presence(), [], "everyone hears everything: alice counts for herself");
}

#[test]
fn a_watch_list_replaces_the_last_and_keeps_at_most_its_limit() {
    let hub = large_hub(1);
    let mut alice = login(&hub, "alice");
    let many = (0..anseo_shared::protocol::MAX_WATCHED + 10).map(|n| format!("w{n:04}")).collect();
    run(&hub, &alice, ClientMsg::Watch { users: many });
    run(&hub, &alice, ClientMsg::Watch { users: vec!["bob".into()] });
    alice.presence();
    let _w = login(&hub, "w0001");
    assert_eq!(alice.presence(), [], "no longer watched");
    let _bob = login(&hub, "bob");
    assert_eq!(alice.presence().len(), 2, "bob's Online and Joined");
    assert_eq!(hub.lock().watchers.len(), 1, "nothing left of the first list");
}
