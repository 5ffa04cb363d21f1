//! The screens in their key states, rendered to HTML with dioxus-ssr, checked for what a user
//! would read.

use anseo_shared::protocol::{
    DirectMessage, Limits, PresenceEvent, PresenceFrame, RoomInfo, RoomMessage, ServerMsg, Welcome,
};
use anseo_shared::trust::Fingerprint;
use dioxus::prelude::*;

use super::{ChatScreen, Dispatch, LoginScreen};
use crate::model::{Action, Command, Dialog, LoginFailure, Model, NetEvent, PAGE, Target};

#[component]
fn Root(model: Model, chat: bool) -> Element {
    let model = use_signal(|| model);
    let network = use_coroutine(|_commands: UnboundedReceiver<Command>| async {});
    use_context_provider(|| Dispatch::new(model, network));
    if chat {
        rsx! { ChatScreen {} }
    } else {
        rsx! { LoginScreen {} }
    }
}

fn render(model: Model, chat: bool) -> String {
    let mut dom = VirtualDom::new_with_props(Root, RootProps { model, chat });
    dom.rebuild_in_place();
    dioxus_ssr::render(&dom)
}

fn welcome() -> Welcome {
    Welcome {
        name: "alice".into(),
        room: "lobby".into(),
        limits: Limits { max_message_chars: 20, max_frame_len: 65536 },
        users: vec!["alice".into(), "bob".into()],
        rooms: vec![
            RoomInfo { name: "lobby".into(), topic: "General chat".into(), members: 2 },
            RoomInfo { name: "maths".into(), topic: "sums".into(), members: 1 },
        ],
        members: vec!["alice".into(), "bob".into()],
        presence_seq: 0,
        ts: 0,
    }
}

fn say(room: &str, seq: u64, from: &str, text: &str) -> NetEvent {
    NetEvent::Server(ServerMsg::Message(RoomMessage {
        id: seq * 10 + room.len() as u64,
        room: room.into(),
        seq,
        from: from.into(),
        text: text.into(),
        ts: 1_700_000_000_000 + seq * 1000,
        client_msg_id: 0,
    }))
}

fn chatting() -> Model {
    let mut model = Model::new("alice".into(), "127.0.0.1:4433".into(), None);
    model.act(Action::SubmitLogin);
    model.apply(NetEvent::Connected(welcome()));
    model.apply(say("lobby", 1, "bob", "hi there, see https://example.org/docs"));
    model.apply(say("lobby", 2, "bob", "second line from bob"));
    model.apply(NetEvent::Presence(PresenceFrame {
        seq: 1,
        ts: 1,
        event: PresenceEvent::Joined { room: "lobby".into(), user: "carol".into(), members: 3, after_seq: 2 },
    }));
    model.apply(say("lobby", 3, "alice", "hello bob"));
    model
}

#[test]
fn login_shows_the_fields_and_connect() {
    let html = render(Model::new("alice".into(), "10.0.0.1:4433".into(), None), false);
    for text in ["Your name", "Server address", "Connect", "aria-label=\"Connect\"", "id=\"login-name\""] {
        assert!(html.contains(text), "missing {text:?} in {html}");
    }
    assert!(!html.contains("role=\"alert\""), "no error yet");
}

#[test]
fn login_shows_errors_in_words() {
    let mut model = Model::new("bob smith".into(), "10.0.0.1:4433".into(), None);
    model.act(Action::EditName("bob smith".into()));
    let html = render(model.clone(), false);
    assert!(html.contains("may only contain letters"), "{html}");

    let mut model = Model::new("bob".into(), "10.0.0.1:4433".into(), None);
    model.act(Action::SubmitLogin);
    assert!(render(model.clone(), false).contains("Connecting…"));
    model.apply(NetEvent::LoginFailed(LoginFailure::Other(
        "cannot reach 10.0.0.1:4433 (no answer in 5 s)".into(),
    )));
    let html = render(model, false);
    assert!(html.contains("Cannot reach 10.0.0.1:4433 (no answer in 5 s)"), "{html}");
    assert!(html.contains(">Connect<"), "back to a usable Connect button: {html}");
}

#[test]
fn trust_dialog_shows_the_grouped_fingerprint() {
    let fp = Fingerprint::of_der(b"abc");
    let mut model = Model::new("bob".into(), "10.0.0.1:4433".into(), None);
    model.act(Action::SubmitLogin);
    model.apply(NetEvent::LoginFailed(LoginFailure::UnknownServer {
        server: "10.0.0.1:4433".into(),
        fingerprint: fp,
    }));
    let html = render(model, false);
    for text in ["New server", "ba78 16bf 8f01 cfea", "startup banner", "Trust and connect", "Cancel"] {
        assert!(html.contains(text), "missing {text:?} in {html}");
    }
}

#[test]
fn changed_certificate_warns_without_a_way_around() {
    let (old, new) = (Fingerprint::of_der(b"old"), Fingerprint::of_der(b"new"));
    let mut model = Model::new("bob".into(), "10.0.0.1:4433".into(), None);
    model.act(Action::SubmitLogin);
    model.apply(NetEvent::LoginFailed(LoginFailure::CertificateChanged {
        server: "10.0.0.1:4433".into(),
        expected: old,
        actual: new,
    }));
    let html = render(model, false);
    assert!(html.contains("identity changed"), "{html}");
    assert!(html.contains("impersonating"), "{html}");
    assert!(html.contains(&old.grouped()[..19]) && html.contains(&new.grouped()[..19]));
    assert!(!html.contains("Trust"), "no trust button for a changed certificate: {html}");
}

#[test]
fn chat_shows_rooms_messages_notices_and_people() {
    let html = render(chatting(), true);
    for text in [
        "# lobby",
        "General chat · 3 members",
        "Connected",
        "hi there, see ",
        "<a href=\"https://example.org/docs\"",
        "second line from bob",
        "carol joined",
        "hello bob",
        "Online — 2",
        "aria-label=\"Write to bob\"",
        "alice (you)",
        "Message #lobby",
    ] {
        assert!(html.contains(text), "missing {text:?} in {html}");
    }
    assert_eq!(html.matches("class=\"group mine\"").count(), 1, "own message marked");
    assert_eq!(html.matches("class=\"group\"").count(), 1, "bob's two messages form one group");
    assert_eq!(html.matches("class=\"bubble\"").count(), 3);
    let notice = html.find("carol joined").unwrap();
    assert!(html.find("second line from bob").unwrap() < notice && notice < html.find("hello bob").unwrap());
}

#[test]
fn unread_counts_and_direct_conversations_are_listed() {
    let mut model = chatting();
    model.apply(NetEvent::Server(ServerMsg::Direct(DirectMessage {
        id: 99,
        from: "bob".into(),
        to: "alice".into(),
        text: "psst".into(),
        ts: 0,
        client_msg_id: 0,
    })));
    let html = render(model.clone(), true);
    assert!(html.contains("Conversation with bob, 1 unread"), "{html}");
    model.act(Action::Select(Target::Direct("bob".into())));
    let html = render(model, true);
    assert!(html.contains("Online · private conversation"), "{html}");
    assert!(html.contains("psst"));
    assert!(html.contains("Message bob"));
}

#[test]
fn reconnecting_is_announced() {
    let mut model = chatting();
    model.apply(NetEvent::Lost { reason: "gone".into() });
    model.apply(NetEvent::Reconnecting { attempt: 1, retry_in_secs: 2 });
    let html = render(model, true);
    assert!(html.contains("Connection lost; reconnecting in 2 s"), "{html}");
    assert!(html.contains("Reconnecting…"));
}

#[test]
fn composer_counts_and_refuses_over_the_limit() {
    let mut model = chatting();
    model.act(Action::Draft("x".repeat(21)));
    let html = render(model, true);
    assert!(html.contains("21 / 20"), "{html}");
    assert!(html.contains("Too long to send: 21 characters, the server allows 20"), "{html}");
}

#[test]
fn ten_thousand_messages_render_only_a_page() {
    let mut model = chatting();
    for seq in 4..=10_003 {
        model.apply(say("lobby", seq, if seq % 2 == 0 { "bob" } else { "alice" }, "x"));
    }
    let started = std::time::Instant::now();
    let html = render(model, true);
    assert_eq!(html.matches("class=\"bubble\"").count(), PAGE, "only the newest page is drawn");
    let hidden = 10_004 - PAGE;
    assert!(html.contains(&format!("Show earlier messages ({hidden} more)")), "{}", &html[..2000]);
    assert!(started.elapsed().as_secs() < 5, "rendering took {:?}", started.elapsed());
}

#[test]
fn join_dialog_lists_existing_rooms() {
    let mut model = chatting();
    model.act(Action::OpenDialog(Dialog::JoinRoom));
    let html = render(model, true);
    for text in ["Create or join a room", "Room name", "Topic (optional, for a new room)", "Join room maths"]
    {
        assert!(html.contains(text), "missing {text:?} in {html}");
    }
}
