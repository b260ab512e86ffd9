//! Failed-login throttling, per (account, client address) and per address, so passwords cannot
//! be guessed at the speed of the network and nobody can lock an account's owner out from
//! another address; and sign-up throttling per address and overall, so accounts cannot be
//! minted by the thousand. In memory, per process.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed logins allowed per key within [`LOGIN_WINDOW`].
pub const MAX_LOGIN_FAILURES: u32 = 10;
/// Window over which failures are counted.
pub const LOGIN_WINDOW: Duration = Duration::from_secs(300);
/// Keys tracked before expired ones are purged.
const MAX_TRACKED_KEYS: usize = 100_000;

/// Sign-ups one client address may make per [`SIGNUP_WINDOW`] (a household or an office
/// behind one address still fits; a script does not).
pub const MAX_SIGNUPS_PER_ADDRESS: u32 = 30;
/// Sign-ups the whole server takes per [`SIGNUP_WINDOW`].
pub const MAX_SIGNUPS_PER_WINDOW: u32 = 3_000;
/// Window sign-ups are counted over.
pub const SIGNUP_WINDOW: Duration = Duration::from_secs(3600);

/// The keys a failed login counts against: the account *from this address* (never the
/// account alone: that would let anyone lock its owner out) and the address.
pub fn login_keys(username: &str, address: &str) -> [String; 2] {
    [format!("user:{username}@{address}"), format!("ip:{address}")]
}

/// Counts sign-ups per address and overall in fixed windows.
#[derive(Debug)]
pub struct SignupLimiter {
    per_address: u32,
    windows: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Default for SignupLimiter {
    fn default() -> Self {
        Self::new(MAX_SIGNUPS_PER_ADDRESS)
    }
}

impl SignupLimiter {
    /// A limiter allowing `per_address` sign-ups per address per window.
    pub fn new(per_address: u32) -> Self {
        SignupLimiter {
            per_address,
            windows: Mutex::default(),
        }
    }

    /// Counts one sign-up from `address`; `Err(seconds until the window ends)` when full.
    pub fn admit(&self, address: &str) -> Result<(), u64> {
        self.admit_at(address, Instant::now())
    }

    fn admit_at(&self, address: &str, now: Instant) -> Result<(), u64> {
        let mut map = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > MAX_TRACKED_KEYS {
            map.retain(|_, (_, since)| now.duration_since(*since) < SIGNUP_WINDOW);
        }
        let mut retry_after = None;
        for (key, max) in [
            ("*".to_string(), MAX_SIGNUPS_PER_WINDOW),
            (address.to_string(), self.per_address),
        ] {
            let (count, since) = map.entry(key).or_insert((0, now));
            if now.duration_since(*since) >= SIGNUP_WINDOW {
                (*count, *since) = (0, now);
            }
            if *count >= max {
                let left = SIGNUP_WINDOW.saturating_sub(now.duration_since(*since));
                retry_after = Some(left.as_secs().max(1));
            }
        }
        if let Some(seconds) = retry_after {
            return Err(seconds);
        }
        for key in ["*", address] {
            if let Some((count, _)) = map.get_mut(key) {
                *count += 1;
            }
        }
        Ok(())
    }
}

/// Counts failures per key (`user:<name>@<addr>`, `ip:<addr>`).
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
    fn sign_ups_are_limited_per_address_and_the_window_reopens() {
        let limiter = SignupLimiter::new(3);
        let now = Instant::now();
        for _ in 0..3 {
            assert!(limiter.admit_at("10.0.0.1", now).is_ok());
        }
        assert!(limiter.admit_at("10.0.0.1", now).is_err());
        assert!(
            limiter.admit_at("10.0.0.2", now).is_ok(),
            "other addresses are not affected"
        );
        assert!(limiter.admit_at("10.0.0.1", now + SIGNUP_WINDOW).is_ok());
    }

    #[test]
    fn another_address_cannot_lock_the_owner_out() {
        let throttle = LoginThrottle::default();
        let attacker = login_keys("ann", "10.0.0.66");
        for _ in 0..MAX_LOGIN_FAILURES {
            throttle.failed(&attacker);
        }
        assert!(throttle.blocked(&attacker));
        assert!(!throttle.blocked(&login_keys("ann", "10.0.0.1")));
    }

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
