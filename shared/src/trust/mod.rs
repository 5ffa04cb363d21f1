//! Deciding whether to trust a server: its certificate's SHA-256 fingerprint, checked by a
//! rustls verifier against a pin or a known-servers entry; an invite link carries both the
//! address and the pin.
//!
//! There is no path that accepts a certificate without checking it: an unknown server fails
//! the handshake, and the caller learns the fingerprint so a person can decide to trust it.

mod fingerprint;
mod invite;
mod known_servers;
#[cfg(feature = "client")]
mod verifier;

pub use fingerprint::{Fingerprint, FingerprintParseError};
pub use invite::{Invite, InviteError, JOIN_PATH};
#[cfg(feature = "client")]
pub use known_servers::KnownServers;
pub use known_servers::KnownServersError;
#[cfg(feature = "client")]
pub use verifier::{FingerprintVerifier, SeenCertificate};
