//! Per-user limits on social writes (posting, commenting, liking, following, views, remixes,
//! deletions), so one account cannot flood feeds or notifications. Fixed one-minute windows, in
//! memory, per process; over the limit a request gets 429 `rate_limited` with `Retry-After`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use protocol::ErrorCode;
use uuid::Uuid;

use super::error::ApiError;

/// Posts (drafts made public) per user per window.
pub const MAX_POSTS_PER_WINDOW: u32 = 10;
/// Comments per user per window.
pub const MAX_COMMENTS_PER_WINDOW: u32 = 20;
/// Likes and unlikes per user per window.
pub const MAX_LIKES_PER_WINDOW: u32 = 120;
/// Follows and unfollows per user per window.
pub const MAX_FOLLOWS_PER_WINDOW: u32 = 60;
/// Recorded views per user per window (a fast scroller sees a post a second).
pub const MAX_VIEWS_PER_WINDOW: u32 = 240;
/// Remix rooms created per user per window.
pub const MAX_REMIXES_PER_WINDOW: u32 = 10;
/// Post and comment deletions per user per window.
pub const MAX_DELETES_PER_WINDOW: u32 = 60;
/// Avatar challenges + uploads per user per window (extraction is CPU-heavy).
pub const MAX_ENROLMENTS_PER_WINDOW: u32 = 6;
/// Reports per user per window.
pub const MAX_REPORTS_PER_WINDOW: u32 = 20;
/// Avatar permission changes, revocations and removals per user per window.
pub const MAX_CONSENT_CHANGES_PER_WINDOW: u32 = 60;
/// The window every limit counts over.
pub const WRITE_WINDOW: Duration = Duration::from_secs(60);
/// Counters kept before expired ones are purged.
const MAX_TRACKED_COUNTERS: usize = 100_000;

/// A kind of social write, each with its own limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SocialWrite {
    Post,
    Comment,
    Like,
    Follow,
    View,
    Remix,
    Delete,
    Enrol,
    Report,
    Consent,
}

impl SocialWrite {
    /// Allowed per [`WRITE_WINDOW`], and what the error calls it.
    fn limit(self) -> (u32, &'static str) {
        match self {
            SocialWrite::Post => (MAX_POSTS_PER_WINDOW, "posts"),
            SocialWrite::Comment => (MAX_COMMENTS_PER_WINDOW, "comments"),
            SocialWrite::Like => (MAX_LIKES_PER_WINDOW, "likes"),
            SocialWrite::Follow => (MAX_FOLLOWS_PER_WINDOW, "follows"),
            SocialWrite::View => (MAX_VIEWS_PER_WINDOW, "views"),
            SocialWrite::Remix => (MAX_REMIXES_PER_WINDOW, "remixes"),
            SocialWrite::Delete => (MAX_DELETES_PER_WINDOW, "deletions"),
            SocialWrite::Enrol => (MAX_ENROLMENTS_PER_WINDOW, "avatar recordings"),
            SocialWrite::Report => (MAX_REPORTS_PER_WINDOW, "reports"),
            SocialWrite::Consent => (MAX_CONSENT_CHANGES_PER_WINDOW, "avatar permission changes"),
        }
    }
}

/// Counts each user's writes of each kind in the current window.
#[derive(Debug, Default)]
pub struct WriteLimiter {
    windows: Mutex<HashMap<(Uuid, SocialWrite), (u32, Instant)>>,
}

impl WriteLimiter {
    /// Counts one `kind` write by `user`, or refuses it (429) when the window is full.
    pub fn admit(&self, user: Uuid, kind: SocialWrite) -> Result<(), ApiError> {
        self.admit_at(user, kind, Instant::now())
    }

    fn admit_at(&self, user: Uuid, kind: SocialWrite, now: Instant) -> Result<(), ApiError> {
        let (max, what) = kind.limit();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > MAX_TRACKED_COUNTERS {
            windows.retain(|_, (_, start)| now.duration_since(*start) < WRITE_WINDOW);
        }
        let (count, start) = windows.entry((user, kind)).or_insert((0, now));
        if now.duration_since(*start) >= WRITE_WINDOW {
            (*count, *start) = (0, now);
        }
        if *count >= max {
            let retry = WRITE_WINDOW.saturating_sub(now.duration_since(*start)).as_secs().max(1);
            return Err(ApiError::new(
                ErrorCode::RateLimited,
                format!("too many {what}: at most {max} a minute; try again in {retry} s"),
            )
            .retry_after(retry));
        }
        *count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_user_and_kind_has_its_own_window() {
        let limiter = WriteLimiter::default();
        let (ann, bob) = (Uuid::new_v4(), Uuid::new_v4());
        let t0 = Instant::now();
        for _ in 0..MAX_COMMENTS_PER_WINDOW {
            limiter
                .admit_at(ann, SocialWrite::Comment, t0)
                .expect("under the limit");
        }
        let refused = limiter
            .admit_at(ann, SocialWrite::Comment, t0 + Duration::from_secs(15))
            .expect_err("over the limit");
        assert_eq!(refused.code, ErrorCode::RateLimited);
        assert_eq!(refused.retry_after_s, Some(45));
        assert!(refused.message.contains("comments"), "{}", refused.message);
        limiter.admit_at(ann, SocialWrite::Like, t0).expect("likes count apart");
        limiter
            .admit_at(bob, SocialWrite::Comment, t0)
            .expect("bob counts apart");
        limiter
            .admit_at(ann, SocialWrite::Comment, t0 + WRITE_WINDOW)
            .expect("a new window");
    }
}
