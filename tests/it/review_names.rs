//! Findings of the security review about QUIC datagrams: neither end accepts them.

use std::sync::Arc;

use anseo_shared::transport::{client_config, server_config};
use quinn::rustls::pki_types::pem::PemObject;
use quinn::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::support::TestServer;

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
