//! Budgets that outlive a connection, so reconnecting is no way around them.
//!
//! Every command a client sends costs a token from one of three budgets: the message budget
//! (messages, direct messages, joins, leaves, renames: the rate the Welcome announces), the
//! board budget (operations on a room's whiteboard) or the request budget (lists, history,
//! passwords and frames the server could not decode). When a
//! session ends, its budgets are kept under the user's folded name and under the client's
//! address; a new session starts from the emptier of the two it finds (or full ones), with one
//! exception for the message budget, see [`Budgets::resume`]. Logins are budgeted per address.
//!
//! Only budgets that are not full again are worth keeping: the maps drop full ones, and stay
//! under [`MAX_KEPT`] entries by dropping those closest to full.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use anseo_shared::protocol::fold_name;

use super::{Budget, RateLimit, Verdict};

/// Budgets kept per name or address, and login budgets per address, at most.
pub const MAX_KEPT: usize = 16 * 1024;

/// The limits of each budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BudgetLimits {
    /// Messages, direct messages, joins, leaves and renames: the rate the Welcome announces.
    pub messages: RateLimit,
    /// Lists, history, passwords and undecodable frames.
    pub requests: RateLimit,
    /// Operations on whiteboards.
    pub board: RateLimit,
    /// Logins from one address.
    pub logins: RateLimit,
}

/// Which budget a command is paid from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Messages,
    Requests,
    Board,
}

/// The budgets of one session.
#[derive(Debug, Clone)]
pub struct SessionBudgets {
    pub messages: Budget,
    pub requests: Budget,
    pub board: Budget,
}

/// Whose budgets are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// A user name, folded.
    Name(String),
    Address(IpAddr),
}

/// The budgets kept between connections, and the login budgets.
#[derive(Debug)]
pub struct Budgets {
    limits: BudgetLimits,
    kept: HashMap<Key, SessionBudgets>,
    logins: HashMap<IpAddr, Budget>,
}

impl SessionBudgets {
    fn full(limits: &BudgetLimits, now: Instant) -> Self {
        SessionBudgets {
            messages: Budget::new(limits.messages, now),
            requests: Budget::new(limits.requests, now),
            board: Budget::new(limits.board, now),
        }
    }

    /// The budget `kind` is paid from.
    pub fn get_mut(&mut self, kind: Kind) -> &mut Budget {
        match kind {
            Kind::Messages => &mut self.messages,
            Kind::Requests => &mut self.requests,
            Kind::Board => &mut self.board,
        }
    }

    /// Each budget the emptier of the two.
    fn emptier(self, other: SessionBudgets, now: Instant) -> SessionBudgets {
        SessionBudgets {
            messages: self.messages.emptier(other.messages, now),
            requests: self.requests.emptier(other.requests, now),
            board: self.board.emptier(other.board, now),
        }
    }

    fn is_full(&self, now: Instant) -> bool {
        self.messages.is_full(now) && self.requests.is_full(now) && self.board.is_full(now)
    }

    fn full_at(&self, now: Instant) -> Instant {
        self.messages.full_at(now).max(self.requests.full_at(now)).max(self.board.full_at(now))
    }
}

impl Budgets {
    pub fn new(limits: BudgetLimits) -> Self {
        Budgets { limits, kept: HashMap::new(), logins: HashMap::new() }
    }

    pub fn limits(&self) -> BudgetLimits {
        self.limits
    }

    /// The budgets a new session of `name` from `address` starts with: for each kind, the
    /// emptier of those kept under the name and under the address, or a full one.
    ///
    /// The message budget starts with at least half its burst (rounded down), though. A
    /// resuming client re-sends what was not confirmed and rejoins its rooms at once, pacing
    /// itself as if the new connection's budget were full: half the burst lets that through
    /// (whatever is refused for speed, it sends again), while a flooder gains at most half a
    /// burst per reconnect, and logins are budgeted too.
    pub fn resume(&self, name: &str, address: IpAddr, now: Instant) -> SessionBudgets {
        let kept = [Key::Name(fold_name(name)), Key::Address(address)]
            .iter()
            .filter_map(|key| self.kept.get(key).cloned())
            .reduce(|a, b| a.emptier(b, now));
        let mut budgets = kept.unwrap_or_else(|| SessionBudgets::full(&self.limits, now));
        budgets.messages = budgets.messages.at_least(self.limits.messages.burst / 2, now);
        budgets
    }

    /// Keeps a finished session's budgets under `name` and `address` (each the emptier of
    /// these and any kept there already), unless they are full.
    pub fn keep(&mut self, name: &str, address: IpAddr, budgets: &SessionBudgets, now: Instant) {
        if budgets.is_full(now) {
            return;
        }
        make_room(&mut self.kept, now, |budgets| budgets.full_at(now));
        for key in [Key::Name(fold_name(name)), Key::Address(address)] {
            let merged = match self.kept.remove(&key) {
                Some(earlier) => earlier.emptier(budgets.clone(), now),
                None => budgets.clone(),
            };
            self.kept.insert(key, merged);
        }
    }

    /// Counts a login from `address`; `Err` says when the next one will be allowed.
    pub fn login(&mut self, address: IpAddr, now: Instant) -> Result<(), Duration> {
        make_room(&mut self.logins, now, |budget| budget.full_at(now));
        let limit = self.limits.logins;
        let budget = self.logins.entry(address).or_insert_with(|| Budget::new(limit, now));
        match budget.take(now) {
            Verdict::Allowed => Ok(()),
            Verdict::Limited { retry_after, .. } => Err(retry_after),
        }
    }

    /// Entries kept, for tests.
    #[cfg(test)]
    fn kept_len(&self) -> usize {
        self.kept.len()
    }
}

/// Drops the entries that are full again at `now`; if the map is still at [`MAX_KEPT`] (or
/// over), also the eighth closest to full.
fn make_room<K: Eq + Hash, V>(map: &mut HashMap<K, V>, now: Instant, full_at: impl Fn(&V) -> Instant) {
    if map.len() < MAX_KEPT {
        return;
    }
    map.retain(|_, value| full_at(value) > now);
    if map.len() < MAX_KEPT {
        return;
    }
    let mut times: Vec<Instant> = map.values().map(&full_at).collect();
    let drop = MAX_KEPT / 8;
    let (_, threshold, _) = times.select_nth_unstable(drop);
    let threshold = *threshold;
    map.retain(|_, value| full_at(value) > threshold);
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    const LIMITS: BudgetLimits = BudgetLimits {
        messages: RateLimit { burst: 10, per_sec: 1.0 },
        requests: RateLimit { burst: 6, per_sec: 2.0 },
        logins: RateLimit { burst: 3, per_sec: 0.05 },
        board: RateLimit { burst: 4, per_sec: 2.0 },
    };
    const HOME: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
    const AWAY: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));

    fn spend(budget: &mut Budget, n: u32, now: Instant) {
        for _ in 0..n {
            assert_eq!(budget.take(now), Verdict::Allowed);
        }
    }

    #[test]
    fn a_new_name_from_a_new_address_starts_full() {
        let now = Instant::now();
        let budgets = Budgets::new(LIMITS).resume("ann", HOME, now);
        assert_eq!(budgets.messages.tokens(now), 10);
        assert_eq!(budgets.requests.tokens(now), 6);
    }

    #[test]
    fn requests_carry_over_by_name_and_by_address() {
        let now = Instant::now();
        let mut map = Budgets::new(LIMITS);
        let mut session = map.resume("Ann", HOME, now);
        spend(&mut session.requests, 6, now);
        map.keep("Ann", HOME, &session, now);
        assert_eq!(map.resume("ann", AWAY, now).requests.tokens(now), 0, "same name, folded");
        assert_eq!(map.resume("bob", HOME, now).requests.tokens(now), 0, "same address");
        assert_eq!(map.resume("bob", AWAY, now).requests.tokens(now), 6, "someone else");
        // The carried budget refills as it would have.
        let later = now + Duration::from_secs(1);
        assert_eq!(map.resume("ann", AWAY, later).requests.tokens(later), 2);
    }

    #[test]
    fn messages_carry_over_but_never_below_half_the_burst() {
        let now = Instant::now();
        let mut map = Budgets::new(LIMITS);
        let mut session = map.resume("ann", HOME, now);
        spend(&mut session.messages, 10, now);
        map.keep("ann", HOME, &session, now);
        assert_eq!(map.resume("ann", HOME, now).messages.tokens(now), 5, "the floor");
        let later = now + Duration::from_secs(7);
        assert_eq!(map.resume("ann", HOME, later).messages.tokens(later), 7, "refilled above the floor");
    }

    #[test]
    fn the_emptier_budget_is_kept_and_full_ones_are_not() {
        let now = Instant::now();
        let mut map = Budgets::new(LIMITS);
        let mut first = map.resume("ann", HOME, now);
        spend(&mut first.requests, 5, now);
        map.keep("ann", HOME, &first, now);
        let mut second = Budgets::new(LIMITS).resume("bob", HOME, now);
        spend(&mut second.requests, 2, now);
        map.keep("bob", HOME, &second, now);
        assert_eq!(map.resume("carl", HOME, now).requests.tokens(now), 1, "the address keeps the emptier");
        assert_eq!(map.resume("bob", AWAY, now).requests.tokens(now), 4);
        let untouched = Budgets::new(LIMITS).resume("dan", AWAY, now);
        map.keep("dan", AWAY, &untouched, now);
        assert_eq!(map.kept_len(), 3, "a full budget is not kept");
    }

    #[test]
    fn the_map_stays_bounded() {
        let now = Instant::now();
        let mut map = Budgets::new(LIMITS);
        let mut session = map.resume("x", HOME, now);
        spend(&mut session.requests, 1, now);
        for n in 0..(MAX_KEPT as u32) {
            let address = IpAddr::V4(Ipv4Addr::from(n));
            map.keep(&format!("user{n}"), address, &session, now + Duration::from_micros(n.into()));
        }
        assert!(map.kept_len() <= MAX_KEPT + 1, "{}", map.kept_len());
    }

    #[test]
    fn making_room_drops_full_budgets_first_then_those_closest_to_full() {
        let now = Instant::now();
        let mut map: HashMap<u32, Instant> =
            (0..MAX_KEPT as u32).map(|n| (n, now + Duration::from_millis(n.into()))).collect();
        make_room(&mut map, now + Duration::from_millis(100), |t| *t);
        assert_eq!(map.len(), MAX_KEPT - 101, "the full ones went");
        map.extend((0..101).map(|n| (MAX_KEPT as u32 + n, now + Duration::from_secs(3600))));
        make_room(&mut map, now, |t| *t);
        assert!(map.len() < MAX_KEPT * 7 / 8 + 2, "{}", map.len());
        assert!(map.contains_key(&(MAX_KEPT as u32)), "the emptiest stay");
        make_room(&mut map, now, |t| *t);
        assert!(map.len() < MAX_KEPT, "below the bound nothing goes");
    }

    #[test]
    fn logins_per_address_are_budgeted() {
        let now = Instant::now();
        let mut map = Budgets::new(LIMITS);
        for _ in 0..3 {
            assert_eq!(map.login(HOME, now), Ok(()));
        }
        assert_eq!(map.login(HOME, now), Err(Duration::from_secs(20)));
        assert_eq!(map.login(AWAY, now), Ok(()), "another address has its own");
        assert_eq!(map.login(HOME, now + Duration::from_secs(20)), Ok(()));
    }
}
