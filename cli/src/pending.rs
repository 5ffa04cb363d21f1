//! Commands sent whose answer has not arrived yet, so leaving can wait for them: the server
//! answers every command on the same ordered stream, and closing the connection earlier could
//! drop what is still in flight.

use std::collections::HashSet;

use anseo_shared::protocol::ServerMsg;

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

    /// Crosses off what `message` answers; `me` is this user's name when it arrived (other
    /// users' messages carry their own client message ids).
    pub fn answered_by(&mut self, message: &ServerMsg, me: &str) {
        match message {
            ServerMsg::Message(m) if m.from == me => _ = self.sends.remove(&m.client_msg_id),
            ServerMsg::Direct(d) if d.from == me => _ = self.sends.remove(&d.client_msg_id),
            ServerMsg::Error(reply) => match reply.client_msg_id {
                Some(id) => _ = self.sends.remove(&id),
                None => self.commands = self.commands.saturating_sub(1),
            },
            ServerMsg::Joined { .. }
            | ServerMsg::Left { .. }
            | ServerMsg::Users { .. }
            | ServerMsg::Rooms { .. }
            | ServerMsg::Renamed { .. } => self.commands = self.commands.saturating_sub(1),
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

    fn message(from: &str, client_msg_id: u64) -> ServerMsg {
        ServerMsg::Message(RoomMessage {
            id: 1,
            room: "lobby".into(),
            seq: 1,
            from: from.into(),
            text: "hi".into(),
            ts: 0,
            client_msg_id,
        })
    }

    #[test]
    fn only_own_echoes_and_replies_cross_off() {
        let mut pending = Pending::default();
        pending.sent(1);
        pending.commanded();
        pending.answered_by(&message("bob", 1), "alice");
        assert!(!pending.is_empty(), "bob's message 1 is not alice's echo");
        pending.answered_by(&message("alice", 1), "alice");
        pending.answered_by(&ServerMsg::Users { users: vec![], ts: 0 }, "alice");
        assert!(pending.is_empty());
        pending.answered_by(&ServerMsg::Left { room: "dev".into(), ts: 0 }, "alice");
        assert!(pending.is_empty(), "an unexpected reply does not underflow");
    }
}
