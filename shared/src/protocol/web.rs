//! What a browser is told over HTTPS before it connects: the server's facts
//! ([`SERVER_FACTS_PATH`], JSON), among them where its WebTransport is and the hash of the
//! certificate presented there.

use serde::{Deserialize, Serialize};

/// The path of the server's facts on its web listener.
pub const SERVER_FACTS_PATH: &str = "/server.json";

/// The path of the WebSocket on the server's web listener.
pub const WEBSOCKET_PATH: &str = "/ws";

/// The path of a browser's WebTransport session (HTTP/3, ALPN `h3`) on the server's UDP
/// port; inside it, the same streams and frames as a native client's.
pub const WEBTRANSPORT_PATH: &str = "/wt";

/// The server's facts, as JSON at [`SERVER_FACTS_PATH`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerFacts {
    /// The SHA-256 fingerprint of the server's certificate, in hex.
    pub fingerprint: String,
    /// Where the browser finds WebTransport; absent when the server offers none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_transport: Option<WebTransportFacts>,
}

/// Where a browser's WebTransport goes, and how it knows the server there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebTransportFacts {
    /// The server's UDP port (on the page's host).
    pub port: u16,
    /// The SHA-256 hash of the short-lived certificate presented there, in hex, for the
    /// browser's `serverCertificateHashes`.
    pub certificate_hash: String,
}
