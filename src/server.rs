//! Start-up wiring: database (external or private cluster), migrations, ticket key, room
//! registry on its arbiters, and the HTTP server. `run` returns when the server stops.

use std::path::Path;
use std::sync::Arc;

use actix::Actor;
use actix_web::{web, App, HttpServer};
use actors::metrics::Metrics;
use actors::registry::{RoomRegistry, ShutdownAll};
use actors::room::RoomConfig;
use anyhow::Context;
use rand::RngCore;

use crate::auth::TicketSigner;
use crate::config::Config;
use crate::db::cluster::PrivateCluster;
use crate::db::room_log::PgRoomStore;
use crate::db::{create_database_if_missing, Db};
use crate::state::AppState;

/// Database name inside the private cluster.
pub const PRIVATE_DB_NAME: &str = "reelroom";
/// Seconds the server waits for open connections on shutdown.
const SHUTDOWN_TIMEOUT_S: u64 = 5;
/// Pause after sending close frames on shutdown, so they are written before exit.
const CLOSE_FLUSH: std::time::Duration = std::time::Duration::from_millis(200);

/// Connects to `DATABASE_URL`, or starts the private cluster and returns it too.
pub async fn open_database(config: &Config) -> anyhow::Result<(Db, Option<PrivateCluster>)> {
    if let Some(url) = &config.database_url {
        return Ok((Db::connect(url)?, None));
    }
    let dir = config.data_dir.join("pg");
    let cluster = tokio::task::spawn_blocking(move || PrivateCluster::ensure(&dir))
        .await?
        .context("starting the private Postgres cluster")?;
    create_database_if_missing(&cluster.connection_string("postgres"), PRIVATE_DB_NAME).await?;
    Ok((Db::connect(&cluster.connection_string(PRIVATE_DB_NAME))?, Some(cluster)))
}

/// The ticket key: `REELROOM_SECRET`, else a random key kept in the data folder.
fn ticket_key(config: &Config) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &config.secret {
        return Ok(secret.as_bytes().to_vec());
    }
    let path = config.data_dir.join("ticket.key");
    if let Ok(existing) = std::fs::read(&path) {
        if existing.len() >= 32 {
            return Ok(existing);
        }
    }
    let mut key = vec![0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    write_private(&path, &key)?;
    Ok(key)
}

/// A 32-byte secret kept in `path` (mode 0600), made at first run; a file of another length is
/// an `InvalidData` error, never silently replaced (it would orphan what it signed).
pub(crate) fn load_or_create_secret(path: &Path) -> std::io::Result<[u8; 32]> {
    match std::fs::read(path) {
        Ok(bytes) => bytes.try_into().map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} is not a 32-byte key", path.display()),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret: [u8; 32] = rand::random();
            write_private(path, &secret)?;
            Ok(secret)
        }
        Err(e) => Err(e),
    }
}

/// Writes a secret file readable by this user only.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    Ok(())
}

/// Runs the server until it is stopped (SIGINT/SIGTERM).
pub async fn run(mut config: Config) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| format!("creating {}", config.data_dir.display()))?;
    let (db, cluster) = open_database(&config).await?;
    db.migrate().await.context("running migrations")?;
    let tickets = TicketSigner::new(ticket_key(&config)?);
    let metrics = Arc::new(Metrics::default());
    let arbiters = (0..config.workers)
        .map(actors::registry::spawn_room_arbiter)
        .collect::<Result<Vec<_>, _>>()
        .context("starting room threads")?;
    let scheduler = match config.generation_workers {
        0 => None,
        n => {
            let dir = config.model_dir.clone();
            let factory: actors::generation::DenoiserFactory = Arc::new(move |worker| {
                let device = engine::sampler::worker_device(worker);
                Ok(match &dir {
                    // v1 or v2, whichever the folder holds.
                    Some(dir) => engine::load_native(dir, device)?,
                    // Both shipped models, each prompt to the one that reads it.
                    None => Box::new(engine::router::Routed::load_shipped(
                        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
                        device,
                    )?) as Box<dyn engine::Denoiser>,
                })
            });
            Some(actors::generation::Scheduler::start(n, factory).context("starting generation workers")?)
        }
    };
    let objects_dir = config.data_dir.join("objects");
    std::fs::create_dir_all(&objects_dir).with_context(|| format!("creating {}", objects_dir.display()))?;
    let objects =
        object_store::local::LocalFileSystem::new_with_prefix(&objects_dir).context("opening the object store")?;
    let consent_key = Arc::new(
        crate::cameo::signing::ServerKey::load_or_create(&config.data_dir).context("loading the consent key")?,
    );
    let objects: Arc<dyn object_store::ObjectStore> = Arc::new(objects);
    let marking = crate::marking::Marking::load_or_create(&config.data_dir)
        .context("loading the watermark key and C2PA authority")?;
    if let Some(media) = config.media.as_mut() {
        // The live stream is watermarked too (before VP8), with the tag reserved for live.
        media.mark = Arc::new(marking.live_mark());
    }
    let clips = Arc::new(crate::db::clips::PgClipStore::new(
        db.clone(),
        objects.clone(),
        consent_key.clone(),
        marking,
    ));
    let extractor = match crate::cameo::extract::Extractor::start(
        db.clone(),
        objects,
        config.face_models.clone(),
        tokio::runtime::Handle::current(),
    ) {
        Ok(x) => Some(x),
        Err(e) => {
            tracing::error!(%e, dir = %config.face_models.display(), "face models not loaded (run `make face-models`): avatar uploads are refused");
            None
        }
    };
    let cameo = crate::cameo::Cameo::new(db.clone(), consent_key, extractor);
    let room_config = RoomConfig {
        idle_grace: config.room_idle_grace,
        compact_every: config.compact_every.max(1),
        scheduler,
        clips: Some(clips.clone() as Arc<dyn actors::store::ClipStore>),
        media: config.media.clone(),
        casting: Some(Arc::new(cameo.clone()) as Arc<dyn actors::consent::Casting>),
    };
    let store = Arc::new(PgRoomStore::new(db.clone()));
    let registry = RoomRegistry::new(store, Arc::clone(&metrics), room_config, arbiters).start();
    let config = Arc::new(config);
    let state = web::Data::new(AppState::new(
        db,
        registry.clone(),
        tickets,
        metrics,
        Arc::clone(&config),
        clips,
        cameo,
    ));
    let frontend = config.frontend_dir.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(tracing_actix())
            .wrap(security_headers())
            .configure(|cfg| crate::http::configure(cfg, frontend.clone()))
    })
    .workers(config.workers)
    .tcp_nodelay(true) // small frames go out at once, not after the peer's delayed ACK
    .disable_signals()
    .shutdown_timeout(SHUTDOWN_TIMEOUT_S)
    .bind(&config.bind)
    .with_context(|| format!("binding {}", config.bind))?;
    for addr in server.addrs() {
        println!("reelroom listening on http://{addr}");
    }
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(async move {
        wait_for_stop_signal().await;
        tracing::info!("shutting down: closing sockets (4001)");
        let _ = registry.send(ShutdownAll).await;
        tokio::time::sleep(CLOSE_FLUSH).await; // let the close frames reach the clients
        handle.stop(true).await;
    });
    let result = server.await;
    if let Some(cluster) = cluster {
        tracing::info!("stopping the private Postgres cluster");
        if let Err(err) = tokio::task::spawn_blocking(move || cluster.stop()).await? {
            tracing::warn!(%err, "stopping Postgres failed");
        }
    }
    result.context("HTTP server")
}

async fn wait_for_stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The access log: method and path, never the query string (room tickets ride in it and are
/// bearer credentials for 5 minutes).
fn tracing_actix() -> actix_web::middleware::Logger {
    actix_web::middleware::Logger::new("%{method}xi %U %s %Dms")
        .custom_request_replace("method", |req| req.method().to_string())
        .exclude("/healthz")
        .exclude("/metrics")
}

/// Headers on every response: no framing (clickjacking), no MIME sniffing, no referrer to
/// other sites, and a content policy that allows only the app's own scripts and connections.
/// Styles may be inline (CodeMirror injects its theme); media and images may be blobs.
fn security_headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; \
             object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        ))
        .add(("X-Frame-Options", "DENY"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "same-origin"))
}
