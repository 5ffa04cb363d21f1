//! Noticing a network change: the machine's own addresses change when a laptop joins another
//! Wi-Fi, a cable is plugged in, or a phone moves from Wi-Fi to mobile data. A resilient
//! session looks every [`CHECK_EVERY`]: on a change it moves its connection to a fresh socket
//! (QUIC migrates it, see `Dial::follow_network_change`) and, while disconnected, tries to
//! reconnect at once instead of waiting out its backoff.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::time::Duration;

/// How often the addresses are looked at.
pub const CHECK_EVERY: Duration = Duration::from_secs(2);

type Reader = Box<dyn FnMut() -> BTreeSet<IpAddr> + Send + Sync>;

/// The addresses seen last, and how to read them again.
pub struct NetworkWatch {
    seen: BTreeSet<IpAddr>,
    read: Reader,
}

impl NetworkWatch {
    /// Watches this machine's non-loopback addresses.
    pub fn new() -> Self {
        NetworkWatch::with_reader(Box::new(local_addresses))
    }

    fn with_reader(mut read: Reader) -> Self {
        NetworkWatch { seen: read(), read }
    }

    /// Whether the addresses differ from the previous look; the new ones count as seen.
    pub fn changed(&mut self) -> bool {
        let now = (self.read)();
        if now == self.seen {
            return false;
        }
        tracing::info!(before = ?self.seen, after = ?now, "the network changed");
        self.seen = now;
        true
    }
}

impl Default for NetworkWatch {
    fn default() -> Self {
        NetworkWatch::new()
    }
}

/// This machine's addresses other than loopback (none when they cannot be read: then no
/// change is ever seen, and reconnecting falls back to its backoff).
/// The machine's addresses; a browser shows a page none, and handles network changes itself.
#[cfg(not(feature = "client"))]
fn local_addresses() -> BTreeSet<IpAddr> {
    BTreeSet::new()
}

#[cfg(feature = "client")]
fn local_addresses() -> BTreeSet<IpAddr> {
    let interfaces = if_addrs::get_if_addrs().unwrap_or_default();
    interfaces.iter().filter(|interface| !interface.is_loopback()).map(|interface| interface.ip()).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn a_change_of_address_is_seen_once() {
        let wifi: IpAddr = "192.168.1.20".parse().unwrap();
        let mobile: IpAddr = "10.64.3.7".parse().unwrap();
        let current = Arc::new(Mutex::new(BTreeSet::from([wifi])));
        let reader = current.clone();
        let mut watch = NetworkWatch::with_reader(Box::new(move || reader.lock().unwrap().clone()));
        assert!(!watch.changed(), "nothing changed yet");
        *current.lock().unwrap() = BTreeSet::from([mobile]);
        assert!(watch.changed(), "moved from Wi-Fi to mobile data");
        assert!(!watch.changed(), "the same addresses again");
        current.lock().unwrap().clear();
        assert!(watch.changed(), "every network gone");
    }
}
