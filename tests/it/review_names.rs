//! Findings of the security review about what names and texts may look like, and about QUIC
//! datagrams: neither end accepts datagrams; the terminal client prints a message's further
//! lines as its continuation and escapes invisible characters; names with bidi controls are
//! refused with a readable reason.

use std::sync::Arc;

use anseo_shared::client::{ConnectError, ConnectOptions, Connected, connect};
use anseo_shared::protocol::Credential;
use anseo_shared::transport::{client_config, server_config};
use quinn::rustls::pki_types::pem::PemObject;
use quinn::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::support::{Cli, TestServer};

async fn try_login(
    server: &TestServer,
    name: &str,
    credential: Option<Credential>,
) -> Result<Connected, ConnectError> {
    let options = ConnectOptions::new(&server.addr, name, server.trust());
    let options = match credential {
        Some(credential) => options.with_credential(credential),
        None => options,
    };
    connect(&options).await
}

fn refusal(result: Result<Connected, ConnectError>) -> ConnectError {
    match result {
        Ok(connected) => panic!("the login as {} was accepted", connected.welcome.name),
        Err(error) => error,
    }
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
}
