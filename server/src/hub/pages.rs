//! Lists that fit a frame, a page at a time: the online users, the rooms and a room's members.
//!
//! A Welcome, a `/users` or a `/rooms` answer must never depend on how much is on the server:
//! one client filling the room list with long names, or a busy server's user list, would
//! otherwise grow them past the frame limit, and nobody could log in. Every list leaves as
//! pages of at most [`LIST_PAGE_BYTES`] on the wire, in name order; a client asks for the page
//! after the last name it has.

use std::ops::Bound;

use anseo_shared::protocol::{RoomInfo, fold_name};

use super::{Room, State};

/// The most a page of names or rooms takes on the wire: a Welcome carries three such lists
/// (users, rooms, members), far below the server's frame limit of 1 MiB.
pub const LIST_PAGE_BYTES: usize = 32 * 1024;

/// Names a Welcome lists on a large server: a screenful.
pub const WELCOME_NAMES_WHEN_LARGE: usize = 100;

impl State {
    /// The online users whose names sort after `after` (all when `None`), as many as fit a
    /// page, and whether more follow.
    pub fn user_page(&self, after: Option<&str>) -> (Vec<String>, bool) {
        let names = self.names.range::<String, _>(after_key(after)).filter_map(|(_, id)| self.users.get(id));
        fit(names.map(|user| user.name.clone()), |name| string_len(name))
    }

    /// The users a Welcome lists: a page of them on a small server; on a large one (see
    /// [`super::PRESENCE_FOR_EVERYONE_UP_TO`]), where nobody hears of every login, only the first
    /// [`WELCOME_NAMES_WHEN_LARGE`], so a login costs the same whoever else is online.
    pub fn welcome_users(&self) -> Vec<String> {
        match self.presence_for_everyone() {
            true => self.user_page(None).0,
            false => {
                let names = self.names.values().filter_map(|id| self.users.get(id));
                fit(names.take(WELCOME_NAMES_WHEN_LARGE).map(|user| user.name.clone()), |name| {
                    string_len(name)
                })
                .0
            }
        }
    }

    /// The rooms whose names sort after `after` (all when `None`), as many as fit a page, and
    /// whether more follow.
    pub fn room_page(&self, after: Option<&str>) -> (Vec<RoomInfo>, bool) {
        let rooms = self.rooms.range::<String, _>(after_key(after)).map(|(_, room)| room.info());
        fit(rooms, room_len)
    }

    /// The first page of `room`'s members.
    pub fn member_page(&self, room: &Room) -> Vec<String> {
        fit(self.member_names(room).into_iter(), |name| string_len(name)).0
    }
}

/// The keys strictly after `after`'s folded name.
fn after_key(after: Option<&str>) -> (Bound<String>, Bound<String>) {
    match after {
        Some(after) => (Bound::Excluded(fold_name(after)), Bound::Unbounded),
        None => (Bound::Unbounded, Bound::Unbounded),
    }
}

/// The items that fit [`LIST_PAGE_BYTES`] by `size`, and whether any were left out.
fn fit<T>(items: impl Iterator<Item = T>, size: impl Fn(&T) -> usize) -> (Vec<T>, bool) {
    let mut page = Vec::new();
    let mut used = 0;
    for item in items {
        used += size(&item);
        if used > LIST_PAGE_BYTES {
            return (page, true);
        }
        page.push(item);
    }
    (page, false)
}

/// An upper bound of a string's size in postcard: its bytes and a length varint (at most 3
/// bytes below 2 MiB).
fn string_len(text: &str) -> usize {
    text.len() + 3
}

/// An upper bound of a room's size in postcard: name, topic and a member count varint.
fn room_len(room: &RoomInfo) -> usize {
    string_len(&room.name) + string_len(&room.topic) + 5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_stops_before_the_budget_and_says_more_follow() {
        let names: Vec<String> = (0..10_000).map(|n| format!("user{n:05}")).collect();
        let (page, more) = fit(names.iter().cloned(), |name| string_len(name));
        assert!(more);
        assert_eq!(page.len(), LIST_PAGE_BYTES / 12);
        assert_eq!(page[..2], ["user00000", "user00001"]);
        let (all, more) = fit(names[..10].iter().cloned(), |name| string_len(name));
        assert_eq!((all.len(), more), (10, false));
    }

    #[test]
    fn a_page_is_never_larger_than_its_budget_on_the_wire() {
        let topic = "\u{1f600}".repeat(200);
        let rooms: Vec<RoomInfo> = (0..1000)
            .map(|n| RoomInfo {
                name: format!("{n:04}{}", "\u{10348}".repeat(60)),
                topic: topic.clone(),
                members: 70_000,
            })
            .collect();
        let (page, more) = fit(rooms.into_iter(), room_len);
        assert!(more);
        let bytes = postcard::to_stdvec(&page).unwrap();
        assert!(bytes.len() <= LIST_PAGE_BYTES, "{} bytes", bytes.len());
        assert!(bytes.len() > LIST_PAGE_BYTES / 2, "the page is not needlessly small: {}", bytes.len());
    }
}
