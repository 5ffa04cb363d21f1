//! The screens in their key states, rendered to HTML with dioxus-ssr, checked for what a user
//! would read.

use std::collections::BTreeMap;

use anseo_shared::client::{Addressee, ChatEvent, Presence, PresenceChange};
use anseo_shared::protocol::{DirectMessage, HistoryPage, Limits, RoomInfo, RoomMessage, Welcome};
use anseo_shared::trust::Fingerprint;
use dioxus::prelude::*;

use super::{ChatScreen, Dispatch, LoginScreen};
use crate::model::{Action, Command, Dialog, LoginFailure, Model, NetEvent, PAGE, Secret, Target};

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
        send_rate: anseo_shared::protocol::SendRate { burst: 50, micros_per_send: 100_000 },
        users_online: 2,
        rooms_total: 1,
    }
}

pub(super) fn say(room: &str, seq: u64, from: &str, text: &str) -> NetEvent {
    NetEvent::Chat(ChatEvent::Message {
        message: RoomMessage {
            id: seq * 10 + room.len() as u64,
            room: room.into(),
            seq,
            from: from.into(),
            text: text.into(),
            ts: 1_700_000_000_000 + seq * 1000,
            client_msg_id: 0,
            attachment: None,
            kind: Default::default(),
            state: Default::default(),
        },
        confirms: None,
    })
}

pub(super) fn chatting() -> Model {
    let mut model = Model::new("alice".into(), "127.0.0.1:4433".into(), None);
    model.act(Action::SubmitLogin);
    model.apply(NetEvent::Connected(welcome()));
    model.apply(say("lobby", 1, "bob", "hi there, see https://example.org/docs"));
    model.apply(say("lobby", 2, "bob", "second line from bob"));
    model.apply(NetEvent::Chat(ChatEvent::Presence(Presence {
        seq: 1,
        ts: 1,
        change: PresenceChange::JoinedRoom {
            room: "lobby".into(),
            user: "carol".into(),
            members: 3,
            after_seq: 2,
        },
    })));
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
    model.apply(NetEvent::Chat(ChatEvent::Direct {
        message: DirectMessage {
            id: 99,
            from: "bob".into(),
            to: "alice".into(),
            text: "psst".into(),
            ts: 0,
            client_msg_id: 0,
            attachment: None,
        },
        confirms: None,
    }));
    let html = render(model.clone(), true);
    assert!(html.contains("Conversation with bob, 1 unread"), "{html}");
    model.act(Action::Select(Target::Direct("bob".into())));
    let html = render(model, true);
    assert!(html.contains("Online · private conversation"), "{html}");
    assert!(html.contains("psst"));
    assert!(html.contains("Message bob"));
}

#[test]
fn reconnecting_is_announced_and_what_is_sent_meanwhile_waits_below() {
    let mut model = chatting();
    model.apply(NetEvent::Chat(ChatEvent::Reconnecting { attempt: 2 }));
    model.act(Action::Send("sent while away".into()));
    let to = Addressee::Room("lobby".into());
    model.apply(NetEvent::Chat(ChatEvent::Sending {
        client_msg_id: 4,
        to,
        text: "sent while away".into(),
        attachment: None,
    }));
    let html = render(model.clone(), true);
    assert!(html.contains("id=\"connection-banner\""), "{html}");
    assert!(html.contains("Reconnecting… (attempt 2)"), "{html}");
    assert!(html.contains(">Reconnecting…<"), "the pill: {html}");
    assert!(!html.contains("id=\"composer-error\""), "sending is not refused: {html}");
    let pending = html.find("Your messages not sent yet").expect("pending group");
    assert!(html[pending..].contains("Waiting for the connection…"), "{html}");
    assert!(html.find("hello bob").unwrap() < html.find("sent while away").unwrap(), "below the rest");

    model.apply(say("lobby", 4, "bob", "missed"));
    model.apply(NetEvent::Chat(ChatEvent::Resumed {
        missed: 1,
        welcome: welcome(),
        members: BTreeMap::new(),
    }));
    let html = render(model.clone(), true);
    assert!(!html.contains("connection-banner"), "{html}");
    assert!(html.contains("Reconnected — 1 missed message"), "{html}");
    assert!(html.contains("Sending…"), "still waiting for the echo: {html}");
    let echo = RoomMessage {
        id: 77,
        room: "lobby".into(),
        seq: 5,
        from: "alice".into(),
        text: "sent while away".into(),
        ts: 1_700_000_005_000,
        client_msg_id: 4,
        attachment: None,
        kind: Default::default(),
        state: Default::default(),
    };
    model.apply(NetEvent::Chat(ChatEvent::Message { message: echo, confirms: Some(4) }));
    let html = render(model, true);
    assert!(!html.contains("Your messages not sent yet"), "{html}");
    assert_eq!(html.matches("sent while away").count(), 1, "{html}");
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

#[test]
fn nick_dialog_is_a_labelled_modal_with_the_current_name() {
    let mut model = chatting();
    model.act(Action::OpenDialog(Dialog::Nick));
    let html = render(model, true);
    for text in [
        "role=\"dialog\"",
        "aria-modal=\"true\"",
        "aria-labelledby=\"nick-title\"",
        "<h2 id=\"nick-title\">Change your name</h2>",
        "for=\"nick-name\"",
        "value=\"alice\"",
        "aria-label=\"Change name\"",
    ] {
        assert!(html.contains(text), "missing {text:?} in {html}");
    }
}

/// A page of the lobby's history: messages `seqs` from carol ("old N").
fn history(seqs: std::ops::RangeInclusive<u64>, more: bool) -> NetEvent {
    let messages = seqs
        .map(|seq| RoomMessage {
            id: 5_000 + seq,
            room: "lobby".into(),
            seq,
            from: "carol".into(),
            text: format!("old {seq}"),
            ts: 1_700_000_000_000 + seq * 1000,
            client_msg_id: 0,
            attachment: None,
            kind: Default::default(),
            state: Default::default(),
        })
        .collect();
    NetEvent::Chat(ChatEvent::History(HistoryPage { room: "lobby".into(), messages, more, ts: 0 }))
}

#[test]
fn history_offers_older_messages_then_shows_the_beginning_of_the_room() {
    let mut model = Model::new("alice".into(), "127.0.0.1:4433".into(), None);
    model.act(Action::SubmitLogin);
    model.apply(NetEvent::Connected(welcome()));
    model.apply(say("lobby", 21, "bob", "live one"));
    model.apply(history(11..=20, true));
    let html = render(model.clone(), true);
    assert!(html.contains("aria-label=\"Load older messages\""), "{html}");
    assert!(html.contains(">Load older messages<"), "{html}");
    assert!(!html.contains("Beginning of"), "{html}");
    assert!(html.find("old 20").unwrap() < html.find("live one").unwrap());

    assert_eq!(
        model.act(Action::LoadOlder),
        Some(Command::History { room: "lobby".into(), before: Some(11), limit: 50 })
    );
    let html = render(model.clone(), true);
    assert!(html.contains("Loading older messages…") && html.contains("aria-busy=true"), "{html}");

    model.apply(history(1..=10, false));
    let html = render(model, true);
    assert!(html.contains("Beginning of #lobby"), "{html}");
    assert!(!html.contains("older messages"), "{html}");
    let beginning = html.find("Beginning of #lobby").unwrap();
    assert!(
        beginning < html.find("old 1<").unwrap()
            && html.find("old 10<").unwrap() < html.find("old 11<").unwrap()
    );
    assert_eq!(html.matches("class=\"bubble\"").count(), 21);
}

#[test]
fn login_has_a_password_field_between_the_server_and_connect() {
    let html = render(Model::new("alice".into(), "10.0.0.1:4433".into(), None), false);
    let name = html.find("id=\"login-name\"").unwrap();
    let server = html.find("id=\"login-server\"").unwrap();
    let password = html.find("id=\"login-password\"").expect("a password field");
    let connect = html.find("id=\"login-connect\"").unwrap();
    assert!(name < server && server < password && password < connect, "tab order: {html}");
    assert!(html.contains("type=\"password\""), "{html}");
    assert!(html.contains("for=\"login-password\""), "labelled: {html}");
    assert!(html.contains("Password (only for a claimed name)"), "{html}");
    assert!(!html.contains("tabindex=\"-1\""), "{html}");
}

#[test]
fn login_shows_password_errors_under_the_password_field() {
    let cases = [
        (
            LoginFailure::PasswordRequired("bob".into()),
            "The name &#39;bob&#39; is claimed: enter its password",
        ),
        (
            LoginFailure::WrongPassword { name: "bob".into(), retry_after_ms: 4_000 },
            "Wrong password for &#39;bob&#39;; try again in 4 s",
        ),
        (LoginFailure::AccountRequired("bob".into()), "This server only accepts claimed names"),
        (LoginFailure::SavedLoginRefused("bob".into()), "no longer accepted"),
    ];
    for (failure, message) in cases {
        let mut model = Model::new("bob".into(), "10.0.0.1:4433".into(), None);
        model.act(Action::EditPassword(Secret::new("typed secret")));
        model.act(Action::SubmitLogin);
        model.apply(NetEvent::LoginFailed(failure));
        let html = render(model, false);
        let html = html.replace("'", "&#39;");
        let error = html.find("id=\"login-password-error\"").unwrap_or_else(|| panic!("{html}"));
        assert!(html[error..].contains(message), "missing {message:?} in {html}");
        assert!(html.find("id=\"login-password\"").unwrap() < error, "under the field: {html}");
        assert!(html.contains("aria-invalid=\"true\""), "{html}");
        assert!(html.contains(">Connect<"), "still on the form, Connect usable: {html}");
        assert!(!html.contains("typed secret"), "the password never shows: {html}");
    }
}

#[test]
fn password_dialog_asks_for_a_new_password_and_shows_why_one_is_refused() {
    let mut model = chatting();
    let html = render(model.clone(), true);
    assert!(html.contains("aria-label=\"Protect your name with a password\""), "{html}");
    model.act(Action::OpenDialog(Dialog::Password));
    let html = render(model.clone(), true);
    for text in [
        "role=\"dialog\"",
        "Protect the name alice",
        "for=\"new-password\"",
        "New password (at least 8 characters)",
        "type=\"password\"",
        "autocomplete=\"new-password\"",
        ">Save password<",
    ] {
        assert!(html.contains(text), "missing {text:?} in {html}");
    }
    model.act(Action::SetPassword(Secret::new("short")));
    let html = render(model.clone(), true);
    assert!(html.contains("The password is too short: at least 8 characters"), "{html}");
    model.act(Action::SetPassword(Secret::new("long enough")));
    assert!(render(model.clone(), true).contains("Saving…"));
    model.apply(NetEvent::TokenStored { name: "alice".into(), ts: 2 });
    let html = render(model, true);
    assert!(!html.contains("role=\"dialog\""), "closed: {html}");
    assert!(html.contains("Password saved: the name alice is yours"), "{html}");
}

#[test]
fn a_picture_shows_its_preview_and_a_file_its_name_size_and_a_download_button() {
    let mut model = chatting();
    let picture = anseo_shared::protocol::Attachment {
        hash: [1; 32],
        name: "board.jpg".into(),
        size: 1536,
        mime: "image/jpeg".into(),
        picture: Some(anseo_shared::protocol::Picture {
            width: 640,
            height: 480,
            preview: vec![0xFF, 0xD8, 0xFF],
        }),
    };
    let NetEvent::Chat(ChatEvent::Message { mut message, confirms }) = say("lobby", 5, "bob", "the board")
    else {
        unreachable!()
    };
    message.attachment = Some(picture);
    model.apply(NetEvent::Chat(ChatEvent::Message { message, confirms }));
    let NetEvent::Chat(ChatEvent::Message { mut message, confirms }) = say("lobby", 6, "bob", "") else {
        unreachable!()
    };
    message.attachment = Some(anseo_shared::protocol::Attachment {
        hash: [2; 32],
        name: "<b>notes</b>.pdf".into(),
        size: 3 << 20,
        mime: "application/pdf".into(),
        picture: None,
    });
    model.apply(NetEvent::Chat(ChatEvent::Message { message, confirms }));
    model.act(Action::Download { hash: [2; 32], name: "notes.pdf".into() });
    let html = render(model, true);
    assert!(html.contains(r#"src="data:image/jpeg;base64,/9j/""#), "{html}");
    assert!(html.contains("aspect-ratio: 640 / 480"), "{html}");
    assert!(html.contains("board.jpg") && html.contains("1.5 KiB · image/jpeg"), "{html}");
    assert!(html.contains(">the board<"), "the caption is missing: {html}");
    assert!(html.contains("&#60;b&#62;notes&#60;/b&#62;.pdf"), "the name is not escaped: {html}");
    assert!(html.contains("3 MiB · application/pdf"), "{html}");
    assert_eq!(html.matches(r#"class="file-download""#).count(), 2, "{html}");
    assert!(html.contains("Saving…"), "{html}");
    assert!(
        html.contains(r#"aria-label="Send a file""#) && html.contains(r#"type="file""#),
        "no paperclip: {html}"
    );
}

#[test]
fn files_on_their_way_show_a_progress_bar_and_a_cancel_button() {
    let mut model = chatting();
    model.apply(NetEvent::TransferProgress {
        id: 7,
        name: "play.mp4".into(),
        up: true,
        done: 75 << 20,
        total: 300 << 20,
    });
    model.apply(NetEvent::TransferProgress { id: 8, name: "notes.pdf".into(), up: false, done: 0, total: 0 });
    let html = render(model, true);
    assert!(html.contains("Sending play.mp4") && html.contains(r#"value="25""#), "{html}");
    assert!(html.contains("75 MiB of 300 MiB"), "{html}");
    assert!(html.contains("Saving notes.pdf") && html.contains(r#"value="100""#), "{html}");
    assert_eq!(html.matches(r#"class="transfer-cancel""#).count(), 2, "{html}");
}

/// `chatting()` with one message from bob carrying `file`.
fn with_file(file: anseo_shared::protocol::Attachment) -> Model {
    let mut model = chatting();
    let NetEvent::Chat(ChatEvent::Message { mut message, confirms }) = say("lobby", 5, "bob", "") else {
        unreachable!()
    };
    message.attachment = Some(file);
    model.apply(NetEvent::Chat(ChatEvent::Message { message, confirms }));
    model
}

#[test]
fn a_voice_clip_plays_in_place_from_the_cache_once_it_is_there() {
    let clip = anseo_shared::protocol::Attachment {
        hash: [3; 32],
        name: "hello.ogg".into(),
        size: 20_000,
        mime: "audio/ogg".into(),
        picture: None,
    };
    let mut model = with_file(clip);
    model.act(Action::FetchMedia([3; 32]));
    let html = render(model.clone(), true);
    assert!(html.contains("Fetching the clip…") && !html.contains("<audio"), "{html}");
    let url = format!("/media/{}", "03".repeat(32));
    model.apply(NetEvent::MediaReady { hash: [3; 32], url: url.clone() });
    let html = render(model, true);
    assert!(html.contains(r#"class="file-audio" controls=true preload="metadata""#), "{html}");
    assert!(html.contains(&format!(r#"data-src="{url}""#)), "the player's clip: {html}");
}

#[test]
fn a_picture_shows_large_from_the_cache_once_it_is_there() {
    let picture = anseo_shared::protocol::Attachment {
        hash: [4; 32],
        name: "board.jpg".into(),
        size: 90_000,
        mime: "image/jpeg".into(),
        picture: Some(anseo_shared::protocol::Picture {
            width: 1600,
            height: 1200,
            preview: vec![0xFF, 0xD8, 0xFF],
        }),
    };
    let mut model = with_file(picture.clone());
    model.act(Action::ViewPicture(picture));
    let html = render(model.clone(), true);
    assert!(html.contains(r#"class="viewer""#) && html.contains("board.jpg — click to close"), "{html}");
    assert_eq!(
        html.matches(r#"src="data:image/jpeg;base64,/9j/""#).count(),
        2,
        "preview inline and large: {html}"
    );
    model.apply(NetEvent::MediaReady { hash: [4; 32], url: "blob:http://anseo/7".into() });
    let html = render(model.clone(), true);
    let url = r#"src="blob:http://anseo/7""#;
    assert_eq!(html.matches(url).count(), 2, "the full picture inline and large: {html}");
    model.act(Action::ClosePicture);
    assert!(!render(model, true).contains(r#"class="viewer""#));
}

#[test]
fn a_saved_file_says_where_it_is_and_offers_to_open_it() {
    let file = anseo_shared::protocol::Attachment {
        hash: [9; 32],
        name: "notes.pdf".into(),
        size: 2048,
        mime: "application/pdf".into(),
        picture: None,
    };
    let mut model = with_file(file);
    model.act(Action::Download { hash: [9; 32], name: "notes.pdf".into() });
    assert!(!render(model.clone(), true).contains(">Open<"), "nothing to open while saving");
    model.apply(NetEvent::Downloaded { hash: [9; 32], path: "/home/alice/Downloads/notes.pdf".into() });
    let html = render(model, true);
    assert!(html.contains("Saved to /home/alice/Downloads/notes.pdf") && html.contains(">Open<"), "{html}");
}

#[test]
fn the_invite_dialog_shows_the_servers_qr_code_and_links_once_its_fingerprint_is_known() {
    let mut model = chatting();
    model.act(Action::OpenDialog(Dialog::Invite));
    let html = render(model.clone(), true);
    assert!(html.contains("certificate fingerprint yet, so it cannot make an invite"), "{html}");

    let fingerprint = Fingerprint::of_der(b"the server's certificate");
    model.apply(NetEvent::Trusted(fingerprint));
    let html = render(model, true);
    let hex = fingerprint.to_hex();
    assert!(html.contains(&format!("https://127.0.0.1:4433/join#fp={hex}")), "{html}");
    assert!(html.contains(&format!("anseo://127.0.0.1:4433?fp={hex}")), "{html}");
    assert!(html.contains("<svg") && html.contains(r#"aria-label="QR code of the invite link""#), "{html}");
}

#[test]
fn the_login_screen_lists_servers_found_on_the_network() {
    let mut model = Model::new("alice".into(), String::new(), None);
    let found = |name: &str, server: &str, known| crate::model::Discovered {
        name: name.into(),
        server: server.into(),
        announced: None,
        known,
    };
    assert!(!render(model.clone(), false).contains("Servers on this network"));
    model.apply(NetEvent::Discovered(vec![
        found("Room 12", "192.168.1.5:4433", true),
        found("Music", "192.168.1.9:4433", false),
    ]));
    let html = render(model, false);
    assert!(html.contains("Servers on this network"), "{html}");
    assert!(
        html.contains("Room 12") && html.contains("192.168.1.5:4433") && html.contains("Music"),
        "{html}"
    );
    assert_eq!(html.matches(r#"class="discovered-known""#).count(), 1, "{html}");
}
