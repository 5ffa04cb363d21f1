//! The QUIC and TLS settings both ends use: ALPN, the ring crypto provider, keep-alive below
//! the idle timeout, flow-control windows sized for many small chat streams, and no QUIC
//! datagrams (Anseo speaks only over streams, so neither end accepts any).

use std::sync::Arc;
use std::time::Duration;

use quinn::crypto::rustls::{QuicClientConfig, QuicServerConfig};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::ResolvesServerCert;
use rustls::sign::{CertifiedKey, SingleCertAndKey};

use crate::protocol::ALPN;
use crate::trust::{Fingerprint, FingerprintVerifier, SeenCertificate};

/// A connection with no traffic for this long is gone.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Each side pings this often when quiet, so NAT bindings and the idle timer stay alive.
pub const KEEP_ALIVE: Duration = Duration::from_secs(10);

/// The crypto provider: ring only, so no process-wide default has to be installed.
pub fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn transport_config(bidi_streams: u32, uni_streams: u32) -> quinn::TransportConfig {
    let mut transport = quinn::TransportConfig::default();
    transport
        .max_idle_timeout(Some(IDLE_TIMEOUT.try_into().expect("30 s fits a QUIC varint")))
        .keep_alive_interval(Some(KEEP_ALIVE))
        .max_concurrent_bidi_streams(bidi_streams.into())
        .max_concurrent_uni_streams(uni_streams.into())
        // Chat is small: modest windows keep thousands of idle clients cheap.
        .stream_receive_window((256u32 * 1024).into())
        .receive_window((1024u32 * 1024).into())
        .send_window(1024 * 1024)
        // Anseo never reads QUIC datagrams. Accepting them (quinn's default) would let a
        // peer fill a buffer of about 1.25 MB per connection that nothing drains; refusing
        // them also tells the peer, in the handshake, not to send any.
        .datagram_receive_buffer_size(None)
        .ack_frequency_config(Some(ack_frequency()));
    transport
}

/// Asks the peer to acknowledge every [`ACK_EVERY`]th packet instead of every second one
/// (QUIC ACK frequency extension; quinn speaks it on both ends, other peers ignore it). A
/// busy room sends each member a steady stream of packets, and every acknowledgement is one
/// more packet for the server to decrypt and process: profiling the 100-client fan-out
/// showed about as many acknowledgements arriving as packets leaving, each costing the
/// server about what sending one does. Quiet connections are unaffected: their packets are
/// still acknowledged within the peer's `max_ack_delay` (25 ms).
fn ack_frequency() -> quinn::AckFrequencyConfig {
    let mut ack = quinn::AckFrequencyConfig::default();
    ack.ack_eliciting_threshold((ACK_EVERY - 1).into());
    ack
}

/// See [`ack_frequency`].
const ACK_EVERY: u32 = 10;

/// A server certificate chain and its key, ready for [`server_tls`]'s certificate sources.
pub fn certified_key(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<CertifiedKey>, rustls::Error> {
    CertifiedKey::from_der(chain, key, &crypto_provider()).map(Arc::new)
}

/// A server's TLS settings: the certificate `certs` chooses for each client, the TLS
/// `versions` allowed, and the application protocols offered (ALPN).
pub fn server_tls(
    certs: Arc<dyn ResolvesServerCert>,
    versions: &[&'static rustls::SupportedProtocolVersion],
    alpn: &[&[u8]],
) -> Result<rustls::ServerConfig, rustls::Error> {
    let mut tls = rustls::ServerConfig::builder_with_provider(crypto_provider())
        .with_protocol_versions(versions)?
        .with_no_client_auth()
        .with_cert_resolver(certs);
    tls.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
    Ok(tls)
}

/// The server side of QUIC, with one certificate chain and key, ALPN `anseo/1`, and the
/// stream limits of [`quic_server_config`].
pub fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<quinn::ServerConfig, rustls::Error> {
    let certs = Arc::new(SingleCertAndKey::from(certified_key(chain, key)?));
    quic_server_config(server_tls(certs, &[&rustls::version::TLS13], &[ALPN])?)
}

/// Streams a client may open at once, both ways and one way. An Anseo client opens one
/// bidirectional stream; a browser's WebTransport (HTTP/3) also its CONNECT request, and
/// three uni streams (HTTP/3's control stream and two for header compression). The limits
/// are in the handshake's transport parameters, before the server knows which protocol the
/// client chose (Chromium refuses a connection whose limits grow only afterwards). Whatever
/// a client sends on streams the server does not read stays within the connection's
/// receive window.
pub const SERVER_BIDI_STREAMS: u32 = 2;
pub const SERVER_UNI_STREAMS: u32 = 3;

/// The server side of QUIC over `tls` (TLS 1.3), with the stream limits above.
pub fn quic_server_config(tls: rustls::ServerConfig) -> Result<quinn::ServerConfig, rustls::Error> {
    let crypto = QuicServerConfig::try_from(tls)
        .map_err(|e| rustls::Error::General(format!("TLS config unusable for QUIC: {e}")))?;
    let mut config = quinn::ServerConfig::with_crypto(Arc::new(crypto));
    let mut transport = transport_config(SERVER_BIDI_STREAMS, SERVER_UNI_STREAMS);
    // Segmentation offload sends up to ten packets to one client in one system call, but
    // quinn then keeps a ten-packet send buffer (~14 KiB) per connection for good. Chat
    // sends a client a packet or two at a time, so thousands of idle clients matter more.
    transport.enable_segmentation_offload(false);
    config.transport_config(Arc::new(transport));
    Ok(config)
}

/// TLS 1.3 that accepts only a server whose certificate has the `expected` fingerprint, and
/// where the presented fingerprint is recorded.
fn pinned_tls(expected: Option<Fingerprint>) -> (rustls::ClientConfig, SeenCertificate) {
    let provider = crypto_provider();
    let verifier = FingerprintVerifier::new(expected, provider.signature_verification_algorithms);
    let seen = verifier.seen();
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("ring supports TLS 1.3")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    (tls, seen)
}

/// The client side of the web listener (HTTPS, for a WebSocket), pinned like
/// [`client_config`].
pub fn web_client_config(expected: Option<Fingerprint>) -> (Arc<rustls::ClientConfig>, SeenCertificate) {
    let (mut tls, seen) = pinned_tls(expected);
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    (Arc::new(tls), seen)
}

/// The server's endpoint settings, with a stateless-reset key derived from its private key.
///
/// A server that crashed and was started again cannot know its old connections, and a client
/// of the old process would wait out its idle timeout (30 s) before noticing. QUIC lets the
/// new process answer such a client with a stateless reset at once, but only if the reset key
/// is the same as the old process's: so it is derived (HMAC-SHA256) from the certificate's
/// private key, which survives restarts and never leaves the server.
pub fn server_endpoint_config(key: &PrivateKeyDer<'_>) -> quinn::EndpointConfig {
    let secret = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key.secret_der());
    let derived = ring::hmac::sign(&secret, b"anseo stateless reset key");
    let reset_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, derived.as_ref());
    let mut config = quinn::EndpointConfig::new(Arc::new(reset_key));
    // The connection IDs carry a keyed hash that the endpoint checks before it answers a
    // packet at all: with a random key (quinn's default) the new process drops the old
    // connections' packets as invalid instead of resetting them. Derived the same way, the
    // key survives the restart too.
    let cid_key = ring::hmac::sign(&secret, b"anseo connection id key");
    let cid_key = u64::from_le_bytes(cid_key.as_ref()[..8].try_into().expect("a SHA-256 tag has 8 bytes"));
    config.cid_generator(move || Box::new(quinn_proto::HashedConnectionIdGenerator::from_key(cid_key)));
    config
}

/// What the server may send a client on one stream, and on all, before the client has read it.
const CLIENT_STREAM_WINDOW: u32 = 1024 * 1024;
const CLIENT_WINDOW: u32 = 4 * 1024 * 1024;

/// The client side: accepts only a server whose certificate has the `expected` fingerprint.
/// Returns where the presented fingerprint is recorded.
pub fn client_config(expected: Option<Fingerprint>) -> (quinn::ClientConfig, SeenCertificate) {
    let (mut tls, seen) = pinned_tls(expected);
    tls.alpn_protocols = vec![ALPN.to_vec()];
    let crypto = QuicClientConfig::try_from(tls).expect("a TLS 1.3 config with ring suits QUIC");
    let mut config = quinn::ClientConfig::new(Arc::new(crypto));
    let mut transport = transport_config(0, 1);
    // A client has one connection, and a download is the one stream that carries much: wider
    // windows let the server send on without waiting for the client's word that it read. Not
    // much wider: a client that stops reading holds this much before the server notices.
    transport.stream_receive_window(CLIENT_STREAM_WINDOW.into()).receive_window(CLIENT_WINDOW.into());
    config.transport_config(Arc::new(transport));
    (config, seen)
}
