//! The web listener, as browsers and hostile peers meet it, with the server's default
//! settings: a session over the WebSocket chats with QUIC clients and the terminal client
//! byte for byte; plain HTTP is sent to HTTPS; garbage, oversized request heads, a flood
//! and a slowloris are cut, with a reason where there is a client to read one, and nobody
//! else notices.

use std::sync::Arc;
use std::time::Duration;

use anseo_shared::client::{
    ChatEvent, ConnectError, ConnectOptions, Disconnect, Event, ResumeOptions, Trust, WebSocket,
    connect_resilient_over, connect_websocket,
};
use anseo_shared::protocol::{
    ClientMsg, PROTOCOL_VERSION, ServerMsg, channel, close_code, encode_frame, websocket_close_code,
};
use anseo_shared::trust::{Fingerprint, FingerprintVerifier};
use futures_util::{SinkExt, StreamExt};
use quinn::crypto::rustls::QuicClientConfig;
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::Message;

use crate::support::{Cli, RawSocket, TestServer, WAIT, expect_event, open_for};

/// The next room or direct message text an `Event` stream brings, with its sender.
async fn next_text(events: &mut tokio::sync::mpsc::Receiver<Event>, what: &str) -> (String, String) {
    expect_event(events, what, |e| match e {
        Event::Server(ServerMsg::Message(m)) => Some((m.from.clone(), m.text.clone())),
        Event::Server(ServerMsg::Direct(m)) => Some((m.from.clone(), m.text.clone())),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn a_websocket_session_and_a_quic_session_chat_both_ways() {
    let server = TestServer::start();
    let mut web = server.login_web("wendy").await;
    let mut quic = server.login("quincy").await;
    assert_eq!(quic.welcome.users, vec!["quincy", "wendy"]);

    let text = "héllo 👋 from the browser — ünïcode ✓";
    web.client.say("lobby", text).await.unwrap();
    assert_eq!(next_text(&mut quic.events, "wendy's message").await, ("wendy".into(), text.into()));
    assert_eq!(next_text(&mut web.events, "wendy's echo").await, ("wendy".into(), text.into()));

    quic.client.say("lobby", "and back over QUIC").await.unwrap();
    assert_eq!(
        next_text(&mut web.events, "quincy's message").await,
        ("quincy".into(), "and back over QUIC".into())
    );
    quic.client.direct("wendy", "psst, only you").await.unwrap();
    assert_eq!(
        next_text(&mut web.events, "the direct message").await,
        ("quincy".into(), "psst, only you".into())
    );
    web.client.direct("quincy", "got it 🙂").await.unwrap();
    let seen = next_text(&mut quic.events, "wendy's direct message").await;
    assert_eq!(seen, ("quincy".into(), "and back over QUIC".into()), "quincy's own echo comes first");
    assert_eq!(
        next_text(&mut quic.events, "wendy's reply").await,
        ("quincy".into(), "psst, only you".into())
    );
    assert_eq!(next_text(&mut quic.events, "wendy's reply").await, ("wendy".into(), "got it 🙂".into()));
}

#[tokio::test]
async fn a_websocket_session_and_the_terminal_client_chat_in_a_room() {
    let server = TestServer::start();
    let mut web = server.login_web("wendy").await;
    let mut cli = Cli::login(&server, "tess").await;
    web.client.join("garden", None).await.unwrap();
    cli.send("/join garden").await;
    cli.expect_json("tess joined garden", |v| (v["type"] == "joined").then_some(())).await;

    web.client.say("garden", "🌱 first shoots").await.unwrap();
    let seen = cli
        .expect_json("wendy's message", |v| {
            (v["type"] == "message" && v["from"] == "wendy").then(|| v.clone())
        })
        .await;
    assert_eq!((seen["room"].clone(), seen["text"].clone()), (json!("garden"), json!("🌱 first shoots")));
    cli.send("water them, wendy").await;
    let events = &mut web.events;
    let seen = expect_event(events, "tess's message", |e| match e {
        Event::Server(ServerMsg::Message(m)) if m.from == "tess" => Some((m.room.clone(), m.text.clone())),
        _ => None,
    })
    .await;
    assert_eq!(seen, ("garden".into(), "water them, wendy".into()));
}

#[tokio::test]
async fn the_websocket_checks_the_certificate_like_quic() {
    let server = TestServer::start();
    let wrong = Fingerprint::of_der(b"not the server's certificate");
    let options = ConnectOptions::new(server.web_addr(), "mallory", Trust::Pinned(wrong));
    match connect_websocket(&options).await {
        Err(ConnectError::FingerprintMismatch { expected, actual }) => {
            assert_eq!((expected, actual), (wrong, server.fingerprint));
        }
        Err(other) => panic!("expected a fingerprint mismatch, got {other}"),
        Ok(_) => panic!("a WebSocket to a server with another certificate was accepted"),
    }
}

#[tokio::test]
async fn the_banner_names_the_web_address_and_no_web_turns_it_off() {
    let server = TestServer::start();
    let web = server.web_addr();
    assert!(web.starts_with("127.0.0.1:"), "{web}");
    let off = TestServer::start_with(&["--no-web"]);
    assert!(
        !off.banner.iter().any(|line| line.contains("from a browser")),
        "--no-web still prints a web address: {:#?}",
        off.banner
    );
}

#[tokio::test]
async fn the_page_and_the_servers_fingerprint_are_served_over_https() {
    let server = TestServer::start();
    let page = server.https("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("<title>Anseo</title>"), "{page}");
    let facts = server.facts().await;
    assert_eq!(facts["fingerprint"], json!(server.fingerprint.to_hex()));
    // WebTransport on the QUIC port, with the hash (SHA-256, hex) of its own certificate.
    let quic_port = server.addr.rsplit_once(':').unwrap().1;
    assert_eq!(facts["web_transport"]["port"].to_string(), quic_port);
    let hash = facts["web_transport"]["certificate_hash"].as_str().unwrap_or_default();
    assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()), "{facts}");
    assert_ne!(hash, server.fingerprint.to_hex(), "the short-lived certificate is not the server's own");
}

#[tokio::test]
async fn plain_http_is_redirected_to_https() {
    let server = TestServer::start();
    let host = server.web_addr();
    let request = format!("GET /chat?room=lobby HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    let response = server.plain_http(&request).await;
    assert!(response.starts_with("HTTP/1.1 308"), "{response}");
    let location = format!("location: https://{host}/chat?room=lobby\r\n");
    assert!(response.to_ascii_lowercase().contains(&location), "{response}");
}

#[tokio::test]
async fn an_oversized_request_head_is_refused_and_others_are_served() {
    let server = TestServer::start();
    let huge = "x".repeat(64 * 1024);
    let request = format!("GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: {huge}\r\nConnection: close\r\n\r\n");
    // Refused: answered 431, or cut before the head was even sent whole.
    let refused = server.https(&request).await;
    assert!(refused.starts_with("HTTP/1.1 431") || refused.is_empty(), "{refused}");
    assert!(!refused.contains("200 OK"), "an oversized head was served: {refused}");
    let page = server.https("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
}

/// The close message a raw socket gets, skipping anything before it.
async fn close_of(socket: &mut RawSocket) -> (u16, String) {
    let closed = tokio::time::timeout(WAIT, async {
        while let Some(message) = socket.next().await {
            if let Ok(Message::Close(frame)) = message {
                return frame.map(|f| (u16::from(f.code), f.reason.to_string()));
            }
        }
        None
    })
    .await;
    closed.expect("the server never closed the socket").expect("a close message with a code")
}

/// A Hello on the chat channel, as a browser sends it.
fn hello(name: &str) -> Message {
    let frame = encode_frame(&ClientMsg::Hello { version: PROTOCOL_VERSION, name: name.into() }).unwrap();
    Message::Binary([&[channel::CHAT][..], &frame].concat().into())
}

#[tokio::test]
async fn garbage_on_the_websocket_closes_it_with_a_reason() {
    let server = TestServer::start();
    let mut bystander = server.login_web("bystander").await;

    let mut text = server.raw_socket().await;
    text.send(Message::Text("hello?".into())).await.unwrap();
    let (code, reason) = close_of(&mut text).await;
    assert_eq!(code, websocket_close_code(close_code::PROTOCOL));
    assert!(reason.contains("binary"), "{reason}");

    let mut unknown = server.raw_socket().await;
    unknown.send(Message::Binary(vec![7, 0, 0, 0, 1, 0].into())).await.unwrap();
    let (code, reason) = close_of(&mut unknown).await;
    assert_eq!(code, websocket_close_code(close_code::PROTOCOL));
    assert!(reason.contains("unknown channel"), "{reason}");

    let mut oversized = server.raw_socket().await;
    oversized.send(hello("big")).await.unwrap();
    let mut frame = vec![channel::CHAT];
    frame.extend_from_slice(&(1u32 << 20).to_be_bytes());
    frame.extend_from_slice(&[0; 1024]);
    oversized.send(Message::Binary(frame.into())).await.unwrap();
    let (code, reason) = close_of(&mut oversized).await;
    assert_eq!(code, websocket_close_code(close_code::PROTOCOL));
    assert!(reason.contains("larger than the limit"), "{reason}");

    bystander.client.say("lobby", "still here").await.unwrap();
    assert_eq!(next_text(&mut bystander.events, "the echo").await, ("bystander".into(), "still here".into()));
}

#[tokio::test]
async fn a_websocket_flood_is_disconnected_and_others_go_on() {
    let server = TestServer::start();
    let mut bystander = server.login("bystander").await;
    let mut flood = server.raw_socket().await;
    flood.send(hello("flood")).await.unwrap();
    let say = |id: u64| {
        let say =
            ClientMsg::Say { room: "lobby".into(), text: "spam".into(), client_msg_id: id, attachment: None };
        Message::Binary([&[channel::CHAT][..], &encode_frame(&say).unwrap()].concat().into())
    };
    // Far beyond the burst and the abuse threshold, sent without reading.
    let sending = async {
        for id in 1..=2_000 {
            if flood.feed(say(id)).await.is_err() {
                break;
            }
        }
        let _ = flood.flush().await;
    };
    let _ = tokio::time::timeout(WAIT, sending).await;
    let (code, reason) = close_of(&mut flood).await;
    assert_eq!(code, websocket_close_code(close_code::ABUSE), "{reason}");
    assert!(reason.contains("flooding"), "{reason}");

    bystander.client.say("lobby", "calm").await.unwrap();
    let own = expect_event(&mut bystander.events, "the bystander's echo", |e| match e {
        Event::Server(ServerMsg::Message(m)) if m.from == "bystander" => Some(m.text.clone()),
        _ => None,
    })
    .await;
    assert_eq!(own, "calm");
}

#[tokio::test]
async fn a_slowloris_is_cut_while_a_browser_chats() {
    let server = TestServer::start();
    let mut slow = server.tls().await;
    slow.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n").await.unwrap();
    let dripping = async {
        for i in 0..30 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if slow.write_all(format!("X-Drip-{i}: x\r\n").as_bytes()).await.is_err() {
                break;
            }
        }
    };
    let mut web = server.login_web("wendy").await;
    let chatting = async {
        web.client.say("lobby", "not held up").await.unwrap();
        next_text(&mut web.events, "the echo").await
    };
    let ((), seen) = tokio::join!(dripping, chatting);
    assert_eq!(seen, ("wendy".into(), "not held up".into()));
    // The head never completed: cut at the head timeout (10 s), before the drip ends (15 s).
    let open = open_for(&mut slow, WAIT).await;
    assert!(open < WAIT, "the slow request was still open after {open:?} more");
}

#[tokio::test]
async fn browsers_are_told_when_the_server_stops() {
    let mut server = TestServer::start();
    let mut web = server.login_web("wendy").await;
    server.terminate();
    let reason = expect_event(&mut web.events, "the close", |e| match e {
        Event::Closed(reason) => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert!(
        matches!(&reason, Disconnect::ByServer { code, .. } if *code == close_code::SHUTDOWN),
        "{reason:?}"
    );
}

/// The texts of `from`'s lobby messages on a resilient session, until `last`.
async fn texts_until(
    events: &mut tokio::sync::mpsc::Receiver<ChatEvent>,
    from: &str,
    last: &str,
) -> Vec<String> {
    let mut texts = Vec::new();
    loop {
        let event =
            tokio::time::timeout(WAIT * 3, events.recv()).await.expect("events stopped").expect("open");
        match event {
            ChatEvent::Message { message, .. } if message.from == from => {
                texts.push(message.text.clone());
                if message.text == last {
                    return texts;
                }
            }
            ChatEvent::Closed(reason) => panic!("the session ended: {reason}"),
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_websocket_session_resumes_after_a_sigkill_restart_without_loss() {
    let server = TestServer::start();
    let (addr, web) = (server.addr.clone(), server.web_addr());
    let options = ResumeOptions {
        connect: ConnectOptions::new(&web, "wendy", server.trust()),
        reconnect_after_shutdown: true,
    };
    let (wendy, _, mut events) = connect_resilient_over::<WebSocket>(options).await.expect("web login");
    for i in 1..=10 {
        wendy.say("lobby", &format!("m{i}")).await.unwrap();
    }
    let before = texts_until(&mut events, "wendy", "m10").await;
    let dir = server.kill();
    // Sent while the server is gone: kept in the outbox, sent again after the catch-up.
    for i in 11..=20 {
        wendy.say("lobby", &format!("m{i} ✓")).await.unwrap();
    }
    let server = TestServer::start_at(dir, &addr, &["--web-listen", &web]);
    let after = texts_until(&mut events, "wendy", "m20 ✓").await;
    let expected: Vec<String> =
        (1..=20).map(|i| if i <= 10 { format!("m{i}") } else { format!("m{i} ✓") }).collect();
    assert_eq!([before, after].concat(), expected, "wendy saw each of her messages once, in order");

    // The store holds each once, in order.
    let mut reader = server.login("reader").await;
    reader.client.history("lobby", None, 200).await.unwrap();
    let stored = expect_event(&mut reader.events, "the history", |e| match e {
        Event::Server(ServerMsg::History(page)) if !page.messages.is_empty() => Some(
            page.messages.iter().filter(|m| m.from == "wendy").map(|m| m.text.clone()).collect::<Vec<_>>(),
        ),
        _ => None,
    })
    .await;
    assert_eq!(stored, expected, "the server stored each message once");
}

/// A QUIC connection that asks for HTTP/3 gets the short-lived WebTransport certificate (the
/// hash `/server.json` names), not the server's own; one that then opens no WebTransport
/// session is closed with a reason within the hello timeout, and a client beside it chats.
#[tokio::test]
async fn an_http3_connection_gets_the_short_certificate_and_must_open_a_session() {
    let server = TestServer::start();
    let facts = server.facts().await;
    let hash: Fingerprint = facts["web_transport"]["certificate_hash"].as_str().unwrap().parse().unwrap();
    let provider = anseo_shared::transport::crypto_provider();
    let verifier = FingerprintVerifier::new(Some(hash), provider.signature_verification_algorithms);
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"h3".to_vec()];
    let config = quinn::ClientConfig::new(Arc::new(QuicClientConfig::try_from(tls).unwrap()));
    let endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
    let connecting = endpoint.connect_with(config, server.addr.parse().unwrap(), "localhost").unwrap();
    let idle = connecting.await.expect("the handshake with the WebTransport certificate's hash pinned");

    let ann = server.login("ann").await;
    let mut bob = server.login("bob").await;
    ann.client.say("lobby", "still here").await.unwrap();
    assert_eq!(next_text(&mut bob.events, "ann's message").await, ("ann".into(), "still here".into()));

    let closed = tokio::time::timeout(WAIT, idle.closed()).await.expect("closed within the hello timeout");
    match closed {
        quinn::ConnectionError::ApplicationClosed(close) => {
            assert_eq!(close.error_code, quinn::VarInt::from(close_code::PROTOCOL));
            assert_eq!(&close.reason[..], b"no WebTransport session in time");
        }
        other => panic!("closed without the reason: {other}"),
    }
}
