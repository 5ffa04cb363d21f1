//! Commands sent whose answer has not arrived yet, so leaving can wait for them: the server
//! answers every command on the same ordered stream, and closing the connection earlier could
//! drop what is still in flight.

use std::collections::HashSet;

use anseo_shared::client::ChatEvent;
use anseo_shared::protocol::MessageKind;

/// What this session still expects an answer to.
#[derive(Debug, Default)]
pub struct Pending {
    /// Client message ids of messages and DMs awaiting their echo or error.
    sends: HashSet<u64>,
    /// Other commands awaiting their reply or error.
    commands: usize,
}

impl Pending {
    pub fn is_empty(&self) -> bool {
        self.sends.is_empty() && self.commands == 0
    }

    /// How many answers are still expected.
    pub fn len(&self) -> usize {
        self.sends.len() + self.commands
    }

    /// The sends still awaiting their echo, in the order they were made.
    pub fn unanswered_sends(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.sends.iter().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// The client core gave up on this send (and said so).
    pub fn gave_up(&mut self, client_msg_id: u64) {
        self.sends.remove(&client_msg_id);
    }

    /// A message or DM went out with this client message id.
    pub fn sent(&mut self, client_msg_id: u64) {
        self.sends.insert(client_msg_id);
    }

    /// A command other than a message went out.
    pub fn commanded(&mut self) {
        self.commands += 1;
    }

    /// The page of a `/history` request arrived.
    pub fn page_arrived(&mut self) {
        self.commands = self.commands.saturating_sub(1);
    }

    /// Crosses off what `event` answers: a send the client core confirmed or gave up on, or
    /// a command's reply (for a board operation: its echo, `me` being this user's name).
    pub fn answered_by(&mut self, event: &ChatEvent, me: &str) {
        match event {
            ChatEvent::Message { confirms: Some(id), .. }
            | ChatEvent::Direct { confirms: Some(id), .. }
            | ChatEvent::AlreadyPosted { client_msg_id: id }
            | ChatEvent::Refused { client_msg_id: id, .. } => _ = self.sends.remove(id),
            ChatEvent::CommandFailed { .. }
            | ChatEvent::Joined { .. }
            | ChatEvent::Left { .. }
            | ChatEvent::Users { .. }
            | ChatEvent::Rooms { .. }
            | ChatEvent::Renamed { .. }
            | ChatEvent::SearchResults { .. } => self.commands = self.commands.saturating_sub(1),
            // Every board operation is echoed (or refused, above): this user's own answer it.
            ChatEvent::Board(event) if event.by == me => self.commands = self.commands.saturating_sub(1),
            ChatEvent::Reaction(reaction) if reaction.by == me => {
                self.commands = self.commands.saturating_sub(1)
            }
            // Edits, deletions and moderation notices of this user's are posted like messages.
            ChatEvent::Message { message, .. } if message.kind != MessageKind::Said && message.from == me => {
                self.commands = self.commands.saturating_sub(1)
            }
            // Pages also follow joins unasked: the session crosses off the pages it asked for
            // itself, with `page_arrived`.
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use anseo_shared::protocol::RoomMessage;

    use super::*;

    fn message(from: &str, client_msg_id: u64, confirms: Option<u64>) -> ChatEvent {
        let message = RoomMessage {
            id: 1,
            room: "lobby".into(),
            seq: 1,
            from: from.into(),
            text: "hi".into(),
            ts: 0,
            client_msg_id,
            attachment: None,
            kind: MessageKind::Said,
            state: Default::default(),
        };
        ChatEvent::Message { message, confirms }
    }

    #[test]
    fn only_confirmations_and_replies_cross_off() {
        let mut pending = Pending::default();
        pending.sent(1);
        pending.commanded();
        pending.answered_by(&message("bob", 1, None), "alice");
        assert!(!pending.is_empty(), "bob's message 1 is not alice's echo");
        pending.answered_by(&message("alice", 1, Some(1)), "alice");
        pending.answered_by(&ChatEvent::Users { users: vec![], ts: 0 }, "alice");
        assert!(pending.is_empty());
        pending.answered_by(&ChatEvent::Left { room: "dev".into(), ts: 0 }, "alice");
        assert!(pending.is_empty(), "an unexpected reply does not underflow");
    }
}
