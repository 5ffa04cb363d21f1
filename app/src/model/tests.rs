//! Every action and network event, including presence and messages arriving out of order.

use anseo_shared::client::{Addressee, ChatEvent, Presence, PresenceChange};
use anseo_shared::protocol::{DirectMessage, ErrorCode, HistoryPage, Limits, RoomInfo, RoomMessage, Welcome};
use anseo_shared::trust::Fingerprint;

use super::*;

fn room_info(name: &str, topic: &str, members: u32) -> RoomInfo {
    RoomInfo { name: name.into(), topic: topic.into(), members }
}

fn welcome(name: &str) -> Welcome {
    Welcome {
        name: name.into(),
        room: "lobby".into(),
        limits: Limits { max_message_chars: 20, max_frame_len: 65536 },
        users: vec!["alice".into(), "bob".into()],
        rooms: vec![room_info("lobby", "", 2), room_info("maths", "sums", 1)],
        members: vec!["alice".into(), "bob".into()],
        presence_seq: 10,
        ts: 1_000,
        send_rate: anseo_shared::protocol::SendRate { burst: 50, micros_per_send: 100_000 },
        users_online: 2,
        rooms_total: 1,
    }
}

/// A model logged in as alice, in the lobby with bob.
fn logged_in() -> Model {
    let mut model = Model::new("alice".into(), "127.0.0.1:4433".into(), None);
    assert!(model.act(Action::SubmitLogin).is_some());
    model.apply(NetEvent::Connected(welcome("alice")));
    model
}

fn chat(model: &Model) -> &Chat {
    model.chat.as_ref().expect("logged in")
}

fn message(room: &str, seq: u64, from: &str, text: &str) -> NetEvent {
    NetEvent::Chat(ChatEvent::Message {
        message: RoomMessage {
            id: 1000 + seq + if room == "lobby" { 0 } else { 500 },
            room: room.into(),
            seq,
            from: from.into(),
            text: text.into(),
            ts: 2_000 + seq,
            client_msg_id: 0,
            attachment: None,
            kind: Default::default(),
            state: Default::default(),
        },
        confirms: None,
    })
}

fn presence(seq: u64, change: PresenceChange) -> NetEvent {
    NetEvent::Chat(ChatEvent::Presence(Presence { seq, ts: 3_000, change }))
}

/// The client core's note that a message is on its way.
fn sending(line: PendingLine) -> NetEvent {
    let to = match line.to {
        Target::Room(room) => Addressee::Room(room),
        Target::Direct(user) => Addressee::User(user),
    };
    NetEvent::Chat(ChatEvent::Sending {
        client_msg_id: line.client_msg_id,
        to,
        text: line.text,
        attachment: None,
    })
}

fn direct(id: u64, from: &str, to: &str, text: &str) -> NetEvent {
    NetEvent::Chat(ChatEvent::Direct {
        message: DirectMessage {
            id,
            from: from.into(),
            to: to.into(),
            text: text.into(),
            ts: 4_000,
            client_msg_id: 0,
            attachment: None,
        },
        confirms: None,
    })
}

/// The texts of the open conversation, notices in brackets.
fn lines(model: &Model) -> Vec<String> {
    chat(model)
        .current_timeline()
        .expect("a conversation is open")
        .iter()
        .map(|e| match e {
            Entry::Message(m) => format!("{}: {}", m.from, m.text),
            Entry::Notice(n) => format!("[{}]", n.text),
        })
        .collect()
}

#[test]
fn login_form_validates_the_name_as_it_is_typed() {
    let mut model = Model::new(String::new(), "10.0.0.1:4433".into(), None);
    model.act(Action::EditName("bob smith".into()));
    let error = model.login.name_error.clone().expect("a space is not allowed");
    assert!(error.contains("' '"), "{error}");
    model.act(Action::EditName("bob".into()));
    assert_eq!(model.login.name_error, None);
    model.act(Action::EditName("x".repeat(33)));
    assert!(model.login.name_error.as_deref().unwrap().contains("longer than 32"));
    assert_eq!(model.act(Action::SubmitLogin), None, "an invalid name is not sent");
    assert!(!model.login.connecting);
}

#[test]
fn login_form_checks_the_address() {
    let mut model = Model::new("bob".into(), String::new(), None);
    assert_eq!(model.act(Action::SubmitLogin), None);
    assert!(model.login.server_error.is_some());
    model.act(Action::EditServer("localhost".into()));
    assert!(model.login.server_error.as_deref().unwrap().contains("HOST:PORT"));
    model.act(Action::EditServer("localhost:4433".into()));
    assert_eq!(model.login.server_error, None);
}

#[test]
fn submit_connects_once_with_trimmed_fields_and_the_pin() {
    let pin = Fingerprint::of_der(b"cert");
    let mut model = Model::new(" alice ".into(), " 10.0.0.1:4433 ".into(), Some(pin));
    assert_eq!(
        model.act(Action::SubmitLogin),
        Some(Command::Connect {
            server: "10.0.0.1:4433".into(),
            name: "alice".into(),
            password: None,
            pin: Some(pin)
        })
    );
    assert!(model.login.connecting);
    assert_eq!(model.act(Action::SubmitLogin), None, "no second attempt while connecting");
}

#[test]
fn login_failures_stay_on_the_form_in_words() {
    let mut model = Model::new("alice".into(), "10.0.0.1:4433".into(), None);
    model.act(Action::SubmitLogin);
    model.apply(NetEvent::LoginFailed(LoginFailure::NameTaken("alice".into())));
    assert!(model.chat.is_none());
    assert!(!model.login.connecting);
    assert!(model.login.name_error.as_deref().unwrap().contains("already taken"));

    model.act(Action::EditName("alice2".into()));
    model.act(Action::SubmitLogin);
    let unreachable = "cannot reach 10.0.0.1:4433 (no answer in 5 s)".to_string();
    model.apply(NetEvent::LoginFailed(LoginFailure::Other(unreachable.clone())));
    assert_eq!(model.login.error.as_deref(), Some("Cannot reach 10.0.0.1:4433 (no answer in 5 s)"));
    model.act(Action::EditServer("10.0.0.2:4433".into()));
    assert_eq!(model.login.error, None, "editing clears the old error");
}

#[test]
fn connect_errors_map_to_failures() {
    use anseo_shared::client::ConnectError;
    let fp = Fingerprint::of_der(b"a");
    let unknown = ConnectError::UnknownServer { server: "h:1".into(), fingerprint: fp };
    assert_eq!(
        LoginFailure::from(&unknown),
        LoginFailure::UnknownServer { server: "h:1".into(), fingerprint: fp }
    );
    let version = ConnectError::UnsupportedVersion { server: 2, client: 1 };
    let LoginFailure::Other(text) = LoginFailure::from(&version) else { panic!("words expected") };
    assert!(text.contains("version 2"), "{text}");
    assert_eq!(
        LoginFailure::from(&ConnectError::NameTaken("bo".into())),
        LoginFailure::NameTaken("bo".into())
    );
}

#[test]
fn unknown_server_asks_and_trust_remembers_then_connects() {
    let fp = Fingerprint::of_der(b"server");
    let mut model = Model::new("alice".into(), "10.0.0.1:4433".into(), None);
    model.act(Action::SubmitLogin);
    model.apply(NetEvent::LoginFailed(LoginFailure::UnknownServer {
        server: "10.0.0.1:4433".into(),
        fingerprint: fp,
    }));
    assert_eq!(model.login.trust_prompt.as_ref().map(|p| p.fingerprint), Some(fp));
    assert_eq!(model.act(Action::SubmitLogin), None, "Enter in the dialog does not reconnect");
    assert_eq!(
        model.act(Action::TrustServer),
        Some(Command::TrustAndConnect {
            server: "10.0.0.1:4433".into(),
            name: "alice".into(),
            password: None,
            fingerprint: fp
        })
    );
    assert!(model.login.trust_prompt.is_none());
    assert!(model.login.connecting);
    assert_eq!(model.act(Action::TrustServer), None, "nothing to trust any more");
}

#[test]
fn cancel_trust_goes_back_to_the_form() {
    let fp = Fingerprint::of_der(b"server");
    let mut model = Model::new("alice".into(), "h:1".into(), None);
    model.act(Action::SubmitLogin);
    model.apply(NetEvent::LoginFailed(LoginFailure::UnknownServer { server: "h:1".into(), fingerprint: fp }));
    assert_eq!(model.act(Action::CancelTrust), None);
    assert!(model.login.trust_prompt.is_none());
    assert!(!model.login.connecting);
    assert!(model.chat.is_none());
}

#[test]
fn changed_certificate_is_refused_with_a_warning_and_no_way_around() {
    let (old, new) = (Fingerprint::of_der(b"old"), Fingerprint::of_der(b"new"));
    let mut model = Model::new("alice".into(), "h:1".into(), None);
    model.act(Action::SubmitLogin);
    model.apply(NetEvent::LoginFailed(LoginFailure::CertificateChanged {
        server: "h:1".into(),
        expected: old,
        actual: new,
    }));
    let warning = model.login.certificate_warning.clone().expect("warning shown");
    assert_eq!((warning.expected, warning.actual), (old, new));
    assert!(model.login.trust_prompt.is_none(), "never offered as a trust question");
    assert_eq!(model.act(Action::TrustServer), None);
    model.act(Action::DismissCertificateWarning);
    assert!(model.login.certificate_warning.is_none());
}

#[test]
fn welcome_opens_the_lobby() {
    let model = logged_in();
    let chat = chat(&model);
    assert_eq!(model.title(), "alice — Anseo");
    assert_eq!(chat.current, Target::Room("lobby".into()));
    assert_eq!(chat.users, ["alice", "bob"]);
    assert_eq!(chat.rooms["lobby"].members.len(), 2);
    assert_eq!(chat.directory["maths"].topic, "sums");
    assert_eq!(chat.status, Status::Connected);
    assert!(!model.login.connecting);
}

#[test]
fn messages_appear_in_order_and_count_unread_elsewhere() {
    let mut model = logged_in();
    model.apply(message("lobby", 2, "bob", "second"));
    model.apply(message("lobby", 1, "bob", "first"));
    model.apply(message("lobby", 1, "bob", "first"));
    assert_eq!(lines(&model), ["bob: first", "bob: second"], "sorted by seq, duplicate dropped");
    assert_eq!(chat(&model).rooms["lobby"].unread, 0, "the open room has no unread count");

    model.apply(NetEvent::Chat(ChatEvent::Joined {
        room: room_info("maths", "sums", 2),
        members: vec!["alice".into(), "carol".into()],
        ts: 5,
        creator: String::new(),
    }));
    model.apply(message("maths", 1, "carol", "hi"));
    model.apply(message("maths", 2, "alice", "mine"));
    assert_eq!(chat(&model).rooms["maths"].unread, 1, "own messages are not unread");
    model.act(Action::Select(Target::Room("maths".into())));
    assert_eq!(chat(&model).rooms["maths"].unread, 0);
    assert_eq!(lines(&model), ["carol: hi", "alice: mine"]);
}

#[test]
fn presence_before_the_message_it_follows_is_placed_by_after_seq() {
    let mut model = logged_in();
    model.apply(message("lobby", 1, "bob", "one"));
    // carol joined after message 2, but the presence stream delivered that first.
    model.apply(presence(11, PresenceChange::Online { user: "carol".into() }));
    model.apply(presence(
        12,
        PresenceChange::JoinedRoom { room: "lobby".into(), user: "carol".into(), members: 3, after_seq: 2 },
    ));
    model.apply(message("lobby", 3, "carol", "three"));
    model.apply(message("lobby", 2, "bob", "two"));
    assert_eq!(lines(&model), ["bob: one", "bob: two", "[carol joined]", "carol: three"]);
    assert_eq!(chat(&model).users, ["alice", "bob", "carol"]);
    assert_eq!(chat(&model).rooms["lobby"].members.len(), 3);
}

#[test]
fn presence_after_later_messages_still_goes_in_its_place() {
    let mut model = logged_in();
    for seq in 1..=3 {
        model.apply(message("lobby", seq, "bob", &format!("m{seq}")));
    }
    model.apply(presence(
        11,
        PresenceChange::LeftRoom { room: "lobby".into(), user: "bob".into(), members: 1, after_seq: 1 },
    ));
    assert_eq!(lines(&model), ["bob: m1", "[bob left]", "bob: m2", "bob: m3"]);
    assert!(!chat(&model).rooms["lobby"].members.contains("bob"));
}

#[test]
fn someone_going_offline_leaves_the_users_and_every_room() {
    // Presence already in the Welcome is left out by the client core (reconcile's tests).
    let mut model = logged_in();
    model.apply(presence(11, PresenceChange::Offline { user: "bob".into() }));
    assert_eq!(chat(&model).users, ["alice"]);
    assert!(!chat(&model).rooms["lobby"].members.contains("bob"));
}

#[test]
fn own_join_notice_is_not_shown_and_rooms_are_created_live() {
    let mut model = logged_in();
    model.apply(presence(
        11,
        PresenceChange::JoinedRoom { room: "lobby".into(), user: "alice".into(), members: 2, after_seq: 0 },
    ));
    assert!(lines(&model).is_empty());
    model.apply(presence(12, PresenceChange::RoomCreated { room: room_info("art", "drawing", 1) }));
    assert_eq!(chat(&model).directory["art"].topic, "drawing");
}

#[test]
fn renames_update_users_members_senders_and_conversations() {
    let mut model = logged_in();
    model.apply(message("lobby", 1, "bob", "hi"));
    model.apply(direct(1, "bob", "alice", "psst"));
    model.act(Action::Select(Target::Direct("bob".into())));
    model.apply(presence(11, PresenceChange::Renamed { old: "bob".into(), new: "robert".into() }));
    let chat_state = chat(&model);
    assert_eq!(chat_state.users, ["alice", "robert"]);
    assert!(chat_state.rooms["lobby"].members.contains("robert"));
    assert_eq!(chat_state.current, Target::Direct("robert".into()));
    assert!(chat_state.directs.contains_key("robert") && !chat_state.directs.contains_key("bob"));
    model.act(Action::Select(Target::Room("lobby".into())));
    assert_eq!(lines(&model), ["robert: hi", "[bob is now known as robert]"]);
}

#[test]
fn own_rename_reported_on_both_streams_is_applied_once() {
    let mut model = logged_in();
    assert_eq!(model.act(Action::ChangeNick("ally".into())), Some(Command::Nick { name: "ally".into() }));
    model.apply(presence(11, PresenceChange::Renamed { old: "alice".into(), new: "ally".into() }));
    model.apply(NetEvent::Chat(ChatEvent::Renamed { old: "alice".into(), new: "ally".into(), ts: 9 }));
    assert_eq!(chat(&model).me, "ally");
    assert_eq!(model.title(), "ally — Anseo");
    assert_eq!(chat(&model).users, ["ally", "bob"]);
    assert_eq!(lines(&model), ["[You are now known as ally]"]);
}

#[test]
fn nick_is_validated_before_sending() {
    let mut model = logged_in();
    model.act(Action::OpenDialog(Dialog::Nick));
    assert_eq!(model.act(Action::ChangeNick("no spaces".into())), None);
    assert!(chat(&model).error.is_some());
    assert_eq!(chat(&model).dialog, Some(Dialog::Nick), "the dialog stays open to fix it");
    assert_eq!(model.act(Action::ChangeNick("alice".into())), None, "same name: nothing to do");
    assert_eq!(chat(&model).dialog, None);
}

#[test]
fn direct_messages_make_conversations_with_unread_counts() {
    let mut model = logged_in();
    model.apply(direct(1, "bob", "alice", "hello alice"));
    assert_eq!(chat(&model).directs["bob"].unread, 1);
    model.act(Action::Select(Target::Direct("bob".into())));
    assert_eq!(chat(&model).directs["bob"].unread, 0);
    assert_eq!(
        model.act(Action::Send("hi bob".into())),
        Some(Command::Direct { to: "bob".into(), text: "hi bob".into() })
    );
    model.apply(direct(2, "alice", "bob", "hi bob"));
    assert_eq!(lines(&model), ["bob: hello alice", "alice: hi bob"]);
    assert_eq!(chat(&model).directs["bob"].unread, 0);
}

#[test]
fn clicking_a_user_opens_a_direct_conversation_but_not_with_oneself() {
    let mut model = logged_in();
    model.act(Action::ShowPane(Pane::Users));
    model.act(Action::OpenDirect("bob".into()));
    assert_eq!(chat(&model).current, Target::Direct("bob".into()));
    assert_eq!(chat(&model).pane, Pane::Chat);
    model.act(Action::OpenDirect("alice".into()));
    assert_eq!(chat(&model).current, Target::Direct("bob".into()));
    assert!(!chat(&model).directs.contains_key("alice"));
}

#[test]
fn send_checks_the_limit_and_shows_why() {
    let mut model = logged_in();
    assert_eq!(
        model.act(Action::Send("hello".into())),
        Some(Command::Say { room: "lobby".into(), text: "hello".into() })
    );
    assert_eq!(model.act(Action::Send("   ".into())), None);
    assert!(chat(&model).composer_error.as_deref().unwrap().contains("empty"));
    let long = "x".repeat(21);
    model.act(Action::Draft(long.clone()));
    assert!(chat(&model).draft_too_long());
    assert_eq!(chat(&model).counter().as_deref(), Some("21 / 20"));
    assert_eq!(model.act(Action::Send(long)), None);
    assert!(chat(&model).composer_error.as_deref().unwrap().contains("limit is 20"));
    model.act(Action::Draft("x".repeat(15)));
    assert_eq!(chat(&model).counter(), None, "15 of 20 is below 80%");
    model.act(Action::Draft("x".repeat(16)));
    assert_eq!(chat(&model).counter().as_deref(), Some("16 / 20"));
    model.act(Action::Draft("a\nb".into()));
    assert_eq!(
        model.act(Action::Send("a\nb".into())),
        Some(Command::Say { room: "lobby".into(), text: "a\nb".into() })
    );
}

#[test]
fn join_validates_creates_with_topic_and_opens_when_confirmed() {
    let mut model = logged_in();
    model.act(Action::OpenDialog(Dialog::JoinRoom));
    assert_eq!(model.act(Action::JoinRoom { room: "bad room".into(), topic: String::new() }), None);
    assert!(chat(&model).error.is_some());
    assert_eq!(
        model.act(Action::JoinRoom { room: "#art".into(), topic: " drawing ".into() }),
        Some(Command::Join { room: "art".into(), topic: Some("drawing".into()) })
    );
    assert_eq!(chat(&model).dialog, None);
    assert_eq!(chat(&model).current, Target::Room("lobby".into()), "opened only when the server confirms");
    model.apply(NetEvent::Chat(ChatEvent::Joined {
        room: room_info("art", "drawing", 1),
        members: vec!["alice".into()],
        ts: 1,
        creator: String::new(),
    }));
    assert_eq!(chat(&model).current, Target::Room("art".into()));
    assert_eq!(chat(&model).rooms["art"].topic, "drawing");
    assert_eq!(
        model.act(Action::JoinRoom { room: "lobby".into(), topic: String::new() }),
        None,
        "already a member: just opens it"
    );
    assert_eq!(chat(&model).current, Target::Room("lobby".into()));
}

#[test]
fn leave_room_and_the_servers_confirmation() {
    let mut model = logged_in();
    assert_eq!(model.act(Action::LeaveRoom("lobby".into())), None, "the lobby cannot be left");
    model.apply(NetEvent::Chat(ChatEvent::Joined {
        room: room_info("maths", "", 1),
        members: vec![],
        ts: 1,
        creator: String::new(),
    }));
    model.act(Action::Select(Target::Room("maths".into())));
    assert_eq!(model.act(Action::LeaveRoom("maths".into())), Some(Command::Leave { room: "maths".into() }));
    model.apply(NetEvent::Chat(ChatEvent::Left { room: "maths".into(), ts: 2 }));
    assert!(!chat(&model).rooms.contains_key("maths"));
    assert_eq!(chat(&model).current, Target::Room("lobby".into()));
}

#[test]
fn server_errors_and_failed_commands_are_shown_until_dismissed() {
    let mut model = logged_in();
    model.apply(NetEvent::Chat(ChatEvent::CommandFailed {
        code: ErrorCode::NoSuchRoom,
        message: "no room called #zed".into(),
        ts: 1,
    }));
    assert_eq!(chat(&model).error.as_deref(), Some("no room called #zed"));
    model.act(Action::DismissError);
    assert_eq!(chat(&model).error, None);
    model.apply(NetEvent::CommandFailed("not connected".into()));
    assert_eq!(chat(&model).error.as_deref(), Some("not connected"));
}

#[test]
fn users_and_rooms_replies_replace_the_lists() {
    let mut model = logged_in();
    model.apply(NetEvent::Chat(ChatEvent::Users { users: vec!["alice".into(), "zed".into()], ts: 1 }));
    assert_eq!(chat(&model).users, ["alice", "zed"]);
    model.apply(NetEvent::Chat(ChatEvent::Rooms { rooms: vec![room_info("x", "", 0)], ts: 1 }));
    assert_eq!(chat(&model).directory.keys().collect::<Vec<_>>(), ["x"]);
}

#[test]
fn scrolling_up_shows_a_new_messages_marker() {
    let mut model = logged_in();
    model.act(Action::Scrolled { at_bottom: false });
    model.apply(message("lobby", 1, "bob", "a"));
    model.apply(message("lobby", 2, "bob", "b"));
    model.apply(message("lobby", 3, "alice", "mine"));
    assert_eq!(chat(&model).new_below, 2);
    model.act(Action::Scrolled { at_bottom: true });
    assert_eq!(chat(&model).new_below, 0);
    assert!(!chat(&model).scrolled_up);
}

#[test]
fn ten_thousand_messages_are_windowed() {
    let mut model = logged_in();
    for seq in 1..=10_000 {
        model.apply(message("lobby", seq, "bob", "x"));
    }
    let chat_state = chat(&model);
    let timeline = chat_state.current_timeline().unwrap();
    assert_eq!(timeline.len(), 10_000);
    assert_eq!(timeline.numbered_last(chat_state.shown).count(), PAGE);
    model.act(Action::LoadOlder);
    assert_eq!(chat(&model).shown, 2 * PAGE);
    model.act(Action::Select(Target::Direct("bob".into())));
    model.act(Action::Select(Target::Room("lobby".into())));
    assert_eq!(chat(&model).shown, PAGE, "switching conversations starts from the newest again");
}

#[test]
fn reconnecting_is_shown_with_its_attempt_and_the_resume_says_what_was_missed() {
    let mut model = logged_in();
    model.apply(message("lobby", 5, "bob", "before"));
    model.apply(NetEvent::Chat(ChatEvent::Reconnecting { attempt: 1 }));
    assert_eq!(chat(&model).status, Status::Reconnecting { attempt: 1 });
    model.apply(NetEvent::Chat(ChatEvent::Reconnecting { attempt: 2 }));
    let status = chat(&model).status_text();
    assert!(status.contains("Reconnecting… (attempt 2)"), "{status}");
    assert_eq!(model.title(), "alice (reconnecting…) — Anseo");
    // The client core passes on what was missed, in order, then says it is back.
    model.apply(message("lobby", 6, "bob", "missed one"));
    model.apply(message("lobby", 7, "bob", "missed two"));
    model.apply(NetEvent::Chat(ChatEvent::Resumed {
        missed: 2,
        welcome: welcome("alice"),
        members: BTreeMap::new(),
    }));
    assert_eq!(chat(&model).status, Status::Connected);
    assert_eq!(model.title(), "alice — Anseo");
    assert!(chat(&model).status_text().starts_with("Connected to"));
    model.apply(message("lobby", 8, "bob", "after"));
    assert_eq!(
        lines(&model),
        [
            "bob: before",
            "bob: missed one",
            "bob: missed two",
            "[Reconnected — 2 missed messages]",
            "bob: after"
        ]
    );
}

#[test]
fn the_resume_notice_counts_one_or_none_in_words() {
    let mut model = logged_in();
    model.apply(NetEvent::Chat(ChatEvent::Reconnecting { attempt: 1 }));
    model.apply(NetEvent::Chat(ChatEvent::Resumed {
        missed: 0,
        welcome: welcome("alice"),
        members: BTreeMap::new(),
    }));
    model.apply(NetEvent::Chat(ChatEvent::Reconnecting { attempt: 1 }));
    model.apply(message("lobby", 1, "bob", "one"));
    model.apply(NetEvent::Chat(ChatEvent::Resumed {
        missed: 1,
        welcome: welcome("alice"),
        members: BTreeMap::new(),
    }));
    assert_eq!(lines(&model), ["[Reconnected]", "bob: one", "[Reconnected — 1 missed message]"]);
}

#[test]
fn a_resume_keeps_room_members_who_are_still_online_and_takes_the_new_user_list() {
    let mut model = logged_in();
    model.apply(NetEvent::Chat(ChatEvent::Joined {
        room: room_info("maths", "sums", 3),
        members: vec!["alice".into(), "bob".into(), "carol".into()],
        ts: 1,
        creator: String::new(),
    }));
    model.apply(NetEvent::Chat(ChatEvent::Reconnecting { attempt: 1 }));
    let mut back = welcome("alice");
    back.users = vec!["alice".into(), "bob".into(), "dave".into()];
    back.members = back.users.clone();
    back.presence_seq = 40;
    model.apply(NetEvent::Chat(ChatEvent::Resumed {
        missed: 0,
        welcome: back.clone(),
        members: BTreeMap::new(),
    }));
    let resumed = chat(&model);
    assert_eq!(resumed.users, ["alice", "bob", "dave"]);
    let maths: Vec<&String> = resumed.rooms["maths"].members.iter().collect();
    assert_eq!(maths, ["alice", "bob"], "carol went offline");
    // With the rejoin's answer, the room's members are the server's list, newcomers included.
    model.apply(NetEvent::Chat(ChatEvent::Reconnecting { attempt: 1 }));
    let rejoined = BTreeMap::from([("maths".to_string(), vec!["alice".to_string(), "dave".to_string()])]);
    model.apply(NetEvent::Chat(ChatEvent::Resumed { missed: 0, welcome: back, members: rejoined }));
    let maths: Vec<&String> = chat(&model).rooms["maths"].members.iter().collect();
    assert_eq!(maths, ["alice", "dave"], "dave joined maths while alice was away, bob left it");
    assert_eq!(chat(&model).rooms["lobby"].members.len(), 3);
}

#[test]
fn messages_sent_while_reconnecting_are_pending_until_their_echo() {
    let mut model = logged_in();
    model.apply(NetEvent::Chat(ChatEvent::Reconnecting { attempt: 3 }));
    assert_eq!(
        model.act(Action::Send("typed offline".into())),
        Some(Command::Say { room: "lobby".into(), text: "typed offline".into() }),
        "sending is not refused while reconnecting"
    );
    assert_eq!(chat(&model).composer_error, None);
    let lobby = Target::Room("lobby".into());
    let pending = PendingLine { client_msg_id: 7, to: lobby.clone(), text: "typed offline".into() };
    model.apply(sending(pending.clone()));
    assert_eq!(chat(&model).pending.to(&lobby).collect::<Vec<_>>(), [&pending]);
    assert!(lines(&model).is_empty(), "not in the conversation until the server has it");

    model.apply(NetEvent::Chat(ChatEvent::Resumed {
        missed: 0,
        welcome: welcome("alice"),
        members: BTreeMap::new(),
    }));
    // Someone else's message with the same client id is not the echo (the client core says
    // which message confirms which send).
    let mut other = RoomMessage {
        id: 50,
        room: "lobby".into(),
        seq: 1,
        from: "bob".into(),
        text: "hi".into(),
        ts: 5,
        client_msg_id: 7,
        attachment: None,
        kind: Default::default(),
        state: Default::default(),
    };
    model.apply(NetEvent::Chat(ChatEvent::Message { message: other.clone(), confirms: None }));
    assert!(!chat(&model).pending.is_empty());
    other.id = 51;
    other.seq = 2;
    other.from = "alice".into();
    other.text = "typed offline".into();
    model.apply(NetEvent::Chat(ChatEvent::Message { message: other, confirms: Some(7) }));
    assert!(chat(&model).pending.is_empty());
    assert_eq!(lines(&model), ["[Reconnected]", "bob: hi", "alice: typed offline"], "once");
}

#[test]
fn a_refused_message_stays_with_its_reason_until_sent_again_or_discarded() {
    let mut model = logged_in();
    let to_bob = Target::Direct("bob".into());
    model.apply(sending(PendingLine { client_msg_id: 1, to: to_bob.clone(), text: "to nobody".into() }));
    model.apply(NetEvent::Chat(ChatEvent::Refused {
        client_msg_id: 1,
        code: ErrorCode::NoSuchUser,
        message: "bob is not online".into(),
        ts: 1,
    }));
    let pending: Vec<_> = chat(&model).pending.to(&to_bob).map(|line| line.text.clone()).collect();
    assert_eq!(pending, ["to nobody"]);
    assert_eq!(chat(&model).pending.failure(1), Some("Bob is not online"));
    assert_eq!(chat(&model).error, None, "the reason shows on the message, not as a banner");
    assert_eq!(
        model.act(Action::RetrySend(1)),
        Some(Command::Direct { to: "bob".into(), text: "to nobody".into() })
    );
    assert!(chat(&model).pending.is_empty(), "the new send comes back with its own note");

    model.apply(sending(PendingLine { client_msg_id: 2, to: to_bob.clone(), text: "later".into() }));
    model.apply(NetEvent::Chat(ChatEvent::Unsent {
        client_msg_id: 2,
        reason: "not sent: the server shut down".into(),
    }));
    assert_eq!(chat(&model).pending.failure(2), Some("Not sent: the server shut down"));
    assert_eq!(model.act(Action::DiscardUnsent(2)), None);
    assert!(chat(&model).pending.is_empty());
    assert_eq!(model.act(Action::RetrySend(2)), None, "nothing left to send again");
}

#[test]
fn pending_direct_messages_follow_a_rename() {
    let mut model = logged_in();
    let line = PendingLine { client_msg_id: 2, to: Target::Direct("bob".into()), text: "hey".into() };
    model.apply(sending(line));
    model.apply(presence(11, PresenceChange::Renamed { old: "bob".into(), new: "robert".into() }));
    assert_eq!(chat(&model).pending.to(&Target::Direct("robert".into())).count(), 1);
}

#[test]
fn a_session_that_ends_for_good_returns_to_the_form_saying_why() {
    let mut model = logged_in();
    model.apply(NetEvent::Chat(ChatEvent::Reconnecting { attempt: 1 }));
    model.apply(NetEvent::LoginFailed(LoginFailure::Other(
        "the connection to the server was lost: the server is full".into(),
    )));
    assert!(model.chat.is_none());
    assert_eq!(model.login.name, "alice");
    assert_eq!(
        model.login.error.as_deref(),
        Some("The connection to the server was lost: the server is full")
    );
    assert!(model.act(Action::SubmitLogin).is_some(), "can log in again");
}

#[test]
fn certificate_problem_while_reconnecting_returns_to_the_form() {
    let mut model = logged_in();
    model.apply(NetEvent::Chat(ChatEvent::Reconnecting { attempt: 1 }));
    let (a, b) = (Fingerprint::of_der(b"a"), Fingerprint::of_der(b"b"));
    model.apply(NetEvent::LoginFailed(LoginFailure::CertificateChanged {
        server: "h:1".into(),
        expected: a,
        actual: b,
    }));
    assert!(model.chat.is_none());
    assert!(model.login.certificate_warning.is_some());
}

#[test]
fn disconnect_quits_and_shows_the_form() {
    let mut model = logged_in();
    assert_eq!(model.act(Action::Disconnect), Some(Command::Quit));
    assert!(model.chat.is_none());
    assert_eq!(model.title(), "Anseo");
    assert_eq!(model.act(Action::Disconnect), None);
    model.apply(NetEvent::LoggedOut);
    assert!(model.chat.is_none());
    assert!(model.act(Action::SubmitLogin).is_some(), "can log in again");
}

#[test]
fn panes_switch_on_phones() {
    let mut model = logged_in();
    model.act(Action::ShowPane(Pane::Rooms));
    assert_eq!(chat(&model).pane, Pane::Rooms);
    model.act(Action::Select(Target::Room("lobby".into())));
    assert_eq!(chat(&model).pane, Pane::Chat);
    model.act(Action::ShowPane(Pane::Users));
    assert_eq!(chat(&model).pane, Pane::Users);
}

#[test]
fn chat_actions_before_login_do_nothing() {
    let mut model = Model::new("a".into(), "h:1".into(), None);
    assert_eq!(model.act(Action::Send("x".into())), None);
    assert_eq!(model.act(Action::Select(Target::Room("lobby".into()))), None);
    model.apply(message("lobby", 1, "bob", "x"));
    assert!(model.chat.is_none());
}

#[test]
fn blocks_group_consecutive_messages_and_break_on_notices_and_time() {
    let mut timeline = Timeline::default();
    let line = |id, from: &str, ts| ChatLine {
        id,
        from: from.into(),
        text: format!("t{id}"),
        ts,
        file: None,
        reactions: Vec::new(),
        state: Default::default(),
    };
    timeline.add_message(1, line(1, "bob", 0));
    timeline.add_message(2, line(2, "bob", 1_000));
    timeline.add_message(3, line(3, "carol", 2_000));
    timeline.add_notice(3, Notice { text: "dave joined".into(), ts: 2_500 });
    timeline.add_message(4, line(4, "carol", 3_000));
    timeline.add_message(5, line(5, "carol", 3_000 + timeline::GROUP_WINDOW_MS + 1));
    let shape: Vec<String> = blocks(timeline.numbered_last(usize::MAX))
        .iter()
        .map(|b| match b {
            Block::Group { from, lines, .. } => format!("{from}x{}", lines.len()),
            Block::Notice { notice, .. } => notice.text.clone(),
            Block::NewMessages { .. } => "line".into(),
        })
        .collect();
    assert_eq!(shape, ["bobx2", "carolx1", "dave joined", "carolx1", "carolx1"]);
    let keys: Vec<u64> = blocks(timeline.numbered_last(usize::MAX)).iter().map(Block::key).collect();
    assert_eq!(keys, [1, 3, 4, 5, 6], "each block is keyed by its first entry's arrival");
}

/// A page of `room`'s history with the messages `seqs` (ids and texts as [`message`] makes
/// them, so a live message and its copy in a page are the same message).
fn page(room: &str, seqs: std::ops::RangeInclusive<u64>, more: bool) -> NetEvent {
    let messages = seqs
        .map(|seq| RoomMessage {
            id: 1000 + seq + if room == "lobby" { 0 } else { 500 },
            room: room.into(),
            seq,
            from: "carol".into(),
            text: format!("m{seq}"),
            ts: 2_000 + seq,
            client_msg_id: 0,
            attachment: None,
            kind: Default::default(),
            state: Default::default(),
        })
        .collect();
    NetEvent::Chat(ChatEvent::History(HistoryPage { room: room.into(), messages, more, ts: 9 }))
}

/// A page with no messages: nothing older (or a server without a store).
fn empty_page(room: &str) -> NetEvent {
    NetEvent::Chat(ChatEvent::History(HistoryPage {
        room: room.into(),
        messages: vec![],
        more: false,
        ts: 9,
    }))
}

fn lobby_history(model: &Model) -> History {
    chat(model).rooms["lobby"].history
}

fn older(room: &str, before: u64) -> Option<Command> {
    Some(Command::History { room: room.into(), before: Some(before), limit: OLDER_PAGE })
}

#[test]
fn a_page_after_live_messages_is_merged_in_order_without_duplicates_or_unread() {
    let mut model = logged_in();
    // Live messages may arrive before the page of what came before them.
    model.apply(message("lobby", 3, "carol", "m3"));
    model.act(Action::Scrolled { at_bottom: false });
    model.apply(message("lobby", 4, "bob", "live"));
    assert_eq!(chat(&model).new_below, 1);
    model.apply(page("lobby", 1..=3, false));
    model.apply(page("lobby", 1..=3, false));
    assert_eq!(lines(&model), ["carol: m1", "carol: m2", "carol: m3", "bob: live"]);
    assert_eq!(chat(&model).new_below, 1, "history is not new below");
    assert_eq!(chat(&model).rooms["lobby"].unread, 0);

    model.apply(NetEvent::Chat(ChatEvent::Joined {
        room: room_info("maths", "sums", 2),
        members: vec!["alice".into(), "carol".into()],
        ts: 5,
        creator: String::new(),
    }));
    model.apply(page("maths", 1..=5, false));
    assert_eq!(chat(&model).rooms["maths"].unread, 0, "history is not unread");
    assert_eq!(chat(&model).rooms["maths"].timeline.len(), 5);
}

#[test]
fn notices_stay_after_the_message_they_follow_when_history_comes_later() {
    let mut model = logged_in();
    model.apply(presence(
        11,
        PresenceChange::JoinedRoom { room: "lobby".into(), user: "dave".into(), members: 3, after_seq: 2 },
    ));
    model.apply(page("lobby", 1..=3, false));
    assert_eq!(lines(&model), ["carol: m1", "carol: m2", "[dave joined]", "carol: m3"]);
}

#[test]
fn load_older_asks_once_for_the_page_before_the_oldest_message() {
    let mut model = logged_in();
    assert_eq!(model.act(Action::LoadOlder), None, "nothing known about older messages yet");
    model.apply(page("lobby", 51..=100, true));
    assert_eq!(lobby_history(&model), History { oldest_seq: Some(51), more: true, loading: false });
    assert_eq!(model.act(Action::LoadOlder), older("lobby", 51));
    assert_eq!(model.act(Action::LoadOlder), None, "one request at a time");
    assert_eq!(model.act(Action::LoadOlder), None);
    // A live message meanwhile changes nothing about the request.
    model.apply(message("lobby", 101, "bob", "live"));
    model.apply(page("lobby", 1..=50, false));
    let expected: Vec<String> =
        (1..=100).map(|seq| format!("carol: m{seq}")).chain(["bob: live".to_string()]).collect();
    assert_eq!(lines(&model), expected);
    assert_eq!(lobby_history(&model), History { oldest_seq: Some(1), more: false, loading: false });
    assert!(lobby_history(&model).at_beginning());
    assert_eq!(model.act(Action::LoadOlder), None, "nothing older than the first message");
}

#[test]
fn no_request_when_the_server_has_nothing_older() {
    let mut model = logged_in();
    model.apply(page("lobby", 1..=20, false));
    assert_eq!(model.act(Action::LoadOlder), None);
    // Without a store, pages are empty.
    let mut model = logged_in();
    model.apply(empty_page("lobby"));
    model.apply(message("lobby", 7, "bob", "live"));
    assert_eq!(model.act(Action::LoadOlder), None);
    assert!(!lobby_history(&model).at_beginning(), "the messages before joining are unknown");
    // Direct conversations have no history to ask for.
    let mut model = logged_in();
    model.apply(page("lobby", 51..=100, true));
    model.act(Action::OpenDirect("bob".into()));
    assert_eq!(model.act(Action::LoadOlder), None);
}

#[test]
fn an_empty_answer_means_nothing_older() {
    let mut model = logged_in();
    model.apply(page("lobby", 51..=100, true));
    assert_eq!(model.act(Action::LoadOlder), older("lobby", 51));
    model.apply(empty_page("lobby"));
    assert_eq!(lobby_history(&model), History { oldest_seq: Some(51), more: false, loading: false });
    assert_eq!(model.act(Action::LoadOlder), None);
}

#[test]
fn older_messages_are_all_drawn_and_what_is_loaded_comes_before_asking() {
    let mut model = logged_in();
    model.apply(page("lobby", 151..=200, true));
    for seq in 201..=290 {
        model.apply(message("lobby", seq, "bob", "x"));
    }
    assert_eq!(model.act(Action::LoadOlder), older("lobby", 151));
    model.apply(page("lobby", 101..=150, true));
    let chat_state = chat(&model);
    assert_eq!(chat_state.shown, 190, "the older page is drawn in full, above the rest");
    let first =
        chat_state.current_timeline().unwrap().numbered_last(chat_state.shown).next().map(|(_, entry)| entry);
    assert!(matches!(first, Some(Entry::Message(m)) if m.text == "m101"), "{first:?}");

    for seq in 291..=400 {
        model.apply(message("lobby", seq, "bob", "x"));
    }
    assert_eq!(model.act(Action::LoadOlder), None, "110 loaded entries are not drawn yet");
    assert_eq!(chat(&model).shown, 190 + PAGE);
    assert_eq!(model.act(Action::LoadOlder), older("lobby", 101));
}

#[test]
fn older_pages_go_above_what_came_before_a_reconnect() {
    let mut model = logged_in();
    model.apply(page("lobby", 51..=100, true));
    assert_eq!(model.act(Action::LoadOlder), older("lobby", 51));
    model.apply(NetEvent::Chat(ChatEvent::Reconnecting { attempt: 1 }));
    assert_eq!(model.act(Action::LoadOlder), None, "no requests while offline");
    // The client core passes on the one message that was missed, then resumes.
    model.apply(message("lobby", 101, "carol", "m101"));
    model.apply(NetEvent::Chat(ChatEvent::Resumed {
        missed: 1,
        welcome: welcome("alice"),
        members: BTreeMap::new(),
    }));
    model.apply(message("lobby", 102, "carol", "m102"));
    assert_eq!(lobby_history(&model).oldest_seq, Some(51));
    assert_eq!(model.act(Action::LoadOlder), older("lobby", 51), "the lost request is asked again");
    model.apply(page("lobby", 1..=50, false));
    let mut expected: Vec<String> = (1..=100).map(|seq| format!("carol: m{seq}")).collect();
    expected.extend(["carol: m101", "[Reconnected — 1 missed message]", "carol: m102"].map(String::from));
    assert_eq!(lines(&model), expected);
}

#[test]
fn a_refused_history_request_can_be_asked_again() {
    let mut model = logged_in();
    model.apply(page("lobby", 51..=100, true));
    assert_eq!(model.act(Action::LoadOlder), older("lobby", 51));
    model.apply(NetEvent::Chat(ChatEvent::CommandFailed {
        code: ErrorCode::RateLimited,
        message: "slow down".into(),
        ts: 1,
    }));
    assert_eq!(model.act(Action::LoadOlder), older("lobby", 51));
}

#[test]
fn a_page_for_a_room_left_meanwhile_is_dropped() {
    let mut model = logged_in();
    model.apply(NetEvent::Chat(ChatEvent::Joined {
        room: room_info("maths", "", 1),
        members: vec![],
        ts: 1,
        creator: String::new(),
    }));
    model.apply(NetEvent::Chat(ChatEvent::Left { room: "maths".into(), ts: 2 }));
    model.apply(page("maths", 1..=3, false));
    assert!(!chat(&model).rooms.contains_key("maths"));
}

#[test]
fn a_restarted_server_without_a_store_may_use_an_id_again() {
    let mut model = logged_in();
    model.apply(message("lobby", 1, "bob", "before"));
    model.apply(NetEvent::Chat(ChatEvent::Reconnecting { attempt: 1 }));
    model.apply(NetEvent::Chat(ChatEvent::Resumed {
        missed: 0,
        welcome: welcome("alice"),
        members: BTreeMap::new(),
    }));
    // The same id and sequence number as the first message, at a later time.
    model.apply(NetEvent::Chat(ChatEvent::Message {
        message: RoomMessage {
            id: 1001,
            room: "lobby".into(),
            seq: 1,
            from: "bob".into(),
            text: "after".into(),
            ts: 9_000,
            client_msg_id: 0,
            attachment: None,
            kind: Default::default(),
            state: Default::default(),
        },
        confirms: None,
    }));
    assert_eq!(lines(&model), ["bob: before", "[Reconnected]", "bob: after"]);
}

#[test]
fn the_password_goes_with_the_login_only_when_typed_and_is_cleared_after() {
    let mut model = Model::new("bob".into(), "h:1".into(), None);
    model.act(Action::EditPassword(Secret::new("bob's password")));
    assert_eq!(
        model.act(Action::SubmitLogin),
        Some(Command::Connect {
            server: "h:1".into(),
            name: "bob".into(),
            password: Some(Secret::new("bob's password")),
            pin: None
        })
    );
    model.apply(NetEvent::Connected(welcome("bob")));
    assert!(model.login.password.is_empty(), "not kept in memory after the login");
    assert!(!format!("{model:?}").contains("bob's password"));

    let mut model = Model::new("bob".into(), "h:1".into(), None);
    model.act(Action::EditPassword(Secret::new("x")));
    model.act(Action::EditPassword(Secret::default()));
    let Some(Command::Connect { password, .. }) = model.act(Action::SubmitLogin) else { panic!() };
    assert_eq!(password, None, "an emptied field means: use the login kept on this device");
}

#[test]
fn a_claimed_name_asks_for_its_password_on_the_form() {
    let mut model = Model::new("bob".into(), "h:1".into(), None);
    model.act(Action::SubmitLogin);
    model.apply(NetEvent::LoginFailed(LoginFailure::PasswordRequired("bob".into())));
    assert!(model.chat.is_none() && !model.login.connecting);
    assert_eq!(model.login.password_error.as_deref(), Some("The name 'bob' is claimed: enter its password"));
    assert_eq!(model.login.error, None);
    model.act(Action::EditPassword(Secret::new("b")));
    assert_eq!(model.login.password_error, None, "typing clears it");
    let Some(Command::Connect { password, .. }) = model.act(Action::SubmitLogin) else { panic!() };
    assert_eq!(password, Some(Secret::new("b")));
}

#[test]
fn password_refusals_say_what_to_do() {
    let cases = [
        (
            LoginFailure::WrongPassword { name: "bob".into(), retry_after_ms: 3_200 },
            "Wrong password for 'bob'; try again in 4 s",
        ),
        (
            LoginFailure::WrongPassword { name: "bob".into(), retry_after_ms: 0 },
            "Wrong password for 'bob'; check it and try again",
        ),
        (
            LoginFailure::AccountRequired("dan".into()),
            "This server only accepts claimed names: enter a password to claim 'dan'",
        ),
        (
            LoginFailure::InvalidPassword("the password is too short: at least 8 characters".into()),
            "The password is too short: at least 8 characters",
        ),
        (
            LoginFailure::SavedLoginRefused("bob".into()),
            "The login kept on this device for 'bob' is no longer accepted (was the password changed?): \
             enter its password",
        ),
    ];
    for (failure, message) in cases {
        let mut model = Model::new("bob".into(), "h:1".into(), None);
        model.act(Action::SubmitLogin);
        model.apply(NetEvent::LoginFailed(failure));
        assert_eq!(model.login.password_error.as_deref(), Some(message));
        assert!(!model.login.connecting);
    }
}

#[test]
fn password_errors_map_from_the_client_core() {
    use anseo_shared::client::ConnectError;
    let wrong = ConnectError::WrongPassword { name: "bob".into(), retry_after_ms: 4000 };
    assert_eq!(
        LoginFailure::from(&wrong),
        LoginFailure::WrongPassword { name: "bob".into(), retry_after_ms: 4000 }
    );
    let cases = [
        (ConnectError::PasswordRequired("bob".into()), LoginFailure::PasswordRequired("bob".into())),
        (ConnectError::AccountRequired("dan".into()), LoginFailure::AccountRequired("dan".into())),
        (ConnectError::InvalidPassword("short".into()), LoginFailure::InvalidPassword("short".into())),
    ];
    for (error, failure) in cases {
        assert_eq!(LoginFailure::from(&error), failure);
    }
    assert!(LoginFailure::PasswordRequired("bob".into()).refuses_saved_login());
    assert!(LoginFailure::WrongPassword { name: "bob".into(), retry_after_ms: 0 }.refuses_saved_login());
    let blocked = LoginFailure::WrongPassword { name: "bob".into(), retry_after_ms: 2000 };
    assert!(!blocked.refuses_saved_login(), "a blocked name may not have had its token checked");
    assert!(!LoginFailure::AccountRequired("dan".into()).refuses_saved_login());
}

#[test]
fn a_final_failure_while_reconnecting_ends_the_session_saying_why() {
    use anseo_shared::client::{ConnectError, Disconnect, GaveUp};
    let (old, new) = (Fingerprint::of_der(b"old"), Fingerprint::of_der(b"new"));
    // What a resilient session reports when it gives up.
    let gave_up = |error: ConnectError| Disconnect::GaveUp(GaveUp::from(&error));
    let changed = ConnectError::CertificateChanged { server: "h:1".into(), expected: old, actual: new };
    assert_eq!(
        LoginFailure::session_ended(&gave_up(changed), "h:1", "bob"),
        LoginFailure::CertificateChanged { server: "h:1".into(), expected: old, actual: new }
    );
    let mismatch = ConnectError::FingerprintMismatch { expected: old, actual: new };
    assert_eq!(
        LoginFailure::session_ended(&gave_up(mismatch), "h:1", "bob"),
        LoginFailure::CertificateChanged { server: "h:1".into(), expected: old, actual: new }
    );
    for refused in [
        ConnectError::PasswordRequired("bob".into()),
        ConnectError::WrongPassword { name: "bob".into(), retry_after_ms: 0 },
    ] {
        assert_eq!(
            LoginFailure::session_ended(&gave_up(refused), "h:1", "bob"),
            LoginFailure::SavedLoginRefused("bob".into())
        );
    }
    let waiting = ConnectError::WrongPassword { name: "bob".into(), retry_after_ms: 4000 };
    assert_eq!(
        LoginFailure::session_ended(&gave_up(waiting), "h:1", "bob"),
        LoginFailure::Other("wrong password for 'bob'; too many tries, try again in 4 s".into()),
        "a wait may not mean the saved login is wrong"
    );
    let other =
        LoginFailure::session_ended(&gave_up(ConnectError::InvalidName("too long".into())), "h:1", "bob");
    assert_eq!(other, LoginFailure::Other("the name is not allowed: too long".into()));
    let kicked = Disconnect::ByServer { code: 2, reason: "protocol error".into() };
    assert_eq!(
        LoginFailure::session_ended(&kicked, "h:1", "bob"),
        LoginFailure::Other("the server closed the connection: protocol error".into())
    );
    // A lost connection is not a certificate problem, whatever its words.
    let lookalike = Disconnect::Lost(format!("the server's certificate changed: {old} {new}"));
    assert!(matches!(LoginFailure::session_ended(&lookalike, "h:1", "bob"), LoginFailure::Other(_)));
}

#[test]
fn claiming_checks_the_password_first_then_waits_for_the_servers_answer() {
    let mut model = logged_in();
    model.act(Action::OpenDialog(Dialog::Password));
    assert_eq!(model.act(Action::SetPassword(Secret::new("short"))), None);
    assert_eq!(chat(&model).error.as_deref(), Some("The password is too short: at least 8 characters"));
    assert_eq!(chat(&model).dialog, Some(Dialog::Password), "the dialog stays open");
    assert_eq!(
        model.act(Action::SetPassword(Secret::new("long enough"))),
        Some(Command::SetPassword { password: Secret::new("long enough") })
    );
    assert!(chat(&model).saving_password);
    assert_eq!(chat(&model).error, None);
    model.apply(NetEvent::TokenStored { name: "alice".into(), ts: 5 });
    assert!(!chat(&model).saving_password);
    assert_eq!(chat(&model).dialog, None);
    assert_eq!(lines(&model), ["[Password saved: the name alice is yours, and this device stays logged in]"]);
}

#[test]
fn a_refused_new_password_shows_the_servers_reason_in_the_dialog() {
    let mut model = logged_in();
    model.act(Action::OpenDialog(Dialog::Password));
    model.act(Action::SetPassword(Secret::new("long enough")));
    model.apply(NetEvent::Chat(ChatEvent::CommandFailed {
        code: ErrorCode::InvalidPassword,
        message: "the password is too long: at most 128 characters".into(),
        ts: 1,
    }));
    assert!(!chat(&model).saving_password);
    assert_eq!(chat(&model).dialog, Some(Dialog::Password));
    assert_eq!(chat(&model).error.as_deref(), Some("the password is too long: at most 128 characters"));
}

#[test]
fn the_token_after_a_password_login_is_kept_without_a_word() {
    let mut model = logged_in();
    model.apply(NetEvent::TokenStored { name: "alice".into(), ts: 5 });
    assert!(lines(&model).is_empty());
}

#[test]
fn the_counter_shows_from_80_percent_of_the_limit() {
    for max in [1, 7, 20, 2000, 10_000] {
        for chars in 0..=max + 1 {
            let shown = chars * 100 >= max * super::COUNTER_FROM_PERCENT;
            assert_eq!(super::draft_counter(chars, max).is_some(), shown, "{chars} of {max}");
            assert_eq!(chars >= super::counter_from(max), shown, "{chars} of {max}");
        }
    }
    assert_eq!(super::draft_counter(1600, 2000).as_deref(), Some("1600 / 2000"));
}

fn with_file(seq: u64, text: &str, attachment: anseo_shared::protocol::Attachment) -> NetEvent {
    let NetEvent::Chat(ChatEvent::Message { mut message, confirms }) = message("lobby", seq, "bob", text)
    else {
        unreachable!()
    };
    message.attachment = Some(attachment);
    NetEvent::Chat(ChatEvent::Message { message, confirms })
}

fn homework() -> anseo_shared::protocol::Attachment {
    anseo_shared::protocol::Attachment {
        hash: [5; 32],
        name: "homework.pdf".into(),
        size: 2048,
        mime: "application/pdf".into(),
        picture: None,
    }
}

#[test]
fn a_file_in_a_message_is_kept_with_it_and_downloaded_once_at_a_time() {
    let mut model = logged_in();
    model.apply(with_file(1, "", homework()));
    let lines: Vec<&ChatLine> = chat(&model)
        .current_timeline()
        .unwrap()
        .iter()
        .filter_map(|entry| match entry {
            Entry::Message(line) => Some(line),
            Entry::Notice(_) => None,
        })
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!((lines[0].file.as_ref(), lines[0].text.as_str()), (Some(&homework()), ""));

    let download = Action::Download { hash: [5; 32], name: "homework.pdf".into() };
    assert_eq!(
        model.act(download.clone()),
        Some(Command::Download { hash: [5; 32], name: "homework.pdf".into() })
    );
    assert_eq!(model.act(download.clone()), None, "a second click while saving asks nothing");
    assert_eq!(chat(&model).downloads.get(&[5; 32]), Some(&Download::Saving));
    model.apply(NetEvent::Downloaded { hash: [5; 32], path: "/home/a/Downloads/homework.pdf".into() });
    assert_eq!(
        chat(&model).downloads.get(&[5; 32]),
        Some(&Download::Saved("/home/a/Downloads/homework.pdf".into()))
    );
    model.apply(NetEvent::DownloadFailed { hash: [6; 32], message: "not allowed".into() });
    assert_eq!(chat(&model).downloads.get(&[6; 32]), Some(&Download::Failed("not allowed".into())));
}

#[test]
fn a_file_picked_is_shared_in_the_open_conversation() {
    let mut model = logged_in();
    let file = PickedFile::Path("/home/alice/board.jpg".into());
    assert_eq!(file.name(), "board.jpg");
    assert_eq!(
        model.act(Action::SendFile(file.clone())),
        Some(Command::SendFile { to: Target::Room("lobby".into()), file: file.clone() })
    );
    model.act(Action::OpenDirect("bob".into()));
    assert_eq!(
        model.act(Action::SendFile(file.clone())),
        Some(Command::SendFile { to: Target::Direct("bob".into()), file })
    );
}

#[test]
fn files_on_their_way_show_their_progress_until_they_end_and_can_be_cancelled() {
    let mut model = logged_in();
    let progress = |id, done| NetEvent::TransferProgress {
        id,
        name: format!("file{id}.bin"),
        up: id == 1,
        done,
        total: 100,
    };
    model.apply(progress(1, 10));
    model.apply(progress(2, 0));
    model.apply(progress(1, 60));
    let seen: Vec<(u64, bool, u64)> = chat(&model).transfers.iter().map(|t| (t.id, t.up, t.done)).collect();
    assert_eq!(seen, [(1, true, 60), (2, false, 0)], "one row per transfer, in the order they started");

    assert_eq!(model.act(Action::CancelTransfer(2)), Some(Command::CancelTransfer { id: 2 }));
    model.apply(NetEvent::TransferEnded { id: 2 });
    model.apply(NetEvent::TransferEnded { id: 1 });
    assert!(chat(&model).transfers.is_empty());
}

#[test]
fn pictures_and_clips_come_into_the_cache_once_and_show_large_on_demand() {
    let mut model = logged_in();
    assert_eq!(model.act(Action::FetchMedia([7; 32])), Some(Command::FetchMedia { hash: [7; 32] }));
    assert_eq!(model.act(Action::FetchMedia([7; 32])), None, "asked once");
    assert_eq!(chat(&model).media.get(&[7; 32]), Some(&Media::Fetching));
    model.apply(NetEvent::MediaReady { hash: [7; 32], url: "/media/07".into() });
    assert_eq!(chat(&model).media.get(&[7; 32]), Some(&Media::Ready("/media/07".into())));
    model.apply(NetEvent::MediaFailed { hash: [8; 32], message: "not allowed".into() });
    assert_eq!(chat(&model).media.get(&[8; 32]), Some(&Media::Failed("not allowed".into())));

    let file = homework();
    model.act(Action::ViewPicture(file.clone()));
    assert_eq!(chat(&model).viewing, Some(file));
    model.act(Action::ClosePicture);
    assert_eq!(chat(&model).viewing, None);
}

#[test]
fn pictures_and_playable_clips_up_to_64_mib_show_in_place() {
    let mut clip = homework();
    clip.mime = "audio/ogg".into();
    assert_eq!(inline(&clip), Some(Inline::Audio));
    clip.mime = "audio/x-wav".into();
    assert_eq!(inline(&clip), Some(Inline::Audio));
    clip.size = INLINE_MAX_BYTES + 1;
    assert_eq!(inline(&clip), None, "too large to fetch by itself");
    assert_eq!(inline(&homework()), None, "a PDF is a card");
    let mut picture = homework();
    picture.picture = Some(anseo_shared::protocol::Picture { width: 4, height: 3, preview: vec![1] });
    assert_eq!(inline(&picture), Some(Inline::Picture));
}

#[test]
fn a_pinned_login_knows_its_invite_and_a_remembered_server_learns_it() {
    let fingerprint = anseo_shared::trust::Fingerprint::of_der(b"cert");
    let mut pinned = Model::new("alice".into(), "192.168.1.5:4433".into(), Some(fingerprint));
    pinned.act(Action::SubmitLogin);
    pinned.apply(NetEvent::Connected(welcome("alice")));
    let invite = chat(&pinned).invite().expect("an invite");
    assert_eq!((invite.server.as_str(), invite.fingerprint), ("192.168.1.5:4433", fingerprint));

    let mut model = logged_in();
    assert_eq!(chat(&model).invite(), None, "not known yet");
    model.apply(NetEvent::Trusted(fingerprint));
    assert_eq!(chat(&model).invite().map(|invite| invite.fingerprint), Some(fingerprint));
}

#[test]
fn an_invite_link_in_the_server_field_fills_the_address_and_pins_the_certificate() {
    let fingerprint = anseo_shared::trust::Fingerprint::of_der(b"cert");
    let mut model = Model::new("alice".into(), String::new(), None);
    model.act(Action::EditServer(format!("https://192.168.1.5:4433/join#fp={}", fingerprint.to_hex())));
    assert_eq!((model.login.server.as_str(), model.login.pin), ("192.168.1.5:4433", Some(fingerprint)));
    assert_eq!(model.login.server_error, None);
    match model.act(Action::SubmitLogin) {
        Some(Command::Connect { server, pin, .. }) => {
            assert_eq!((server.as_str(), pin), ("192.168.1.5:4433", Some(fingerprint)))
        }
        other => panic!("{other:?}"),
    }

    // Another address typed instead drops the link's pin; a broken link says why.
    let mut model = Model::new("alice".into(), String::new(), None);
    model.act(Action::EditServer(format!("anseo://192.168.1.5:4433?fp={}", fingerprint.to_hex())));
    model.act(Action::EditServer("10.0.0.9:4433".into()));
    assert_eq!((model.login.server.as_str(), model.login.pin), ("10.0.0.9:4433", None));
    model.act(Action::EditServer("anseo://10.0.0.9?fp=00".into()));
    assert!(
        model.login.server_error.as_deref().unwrap().contains("needs a port"),
        "{:?}",
        model.login.server_error
    );
}

#[test]
fn a_server_found_on_the_network_fills_the_form_and_its_announcement_is_weighed_not_trusted() {
    let real = anseo_shared::trust::Fingerprint::of_der(b"the real certificate");
    let fake = anseo_shared::trust::Fingerprint::of_der(b"what someone announced");
    let mut model = Model::new("alice".into(), String::new(), None);
    let found = |announced| Discovered {
        name: "Room 12".into(),
        server: "192.168.1.5:4433".into(),
        announced,
        known: false,
    };
    model.apply(NetEvent::Discovered(vec![found(Some(fake))]));
    assert_eq!(model.act(Action::PickDiscovered("192.168.1.5:4433".into())), None);
    assert_eq!(
        (model.login.server.as_str(), model.login.pin),
        ("192.168.1.5:4433", None),
        "nothing pinned from an announcement"
    );

    // The server presents another certificate than was announced: the first-use question
    // still comes, and says the two differ.
    assert!(matches!(model.act(Action::SubmitLogin), Some(Command::Connect { pin: None, .. })));
    model.apply(NetEvent::LoginFailed(LoginFailure::UnknownServer {
        server: "192.168.1.5:4433".into(),
        fingerprint: real,
    }));
    let prompt = model.login.trust_prompt.clone().expect("the first-use question");
    assert_eq!((prompt.fingerprint, prompt.announced), (real, Some(fake)));
    assert!(prompt.announcement().unwrap().contains("does NOT match"));

    // Announced right: still asked, and told that it matches.
    let mut model = Model::new("alice".into(), String::new(), None);
    model.apply(NetEvent::Discovered(vec![found(Some(real))]));
    model.act(Action::PickDiscovered("192.168.1.5:4433".into()));
    model.act(Action::SubmitLogin);
    model.apply(NetEvent::LoginFailed(LoginFailure::UnknownServer {
        server: "192.168.1.5:4433".into(),
        fingerprint: real,
    }));
    let prompt = model.login.trust_prompt.clone().expect("the first-use question");
    assert!(prompt.announcement().unwrap().starts_with("It matches"));
}

fn board_event(seq: u64, by: &str, op: anseo_shared::protocol::BoardOp) -> NetEvent {
    NetEvent::Chat(ChatEvent::Board(anseo_shared::protocol::BoardEvent {
        room: "lobby".into(),
        seq,
        by: by.into(),
        ts: 0,
        op,
    }))
}

#[test]
fn a_stroke_begins_goes_out_in_batches_about_thirty_times_a_second_and_ends() {
    use anseo_shared::protocol::{BoardOp, Point};
    let mut model = logged_in();
    model.act(Action::ShowRoomView(RoomView::Board));
    let at = |x: u16| Point { x, y: 500 };
    let pen = chat(&model).pen;
    assert_eq!(
        model.act(Action::StrokeStart { point: at(1), stroke: 9, now_ms: 1000 }),
        Some(Command::Draw {
            room: "lobby".into(),
            ops: vec![BoardOp::Begin { stroke: 9, style: pen, points: vec![at(1)] }]
        })
    );
    // Within a batch's time the points wait; a repeated point is dropped.
    assert_eq!(model.act(Action::StrokeMove { point: at(2), now_ms: 1010 }), None);
    assert_eq!(model.act(Action::StrokeMove { point: at(2), now_ms: 1020 }), None);
    assert_eq!(
        model.act(Action::StrokeMove { point: at(3), now_ms: 1033 }),
        Some(Command::Draw {
            room: "lobby".into(),
            ops: vec![BoardOp::Points { stroke: 9, points: vec![at(2), at(3)] }]
        })
    );
    assert_eq!(model.act(Action::StrokeMove { point: at(4), now_ms: 1040 }), None);
    assert_eq!(chat(&model).drawing.as_ref().map(|d| d.points.len()), Some(4));
    assert_eq!(
        model.act(Action::StrokeEnd),
        Some(Command::Draw {
            room: "lobby".into(),
            ops: vec![BoardOp::Points { stroke: 9, points: vec![at(4)] }, BoardOp::End { stroke: 9 }]
        })
    );
    assert_eq!(model.act(Action::StrokeEnd), None, "a second pointer-up ends nothing");
}

#[test]
fn undo_takes_back_your_last_stroke_and_the_board_tab_shows_a_dot_for_others_changes() {
    use anseo_shared::protocol::{BoardOp, StrokeStyle, Tool};
    let style = StrokeStyle { colour: 0, width: 30, tool: Tool::Pen };
    let mut model = logged_in();
    assert_eq!(model.act(Action::UndoStroke), None, "nothing of alice's to undo");
    model.apply(board_event(1, "alice", BoardOp::Begin { stroke: 1, style, points: vec![] }));
    assert!(!chat(&model).rooms["lobby"].board_changed, "her own stroke is no news to her");
    model.apply(board_event(2, "bob", BoardOp::Begin { stroke: 2, style, points: vec![] }));
    assert!(chat(&model).rooms["lobby"].board_changed);
    model.act(Action::ShowRoomView(RoomView::Board));
    assert!(!chat(&model).rooms["lobby"].board_changed, "seen");
    model.apply(board_event(3, "bob", BoardOp::End { stroke: 2 }));
    assert!(!chat(&model).rooms["lobby"].board_changed, "watched as it happened");
    assert_eq!(
        model.act(Action::UndoStroke),
        Some(Command::Draw { room: "lobby".into(), ops: vec![BoardOp::Delete { stroke: 1 }] })
    );
    assert_eq!(chat(&model).rooms["lobby"].board.strokes().len(), 2);
    // A direct conversation has no board.
    model.act(Action::OpenDirect("bob".into()));
    assert_eq!(chat(&model).room_view, RoomView::Messages);
    assert_eq!(model.act(Action::ClearBoard), None);
}

fn reaction(id: u64, by: &str, emoji: &str, on: bool) -> NetEvent {
    NetEvent::Chat(ChatEvent::Reaction(anseo_shared::protocol::Reaction {
        room: "lobby".into(),
        id,
        by: by.into(),
        emoji: emoji.into(),
        on,
        ts: 0,
    }))
}

#[test]
fn reactions_are_counted_once_per_person_and_a_click_toggles_ones_own() {
    let mut model = logged_in();
    model.apply(message("lobby", 1, "bob", "lunch?"));
    // A reaction that comes before its message (a catch-up) is kept too.
    model.apply(reaction(1002, "bob", "🎉", true));
    model.apply(reaction(1001, "bob", "👍", true));
    model.apply(reaction(1001, "carol", "👍", true));
    model.apply(reaction(1001, "bob", "😂", true));
    model.apply(reaction(1001, "carol", "😂", false));
    let chat = chat(&model);
    let timeline = chat.current_timeline().unwrap();
    let blocks = chat.with_reactions(blocks(timeline.numbered_last(10)));
    let Block::Group { lines, .. } = &blocks[0] else { panic!("{blocks:?}") };
    let counts: Vec<(String, Vec<String>, bool)> =
        lines[0].reactions.iter().map(|c| (c.emoji.clone(), c.by.clone(), c.mine)).collect();
    assert_eq!(
        counts,
        [("👍".into(), vec!["carol".into()], false), ("😂".into(), vec!["bob".into()], false)]
    );
    assert_eq!(
        model.act(Action::React { id: 1001, emoji: "👍".into() }),
        Some(Command::React { room: "lobby".into(), id: 1001, emoji: "👍".into(), on: true })
    );
    model.apply(reaction(1001, "alice", "👍", true));
    assert_eq!(
        model.act(Action::React { id: 1001, emoji: "👍".into() }),
        Some(Command::React { room: "lobby".into(), id: 1001, emoji: "👍".into(), on: false })
    );
}

#[test]
fn shortcodes_become_emoji_when_sent() {
    let mut model = logged_in();
    assert_eq!(
        model.act(Action::Send(":wave: hi".into())),
        Some(Command::Say { room: "lobby".into(), text: "👋 hi".into() })
    );
}

#[test]
fn a_device_that_cannot_look_for_servers_says_so_and_points_to_the_invite() {
    let mut model = Model::new("ann".into(), String::new(), None);
    model.apply(NetEvent::DiscoveryFailed("Wi-Fi multicast is not allowed".into()));
    assert_eq!(
        model.login.discovery_error.as_deref(),
        Some(
            "This device cannot look for servers on the network (Wi-Fi multicast is not allowed): paste an invite link or type the address."
        )
    );
}

#[test]
fn typing_shows_for_six_seconds_or_until_the_message_and_never_ones_own() {
    use anseo_shared::protocol::Place;
    let typing =
        |place: Place, from: &str| NetEvent::Chat(ChatEvent::Typing { place, from: from.into(), ts: 0 });
    let mut model = logged_in();
    model.apply(typing(Place::Room("lobby".into()), "bob"));
    model.apply(typing(Place::Room("lobby".into()), "alice"));
    assert_eq!(chat(&model).typing_here(), ["bob"]);
    assert_eq!(typing::typing_line(&chat(&model).typing_here()).as_deref(), Some("bob is typing…"));
    for _ in 0..5 {
        model.act(Action::Tick);
    }
    assert_eq!(chat(&model).typing_here(), ["bob"], "still within 6 s");
    model.act(Action::Tick);
    assert!(chat(&model).typing_here().is_empty(), "gone after 6 s");
    model.apply(typing(Place::Room("lobby".into()), "bob"));
    model.apply(message("lobby", 1, "bob", "here it is"));
    assert!(chat(&model).typing_here().is_empty(), "gone with the message");
    model.apply(typing(Place::Direct("carol".into()), "carol"));
    assert!(chat(&model).typing_here().is_empty(), "carol types to alice, not in the lobby");
    model.act(Action::OpenDirect("carol".into()));
    assert_eq!(chat(&model).typing_here(), ["carol"]);
    assert_eq!(chat(&model).typing_command(), Some(Command::Typing { place: Place::Direct("carol".into()) }));
    assert_eq!(typing::typing_line(&["a".into(), "b".into()]).as_deref(), Some("a and b are typing…"));
    assert_eq!(
        typing::typing_line(&["a".into(), "b".into(), "c".into()]).as_deref(),
        Some("3 people are typing…")
    );
}

#[test]
fn a_search_pages_on_and_a_result_opens_its_conversation_at_the_message() {
    use anseo_shared::protocol::{Place, SearchHit};
    let hit = |id: u64, place: Place| SearchHit {
        id,
        place,
        seq: 3,
        from: "bob".into(),
        text: "the homework".into(),
        ts: 0,
    };
    let mut model = logged_in();
    model.act(Action::OpenDialog(Dialog::Search));
    assert_eq!(
        model.act(Action::Search { text: " homework ".into(), next_page: false }),
        Some(Command::Search { text: "homework".into(), before: None, limit: 25 })
    );
    let results = vec![hit(9, Place::Room("lobby".into())), hit(4, Place::Direct("bob".into()))];
    model.apply(NetEvent::Chat(ChatEvent::SearchResults { text: "homework".into(), results, more: true }));
    assert_eq!(chat(&model).search.results.len(), 2);
    assert_eq!(
        model.act(Action::Search { text: "homework".into(), next_page: true }),
        Some(Command::Search { text: "homework".into(), before: Some(4), limit: 25 })
    );
    // An answer to an earlier search is not mixed in.
    model.apply(NetEvent::Chat(ChatEvent::SearchResults {
        text: "other".into(),
        results: vec![],
        more: false,
    }));
    assert!(chat(&model).search.waiting);
    model.act(Action::OpenResult(hit(4, Place::Direct("bob".into()))));
    assert_eq!(chat(&model).current, Target::Direct("bob".into()));
    assert_eq!(chat(&model).dialog, None);
    assert_eq!(chat(&model).jump_to, Some(4));
    model.act(Action::Jumped);
    assert_eq!(chat(&model).jump_to, None);
    assert_eq!(
        model.act(Action::Search { text: "  ".into(), next_page: false }),
        None,
        "nothing to look for"
    );
    let pieces = search::highlighted("Homework: fractions!", "home frac");
    assert_eq!(
        pieces,
        [("Homework".into(), true), (": ".into(), false), ("fractions".into(), true), ("!".into(), false)]
    );
}

#[test]
fn mentions_and_direct_messages_notify_unless_seen_and_rooms_choose_what_notifies() {
    use notify::{Notification, NotifyLevel, mentions};
    let note = |title: &str, body: &str| Notification { title: title.into(), body: body.into() };
    let mut model = logged_in();
    // Seen: the window has the focus and the lobby is open.
    model.apply(message("lobby", 1, "bob", "hi @Alice"));
    assert_eq!(model.chat.as_mut().unwrap().take_notifications(), []);
    model.act(Action::Focus(false));
    model.apply(message("lobby", 2, "bob", "@alice, lunch?"));
    model.apply(message("lobby", 3, "bob", "no mention of her here"));
    model.apply(direct(77, "bob", "alice", "psst"));
    model.apply(message("lobby", 4, "alice", "@alice talking to herself"));
    assert_eq!(
        model.chat.as_mut().unwrap().take_notifications(),
        [note("bob in #lobby", "@alice, lunch?"), note("bob", "psst")]
    );
    // Focused again, but in another conversation: a mention there counts and notifies.
    model.act(Action::Focus(true));
    model.act(Action::OpenDirect("bob".into()));
    model.apply(message("lobby", 5, "carol", "ask @ALICE"));
    assert_eq!(chat(&model).rooms["lobby"].mentions, 1);
    assert_eq!(model.chat.as_mut().unwrap().take_notifications(), [note("carol in #lobby", "ask @ALICE")]);
    model.act(Action::SetNotify { room: "lobby".into(), level: NotifyLevel::All });
    model.apply(message("lobby", 6, "carol", "anything"));
    model.act(Action::SetNotify { room: "lobby".into(), level: NotifyLevel::Nothing });
    model.apply(message("lobby", 7, "carol", "@alice muted"));
    assert_eq!(model.chat.as_mut().unwrap().take_notifications(), [note("carol in #lobby", "anything")]);
    assert_eq!(model.title(), "(3) alice — Anseo");
    model.act(Action::Select(Target::Room("lobby".into())));
    assert_eq!((chat(&model).rooms["lobby"].unread, chat(&model).rooms["lobby"].mentions), (0, 0));
    assert_eq!(model.title(), "alice — Anseo");
    assert!(mentions("thanks @bob.", "bob"));
    assert!(!mentions("thanks @bobby", "bob"));
    assert!(!mentions("mail bob@example.org", "example"));
}

/// A room message of `kind` (an edit, deletion or notice) from `from`.
fn amendment(seq: u64, from: &str, text: &str, kind: anseo_shared::protocol::MessageKind) -> NetEvent {
    let NetEvent::Chat(ChatEvent::Message { mut message, confirms }) = message("lobby", seq, from, text)
    else {
        unreachable!()
    };
    message.kind = kind;
    NetEvent::Chat(ChatEvent::Message { message, confirms })
}

fn lobby_lines(model: &Model) -> Vec<(u64, String, anseo_shared::protocol::MessageState)> {
    chat(model).rooms["lobby"]
        .timeline
        .iter()
        .filter_map(|entry| match entry {
            Entry::Message(line) => Some((line.id, line.text.clone(), line.state)),
            Entry::Notice(_) => None,
        })
        .collect()
}

#[test]
fn edits_and_deletions_change_their_line_in_place_and_count_as_nothing_new() {
    use anseo_shared::protocol::{MessageKind, MessageState};
    let mut model = logged_in();
    model.act(Action::Select(Target::Room("maths".into())));
    model.apply(message("lobby", 1, "bob", "see you at noon"));
    model.apply(message("lobby", 2, "bob", "oops"));
    let unread = chat(&model).rooms["lobby"].unread;
    model.apply(amendment(3, "bob", "see you at one", MessageKind::Edit { id: 1001 }));
    model.apply(amendment(4, "bob", "", MessageKind::Delete { id: 1002 }));
    assert_eq!(
        lobby_lines(&model),
        [(1001, "see you at one".into(), MessageState::Edited), (1002, String::new(), MessageState::Deleted)]
    );
    assert_eq!(chat(&model).rooms["lobby"].unread, unread, "an edit or deletion is not a new message");
    // The same edit again (live, then in a page) changes nothing.
    model.apply(amendment(3, "bob", "see you at one", MessageKind::Edit { id: 1001 }));
    assert_eq!(lobby_lines(&model).len(), 2);
}

#[test]
fn a_history_page_shows_messages_as_they_are_now() {
    use anseo_shared::protocol::{MessageKind, MessageState};
    let mut model = logged_in();
    let page_message = |seq: u64, text: &str, kind: MessageKind, state: MessageState| RoomMessage {
        id: 1000 + seq,
        room: "lobby".into(),
        seq,
        from: "bob".into(),
        text: text.into(),
        ts: 2_000 + seq,
        client_msg_id: 0,
        attachment: None,
        kind,
        state,
    };
    let page = HistoryPage {
        room: "lobby".into(),
        messages: vec![
            page_message(1, "see you at one", MessageKind::Said, MessageState::Edited),
            page_message(2, "see you at one", MessageKind::Edit { id: 1001 }, MessageState::AsSent),
        ],
        more: false,
        ts: 5,
    };
    model.apply(NetEvent::Chat(ChatEvent::History(page)));
    assert_eq!(lobby_lines(&model), [(1001, "see you at one".into(), MessageState::Edited)]);
}

#[test]
fn the_menu_edits_own_messages_and_deletes_as_the_rules_say() {
    use anseo_shared::protocol::{MessageKind, ModAction, Moderation};
    let mut model = logged_in();
    model.apply(message("lobby", 1, "alice", "helo"));
    model.apply(message("lobby", 2, "bob", "hi"));
    model.act(Action::StartEdit(1002));
    assert_eq!(chat(&model).editing, None, "bob's message is not alice's to edit");
    model.act(Action::StartEdit(1001));
    assert_eq!(chat(&model).editing, Some(1001));
    assert_eq!(
        model.act(Action::SaveEdit(" hello ".into())),
        Some(Command::Edit { room: "lobby".into(), id: 1001, text: "hello".into() })
    );
    assert_eq!(chat(&model).editing, None);
    model.act(Action::StartEdit(1001));
    assert_eq!(model.act(Action::CancelEdit), None);
    assert_eq!(chat(&model).editing, None);
    assert_eq!(model.act(Action::DeleteMessage(1002)), None, "alice does not moderate the lobby");
    assert_eq!(
        model.act(Action::DeleteMessage(1001)),
        Some(Command::Delete { room: "lobby".into(), id: 1001 })
    );
    // Made a moderator: she may delete bob's message too.
    let op = Moderation { action: ModAction::Op, target: "alice".into() };
    model.apply(amendment(3, "carol", "", MessageKind::Moderation(op)));
    assert!(chat(&model).may_delete("bob"));
    assert_eq!(
        model.act(Action::DeleteMessage(1002)),
        Some(Command::Delete { room: "lobby".into(), id: 1002 })
    );
}

#[test]
fn moderation_notices_show_who_did_what_once_and_the_topic_changes() {
    use anseo_shared::protocol::{MessageKind, ModAction, Moderation};
    let mut model = logged_in();
    let mute = Moderation { action: ModAction::Mute { until: 9_000_000 }, target: "alice".into() };
    model.apply(amendment(1, "bob", "", MessageKind::Moderation(mute.clone())));
    model.apply(amendment(1, "bob", "", MessageKind::Moderation(mute)));
    let topic = Moderation { action: ModAction::Topic, target: String::new() };
    model.apply(amendment(2, "bob", "Fractions today", MessageKind::Moderation(topic)));
    let notices: Vec<String> = chat(&model).rooms["lobby"]
        .timeline
        .iter()
        .filter_map(|entry| match entry {
            Entry::Notice(notice) => Some(notice.text.clone()),
            Entry::Message(_) => None,
        })
        .collect();
    let until = crate::model::text::local_time(9_000_000);
    assert_eq!(
        notices,
        [format!("bob muted you until {until}"), "bob set the topic: Fractions today".into()]
    );
    assert_eq!(chat(&model).rooms["lobby"].topic, "Fractions today");
    assert_eq!(chat(&model).directory["lobby"].topic, "Fractions today");
}

#[test]
fn the_new_messages_line_sits_where_this_device_stopped_reading() {
    let mut model = logged_in();
    // This device read the lobby up to message 1002 last time.
    model.apply(NetEvent::ReadMarks(std::collections::BTreeMap::from([("lobby".to_string(), 1002)])));
    let page_message = |seq: u64, from: &str| {
        let NetEvent::Chat(ChatEvent::Message { message, .. }) =
            message("lobby", seq, from, &format!("m{seq}"))
        else {
            unreachable!()
        };
        message
    };
    let page = HistoryPage {
        room: "lobby".into(),
        messages: (1..=5).map(|seq| page_message(seq, if seq == 4 { "alice" } else { "bob" })).collect(),
        more: false,
        ts: 5,
    };
    model.apply(NetEvent::Chat(ChatEvent::History(page)));
    let chat = chat(&model);
    assert_eq!(chat.first_unread(), Some(1003), "the line goes above bob's message 3");
    let lobby = &chat.rooms["lobby"];
    assert_eq!((lobby.marker, lobby.read), (Some(1002), 1005), "seen now: the mark moves to the newest");
    let drawn = blocks_with_line(lobby.timeline.numbered_last(10), chat.first_unread());
    let shape: Vec<&str> = drawn
        .iter()
        .map(|block| match block {
            Block::NewMessages { .. } => "line",
            Block::Group { .. } => "group",
            Block::Notice { .. } => "notice",
        })
        .collect();
    assert_eq!(shape, ["group", "line", "group", "group", "group"]);
    assert_eq!(
        model.chat.as_mut().unwrap().read_marks_to_keep(),
        Some(Command::KeepReadMarks(std::collections::BTreeMap::from([("lobby".to_string(), 1005)])))
    );
    model.act(Action::JumpToUnread);
    assert_eq!(model.chat.as_ref().unwrap().jump_to, Some(1003));
}

#[test]
fn unread_rooms_count_what_came_since_the_kept_mark_and_the_line_goes_once_left() {
    let mut model = logged_in();
    model.apply(NetEvent::ReadMarks(std::collections::BTreeMap::from([("maths".to_string(), 1501)])));
    model.apply(NetEvent::Chat(ChatEvent::Joined {
        room: RoomInfo { name: "maths".into(), topic: String::new(), members: 2 },
        members: vec!["alice".into(), "bob".into()],
        ts: 1,
        creator: "bob".into(),
    }));
    model.act(Action::Select(Target::Room("lobby".into())));
    let page_message = |seq: u64| {
        let NetEvent::Chat(ChatEvent::Message { message, .. }) = message("maths", seq, "bob", "sum") else {
            unreachable!()
        };
        message
    };
    let page = HistoryPage {
        room: "maths".into(),
        messages: (1..=3).map(page_message).collect(),
        more: false,
        ts: 5,
    };
    model.apply(NetEvent::Chat(ChatEvent::History(page)));
    assert_eq!(chat(&model).rooms["maths"].unread, 2, "messages 2 and 3 came after the kept mark");
    model.act(Action::Select(Target::Room("maths".into())));
    assert_eq!(chat(&model).first_unread(), Some(1502));
    model.act(Action::Select(Target::Room("lobby".into())));
    model.act(Action::Select(Target::Room("maths".into())));
    assert_eq!(chat(&model).first_unread(), None, "read now: no line the next time");
}

#[test]
fn moderation_is_typed_in_the_message_box() {
    use anseo_shared::protocol::ModCommand;
    let mut model = logged_in();
    assert_eq!(
        model.act(Action::Send("/mute bob 5".into())),
        Some(Command::Moderate {
            room: "lobby".into(),
            command: ModCommand::Mute { name: "bob".into(), minutes: 5 }
        })
    );
    assert_eq!(model.act(Action::Send("/kick".into())), None);
    assert_eq!(chat(&model).composer_error.as_deref(), Some("Write it like this: /kick NAME"));
    assert_eq!(
        model.act(Action::Send("/topic Fractions".into())),
        Some(Command::Moderate {
            room: "lobby".into(),
            command: ModCommand::Topic { topic: "Fractions".into() }
        })
    );
    assert_eq!(chat(&model).composer_error, None);
}

#[test]
fn people_joining_at_one_place_share_one_notice() {
    let mut model = logged_in();
    model.apply(message("lobby", 1, "bob", "hello"));
    let joined = |seq, user: &str| {
        presence(
            seq,
            PresenceChange::JoinedRoom { room: "lobby".into(), user: user.into(), members: 3, after_seq: 1 },
        )
    };
    let notices = |model: &Model| -> Vec<String> {
        chat(model).rooms["lobby"]
            .timeline
            .iter()
            .filter_map(|entry| match entry {
                Entry::Notice(notice) => Some(notice.text.clone()),
                Entry::Message(_) => None,
            })
            .collect()
    };
    model.apply(joined(11, "carol"));
    assert_eq!(notices(&model), ["carol joined"]);
    model.apply(joined(12, "dave"));
    model.apply(joined(13, "erin"));
    assert_eq!(notices(&model), ["carol, dave and erin joined"]);
    for (i, name) in ["f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"].iter().enumerate() {
        model.apply(joined(14 + i as u64, name));
    }
    assert_eq!(notices(&model), ["12 people joined"]);
    // After a message, a join is news of its own again.
    model.apply(message("lobby", 2, "bob", "welcome all"));
    model.apply(presence(
        30,
        PresenceChange::JoinedRoom { room: "lobby".into(), user: "zed".into(), members: 15, after_seq: 2 },
    ));
    assert_eq!(notices(&model), ["12 people joined", "zed joined"]);
}

/// Alice logged in to a server with 300 online, of whom the Welcome lists two.
fn logged_in_to_a_large_server() -> Model {
    let mut model = Model::new("alice".into(), "127.0.0.1:4433".into(), None);
    model.act(Action::SubmitLogin);
    model.apply(NetEvent::Connected(Welcome { users_online: 300, ..welcome("alice") }));
    model
}

#[test]
fn a_large_server_shows_the_count_and_offers_the_whole_list() {
    let mut model = logged_in_to_a_large_server();
    assert_eq!((chat(&model).online_count(), chat(&model).more_online()), (300, true));
    model.apply(presence(11, PresenceChange::Online { user: "carol".into() }));
    assert_eq!(chat(&model).online_count(), 301);
    model.apply(presence(12, PresenceChange::Offline { user: "bob".into() }));
    assert_eq!(chat(&model).online_count(), 300);
    assert_eq!(model.act(Action::ShowEveryone), Some(Command::ListUsers));
    let everyone: Vec<String> = (0..300).map(|n| format!("u{n:03}")).collect();
    model.apply(NetEvent::Chat(ChatEvent::Users { users: everyone, ts: 4_000 }));
    assert_eq!((chat(&model).online_count(), chat(&model).more_online()), (300, false));
}

#[test]
fn a_large_server_sets_the_count_it_pushes() {
    let mut model = logged_in_to_a_large_server();
    model.apply(presence(11, PresenceChange::Count { online: 412 }));
    assert_eq!((chat(&model).online_count(), chat(&model).more_online()), (412, true));
    model.apply(presence(12, PresenceChange::Online { user: "carol".into() }));
    assert_eq!(chat(&model).online_count(), 413, "and counts on from there");
    let everyone: Vec<String> = (0..413).map(|n| format!("u{n:03}")).collect();
    model.apply(NetEvent::Chat(ChatEvent::Users { users: everyone, ts: 4_000 }));
    model.apply(presence(13, PresenceChange::Count { online: 400 }));
    assert_eq!(chat(&model).online_count(), 400, "thirteen of the list left unheard: the server's count");
}

#[test]
fn the_app_watches_the_top_of_its_user_list_when_it_changes() {
    let mut model = logged_in();
    let chat = model.chat.as_mut().expect("logged in");
    assert_eq!(
        chat.watch_to_send(),
        Some(Command::Watch { users: vec!["bob".into()] }),
        "everyone but alice"
    );
    assert_eq!(chat.watch_to_send(), None, "unchanged");
    model.apply(presence(11, PresenceChange::Online { user: "carol".into() }));
    let chat = model.chat.as_mut().expect("logged in");
    assert_eq!(chat.watch_to_send(), Some(Command::Watch { users: vec!["bob".into(), "carol".into()] }));
}

#[test]
fn a_room_counts_the_members_the_server_counts() {
    let model = logged_in_to_a_large_server();
    let mut chat = chat(&model).clone();
    assert_eq!(chat.member_count("lobby"), 2, "the Welcome's room list says 2 for the lobby");
    chat.directory.get_mut("lobby").expect("listed").members = 300;
    assert_eq!(chat.member_count("lobby"), 300, "more than the two names it knows");
    assert_eq!(chat.member_count("nowhere"), 0);
}
