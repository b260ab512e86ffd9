//! Without `DATABASE_URL` the server runs its own Postgres in its data folder (a relative
//! path here, as `make run` uses), reuses it after a `kill -9`, and stops it on shutdown.
//! Only its owner gets in (security review F4): the socket folder is 0700, the socket 0700, and
//! the superuser needs the generated password; another OS user is refused even with the
//! password, and a trust-auth cluster of an earlier version is converted on start.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use reelroom::db::cluster::{PrivateCluster, CLUSTER_SUPERUSER};

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

fn am_root() -> bool {
    std::fs::metadata("/proc/self").unwrap().uid() == 0
}

/// The Postgres binaries the cluster uses (same rule as `db::cluster`).
fn pg_bin(program: &str) -> PathBuf {
    if let Ok(dir) = std::env::var("REELROOM_PG_BIN") {
        return Path::new(&dir).join(program);
    }
    let mut versions: Vec<u32> = std::fs::read_dir("/usr/lib/postgresql")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_string_lossy().parse().ok())
        .collect();
    versions.sort();
    PathBuf::from(format!(
        "/usr/lib/postgresql/{}/bin/{program}",
        versions.last().unwrap()
    ))
}

fn uid_of(user: &str) -> u32 {
    let out = Command::new("id").args(["-u", user]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// `psql` with `conninfo` running `sql`, as `os_user` (None: us). Never prompts and reads no
/// password from the environment or a password file.
fn psql(os_user: Option<&str>, conninfo: &str, sql: &str) -> Output {
    let mut cmd = match os_user {
        Some(user) => {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", user, "--"]).arg(pg_bin("psql"));
            cmd
        }
        None => Command::new(pg_bin("psql")),
    };
    cmd.env_remove("PGPASSWORD")
        .env("PGPASSFILE", "/dev/null")
        .current_dir("/")
        .args(["-w", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql])
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn refused(out: &Output, why: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "expected a refusal ({why}), got {:?}", out);
    assert!(stderr.contains(why), "refused, but not with {why:?}: {stderr}");
}

/// `key=value` pairs of a libpq connection string.
fn parts(conninfo: &str) -> HashMap<String, String> {
    conninfo
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A scratch cluster folder the postgres user can enter; the cluster is stopped and the folder
/// removed at the end, whatever happens.
struct Scratch {
    dir: PathBuf,
    cluster: Option<PrivateCluster>,
}

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("reelroom-{tag}-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        Command::new("chmod").arg("755").arg(&dir).status().unwrap();
        Scratch { dir, cluster: None }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(cluster) = self.cluster.take() {
            let _ = cluster.stop();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Asserts what keeps others out of a running cluster reached through `conninfo`.
fn assert_owner_only(conninfo: &str) {
    let p = parts(conninfo);
    let socket_dir = Path::new(&p["host"]);
    let meta = std::fs::metadata(socket_dir).unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o700, "socket folder {}", socket_dir.display());
    let me = std::fs::metadata("/proc/self").unwrap().uid();
    let owner = if me == 0 { uid_of("postgres") } else { me };
    assert_eq!(meta.uid(), owner, "socket folder belongs to the cluster's user");
    assert!(
        p["password"].len() >= 32,
        "a generated password: {}",
        p["password"].len()
    );

    // The owner, with the password: in; the socket itself is 0700 too.
    assert_eq!(stdout(&psql(None, conninfo, "SHOW unix_socket_permissions")), "0700");
    assert_eq!(stdout(&psql(None, conninfo, "SHOW listen_addresses")), "");
    // Without the password: refused, even from the owning account.
    let no_password = format!(
        "host={} port={} user={CLUSTER_SUPERUSER} dbname=postgres",
        p["host"], p["port"]
    );
    refused(&psql(None, &no_password, "SELECT 1"), "password");
    // Another OS user: refused at the socket folder even with the password.
    if am_root() {
        refused(&psql(Some("nobody"), conninfo, "SELECT 1"), "Permission denied");
    } else {
        eprintln!("not root: connecting as another OS user needs root; that check is left out");
    }
}

#[test]
fn only_the_clusters_owner_gets_in() {
    let mut s = Scratch::new("pg-owner-only");
    let cluster = s.cluster.insert(PrivateCluster::ensure(&s.dir).unwrap());
    let conninfo = cluster.connection_string("postgres");
    assert_owner_only(&conninfo);
    // The password is kept 0600 in the data folder, and the same one is used next time.
    let password_file = s.dir.join("superuser.password");
    assert_eq!(std::fs::metadata(&password_file).unwrap().mode() & 0o777, 0o600);
    assert_eq!(
        std::fs::read_to_string(&password_file).unwrap().trim(),
        parts(&conninfo)["password"]
    );
    let again = PrivateCluster::ensure(&s.dir).unwrap();
    assert_eq!(again.connection_string("postgres"), conninfo, "reused as is");
    assert_eq!(
        std::fs::metadata(&s.dir).unwrap().mode() & 0o7777,
        0o700,
        "cluster folder"
    );
}

#[test]
fn a_trust_cluster_of_an_earlier_version_is_converted_and_keeps_its_data() {
    let mut s = Scratch::new("pg-legacy");
    // What earlier versions made: trust auth, socket folder and socket open to everyone.
    let as_cluster_user = |program: &str| {
        let mut cmd = if am_root() {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(pg_bin(program));
            cmd
        } else {
            Command::new(pg_bin(program))
        };
        cmd.current_dir("/");
        cmd
    };
    let run = s.dir.join("run");
    std::fs::create_dir(&run).unwrap();
    Command::new("chmod").arg("755").arg(&run).status().unwrap();
    if am_root() {
        Command::new("chown")
            .arg("postgres:")
            .arg(&s.dir)
            .arg(&run)
            .status()
            .unwrap();
    }
    let pgdata = s.dir.join("pgdata");
    let initdb = as_cluster_user("initdb")
        .arg("-D")
        .arg(&pgdata)
        .args([
            "-U",
            CLUSTER_SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-instructions",
        ])
        .output()
        .unwrap();
    assert!(initdb.status.success(), "{initdb:?}");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = as_cluster_user("pg_ctl")
        .args(["start", "-w", "-D"])
        .arg(&pgdata)
        .arg("-l")
        .arg(s.dir.join("postgres.log"))
        .args(["-o", &format!("-c listen_addresses='' -k {} -p {port}", run.display())])
        .output()
        .unwrap();
    assert!(started.status.success(), "{started:?}");
    let legacy = format!(
        "host={} port={port} user={CLUSTER_SUPERUSER} dbname=postgres",
        run.display()
    );
    stdout(&psql(
        None,
        &legacy,
        "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)",
    ));
    if am_root() {
        // The finding: any local account got in as superuser.
        assert_eq!(stdout(&psql(Some("nobody"), &legacy, "SELECT 1")), "1");
    }

    // The new version converts it (it was running: restarted) and keeps the data.
    let cluster = s.cluster.insert(PrivateCluster::ensure(&s.dir).unwrap());
    let conninfo = cluster.connection_string("postgres");
    assert_eq!(stdout(&psql(None, &conninfo, "SELECT x FROM kept")), "42");
    assert_owner_only(&conninfo);
}

#[test]
fn as_root_an_unreachable_data_folder_gets_a_fresh_private_home() {
    // A data folder the postgres user cannot enter (under a 0700 folder of ours).
    let outer = Scratch::new("pg-unreachable");
    Command::new("chmod").arg("700").arg(&outer.dir).status().unwrap();
    let data = outer.dir.join("pg");
    let cluster = PrivateCluster::ensure(&data).unwrap();
    let conninfo = cluster.connection_string("postgres");
    let socket_dir = PathBuf::from(&parts(&conninfo)["host"]);
    let home = socket_dir.parent().unwrap().to_path_buf();
    let stop = || {
        let _ = cluster.stop();
        if home != data {
            let _ = std::fs::remove_dir_all(&home);
        }
    };
    let checks = std::panic::catch_unwind(|| {
        if am_root() {
            // Not the predictable name of earlier versions; recorded, 0700, the cluster user's.
            assert!(home.starts_with("/var/tmp"), "{}", home.display());
            let recorded = std::fs::read_to_string(data.join("cluster-home")).unwrap();
            assert_eq!(Path::new(recorded.trim()), home);
            let meta = std::fs::symlink_metadata(&home).unwrap();
            assert!(meta.is_dir());
            assert_eq!((meta.uid(), meta.mode() & 0o7777), (uid_of("postgres"), 0o700));
        } else {
            assert_eq!(home, std::fs::canonicalize(&data).unwrap(), "not root: no fallback");
        }
        assert_owner_only(&conninfo);
    });
    stop();
    if let Err(panic) = checks {
        std::panic::resume_unwind(panic);
    }
}
