//! Certificate verification through the client core: pins, known servers, first use.

use anseo_shared::client::{ConnectError, ConnectOptions, Trust, connect};
use anseo_shared::trust::{Fingerprint, KnownServers};

use crate::support::TestServer;

#[tokio::test]
async fn wrong_pin_is_refused_during_the_handshake() {
    let server = TestServer::start();
    let wrong = Fingerprint::of_der(b"some other certificate");
    let error = connect(&ConnectOptions::new(&server.addr, "mallory", Trust::Pinned(wrong))).await.err();
    match error {
        Some(ConnectError::FingerprintMismatch { expected, actual }) => {
            assert_eq!(expected, wrong);
            assert_eq!(actual, server.fingerprint);
        }
        other => panic!("expected a fingerprint mismatch, got {other:?}"),
    }
    // Refused before Hello: the server never saw a login.
    let mut probe = server.login("probe").await;
    probe.client.list_users().await.unwrap();
    let users = crate::support::expect_event(&mut probe.events, "the user list", |e| match e {
        anseo_shared::client::Event::Server(anseo_shared::protocol::ServerMsg::Users { users, .. }) => {
            Some(users.clone())
        }
        _ => None,
    })
    .await;
    assert_eq!(users, vec!["probe".to_string()]);
}

#[tokio::test]
async fn unknown_server_is_refused_with_its_fingerprint_until_trusted() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("known_servers");
    let options = ConnectOptions::new(&server.addr, "newcomer", Trust::KnownServers(path.clone()));
    match connect(&options).await.err() {
        Some(ConnectError::UnknownServer { server: address, fingerprint }) => {
            assert_eq!(address, server.addr);
            assert_eq!(fingerprint, server.fingerprint);
        }
        other => panic!("expected an unknown-server refusal, got {other:?}"),
    }
    // The person compared the fingerprint and said yes.
    KnownServers::load(&path).unwrap().remember(&server.addr, server.fingerprint).unwrap();
    let connected = connect(&options).await.expect("a trusted server is accepted");
    assert_eq!(connected.welcome.name, "newcomer");
}

#[tokio::test]
async fn changed_certificate_is_refused() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("known_servers");
    let old = Fingerprint::of_der(b"the certificate it used to have");
    KnownServers::load(&path).unwrap().remember(&server.addr, old).unwrap();
    let options = ConnectOptions::new(&server.addr, "victim", Trust::KnownServers(path));
    let error = connect(&options).await.err().expect("a changed certificate must be refused");
    assert!(
        matches!(&error, ConnectError::CertificateChanged { expected, actual, .. }
            if *expected == old && *actual == server.fingerprint),
        "got {error:?}"
    );
    assert!(error.to_string().starts_with("the server's certificate changed"), "{error}");
}
