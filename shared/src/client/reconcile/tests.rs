//! The pure core driven by scripted frames and a fake clock: duplicates, reorders, overlapping
//! history pages, refusals and dropped connections, without a socket.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::*;
use crate::client::chat_event::{Addressee, PresenceChange};
use crate::protocol::{Limits, MessageKind, MessageState, PresenceEvent, SendRate};

const RATE: SendRate = SendRate { burst: 50, micros_per_send: 100_000 };

fn welcome(name: &str, presence_seq: u64) -> Welcome {
    Welcome {
        name: name.into(),
        room: "lobby".into(),
        limits: Limits { max_message_chars: 1000, max_frame_len: 65_536 },
        users: vec![name.into()],
        rooms: Vec::new(),
        members: Vec::new(),
        presence_seq,
        ts: 0,
        send_rate: RATE,
        users_online: 1,
        rooms_total: 1,
    }
}

fn message(room: &str, seq: u64, from: &str, text: &str, client_msg_id: u64) -> RoomMessage {
    RoomMessage {
        id: seq,
        room: room.into(),
        seq,
        from: from.into(),
        text: text.into(),
        ts: 0,
        client_msg_id,
        attachment: None,
        kind: MessageKind::Said,
        state: MessageState::AsSent,
    }
}

/// A message from bob with sequence number `seq` and text `"{room} {seq}"`.
fn bobs(room: &str, seq: u64) -> ServerMsg {
    ServerMsg::Message(message(room, seq, "bob", &format!("{room} {seq}"), seq))
}

fn page(room: &str, seqs: std::ops::RangeInclusive<u64>, more: bool) -> ServerMsg {
    let messages = seqs.map(|seq| message(room, seq, "bob", &format!("{room} {seq}"), seq)).collect();
    ServerMsg::History(HistoryPage { room: room.into(), messages, more, ts: 0 })
}

fn say(room: &str, text: &str, client_msg_id: u64) -> Outgoing {
    Outgoing { client_msg_id, to: Addressee::Room(room.into()), text: text.into(), attachment: None }
}

fn joined(room: &str, members: &[&str]) -> ServerMsg {
    let info = RoomInfo { name: room.into(), topic: String::new(), members: members.len() as u32 };
    ServerMsg::Joined {
        room: info,
        members: members.iter().map(|m| m.to_string()).collect(),
        ts: 0,
        creator: String::new(),
    }
}

fn error(code: ErrorCode, client_msg_id: Option<u64>) -> ServerMsg {
    ServerMsg::Error(ErrorReply { code, message: code.as_str().into(), client_msg_id, ts: 0 })
}

fn events(core: &mut Reconcile) -> Vec<ChatEvent> {
    std::iter::from_fn(|| core.poll_event()).collect()
}

fn transmits(core: &mut Reconcile, now: Instant) -> Vec<ClientMsg> {
    std::iter::from_fn(|| core.poll_transmit(now)).collect()
}

/// The `room seq` of every message event, in order.
fn passed_on(events: &[ChatEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|event| match event {
            ChatEvent::Message { message, .. } => Some(format!("{} {}", message.room, message.seq)),
            _ => None,
        })
        .collect()
}

fn texts(room: &str, seqs: std::ops::RangeInclusive<u64>) -> Vec<String> {
    seqs.map(|seq| format!("{room} {seq}")).collect()
}

#[test]
fn a_live_message_that_comes_twice_is_passed_on_once() {
    let now = Instant::now();
    let mut core = Reconcile::new(&welcome("alice", 0), now);
    core.handle_server(bobs("lobby", 1), now);
    core.handle_server(bobs("lobby", 2), now);
    core.handle_server(bobs("lobby", 1), now);
    core.handle_server(bobs("lobby", 2), now);
    core.handle_server(bobs("lobby", 3), now);
    assert_eq!(passed_on(&events(&mut core)), texts("lobby", 1..=3));
}

#[test]
fn live_messages_after_a_page_continue_from_its_end() {
    let now = Instant::now();
    let mut core = Reconcile::new(&welcome("alice", 0), now);
    core.handle_server(joined("dev", &["alice", "bob"]), now);
    // A live message may overtake the join's page; the page is passed on as it came.
    core.handle_server(bobs("dev", 6), now);
    core.handle_server(page("dev", 1..=5, false), now);
    core.handle_server(bobs("dev", 5), now);
    core.handle_server(bobs("dev", 7), now);
    let events = events(&mut core);
    assert!(matches!(&events[0], ChatEvent::Joined { room, .. } if room.name == "dev"));
    assert!(matches!(&events[2], ChatEvent::History(page) if page.messages.len() == 5));
    assert_eq!(passed_on(&events), ["dev 6", "dev 7"]);
}

#[test]
fn an_echo_confirms_its_send_and_nothing_else_does() {
    let now = Instant::now();
    let mut core = Reconcile::new(&welcome("alice", 0), now);
    core.send(say("lobby", "hi", 1));
    assert_eq!(transmits(&mut core, now).len(), 1);
    // Bob's message 1, then an earlier run of alice's with the same id, confirm nothing.
    core.handle_server(ServerMsg::Message(message("lobby", 1, "bob", "hi", 1)), now);
    core.handle_server(ServerMsg::Message(message("lobby", 2, "alice", "old", 1)), now);
    assert_eq!(core.unconfirmed_count(), 1);
    core.handle_server(ServerMsg::Message(message("lobby", 3, "alice", "hi", 1)), now);
    let confirms: Vec<Option<u64>> = events(&mut core)
        .into_iter()
        .filter_map(|event| match event {
            ChatEvent::Message { confirms, .. } => Some(confirms),
            _ => None,
        })
        .collect();
    assert_eq!(confirms, [None, None, Some(1)]);
    assert!(core.is_settled());
}

#[test]
fn a_direct_copy_confirms_its_send() {
    let now = Instant::now();
    let mut core = Reconcile::new(&welcome("alice", 0), now);
    core.send(Outgoing {
        client_msg_id: 1,
        to: Addressee::User("Bob".into()),
        text: "psst".into(),
        attachment: None,
    });
    transmits(&mut core, now);
    let sending = ChatEvent::Sending {
        client_msg_id: 1,
        to: Addressee::User("Bob".into()),
        text: "psst".into(),
        attachment: None,
    };
    assert_eq!(events(&mut core), [sending]);
    let copy = DirectMessage {
        id: 9,
        from: "alice".into(),
        to: "bob".into(),
        text: "psst".into(),
        ts: 0,
        client_msg_id: 1,
        attachment: None,
    };
    core.handle_server(ServerMsg::Direct(copy.clone()), now);
    assert_eq!(events(&mut core), [ChatEvent::Direct { message: copy, confirms: Some(1) }]);
}

#[test]
fn refusals_for_speed_are_retried_silently_and_final_ones_are_reported() {
    let now = Instant::now();
    let mut core = Reconcile::new(&welcome("alice", 0), now);
    core.send(say("lobby", "fast", 1));
    core.send(say("lobby", &"x".repeat(5), 2));
    core.send(say("lobby", "again", 3));
    assert_eq!(transmits(&mut core, now).len(), 3);
    assert_eq!(events(&mut core).len(), 3, "each send is announced");
    core.handle_server(error(ErrorCode::RateLimited, Some(1)), now);
    core.handle_server(error(ErrorCode::TooLong, Some(2)), now);
    core.handle_server(error(ErrorCode::AlreadyPosted, Some(3)), now);
    core.handle_server(error(ErrorCode::NoSuchRoom, None), now);
    let events = events(&mut core);
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(matches!(&events[0], ChatEvent::Refused { client_msg_id: 2, code: ErrorCode::TooLong, .. }));
    assert_eq!(events[1], ChatEvent::AlreadyPosted { client_msg_id: 3 });
    assert!(matches!(&events[2], ChatEvent::CommandFailed { code: ErrorCode::NoSuchRoom, .. }));
    assert_eq!(core.unconfirmed_count(), 1, "only the one refused for speed is left");
    let later = now + Duration::from_secs(1);
    assert!(matches!(&transmits(&mut core, later)[..], [ClientMsg::Say { client_msg_id: 1, .. }]));
}

#[test]
fn a_renamed_user_recognises_its_echoes_under_the_new_name() {
    let now = Instant::now();
    let mut core = Reconcile::new(&welcome("alice", 0), now);
    core.handle_server(ServerMsg::Renamed { old: "alice".into(), new: "ally".into(), ts: 0 }, now);
    assert_eq!(core.name(), "ally");
    core.send(say("lobby", "new me", 1));
    transmits(&mut core, now);
    core.handle_server(ServerMsg::Message(message("lobby", 1, "ally", "new me", 1)), now);
    let events = events(&mut core);
    assert!(matches!(&events[0], ChatEvent::Renamed { new, .. } if new == "ally"));
    assert!(matches!(&events[1], ChatEvent::Sending { client_msg_id: 1, .. }));
    assert!(matches!(&events[2], ChatEvent::Message { confirms: Some(1), .. }));
}

#[test]
fn list_pages_come_out_as_one_list() {
    let now = Instant::now();
    let mut core = Reconcile::new(&welcome("alice", 0), now);
    // A first page alone is never what a resilient session's caller wants.
    core.command(ClientMsg::ListUsers);
    assert_eq!(transmits(&mut core, now), [ClientMsg::ListUsersAfter { after: String::new() }]);
    core.handle_server(ServerMsg::UsersPage { users: vec!["a".into(), "b".into()], more: true, ts: 1 }, now);
    assert_eq!(transmits(&mut core, now), [ClientMsg::ListUsersAfter { after: "b".into() }]);
    assert!(events(&mut core).is_empty());
    core.handle_server(ServerMsg::UsersPage { users: vec!["c".into()], more: false, ts: 2 }, now);
    let users = vec!["a".to_string(), "b".into(), "c".into()];
    assert_eq!(events(&mut core), [ChatEvent::Users { users, ts: 2 }]);
}

#[test]
fn presence_already_in_the_welcome_is_left_out_and_later_events_pass_in_any_order() {
    let now = Instant::now();
    let mut core = Reconcile::new(&welcome("alice", 10), now);
    let frame =
        |seq, user: &str| PresenceFrame { seq, ts: 0, event: PresenceEvent::Online { user: user.into() } };
    core.handle_presence(frame(9, "old"));
    core.handle_presence(frame(12, "carol"));
    // Sent to alice alone while the server grew large: numbered below one already passed.
    core.handle_presence(frame(11, "dave"));
    core.handle_presence(frame(10, "older"));
    let users: Vec<String> = events(&mut core)
        .into_iter()
        .map(|event| match event {
            ChatEvent::Presence(Presence { change: PresenceChange::Online { user }, .. }) => user,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(users, ["carol", "dave"]);
}

/// Alice in the lobby (seen up to 5) and dev (seen up to 3), with sends 1 and 2 unconfirmed.
fn alice_before_a_drop(now: Instant) -> Reconcile {
    let mut core = Reconcile::new(&welcome("alice", 0), now);
    core.handle_server(joined("dev", &["alice"]), now);
    core.handle_server(page("lobby", 1..=5, false), now);
    core.handle_server(page("dev", 1..=3, false), now);
    core.send(say("lobby", "one", 1));
    core.send(say("dev", "two", 2));
    assert_eq!(transmits(&mut core, now).len(), 2);
    events(&mut core);
    core
}

#[test]
fn a_catch_up_merges_overlapping_pages_and_live_messages_then_resends() {
    let now = Instant::now();
    let mut core = alice_before_a_drop(now);
    core.reconnected(welcome("alice", 0), now);
    assert_eq!(transmits(&mut core, now), [ClientMsg::Join { room: "dev".into(), topic: None }]);
    // Dev's latest page does not reach back to 3: an older one is asked for.
    core.handle_server(joined("dev", &["alice", "bob"]), now);
    core.handle_server(page("dev", 8..=12, true), now);
    assert_eq!(
        transmits(&mut core, now),
        [ClientMsg::History { room: "dev".into(), before: Some(8), limit: MAX_HISTORY_PAGE }]
    );
    // Live messages meanwhile, one the lobby's page holds too.
    core.handle_server(bobs("lobby", 7), now);
    core.handle_server(bobs("dev", 13), now);
    // Alice's "one" was posted before the drop: its echo is in the lobby's page.
    let mut lobby = vec![message("lobby", 6, "alice", "one", 1)];
    lobby.extend((7..=9).map(|seq| message("lobby", seq, "bob", &format!("lobby {seq}"), seq)));
    core.handle_server(
        ServerMsg::History(HistoryPage { room: "lobby".into(), messages: lobby, more: true, ts: 0 }),
        now,
    );
    assert!(core.is_catching_up());
    assert!(events(&mut core).is_empty(), "nothing is passed on before the catch-up ends");
    // The older page overlaps what alice saw and what the first page brought.
    core.handle_server(page("dev", 2..=9, true), now);
    assert!(!core.is_catching_up());

    let events = events(&mut core);
    let mut expected = texts("dev", 4..=13);
    expected.extend(texts("lobby", 6..=9));
    assert_eq!(passed_on(&events), expected);
    let Some(ChatEvent::Resumed { missed, members, .. }) = events.last() else { panic!("{events:?}") };
    assert_eq!(*missed, 14);
    assert_eq!(members, &BTreeMap::from([("dev".to_string(), vec!["alice".into(), "bob".into()])]));
    assert!(events.iter().any(|e| matches!(e, ChatEvent::Message { confirms: Some(1), .. })));
    // Only "two" goes again; "one" was confirmed by the page.
    assert!(matches!(&transmits(&mut core, now)[..], [ClientMsg::Say { client_msg_id: 2, .. }]));
    // And the live stream continues after the catch-up without repeats.
    core.handle_server(bobs("dev", 13), now);
    core.handle_server(bobs("dev", 14), now);
    assert_eq!(passed_on(&self::events(&mut core)), ["dev 14"]);
}

#[test]
fn a_connection_lost_during_a_catch_up_starts_it_again_and_passes_nothing_twice() {
    let now = Instant::now();
    let mut core = alice_before_a_drop(now);
    core.reconnected(welcome("alice", 0), now);
    transmits(&mut core, now);
    core.handle_server(page("lobby", 4..=8, false), now);
    core.disconnected();
    assert!(events(&mut core).is_empty());
    core.reconnected(welcome("alice", 0), now);
    assert_eq!(transmits(&mut core, now), [ClientMsg::Join { room: "dev".into(), topic: None }]);
    core.handle_server(page("lobby", 2..=9, false), now);
    core.handle_server(page("dev", 1..=4, false), now);
    let events = events(&mut core);
    assert_eq!(passed_on(&events), ["dev 4", "lobby 6", "lobby 7", "lobby 8", "lobby 9"]);
    assert!(matches!(events.last(), Some(ChatEvent::Resumed { missed: 5, .. })));
}

#[test]
fn a_room_whose_page_never_comes_is_left_behind_at_the_deadline() {
    let now = Instant::now();
    let mut core = alice_before_a_drop(now);
    core.reconnected(welcome("alice", 0), now);
    transmits(&mut core, now);
    core.handle_server(page("lobby", 1..=6, false), now);
    assert_eq!(core.poll_timeout(now), Some(now + CATCH_UP));
    // The outbox waits for the catch-up, however due its sends are.
    assert!(transmits(&mut core, now + Duration::from_secs(5)).is_empty());
    core.handle_timeout(now + CATCH_UP);
    let events = events(&mut core);
    assert_eq!(passed_on(&events), ["lobby 6"]);
    assert!(matches!(events.last(), Some(ChatEvent::Resumed { missed: 1, .. })));
    assert_eq!(transmits(&mut core, now + CATCH_UP).len(), 2);
}

#[test]
fn other_replies_during_a_catch_up_are_passed_on_at_once_and_presence_after_it() {
    let now = Instant::now();
    let mut core = alice_before_a_drop(now);
    core.reconnected(welcome("alice", 3), now);
    core.handle_presence(PresenceFrame { seq: 3, ts: 0, event: PresenceEvent::Online { user: "x".into() } });
    core.handle_presence(PresenceFrame { seq: 4, ts: 0, event: PresenceEvent::Online { user: "y".into() } });
    core.handle_server(ServerMsg::Users { users: vec!["alice".into()], ts: 0 }, now);
    let events = events(&mut core);
    assert!(matches!(&events[..], [ChatEvent::Users { .. }]), "{events:?}");
}

#[test]
fn leaving_reports_every_send_not_confirmed() {
    let now = Instant::now();
    let mut core = alice_before_a_drop(now);
    core.abandon("not sent: you left");
    let unsent: Vec<u64> = events(&mut core)
        .into_iter()
        .map(|event| match event {
            ChatEvent::Unsent { client_msg_id, .. } => client_msg_id,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(unsent, [1, 2]);
    assert!(core.is_settled());
}

#[test]
fn a_quit_waits_on_while_confirmations_come() {
    let now = Instant::now();
    let mut core = alice_before_a_drop(now);
    core.begin_quit(now);
    assert_eq!(core.quit_deadline(), Some(now + QUIT_PATIENCE));
    let later = now + Duration::from_secs(4);
    core.handle_server(ServerMsg::Message(message("lobby", 6, "alice", "one", 1)), later);
    assert_eq!(core.quit_deadline(), Some(later + QUIT_PATIENCE));
}

#[test]
fn a_send_is_announced_before_its_echo_confirms_it() {
    let now = Instant::now();
    let mut core = Reconcile::new(&welcome("alice", 0), now);
    core.send(say("lobby", "hi", 1));
    transmits(&mut core, now);
    core.handle_server(ServerMsg::Message(message("lobby", 1, "alice", "hi", 1)), now);
    let events = events(&mut core);
    let sending = ChatEvent::Sending {
        client_msg_id: 1,
        to: Addressee::Room("lobby".into()),
        text: "hi".into(),
        attachment: None,
    };
    assert_eq!(events[0], sending);
    assert!(matches!(&events[1], ChatEvent::Message { confirms: Some(1), .. }), "{events:?}");
}

#[test]
fn commands_given_while_the_connection_is_down_go_out_after_the_catch_up_in_order() {
    let now = Instant::now();
    let mut core = Reconcile::new(&welcome("alice", 0), now);
    core.disconnected();
    core.send(say("lobby", "while away", 1));
    core.command(ClientMsg::History { room: "lobby".into(), before: Some(5), limit: 10 });
    core.command(ClientMsg::ListUsers);
    assert!(transmits(&mut core, now).is_empty(), "nothing goes out on a dead connection");
    assert!(matches!(&events(&mut core)[..], [ChatEvent::Sending { client_msg_id: 1, .. }]));
    core.reconnected(welcome("alice", 0), now);
    assert!(transmits(&mut core, now).is_empty(), "nor during the catch-up");
    core.handle_server(page("lobby", 1..=2, false), now);
    assert_eq!(
        transmits(&mut core, now),
        [
            ClientMsg::History { room: "lobby".into(), before: Some(5), limit: 10 },
            ClientMsg::ListUsersAfter { after: String::new() },
            ClientMsg::Say {
                room: "lobby".into(),
                text: "while away".into(),
                client_msg_id: 1,
                attachment: None
            },
        ]
    );
}

#[test]
fn commands_held_while_away_are_bounded() {
    let now = Instant::now();
    let mut core = Reconcile::new(&welcome("alice", 0), now);
    core.disconnected();
    for _ in 0..MAX_HELD {
        assert!(!core.is_full());
        core.command(ClientMsg::ListRooms);
    }
    assert!(core.is_full(), "the caller's commands wait once {MAX_HELD} are held");
}

#[test]
fn typing_while_away_is_dropped_not_held() {
    let now = Instant::now();
    let mut core = Reconcile::new(&welcome("alice", 0), now);
    core.disconnected();
    for _ in 0..MAX_HELD * 2 {
        core.command(ClientMsg::Typing { place: crate::protocol::Place::Room("lobby".into()) });
    }
    assert!(!core.is_full(), "typing signals took no held places");
    let mut connected = Reconcile::new(&welcome("alice", 0), now);
    connected.command(ClientMsg::Typing { place: crate::protocol::Place::Room("lobby".into()) });
    assert_eq!(transmits(&mut connected, now).len(), 1, "sent at once while connected");
}

#[test]
fn the_session_watches_whom_the_caller_shows_and_its_direct_partners_when_that_changes() {
    let now = Instant::now();
    let mut core = Reconcile::new(&welcome("alice", 0), now);
    core.command(ClientMsg::Watch { users: vec!["ann".into()] });
    assert_eq!(core.poll_transmit(now), Some(ClientMsg::Watch { users: vec!["ann".into()] }));
    core.handle_server(
        ServerMsg::Direct(DirectMessage {
            id: 7,
            from: "zed".into(),
            to: "alice".into(),
            text: "hi".into(),
            client_msg_id: 1,
            ts: 0,
            attachment: None,
        }),
        now,
    );
    assert_eq!(core.poll_transmit(now), None, "not twice in a second");
    let due = core.poll_timeout(now).expect("the change has its time");
    assert_eq!(core.poll_transmit(due), Some(ClientMsg::Watch { users: vec!["zed".into(), "ann".into()] }));
    core.command(ClientMsg::Watch { users: vec!["ann".into()] });
    assert_eq!(core.poll_transmit(due + Duration::from_secs(5)), None, "unchanged: nothing sent");
}

#[test]
fn presence_during_a_catch_up_comes_after_the_resumed_welcome_it_follows() {
    let now = Instant::now();
    let mut core = alice_before_a_drop(now);
    core.reconnected(welcome("alice", 4), now);
    transmits(&mut core, now);
    // Bob logs in to the restarted server after alice, while she still catches up.
    let online = PresenceFrame { seq: 5, ts: 0, event: PresenceEvent::Online { user: "bob".into() } };
    core.handle_presence(online);
    assert!(events(&mut core).is_empty(), "held until the catch-up is over");
    core.handle_server(joined("dev", &["alice"]), now);
    core.handle_server(page("dev", 1..=3, false), now);
    core.handle_server(page("lobby", 1..=5, false), now);
    let events = events(&mut core);
    let resumed = events.iter().position(|e| matches!(e, ChatEvent::Resumed { .. })).expect("resumed");
    let bob = events
        .iter()
        .position(|e| {
            matches!(e, ChatEvent::Presence(Presence { change: PresenceChange::Online { .. }, .. }))
        })
        .expect("bob's login passed on");
    assert!(resumed < bob, "a Welcome without bob must not undo his login: {events:?}");
}
