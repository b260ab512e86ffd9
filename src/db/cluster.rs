//! A private Postgres cluster in the data folder, for when no `DATABASE_URL` is given.
//!
//! Uses the system's Postgres binaries (initdb, pg_ctl). Postgres refuses to run as root,
//! so when we are root the cluster belongs to the `postgres` system user and commands run
//! through `runuser`. A cluster left running by a killed server is found through
//! `pg_ctl status` and reused. Blocking code: call it from a blocking thread.
//!
//! Only its owner gets in. The socket lives in a 0700 folder owned by the cluster's OS user,
//! the socket itself is 0700 (`unix_socket_permissions`), there is no TCP listener, and the
//! superuser signs in with scram-sha-256 and a random password kept 0600 in the data folder.
//! A cluster made by an earlier version (trust auth, open socket) is converted on start.
//!
//! As root, with a data folder the postgres user cannot enter, the cluster lives in a folder of
//! its own under `/var/tmp`, made fresh with an unpredictable name and recorded in the data
//! folder. Nothing there is trusted blindly: folders must be real folders (not symlinks) owned by
//! us or the cluster's user, files are opened with `O_NOFOLLOW`, and ownership and modes are set
//! through descriptors opened that way.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rand::Rng;

/// The superuser created by initdb (scram-sha-256, Unix socket only).
pub const CLUSTER_SUPERUSER: &str = "reelroom";
/// Seconds pg_ctl waits for the cluster to start or stop.
const PG_CTL_TIMEOUT_S: &str = "60";
/// Mode of the cluster's folders (data folder, socket folder, fallback folder): owner only.
pub const PRIVATE_DIR_MODE: u32 = 0o700;
/// Mode of the cluster's secret files (password, fallback pointer, lock).
pub const PRIVATE_FILE_MODE: u32 = 0o600;
/// Length of the generated superuser password, in characters of `[A-Za-z0-9]` (~190 bits).
pub const PASSWORD_CHARS: usize = 32;
/// Where a root-run server keeps the cluster of a data folder the postgres user cannot enter.
pub const FALLBACK_PARENT: &str = "/var/tmp";
/// Name prefix of those folders; 16 random hex digits follow.
const FALLBACK_PREFIX: &str = "reelroom-pg-";
/// Tries at a fresh fallback name before giving up (a clash means someone guessed 64 bits).
const FALLBACK_NAME_TRIES: usize = 16;
/// In the data folder: the path of the fallback folder in use.
const HOME_POINTER_FILE: &str = "cluster-home";
/// In the data folder: the superuser's password.
const PASSWORD_FILE: &str = "superuser.password";
/// The port (socket name) the cluster last ran on: a cluster restarted after a crash or an
/// outage comes back where its server's connection string points, so the server reconnects.
const PORT_FILE: &str = "cluster.port";
/// In the data folder: serialises servers and tests starting the cluster.
const LOCK_FILE: &str = "cluster.lock";
/// First line of the `pg_hba.conf` we write: the cluster has been converted to password auth.
const HBA_MARKER: &str = "# reelroom: scram-sha-256 over the Unix socket only (v1)";

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
    /// A path the cluster would use is not safe to use (planted symlink, someone else's folder).
    #[error("refusing to use {path}: {why}")]
    Unsafe {
        /// The path.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// File system trouble.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn unsafe_path(path: &Path, why: impl Into<String>) -> ClusterError {
    ClusterError::Unsafe {
        path: path.to_path_buf(),
        why: why.into(),
    }
}

/// Maps the errors of an `O_NOFOLLOW` open: ELOOP means the last component is a symlink.
fn nofollow_error(path: &Path, err: std::io::Error) -> ClusterError {
    match err.raw_os_error() {
        Some(libc::ELOOP) => unsafe_path(path, "it is a symbolic link"),
        Some(libc::ENOTDIR) => unsafe_path(path, "it is not a folder"),
        _ => ClusterError::Io(err),
    }
}

/// An OS account files belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Account {
    /// Name for `runuser` (None: ourselves).
    name: Option<String>,
    uid: u32,
    gid: u32,
}

impl Account {
    fn current() -> Result<Account, ClusterError> {
        let me = std::fs::metadata("/proc/self")?;
        Ok(Account {
            name: None,
            uid: me.uid(),
            gid: me.gid(),
        })
    }

    fn named(name: &str) -> Result<Account, ClusterError> {
        let id = |flag: &str| -> Result<u32, ClusterError> {
            let output = Command::new("id").arg(flag).arg(name).output()?;
            String::from_utf8_lossy(&output.stdout)
                .trim()
                .parse()
                .map_err(|_| ClusterError::Command {
                    command: format!("id {flag} {name}"),
                    output: String::from_utf8_lossy(&output.stderr).into_owned(),
                })
        };
        Ok(Account {
            name: Some(name.to_string()),
            uid: id("-u")?,
            gid: id("-g")?,
        })
    }
}

/// A running private cluster.
pub struct PrivateCluster {
    bin_dir: PathBuf,
    pgdata: PathBuf,
    socket_dir: PathBuf,
    port: u16,
    run_as: Option<String>,
    password: String,
}

impl std::fmt::Debug for PrivateCluster {
    // By hand: the password stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateCluster")
            .field("pgdata", &self.pgdata)
            .field("socket_dir", &self.socket_dir)
            .field("port", &self.port)
            .field("run_as", &self.run_as)
            .finish_non_exhaustive()
    }
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

impl PrivateCluster {
    /// Starts (or reuses) the cluster under `dir`, creating it on first use.
    pub fn ensure(dir: &Path) -> Result<PrivateCluster, ClusterError> {
        let bin_dir = find_bin_dir().ok_or(ClusterError::NoBinaries)?;
        std::fs::create_dir_all(dir)?;
        let me = Account::current()?;
        let owner = if me.uid == 0 {
            Account::named("postgres")?
        } else {
            me.clone()
        };
        let trusted = [me.uid, owner.uid];
        // A symlink someone else planted at the data folder's own name is not followed.
        let link = std::fs::symlink_metadata(dir)?;
        if link.file_type().is_symlink() && !trusted.contains(&link.uid()) {
            return Err(unsafe_path(dir, "it is a symbolic link owned by another user"));
        }
        // Absolute paths: postgres resolves relative ones against its data directory.
        let absolute = std::fs::canonicalize(dir)?;
        let dir = absolute.as_path();
        let dir_fd = open_dir(dir)?;
        if !trusted.contains(&dir_fd.metadata()?.uid()) {
            return Err(unsafe_path(dir, "it belongs to another user"));
        }
        let lock = open_lock(dir)?;
        lock.lock()?; // concurrent servers/tests on one folder start it once
        let base = if me.uid == 0 {
            if dir_fd.metadata()?.uid() == 0 {
                // Searchable for a moment so that the test below tells what the postgres user
                // can reach; it ends 0700 either way.
                dir_fd.set_permissions(std::fs::Permissions::from_mode(0o755))?;
            }
            if reachable_by("postgres", dir) {
                make_private_dir(dir, &owner, &trusted)?;
                dir.to_path_buf()
            } else {
                // e.g. a data folder under /root (mode 0700): the postgres user cannot enter
                // it, so the cluster lives in a folder of its own, recorded in the data folder.
                dir_fd.set_permissions(std::fs::Permissions::from_mode(PRIVATE_DIR_MODE))?;
                let home = fallback_home(dir, Path::new(FALLBACK_PARENT), &legacy_fallback_dir(dir), &trusted)?;
                tracing::info!(
                    dir = %home.display(),
                    "data folder not reachable by the postgres user; cluster kept here"
                );
                make_private_dir(&home, &owner, &trusted)?;
                home
            }
        } else {
            make_private_dir(dir, &owner, &trusted)?;
            dir.to_path_buf()
        };
        let pgdata = base.join("pgdata");
        if std::fs::symlink_metadata(&pgdata).is_ok_and(|m| !m.file_type().is_dir()) {
            return Err(unsafe_path(&pgdata, "it is not a folder"));
        }
        let socket_dir = base.join("run");
        make_private_dir(&socket_dir, &owner, &trusted)?;
        let mut cluster = PrivateCluster {
            bin_dir,
            pgdata,
            socket_dir,
            port: 0,
            run_as: owner.name,
            password: String::new(),
        };
        if !cluster.pgdata.join("PG_VERSION").exists() {
            let mut initdb = cluster.pg_command("initdb");
            // Trust only until `secure` below sets the password and rewrites pg_hba.conf; the
            // cluster is not started in between.
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
        let mut running = cluster.running_port();
        let password_file = dir.join(PASSWORD_FILE);
        let stored = read_private_file(&password_file)?
            .map(|p| p.trim().to_string())
            .filter(|p| is_password(p));
        match stored {
            Some(password) if cluster.hba_is_ours()? => cluster.password = password,
            stored => {
                // First start, or a cluster from a version without passwords: convert it while
                // it is stopped (single-user mode needs that; its clients reconnect).
                if running.take().is_some() {
                    tracing::warn!("restarting the private Postgres cluster to require a password");
                    cluster.stop()?;
                }
                cluster.password = match stored {
                    Some(password) => password,
                    None => {
                        let password = new_password();
                        write_private_file(&password_file, &password)?;
                        password
                    }
                };
                cluster.secure()?;
            }
        }
        if let Some(port) = running {
            tracing::info!(port, "reusing the private Postgres cluster left running");
            cluster.port = port;
        } else {
            // The socket lives in a folder only this cluster uses: the old name is always free.
            let previous = read_private_file(&dir.join(PORT_FILE))?.and_then(|p| p.trim().parse::<u16>().ok());
            cluster.port = match previous {
                Some(port) if port > 0 => port,
                _ => free_port()?,
            };
            write_private_file(&dir.join(PORT_FILE), &cluster.port.to_string())?;
            let options = format!(
                "-c listen_addresses='' -c unix_socket_permissions=0{:o} -k {} -p {}",
                PRIVATE_DIR_MODE,
                cluster.socket_dir.display(),
                cluster.port
            );
            let mut start = cluster.pg_command("pg_ctl");
            start
                .args(["start", "-w", "-t", PG_CTL_TIMEOUT_S, "-D"])
                .arg(&cluster.pgdata)
                .arg("-l")
                .arg(base.join("postgres.log"))
                .args(["-o", &options]);
            cluster.run(&mut start, true)?;
        }
        drop(lock);
        Ok(cluster)
    }

    /// Whether `pg_hba.conf` is the one [`Self::secure`] writes.
    fn hba_is_ours(&self) -> Result<bool, ClusterError> {
        let text = read_private_file(&self.pgdata.join("pg_hba.conf"))?.unwrap_or_default();
        Ok(text.lines().next() == Some(HBA_MARKER))
    }

    /// Sets the superuser's password (single-user mode: the cluster must be stopped) and makes
    /// it required: `pg_hba.conf` admits the Unix socket with scram-sha-256 and nothing else.
    fn secure(&self) -> Result<(), ClusterError> {
        let mut single = self.pg_command("postgres");
        single
            .args(["--single", "-D"])
            .arg(&self.pgdata)
            .args(["-c", "password_encryption=scram-sha-256", "postgres"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = single.spawn()?;
        // On stdin, not the command line, so that `ps` never shows it.
        let statement = format!("ALTER ROLE {CLUSTER_SUPERUSER} PASSWORD '{}';\n", self.password);
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(statement.as_bytes())?;
        }
        let output = child.wait_with_output()?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout)
        )
        .replace(&self.password, "********");
        // Single-user mode exits 0 after a failed statement: its log says so.
        if !output.status.success() || text.contains("ERROR:") || text.contains("FATAL:") {
            return Err(ClusterError::Command {
                command: "postgres --single (set the superuser's password)".into(),
                output: text,
            });
        }
        let hba = self.pgdata.join("pg_hba.conf");
        let mut file = OpenOptions::new()
            .write(true)
            .truncate(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&hba)
            .map_err(|e| nofollow_error(&hba, e))?;
        file.write_all(
            format!(
                "{HBA_MARKER}\n# Written by reelroom on every conversion; the password is in the data folder.\n\
                 local   all   all   scram-sha-256\n"
            )
            .as_bytes(),
        )?;
        file.sync_all()?;
        tracing::info!("the private Postgres cluster now requires the superuser's password");
        Ok(())
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

    /// A libpq-style connection string for `dbname` (it holds the superuser's password).
    pub fn connection_string(&self, dbname: &str) -> String {
        format!(
            "host={} port={} user={CLUSTER_SUPERUSER} password={} dbname={dbname}",
            self.socket_dir.display(),
            self.port,
            self.password
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

/// A new random password of [`PASSWORD_CHARS`] characters of `[A-Za-z0-9]` (safe unquoted in
/// a connection string and in SQL quotes).
fn new_password() -> String {
    rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(PASSWORD_CHARS)
        .map(char::from)
        .collect()
}

fn is_password(text: &str) -> bool {
    text.len() == PASSWORD_CHARS && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Opens a folder without following a symlink at its last component.
fn open_dir(path: &Path) -> Result<File, ClusterError> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| nofollow_error(path, e))
}

/// Creates `path` (0700) or checks that the existing one is a real folder owned by a `trusted`
/// account, then gives it to `owner` with mode 0700. Ownership and mode are set through a
/// descriptor opened with `O_NOFOLLOW`, so a symlink swapped in cannot redirect them.
fn make_private_dir(path: &Path, owner: &Account, trusted: &[u32]) -> Result<(), ClusterError> {
    match std::fs::DirBuilder::new().mode(PRIVATE_DIR_MODE).create(path) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e.into()),
    }
    let dir = open_dir(path)?;
    let meta = dir.metadata()?;
    if !trusted.contains(&meta.uid()) {
        return Err(unsafe_path(path, format!("it belongs to uid {}", meta.uid())));
    }
    if meta.uid() != owner.uid || meta.gid() != owner.gid {
        std::os::unix::fs::fchown(&dir, Some(owner.uid), Some(owner.gid))?;
    }
    if meta.mode() & 0o7777 != PRIVATE_DIR_MODE {
        dir.set_permissions(std::fs::Permissions::from_mode(PRIVATE_DIR_MODE))?;
    }
    Ok(())
}

/// The lock file in `dir`, never through a symlink and never truncated.
fn open_lock(dir: &Path) -> Result<File, ClusterError> {
    let path = dir.join(LOCK_FILE);
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(PRIVATE_FILE_MODE)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .map_err(|e| nofollow_error(&path, e))
}

/// A small file's text, not through a symlink; `None` if it does not exist.
fn read_private_file(path: &Path) -> Result<Option<String>, ClusterError> {
    let file = OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(path);
    let mut file = match file {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(nofollow_error(path, e)),
    };
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    Ok(Some(text))
}

/// Writes a secret file (mode 0600), not through a symlink.
fn write_private_file(path: &Path, text: &str) -> Result<(), ClusterError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(PRIVATE_FILE_MODE)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| nofollow_error(path, e))?;
    // `mode` applies only to a new file.
    file.set_permissions(std::fs::Permissions::from_mode(PRIVATE_FILE_MODE))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

/// Whether `user` can enter `dir` (every ancestor must be searchable).
fn reachable_by(user: &str, dir: &Path) -> bool {
    Command::new("runuser")
        .args(["-u", user, "--", "test", "-x"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success())
}

/// The folder under `parent` that holds the cluster of data folder `dir`, recorded in
/// `dir/cluster-home`. A new one gets a random name and is created with `mkdir` (never an
/// existing folder). A recorded one must be a real 0700 folder of a `trusted` account. `legacy`
/// (where earlier versions put it, a predictable name) is adopted only if a `trusted` account
/// owns it, so a folder planted there by another user is never used.
fn fallback_home(dir: &Path, parent: &Path, legacy: &Path, trusted: &[u32]) -> Result<PathBuf, ClusterError> {
    let pointer = dir.join(HOME_POINTER_FILE);
    if let Some(recorded) = read_private_file(&pointer)? {
        let home = PathBuf::from(recorded.trim());
        let named_ours = home.parent() == Some(parent)
            && home
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(FALLBACK_PREFIX));
        if !named_ours {
            return Err(unsafe_path(&pointer, "it names a folder we would not have made"));
        }
        match std::fs::symlink_metadata(&home) {
            Ok(meta) => {
                if !meta.file_type().is_dir() {
                    return Err(unsafe_path(&home, "it is not a folder"));
                }
                if !trusted.contains(&meta.uid()) {
                    return Err(unsafe_path(&home, format!("it belongs to uid {}", meta.uid())));
                }
                if meta.mode() & 0o7777 != PRIVATE_DIR_MODE {
                    return Err(unsafe_path(
                        &home,
                        format!("its mode is {:o}, not 700", meta.mode() & 0o7777),
                    ));
                }
                return Ok(home);
            }
            // e.g. /var/tmp was cleaned: start afresh.
            Err(e) if e.kind() == ErrorKind::NotFound => {
                tracing::warn!(dir = %home.display(), "the private cluster's folder is gone; making a new one");
            }
            Err(e) => return Err(e.into()),
        }
    } else if let Ok(meta) = std::fs::symlink_metadata(legacy) {
        if meta.file_type().is_dir() && trusted.contains(&meta.uid()) {
            write_private_file(&pointer, &legacy.to_string_lossy())?;
            return Ok(legacy.to_path_buf());
        }
        tracing::warn!(dir = %legacy.display(), "ignoring a folder at the old cluster location that is not ours");
    }
    for _ in 0..FALLBACK_NAME_TRIES {
        let home = parent.join(format!("{FALLBACK_PREFIX}{:016x}", rand::random::<u64>()));
        match std::fs::DirBuilder::new().mode(PRIVATE_DIR_MODE).create(&home) {
            Ok(()) => {
                write_private_file(&pointer, &home.to_string_lossy())?;
                return Ok(home);
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(unsafe_path(parent, "every fresh folder name tried already exists"))
}

/// Where versions before the fallback pointer kept it: `/var/tmp/reelroom-pg-<hash of dir>`
/// (fixed hash keys, so predictable; only adopted when it is ours).
fn legacy_fallback_dir(dir: &Path) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let absolute = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    absolute.hash(&mut hasher);
    PathBuf::from(format!("{FALLBACK_PARENT}/{FALLBACK_PREFIX}{:016x}", hasher.finish()))
}

fn free_port() -> Result<u16, ClusterError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::os::unix::fs::symlink;

    use super::*;

    /// A scratch folder, removed at the end.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new() -> Scratch {
            let dir = std::env::temp_dir().join(format!("reelroom-cluster-unit-{:016x}", rand::random::<u64>()));
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path).unwrap().mode() & 0o7777
    }

    #[test]
    fn a_planted_lock_symlink_is_refused_and_its_target_untouched() {
        let s = Scratch::new();
        let victim = s.0.join("victim");
        std::fs::write(&victim, "ROOT-OWNED CANARY").unwrap();
        symlink(&victim, s.0.join(LOCK_FILE)).unwrap();
        let err = open_lock(&s.0).unwrap_err();
        assert!(matches!(err, ClusterError::Unsafe { .. }), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "ROOT-OWNED CANARY");
    }

    #[test]
    fn a_planted_socket_folder_symlink_is_refused_and_its_target_untouched() {
        let s = Scratch::new();
        let victim = s.0.join("victim-dir");
        std::fs::create_dir(&victim).unwrap();
        std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o755)).unwrap();
        let run = s.0.join("run");
        symlink(&victim, &run).unwrap();
        let me = Account::current().unwrap();
        let err = make_private_dir(&run, &me, &[me.uid]).unwrap_err();
        assert!(matches!(err, ClusterError::Unsafe { .. }), "{err}");
        assert_eq!(mode(&victim), 0o755, "the symlink's target keeps its mode");
        // Secret files are not written or read through a symlink either.
        let secret = s.0.join("secret");
        std::fs::write(&secret, "x").unwrap();
        symlink(&secret, s.0.join(PASSWORD_FILE)).unwrap();
        assert!(write_private_file(&s.0.join(PASSWORD_FILE), "pw").is_err());
        assert!(read_private_file(&s.0.join(PASSWORD_FILE)).is_err());
        assert_eq!(std::fs::read_to_string(&secret).unwrap(), "x");
    }

    #[test]
    fn the_fallback_folder_is_fresh_unpredictable_private_and_remembered() {
        let s = Scratch::new();
        let parent = s.0.join("vartmp");
        std::fs::create_dir(&parent).unwrap();
        let (data_a, data_b) = (s.0.join("a"), s.0.join("b"));
        std::fs::create_dir(&data_a).unwrap();
        std::fs::create_dir(&data_b).unwrap();
        let me = Account::current().unwrap();
        let legacy = parent.join("reelroom-pg-legacy");

        let home_a = fallback_home(&data_a, &parent, &legacy, &[me.uid]).unwrap();
        let home_b = fallback_home(&data_b, &parent, &legacy, &[me.uid]).unwrap();
        assert_ne!(home_a, home_b, "random names");
        assert_eq!(home_a.parent(), Some(parent.as_path()));
        assert_eq!(mode(&home_a), PRIVATE_DIR_MODE);
        assert_eq!(mode(&data_a.join(HOME_POINTER_FILE)), PRIVATE_FILE_MODE);
        assert_eq!(
            fallback_home(&data_a, &parent, &legacy, &[me.uid]).unwrap(),
            home_a,
            "remembered"
        );

        // A recorded folder that someone opened up (or swapped for a symlink) is refused.
        std::fs::set_permissions(&home_a, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(matches!(
            fallback_home(&data_a, &parent, &legacy, &[me.uid]),
            Err(ClusterError::Unsafe { .. })
        ));
        std::fs::remove_dir(&home_a).unwrap();
        let elsewhere = s.0.join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o700)).unwrap();
        symlink(&elsewhere, &home_a).unwrap();
        assert!(matches!(
            fallback_home(&data_a, &parent, &legacy, &[me.uid]),
            Err(ClusterError::Unsafe { .. })
        ));
    }

    #[test]
    fn a_folder_planted_at_the_old_predictable_name_is_not_used() {
        let s = Scratch::new();
        let parent = s.0.join("vartmp");
        std::fs::create_dir(&parent).unwrap();
        let data = s.0.join("data");
        std::fs::create_dir(&data).unwrap();
        let me = Account::current().unwrap();
        // The attack of the review: a folder at the predicted name whose lock and socket
        // folder point at files root owns.
        let legacy = parent.join("reelroom-pg-0123456789abcdef");
        std::fs::create_dir(&legacy).unwrap();
        let victim = s.0.join("shadow");
        std::fs::write(&victim, "CANARY").unwrap();
        symlink(&victim, legacy.join(LOCK_FILE)).unwrap();
        symlink(s.0.join("etc"), legacy.join("run")).unwrap();
        // Planted by another account: as root, really hand it to `nobody`. Either way only
        // root is trusted here, so (not root) our own plant stands for someone else's.
        if me.uid == 0 {
            let nobody = Account::named("nobody").unwrap();
            std::os::unix::fs::lchown(&legacy, Some(nobody.uid), Some(nobody.gid)).unwrap();
        }
        let home = fallback_home(&data, &parent, &legacy, &[0]).unwrap();
        assert_ne!(home, legacy, "not reused");
        assert_eq!(mode(&home), PRIVATE_DIR_MODE);
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "CANARY");
        assert!(!s.0.join("etc").exists(), "nothing made through the planted link");
    }
}
