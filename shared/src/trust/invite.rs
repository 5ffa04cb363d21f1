//! Invite links: a server's address and its certificate's fingerprint in one link, so that a
//! person joins by scanning or tapping, with nothing to compare by eye. Two forms:
//! `https://HOST:PORT/join#fp=HEX` (the browser client's address: any phone's camera opens an
//! https link from a QR code) and `anseo://HOST:PORT?fp=HEX` (for the native app). Both pin
//! the certificate: a client that follows one trusts that certificate and no other.

use std::fmt;
use std::str::FromStr;

use super::Fingerprint;

/// The path of the browser client's join page.
pub const JOIN_PATH: &str = "/join";

/// A server to join: where it is, and the certificate it must present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// `HOST:PORT` as a client dials it (an IPv6 host in brackets).
    pub server: String,
    pub fingerprint: Fingerprint,
}

/// Why a link is not an invite, in words for the person who pasted it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InviteError {
    #[error("an invite link starts with https:// or anseo://")]
    Scheme,
    #[error("the link names no server (HOST:PORT)")]
    NoServer,
    #[error("the server in the link needs a port, like 192.168.1.5:4433")]
    NoPort,
    #[error("the link carries no fingerprint (fp=...)")]
    NoFingerprint,
    #[error("the link's fingerprint is not 64 hex digits")]
    BadFingerprint,
}

impl Invite {
    /// The link for a browser (and any camera app): `https://HOST:PORT/join#fp=HEX`.
    pub fn web_link(&self) -> String {
        format!("https://{}{JOIN_PATH}#fp={}", self.server, self.fingerprint.to_hex())
    }

    /// The link for the native app: `anseo://HOST:PORT?fp=HEX`.
    pub fn app_link(&self) -> String {
        format!("anseo://{}?fp={}", self.server, self.fingerprint.to_hex())
    }
}

impl fmt::Display for Invite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.web_link())
    }
}

impl FromStr for Invite {
    type Err = InviteError;

    /// Reads either form of link (surrounding spaces allowed, the scheme in any case).
    fn from_str(link: &str) -> Result<Self, InviteError> {
        let link = link.trim();
        let lower = link.to_ascii_lowercase();
        let rest = if lower.starts_with("https://") {
            &link["https://".len()..]
        } else if lower.starts_with("anseo://") {
            &link["anseo://".len()..]
        } else {
            return Err(InviteError::Scheme);
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (server, tail) = rest.split_at(end);
        if server.is_empty() {
            return Err(InviteError::NoServer);
        }
        if !has_port(server) {
            return Err(InviteError::NoPort);
        }
        let fingerprint = tail
            .split(['?', '#', '&'])
            .find_map(|part| part.strip_prefix("fp="))
            .ok_or(InviteError::NoFingerprint)?;
        let fingerprint = fingerprint.parse().map_err(|_| InviteError::BadFingerprint)?;
        Ok(Invite { server: server.to_string(), fingerprint })
    }
}

/// Whether `HOST:PORT` ends in a port (`[v6]:port` for IPv6).
fn has_port(server: &str) -> bool {
    let port = match server.strip_prefix('[') {
        Some(v6) => v6.split_once("]:").map(|(_, port)| port),
        None => server.rsplit_once(':').map(|(_, port)| port),
    };
    port.is_some_and(|port| port.parse::<u16>().is_ok_and(|port| port > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp() -> Fingerprint {
        Fingerprint::of_der(b"a certificate")
    }

    #[test]
    fn both_forms_carry_the_server_and_its_fingerprint() {
        let invite = Invite { server: "192.168.1.5:4433".into(), fingerprint: fp() };
        let hex = fp().to_hex();
        assert_eq!(invite.web_link(), format!("https://192.168.1.5:4433/join#fp={hex}"));
        assert_eq!(invite.app_link(), format!("anseo://192.168.1.5:4433?fp={hex}"));
        assert_eq!(invite.web_link().parse::<Invite>(), Ok(invite.clone()));
        assert_eq!(invite.app_link().parse::<Invite>(), Ok(invite.clone()));
        assert_eq!(format!("  ANSEO://192.168.1.5:4433?fp={hex} ").parse::<Invite>(), Ok(invite));
    }

    #[test]
    fn ipv6_hosts_keep_their_brackets() {
        let link = format!("anseo://[fd00::5]:4433?fp={}", fp().to_hex());
        assert_eq!(link.parse::<Invite>().unwrap().server, "[fd00::5]:4433");
    }

    #[test]
    fn a_malformed_link_says_what_is_wrong() {
        let hex = fp().to_hex();
        assert_eq!(format!("http://1.2.3.4:1/join#fp={hex}").parse::<Invite>(), Err(InviteError::Scheme));
        assert_eq!("anseo://?fp=00".parse::<Invite>(), Err(InviteError::NoServer));
        assert_eq!(format!("anseo://1.2.3.4?fp={hex}").parse::<Invite>(), Err(InviteError::NoPort));
        assert_eq!(format!("anseo://[fd00::5]?fp={hex}").parse::<Invite>(), Err(InviteError::NoPort));
        assert_eq!("https://1.2.3.4:4433/join".parse::<Invite>(), Err(InviteError::NoFingerprint));
        assert_eq!("anseo://1.2.3.4:4433?fp=abc".parse::<Invite>(), Err(InviteError::BadFingerprint));
    }
}
