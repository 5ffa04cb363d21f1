//! How many are online, for the clients that cannot count it themselves. On a large server a
//! client hears only of the people it watches ([`super::audience`]), so the count it had from
//! its Welcome drifts. Every [`COUNT_EVERY`], when the count changed, it goes to the clients
//! that have sent `Watch` (those understand `PresenceEvent::Count`; an older client never sends
//! `Watch` and gets none): one small frame every few seconds per client at most, however many
//! come and go. On a small server everyone hears every login and logout and counts exactly;
//! the count is sent there only once more after the server was large, to set theirs right.

use std::time::Duration;

use anseo_shared::protocol::{PresenceEvent, PresenceFrame};

use super::{HubHandle, PRESENCE_FOR_EVERYONE_UP_TO, State, encode};
use crate::clock::now_ms;
use crate::presence::Sequenced;

/// How often the online count is sent at most.
pub const COUNT_EVERY: Duration = Duration::from_secs(5);

impl State {
    /// Tells the counting clients how many are online, if that changed since they were last
    /// told and the server is (or was then) large.
    pub fn announce_count(&mut self) {
        let online = self.users.len() as u32;
        let was_large = self.counted as usize > PRESENCE_FOR_EVERYONE_UP_TO;
        if online == self.counted || (self.presence_for_everyone() && !was_large) {
            return;
        }
        self.counted = online;
        self.presence_seq += 1;
        let frame =
            PresenceFrame { seq: self.presence_seq, ts: now_ms(), event: PresenceEvent::Count { online } };
        let Some(frame) = encode(&frame) else { return };
        let event = Sequenced { seq: self.presence_seq, frame };
        for user in self.users.values().filter(|user| user.counting) {
            user.presence.send(event.clone());
        }
    }
}

/// Sends the online count every [`COUNT_EVERY`] while the server runs.
pub async fn keep_counting(hub: HubHandle) {
    let mut every = tokio::time::interval(COUNT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        hub.lock().announce_count();
    }
}
