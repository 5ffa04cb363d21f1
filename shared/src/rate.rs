//! A token bucket: `burst` messages at once, refilled at `per_sec` messages a second. The
//! server keeps one per client; the client core keeps a mirror of it to pace its sends. Pure:
//! the caller passes the time, so tests need no clock.

use std::time::Duration;

use web_time::Instant;

/// How fast one client may send.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Messages a client may send at once after being quiet.
    pub burst: u32,
    /// Messages per second refilled.
    pub per_sec: f64,
}

/// One client's bucket.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    limit: RateLimit,
    tokens: f64,
    refilled_at: Instant,
    /// Refusals since the last accepted message, to spot sustained abuse.
    refused_in_a_row: u32,
}

/// The answer for one message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    Allowed,
    /// Refused; a token will be there after this long.
    Limited {
        retry_after: Duration,
        refused_in_a_row: u32,
    },
}

impl RateLimit {
    /// The rate a server announces, as a bucket's limit.
    pub fn from_send_rate(rate: crate::protocol::SendRate) -> Self {
        RateLimit { burst: rate.burst, per_sec: 1_000_000.0 / rate.micros_per_send.max(1) as f64 }
    }

    /// The rate as the server announces it.
    pub fn to_send_rate(self) -> crate::protocol::SendRate {
        let micros = if self.per_sec > 0.0 { (1_000_000.0 / self.per_sec).ceil() as u64 } else { u64::MAX };
        crate::protocol::SendRate { burst: self.burst, micros_per_send: micros.max(1) }
    }
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(limit: RateLimit, now: Instant) -> Self {
        TokenBucket { limit, tokens: limit.burst as f64, refilled_at: now, refused_in_a_row: 0 }
    }

    /// A bucket holding `tokens` (at most the burst) at `now`.
    pub fn with_tokens(limit: RateLimit, tokens: f64, now: Instant) -> Self {
        let tokens = tokens.clamp(0.0, limit.burst as f64);
        TokenBucket { limit, tokens, refilled_at: now, refused_in_a_row: 0 }
    }

    /// The limit this bucket refills by.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// The tokens there are at `now` (a fraction while the next one refills).
    pub fn tokens(&self, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(self.refilled_at).as_secs_f64();
        (self.tokens + elapsed * self.limit.per_sec).min(self.limit.burst as f64)
    }

    /// When the bucket is full again if nothing more is taken (`now` if it is full).
    pub fn full_at(&self, now: Instant) -> Instant {
        let missing = self.limit.burst as f64 - self.tokens(now);
        if missing <= 0.0 || self.limit.per_sec <= 0.0 {
            return now;
        }
        now + Duration::from_secs_f64(missing / self.limit.per_sec)
    }

    /// When a token will be there (`now` if there is one already), without taking it.
    pub fn ready_at(&self, now: Instant) -> Instant {
        let tokens = self.tokens(now);
        if tokens >= 1.0 || self.limit.per_sec <= 0.0 {
            return now;
        }
        now + Duration::from_secs_f64((1.0 - tokens) / self.limit.per_sec)
    }

    /// Empties the bucket: the next token comes one refill interval after `now`. For a client
    /// that was refused: the server's bucket is empty, so the mirror must be too.
    pub fn drain(&mut self, now: Instant) {
        self.tokens = 0.0;
        self.refilled_at = now;
    }

    /// Whether the bucket would be full at `now` (its client has been quiet long enough).
    pub fn is_full(&self, now: Instant) -> bool {
        self.tokens(now) >= self.limit.burst as f64
    }

    /// Takes a token for one message if there is one.
    pub fn take(&mut self, now: Instant) -> Verdict {
        self.tokens = self.tokens(now);
        self.refilled_at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            self.refused_in_a_row = 0;
            return Verdict::Allowed;
        }
        self.refused_in_a_row += 1;
        let missing = 1.0 - self.tokens;
        let retry_after = if self.limit.per_sec > 0.0 {
            Duration::from_secs_f64(missing / self.limit.per_sec)
        } else {
            Duration::MAX
        };
        Verdict::Limited { retry_after, refused_in_a_row: self.refused_in_a_row }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: RateLimit = RateLimit { burst: 3, per_sec: 2.0 };

    #[test]
    fn burst_then_refusal_with_retry_time() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(LIMIT, start);
        for _ in 0..3 {
            assert_eq!(bucket.take(start), Verdict::Allowed);
        }
        assert_eq!(
            bucket.take(start),
            Verdict::Limited { retry_after: Duration::from_millis(500), refused_in_a_row: 1 }
        );
        assert!(matches!(bucket.take(start), Verdict::Limited { refused_in_a_row: 2, .. }));
    }

    #[test]
    fn refills_at_the_rate_and_caps_at_the_burst() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(LIMIT, start);
        for _ in 0..3 {
            bucket.take(start);
        }
        let later = start + Duration::from_millis(500);
        assert_eq!(bucket.take(later), Verdict::Allowed);
        assert!(matches!(bucket.take(later), Verdict::Limited { .. }));
        // A long pause refills only up to the burst.
        let much_later = later + Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(bucket.take(much_later), Verdict::Allowed);
        }
        assert!(matches!(bucket.take(much_later), Verdict::Limited { .. }));
    }

    #[test]
    fn ready_at_says_when_the_next_token_comes_and_drain_empties() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(LIMIT, start);
        assert_eq!(bucket.ready_at(start), start);
        for _ in 0..3 {
            bucket.take(start);
        }
        assert_eq!(bucket.ready_at(start), start + Duration::from_millis(500));
        let later = start + Duration::from_secs(10);
        assert_eq!(bucket.ready_at(later), later, "refilled meanwhile");
        bucket.drain(later);
        assert_eq!(bucket.ready_at(later), later + Duration::from_millis(500));
        assert!(matches!(bucket.take(later), Verdict::Limited { .. }));
    }

    #[test]
    fn a_bucket_knows_its_fill_level_and_when_it_is_full_again() {
        let start = Instant::now();
        let mut bucket = TokenBucket::with_tokens(LIMIT, 1.0, start);
        assert_eq!(bucket.tokens(start), 1.0);
        assert_eq!(bucket.full_at(start), start + Duration::from_secs(1));
        assert!(!bucket.is_full(start));
        assert_eq!(bucket.take(start), Verdict::Allowed);
        assert_eq!(bucket.full_at(start), start + Duration::from_millis(1500));
        assert!(bucket.is_full(start + Duration::from_millis(1500)));
        assert_eq!(TokenBucket::with_tokens(LIMIT, 99.0, start).tokens(start), 3.0, "capped at the burst");
    }

    #[test]
    fn the_announced_rate_round_trips() {
        let limit = RateLimit { burst: 50, per_sec: 10.0 };
        let announced = limit.to_send_rate();
        assert_eq!(announced, crate::protocol::SendRate { burst: 50, micros_per_send: 100_000 });
        assert_eq!(RateLimit::from_send_rate(announced), limit);
    }

    #[test]
    fn an_allowed_message_resets_the_refusal_count() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(RateLimit { burst: 1, per_sec: 1.0 }, start);
        bucket.take(start);
        assert!(matches!(bucket.take(start), Verdict::Limited { refused_in_a_row: 1, .. }));
        assert_eq!(bucket.take(start + Duration::from_secs(1)), Verdict::Allowed);
        assert!(matches!(
            bucket.take(start + Duration::from_secs(1)),
            Verdict::Limited { refused_in_a_row: 1, .. }
        ));
    }
}
