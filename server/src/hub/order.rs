//! Keeping order in rooms: a room's owner (its creator) and the moderators they name, who is
//! banned from a room or muted in it, and the server's admins (`--admin NAME`, claimed names
//! only), who may do all of it in every room.

use std::collections::{BTreeSet, HashMap};

use anseo_shared::protocol::{ModAction, fold_name};

use super::{ClientId, Room, State};

/// Names one room keeps moderators, bans and mutes for, at most (all together): a moderator
/// banning name after name cannot grow the server's memory without end.
pub const MAX_ORDER_NAMES: usize = 10_000;

/// The moderators, bans and mutes of one room, by folded name.
#[derive(Debug, Default)]
pub struct RoomOrder {
    moderators: BTreeSet<String>,
    banned: BTreeSet<String>,
    /// Until when (ms since the epoch) each muted name is muted.
    muted: HashMap<String, u64>,
}

/// How much say someone has in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    Member,
    Moderator,
    /// The room's creator, or a server admin.
    Owner,
}

impl RoomOrder {
    pub fn is_moderator(&self, name: &str) -> bool {
        self.moderators.contains(&fold_name(name))
    }

    pub fn is_banned(&self, name: &str) -> bool {
        self.banned.contains(&fold_name(name))
    }

    /// Until when `name` is muted, if they are at `now` (ms since the epoch).
    pub fn muted_until(&self, name: &str, now: u64) -> Option<u64> {
        if self.muted.is_empty() {
            return None;
        }
        self.muted.get(&fold_name(name)).copied().filter(|until| *until > now)
    }

    /// Whether the room can keep one more name for `action` on `target` (mutes that ended
    /// at `now` no longer count).
    pub fn has_room_for(&mut self, action: ModAction, target: &str, now: u64) -> bool {
        self.muted.retain(|_, until| *until > now);
        let key = fold_name(target);
        let adds = match action {
            ModAction::Mute { .. } => !self.muted.contains_key(&key),
            ModAction::Ban => !self.banned.contains(&key),
            ModAction::Op => !self.moderators.contains(&key),
            _ => false,
        };
        !adds || self.moderators.len() + self.banned.len() + self.muted.len() < MAX_ORDER_NAMES
    }

    /// Applies a moderation action on `target`.
    pub fn apply(&mut self, action: ModAction, target: &str) {
        let key = fold_name(target);
        match action {
            ModAction::Topic | ModAction::Kick => {}
            ModAction::Mute { until } => _ = self.muted.insert(key, until),
            ModAction::Unmute => _ = self.muted.remove(&key),
            ModAction::Ban => _ = self.banned.insert(key),
            ModAction::Unban => _ = self.banned.remove(&key),
            ModAction::Op => _ = self.moderators.insert(key),
            ModAction::Deop => _ = self.moderators.remove(&key),
        }
    }

    /// Restores one person's stored standing.
    pub fn restore(&mut self, user: String, moderator: bool, banned: bool, muted_until: u64) {
        if moderator {
            self.moderators.insert(user.clone());
        }
        if banned {
            self.banned.insert(user.clone());
        }
        if muted_until > 0 {
            self.muted.insert(user, muted_until);
        }
    }
}

impl State {
    /// Makes `names` server admins (they count only while their names are claimed).
    pub fn set_admins(&mut self, names: impl IntoIterator<Item = String>) {
        self.admins = names.into_iter().map(|name| fold_name(&name)).collect();
    }

    /// Whether `name` is a server admin: named with `--admin` and claimed by an account, so
    /// only its password or a token of it logs in with it.
    pub fn is_admin(&self, name: &str) -> bool {
        let key = fold_name(name);
        self.admins.contains(&key) && self.claimed.contains(&key)
    }

    /// How much say `name` has in `room`.
    pub fn standing(&self, room: &Room, name: &str) -> Standing {
        if room.is_creator(name) || self.is_admin(name) {
            Standing::Owner
        } else if room.order.is_moderator(name) {
            Standing::Moderator
        } else {
            Standing::Member
        }
    }

    /// The standing of the user `id` in `room`.
    pub fn standing_of(&self, room: &Room, id: ClientId) -> Standing {
        self.user(id).map_or(Standing::Member, |user| self.standing(room, &user.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_room_keeps_a_bounded_number_of_names_and_ended_mutes_free_theirs() {
        let mut order = RoomOrder::default();
        order.apply(ModAction::Mute { until: 1_000 }, "early");
        for i in 0..MAX_ORDER_NAMES - 1 {
            order.apply(ModAction::Ban, &format!("n{i}"));
        }
        assert!(!order.has_room_for(ModAction::Ban, "one-more", 500), "full while the mute lasts");
        assert!(order.has_room_for(ModAction::Ban, "n7", 500), "banning again adds nothing");
        assert!(order.has_room_for(ModAction::Unban, "n7", 500), "lifting always works");
        assert!(order.has_room_for(ModAction::Ban, "one-more", 2_000), "the ended mute no longer counts");
        assert_eq!(order.muted_until("early", 500), None, "ended mutes are gone");
    }
}
