//! "bob is typing...": who is typing in each conversation, as the server passed it on, shown
//! for [`TYPING_SHOWS_MS`] after their last signal (counted in the view's one-second ticks, so
//! the model needs no clock) or until their message comes; and this user's own typing, passed
//! on for the open conversation (the composer sends it at most every 3 s).

use std::collections::BTreeMap;

use anseo_shared::protocol::{Place, TYPING_SHOWS_MS};

use super::{Chat, Command, Target};

/// Ticks (one a second) a "typing" shows after its signal.
const SHOWN_TICKS: u32 = (TYPING_SHOWS_MS / 1000) as u32;

/// Who is typing in one conversation: name to the ticks left.
pub type Typists = BTreeMap<String, u32>;

impl Chat {
    /// `from` is typing in `place`.
    pub(super) fn someone_typing(&mut self, place: Place, from: String) {
        if from == self.me {
            return;
        }
        let target = match place {
            Place::Room(room) => Target::Room(room),
            Place::Direct(user) => Target::Direct(user),
        };
        self.typing.entry(target).or_default().insert(from, SHOWN_TICKS);
    }

    /// `from`'s message came in `target`: they are done typing it.
    pub(super) fn stopped_typing(&mut self, target: &Target, from: &str) {
        if let Some(typists) = self.typing.get_mut(target) {
            typists.remove(from);
            if typists.is_empty() {
                self.typing.remove(target);
            }
        }
    }

    /// A second passed: typing signals age, and those too old are dropped.
    pub(super) fn tick(&mut self) {
        for typists in self.typing.values_mut() {
            typists.retain(|_, left| {
                *left = left.saturating_sub(1);
                *left > 0
            });
        }
        self.typing.retain(|_, typists| !typists.is_empty());
    }

    /// What tells the others that this user is typing in the open conversation (the model
    /// does not change: the composer asks for it, at most every 3 s, without redrawing).
    pub fn typing_command(&self) -> Option<Command> {
        let place = match &self.current {
            Target::Room(room) => Place::Room(room.clone()),
            Target::Direct(user) => Place::Direct(user.clone()),
        };
        Some(Command::Typing { place })
    }

    /// Who is typing in the open conversation, in name order.
    pub fn typing_here(&self) -> Vec<String> {
        self.typing.get(&self.current).map(|typists| typists.keys().cloned().collect()).unwrap_or_default()
    }
}

/// "bob is typing...", "bob and carol are typing...", "3 people are typing...".
pub fn typing_line(names: &[String]) -> Option<String> {
    match names {
        [] => None,
        [one] => Some(format!("{one} is typing…")),
        [one, two] => Some(format!("{one} and {two} are typing…")),
        more => Some(format!("{} people are typing…", more.len())),
    }
}
