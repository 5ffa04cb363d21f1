//! What a session hands on to the next one on this device ([`Carried`]): its client
//! instance, its next client message id and its sends not confirmed yet. The app keeps it
//! (a reloaded tab, a restarted app) and gives it to
//! [`connect_resilient_carrying`](super::connect_resilient_carrying).

use super::chat_event::Addressee;
use crate::protocol::Attachment;

/// What a session hands on to the next one on this device (a restarted app, a reloaded
/// page): its instance number, its next client message id, and its messages not confirmed
/// yet, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    pub instance: u64,
    pub next_id: u64,
    pub unsent: Vec<CarriedSend>,
}

/// A message not confirmed yet, as [`ChatEvent::Sending`](super::ChatEvent::Sending) gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedSend {
    pub client_msg_id: u64,
    pub to: Addressee,
    pub text: String,
    pub attachment: Option<Attachment>,
}
