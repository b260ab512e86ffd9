//! A private Postgres cluster in the data folder, for when no `DATABASE_URL` is given.
//!
//! Uses the system's Postgres binaries (initdb, pg_ctl). Postgres refuses to run as root,
//! so when we are root the cluster belongs to the `postgres` system user and commands run
//! through `runuser`. A cluster left running by a killed server is found through
//! `pg_ctl status` and reused. Blocking code: call it from a blocking thread.

use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The superuser created by initdb (trust auth, Unix socket only).
pub const CLUSTER_SUPERUSER: &str = "reelroom";
/// Seconds pg_ctl waits for the cluster to start or stop.
const PG_CTL_TIMEOUT_S: &str = "60";

/// Why the private cluster could not be started.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No Postgres binaries found.
    #[error("no Postgres binaries found (install the `postgresql` package or set REELROOM_PG_BIN)")]
    NoBinaries,
    /// A command failed.
    #[error("{command} failed: {output}")]
    Command {
        /// What ran.
        command: String,
        /// Its stderr/stdout.
        output: String,
    },
    /// File system trouble.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A running private cluster.
#[derive(Debug)]
pub struct PrivateCluster {
    bin_dir: PathBuf,
    pgdata: PathBuf,
    socket_dir: PathBuf,
    port: u16,
    run_as: Option<String>,
}

fn find_bin_dir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("REELROOM_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    candidates.sort();
    candidates.pop().map(|(_, bin)| bin)
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

impl PrivateCluster {
    /// Starts (or reuses) the cluster under `dir`, creating it on first use.
    pub fn ensure(dir: &Path) -> Result<PrivateCluster, ClusterError> {
        std::fs::create_dir_all(dir)?;
        // Absolute paths: postgres resolves relative ones against its data directory.
        let absolute = std::fs::canonicalize(dir)?;
        let dir = absolute.as_path();
        let run_as = running_as_root().then(|| "postgres".to_string());
        let fallback;
        if run_as.is_some() {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))?;
        }
        let dir = match &run_as {
            Some(user) if !reachable_by(user, dir) => {
                // e.g. a data folder under /root (mode 0700): the postgres user cannot enter
                // it, so the cluster lives in a folder of its own, named after the data folder.
                fallback = fallback_dir(dir);
                tracing::info!(dir = %fallback.display(), "data folder not reachable by the postgres user; cluster kept here");
                std::fs::create_dir_all(&fallback)?;
                fallback.as_path()
            }
            _ => dir,
        };
        let lock = File::create(dir.join("cluster.lock"))?;
        lock.lock()?; // concurrent servers/tests on one folder start it once
        let bin_dir = find_bin_dir().ok_or(ClusterError::NoBinaries)?;
        let pgdata = dir.join("pgdata");
        let socket_dir = dir.join("run");
        std::fs::create_dir_all(&socket_dir)?;
        let mut cluster = PrivateCluster {
            bin_dir,
            pgdata,
            socket_dir,
            port: 0,
            run_as,
        };
        if let Some(user) = &cluster.run_as {
            // Only the folders we created: initdb makes pgdata as the user itself, and a
            // recursive chown would race a running cluster deleting its files.
            let owner = format!("{user}:");
            cluster.run(
                Command::new("chown").arg(&owner).arg(dir).arg(&cluster.socket_dir),
                false,
            )?;
        }
        if !cluster.pgdata.join("PG_VERSION").exists() {
            let mut initdb = cluster.pg_command("initdb");
            initdb.arg("-D").arg(&cluster.pgdata).args([
                "-U",
                CLUSTER_SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-instructions",
            ]);
            cluster.run(&mut initdb, true)?;
        }
        if let Some(port) = cluster.running_port() {
            tracing::info!(port, "reusing the private Postgres cluster left running");
            cluster.port = port;
        } else {
            cluster.port = free_port()?;
            let options = format!(
                "-c listen_addresses='' -k {} -p {}",
                cluster.socket_dir.display(),
                cluster.port
            );
            let mut start = cluster.pg_command("pg_ctl");
            start
                .args(["start", "-w", "-t", PG_CTL_TIMEOUT_S, "-D"])
                .arg(&cluster.pgdata)
                .arg("-l")
                .arg(dir.join("postgres.log"))
                .args(["-o", &options]);
            cluster.run(&mut start, true)?;
        }
        drop(lock);
        Ok(cluster)
    }

    /// The port of a cluster already running on this data folder, from `postmaster.pid`.
    fn running_port(&self) -> Option<u16> {
        let mut status = self.pg_command("pg_ctl");
        status.args(["status", "-D"]).arg(&self.pgdata);
        self.run(&mut status, true).ok()?;
        let pid_file = std::fs::read_to_string(self.pgdata.join("postmaster.pid")).ok()?;
        pid_file.lines().nth(3)?.trim().parse().ok()
    }

    fn pg_command(&self, program: &str) -> Command {
        let path = self.bin_dir.join(program);
        match &self.run_as {
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", user, "--"]).arg(path);
                cmd
            }
            None => Command::new(path),
        }
    }

    fn run(&self, cmd: &mut Command, quiet_ok: bool) -> Result<(), ClusterError> {
        let output = cmd.output()?;
        if output.status.success() {
            return Ok(());
        }
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout)
        );
        if !quiet_ok {
            tracing::warn!(command = ?cmd, "{text}");
        }
        Err(ClusterError::Command {
            command: format!("{cmd:?}"),
            output: text,
        })
    }

    /// A libpq-style connection string for `dbname`.
    pub fn connection_string(&self, dbname: &str) -> String {
        format!(
            "host={} port={} user={CLUSTER_SUPERUSER} dbname={dbname}",
            self.socket_dir.display(),
            self.port
        )
    }

    /// Stops the cluster (fast shutdown: clients are disconnected, data is safe).
    pub fn stop(&self) -> Result<(), ClusterError> {
        let mut stop = self.pg_command("pg_ctl");
        stop.args(["stop", "-m", "fast", "-w", "-t", PG_CTL_TIMEOUT_S, "-D"])
            .arg(&self.pgdata);
        self.run(&mut stop, false)
    }
}

/// Whether `user` can enter `dir` (every ancestor must be searchable).
fn reachable_by(user: &str, dir: &Path) -> bool {
    Command::new("runuser")
        .args(["-u", user, "--", "test", "-x"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success())
}

/// Where the cluster of an unreachable data folder lives: `/var/tmp/reelroom-pg-<hash>`.
fn fallback_dir(dir: &Path) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let absolute = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    absolute.hash(&mut hasher);
    PathBuf::from(format!("/var/tmp/reelroom-pg-{:016x}", hasher.finish()))
}

fn free_port() -> Result<u16, ClusterError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}
