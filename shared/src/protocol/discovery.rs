//! How a server announces itself on the local network (DNS-SD over mDNS): its service type and
//! the keys of its TXT record. An announcement is a hint, never trust: anyone on the network
//! can announce anything, so a client checks the certificate as for any server.

/// The DNS-SD service type Anseo servers announce.
pub const SERVICE_TYPE: &str = "_anseo._udp.local.";

/// TXT key: the protocol version the server speaks.
pub const TXT_VERSION: &str = "v";
/// TXT key: the SHA-256 fingerprint of the server's certificate (64 hex digits).
pub const TXT_FINGERPRINT: &str = "fp";
/// TXT key: the name the server shows people (`--display-name`).
pub const TXT_NAME: &str = "name";
