//! What every handler shares: the pool, the room registry, the ticket signer, metrics.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use actix::Addr;
use actors::metrics::Metrics;
use actors::registry::RoomRegistry;

use crate::auth::TicketSigner;
use crate::config::Config;
use crate::db::Db;

/// Shared application state (wrapped in `web::Data`).
#[derive(Debug)]
pub struct AppState {
    /// Postgres pool.
    pub db: Db,
    /// Loaded rooms.
    pub registry: Addr<RoomRegistry>,
    /// Room ticket signer.
    pub tickets: TicketSigner,
    /// Counters and histograms.
    pub metrics: Arc<Metrics>,
    /// Configuration.
    pub config: Arc<Config>,
    /// Failed-login counters.
    pub login_throttle: crate::auth::throttle::LoginThrottle,
    /// Sign-ups per address and overall.
    pub signup_limits: crate::auth::throttle::SignupLimiter,
    /// Sign-ups hash one at a time, so sign-in always has a hashing thread of its own.
    pub signup_hashing: tokio::sync::Semaphore,
    /// Per-user limits on social writes.
    pub write_limits: crate::http::rate_limit::WriteLimiter,
    /// Argon2 hashing threads.
    pub passwords: crate::auth::password::PasswordPool,
    /// Finished clips (rows and videos).
    pub clips: Arc<crate::db::clips::PgClipStore>,
    /// Detector requests per client address (the detector is public).
    pub detect_limits: crate::auth::throttle::SignupLimiter,
    /// Detections run one at a time (each decodes a video on a blocking thread).
    pub detect_permits: tokio::sync::Semaphore,
    /// Avatar permissions, consent leases of running jobs, the consent key, extraction.
    pub cameo: crate::cameo::Cameo,
    next_session: AtomicU64,
}

/// Videos one client address may check per window (an hour).
pub const MAX_DETECTIONS_PER_ADDRESS: u32 = 60;

/// Hashing threads sign-ups may use at once (of `PASSWORD_THREADS`): the rest stay free for
/// sign-ins, so a wave of sign-ups cannot slow everyone's login (the audit measured 3.3 s).
pub const SIGNUP_HASHING_PERMITS: usize = 1;

impl AppState {
    /// Bundles the parts.
    pub fn new(
        db: Db,
        registry: Addr<RoomRegistry>,
        tickets: TicketSigner,
        metrics: Arc<Metrics>,
        config: Arc<Config>,
        clips: Arc<crate::db::clips::PgClipStore>,
        cameo: crate::cameo::Cameo,
    ) -> Self {
        let signups_per_address = config.signups_per_address;
        AppState {
            db,
            registry,
            tickets,
            metrics,
            config,
            login_throttle: Default::default(),
            signup_limits: crate::auth::throttle::SignupLimiter::new(signups_per_address),
            signup_hashing: tokio::sync::Semaphore::new(SIGNUP_HASHING_PERMITS),
            write_limits: Default::default(),
            passwords: crate::auth::password::PasswordPool::start(),
            clips,
            cameo,
            // The same fixed-window counter as sign-ups, with its own budget.
            detect_limits: crate::auth::throttle::SignupLimiter::new(MAX_DETECTIONS_PER_ADDRESS),
            detect_permits: tokio::sync::Semaphore::new(1),
            next_session: AtomicU64::new(1),
        }
    }

    /// A fresh connection id.
    pub fn next_session_id(&self) -> u64 {
        self.next_session.fetch_add(1, Ordering::Relaxed)
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
