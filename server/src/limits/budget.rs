//! One client's budget of one kind: a [`TokenBucket`] that can be carried over to the client's
//! next connection, compared with another one, and rebuilt with a floor. Pure: the caller
//! passes the time.

use std::time::Instant;

use super::{RateLimit, TokenBucket, Verdict};

/// A token bucket, with what carrying it over needs.
#[derive(Debug, Clone)]
pub struct Budget {
    bucket: TokenBucket,
}

impl Budget {
    /// A full budget.
    pub fn new(limit: RateLimit, now: Instant) -> Self {
        Budget { bucket: TokenBucket::new(limit, now) }
    }

    /// A budget holding `tokens` tokens (at most the burst) at `now`.
    pub fn with_tokens(limit: RateLimit, tokens: u32, now: Instant) -> Self {
        Budget { bucket: TokenBucket::with_tokens(limit, f64::from(tokens), now) }
    }

    /// Takes a token for one command if there is one.
    pub fn take(&mut self, now: Instant) -> Verdict {
        self.bucket.take(now)
    }

    /// The whole tokens there are at `now`.
    pub fn tokens(&self, now: Instant) -> u32 {
        // Float arithmetic may leave a token a hair short: round to a millionth first.
        ((self.bucket.tokens(now) * 1e6).round() / 1e6).floor() as u32
    }

    /// Whether the budget is full at `now`, so carrying it over would change nothing.
    pub fn is_full(&self, now: Instant) -> bool {
        self.bucket.is_full(now)
    }

    /// When the budget is full again if nothing more is taken; later means emptier.
    pub fn full_at(&self, now: Instant) -> Instant {
        self.bucket.full_at(now)
    }

    /// Of two budgets with the same limit, the emptier one at `now`.
    pub fn emptier(self, other: Budget, now: Instant) -> Budget {
        if other.full_at(now) > self.full_at(now) { other } else { self }
    }

    /// This budget, or one with `floor` tokens if it has fewer at `now`.
    pub fn at_least(self, floor: u32, now: Instant) -> Budget {
        if self.tokens(now) >= floor { self } else { Budget::with_tokens(self.bucket.limit(), floor, now) }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const LIMIT: RateLimit = RateLimit { burst: 4, per_sec: 2.0 };

    #[test]
    fn the_fill_level_follows_the_bucket() {
        let start = Instant::now();
        let mut budget = Budget::new(LIMIT, start);
        assert_eq!(budget.tokens(start), 4);
        assert!(budget.is_full(start));
        for left in (0..4).rev() {
            assert_eq!(budget.take(start), Verdict::Allowed);
            assert_eq!(budget.tokens(start), left);
        }
        assert!(matches!(budget.take(start), Verdict::Limited { .. }));
        assert_eq!(budget.tokens(start), 0, "a refusal takes nothing");
        let later = start + Duration::from_millis(1500);
        assert_eq!(budget.tokens(later), 3);
        assert_eq!(budget.take(later), Verdict::Allowed);
        assert_eq!(budget.tokens(later), 2);
        assert!(budget.is_full(later + Duration::from_secs(1)));
        assert_eq!(budget.tokens(later + Duration::from_secs(60)), 4, "capped at the burst");
    }

    #[test]
    fn a_budget_built_with_tokens_has_exactly_those() {
        let now = Instant::now();
        let mut budget = Budget::with_tokens(LIMIT, 2, now);
        assert_eq!(budget.tokens(now), 2);
        assert_eq!(budget.take(now), Verdict::Allowed);
        assert_eq!(budget.take(now), Verdict::Allowed);
        assert!(matches!(budget.take(now), Verdict::Limited { refused_in_a_row: 1, .. }));
        assert_eq!(Budget::with_tokens(LIMIT, 99, now).tokens(now), 4);
    }

    #[test]
    fn the_emptier_budget_wins_and_a_floor_tops_up() {
        let now = Instant::now();
        let empty = Budget::with_tokens(LIMIT, 0, now);
        let half = Budget::with_tokens(LIMIT, 2, now);
        assert_eq!(half.clone().emptier(empty.clone(), now).tokens(now), 0);
        assert_eq!(empty.clone().emptier(half.clone(), now).tokens(now), 0);
        assert_eq!(empty.at_least(2, now).tokens(now), 2);
        let three = Budget::with_tokens(LIMIT, 3, now);
        assert_eq!(three.at_least(2, now).tokens(now), 3, "more than the floor stays");
    }
}
