//! Without `DATABASE_URL` the server runs its own Postgres in its data folder (a relative
//! path here, as `make run` uses), reuses it after a `kill -9`, and stops it on shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

fn start(workdir: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_reelroom"))
        .current_dir(workdir)
        .env_remove("DATABASE_URL")
        .env("REELROOM_DATA_DIR", "data")
        .env("REELROOM_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("reelroom listening on ")
        .unwrap_or_else(|| panic!("{line:?}"))
        .to_string();
    (child, url)
}

fn postmaster_pid(workdir: &Path) -> Option<String> {
    // The cluster lives in data/pg, or (as root, when the postgres user cannot enter the
    // folder) in /var/tmp/reelroom-pg-<hash>; both have a pgdata/postmaster.pid while running.
    let local = workdir.join("data/pg/pgdata/postmaster.pid");
    std::fs::read_to_string(local)
        .ok()
        .and_then(|s| s.lines().next().map(str::to_string))
}

#[tokio::test]
async fn the_private_cluster_is_started_reused_after_kill_9_and_stopped() {
    let workdir = std::env::temp_dir().join(format!("reelroom-private-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&workdir).unwrap();
    // Searchable by the postgres user, so the cluster stays inside the data folder.
    Command::new("chmod").arg("755").arg(&workdir).status().unwrap();

    let (mut first, url) = start(&workdir);
    let signup = reqwest::Client::new()
        .post(format!("{url}/api/auth/signup"))
        .json(&serde_json::json!({"username": "keeper", "password": "password123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status(), 201);
    let pid = postmaster_pid(&workdir).expect("cluster running in data/pg");
    first.kill().unwrap(); // SIGKILL: no shutdown code runs
    first.wait().unwrap();
    assert_eq!(
        postmaster_pid(&workdir).as_deref(),
        Some(pid.as_str()),
        "cluster outlives the killed server"
    );

    let (second, url) = start(&workdir);
    assert_eq!(
        postmaster_pid(&workdir).as_deref(),
        Some(pid.as_str()),
        "reused, not duplicated"
    );
    let login = reqwest::Client::new()
        .post(format!("{url}/api/auth/login"))
        .json(&serde_json::json!({"username": "keeper", "password": "password123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200, "data survived");
    Command::new("kill")
        .arg("-TERM")
        .arg(second.id().to_string())
        .status()
        .unwrap();
    let mut second = second;
    second.wait().unwrap();
    assert_eq!(postmaster_pid(&workdir), None, "stopped with the server");
    let _ = std::fs::remove_dir_all(&workdir);
}
