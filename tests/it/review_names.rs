//! Findings of the security review about what names and texts may look like, and about QUIC
//! datagrams: neither end accepts datagrams; the terminal client prints a message's further
//! lines as its continuation and escapes invisible characters; names with bidi controls are
//! refused with a readable reason; look-alike names (`аlice` with a Cyrillic `а`, fullwidth
//! `ａｌｉｃｅ`) cannot pose as `alice`, online or claimed.

use std::sync::Arc;

use anseo_shared::client::{ConnectError, ConnectOptions, Connected, Event, connect};
use anseo_shared::protocol::{Credential, ErrorCode, PresenceEvent, ServerMsg};
use anseo_shared::transport::{client_config, server_config};
use quinn::rustls::pki_types::pem::PemObject;
use quinn::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::support::{Cli, TestServer, expect_event, try_login};

/// `alice` with a Cyrillic small a (U+0430).
const CYRILLIC_ALICE: &str = "\u{430}lice";
/// `alice` in fullwidth letters.
const FULLWIDTH_ALICE: &str = "\u{ff41}\u{ff4c}\u{ff49}\u{ff43}\u{ff45}";

fn refusal(result: Result<Connected, ConnectError>) -> ConnectError {
    match result {
        Ok(connected) => panic!("the login as {} was accepted", connected.welcome.name),
        Err(error) => error,
    }
}

/// Asserts that logging in as `name` is refused because the name is taken.
async fn assert_taken(server: &TestServer, name: &str, credential: Option<Credential>) {
    let error = refusal(try_login(server, name, credential).await);
    assert!(matches!(&error, ConnectError::NameTaken(taken) if taken == name), "{name}: {error:?}");
    assert_eq!(error.to_string(), format!("the name '{name}' is taken; choose another"));
}

#[tokio::test]
async fn the_server_accepts_no_quic_datagrams() {
    let server = TestServer::start();
    // A peer with quinn's defaults, which would send datagrams if the server took them.
    let (mut config, _seen) = client_config(Some(server.fingerprint));
    config.transport_config(Arc::new(quinn::TransportConfig::default()));
    let endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
    let connecting = endpoint.connect_with(config, server.addr.parse().unwrap(), "localhost").unwrap();
    let connection = connecting.await.expect("handshake");
    assert_eq!(connection.max_datagram_size(), None, "the server offers to buffer datagrams");
    let sent = connection.send_datagram(b"never read".to_vec().into());
    assert!(matches!(sent, Err(quinn::SendDatagramError::UnsupportedByPeer)), "{sent:?}");
}

#[tokio::test]
async fn the_client_accepts_no_quic_datagrams() {
    // A stand-in server with Anseo's server settings and the test server's certificate, so
    // that the client's own settings (the ones `connect` uses) can be seen from the other end.
    let server = TestServer::start();
    let chain = CertificateDer::pem_file_iter(server.cert_dir().join("cert.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(server.cert_dir().join("key.pem")).unwrap();
    let listener =
        quinn::Endpoint::server(server_config(chain, key).unwrap(), "127.0.0.1:0".parse().unwrap()).unwrap();
    let (config, _seen) = client_config(Some(server.fingerprint));
    let endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
    let connecting = endpoint.connect_with(config, listener.local_addr().unwrap(), "localhost").unwrap();
    let accept = async { listener.accept().await.expect("an incoming connection").await.expect("handshake") };
    let (accepted, connected) = tokio::join!(accept, connecting);
    connected.expect("the client's handshake");
    assert_eq!(accepted.max_datagram_size(), None, "the client offers to buffer datagrams");
}

#[tokio::test]
async fn a_second_line_of_a_message_is_printed_as_its_continuation() {
    let server = TestServer::start();
    let fingerprint = server.fingerprint.to_hex();
    let mut bob = Cli::spawn(&["--server", &server.addr, "--name", "bob", "--fingerprint", &fingerprint]);
    bob.expect_line("bob's welcome", |line| line.contains("* connected to")).await;
    let alice = server.login("alice").await;
    alice.client.say("lobby", "hi\n[12:00] mallory: fake").await.unwrap();
    alice.client.say("lobby", "isolated \u{2067}text\u{2069}, zero\u{200b}width").await.unwrap();

    bob.expect_line("alice's first line", |line| line.ends_with("#lobby <alice> hi")).await;
    let second = bob.expect_line("alice's second line", |_| true).await;
    assert_eq!(second, "           | [12:00] mallory: fake");
    let escaped = bob.expect_line("alice's second message", |line| line.contains("<alice> isolated")).await;
    assert!(
        escaped.ends_with("<alice> isolated \\u{2067}text\\u{2069}, zero\\u{200b}width"),
        "invisible characters reached the terminal: {escaped:?}"
    );
}

#[tokio::test]
async fn a_name_with_a_bidi_override_is_refused_with_a_readable_reason() {
    let server = TestServer::start();
    let error = refusal(try_login(&server, "al\u{202e}ecila", None).await);
    let ConnectError::InvalidName(reason) = &error else { panic!("expected an invalid name, got {error:?}") };
    assert_eq!(reason, "the name may only contain letters, digits, '_', '-' and '.', not U+202E");

    // The terminal client refuses it before connecting, in the same words.
    let fingerprint = server.fingerprint.to_hex();
    let args = ["--server", &server.addr, "--name", "al\u{202e}ecila", "--fingerprint", &fingerprint];
    let exit = Cli::spawn(&args).wait_exit().await;
    assert_eq!(exit.code, Some(4), "{exit:?}");
    assert!(exit.stderr.contains("not U+202E"), "{exit:?}");
    assert!(!exit.stderr.contains('\u{202e}'), "the override reached the terminal: {exit:?}");
}

#[tokio::test]
async fn look_alikes_of_an_online_name_are_taken() {
    let server = TestServer::start();
    let alice = server.login("alice").await;
    assert_taken(&server, CYRILLIC_ALICE, None).await;
    assert_taken(&server, FULLWIDTH_ALICE, None).await;
    assert_taken(&server, "A1ICE", None).await;

    // Nobody renames into one either; the name shows as typed once it is free.
    let mut bob = server.login("bob").await;
    bob.client.nick(CYRILLIC_ALICE).await.unwrap();
    let refused = expect_event(&mut bob.events, "the refused rename", |e| match e {
        Event::Server(ServerMsg::Error(error)) => Some(error.clone()),
        _ => None,
    })
    .await;
    assert_eq!(refused.code, ErrorCode::NameTaken);
    assert_eq!(refused.message, format!("the name '{CYRILLIC_ALICE}' is taken"));
    alice.client.quit().await;
    expect_event(&mut bob.events, "alice going offline", |e| match e {
        Event::Presence(frame) => {
            matches!(&frame.event, PresenceEvent::Offline { user } if user == "alice").then_some(())
        }
        _ => None,
    })
    .await;
    let twin = server.login(FULLWIDTH_ALICE).await;
    assert_eq!(twin.welcome.name, FULLWIDTH_ALICE);
}

#[tokio::test]
async fn look_alikes_of_a_claimed_name_are_taken_while_its_owner_is_away_and_after_a_restart() {
    let server = TestServer::start();
    let options = ConnectOptions::new(&server.addr, "alice", server.trust())
        .with_credential(Credential::Password("correct horse".into()));
    let mut alice = connect(&options).await.expect("alice claims her name");
    expect_event(&mut alice.events, "alice's login token", |e| match e {
        Event::Server(ServerMsg::Token { .. }) => Some(()),
        _ => None,
    })
    .await;
    alice.client.quit().await;

    assert_taken(&server, CYRILLIC_ALICE, None).await;
    assert_taken(&server, FULLWIDTH_ALICE, Some(Credential::Password("another horse".into()))).await;
    let mut bob = server.login("bob").await;
    bob.client.nick(CYRILLIC_ALICE).await.unwrap();
    let refused = expect_event(&mut bob.events, "the refused rename", |e| match e {
        Event::Server(ServerMsg::Error(error)) => Some(error.code),
        _ => None,
    })
    .await;
    assert_eq!(refused, ErrorCode::NameTaken);
    bob.client.quit().await;

    // The claims come back from the store, folded the way it always kept them.
    let server = TestServer::start_in(server.kill(), &[]);
    assert_taken(&server, CYRILLIC_ALICE, None).await;
    assert_taken(&server, FULLWIDTH_ALICE, None).await;
    let alice = try_login(&server, "Alice", Some(Credential::Password("correct horse".into()))).await;
    assert_eq!(alice.expect("alice logs in with her password").welcome.name, "Alice");
}
