//! Whom a session watches: on a large server presence goes only to those who ask for it
//! (`ClientMsg::Watch`), so the session asks for the people its user sees: those the caller
//! shows (the visible part of a user list) and those with whom this session has direct
//! conversations. It sends the list when it changes, at most once every [`WATCH_EVERY`] (a
//! user list that changes with every login must not spend the request budget), and again
//! after each reconnect.

use std::collections::BTreeSet;
use std::time::Duration;

use web_time::Instant;

use crate::protocol::{ClientMsg, MAX_WATCHED, fold_name};

/// The shortest time between two `Watch` frames.
pub(super) const WATCH_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub(super) struct Watchlist {
    /// What the caller shows, in its order.
    shown: Vec<String>,
    /// The other people of this session's direct conversations, in the order they came.
    partners: Vec<String>,
    /// The list the server has, if it has one.
    sent: Option<Vec<String>>,
    /// When the last list went.
    sent_at: Option<Instant>,
}

impl Watchlist {
    /// The caller shows `users` now, instead of what it showed.
    pub(super) fn show(&mut self, users: Vec<String>) {
        self.shown = users;
    }

    /// A direct message to or from `user` came.
    pub(super) fn add_partner(&mut self, user: &str) {
        if !self.partners.iter().any(|partner| fold_name(partner) == fold_name(user)) {
            self.partners.push(user.to_string());
        }
    }

    /// The new connection's server knows no list yet.
    pub(super) fn forget_sent(&mut self) {
        self.sent = None;
    }

    /// The `Watch` to send now, when the list changed since the server last heard it and the
    /// last one went long enough ago.
    pub(super) fn take_change(&mut self, now: Instant) -> Option<ClientMsg> {
        if self.sent_at.is_some_and(|at| now < at + WATCH_EVERY) {
            return None;
        }
        let wanted = self.wanted();
        if !self.changed(&wanted) {
            return None;
        }
        self.sent = Some(wanted.clone());
        self.sent_at = Some(now);
        Some(ClientMsg::Watch { users: wanted })
    }

    /// When a change waiting for its turn may go.
    pub(super) fn due(&self) -> Option<Instant> {
        let at = self.sent_at?;
        self.changed(&self.wanted()).then_some(at + WATCH_EVERY)
    }

    fn changed(&self, wanted: &[String]) -> bool {
        match &self.sent {
            Some(sent) => sent != wanted,
            None => !wanted.is_empty(),
        }
    }

    /// The partners first (they are few and matter most), then what is shown, each once, at
    /// most [`MAX_WATCHED`].
    fn wanted(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.partners
            .iter()
            .chain(&self.shown)
            .filter(|name| seen.insert(fold_name(name)))
            .take(MAX_WATCHED)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn the_list_goes_when_it_changes_with_partners_first_and_each_name_once() {
        let now = Instant::now();
        let mut watch = Watchlist::default();
        assert_eq!(watch.take_change(now), None, "nothing to watch: nothing sent");
        watch.show(names(&["ann", "Bob"]));
        watch.add_partner("bob");
        watch.add_partner("zed");
        assert_eq!(watch.take_change(now), Some(ClientMsg::Watch { users: names(&["bob", "zed", "ann"]) }));
        let later = now + WATCH_EVERY;
        assert_eq!(watch.take_change(later), None, "unchanged");
        watch.show(names(&["ann", "Bob"]));
        assert_eq!(watch.take_change(later), None, "the same again");
        watch.forget_sent();
        assert_eq!(watch.take_change(later), Some(ClientMsg::Watch { users: names(&["bob", "zed", "ann"]) }));
    }

    #[test]
    fn changes_go_at_most_once_a_second_the_latest_list() {
        let now = Instant::now();
        let mut watch = Watchlist::default();
        watch.show(names(&["ann"]));
        assert!(watch.take_change(now).is_some());
        watch.show(names(&["ann", "bob"]));
        watch.show(names(&["ann", "cat"]));
        assert_eq!(watch.take_change(now + WATCH_EVERY / 2), None, "too soon");
        assert_eq!(watch.due(), Some(now + WATCH_EVERY));
        assert_eq!(
            watch.take_change(now + WATCH_EVERY),
            Some(ClientMsg::Watch { users: names(&["ann", "cat"]) })
        );
        assert_eq!(watch.due(), None);
    }

    #[test]
    fn a_long_list_is_cut_at_the_limit() {
        let mut watch = Watchlist::default();
        watch.show((0..MAX_WATCHED + 5).map(|n| format!("u{n}")).collect());
        let Some(ClientMsg::Watch { users }) = watch.take_change(Instant::now()) else { panic!("sent") };
        assert_eq!(users.len(), MAX_WATCHED);
    }

    #[test]
    fn an_emptied_list_is_sent_once_the_server_has_one() {
        let now = Instant::now();
        let mut watch = Watchlist::default();
        watch.show(names(&["ann"]));
        watch.take_change(now);
        watch.show(Vec::new());
        assert_eq!(watch.take_change(now + WATCH_EVERY), Some(ClientMsg::Watch { users: Vec::new() }));
    }
}
