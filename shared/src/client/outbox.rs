//! What a resilient session has to send, and when: the messages not confirmed yet, the
//! commands waiting for their turn, and a mirror of the server's rate limit so they leave no
//! faster than the server takes them. Pure: the caller passes the time, so tests need no clock.
//!
//! Every command the server rate-limits (messages, direct messages, joins, leaves, renames)
//! waits in one queue, in the order the caller gave them, and leaves when the mirrored bucket
//! has a token. The mirror keeps a margin below the server's burst, so network jitter cannot
//! make the server's bucket the emptier one, and each connection's mirror starts half full:
//! the server carries a name's budget over from its previous connection but starts it with at
//! least half the burst, so that much is always there. Should the server refuse a message for speed all
//! the same, the message goes back to the front of the queue (before anything sent after it)
//! and the mirror is emptied, so it leaves again once the server has a token for it: a
//! message is never lost to the rate limit. After a reconnect the server's bucket is full
//! again, and everything unconfirmed goes out again, in order, at the paced rate.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use web_time::Instant;

use super::carried::CarriedSend;
use super::chat_event::{Addressee, ChatEvent};
use crate::protocol::{Attachment, ClientMsg, SendRate, fold_name};
use crate::rate::{RateLimit, TokenBucket, Verdict};

/// Unconfirmed sends kept, at most; beyond that the caller's sends wait.
pub(super) const MAX_UNCONFIRMED: usize = 1000;
/// Other rate-limited commands waiting for their turn, at most.
const MAX_QUEUED_COMMANDS: usize = 64;
/// Tokens of the server's burst the mirror leaves unused, against jitter.
const BURST_MARGIN: u32 = 2;
/// How long a message the server could not store waits before it is sent again.
const UNAVAILABLE_PAUSE: Duration = Duration::from_secs(1);
/// How often a message the server could not store is tried, at most.
const UNAVAILABLE_TRIES: u32 = 3;

/// A message or direct message until the server confirms it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Outgoing {
    pub client_msg_id: u64,
    pub to: Addressee,
    pub text: String,
    pub attachment: Option<Attachment>,
}

impl Outgoing {
    pub(super) fn id(&self) -> u64 {
        self.client_msg_id
    }

    /// A send carried over from an earlier session.
    pub(super) fn carried(send: CarriedSend) -> Outgoing {
        let CarriedSend { client_msg_id, to, text, attachment } = send;
        Outgoing { client_msg_id, to, text, attachment }
    }

    /// The send `message` is, or `message` back when it is another command.
    pub(super) fn from_message(message: ClientMsg) -> Result<Outgoing, Box<ClientMsg>> {
        match message {
            ClientMsg::Say { room, text, client_msg_id, attachment } => {
                Ok(Outgoing { client_msg_id, to: Addressee::Room(room), text, attachment })
            }
            ClientMsg::Direct { to, text, client_msg_id, attachment } => {
                Ok(Outgoing { client_msg_id, to: Addressee::User(to), text, attachment })
            }
            other => Err(Box::new(other)),
        }
    }

    /// The caller's view of this send: its id, where it goes, its text and attachment.
    pub(super) fn sending(&self) -> ChatEvent {
        let Outgoing { client_msg_id, to, text, attachment } = self.clone();
        ChatEvent::Sending { client_msg_id, to, text, attachment }
    }

    pub(super) fn message(&self) -> ClientMsg {
        let Outgoing { client_msg_id, to, text, attachment } = self.clone();
        match to {
            Addressee::Room(room) => ClientMsg::Say { room, text, client_msg_id, attachment },
            Addressee::User(to) => ClientMsg::Direct { to, text, client_msg_id, attachment },
        }
    }

    /// Whether this send is the message posted to `to` with `text` and `attachment`.
    fn matches(&self, to: Destination<'_>, text: &str, attachment: Option<&Attachment>) -> bool {
        let same_place = match (&self.to, to) {
            (Addressee::Room(room), Destination::Room(posted)) => fold_name(room) == fold_name(posted),
            (Addressee::User(user), Destination::User(posted)) => fold_name(user) == fold_name(posted),
            _ => false,
        };
        let hash = |a: Option<&Attachment>| a.map(|a| a.hash);
        same_place && self.text == text && hash(self.attachment.as_ref()) == hash(attachment)
    }
}

/// Where a posted message went, to match it with a send.
#[derive(Debug, Clone, Copy)]
pub(super) enum Destination<'a> {
    Room(&'a str),
    User(&'a str),
}

/// One entry of the queue.
#[derive(Debug)]
enum Queued {
    /// The unconfirmed send with this client message id.
    Send(u64),
    /// A join, leave or rename.
    Command(ClientMsg),
}

/// What the server said about a send that was not a confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    /// Refused for speed: it goes again when there is a token.
    RateLimited,
    /// The server could not do it now: it goes again after a pause, a few times.
    Unavailable,
    /// Any other refusal: final.
    Refused,
}

/// What becomes of a send after an [`Answer`].
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// It stays and goes out again; the caller hears nothing yet.
    Retrying,
    /// It is dropped from the outbox; the caller hears why.
    Failed(Outgoing),
    /// The id is not (or no longer) in the outbox.
    Unknown,
}

/// The sends and paced commands of one resilient session.
#[derive(Debug)]
pub(super) struct Outbox {
    /// Every send not confirmed yet, by client message id (queued, in flight, or to retry).
    unconfirmed: BTreeMap<u64, Outgoing>,
    /// Sends that went out and must go again (refused for speed, or the connection was
    /// lost): they leave before the queue, lowest id first.
    retry: BTreeSet<u64>,
    /// Sends and commands not sent yet, in the caller's order.
    queue: VecDeque<Queued>,
    /// How often a send was answered "unavailable", by id.
    unavailable: BTreeMap<u64, u32>,
    /// The mirror of the server's bucket for this connection.
    bucket: TokenBucket,
    /// Nothing leaves before this (a pause the server asked for).
    held_until: Option<Instant>,
}

impl Outbox {
    pub(super) fn new(rate: SendRate, now: Instant) -> Self {
        Outbox {
            unconfirmed: BTreeMap::new(),
            retry: BTreeSet::new(),
            queue: VecDeque::new(),
            unavailable: BTreeMap::new(),
            bucket: mirror(rate, now),
            held_until: None,
        }
    }

    /// Whether the caller's next command must wait (memory stays bounded).
    pub(super) fn is_full(&self) -> bool {
        self.unconfirmed.len() >= MAX_UNCONFIRMED || self.queue.len() >= MAX_UNCONFIRMED + MAX_QUEUED_COMMANDS
    }

    /// Whether everything was sent and confirmed.
    pub(super) fn is_empty(&self) -> bool {
        self.unconfirmed.is_empty() && self.queue.is_empty()
    }

    /// How many sends are not confirmed yet.
    pub(super) fn unconfirmed_count(&self) -> usize {
        self.unconfirmed.len()
    }

    /// Queues a message or direct message.
    pub(super) fn push_send(&mut self, outgoing: Outgoing) {
        let id = outgoing.id();
        self.unconfirmed.insert(id, outgoing);
        self.queue.push_back(Queued::Send(id));
    }

    /// Queues a rate-limited command behind the sends before it.
    pub(super) fn push_command(&mut self, command: ClientMsg) {
        self.queue.push_back(Queued::Command(command));
    }

    /// When the next entry may leave; `None` when nothing waits.
    pub(super) fn next_due(&self, now: Instant) -> Option<Instant> {
        if self.retry.is_empty() && self.queue.is_empty() {
            return None;
        }
        let ready = self.bucket.ready_at(now);
        Some(self.held_until.map_or(ready, |held| held.max(ready)))
    }

    /// Takes what may leave now, in order, each with a token of the mirrored bucket.
    pub(super) fn release(&mut self, now: Instant) -> Vec<ClientMsg> {
        let mut out = Vec::new();
        if self.held_until.is_some_and(|held| now < held) {
            return out;
        }
        self.held_until = None;
        while let Some(message) = self.peek_next() {
            if self.bucket.take(now) != Verdict::Allowed {
                break;
            }
            self.pop_next();
            out.push(message);
        }
        out
    }

    /// The next entry to leave, if any; confirmed sends still in the queue are skipped.
    fn peek_next(&mut self) -> Option<ClientMsg> {
        while let Some(&id) = self.retry.first() {
            match self.unconfirmed.get(&id) {
                Some(outgoing) => return Some(outgoing.message()),
                None => _ = self.retry.pop_first(),
            }
        }
        loop {
            match self.queue.front()? {
                Queued::Send(id) => match self.unconfirmed.get(id) {
                    Some(outgoing) => return Some(outgoing.message()),
                    None => _ = self.queue.pop_front(),
                },
                Queued::Command(command) => return Some(command.clone()),
            }
        }
    }

    fn pop_next(&mut self) {
        if self.retry.pop_first().is_none() {
            self.queue.pop_front();
        }
    }

    /// Whether the unconfirmed send `id` is the message posted to `to` with `text`. An echo is
    /// matched by its id and its content: ids start at 1 again with every run of a client, so
    /// a page of history may hold an earlier run's message under an id this run uses too.
    pub(super) fn is_echo(
        &self,
        id: u64,
        to: Destination<'_>,
        text: &str,
        attachment: Option<&Attachment>,
    ) -> bool {
        self.unconfirmed.get(&id).is_some_and(|sent| sent.matches(to, text, attachment))
    }

    /// The server posted the send with this id (its echo, or "already posted").
    pub(super) fn confirmed(&mut self, client_msg_id: u64) {
        self.unconfirmed.remove(&client_msg_id);
        self.retry.remove(&client_msg_id);
        self.unavailable.remove(&client_msg_id);
    }

    /// The server refused the send with this id: see [`Answer`].
    pub(super) fn answered(&mut self, client_msg_id: u64, answer: Answer, now: Instant) -> Outcome {
        if !self.unconfirmed.contains_key(&client_msg_id) {
            return Outcome::Unknown;
        }
        match answer {
            Answer::RateLimited => {
                self.bucket.drain(now);
                self.retry.insert(client_msg_id);
                Outcome::Retrying
            }
            Answer::Unavailable => {
                let tries = self.unavailable.entry(client_msg_id).or_default();
                *tries += 1;
                if *tries >= UNAVAILABLE_TRIES {
                    return self.fail(client_msg_id);
                }
                self.held_until = Some(now + UNAVAILABLE_PAUSE);
                self.retry.insert(client_msg_id);
                Outcome::Retrying
            }
            Answer::Refused => self.fail(client_msg_id),
        }
    }

    fn fail(&mut self, client_msg_id: u64) -> Outcome {
        self.retry.remove(&client_msg_id);
        self.unavailable.remove(&client_msg_id);
        match self.unconfirmed.remove(&client_msg_id) {
            Some(outgoing) => Outcome::Failed(outgoing),
            None => Outcome::Unknown,
        }
    }

    /// A new connection, with a new budget on the server. Everything sent before and not
    /// confirmed goes again, before what was never sent.
    pub(super) fn reconnected(&mut self, rate: SendRate, now: Instant) {
        let queued: BTreeSet<u64> = self
            .queue
            .iter()
            .filter_map(|entry| if let Queued::Send(id) = entry { Some(*id) } else { None })
            .collect();
        self.retry = self.unconfirmed.keys().copied().filter(|id| !queued.contains(id)).collect();
        self.bucket = mirror(rate, now);
        self.held_until = None;
    }

    /// When the mirror will next have a token (`now` if it has one).
    pub(super) fn token_at(&self, now: Instant) -> Instant {
        self.bucket.ready_at(now)
    }

    /// Takes a token for a command sent outside the queue (a rejoin after a reconnect), or
    /// says when there will be one.
    pub(super) fn take_token(&mut self, now: Instant) -> Result<(), Instant> {
        match self.bucket.take(now) {
            Verdict::Allowed => Ok(()),
            Verdict::Limited { .. } => Err(self.bucket.ready_at(now)),
        }
    }

    /// Gives up on everything not confirmed (the session ended): the sends, in order.
    pub(super) fn abandon(&mut self) -> Vec<Outgoing> {
        self.retry.clear();
        self.queue.clear();
        self.unavailable.clear();
        std::mem::take(&mut self.unconfirmed).into_values().collect()
    }
}

/// A bucket like the server's for a new connection, with a margin, holding what the server's
/// surely holds: half the burst.
fn mirror(rate: SendRate, now: Instant) -> TokenBucket {
    let mut limit = RateLimit::from_send_rate(rate);
    let sure = (limit.burst / 2).saturating_sub(BURST_MARGIN).max(1);
    limit.burst = limit.burst.saturating_sub(BURST_MARGIN).max(1);
    TokenBucket::with_tokens(limit, f64::from(sure), now)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Capacity 8 with the margin; a new connection's mirror holds 3 (half the burst, less the
    /// margin).
    const RATE: SendRate = SendRate { burst: 10, micros_per_send: 100_000 };

    fn say(id: u64) -> Outgoing {
        Outgoing {
            client_msg_id: id,
            to: Addressee::Room("lobby".into()),
            text: format!("m{id}"),
            attachment: None,
        }
    }

    fn ids(messages: &[ClientMsg]) -> Vec<u64> {
        messages
            .iter()
            .filter_map(|m| match m {
                ClientMsg::Say { client_msg_id, .. } | ClientMsg::Direct { client_msg_id, .. } => {
                    Some(*client_msg_id)
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn sends_leave_at_the_mirrored_rate_with_a_margin() {
        let start = Instant::now();
        let mut outbox = Outbox::new(RATE, start);
        for id in 1..=10 {
            outbox.push_send(say(id));
        }
        // Half the burst of 10, less the margin of 2.
        assert_eq!(ids(&outbox.release(start)), [1, 2, 3]);
        assert_eq!(outbox.next_due(start), Some(start + Duration::from_millis(100)));
        assert!(outbox.release(start + Duration::from_millis(50)).is_empty());
        assert_eq!(ids(&outbox.release(start + Duration::from_millis(100))), [4]);
        assert_eq!(ids(&outbox.release(start + Duration::from_millis(300))), [5, 6]);
        // A quiet spell fills it up to the burst less the margin.
        for id in 11..=20 {
            outbox.push_send(say(id));
        }
        assert_eq!(outbox.release(start + Duration::from_secs(60)).len(), 8);
    }

    #[test]
    fn a_send_refused_for_speed_goes_again_before_later_ones() {
        let start = Instant::now();
        let mut outbox = Outbox::new(RATE, start);
        for id in 1..=5 {
            outbox.push_send(say(id));
        }
        assert_eq!(ids(&outbox.release(start)), [1, 2, 3]);
        assert_eq!(outbox.answered(2, Answer::RateLimited, start), Outcome::Retrying);
        assert_eq!(outbox.answered(3, Answer::RateLimited, start), Outcome::Retrying);
        outbox.confirmed(1);
        // The mirror was emptied: nothing before a new token.
        assert!(outbox.release(start).is_empty());
        let later = start + Duration::from_millis(300);
        assert_eq!(ids(&outbox.release(later)), [2, 3, 4]);
        assert_eq!(outbox.unconfirmed_count(), 4);
    }

    #[test]
    fn commands_keep_their_place_between_sends() {
        let start = Instant::now();
        let mut outbox = Outbox::new(RATE, start);
        outbox.push_send(say(1));
        outbox.push_command(ClientMsg::Join { room: "dev".into(), topic: None });
        outbox.push_send(say(2));
        let released = outbox.release(start);
        assert_eq!(released.len(), 3);
        assert!(matches!(released[1], ClientMsg::Join { .. }));
        assert_eq!(ids(&released), [1, 2]);
    }

    #[test]
    fn unavailable_is_tried_again_after_a_pause_then_fails() {
        let start = Instant::now();
        let mut outbox = Outbox::new(RATE, start);
        outbox.push_send(say(1));
        outbox.release(start);
        assert_eq!(outbox.answered(1, Answer::Unavailable, start), Outcome::Retrying);
        assert!(outbox.release(start + Duration::from_millis(500)).is_empty(), "paused");
        let later = start + Duration::from_secs(1);
        assert_eq!(ids(&outbox.release(later)), [1]);
        assert_eq!(outbox.answered(1, Answer::Unavailable, later), Outcome::Retrying);
        assert_eq!(outbox.answered(1, Answer::Unavailable, later), Outcome::Failed(say(1)));
        assert!(outbox.is_empty());
    }

    #[test]
    fn a_final_refusal_drops_the_send_and_says_which() {
        let start = Instant::now();
        let mut outbox = Outbox::new(RATE, start);
        outbox.push_send(say(1));
        outbox.release(start);
        assert_eq!(outbox.answered(1, Answer::Refused, start), Outcome::Failed(say(1)));
        assert_eq!(outbox.answered(1, Answer::Refused, start), Outcome::Unknown);
    }

    #[test]
    fn after_a_reconnect_unconfirmed_sends_go_again_in_order_before_unsent_ones() {
        let start = Instant::now();
        let mut outbox = Outbox::new(RATE, start);
        for id in 1..=6 {
            outbox.push_send(say(id));
        }
        assert_eq!(ids(&outbox.release(start)), [1, 2, 3]);
        outbox.confirmed(1);
        outbox.reconnected(RATE, start);
        // The rejoin of one room takes a token of the new connection's mirror.
        assert_eq!(outbox.take_token(start), Ok(()));
        assert_eq!(ids(&outbox.release(start)), [2, 3]);
        assert_eq!(outbox.take_token(start), Err(start + Duration::from_millis(100)));
        let later = start + Duration::from_secs(1);
        assert_eq!(ids(&outbox.release(later)), [4, 5, 6]);
        assert!(outbox.next_due(later).is_none());
    }

    #[test]
    fn an_echo_matches_by_id_and_content() {
        let start = Instant::now();
        let mut outbox = Outbox::new(RATE, start);
        outbox.push_send(say(1));
        outbox.push_send(Outgoing {
            client_msg_id: 2,
            to: Addressee::User("Bob".into()),
            text: "hi".into(),
            attachment: None,
        });
        assert!(outbox.is_echo(1, Destination::Room("Lobby"), "m1", None));
        assert!(!outbox.is_echo(1, Destination::Room("lobby"), "an earlier run's message 1", None));
        assert!(!outbox.is_echo(1, Destination::Room("dev"), "m1", None));
        assert!(!outbox.is_echo(1, Destination::User("lobby"), "m1", None));
        assert!(outbox.is_echo(2, Destination::User("bob"), "hi", None));
        assert!(!outbox.is_echo(3, Destination::User("bob"), "hi", None));
    }

    #[test]
    fn an_echo_with_a_file_matches_by_the_file_too() {
        let file = |hash: u8| Attachment {
            hash: [hash; 32],
            name: "a.pdf".into(),
            size: 3,
            mime: "application/pdf".into(),
            picture: None,
        };
        let mut outbox = Outbox::new(RATE, Instant::now());
        let to = Addressee::Room("lobby".into());
        outbox.push_send(Outgoing { client_msg_id: 1, to, text: String::new(), attachment: Some(file(1)) });
        assert!(outbox.is_echo(1, Destination::Room("lobby"), "", Some(&file(1))));
        assert!(!outbox.is_echo(1, Destination::Room("lobby"), "", Some(&file(2))));
        assert!(!outbox.is_echo(1, Destination::Room("lobby"), "", None));
    }

    #[test]
    fn abandoning_returns_every_unconfirmed_send_in_order() {
        let start = Instant::now();
        let mut outbox = Outbox::new(RATE, start);
        for id in [3, 1, 2] {
            outbox.push_send(say(id));
        }
        assert_eq!(outbox.abandon(), [say(1), say(2), say(3)]);
        assert!(outbox.is_empty());
    }
}
