//! Fan-out benchmark: N rooms × M peers typing into one Yjs document per room over the
//! y-websocket protocol (tokio-tungstenite + yrs), against the real `reelroom` binary.
//!
//! Measures keystroke updates/s offered and delivered; fan-out latency p50/p99/p99.9/max (a peer
//! sends a one-character update → each other peer of its room receives it; the server commits
//! to Postgres before it broadcasts); server RSS per connection (VmRSS before connecting, with
//! every peer connected and idle, and at the end); CPU of server, generator and Postgres while
//! typing. Every peer must receive every other peer's updates of its room: after a drain period
//! the per-sender counts are compared; exit status 1 if anything was lost or a socket failed.
//!
//! Run: `cargo bench --bench fanout -- --rooms 100 --peers 10` (or `--rooms 1 --peers 200`).
//! Soak (`make soak`): `--rooms 200 --peers 10 --seconds 600 --rate 400 --rss-every 30
//! --connect-concurrency 1000`: the RSS curve while typing, and the first 1,000 sockets opened
//! at once (a connect storm; `connect_half_s` is how long they took). `--keep 64` keeps each
//! document at 64 characters (each keystroke also deletes the oldest), so memory that still
//! grows is not the documents'.
//! Flags: `--rate R` keystrokes/s over all rooms (2000), `--seconds S` (20), `--server URL` to
//! use a running server (`--server-pid PID` for its RSS/CPU), `--server-workers W` for the
//! spawned server's REELROOM_WORKERS (1), `--client-threads T` generator tokio workers (1),
//! `--drain S` (10), `--idle S` settle time before the idle RSS reading (3). Without `--server`
//! it starts the server on a fresh database `rr_bench_<random>` on `DATABASE_URL`'s server or
//! the private cluster in `$REELROOM_TEST_PG_DIR` (default /var/tmp/reelroom-bench-pg), restarts
//! it after setup (signups' argon2 memory would hide connection memory), and drops the database
//! at the end. The last stdout line is a JSON object with every number.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use actors::wire::{decode_frame, encode_sync_step1, encode_sync_step2, encode_update, YMessage};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::AsyncBufReadExt;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use yrs::updates::encoder::Encode;
use yrs::{Doc, ReadTxn, StateVector, Text, Transact};

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;
type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const SECRET: &str = "bench-secret-bench-secret-bench-secret";
const PASSWORD: &str = "bench-password";
const SETUP_CONCURRENCY: usize = 32;
const P99_TARGET_MS: f64 = 15.0;
const IDLE_RSS_TARGET_KIB: f64 = 30.0;
/// Clock ticks per second in /proc/*/stat (USER_HZ).
const CLK_TCK: f64 = 100.0;
const FLAGS: &str = "--rooms --peers --rate --seconds --server --server-pid --server-workers --client-threads --drain --idle --rss-every --connect-concurrency --keep";

/// `--flag value` pairs from the command line.
struct Flags(HashMap<String, String>);

impl Flags {
    fn parse() -> Res<Flags> {
        let mut map = HashMap::new();
        let mut args = std::env::args().skip(1).filter(|a| a != "--bench"); // cargo bench adds --bench
        while let Some(flag) = args.next() {
            let value = args.next().filter(|_| FLAGS.split(' ').any(|known| known == flag));
            let value = value.ok_or_else(|| format!("bad argument {flag:?}; flags: {FLAGS}"))?;
            map.insert(flag, value);
        }
        Ok(Flags(map))
    }

    fn get<T: std::str::FromStr<Err: std::fmt::Display>>(&self, key: &str, default: T) -> Res<T> {
        let parse = |v: &String| v.parse().map_err(|e| format!("{key} {v:?}: {e}").into());
        self.0.get(key).map_or(Ok(default), parse)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The server under test: given by URL, or spawned here (then restartable, and `stop` kills it
/// and drops its database).
#[derive(Default)]
struct Server {
    url: String,
    pid: Option<u32>,
    command: Option<tokio::process::Command>,
    child: Option<tokio::process::Child>,
    /// (data folder, admin connection string, database name).
    cleanup: Option<(std::path::PathBuf, String, String)>,
}

/// Re-targets a connection string (URL or key=value form) at database `name`.
fn with_dbname(conn: &str, name: &str) -> String {
    let Some((scheme, rest)) = conn.split_once("://") else {
        return format!("{conn} dbname={name}");
    };
    let (main, query) = rest.split_once('?').map_or((rest, ""), |(m, q)| (m, q));
    let authority = main.split_once('/').map_or(main, |(authority, _)| authority);
    let separator = if query.is_empty() { "" } else { "?" };
    format!("{scheme}://{authority}/{name}{separator}{query}")
}

impl Server {
    async fn start(workers: usize) -> Res<Server> {
        let name = format!("rr_bench_{}", uuid::Uuid::new_v4().simple());
        let (admin, conn) = match std::env::var("DATABASE_URL").ok().filter(|u| !u.trim().is_empty()) {
            Some(url) => (url.clone(), with_dbname(&url, &name)),
            None => {
                let dir = std::env::var("REELROOM_TEST_PG_DIR").unwrap_or_else(|_| "/var/tmp/reelroom-bench-pg".into());
                let ensure = move || reelroom::db::cluster::PrivateCluster::ensure(dir.as_ref());
                let cluster = tokio::task::spawn_blocking(ensure).await??;
                (cluster.connection_string("postgres"), cluster.connection_string(&name))
            }
        };
        reelroom::db::create_database_if_missing(&admin, &name).await?;
        let data_dir = std::env::temp_dir().join(&name);
        std::fs::create_dir_all(&data_dir)?;
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_reelroom"));
        command.env("DATABASE_URL", conn).env("REELROOM_SECRET", SECRET);
        // Every simulated user signs up from this one address.
        command.env("REELROOM_SIGNUPS_PER_ADDRESS", "1000000");
        command.env("REELROOM_BIND", "127.0.0.1:0").env("RUST_LOG", "warn");
        command
            .env("REELROOM_WORKERS", workers.to_string())
            .env("REELROOM_DATA_DIR", &data_dir);
        command
            .env("REELROOM_FRONTEND_DIR", data_dir.join("web"))
            .stdin(Stdio::null());
        command.stdout(Stdio::piped()).kill_on_drop(true);
        let mut server = Server::default();
        (server.command, server.cleanup) = (Some(command), Some((data_dir, admin, name)));
        server.restart().await?;
        Ok(server)
    }

    /// (Re)starts a spawned server: same database and secret, so tickets stay valid. False for
    /// a given server.
    async fn restart(&mut self) -> Res<bool> {
        let Some(cmd) = &mut self.command else { return Ok(false) };
        if let Some(mut old) = self.child.take() {
            let _ = old.kill().await;
        }
        let mut child = cmd.spawn()?;
        let mut lines = tokio::io::BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
        let line = lines.next_line().await?.unwrap_or_default();
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let url = line
            .strip_prefix("reelroom listening on ")
            .ok_or(format!("first line: {line}"));
        (self.url, self.pid, self.child) = (url?.trim().to_string(), child.id(), Some(child));
        Ok(true)
    }

    async fn stop(mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
        let Some((data_dir, admin, name)) = self.cleanup.take() else {
            return;
        };
        let _ = std::fs::remove_dir_all(data_dir);
        if let Ok((client, connection)) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await {
            tokio::spawn(connection);
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = client.batch_execute(&drop).await;
        }
    }
}

fn proc_status_kib(pid: Option<u32>, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    let value = status.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))?;
    value.trim().strip_suffix("kB")?.trim().parse().ok()
}

/// utime + stime of a process ("self" or a pid), in clock ticks.
fn cpu_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(") ")?.1.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// CPU ticks of the server, this generator and every process named `postgres`, and the load
/// average (the machine is shared: other work skews every number).
fn cpu_sample(server: Option<u32>) -> ([Option<u64>; 3], Option<f64>) {
    let read = |path: String| std::fs::read_to_string(path).unwrap_or_default();
    let pids = std::fs::read_dir("/proc").into_iter().flatten().flatten();
    let pg_ticks = |pid: String| (read(format!("/proc/{pid}/comm")) == "postgres\n").then(|| cpu_ticks(&pid))?;
    let pg = pids
        .filter_map(|entry| pg_ticks(entry.file_name().into_string().ok()?))
        .sum();
    let (loadavg, server) = (
        read("/proc/loadavg".into()),
        server.and_then(|p| cpu_ticks(&p.to_string())),
    );
    (
        [server, cpu_ticks("self"), Some(pg)],
        loadavg.split(' ').next().and_then(|l| l.parse().ok()),
    )
}

/// Sends a JSON request; the JSON answer, or an error for a non-2xx status.
async fn call(request: reqwest::RequestBuilder, body: Value) -> Res<Value> {
    let res = request.json(&body).send().await?;
    let (status, url) = (res.status(), res.url().path().to_string());
    let answer: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(format!("{url}: HTTP {status}: {answer}").into());
    }
    Ok(answer)
}

/// Runs `f(0..n)` with bounded concurrency, keeping order; the first error wins.
async fn parallel<T, Fut: std::future::Future<Output = Res<T>>>(n: usize, f: impl FnMut(usize) -> Fut) -> Res<Vec<T>> {
    parallel_by(SETUP_CONCURRENCY, n, f).await
}

/// `parallel` with `concurrency` futures in flight.
async fn parallel_by<T, Fut: std::future::Future<Output = Res<T>>>(
    concurrency: usize,
    n: usize,
    f: impl FnMut(usize) -> Fut,
) -> Res<Vec<T>> {
    let results = futures_util::stream::iter(0..n).map(f).buffered(concurrency.max(1));
    results.collect::<Vec<Res<T>>>().await.into_iter().collect()
}

/// Opens `/sync/{room}` and completes the y-websocket handshake for an empty document.
async fn connect_peer(url: String) -> Res<Ws> {
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true).await?; // TCP_NODELAY
    let empty = Doc::new();
    let diff = empty.transact().encode_state_as_update_v1(&StateVector::default());
    let step1 = encode_sync_step1(&empty.transact().state_vector().encode_v1());
    ws.send(Message::binary(step1)).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        // The server opens with its step 1 (answered with our empty diff), then answers ours.
        let next = tokio::time::timeout_at(deadline, ws.next()).await;
        let frame = match next.map_err(|_| "handshake timed out")? {
            Some(Ok(Message::Binary(frame))) => frame,
            Some(Ok(Message::Close(frame))) => return Err(format!("closed during handshake: {frame:?}").into()),
            Some(Ok(_)) => continue,
            Some(Err(err)) => return Err(err.into()),
            None => return Err("EOF during handshake".into()),
        };
        for message in decode_frame(&frame)? {
            match message {
                YMessage::SyncStep1(_) => ws.send(Message::binary(encode_sync_step2(&diff))).await?,
                YMessage::SyncStep2(_) => return Ok(ws),
                _ => {}
            }
        }
    }
}

/// Every (client id, clock) an update carries: the server may merge a room's committed
/// batch into one update, so one frame can hold several keystrokes of several peers.
fn update_ids(update: &[u8]) -> Vec<(u64, u64)> {
    let Ok(decoded) = <yrs::Update as yrs::updates::decoder::Decode>::decode_v1(update) else {
        return Vec::new();
    };
    let inserted = decoded.insertions(true);
    let mut ids = Vec::new();
    for (client, ranges) in inserted.iter() {
        for range in ranges.iter() {
            ids.extend(range.clone().map(|clock| (client.get(), u64::from(clock))));
        }
    }
    ids.sort_unstable();
    ids
}

/// State shared by the peer tasks. Peer `i` is in room `i / peers` and has Yjs client id `i + 1`.
#[derive(Debug)]
struct Shared {
    peers: usize,
    /// `--keep N`: a peer deletes the first character before typing once the text is this
    /// long, so documents stop growing (0: never).
    keep: u32,
    /// Per peer: when each keystroke was sent, indexed by its Yjs clock.
    send_times: Vec<Mutex<Vec<Instant>>>,
    offered: AtomicU64,
    delivered: AtomicU64,
    /// Peers that stopped typing (done or failed).
    finished: AtomicUsize,
    problems: Mutex<Vec<String>>,
}

#[derive(Debug, Default)]
struct PeerStats {
    sent: u64,
    latencies_us: Vec<u32>,
    /// Updates received from each peer index of the room, and the clock expected next from it.
    from: Vec<u64>,
    next_clock: Vec<u64>,
    out_of_order: u64,
    unknown: u64,
    last: Option<Instant>,
}

impl PeerStats {
    fn received(&mut self, me: usize, update: &[u8], now: Instant, shared: &Shared) {
        let ids = update_ids(update);
        if ids.is_empty() {
            self.unknown += 1;
        }
        for (client, clock) in ids {
            self.received_one(me, client, clock, now, shared);
        }
    }

    fn received_one(&mut self, me: usize, client: u64, clock: u64, now: Instant, shared: &Shared) {
        let peers = shared.peers;
        let Some(sender) = usize::try_from(client).ok().and_then(|c| c.checked_sub(1)) else {
            self.unknown += 1;
            return;
        };
        if sender == me {
            return; // our own keystroke echoed inside a merged batch
        }
        if sender / peers != me / peers || sender >= shared.send_times.len() {
            self.unknown += 1;
            return;
        }
        let Some(sent_at) = usize::try_from(clock)
            .ok()
            .and_then(|c| lock(&shared.send_times[sender]).get(c).copied())
        else {
            self.unknown += 1;
            return;
        };
        let latency = now.duration_since(sent_at).as_micros();
        self.latencies_us.push(u32::try_from(latency).unwrap_or(u32::MAX));
        let j = sender % peers;
        self.out_of_order += u64::from(clock != self.next_clock[j]);
        self.next_clock[j] = clock + 1;
        self.from[j] += 1;
        self.last = Some(now);
        shared.delivered.fetch_add(1, Relaxed);
    }

    /// Types the next character at the end of `Y.Text` "title" and sends the v1 update.
    async fn type_key(&mut self, me: usize, doc: &Doc, ws: &mut Ws, shared: &Shared) -> Result<(), String> {
        let text = doc.get_or_insert_text("title");
        let before = doc.transact().state_vector();
        {
            let mut txn = doc.transact_mut();
            let len = text.len(&txn);
            if shared.keep > 0 && len >= shared.keep {
                text.remove_range(&mut txn, 0, 1); // `--keep`: the document stays this long
            }
            let len = text.len(&txn);
            text.insert(&mut txn, len, &char::from(b'a' + (self.sent % 26) as u8).to_string());
        }
        let update = doc.transact().encode_state_as_update_v1(&before);
        {
            let mut times = lock(&shared.send_times[me]);
            if update_ids(&update) != [(me as u64 + 1, times.len() as u64)] {
                return Err(format!("unexpected update shape {update:?}"));
            }
            times.push(Instant::now());
        }
        let sent = ws.send(Message::binary(encode_update(&update))).await;
        sent.map_err(|e| format!("send failed: {e}"))?;
        self.sent += 1;
        shared.offered.fetch_add(1, Relaxed);
        Ok(())
    }
}

/// One peer: types every `period` from `first` until `end`, and records every update it
/// receives until told to stop. Any close or socket error is a problem and ends the peer.
async fn peer(
    me: usize,
    mut ws: Ws,
    (first, end, period): (tokio::time::Instant, tokio::time::Instant, Duration),
    mut stop: watch::Receiver<bool>,
    shared: Arc<Shared>,
) -> PeerStats {
    let doc = Doc::with_client_id(me as u64 + 1);
    let mut ticker = tokio::time::interval_at(first, period);
    let (from, next_clock) = (vec![0; shared.peers], vec![0; shared.peers]);
    let mut st = PeerStats {
        from,
        next_clock,
        ..Default::default()
    };
    let mut typing = true;
    let problem = loop {
        tokio::select! {
            _ = stop.changed() => break None,
            tick = ticker.tick(), if typing => {
                if tick >= end {
                    typing = false;
                    shared.finished.fetch_add(1, Relaxed);
                } else if let Err(problem) = st.type_key(me, &doc, &mut ws, &shared).await {
                    break Some(problem);
                }
            }
            message = ws.next() => {
                let now = Instant::now();
                match message {
                    Some(Ok(Message::Binary(frame))) => match decode_frame(&frame) {
                        Ok(messages) => messages.iter().for_each(|message| {
                            if let YMessage::Update(update) = message {
                                st.received(me, update, now, &shared);
                            } // awareness keepalives `[1,1,0]` and the rest: ignored
                        }),
                        Err(err) => break Some(format!("undecodable frame: {err}")),
                    },
                    Some(Ok(Message::Close(frame))) => break Some(format!("server closed the socket: {frame:?}")),
                    Some(Ok(_)) => {}
                    Some(Err(err)) => break Some(format!("socket error: {err}")),
                    None => break Some("socket EOF".to_string()),
                }
            }
        }
    };
    if typing {
        shared.finished.fetch_add(1, Relaxed);
    }
    if let Some(problem) = problem {
        lock(&shared.problems).push(format!("peer {me} (room {}): {problem}", me / shared.peers));
    }
    st
}

/// The server's un-labelled /metrics values.
async fn server_metrics(base: &str) -> Value {
    let body = match reqwest::get(format!("{base}/metrics")).await {
        Ok(res) => res.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let lines = body.lines().filter(|l| !l.starts_with('#') && !l.contains('{'));
    let metric = |(key, value): (&str, &str)| Some((key.replace("reelroom_", ""), json!(value.parse::<f64>().ok()?)));
    Value::Object(lines.filter_map(|l| metric(l.split_once(' ')?)).collect())
}

fn percentile_ms(sorted: &[u32], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).map_or(f64::NAN, |&us| f64::from(us) / 1000.0)
}

/// KiB per connection: (after − before) / connections.
fn per_conn(after: Option<u64>, before: Option<u64>, connections: usize) -> Option<f64> {
    Some(round2((after? as f64 - before? as f64) / connections as f64))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Starts (or finds) the server, runs the bench, stops the server. `Ok(false)`: updates lost.
async fn run(flags: Flags) -> Res<bool> {
    let mut server = match flags.0.get("--server") {
        Some(url) => {
            let (url, pid) = (url.trim_end_matches('/').to_string(), flags.get("--server-pid", 0)?);
            let pid = (pid > 0).then_some(pid);
            Server {
                url,
                pid,
                ..Default::default()
            }
        }
        None => Server::start(flags.get("--server-workers", 1)?).await?,
    };
    let result = bench(&flags, &mut server).await;
    server.stop().await;
    result
}

async fn bench(flags: &Flags, server: &mut Server) -> Res<bool> {
    let (rooms, peers): (usize, usize) = (flags.get("--rooms", 100)?, flags.get("--peers", 10)?);
    let (rate, seconds): (f64, f64) = (flags.get("--rate", 2000.0)?, flags.get("--seconds", 20.0)?);
    let (drain, idle): (f64, f64) = (flags.get("--drain", 10.0)?, flags.get("--idle", 3.0)?);
    if rooms == 0 || peers < 2 || rate <= 0.0 || seconds <= 0.0 || drain < 0.0 || idle < 0.0 {
        return Err("need --rooms >= 1, --peers >= 2 and positive numbers".into());
    }
    let (total, base, pid) = (rooms * peers, server.url.clone(), server.pid);
    let (base, per_peer_rate) = (base.as_str(), rate / total as f64);
    println!("server {base} (pid {pid:?}): {rooms} rooms × {peers} peers = {total} connections");

    // Users: peer j of every room is user j; user 0 owns every room and adds the others as editors.
    let setup_started = Instant::now();
    let prefix = &format!("b{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let users = &parallel(peers, |j| async move {
        let http = reqwest::Client::builder().cookie_store(true).build()?;
        let (url, username) = (format!("{base}/api/auth/signup"), format!("{prefix}_{j}"));
        call(http.post(url), json!({"username": username, "password": PASSWORD})).await?;
        Ok((http, username))
    })
    .await?;
    let owner = &users[0].0;
    let room_ids = &parallel(rooms, |r| async move {
        let (url, body) = (format!("{base}/api/rooms"), json!({"title": format!("bench {r}")}));
        let room = call(owner.post(url), body).await?;
        Ok(room["id"].as_str().ok_or("room without id")?.to_string())
    })
    .await?;
    parallel(rooms * (peers - 1), |k| {
        let (room, user) = (&room_ids[k / (peers - 1)], &users[k % (peers - 1) + 1].1);
        let url = format!("{base}/api/rooms/{room}/members/{user}");
        call(owner.put(url), json!({"role": "editor"}))
    })
    .await?;
    let tickets = parallel(total, |i| async move {
        let url = format!("{base}/api/rooms/{}/ticket", room_ids[i / peers]);
        let ticket = call(users[i % peers].0.post(url), Value::Null).await?;
        Ok(ticket["ticket"].as_str().ok_or("no ticket")?.to_string())
    })
    .await?;
    let setup_s = setup_started.elapsed().as_secs_f64();

    // A fresh server process for the memory readings: signups (argon2, 19 MiB per hash) leave
    // freed memory in the allocator that connections would then reuse unseen.
    let rss_setup = proc_status_kib(server.pid, "VmRSS");
    if server.restart().await? {
        println!("server RSS after setup {rss_setup:?} KiB; restarted the server for the memory readings");
    }
    let (base, pid) = (server.url.as_str(), server.pid);
    reqwest::get(format!("{base}/healthz")).await?.error_for_status()?;

    // Connect everyone in two halves, letting the server settle after each, and read its idle
    // memory: all-in per connection (one-time costs included) and marginal (second half only).
    let rss_before = proc_status_kib(pid, "VmRSS");
    let (connect_started, half) = (Instant::now(), total / 2);
    let ws_base = base.replacen("http", "ws", 1);
    let url = |i: usize| format!("{ws_base}/sync/{}?ticket={}", room_ids[i / peers], tickets[i]);
    let storm: usize = flags.get("--connect-concurrency", SETUP_CONCURRENCY)?;
    let mut sockets = parallel_by(storm, half, |i| connect_peer(url(i))).await?;
    let connect_half_s = connect_started.elapsed().as_secs_f64();
    println!("{half} sockets opened {storm} at a time in {connect_half_s:.2} s");
    tokio::time::sleep(Duration::from_secs_f64(idle)).await;
    let rss_half = proc_status_kib(pid, "VmRSS");
    sockets.extend(parallel(total - half, |i| connect_peer(url(half + i))).await?);
    let connect_s = connect_started.elapsed().as_secs_f64() - idle;
    tokio::time::sleep(Duration::from_secs_f64(idle)).await;
    let rss_idle = proc_status_kib(pid, "VmRSS");
    let (idle_per_conn, marginal) = (
        per_conn(rss_idle, rss_before, total),
        per_conn(rss_idle, rss_half, total - half),
    );
    println!("setup {setup_s:.1} s, connect {connect_s:.1} s; server RSS {rss_before:?} → {rss_half:?} (half) → {rss_idle:?} KiB idle = {idle_per_conn:?} KiB/connection all-in, {marginal:?} marginal");

    // Type: every peer sends `per_peer_rate` keystrokes/s, phases spread at random over a period.
    let shared = Arc::new(Shared {
        peers,
        keep: flags.get("--keep", 0)?,
        send_times: (0..total).map(|_| Mutex::new(Vec::new())).collect(),
        offered: AtomicU64::new(0),
        delivered: AtomicU64::new(0),
        finished: AtomicUsize::new(0),
        problems: Mutex::new(Vec::new()),
    });
    let period = Duration::from_secs_f64(1.0 / per_peer_rate);
    let start = tokio::time::Instant::now() + Duration::from_millis(100);
    let end = start + Duration::from_secs_f64(seconds);
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = Vec::with_capacity(total);
    for (i, ws) in sockets.into_iter().enumerate() {
        let typing = (start + period.mul_f64(rand::random::<f64>()), end, period);
        tasks.push(tokio::spawn(peer(i, ws, typing, stop_rx.clone(), Arc::clone(&shared))));
    }
    tokio::time::sleep_until(start).await;
    let ((cpu0, load_start), typing_started) = (cpu_sample(pid), Instant::now());
    println!("typing {rate:.0} keystrokes/s ({per_peer_rate:.2}/s per peer) for {seconds} s");
    // RSS while typing, every `--rss-every` seconds (the soak's curve: it must stay flat).
    let rss_every: f64 = flags.get("--rss-every", 0.0)?;
    let mut rss_curve = Vec::new();
    if rss_every > 0.0 {
        let mut next = tokio::time::Instant::now();
        while next < end {
            tokio::time::sleep_until(next).await;
            let at = typing_started.elapsed().as_secs_f64();
            let rss = proc_status_kib(pid, "VmRSS");
            println!("rss at {at:.0} s: {rss:?} KiB");
            rss_curve.push(json!([round2(at), rss]));
            next += Duration::from_secs_f64(rss_every);
        }
    }
    tokio::time::sleep_until(end).await;
    let ((cpu1, load_end), typing_s) = (cpu_sample(pid), typing_started.elapsed().as_secs_f64());
    let cpu_pct = |k: usize| Some(round2((cpu1[k]? - cpu0[k]?) as f64 / CLK_TCK / typing_s * 100.0));
    let [server_cpu, own_cpu, pg_cpu] = [0, 1, 2].map(cpu_pct);

    // Drain, read memory and metrics, stop the peers, then compare counts per sender.
    let drain_started = Instant::now();
    let pending = || {
        let expected = shared.offered.load(Relaxed) * (peers as u64 - 1);
        shared.finished.load(Relaxed) < total || shared.delivered.load(Relaxed) < expected
    };
    while pending() && drain_started.elapsed().as_secs_f64() < drain {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let drain_s = drain_started.elapsed().as_secs_f64();
    let (rss_end, rss_peak) = (proc_status_kib(pid, "VmRSS"), proc_status_kib(pid, "VmHWM"));
    let metrics = server_metrics(base).await;
    let _ = stop_tx.send(true);
    let mut stats = Vec::with_capacity(total);
    for task in tasks {
        stats.push(task.await?);
    }
    let (mut lost, mut extra, mut out_of_order, mut unknown) = (0u64, 0u64, 0u64, 0u64);
    for (i, st) in stats.iter().enumerate() {
        for j in (0..peers).filter(|&j| j != i % peers) {
            let (want, got) = (stats[i / peers * peers + j].sent, st.from[j]);
            (lost, extra) = (lost + want.saturating_sub(got), extra + got.saturating_sub(want));
        }
        (out_of_order, unknown) = (out_of_order + st.out_of_order, unknown + st.unknown);
    }
    let offered: u64 = stats.iter().map(|st| st.sent).sum();
    let expected = offered * (peers as u64 - 1);
    let last = stats.iter().filter_map(|st| st.last).max();
    let mut latencies: Vec<u32> = stats.into_iter().flat_map(|st| st.latencies_us).collect();
    latencies.sort_unstable();
    let delivered = latencies.len() as u64;
    let delivered_s = last.map_or(seconds, |l| l.duration_since(typing_started).as_secs_f64());
    let problems = std::mem::take(&mut *lock(&shared.problems));
    let [p50, p99, p999, max] = [0.5, 0.99, 0.999, 1.0].map(|q| percentile_ms(&latencies, q));
    let mean = latencies.iter().map(|&l| f64::from(l)).sum::<f64>() / delivered.max(1) as f64 / 1000.0;
    let p99_ok = p99 < P99_TARGET_MS;
    let rss_ok = idle_per_conn.is_some_and(|k| k < IDLE_RSS_TARGET_KIB);
    let ok = lost == 0 && extra == 0 && unknown == 0 && problems.is_empty();
    let [p99_verdict, rss_verdict] = [p99_ok, rss_ok].map(|pass| if pass { "PASS" } else { "FAIL" });
    let (offered_per_s, delivered_per_s) = (offered as f64 / seconds, delivered as f64 / delivered_s);

    println!("offered   {offered} updates in {seconds:.1} s = {offered_per_s:.0}/s");
    println!("delivered {delivered} of {expected} in {delivered_s:.1} s = {delivered_per_s:.0}/s (drain {drain_s:.1} s); lost {lost}, duplicated {extra}, out of order {out_of_order}, unrecognised {unknown}");
    println!("fan-out latency ms: p50 {p50:.2}  p99 {p99:.2}  p99.9 {p999:.2}  max {max:.2}  mean {mean:.2}");
    println!("server RSS KiB: before {rss_before:?}, idle {rss_idle:?}, end {rss_end:?}, peak {rss_peak:?}; per connection: idle {idle_per_conn:?}, end {:?}", per_conn(rss_end, rss_before, total));
    println!("CPU while typing (% of one core): server {server_cpu:?}, generator {own_cpu:?}, postgres {pg_cpu:?}; load average {load_start:?} → {load_end:?}");
    println!("server metrics: {metrics}");
    println!("target p99 < {P99_TARGET_MS} ms: {p99_verdict}; target idle RSS < {IDLE_RSS_TARGET_KIB} KiB/connection: {rss_verdict}");
    for problem in problems.iter().take(20) {
        println!("problem: {problem}");
    }
    let report = json!({
        "bench": "fanout", "rooms": rooms, "peers": peers, "connections": total, "rate_target": rate, "seconds": seconds,
        "server_workers": flags.get("--server-workers", 1)?, "client_threads": flags.get("--client-threads", 1)?,
        "setup_s": round2(setup_s), "connect_s": round2(connect_s), "connect_half_s": round2(connect_half_s),
        "connect_concurrency": storm, "rss_curve_kib": rss_curve,
        "offered": offered, "offered_per_s": round2(offered_per_s), "expected": expected,
        "delivered": delivered, "delivered_per_s": round2(delivered_per_s), "drain_s": round2(drain_s),
        "lost": lost, "duplicated": extra, "out_of_order": out_of_order, "unrecognised": unknown,
        "latency_ms": {"p50": p50, "p99": p99, "p999": p999, "max": max, "mean": round2(mean)},
        "rss_kib": {"after_setup": rss_setup, "before": rss_before, "half": rss_half, "idle": rss_idle, "end": rss_end, "peak": rss_peak},
        "rss_per_conn_kib": {"idle": idle_per_conn, "idle_marginal": marginal, "end": per_conn(rss_end, rss_before, total)},
        "cpu_pct": {"server": server_cpu, "generator": own_cpu, "postgres": pg_cpu},
        "loadavg_1m": {"start": load_start, "end": load_end},
        "targets": {"p99_under_15ms": p99_ok, "idle_rss_under_30kib": rss_ok},
        "problems": problems.len(), "server_metrics": metrics, "ok": ok,
    });
    println!("{report}");
    Ok(ok)
}

fn main() {
    let result = Flags::parse().and_then(|flags| {
        let mut runtime = tokio::runtime::Builder::new_multi_thread();
        runtime.worker_threads(flags.get("--client-threads", 1usize)?.max(1));
        runtime.enable_all().build()?.block_on(run(flags))
    });
    let code = match result {
        Ok(ok) => i32::from(!ok), // 1: updates lost or sockets failed (see above)
        Err(err) => {
            eprintln!("bench error: {err}");
            2
        }
    };
    std::process::exit(code);
}
