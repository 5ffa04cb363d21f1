//! The server announces itself on the local network, so phones and laptops find it without an
//! address typed: DNS-SD over mDNS (the `mdns-sd` crate), service `_anseo._udp.local.`, with
//! the protocol version, the certificate's fingerprint and a display name in its TXT record
//! (see `anseo_shared::protocol::discovery`). Only interfaces with a private or link-local
//! address announce (a machine with a public address does not tell the internet), and the
//! announcement follows the machine's addresses as they change. `--no-discovery` turns it off.

use std::net::IpAddr;

use anseo_shared::protocol::PROTOCOL_VERSION;
use anseo_shared::protocol::discovery::{SERVICE_TYPE, TXT_FINGERPRINT, TXT_NAME, TXT_VERSION};
use anseo_shared::trust::Fingerprint;
use mdns_sd::{IfKind, ServiceDaemon, ServiceInfo};

/// The announcement, withdrawn when dropped.
pub struct Announcement {
    daemon: ServiceDaemon,
    fullname: String,
}

impl Announcement {
    /// Announces a server on UDP `port` with the certificate `fingerprint`, shown as `name`.
    pub fn start(port: u16, fingerprint: Fingerprint, name: &str) -> Result<Announcement, mdns_sd::Error> {
        let daemon = ServiceDaemon::new()?;
        // Loopback is no address for another device.
        daemon.disable_interface(vec![IfKind::LoopbackV4, IfKind::LoopbackV6])?;
        for ip in public_addresses() {
            daemon.disable_interface(IfKind::Addr(ip))?;
        }
        let host = format!("{}.local.", host_label(name));
        let version = PROTOCOL_VERSION.to_string();
        let hex = fingerprint.to_hex();
        let properties = [(TXT_VERSION, version.as_str()), (TXT_FINGERPRINT, hex.as_str()), (TXT_NAME, name)];
        let info = ServiceInfo::new(SERVICE_TYPE, name, &host, (), port, &properties[..])?.enable_addr_auto();
        let fullname = info.get_fullname().to_string();
        daemon.register(info)?;
        Ok(Announcement { daemon, fullname })
    }
}

impl Drop for Announcement {
    fn drop(&mut self) {
        let _ = self.daemon.unregister(&self.fullname);
        let _ = self.daemon.shutdown();
    }
}

/// The name a server shows by default: the machine's host name.
pub fn default_name() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

/// The machine's addresses that are neither private nor link-local (nor loopback).
fn public_addresses() -> Vec<IpAddr> {
    let interfaces = if_addrs::get_if_addrs().unwrap_or_default();
    interfaces.iter().map(if_addrs::Interface::ip).filter(|ip| !ip.is_loopback() && !is_local(ip)).collect()
}

/// Whether `ip` is for the local network only: private or link-local.
fn is_local(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private() || v4.is_link_local(),
        // Unique local (fc00::/7) or link-local (fe80::/10).
        IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00 || (v6.segments()[0] & 0xffc0) == 0xfe80,
    }
}

/// `name` as a DNS label for the announcement's host name: letters, digits and '-'.
fn host_label(name: &str) -> String {
    let label: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .take(63)
        .collect();
    if label.trim_matches('-').is_empty() { "anseo".to_string() } else { label }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_link_local_addresses_are_local() {
        for local in ["192.168.1.5", "10.0.0.2", "172.16.4.4", "169.254.3.3", "fd00::5", "fe80::1"] {
            assert!(is_local(&local.parse().unwrap()), "{local}");
        }
        for public in ["8.8.8.8", "2001:db8::1", "172.32.0.1"] {
            assert!(!is_local(&public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn a_display_name_becomes_a_host_label() {
        assert_eq!(host_label("Room 12's laptop"), "room-12-s-laptop");
        assert_eq!(host_label("!!!"), "anseo");
    }
}
