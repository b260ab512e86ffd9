//! Fan-out benchmark: N rooms × M peers typing into one shared Yjs document per room over the
//! y-websocket protocol (tokio-tungstenite + yrs), against the real `reelroom` binary.
//!
//! Measures: keystroke updates/s offered and delivered; fan-out latency p50/p99/p99.9/max (a
//! peer sends a one-character update → each other peer of its room receives it; the server
//! commits to Postgres before it broadcasts); server RSS per connection (`/proc/PID/status`
//! VmRSS before connecting, with every peer connected and idle, and at the end); server and
//! generator CPU during the typing window (to see which side saturates). Every peer must
//! receive every other peer's updates of its room: after a drain period the per-sender counts
//! are compared and the bench exits 1 if anything was lost or a socket closed.
//!
//! Run:
//!   cargo bench --bench fanout -- --rooms 100 --peers 10
//!   cargo bench --bench fanout -- --rooms 1 --peers 200
//! Flags: --rate R (keystrokes/s over all rooms, default 2000), --seconds S (default 20),
//! --server URL (use a running server; add --server-pid PID for RSS/CPU), --server-workers W
//! (REELROOM_WORKERS of the spawned server, default 1), --client-threads T (generator tokio
//! workers, default 1), --drain S (default 10), --idle S (settle time before the idle RSS
//! reading, default 3). Without --server it starts the server itself on a fresh database
//! `rr_bench_<random>` on `DATABASE_URL`'s server or on the private cluster in
//! `$REELROOM_TEST_PG_DIR` (default /var/tmp/reelroom-bench-pg), dropped at the end.
//! The last stdout line is a JSON object with every number.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use actors::wire::{decode_frame, encode_sync_step1, encode_sync_step2, encode_update, Reader, YMessage};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use yrs::updates::encoder::Encode;
use yrs::{Doc, ReadTxn, StateVector, Text, Transact};

type Error = Box<dyn std::error::Error + Send + Sync>;
type Res<T> = Result<T, Error>;
type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const SECRET: &str = "bench-secret-bench-secret-bench-secret";
const PASSWORD: &str = "bench-password";
const SETUP_CONCURRENCY: usize = 32;
const P99_TARGET_MS: f64 = 15.0;
const IDLE_RSS_TARGET_KIB: f64 = 30.0;
/// The server's sustained per-connection message limit (src/ws/limits.rs).
const SERVER_MSG_LIMIT_PER_S: f64 = 200.0;
/// Clock ticks per second of /proc/*/stat (USER_HZ, 100 on Linux).
const CLK_TCK: f64 = 100.0;
const USAGE: &str = "usage: cargo bench --bench fanout -- [--rooms N] [--peers M] [--rate R] \
[--seconds S] [--server URL [--server-pid PID]] [--server-workers W] [--client-threads T] \
[--drain S] [--idle S]";

#[derive(Debug)]
struct Args {
    rooms: usize,
    peers: usize,
    rate: f64,
    seconds: f64,
    server: Option<String>,
    server_pid: Option<u32>,
    server_workers: usize,
    client_threads: usize,
    drain: f64,
    idle: f64,
}

impl Args {
    fn parse() -> Res<Args> {
        let mut a = Args {
            rooms: 100,
            peers: 10,
            rate: 2000.0,
            seconds: 20.0,
            server: None,
            server_pid: None,
            server_workers: 1,
            client_threads: 1,
            drain: 10.0,
            idle: 3.0,
        };
        let mut it = std::env::args().skip(1);
        while let Some(flag) = it.next() {
            let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
            match flag.as_str() {
                "--bench" => {} // cargo bench passes it to every bench binary
                "--rooms" => a.rooms = value()?.parse()?,
                "--peers" => a.peers = value()?.parse()?,
                "--rate" => a.rate = value()?.parse()?,
                "--seconds" => a.seconds = value()?.parse()?,
                "--server" => a.server = Some(value()?.trim_end_matches('/').to_string()),
                "--server-pid" => a.server_pid = Some(value()?.parse()?),
                "--server-workers" => a.server_workers = value()?.parse()?,
                "--client-threads" => a.client_threads = value()?.parse()?,
                "--drain" => a.drain = value()?.parse()?,
                "--idle" => a.idle = value()?.parse()?,
                "-h" | "--help" => {
                    println!("{USAGE}");
                    std::process::exit(0);
                }
                other => return Err(format!("unknown argument {other:?}\n{USAGE}").into()),
            }
        }
        let positive = a.rate > 0.0 && a.seconds > 0.0 && a.drain >= 0.0 && a.idle >= 0.0;
        if a.rooms == 0 || a.peers < 2 || !positive || a.server_workers == 0 || a.client_threads == 0 {
            return Err(format!("need rooms ≥ 1, peers ≥ 2, positive rate/seconds\n{USAGE}").into());
        }
        Ok(a)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `reelroom` as a child process on a fresh database; killed and cleaned up on drop.
#[derive(Debug)]
struct Server {
    child: Option<Child>,
    url: String,
    pid: Option<u32>,
    data_dir: Option<PathBuf>,
    /// (admin connection string, database name) to drop at the end.
    db: Option<(String, String)>,
}

/// Re-targets a connection string (URL or key=value form) at database `name`.
fn with_dbname(conn: &str, name: &str) -> String {
    match conn.split_once("://") {
        Some((scheme, rest)) => {
            let (main, query) = rest.split_once('?').map_or((rest, None), |(m, q)| (m, Some(q)));
            let authority = main.split_once('/').map_or(main, |(auth, _)| auth);
            let query = query.map(|q| format!("?{q}")).unwrap_or_default();
            format!("{scheme}://{authority}/{name}{query}")
        }
        None => format!("{conn} dbname={name}"), // a later key wins
    }
}

impl Server {
    async fn start(workers: usize) -> Res<Server> {
        let name = format!("rr_bench_{}", uuid::Uuid::new_v4().simple());
        let (admin, conn) = match std::env::var("DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => (url.clone(), with_dbname(&url, &name)),
            _ => {
                let dir = std::env::var("REELROOM_TEST_PG_DIR")
                    .map_or_else(|_| PathBuf::from("/var/tmp/reelroom-bench-pg"), PathBuf::from);
                let cluster =
                    tokio::task::spawn_blocking(move || reelroom::db::cluster::PrivateCluster::ensure(&dir)).await??;
                (cluster.connection_string("postgres"), cluster.connection_string(&name))
            }
        };
        reelroom::db::create_database_if_missing(&admin, &name).await?;
        let data_dir = std::env::temp_dir().join(format!("reelroom-bench-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&data_dir)?;
        let mut server = Server {
            child: None,
            url: String::new(),
            pid: None,
            data_dir: Some(data_dir.clone()),
            db: Some((admin, name)),
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_reelroom"))
            .env("DATABASE_URL", conn)
            .env("REELROOM_BIND", "127.0.0.1:0")
            .env("REELROOM_DATA_DIR", &data_dir)
            .env("REELROOM_FRONTEND_DIR", data_dir.join("no-frontend"))
            .env("REELROOM_SECRET", SECRET)
            .env("REELROOM_WORKERS", workers.to_string())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        server.pid = Some(child.id());
        let stdout = child.stdout.take().ok_or("no stdout pipe")?;
        server.child = Some(child);
        let (line, mut rest) = tokio::task::spawn_blocking(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            reader.read_line(&mut line).map(|_| (line, reader))
        })
        .await??;
        std::thread::spawn(move || std::io::copy(&mut rest, &mut std::io::sink()));
        let url = line.trim().strip_prefix("reelroom listening on ");
        server.url = url
            .ok_or_else(|| format!("unexpected first line {line:?}"))?
            .to_string();
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(dir) = self.data_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin, name)) = self.db.take() {
            // Drop may run inside the runtime: use a thread with its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                rt.block_on(async move {
                    let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await?;
                    tokio::spawn(connection);
                    client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await
                })
                .map_err(|e| Box::new(e) as Error)
            })
            .join();
        }
    }
}

fn proc_status_kib(pid: Option<u32>, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    status.lines().find_map(|l| {
        l.strip_prefix(key)?
            .strip_prefix(':')?
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse()
            .ok()
    })
}

/// utime + stime of a process ("self" or a pid), in clock ticks.
fn cpu_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(") ")?.1.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

async fn expect_ok(res: reqwest::Response, what: &str) -> Res<Value> {
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(format!("{what}: HTTP {status}: {body}").into());
    }
    Ok(body)
}

/// Runs `f(0..n)` with bounded concurrency, keeping order; the first error wins.
async fn parallel<T, F, Fut>(n: usize, f: F) -> Res<Vec<T>>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Res<T>>,
{
    let results: Vec<Res<T>> = futures_util::stream::iter(0..n)
        .map(f)
        .buffered(SETUP_CONCURRENCY)
        .collect()
        .await;
    results.into_iter().collect()
}

/// Opens `/sync/{room}` and completes the y-websocket handshake for an empty document.
async fn connect_peer(ws_base: String, room: String, ticket: String) -> Res<Ws> {
    let url = format!("{ws_base}/sync/{room}?ticket={ticket}");
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true).await?;
    let empty = Doc::new();
    let sv = empty.transact().state_vector().encode_v1();
    let diff = empty.transact().encode_state_as_update_v1(&StateVector::default());
    ws.send(Message::binary(encode_sync_step1(&sv))).await?;
    let (mut answered, mut synced) = (false, false);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !(answered && synced) {
        match tokio::time::timeout_at(deadline, ws.next())
            .await
            .map_err(|_| "handshake timed out")?
        {
            Some(Ok(Message::Binary(frame))) => {
                for message in decode_frame(&frame)? {
                    match message {
                        YMessage::SyncStep1(_) => {
                            ws.send(Message::binary(encode_sync_step2(&diff))).await?;
                            answered = true;
                        }
                        YMessage::SyncStep2(_) => synced = true,
                        _ => {}
                    }
                }
            }
            Some(Ok(Message::Close(frame))) => return Err(format!("closed during handshake: {frame:?}").into()),
            Some(Ok(_)) => {}
            Some(Err(err)) => return Err(err.into()),
            None => return Err("EOF during handshake".into()),
        }
    }
    Ok(ws)
}

/// (client id, clock) of a one-client v1 update: `[1 client][n blocks][client][clock]…`.
fn update_id(update: &[u8]) -> Option<(u64, u64)> {
    let mut reader = Reader::new(update);
    if reader.var_uint().ok()? != 1 {
        return None;
    }
    let _blocks = reader.var_uint().ok()?;
    Some((reader.var_uint().ok()?, reader.var_uint().ok()?))
}

/// State shared by all peer tasks. Peer `i` is room `i / peers`, client id `i + 1`.
#[derive(Debug)]
struct Shared {
    peers: usize,
    /// Per peer: send instant of each keystroke, indexed by its Yjs clock.
    send_times: Vec<Mutex<Vec<Instant>>>,
    delivered: AtomicU64,
    problems: Mutex<Vec<String>>,
}

impl Shared {
    fn problem(&self, text: String) {
        lock(&self.problems).push(text);
    }
}

async fn sender(
    me: usize,
    mut sink: SplitSink<Ws, Message>,
    first: tokio::time::Instant,
    end: tokio::time::Instant,
    period: Duration,
    shared: Arc<Shared>,
) -> u64 {
    let doc = Doc::with_client_id(me as u64 + 1);
    let text = doc.get_or_insert_text("title");
    let mut ticker = tokio::time::interval_at(first, period);
    let mut sent = 0u64;
    loop {
        if ticker.tick().await >= end {
            break;
        }
        let before = doc.transact().state_vector();
        {
            let mut txn = doc.transact_mut();
            let len = text.len(&txn);
            let key = char::from(b'a' + (sent % 26) as u8).to_string();
            text.insert(&mut txn, len, &key);
        }
        let update = doc.transact().encode_state_as_update_v1(&before);
        {
            let mut times = lock(&shared.send_times[me]);
            if update_id(&update) != Some((me as u64 + 1, times.len() as u64)) {
                drop(times);
                shared.problem(format!("peer {me}: unexpected update shape {update:?}"));
                break;
            }
            times.push(Instant::now());
        }
        if let Err(err) = sink.send(Message::binary(encode_update(&update))).await {
            shared.problem(format!("peer {me} (room {}): send failed: {err}", me / shared.peers));
            break;
        }
        sent += 1;
    }
    sent
}

#[derive(Debug, Default)]
struct RecvStats {
    latencies_us: Vec<u32>,
    /// Updates received from each peer index of the room.
    from: Vec<u64>,
    next_clock: Vec<u64>,
    out_of_order: u64,
    unknown: u64,
    last: Option<Instant>,
}

impl RecvStats {
    fn update(&mut self, me: usize, update: &[u8], now: Instant, shared: &Shared) {
        let peers = shared.peers;
        let sender =
            update_id(update).and_then(|(client, clock)| Some((usize::try_from(client).ok()?.checked_sub(1)?, clock)));
        let Some((sender, clock)) =
            sender.filter(|&(s, _)| s / peers == me / peers && s != me && s < shared.send_times.len())
        else {
            self.unknown += 1;
            return;
        };
        let sent_at = usize::try_from(clock)
            .ok()
            .and_then(|c| lock(&shared.send_times[sender]).get(c).copied());
        let Some(sent_at) = sent_at else {
            self.unknown += 1;
            return;
        };
        self.latencies_us
            .push(u32::try_from(now.duration_since(sent_at).as_micros()).unwrap_or(u32::MAX));
        let j = sender % peers;
        if clock != self.next_clock[j] {
            self.out_of_order += 1;
        }
        self.next_clock[j] = clock + 1;
        self.from[j] += 1;
        self.last = Some(now);
        shared.delivered.fetch_add(1, Ordering::Relaxed);
    }
}

async fn receiver(
    me: usize,
    mut stream: SplitStream<Ws>,
    mut stop: watch::Receiver<bool>,
    shared: Arc<Shared>,
) -> RecvStats {
    let mut stats = RecvStats {
        from: vec![0; shared.peers],
        next_clock: vec![0; shared.peers],
        ..RecvStats::default()
    };
    let room = me / shared.peers;
    loop {
        let message = tokio::select! {
            biased;
            _ = stop.changed() => break,
            message = stream.next() => message,
        };
        match message {
            Some(Ok(Message::Binary(frame))) => {
                let now = Instant::now();
                match decode_frame(&frame) {
                    Ok(messages) => {
                        for message in messages {
                            if let YMessage::Update(update) = message {
                                stats.update(me, update, now, &shared);
                            } // awareness keepalives `[1,1,0]` and the rest: ignored
                        }
                    }
                    Err(err) => shared.problem(format!("peer {me} (room {room}): undecodable frame: {err}")),
                }
            }
            Some(Ok(Message::Close(frame))) => {
                shared.problem(format!("peer {me} (room {room}): server closed the socket: {frame:?}"));
                break;
            }
            Some(Ok(_)) => {}
            Some(Err(err)) => {
                shared.problem(format!("peer {me} (room {room}): socket error: {err}"));
                break;
            }
            None => {
                shared.problem(format!("peer {me} (room {room}): socket EOF"));
                break;
            }
        }
    }
    stats
}

async fn server_metrics(base: &str) -> Value {
    let Ok(res) = reqwest::get(format!("{base}/metrics")).await else {
        return Value::Null;
    };
    let Ok(body) = res.text().await else { return Value::Null };
    let mut out = serde_json::Map::new();
    for line in body.lines().filter(|l| !l.starts_with('#') && !l.contains('{')) {
        if let Some((key, value)) = line.split_once(' ') {
            if let Ok(v) = value.trim().parse::<f64>() {
                out.insert(key.trim_start_matches("reelroom_").to_string(), json!(v));
            }
        }
    }
    Value::Object(out)
}

fn percentile_ms(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    f64::from(sorted[rank - 1]) / 1000.0
}

fn kib_per_conn(after: Option<u64>, before: Option<u64>, conns: usize) -> Option<f64> {
    Some((after? as f64 - before? as f64) / conns as f64)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The whole benchmark; `Ok(false)` when updates were lost or sockets failed.
async fn run(args: Args) -> Res<bool> {
    let total = args.rooms * args.peers;
    let per_peer_rate = args.rate / total as f64;
    if per_peer_rate > SERVER_MSG_LIMIT_PER_S * 0.75 {
        eprintln!(
            "warning: {per_peer_rate:.0} msg/s per peer is close to the server's {SERVER_MSG_LIMIT_PER_S} msg/s limit"
        );
    }
    let setup_started = Instant::now();
    let server = match &args.server {
        Some(url) => Server {
            child: None,
            url: url.clone(),
            pid: args.server_pid,
            data_dir: None,
            db: None,
        },
        None => Server::start(args.server_workers).await?,
    };
    let base = server.url.clone();
    let ws_base = base.replacen("http", "ws", 1);
    println!(
        "server {base} (pid {:?}), {} rooms × {} peers = {total} connections",
        server.pid, args.rooms, args.peers
    );

    // Users: peer j of every room is user j; user 0 owns every room.
    let prefix = format!("b{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let users = parallel(args.peers, |j| {
        let (base, username) = (base.clone(), format!("{prefix}_{j}"));
        async move {
            let http = reqwest::Client::builder().cookie_store(true).build()?;
            let res = http
                .post(format!("{base}/api/auth/signup"))
                .json(&json!({"username": username, "password": PASSWORD}))
                .send()
                .await?;
            expect_ok(res, "signup").await?;
            Ok((http, username))
        }
    })
    .await?;
    let owner = users[0].0.clone();
    let rooms = parallel(args.rooms, |r| {
        let (owner, base) = (owner.clone(), base.clone());
        async move {
            let res = owner
                .post(format!("{base}/api/rooms"))
                .json(&json!({"title": format!("bench room {r}")}))
                .send()
                .await?;
            let body = expect_ok(res, "create room").await?;
            Ok(body["id"].as_str().ok_or("room without id")?.to_string())
        }
    })
    .await?;
    parallel(args.rooms * (args.peers - 1), |k| {
        let (room, user) = (&rooms[k / (args.peers - 1)], &users[k % (args.peers - 1) + 1].1);
        let request = owner
            .put(format!("{base}/api/rooms/{room}/members/{user}"))
            .json(&json!({"role": "editor"}));
        async move { expect_ok(request.send().await?, "add member").await.map(drop) }
    })
    .await?;
    let tickets = parallel(total, |i| {
        let request = users[i % args.peers]
            .0
            .post(format!("{base}/api/rooms/{}/ticket", rooms[i / args.peers]));
        async move {
            Ok(expect_ok(request.send().await?, "ticket").await?["ticket"]
                .as_str()
                .ok_or("no ticket")?
                .to_string())
        }
    })
    .await?;
    let setup_s = setup_started.elapsed().as_secs_f64();
    println!(
        "setup: {} users, {} rooms, {total} tickets in {setup_s:.1} s",
        args.peers, args.rooms
    );

    // Connect everyone, then let the server settle and read idle memory.
    let rss_before = proc_status_kib(server.pid, "VmRSS");
    let connect_started = Instant::now();
    let sockets = parallel(total, |i| {
        connect_peer(ws_base.clone(), rooms[i / args.peers].clone(), tickets[i].clone())
    })
    .await?;
    let connect_s = connect_started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs_f64(args.idle)).await;
    let rss_idle = proc_status_kib(server.pid, "VmRSS");
    let idle_per_conn = kib_per_conn(rss_idle, rss_before, total);
    println!("connected {total} peers in {connect_s:.1} s; server RSS {rss_before:?} → {rss_idle:?} KiB idle = {:.1} KiB/connection", idle_per_conn.unwrap_or(f64::NAN));

    // Type.
    let shared = Arc::new(Shared {
        peers: args.peers,
        send_times: (0..total).map(|_| Mutex::new(Vec::new())).collect(),
        delivered: AtomicU64::new(0),
        problems: Mutex::new(Vec::new()),
    });
    let period = Duration::from_secs_f64(1.0 / per_peer_rate);
    let start = tokio::time::Instant::now() + Duration::from_millis(100);
    let end = start + Duration::from_secs_f64(args.seconds);
    let (stop_tx, stop_rx) = watch::channel(false);
    let (mut senders, mut receivers) = (Vec::with_capacity(total), Vec::with_capacity(total));
    for (i, ws) in sockets.into_iter().enumerate() {
        let (sink, stream) = ws.split();
        let first = start + period.mul_f64(rand::random::<f64>()); // spread peers over a period
        senders.push(tokio::spawn(sender(i, sink, first, end, period, Arc::clone(&shared))));
        receivers.push(tokio::spawn(receiver(i, stream, stop_rx.clone(), Arc::clone(&shared))));
    }
    let (server_cpu0, own_cpu0) = (server.pid.and_then(|p| cpu_ticks(&p.to_string())), cpu_ticks("self"));
    tokio::time::sleep_until(start).await;
    let typing_started = Instant::now();
    println!(
        "typing: {:.0} keystrokes/s total, {per_peer_rate:.2}/s per peer, {} s",
        args.rate, args.seconds
    );
    let mut sent = Vec::with_capacity(total);
    for task in senders {
        sent.push(task.await?);
    }
    let typing_s = typing_started.elapsed().as_secs_f64();
    let (server_cpu1, own_cpu1) = (server.pid.and_then(|p| cpu_ticks(&p.to_string())), cpu_ticks("self"));
    let cpu_pct = |a: Option<u64>, b: Option<u64>| Some(round2((b? - a?) as f64 / CLK_TCK / typing_s * 100.0));
    let (server_cpu, own_cpu) = (cpu_pct(server_cpu0, server_cpu1), cpu_pct(own_cpu0, own_cpu1));
    let offered: u64 = sent.iter().sum();
    let expected: u64 = sent.iter().map(|s| s * (args.peers as u64 - 1)).sum();

    // Drain, then stop the receivers and compare counts.
    let drain_started = Instant::now();
    while shared.delivered.load(Ordering::Relaxed) < expected && drain_started.elapsed().as_secs_f64() < args.drain {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drain_s = drain_started.elapsed().as_secs_f64();
    let (rss_end, rss_peak) = (
        proc_status_kib(server.pid, "VmRSS"),
        proc_status_kib(server.pid, "VmHWM"),
    );
    let _ = stop_tx.send(true);
    let mut stats = Vec::with_capacity(total);
    for task in receivers {
        stats.push(task.await?);
    }
    let metrics = server_metrics(&base).await;
    drop(server); // kill it and drop its database

    let (mut lost, mut extra, mut out_of_order, mut unknown, mut last) = (0u64, 0u64, 0u64, 0u64, None);
    let mut latencies = Vec::new();
    for (i, st) in stats.iter_mut().enumerate() {
        let room = i / args.peers;
        for j in (0..args.peers).filter(|&j| j != i % args.peers) {
            let want = sent[room * args.peers + j];
            lost += want.saturating_sub(st.from[j]);
            extra += st.from[j].saturating_sub(want);
        }
        out_of_order += st.out_of_order;
        unknown += st.unknown;
        last = last.max(st.last);
        latencies.append(&mut st.latencies_us);
    }
    latencies.sort_unstable();
    let delivered = latencies.len() as u64;
    let delivered_span = last.map_or(typing_s, |l: Instant| l.duration_since(typing_started).as_secs_f64());
    let problems = std::mem::take(&mut *lock(&shared.problems));
    let (p50, p99, p999) = (
        percentile_ms(&latencies, 0.5),
        percentile_ms(&latencies, 0.99),
        percentile_ms(&latencies, 0.999),
    );
    let max = latencies.last().map_or(f64::NAN, |&m| f64::from(m) / 1000.0);
    let mean = latencies.iter().map(|&l| f64::from(l)).sum::<f64>() / delivered.max(1) as f64 / 1000.0;
    let end_per_conn = kib_per_conn(rss_end, rss_before, total);
    let p99_ok = p99 < P99_TARGET_MS;
    let rss_ok = idle_per_conn.is_some_and(|k| k < IDLE_RSS_TARGET_KIB);
    let ok = lost == 0 && extra == 0 && unknown == 0 && problems.is_empty();

    println!(
        "offered:   {offered} updates in {typing_s:.1} s = {:.0} updates/s",
        offered as f64 / typing_s
    );
    println!("delivered: {delivered} of {expected} expected deliveries in {delivered_span:.1} s = {:.0}/s (drain {drain_s:.1} s)", delivered as f64 / delivered_span);
    println!("lost {lost}, duplicated {extra}, out of order {out_of_order}, unrecognised {unknown}");
    println!("fan-out latency ms: p50 {p50:.2}  p99 {p99:.2}  p99.9 {p999:.2}  max {max:.2}  mean {mean:.2}  ({delivered} samples)");
    println!("server RSS KiB: before {rss_before:?}, idle {rss_idle:?}, end {rss_end:?}, peak {rss_peak:?}");
    println!(
        "server RSS per connection: idle {:.1} KiB, end {:.1} KiB",
        idle_per_conn.unwrap_or(f64::NAN),
        end_per_conn.unwrap_or(f64::NAN)
    );
    println!("CPU during typing: server {server_cpu:?} %, generator {own_cpu:?} % (of one core)");
    println!("server metrics: {metrics}");
    println!(
        "target p99 < {P99_TARGET_MS} ms: {}",
        if p99_ok { "PASS" } else { "FAIL" }
    );
    println!(
        "target idle RSS < {IDLE_RSS_TARGET_KIB} KiB/connection: {}",
        if rss_ok { "PASS" } else { "FAIL" }
    );
    for problem in problems.iter().take(20) {
        println!("problem: {problem}");
    }
    if problems.len() > 20 {
        println!("… {} more problems", problems.len() - 20);
    }
    let report = json!({
        "bench": "fanout", "rooms": args.rooms, "peers": args.peers, "connections": total,
        "rate_target": args.rate, "seconds": args.seconds, "server_workers": args.server_workers,
        "client_threads": args.client_threads, "setup_s": round2(setup_s), "connect_s": round2(connect_s),
        "offered": offered, "offered_per_s": round2(offered as f64 / typing_s),
        "expected": expected, "delivered": delivered, "delivered_per_s": round2(delivered as f64 / delivered_span),
        "lost": lost, "duplicated": extra, "out_of_order": out_of_order, "unrecognised": unknown, "drain_s": round2(drain_s),
        "latency_ms": {"p50": p50, "p99": p99, "p999": p999, "max": max, "mean": round2(mean)},
        "rss_kib": {"before": rss_before, "idle": rss_idle, "end": rss_end, "peak": rss_peak},
        "rss_per_conn_kib": {"idle": idle_per_conn.map(round2), "end": end_per_conn.map(round2)},
        "cpu_pct": {"server": server_cpu, "generator": own_cpu},
        "targets": {"p99_under_15ms": p99_ok, "idle_rss_under_30kib": rss_ok},
        "problems": problems.len(), "server_metrics": metrics, "ok": ok,
    });
    println!("{report}");
    Ok(ok)
}

fn main() {
    let code = match Args::parse() {
        Err(err) => {
            eprintln!("{err}");
            2
        }
        Ok(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(args.client_threads)
                .enable_all()
                .build();
            match runtime.map_err(Error::from).and_then(|rt| rt.block_on(run(args))) {
                Ok(true) => 0,
                Ok(false) => {
                    eprintln!("FAILED: updates were lost or sockets failed (see above)");
                    1
                }
                Err(err) => {
                    eprintln!("bench error: {err}");
                    2
                }
            }
        }
    };
    std::process::exit(code);
}
