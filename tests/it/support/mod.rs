//! Test helpers: start a real server process, connect clients, wait for events with timeouts
//! that fail with a message saying what did not arrive.

mod accounts;
mod browser;
mod cli;
mod netns;
mod relay;
mod server;
mod web;

pub use accounts::{claim, login_with, password, try_login};
pub use browser::{Browser, DARK_PHONE, DESKTOP, Engine, PHONE};
pub use cli::*;
pub use netns::TestNetwork;
pub use relay::{Bottleneck, Impairment, Relay};
pub use server::TestServer;
pub use web::{RawSocket, open_for};

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::mpsc::Receiver;

/// How long any expected event may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

/// A mebibyte.
pub const MIB: usize = 1 << 20;

/// A file of `size` bytes that no other test has.
pub fn make_file(dir: &Path, name: &str, size: usize, seed: u8) -> PathBuf {
    let mut bytes = vec![0u8; size];
    let mut x = u32::from(seed).wrapping_mul(2_654_435_761) | 1;
    for byte in bytes.iter_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *byte = x as u8;
    }
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The path of a workspace binary built next to this test binary.
pub fn binary(name: &str) -> PathBuf {
    let test_exe = std::env::current_exe().expect("test binary path");
    // target/debug/deps/it-HASH -> target/debug/NAME
    let dir = test_exe.parent().and_then(|deps| deps.parent()).expect("target dir");
    let path = dir.join(name);
    assert!(path.exists(), "{} is missing: run `cargo build --bins` before the tests", path.display());
    path
}

/// Waits for the first event matching `pick` (skipping others), or fails naming `what`. For
/// the raw client's `Event`s and a resilient session's `ChatEvent`s alike.
pub async fn expect_event<E: std::fmt::Debug, T>(
    events: &mut Receiver<E>,
    what: &str,
    mut pick: impl FnMut(&E) -> Option<T>,
) -> T {
    let mut skipped = Vec::new();
    let found = tokio::time::timeout(WAIT, async {
        while let Some(event) = events.recv().await {
            if let Some(found) = pick(&event) {
                return Some(found);
            }
            skipped.push(event);
        }
        None
    })
    .await;
    match found {
        Ok(Some(found)) => found,
        Ok(None) => panic!("event stream ended while waiting for {what}; saw {skipped:#?}"),
        Err(_) => panic!("no {what} within {WAIT:?}; saw {skipped:#?}"),
    }
}

/// Asserts that nothing matching `pick` arrives before `marker` does: used to prove that
/// something was NOT delivered, by waiting for a later event that is certain to come.
pub async fn expect_before<E: std::fmt::Debug>(
    events: &mut Receiver<E>,
    marker: &str,
    mut is_marker: impl FnMut(&E) -> bool,
    mut forbidden: impl FnMut(&E) -> bool,
) {
    let result = tokio::time::timeout(WAIT, async {
        while let Some(event) = events.recv().await {
            assert!(!forbidden(&event), "unexpected event before {marker}: {event:#?}");
            if is_marker(&event) {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(result, Ok(true), "no {marker} within {WAIT:?}");
}
