//! Round trips and golden bytes. The golden bytes freeze the wire format: if one of these
//! fails, the change broke compatibility with deployed clients (append variants instead).

use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

use super::*;

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(msg: T) {
    let frame = encode_frame(&msg).unwrap();
    let mut codec = FrameCodec::<T, T>::default();
    let mut buf = BytesMut::from(&frame[..]);
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(msg));
    assert!(buf.is_empty());
}

#[test]
fn every_client_message_round_trips() {
    round_trip(ClientMsg::Hello { version: PROTOCOL_VERSION, name: "ÅsaB".into() });
    round_trip(ClientMsg::Edit { room: "r".into(), id: 3, text: "fixed".into() });
    round_trip(ClientMsg::Delete { room: "r".into(), id: 3 });
    round_trip(ClientMsg::Moderate {
        room: "r".into(),
        command: ModCommand::Mute { name: "eve".into(), minutes: 5 },
    });
    round_trip(ClientMsg::Say {
        room: "lobby".into(),
        text: "hi\nthere".into(),
        client_msg_id: 7,
        attachment: None,
    });
    round_trip(ClientMsg::Direct {
        to: "bob".into(),
        text: "psst".into(),
        client_msg_id: u64::MAX,
        attachment: None,
    });
    round_trip(ClientMsg::Join { room: "maths".into(), topic: Some("homework".into()) });
    round_trip(ClientMsg::Leave { room: "maths".into() });
    round_trip(ClientMsg::Nick { name: "carol".into() });
    round_trip(ClientMsg::ListUsers);
    round_trip(ClientMsg::ListRooms);
    round_trip(ClientMsg::ListUsersAfter { after: "bob".into() });
    round_trip(ClientMsg::ListRoomsAfter { after: String::new() });
    round_trip(ClientMsg::History { room: "lobby".into(), before: Some(51), limit: 50 });
    round_trip(ClientMsg::Login(LoginRequest {
        version: PROTOCOL_VERSION,
        name: "alice".into(),
        credential: Credential::Password("correct horse".into()),
    }));
    round_trip(ClientMsg::SetPassword { password: "battery staple".into() });
    round_trip(ClientMsg::Rejoin(RejoinRequest {
        version: PROTOCOL_VERSION,
        name: "alice".into(),
        credential: None,
        instance: u64::MAX,
    }));
}

#[test]
fn credentials_never_show_in_debug_output() {
    let login = ClientMsg::Login(LoginRequest {
        version: 1,
        name: "alice".into(),
        credential: Credential::Password("hunter22".into()),
    });
    assert!(!format!("{login:?}").contains("hunter22"));
    assert!(!format!("{:?}", Credential::Token("t0ken".into())).contains("t0ken"));
}

#[test]
fn golden_bytes_of_history() {
    // Variant 8 of ClientMsg, then the room, Some(51), 50.
    let bytes = postcard::to_stdvec(&ClientMsg::History { room: "ab".into(), before: Some(51), limit: 50 });
    assert_eq!(bytes.unwrap(), [8, 2, b'a', b'b', 1, 51, 50]);
    // Variant 10 of ServerMsg: room, no messages, more = false, ts = 3.
    let page = HistoryPage { room: "ab".into(), messages: vec![], more: false, ts: 3 };
    assert_eq!(postcard::to_stdvec(&ServerMsg::History(page)).unwrap(), [10, 2, b'a', b'b', 0, 0, 3]);
}

#[test]
fn every_server_message_round_trips() {
    let room = RoomInfo { name: "lobby".into(), topic: "".into(), members: 2 };
    round_trip(ServerMsg::Welcome(Welcome {
        name: "alice".into(),
        room: LOBBY.into(),
        limits: Limits { max_message_chars: 2000, max_frame_len: 65536 },
        users: vec!["alice".into(), "bob".into()],
        rooms: vec![room.clone()],
        members: vec!["alice".into(), "bob".into()],
        presence_seq: 41,
        ts: 1_700_000_000_000,
        send_rate: SendRate { burst: 50, micros_per_send: 100_000 },
        users_online: 2,
        rooms_total: 1,
    }));
    round_trip(ServerMsg::Rejected(Rejection::UnsupportedVersion { server: 1, client: 9 }));
    round_trip(ServerMsg::Rejected(Rejection::WrongPassword { name: "bob".into(), retry_after_ms: 2000 }));
    round_trip(ServerMsg::Token { name: "bob".into(), token: "ab".repeat(32), ts: 3 });
    round_trip(ServerMsg::UsersPage { users: vec!["alice".into()], more: true, ts: 4 });
    round_trip(ServerMsg::RoomsPage { rooms: vec![room.clone()], more: false, ts: 5 });
    round_trip(ServerMsg::Message(RoomMessage {
        id: 1,
        room: "lobby".into(),
        seq: 1,
        from: "alice".into(),
        text: "hi".into(),
        ts: 5,
        client_msg_id: 3,
        attachment: Some(Attachment {
            hash: [1; 32],
            name: "clip.ogg".into(),
            size: 5_000_000,
            mime: "audio/ogg".into(),
            picture: None,
        }),
        kind: MessageKind::Edit { id: 7 },
        state: MessageState::Edited,
    }));
    round_trip(ServerMsg::Joined { room, members: vec!["alice".into()], ts: 9, creator: "alice".into() });
    round_trip(ServerMsg::History(HistoryPage {
        room: "lobby".into(),
        messages: vec![RoomMessage {
            id: 2,
            room: "lobby".into(),
            seq: 1,
            from: "bob".into(),
            text: "earlier".into(),
            ts: 4,
            client_msg_id: 1,
            attachment: None,
            kind: MessageKind::Moderation(Moderation {
                action: ModAction::Mute { until: 9 },
                target: "eve".into(),
            }),
            state: MessageState::Deleted,
        }],
        more: false,
        ts: 12,
    }));
    round_trip(ServerMsg::Error(ErrorReply {
        code: ErrorCode::NoSuchUser,
        message: "no user 'zed' is online".into(),
        client_msg_id: Some(4),
        ts: 10,
    }));
    round_trip(PresenceFrame {
        seq: 3,
        ts: 11,
        event: PresenceEvent::Joined { room: "lobby".into(), user: "bob".into(), members: 2, after_seq: 17 },
    });
}

#[test]
fn golden_bytes_of_hello() {
    let frame = encode_frame(&ClientMsg::Hello { version: 1, name: "bob".into() }).unwrap();
    // length 6 | variant 0 | version 1 | string of 3 bytes "bob"
    assert_eq!(&frame[..], &[0, 0, 0, 6, 0, 1, 3, b'b', b'o', b'b']);
}

#[test]
fn golden_bytes_of_say_and_message() {
    let say = encode_frame(&ClientMsg::Say {
        room: "r".into(),
        text: "hi".into(),
        client_msg_id: 300,
        attachment: None,
    })
    .unwrap();
    // Version 2: the attachment's Option (0, none) follows the client message id.
    assert_eq!(&say[..], &[0, 0, 0, 9, 1, 1, b'r', 2, b'h', b'i', 0xac, 0x02, 0]);
    let message = encode_frame(&ServerMsg::Message(RoomMessage {
        id: 1,
        room: "r".into(),
        seq: 2,
        from: "a".into(),
        text: "hi".into(),
        ts: 3,
        client_msg_id: 4,
        attachment: None,
        kind: MessageKind::Said,
        state: MessageState::AsSent,
    }))
    .unwrap();
    // Version 3: the kind (0, said) and the state (0, as sent) follow the attachment.
    assert_eq!(&message[..], &[0, 0, 0, 15, 2, 1, 1, b'r', 2, 1, b'a', 2, b'h', b'i', 3, 4, 0, 0, 0]);
}

#[test]
fn golden_bytes_of_an_attachment() {
    let attachment = Attachment {
        hash: [9; 32],
        name: "a.png".into(),
        size: 200,
        mime: "image/png".into(),
        picture: Some(Picture { width: 3, height: 2, preview: vec![0xFF, 0xD8] }),
    };
    let say = ClientMsg::Say {
        room: "r".into(),
        text: String::new(),
        client_msg_id: 1,
        attachment: Some(attachment),
    };
    let mut expected = vec![1, 1, b'r', 0, 1, 1];
    expected.extend([9; 32]);
    expected.extend([5, b'a', b'.', b'p', b'n', b'g', 0xc8, 0x01, 9]);
    expected.extend(b"image/png");
    expected.extend([1, 3, 2, 2, 0xFF, 0xD8]);
    assert_eq!(postcard::to_stdvec(&say).unwrap(), expected);
}

#[test]
fn golden_bytes_of_presence() {
    let frame =
        encode_frame(&PresenceFrame { seq: 1, ts: 2, event: PresenceEvent::Offline { user: "z".into() } })
            .unwrap();
    assert_eq!(&frame[..], &[0, 0, 0, 5, 1, 2, 1, 1, b'z']);
}

#[test]
fn oversized_frame_is_refused_before_buffering_it() {
    let mut codec = FrameCodec::<ClientMsg, ClientMsg>::default();
    let mut buf = BytesMut::from(&((MAX_FRAME_LEN as u32 + 1).to_be_bytes())[..]);
    assert!(matches!(codec.decode(&mut buf), Err(FrameError::TooLarge { .. })));
}

#[test]
fn garbage_body_is_an_error_not_a_panic() {
    let mut codec = FrameCodec::<ClientMsg, ClientMsg>::default();
    let mut buf = BytesMut::from(&[0u8, 0, 0, 3, 200, 255, 255][..]);
    assert!(matches!(codec.decode(&mut buf), Err(FrameError::Undecodable(_))));
}

#[test]
fn partial_frame_waits_for_more() {
    let frame = encode_frame(&ClientMsg::ListUsers).unwrap();
    let mut codec = FrameCodec::<ClientMsg, ClientMsg>::default();
    let mut buf = BytesMut::from(&frame[..frame.len() - 1]);
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(&frame[frame.len() - 1..]);
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(ClientMsg::ListUsers));
}

#[test]
fn encoder_appends_frames_back_to_back() {
    let mut codec = FrameCodec::<ClientMsg, ClientMsg>::default();
    let mut buf = BytesMut::new();
    codec.encode(&ClientMsg::ListUsers, &mut buf).unwrap();
    codec.encode(&ClientMsg::ListRooms, &mut buf).unwrap();
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(ClientMsg::ListUsers));
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(ClientMsg::ListRooms));
}

#[test]
fn names_are_normalised_and_checked() {
    // "e" + combining acute becomes the single precomposed character.
    assert_eq!(normalize_name("Jose\u{301}").unwrap(), "José");
    assert_eq!(normalize_name("a.b_c-9").unwrap(), "a.b_c-9");
    assert_eq!(normalize_name(""), Err(NameError::Empty));
    assert_eq!(normalize_name("bad name"), Err(NameError::BadCharacter(' ')));
    assert_eq!(normalize_name(&"x".repeat(33)), Err(NameError::TooLong { max: 32 }));
    assert!(normalize_name(&"x".repeat(32)).is_ok());
    assert_eq!(normalize_room("#maths").unwrap(), "maths");
    assert!(normalize_room(&"r".repeat(64)).is_ok());
    assert_eq!(fold_name("BoB"), fold_name("bob"));
}

#[test]
fn texts_are_checked() {
    assert_eq!(validate_text("", 10), Err(TextError::Empty));
    assert_eq!(validate_text(" \n ", 10), Err(TextError::Empty));
    assert_eq!(validate_text("line\n\tindented", 20), Ok(()));
    assert_eq!(validate_text("ab\u{7}", 10), Err(TextError::ControlCharacter(7)));
    assert_eq!(validate_text("ééé", 3), Ok(()));
    assert_eq!(validate_text("éééé", 3), Err(TextError::TooLong { chars: 4, max: 3 }));
}

/// The Welcome as the first release defined it, without the send rate appended since.
#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
enum FirstReleaseServerMsg {
    Welcome {
        name: String,
        room: String,
        limits: Limits,
        users: Vec<String>,
        rooms: Vec<RoomInfo>,
        members: Vec<String>,
        presence_seq: u64,
        ts: u64,
    },
}

#[test]
fn welcome_fields_are_appended_so_first_release_clients_still_read_it() {
    let welcome = Welcome {
        name: "a".into(),
        room: LOBBY.into(),
        limits: Limits { max_message_chars: 2000, max_frame_len: 65536 },
        users: vec![],
        rooms: vec![],
        members: vec![],
        presence_seq: 1,
        ts: 2,
        send_rate: SendRate { burst: 50, micros_per_send: 100_000 },
        users_online: 2,
        rooms_total: 1,
    };
    let bytes = postcard::to_stdvec(&ServerMsg::Welcome(welcome)).unwrap();
    // After the first release's fields: the rate (burst 50, then 100_000 as a varint), then
    // the counts of users online (2) and rooms (1).
    assert_eq!(bytes[bytes.len() - 6..], [50, 0xa0, 0x8d, 0x06, 2, 1]);
    let old: FirstReleaseServerMsg = postcard::from_bytes(&bytes).unwrap();
    let FirstReleaseServerMsg::Welcome { name, presence_seq, ts, .. } = old;
    assert_eq!((name.as_str(), presence_seq, ts), ("a", 1, 2));
}

#[test]
fn messages_may_span_lines_but_not_reorder_or_control_the_terminal() {
    assert_eq!(validate_text("hi\n[12:00] mallory: fake", 100), Ok(()));
    for bad in ['\r', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}', '\u{202a}', '\u{202b}', '\u{202d}', '\u{202e}']
    {
        assert_eq!(
            validate_text(&format!("a{bad}b"), 10),
            Err(TextError::ControlCharacter(bad as u32)),
            "{bad:?}"
        );
    }
    // Real text needs these: emoji sequences, and marks and isolates in mixed-direction text.
    assert_eq!(validate_text("👩\u{200d}💻 \u{2067}שלום\u{2069} \u{200f}", 20), Ok(()));
}

#[test]
fn names_and_topics_refuse_every_control_and_format_character() {
    let hidden = [
        '\u{202e}', '\u{2066}', '\u{200b}', '\u{200d}', '\u{200e}', '\u{2060}', '\u{feff}', '\u{ad}',
        '\u{85}',
    ];
    for bad in hidden {
        assert_eq!(normalize_name(&format!("al{bad}ice")), Err(NameError::BadCharacter(bad)), "{bad:?}");
        assert_eq!(normalize_room(&format!("de{bad}v")), Err(NameError::BadCharacter(bad)), "{bad:?}");
        assert_eq!(validate_topic(&format!("a {bad} topic")), Err(TextError::ControlCharacter(bad as u32)));
    }
    assert_eq!(validate_topic("Rust, ünïcödé and 日本語"), Ok(()));
}

#[test]
fn a_refused_invisible_character_is_named_by_its_code_point() {
    let reason = normalize_name("al\u{202e}ice").unwrap_err().to_string();
    assert_eq!(reason, "the name may only contain letters, digits, '_', '-' and '.', not U+202E");
    let reason = normalize_name("bad name").unwrap_err().to_string();
    assert!(reason.ends_with("not ' '"), "{reason}");
    assert!(normalize_name("a\u{3000}b").unwrap_err().to_string().ends_with("not U+3000"));
}

#[test]
fn look_alike_names_share_a_skeleton() {
    let alice = name_skeleton("alice");
    for twin in
        ["Alice", "ALICE", "\u{430}lice", "\u{ff41}\u{ff4c}\u{ff49}\u{ff43}\u{ff45}", "a1ice", "\u{430}LICE"]
    {
        assert_eq!(name_skeleton(twin), alice, "{twin}");
    }
    for other in ["alicia", "bob", "al", "alice2"] {
        assert_ne!(name_skeleton(other), alice, "{other}");
    }
    assert_eq!(name_skeleton("b0b"), name_skeleton("bob"));
    assert_eq!(name_skeleton("rn"), name_skeleton("m"));
}

#[test]
fn a_folded_name_has_the_skeleton_of_the_name() {
    // The hub turns claimed keys the store folded into skeletons.
    for name in ["Alice", "\u{410}lice", "\u{ff21}LICE", "José", "ǅemal", "STRASSE", "Ωmega", "İlker"] {
        assert_eq!(name_skeleton(&fold_name(name)), name_skeleton(name), "{name}");
    }
}

#[test]
fn golden_bytes_of_the_paged_lists() {
    // Appended variants: ClientMsg 12 and 13, ServerMsg 12 and 13.
    assert_eq!(postcard::to_stdvec(&ClientMsg::ListUsersAfter { after: "b".into() }).unwrap(), [12, 1, b'b']);
    assert_eq!(postcard::to_stdvec(&ClientMsg::ListRoomsAfter { after: String::new() }).unwrap(), [13, 0]);
    let page = ServerMsg::UsersPage { users: vec!["a".into()], more: true, ts: 2 };
    assert_eq!(postcard::to_stdvec(&page).unwrap(), [12, 1, 1, b'a', 1, 2]);
    let page = ServerMsg::RoomsPage { rooms: vec![], more: false, ts: 3 };
    assert_eq!(postcard::to_stdvec(&page).unwrap(), [13, 0, 0, 3]);
}

#[test]
fn golden_bytes_of_a_transfer() {
    let upload = encode_frame(&TransferRequest::Upload { hash: [7; 32], size: 300 }).unwrap();
    // length 35 | variant 0 | 32 bytes of hash | size 300 as a varint
    let mut expected = vec![0, 0, 0, 35, 0];
    expected.extend([7; 32]);
    expected.extend([0xac, 0x02]);
    assert_eq!(&upload[..], &expected[..]);
    let from = encode_frame(&TransferReply::SendFrom { offset: 5 }).unwrap();
    assert_eq!(&from[..], &[0, 0, 0, 2, 0, 5]);
    let refused =
        encode_frame(&TransferReply::Refused { code: ErrorCode::TooLarge, message: "big".into() }).unwrap();
    assert_eq!(&refused[..], &[0, 0, 0, 6, 2, 16, 3, b'b', b'i', b'g']);
    assert_eq!(ErrorCode::StorageFull.as_str(), "storage_full");
    let download = encode_frame(&TransferRequest::Download { hash: [7; 32], offset: 1 }).unwrap();
    assert_eq!(&download[..5], &[0, 0, 0, 34, 1]);
    assert_eq!(download[37], 1);
    assert_eq!(&encode_frame(&TransferReply::Sending { size: 2 }).unwrap()[..], &[0, 0, 0, 2, 3, 2]);
    assert_eq!(ErrorCode::NotAllowed.as_str(), "not_allowed");
}

#[test]
fn golden_bytes_of_the_board() {
    // Appended variants: ClientMsg 14, ServerMsg 14 and 15, ErrorCode 21.
    let style = StrokeStyle { colour: 0x0000ff, width: 3, tool: Tool::Highlighter };
    let begin = ClientMsg::Board {
        room: "a".into(),
        op: BoardOp::Begin { stroke: 9, style, points: vec![Point { x: 1, y: 300 }] },
    };
    // variant 14 | "a" | Begin 0 | stroke 9 | colour 255 as a varint | width 3 | tool 1 | 1 point
    assert_eq!(postcard::to_stdvec(&begin).unwrap(), [14, 1, b'a', 0, 9, 0xff, 0x01, 3, 1, 1, 1, 0xac, 0x02]);
    let event =
        ServerMsg::Board(BoardEvent { room: "a".into(), seq: 2, by: "b".into(), ts: 5, op: BoardOp::Clear });
    assert_eq!(postcard::to_stdvec(&event).unwrap(), [14, 1, b'a', 2, 1, b'b', 5, 4]);
    let snapshot =
        ServerMsg::BoardState(BoardSnapshot { room: "a".into(), seq: 7, strokes: vec![], more: false });
    assert_eq!(postcard::to_stdvec(&snapshot).unwrap(), [15, 1, b'a', 7, 0, 0]);
    assert_eq!(postcard::to_stdvec(&ErrorCode::BoardFull).unwrap(), [21]);
    assert_eq!(ErrorCode::BoardFull.as_str(), "board_full");
}

#[test]
fn board_operations_are_checked_on_their_own() {
    let style = StrokeStyle { colour: 0x123456, width: 4, tool: Tool::Pen };
    let begin = |points: Vec<Point>| BoardOp::Begin { stroke: 1, style, points };
    assert_eq!(validate_board_op(&begin(vec![Point { x: 0, y: BOARD_SIZE }])), Ok(()));
    assert_eq!(
        validate_board_op(&begin(vec![Point { x: BOARD_SIZE + 1, y: 0 }])),
        Err(BoardOpError::OffBoard { x: BOARD_SIZE + 1, y: 0 })
    );
    let many = vec![Point { x: 1, y: 1 }; MAX_POINTS_PER_OP + 1];
    assert_eq!(
        validate_board_op(&BoardOp::Points { stroke: 1, points: many }),
        Err(BoardOpError::TooManyPoints { count: MAX_POINTS_PER_OP + 1 })
    );
    let wide = BoardOp::Begin { stroke: 1, style: StrokeStyle { width: 0, ..style }, points: vec![] };
    assert_eq!(validate_board_op(&wide), Err(BoardOpError::BadWidth { width: 0 }));
    let colour =
        BoardOp::Begin { stroke: 1, style: StrokeStyle { colour: 1 << 24, ..style }, points: vec![] };
    assert_eq!(validate_board_op(&colour), Err(BoardOpError::BadColour { colour: 1 << 24 }));
    assert_eq!(parse_colour("red"), Some(0xd1242f));
    assert_eq!(parse_colour("#00FF7f"), Some(0x00ff7f));
    assert_eq!(parse_colour("nope"), None);
    assert_eq!(colour_hex(0x00ff7f), "#00ff7f");
}

#[test]
fn golden_bytes_of_reactions_and_what_counts_as_an_emoji() {
    // Appended variants: ClientMsg 15, ServerMsg 16 and 17.
    let react = ClientMsg::React { room: "a".into(), id: 3, emoji: "👍".into(), on: true };
    assert_eq!(postcard::to_stdvec(&react).unwrap(), [15, 1, b'a', 3, 4, 0xf0, 0x9f, 0x91, 0x8d, 1]);
    let reaction = ServerMsg::Reaction(Reaction {
        room: "a".into(),
        id: 3,
        by: "b".into(),
        emoji: "🎉".into(),
        on: false,
        ts: 9,
    });
    assert_eq!(postcard::to_stdvec(&reaction).unwrap()[..3], [16, 1, b'a']);
    let entries = ServerMsg::Reactions { room: "a".into(), reactions: vec![] };
    assert_eq!(postcard::to_stdvec(&entries).unwrap(), [17, 1, b'a', 0]);
    assert!(react.is_rate_limited());
    assert_eq!(validate_emoji("👍"), Ok(()));
    assert_eq!(validate_emoji("👍🏽"), Ok(()));
    assert_eq!(validate_emoji("x"), Err(NotAnEmoji("x".into())));
    assert!(validate_emoji("👍👍").is_err());
    assert!(validate_emoji("").is_err());
    assert_eq!(expand_shortcodes("well done :tada: :+1: at 10:30 :nope:"), "well done 🎉 👍 at 10:30 :nope:");
    assert_eq!(expand_shortcodes(":smile::smile:"), "😄😄");
    assert_eq!(expand_shortcodes("no colons"), "no colons");
}

#[test]
fn golden_bytes_of_typing() {
    // Appended variants: ClientMsg 16, ServerMsg 18.
    let typing = ClientMsg::Typing { place: Place::Direct("b".into()) };
    assert_eq!(postcard::to_stdvec(&typing).unwrap(), [16, 1, 1, b'b']);
    let seen = ServerMsg::Typing { place: Place::Room("a".into()), from: "c".into(), ts: 2 };
    assert_eq!(postcard::to_stdvec(&seen).unwrap(), [18, 0, 1, b'a', 1, b'c', 2]);
    assert!(!typing.is_rate_limited());
}

#[test]
fn golden_bytes_of_watch() {
    // Appended after Moderate (20): a client of the version before never sends it, and the
    // presence frames it reads are the same as before.
    let watch = ClientMsg::Watch { users: vec!["ann".into(), "b".into()] };
    assert_eq!(postcard::to_stdvec(&watch).unwrap(), [21, 2, 3, b'a', b'n', b'n', 1, b'b']);
    assert!(!watch.is_rate_limited());
    let online = PresenceFrame { seq: 300, ts: 1, event: PresenceEvent::Online { user: "ann".into() } };
    assert_eq!(postcard::to_stdvec(&online).unwrap(), [0xac, 0x02, 1, 0, 3, b'a', b'n', b'n']);
}

#[test]
fn golden_bytes_of_the_online_count() {
    // Appended after RoomCreated (5); sent only to clients that sent Watch.
    let count = PresenceFrame { seq: 2, ts: 1, event: PresenceEvent::Count { online: 300 } };
    assert_eq!(postcard::to_stdvec(&count).unwrap(), [2, 1, 6, 0xac, 0x02]);
    round_trip(count);
}
