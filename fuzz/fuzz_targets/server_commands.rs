//! Drives the server's hub — the state every command changes — with arbitrary command
//! sequences from four logged-in clients, who may also log out and back in. Nothing may panic,
//! and every frame the server queues must decode as a valid server frame.
#![no_main]

use anseo_server::cmd::Command;
use anseo_server::hub::{ClientId, Hub, HubLimits, RoomCreationLimits};
use anseo_server::outbox::{DetachedReceiver, Outbox, OutboxLimits};
use anseo_server::presence::PresenceReceiver;
use anseo_shared::protocol::{ClientMsg, FrameCodec, PresenceFrame, SendRate, ServerMsg};
use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use tokio_util::codec::Decoder;

const CLIENTS: usize = 4;

struct FakeClient {
    name: String,
    id: Option<ClientId>,
    chat: Option<DetachedReceiver>,
    presence: Option<PresenceReceiver>,
}

fn login(hub: &Hub, client: &mut FakeClient) {
    let limits = OutboxLimits::default();
    let (chat, chat_rx) = Outbox::detached(limits);
    // A rename may have given another client this name: then the login is refused, fine.
    if let Ok(logged_in) = hub.login(client.name.clone(), chat) {
        client.id = Some(logged_in.id);
        client.chat = Some(chat_rx);
        client.presence = Some(logged_in.presence);
    }
}

fn assert_decodes_all<T: DeserializeOwned>(frames: Vec<bytes::Bytes>, max_len: usize) {
    for frame in frames {
        let mut buf = BytesMut::from(&frame[..]);
        let decoded = FrameCodec::<T, ()>::new(max_len).decode(&mut buf);
        assert!(matches!(decoded, Ok(Some(_))) && buf.is_empty(), "the server queued an invalid frame");
    }
}

fuzz_target!(|data: &[u8]| {
    let limits =
        HubLimits { max_clients: 3, max_rooms_per_user: 4, max_rooms: 6, max_message_chars: 40, presence_backlog: 256, send_rate: SendRate { burst: 5, micros_per_send: 100_000 }, room_creation: RoomCreationLimits { per_name_per_hour: 20, per_address_per_hour: 60 }, board: anseo_shared::board::BoardLimits { max_stroke_points: 50, max_strokes: 20, max_points: 200 } };
    let hub = Hub::new(limits);
    let mut clients: Vec<FakeClient> = (0..CLIENTS)
        .map(|i| FakeClient { name: format!("user{i}"), id: None, chat: None, presence: None })
        .collect();
    for client in &mut clients {
        login(&hub, client);
    }
    let mut rest = data;
    while let Some((&selector, after)) = rest.split_first() {
        let client = &mut clients[selector as usize % CLIENTS];
        rest = after;
        if selector & 0x80 != 0 {
            // Log out (everyone is told) and, if the name is still free, back in.
            if let Some(id) = client.id.take() {
                hub.logout(id);
            }
            login(&hub, client);
            continue;
        }
        let Ok((msg, after)) = postcard::take_from_bytes::<ClientMsg>(rest) else { continue };
        rest = after;
        if let (Some(id), Some(command)) = (client.id, Command::from_msg(msg)) {
            command.apply(&hub, id);
        }
        for client in &mut clients {
            let chat = client.chat.as_mut().map(DetachedReceiver::try_drain).unwrap_or_default();
            assert_decodes_all::<ServerMsg>(chat, anseo_shared::protocol::MAX_SERVER_FRAME_LEN);
            let presence = client.presence.as_mut().map(|p| p.try_drain().expect("the feed keeps up")).unwrap_or_default();
            assert_decodes_all::<PresenceFrame>(presence, anseo_shared::protocol::MAX_SERVER_FRAME_LEN);
        }
    }
});
