//! The real server binary as a child process, restartable (gracefully or with SIGKILL).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use super::TEST_SECRET;

/// A running `reelroom` under test.
pub struct TestServer {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    db_conn: String,
    data_dir: std::path::PathBuf,
    extra_env: Vec<(String, String)>,
}

impl TestServer {
    /// Starts a server on `db_conn` with extra environment variables.
    pub fn start(db_conn: &str, extra_env: &[(&str, &str)]) -> TestServer {
        let data_dir = std::env::temp_dir().join(format!("reelroom-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&data_dir).unwrap();
        let mut server = TestServer {
            child: None,
            url: String::new(),
            db_conn: db_conn.to_string(),
            data_dir,
            extra_env: extra_env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        };
        server.spawn(None);
        server
    }

    fn spawn(&mut self, bind: Option<&str>) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_reelroom"));
        cmd.env("DATABASE_URL", &self.db_conn)
            .env("REELROOM_BIND", bind.unwrap_or("127.0.0.1:0"))
            .env("REELROOM_DATA_DIR", &self.data_dir)
            .env("REELROOM_SECRET", TEST_SECRET)
            .env("REELROOM_FRONTEND_DIR", self.data_dir.join("no-frontend"))
            .env("REELROOM_WORKERS", "2")
            .env(
                "RUST_LOG",
                std::env::var("TEST_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn reelroom");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read listening line");
        let addr = line
            .trim()
            .strip_prefix("reelroom listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        self.url = addr.to_string();
        self.child = Some(child);
    }

    /// The `host:port` part.
    pub fn host(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// `ws://host:port`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.host())
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM and wait.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
    }

    /// Starts again on the same address, database and data folder.
    pub fn restart(&mut self) {
        let host = self.host().to_string();
        self.stop();
        self.spawn(Some(&host));
    }

    /// Kills with SIGKILL and starts again on the same address.
    pub fn crash_and_restart(&mut self) {
        let host = self.host().to_string();
        self.kill9();
        self.spawn(Some(&host));
    }

    /// The server's process id (tests read its memory from `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("server running").id()
    }

    /// Peak resident memory of the server so far (`VmHWM`, KiB).
    pub fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).expect("proc status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM")
    }

    /// The server's data folder (private cluster, stored objects).
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// Fetches `/metrics` and returns the value of one un-labelled metric.
    pub async fn metric(&self, name: &str) -> f64 {
        let body = reqwest::get(format!("{}/metrics", self.url))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        body.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("metric {name} missing"))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill9();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}
