//! How many direct messages wait for each offline claimed name, so that no one name piles up
//! more than [`MAX_WAITING`]: a sender beyond it is refused (the newest message is the one
//! refused) until the recipient has logged in and read them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Direct messages that may wait for one recipient, at most.
pub const MAX_WAITING: usize = 1000;

/// Counts of waiting direct messages by folded name. Only ever locked on its own (never
/// while waiting for anything else), so it may be used under the hub's lock.
#[derive(Debug, Default)]
pub struct WaitingDirects {
    counts: Mutex<HashMap<String, usize>>,
}

impl WaitingDirects {
    /// The counts as the store has them at startup.
    pub fn restore(counts: impl IntoIterator<Item = (String, usize)>) -> WaitingDirects {
        WaitingDirects { counts: Mutex::new(counts.into_iter().collect()) }
    }

    /// Reserves a place for one more message for `name_key`; `None` when it has
    /// [`MAX_WAITING`] already.
    pub fn place_for(self: &Arc<Self>, name_key: &str) -> Option<Place> {
        self.reserve(name_key).then(|| Place { waiting: Some(self.clone()), name_key: name_key.to_string() })
    }

    fn reserve(&self, name_key: &str) -> bool {
        let mut counts = self.lock();
        let count = counts.entry(name_key.to_string()).or_insert(0);
        if *count >= MAX_WAITING {
            return false;
        }
        *count += 1;
        true
    }

    /// `handed_over` messages for `name_key` stopped waiting (delivered, or never written).
    pub fn release(&self, name_key: &str, handed_over: usize) {
        let mut counts = self.lock();
        if let Some(count) = counts.get_mut(name_key) {
            *count = count.saturating_sub(handed_over);
            if *count == 0 {
                counts.remove(name_key);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, usize>> {
        self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A place taken by one waiting message. Dropped without [`Place::keep`] (the message was a
/// resend, or could not be written), it is given back.
pub struct Place {
    waiting: Option<Arc<WaitingDirects>>,
    name_key: String,
}

impl Place {
    /// The message waits: the place stays taken until it is delivered.
    pub fn keep(mut self) {
        self.waiting = None;
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Some(waiting) = self.waiting.take() {
            waiting.release(&self.name_key, 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_takes_up_to_the_limit_and_room_comes_back_on_release() {
        let waiting = Arc::new(WaitingDirects::restore([("bob".to_string(), MAX_WAITING - 2)]));
        let place = waiting.place_for("bob").unwrap();
        waiting.place_for("bob").unwrap().keep();
        assert!(waiting.place_for("bob").is_none(), "the newest beyond the limit is refused");
        assert!(waiting.place_for("carol").is_some());
        drop(place);
        waiting.place_for("bob").unwrap().keep();
        assert!(waiting.place_for("bob").is_none(), "a dropped place was given back once");
        waiting.release("bob", 10);
        assert!(waiting.place_for("bob").is_some());
    }
}
