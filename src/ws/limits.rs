//! Per-connection inbound rate limits (token buckets on messages and bytes).

use std::time::Instant;

/// Sustained messages per second per connection.
pub const MAX_MESSAGES_PER_SECOND: f64 = 200.0;
/// Messages a connection may burst above the sustained rate.
pub const MESSAGE_BURST: f64 = 400.0;
/// Sustained bytes per second per connection.
pub const MAX_BYTES_PER_SECOND: f64 = 2.0 * 1024.0 * 1024.0;
/// Bytes a connection may burst (covers a first sync of a large offline document).
pub const BYTE_BURST: f64 = 32.0 * 1024.0 * 1024.0;

/// A token bucket on messages and one on bytes.
#[derive(Debug)]
pub struct RateLimiter {
    messages: f64,
    bytes: f64,
    last: Instant,
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter {
            messages: MESSAGE_BURST,
            bytes: BYTE_BURST,
            last: Instant::now(),
        }
    }
}

impl RateLimiter {
    /// Takes one message of `len` bytes; `false` means over the limit.
    pub fn allow(&mut self, len: usize, now: Instant) -> bool {
        let elapsed = now.duration_since(self.last).as_secs_f64();
        self.last = now;
        self.messages = (self.messages + elapsed * MAX_MESSAGES_PER_SECOND).min(MESSAGE_BURST);
        self.bytes = (self.bytes + elapsed * MAX_BYTES_PER_SECOND).min(BYTE_BURST);
        self.messages -= 1.0;
        self.bytes -= len as f64;
        self.messages >= 0.0 && self.bytes >= 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bursts_then_refuses_then_refills() {
        let start = Instant::now();
        let mut limiter = RateLimiter::default();
        let allowed = (0..1000).filter(|_| limiter.allow(10, start)).count();
        assert_eq!(allowed, MESSAGE_BURST as usize);
        assert!(limiter.allow(10, start + Duration::from_secs(5)));
    }
}
