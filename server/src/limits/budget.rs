//! One client's budget of one kind: the shared [`TokenBucket`] decides every verdict, and a
//! shadow of its fill level (the moment it would be full again) lets the budget be carried
//! over to the client's next connection, compared with another one, and rebuilt with a
//! floor. Pure: the caller passes the time.

use std::time::{Duration, Instant};

use super::{RateLimit, TokenBucket, Verdict};

/// A token bucket that knows how full it is.
#[derive(Debug, Clone)]
pub struct Budget {
    bucket: TokenBucket,
    limit: RateLimit,
    /// When the bucket is full again if nothing more is taken. Every token taken moves it one
    /// refill interval later (from `now` if it was already full), which is the bucket's own
    /// arithmetic in another form.
    full_at: Instant,
}

impl Budget {
    /// A full budget.
    pub fn new(limit: RateLimit, now: Instant) -> Self {
        Budget { bucket: TokenBucket::new(limit, now), limit, full_at: now }
    }

    /// A budget holding `tokens` tokens (at most the burst) at `now`. Takes the difference one
    /// token at a time from a full bucket, so it costs as many steps as tokens are missing.
    pub fn with_tokens(limit: RateLimit, tokens: u32, now: Instant) -> Self {
        let mut budget = Budget::new(limit, now);
        for _ in tokens.min(limit.burst)..limit.burst {
            budget.take(now);
        }
        budget
    }

    /// Takes a token for one command if there is one.
    pub fn take(&mut self, now: Instant) -> Verdict {
        let verdict = self.bucket.take(now);
        if verdict == Verdict::Allowed {
            self.full_at = self.full_at.max(now) + self.interval();
        }
        verdict
    }

    /// The whole tokens there are at `now`.
    pub fn tokens(&self, now: Instant) -> u32 {
        let missing = self.full_at.saturating_duration_since(now).as_secs_f64() * self.limit.per_sec;
        // The shadow's float arithmetic may be a hair off the bucket's: round to the nearest
        // millionth of a token before flooring.
        let tokens = (self.limit.burst as f64 - missing).max(0.0);
        ((tokens * 1e6).round() / 1e6).floor() as u32
    }

    /// Whether the budget is full at `now`, so carrying it over would change nothing.
    pub fn is_full(&self, now: Instant) -> bool {
        self.full_at <= now
    }

    /// When the budget is full again if nothing more is taken; later means emptier.
    pub fn full_at(&self) -> Instant {
        self.full_at
    }

    /// Of two budgets with the same limit, the emptier one.
    pub fn emptier(self, other: Budget) -> Budget {
        if other.full_at > self.full_at { other } else { self }
    }

    /// This budget, or one with `floor` tokens if it has fewer at `now`.
    pub fn at_least(self, floor: u32, now: Instant) -> Budget {
        if self.tokens(now) >= floor { self } else { Budget::with_tokens(self.limit, floor, now) }
    }

    fn interval(&self) -> Duration {
        if self.limit.per_sec > 0.0 {
            Duration::from_secs_f64(1.0 / self.limit.per_sec)
        } else {
            Duration::from_secs(u32::MAX as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: RateLimit = RateLimit { burst: 4, per_sec: 2.0 };

    #[test]
    fn the_shadow_follows_the_bucket() {
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
        assert_eq!(half.clone().emptier(empty.clone()).tokens(now), 0);
        assert_eq!(empty.clone().emptier(half.clone()).tokens(now), 0);
        assert_eq!(empty.at_least(2, now).tokens(now), 2);
        let three = Budget::with_tokens(LIMIT, 3, now);
        assert_eq!(three.at_least(2, now).tokens(now), 3, "more than the floor stays");
    }
}
