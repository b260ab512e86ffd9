//! Failed-login throttling, per account and per client address, so passwords cannot be
//! guessed at the speed of the network. In memory, per process.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed logins allowed per key within [`LOGIN_WINDOW`].
pub const MAX_LOGIN_FAILURES: u32 = 10;
/// Window over which failures are counted.
pub const LOGIN_WINDOW: Duration = Duration::from_secs(300);
/// Keys tracked before expired ones are purged.
const MAX_TRACKED_KEYS: usize = 100_000;

/// Counts failures per key (`user:<name>`, `ip:<addr>`).
#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    /// Whether any of `keys` is over the limit right now.
    pub fn blocked(&self, keys: &[String]) -> bool {
        let now = Instant::now();
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter().any(|k| {
            map.get(k)
                .is_some_and(|(count, since)| now.duration_since(*since) < LOGIN_WINDOW && *count >= MAX_LOGIN_FAILURES)
        })
    }

    /// Records a failure for every key.
    pub fn failed(&self, keys: &[String]) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > MAX_TRACKED_KEYS {
            map.retain(|_, (_, since)| now.duration_since(*since) < LOGIN_WINDOW);
        }
        for key in keys {
            let entry = map.entry(key.clone()).or_insert((0, now));
            if now.duration_since(entry.1) >= LOGIN_WINDOW {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
    }

    /// Clears the account key after a successful login.
    pub fn succeeded(&self, account_key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(account_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_success_clears_the_account() {
        let throttle = LoginThrottle::default();
        let keys = vec!["user:ann".to_string(), "ip:1.2.3.4".to_string()];
        for _ in 0..MAX_LOGIN_FAILURES {
            assert!(!throttle.blocked(&keys));
            throttle.failed(&keys);
        }
        assert!(throttle.blocked(&keys));
        assert!(
            throttle.blocked(&["ip:1.2.3.4".to_string()]),
            "the address stays blocked"
        );
        throttle.succeeded("user:ann");
        assert!(!throttle.blocked(&["user:ann".to_string()]));
    }
}
