//! Server configuration, read once from the environment (see README "Configuration").

use std::path::PathBuf;
use std::time::Duration;

/// Everything the server can be told at start.
#[derive(Debug, Clone)]
pub struct Config {
    /// `REELROOM_BIND`: address to listen on (port 0 picks a free one).
    pub bind: String,
    /// `REELROOM_DATA_DIR`: private Postgres cluster, ticket key, media.
    pub data_dir: PathBuf,
    /// `DATABASE_URL`: use this Postgres instead of the private cluster.
    pub database_url: Option<String>,
    /// `REELROOM_FRONTEND_DIR`: the built web app.
    pub frontend_dir: PathBuf,
    /// `REELROOM_ALLOWED_ORIGINS`: comma-separated; empty means same-origin only.
    pub allowed_origins: Vec<String>,
    /// `REELROOM_SECRET`: ticket signing key; generated into the data dir when unset.
    pub secret: Option<String>,
    /// `REELROOM_ROOM_IDLE_GRACE_MS`: how long an empty room stays loaded.
    pub room_idle_grace: Duration,
    /// `REELROOM_COMPACT_EVERY`: compact a room's log after this many updates.
    pub compact_every: usize,
    /// `REELROOM_WORKERS`: HTTP worker threads (and room arbiters).
    pub workers: usize,
    /// `REELROOM_SECURE_COOKIES`: mark the session cookie `Secure` (behind HTTPS). Defaults
    /// to on unless the server binds a loopback address (local development over plain HTTP).
    pub secure_cookies: bool,
    /// `REELROOM_TRUSTED_PROXIES`: comma-separated proxy addresses whose `X-Forwarded-For`
    /// names the client (for per-address limits); from anyone else the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `REELROOM_METRICS_TOKEN`: when set, `/metrics` needs `Authorization: Bearer <token>`;
    /// unset, it answers loopback peers only.
    pub metrics_token: Option<String>,
    /// `REELROOM_SIGNUPS_PER_ADDRESS`: sign-ups per client address per hour.
    pub signups_per_address: u32,
    /// `REELROOM_MODEL_DIR`: one model's folder (`model.safetensors`, v1 or v2); `None` runs
    /// the shipped pair, each prompt on the model that reads it.
    pub model_dir: Option<PathBuf>,
    /// Generation worker threads, each owning a model (0 disables generation).
    pub generation_workers: usize,
    /// `REELROOM_FACE_MODELS`: the dlib face models for avatar extraction (`make face-models`).
    pub face_models: PathBuf,
    /// The live preview's WebRTC settings; `None` turns it off.
    pub media: Option<actors::media::MediaConfig>,
}

/// `REELROOM_ICE_SERVERS` (comma-separated `stun:`/`turn:` URLs; TURN credentials from
/// `REELROOM_TURN_USERNAME` / `REELROOM_TURN_CREDENTIAL`).
fn ice_servers() -> Result<Vec<actors::media::IceServer>, String> {
    let Some(list) = env("REELROOM_ICE_SERVERS") else {
        return Ok(Vec::new());
    };
    let urls: Vec<String> = list
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(bad) = urls
        .iter()
        .find(|u| !["stun:", "stuns:", "turn:", "turns:"].iter().any(|p| u.starts_with(p)))
    {
        return Err(format!("REELROOM_ICE_SERVERS: {bad:?} is not a stun: or turn: URL"));
    }
    Ok(vec![actors::media::IceServer {
        urls,
        username: env("REELROOM_TURN_USERNAME").unwrap_or_default(),
        credential: env("REELROOM_TURN_CREDENTIAL").unwrap_or_default(),
    }])
}

fn media() -> Result<Option<actors::media::MediaConfig>, String> {
    if !env_parse("REELROOM_LIVE_PREVIEW", true)? {
        return Ok(None);
    }
    Ok(Some(actors::media::MediaConfig {
        mark: std::sync::Arc::new(media::NoMark),
        ice_servers: ice_servers()?,
        bind_ip: env_parse("REELROOM_MEDIA_IP", std::net::IpAddr::from([127, 0, 0, 1]))?,
        public_ips: env("REELROOM_MEDIA_PUBLIC_IPS")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
    }))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_parse<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match env(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| format!("{name}: cannot parse {v:?}")),
    }
}

/// Whether `bind` (default `127.0.0.1:8080`) is a loopback address.
fn binds_loopback(bind: Option<&str>) -> bool {
    let bind = bind.unwrap_or("127.0.0.1:8080");
    let host = bind.rsplit_once(':').map_or(bind, |(host, _)| host);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Config {
    /// Reads the configuration; a malformed value is an error naming the variable.
    pub fn from_env() -> Result<Config, String> {
        let workers_default = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Config {
            bind: env("REELROOM_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            data_dir: env("REELROOM_DATA_DIR").map_or_else(|| PathBuf::from("data"), PathBuf::from),
            database_url: env("DATABASE_URL"),
            frontend_dir: env("REELROOM_FRONTEND_DIR").map_or_else(|| PathBuf::from("frontend/dist"), PathBuf::from),
            allowed_origins: env("REELROOM_ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().trim_end_matches('/').to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            secret: env("REELROOM_SECRET"),
            room_idle_grace: Duration::from_millis(env_parse("REELROOM_ROOM_IDLE_GRACE_MS", 30_000)?),
            compact_every: env_parse("REELROOM_COMPACT_EVERY", 1000)?,
            workers: env_parse("REELROOM_WORKERS", workers_default)?.max(1),
            secure_cookies: env_parse(
                "REELROOM_SECURE_COOKIES",
                !binds_loopback(env("REELROOM_BIND").as_deref()),
            )?,
            trusted_proxies: env("REELROOM_TRUSTED_PROXIES")
                .map(|v| {
                    v.split(',')
                        .map(|s| {
                            s.trim()
                                .parse()
                                .map_err(|_| format!("REELROOM_TRUSTED_PROXIES: bad address {s:?}"))
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?
                .unwrap_or_default(),
            metrics_token: env("REELROOM_METRICS_TOKEN"),
            signups_per_address: env_parse(
                "REELROOM_SIGNUPS_PER_ADDRESS",
                crate::auth::throttle::MAX_SIGNUPS_PER_ADDRESS,
            )?,
            model_dir: env("REELROOM_MODEL_DIR").map(PathBuf::from),
            generation_workers: env_parse("REELROOM_GENERATION_WORKERS", engine::sampler::default_worker_count())?,
            face_models: env("REELROOM_FACE_MODELS").map_or_else(faces::default_model_dir, PathBuf::from),
            media: media()?,
        })
    }
}
