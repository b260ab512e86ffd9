//! What the Postgres benchmarks share: `--name value` arguments and a fresh, migrated database
//! (in `DATABASE_URL`'s server, else the private cluster in `$REELROOM_TEST_PG_DIR` or
//! /var/tmp/reelroom-bench-pg).

use reelroom::db::cluster::PrivateCluster;
use reelroom::db::{create_database_if_missing, Db};

/// The value after `name` on the command line, or `default`.
pub fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A new migrated database: `(db, admin connection string, database name)`.
pub async fn fresh_database() -> Result<(Db, String, String), Box<dyn std::error::Error>> {
    let admin = match std::env::var("DATABASE_URL") {
        Ok(url) => url,
        Err(_) => {
            let dir = std::env::var("REELROOM_TEST_PG_DIR").unwrap_or_else(|_| "/var/tmp/reelroom-bench-pg".into());
            tokio::task::spawn_blocking(move || PrivateCluster::ensure(std::path::Path::new(&dir)))
                .await??
                .connection_string("postgres")
        }
    };
    let name = format!("rr_bench_{}", uuid::Uuid::new_v4().simple());
    create_database_if_missing(&admin, &name).await?;
    let mut config: tokio_postgres::Config = admin.parse()?;
    config.dbname(&name);
    let db = Db::connect_config(config)?;
    db.migrate().await?;
    Ok((db, admin, name))
}
