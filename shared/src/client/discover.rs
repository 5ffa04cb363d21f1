//! Finding Anseo servers on the local network: DNS-SD over mDNS (the `mdns-sd` crate), for
//! the service type in [`SERVICE_TYPE`]. What a server announces (its name, addresses, port
//! and fingerprint) is only a hint: anyone on the network can announce anything, so
//! connecting to a found server goes through the usual trust rules, and the fingerprint it
//! announced is only compared with the one it presents.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use mdns_sd::{ServiceDaemon, ServiceEvent};

use crate::protocol::discovery::{SERVICE_TYPE, TXT_FINGERPRINT, TXT_NAME, TXT_VERSION};
use crate::trust::Fingerprint;

/// A server that announced itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The name it shows people.
    pub name: String,
    /// Where it said it is (IPv4 first).
    pub addresses: Vec<IpAddr>,
    pub port: u16,
    /// The certificate fingerprint it announced (not yet checked: see the module's
    /// documentation).
    pub fingerprint: Option<Fingerprint>,
    /// The protocol version it announced.
    pub version: Option<u16>,
}

impl Found {
    /// `HOST:PORT` for its first address, as a client dials it.
    pub fn server(&self) -> Option<String> {
        self.addresses.first().map(|ip| std::net::SocketAddr::new(*ip, self.port).to_string())
    }
}

/// The servers that announce themselves within `timeout`, by name.
pub async fn discover(timeout: Duration) -> Result<Vec<Found>, String> {
    let daemon = ServiceDaemon::new().map_err(|error| format!("cannot listen for servers: {error}"))?;
    let events = daemon.browse(SERVICE_TYPE).map_err(|error| format!("cannot look for servers: {error}"))?;
    let mut found = BTreeMap::new();
    let deadline = tokio::time::Instant::now() + timeout;
    while let Ok(Ok(event)) = tokio::time::timeout_at(deadline, events.recv_async()).await {
        match event {
            ServiceEvent::ServiceResolved(service) => {
                let server = from_announcement(&service);
                found.insert(service.fullname.clone(), server);
            }
            ServiceEvent::ServiceRemoved(_, fullname) => {
                found.remove(&fullname);
            }
            _ => {}
        }
    }
    let _ = daemon.shutdown();
    Ok(found.into_values().collect())
}

fn from_announcement(service: &mdns_sd::ResolvedService) -> Found {
    let text = |key: &str| service.txt_properties.get_property_val_str(key).map(str::to_string);
    let mut addresses: Vec<IpAddr> = service.addresses.iter().map(|ip| ip.to_ip_addr()).collect();
    addresses.sort_by_key(|ip| (ip.is_ipv6(), *ip));
    let instance = service.fullname.strip_suffix(&format!(".{SERVICE_TYPE}")).unwrap_or(&service.fullname);
    Found {
        name: text(TXT_NAME).unwrap_or_else(|| instance.to_string()),
        addresses,
        port: service.port,
        fingerprint: text(TXT_FINGERPRINT).and_then(|hex| hex.parse().ok()),
        version: text(TXT_VERSION).and_then(|v| v.parse().ok()),
    }
}
