//! Messages on their way: sent by this user but not confirmed by the server yet (while the
//! connection is down, or while the server's rate limit paces them, they wait in the client
//! core's outbox). Each is known by the client message id its echo will carry; the echo ends
//! it. A refusal naming the id (or the client core giving up on it) leaves it in place,
//! marked as not sent with the reason, until the user sends it again or discards it.
//!
//! The client core says a message is on its way before it says it was confirmed or refused,
//! on the same ordered stream, so each line is known before its answer comes.

use std::collections::BTreeMap;

use super::Target;

/// A message sent but not confirmed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLine {
    pub client_msg_id: u64,
    pub to: Target,
    pub text: String,
}

/// The unconfirmed messages of one session, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pending {
    lines: Vec<PendingLine>,
    /// Why a message was not sent, by id (for lines still shown, or whose note is to come).
    failed: BTreeMap<u64, String>,
}

impl Pending {
    /// Notes a message the client core took; it shows until confirmed.
    pub fn sending(&mut self, line: PendingLine) {
        self.lines.push(line);
    }

    /// The server confirmed (posted) the message with this id.
    pub fn confirmed(&mut self, client_msg_id: u64) {
        self.failed.remove(&client_msg_id);
        self.lines.retain(|line| line.client_msg_id != client_msg_id);
    }

    /// The message with this id was not sent, for `reason`: it stays, marked as failed.
    pub fn refused(&mut self, client_msg_id: u64, reason: String) {
        self.failed.insert(client_msg_id, reason);
    }

    /// Why the message with this id was not sent, if it failed.
    pub fn failure(&self, client_msg_id: u64) -> Option<&str> {
        self.failed.get(&client_msg_id).map(String::as_str)
    }

    /// Takes a failed message away (to send it again, or to discard it).
    pub fn take_failed(&mut self, client_msg_id: u64) -> Option<PendingLine> {
        self.failed.remove(&client_msg_id)?;
        let at = self.lines.iter().position(|line| line.client_msg_id == client_msg_id)?;
        Some(self.lines.remove(at))
    }

    /// The unconfirmed messages to `target`, oldest first.
    pub fn to<'a>(&'a self, target: &'a Target) -> impl Iterator<Item = &'a PendingLine> {
        self.lines.iter().filter(move |line| line.to == *target)
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// `old` is now called `new`: messages on their way to `old` now go to `new`.
    pub fn rename(&mut self, old: &str, new: &str) {
        for line in &mut self.lines {
            if line.to == Target::Direct(old.to_string()) {
                line.to = Target::Direct(new.to_string());
            }
        }
    }
}
