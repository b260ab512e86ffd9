//! A fresh database per test, on `DATABASE_URL`'s server or on the private test cluster
//! (`REELROOM_TEST_PG_DIR`), dropped when the test ends.

use std::str::FromStr;

use reelroom::db::cluster::PrivateCluster;
use tokio_postgres::config::Host;

/// A database that exists for one test.
pub struct TestDb {
    /// Connection string for the server under test.
    pub conn: String,
    admin: String,
    name: String,
}

fn admin_conn() -> String {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        return url;
    }
    let dir = std::env::var("REELROOM_TEST_PG_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join("reelroom-test-pg"));
    let cluster = PrivateCluster::ensure(&dir).expect("start the private test cluster");
    cluster.connection_string("postgres")
}

/// Re-targets a connection string at database `name`.
fn with_dbname(conn: &str, name: &str) -> String {
    let config = tokio_postgres::Config::from_str(conn).expect("valid connection string");
    let mut out = Vec::new();
    if let Some(host) = config.get_hosts().first() {
        match host {
            Host::Tcp(h) => out.push(format!("host={h}")),
            Host::Unix(p) => out.push(format!("host={}", p.display())),
        }
    }
    if let Some(port) = config.get_ports().first() {
        out.push(format!("port={port}"));
    }
    if let Some(user) = config.get_user() {
        out.push(format!("user={user}"));
    }
    if let Some(password) = config.get_password() {
        out.push(format!("password={}", String::from_utf8_lossy(password)));
    }
    out.push(format!("dbname={name}"));
    out.join(" ")
}

impl TestDb {
    /// Creates `rr_test_<random>`.
    pub async fn create() -> TestDb {
        let admin = tokio::task::spawn_blocking(admin_conn).await.unwrap();
        let name = format!("rr_test_{}", uuid::Uuid::new_v4().simple());
        let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
            .await
            .expect("connect as admin");
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        TestDb {
            conn: with_dbname(&admin, &name),
            admin,
            name,
        }
    }

    /// A direct client on the test database (for assertions on stored rows).
    pub async fn client(&self) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(&self.conn, tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(connection);
        client
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let name = self.name.clone();
        // Drop runs outside any runtime guarantee: use a thread with its own runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Ok((client, connection)) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await {
                    tokio::spawn(connection);
                    let _ = client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}
