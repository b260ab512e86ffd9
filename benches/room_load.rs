//! Room load time: how long a room with 100,000 small updates takes to load from Postgres
//! (fetch the log + apply it to a fresh `yrs::Doc`), before and after compaction.
//!
//! Run: `cargo bench --bench room_load` (uses `DATABASE_URL`, else a private cluster in
//! `$REELROOM_TEST_PG_DIR` or /var/tmp/reelroom-bench-pg). `--updates N` changes the count.

mod common;

use common::arg;
use std::time::Instant;

use actors::store::RoomStore;
use actors::sync::RoomSync;
use reelroom::db::room_log::PgRoomStore;
use yrs::{GetString, ReadTxn, StateVector, Text, Transact};

/// Updates appended per INSERT while seeding.
const SEED_BATCH: usize = 2_000;

async fn load_once(
    store: &PgRoomStore,
    room: uuid::Uuid,
) -> Result<(f64, f64, usize, usize), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let stored = store.load(room).await?;
    let fetched = started.elapsed().as_secs_f64() * 1e3;
    let updates: Vec<Vec<u8>> = stored.updates.into_iter().map(|(_, u)| u).collect();
    let (sync, report) = RoomSync::load(stored.snapshot_v2.as_deref(), &updates);
    let total = started.elapsed().as_secs_f64() * 1e3;
    assert!(report.skipped.is_empty() && !report.snapshot_failed);
    let chars = {
        let txn = sync.doc().transact();
        txn.get_text("title").map(|t| t.get_string(&txn).len()).unwrap_or(0)
    };
    Ok((fetched, total, updates.len(), chars))
}

/// Loads per measurement; the median is reported.
const RUNS: usize = 5;

/// The run with the median fetch+apply time.
async fn median_load(
    store: &PgRoomStore,
    room: uuid::Uuid,
) -> Result<(f64, f64, usize, usize), Box<dyn std::error::Error>> {
    let mut runs = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        runs.push(load_once(store, room).await?);
    }
    runs.sort_by(|a, b| a.1.total_cmp(&b.1));
    Ok(runs[RUNS / 2])
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count = arg("--updates", 100_000);
    let (db, _, _) = common::fresh_database().await?;
    let user = db.create_user("bench", "x").await?;
    let room = db.create_room(user.id, "bench").await?;
    let store = PgRoomStore::new(db.clone());

    // 100k single-character edits, as typed: each is one small v1 update.
    let doc = yrs::Doc::new();
    let text = doc.get_or_insert_text("title");
    let mut batch = Vec::with_capacity(SEED_BATCH);
    let seeding = Instant::now();
    for i in 0..count {
        let before = doc.transact().state_vector();
        text.insert(&mut doc.transact_mut(), i as u32, "k");
        batch.push(doc.transact().encode_state_as_update_v1(&before));
        if batch.len() == SEED_BATCH || i + 1 == count {
            store.append(room, std::mem::take(&mut batch)).await?;
        }
    }
    let avg = doc.transact().encode_state_as_update_v1(&StateVector::default()).len();
    println!(
        "seeded {count} updates in {:.1} s (final doc {avg} B)",
        seeding.elapsed().as_secs_f64()
    );

    let (fetch, uncompacted, n, chars) = median_load(&store, room).await?;
    assert_eq!(chars, count);
    println!("uncompacted: {n} updates: fetch {fetch:.0} ms, fetch+apply {uncompacted:.0} ms (median of {RUNS})");

    let stored = store.load(room).await?;
    let last_seq = stored.updates.last().map_or(0, |(seq, _)| *seq);
    let updates: Vec<Vec<u8>> = stored.updates.into_iter().map(|(_, u)| u).collect();
    let (sync, _) = RoomSync::load(None, &updates);
    store
        .compact(room, sync.snapshot_v2().ok_or("snapshot")?, last_seq)
        .await?;
    let (fetch, total, _, chars) = median_load(&store, room).await?;
    assert_eq!(chars, count);
    println!("compacted snapshot: fetch {fetch:.1} ms, fetch+apply {total:.1} ms (median of {RUNS})");
    println!("{{\"updates\":{count},\"uncompacted_load_ms\":{uncompacted:.1},\"compacted_load_ms\":{total:.1}}}");
    drop(db);
    Ok(())
}
