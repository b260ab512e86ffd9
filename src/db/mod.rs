//! Postgres: the connection pool, migrations, and the queries of each table family.
//! With no `DATABASE_URL` the server runs its own cluster (see [`cluster`]).

pub mod avatars;
pub mod clips;
pub mod cluster;
pub mod consent;
pub mod feed;
pub mod for_you;
pub mod profiles;
pub mod room_log;
pub mod rooms;
pub mod social;
pub mod users;

use std::str::FromStr;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

/// Connections in the pool.
pub const POOL_SIZE: usize = 16;

/// Plain SQL migrations, applied in order at start.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../migrations/0001_init.sql")),
    ("0002_clips", include_str!("../../migrations/0002_clips.sql")),
    ("0003_feed", include_str!("../../migrations/0003_feed.sql")),
    ("0004_comments", include_str!("../../migrations/0004_comments.sql")),
    ("0005_remix", include_str!("../../migrations/0005_remix.sql")),
    ("0006_for_you", include_str!("../../migrations/0006_for_you.sql")),
    (
        "0007_feed_index_only",
        include_str!("../../migrations/0007_feed_index_only.sql"),
    ),
    (
        "0008_share_links",
        include_str!("../../migrations/0008_share_links.sql"),
    ),
    ("0009_quarantine", include_str!("../../migrations/0009_quarantine.sql")),
    ("0010_cameos", include_str!("../../migrations/0010_cameos.sql")),
    ("0011_provenance", include_str!("../../migrations/0011_provenance.sql")),
];

/// A database failure.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// Could not get a connection.
    #[error("database unavailable: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    /// A query failed.
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// A unique constraint was violated (e.g. username taken).
    #[error("already exists")]
    Conflict,
    /// Bad configuration.
    #[error("{0}")]
    Config(String),
}

impl DbError {
    fn from_pg(err: tokio_postgres::Error) -> DbError {
        if err.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
            DbError::Conflict
        } else {
            DbError::Postgres(err)
        }
    }
}

/// The shared connection pool.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
}

impl Db {
    /// Connects with a libpq-style string or a `postgres://` URL.
    pub fn connect(conn: &str) -> Result<Db, DbError> {
        let config = tokio_postgres::Config::from_str(conn).map_err(|e| DbError::Config(e.to_string()))?;
        Self::connect_config(config)
    }

    /// Connects with a parsed configuration.
    pub fn connect_config(config: tokio_postgres::Config) -> Result<Db, DbError> {
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| DbError::Config(e.to_string()))?;
        Ok(Db { pool })
    }

    /// A pooled connection.
    pub async fn conn(&self) -> Result<deadpool_postgres::Object, DbError> {
        Ok(self.pool.get().await?)
    }

    /// Applies pending migrations, serialised across processes by an advisory lock.
    pub async fn migrate(&self) -> Result<(), DbError> {
        let mut conn = self.conn().await?;
        let txn = conn.transaction().await?;
        txn.batch_execute(
            "SELECT pg_advisory_xact_lock(7281001);
             CREATE TABLE IF NOT EXISTS schema_migrations (
                 version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());",
        )
        .await?;
        for (version, sql) in MIGRATIONS {
            let done = txn
                .query_opt("SELECT 1 FROM schema_migrations WHERE version = $1", &[version])
                .await?;
            if done.is_none() {
                txn.batch_execute(sql).await?;
                txn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", &[version])
                    .await?;
                tracing::info!(version, "applied migration");
            }
        }
        txn.commit().await?;
        Ok(())
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), DbError> {
        self.conn().await?.simple_query("SELECT 1").await?;
        Ok(())
    }
}

/// Creates database `name` through a connection to the server's `postgres` database,
/// if it does not exist yet (for the private cluster and for tests).
pub async fn create_database_if_missing(admin_conn: &str, name: &str) -> Result<(), DbError> {
    let (client, connection) = tokio_postgres::connect(admin_conn, NoTls).await?;
    tokio::spawn(connection);
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await?;
    if exists.is_none() {
        let ident = name.replace('"', "\"\"");
        match client.batch_execute(&format!("CREATE DATABASE \"{ident}\"")).await {
            Ok(()) => {}
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::DUPLICATE_DATABASE) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
