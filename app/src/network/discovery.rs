//! Servers on this network, for the login screen (desktop): while it shows, the client core
//! listens for announcements a few seconds at a time, over and over, and reports the list
//! whenever it changes, each entry marked when this device already trusts a certificate for
//! its address. During a session it does not listen. On Android it holds the Wi-Fi multicast
//! lock while it listens; where it cannot listen, the login screen says so.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anseo_shared::client::{discover, rt};
use anseo_shared::trust::KnownServers;
use tokio::sync::mpsc;

use crate::model::{Discovered, NetEvent};

/// How long each round listens, and the pause between rounds.
const LISTEN: Duration = Duration::from_secs(3);
const PAUSE: Duration = Duration::from_secs(2);

/// Reports the servers found to `events` until the app closes; `known_servers` tells which
/// this device knows.
pub async fn watch(events: mpsc::Sender<NetEvent>, known_servers: PathBuf, on_login_screen: Arc<AtomicBool>) {
    let mut last = Vec::new();
    loop {
        if !on_login_screen.load(Ordering::Relaxed) {
            rt::sleep(PAUSE).await;
            continue;
        }
        #[cfg(target_os = "android")]
        let lock = match crate::android::MulticastLock::acquire() {
            Ok(lock) => lock,
            Err(error) => {
                tracing::info!(%error, "no multicast lock: not looking for servers on the network");
                let _ = events
                    .send(NetEvent::DiscoveryFailed(format!("Wi-Fi multicast is not allowed: {error}")))
                    .await;
                return;
            }
        };
        let found = match discover(LISTEN).await {
            Ok(found) => found,
            Err(error) => {
                tracing::info!(%error, "not looking for servers on the network");
                let _ = events.send(NetEvent::DiscoveryFailed(error)).await;
                return;
            }
        };
        #[cfg(target_os = "android")]
        drop(lock);
        let known = KnownServers::load(&known_servers).ok();
        let list: Vec<Discovered> = found
            .into_iter()
            .filter_map(|found| {
                let server = found.server()?;
                let known = known.as_ref().is_some_and(|known| known.get(&server).is_some());
                Some(Discovered { name: found.name, server, announced: found.fingerprint, known })
            })
            .collect();
        if list != last {
            if events.send(NetEvent::Discovered(list.clone())).await.is_err() {
                return;
            }
            last = list;
        }
        rt::sleep(PAUSE).await;
    }
}
