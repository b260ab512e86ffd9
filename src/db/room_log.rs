//! The `RoomStore` rooms use: the append-only update log and compacted snapshots.
//!
//! Appends from every room go through one group-commit writer: it takes whatever batches
//! are waiting (one per room at most, since a room keeps one append in flight) and commits
//! them in a single statement, so commits per second stay low while rooms multiply.

use actors::store::{RoomStore, StoreError, StoredRoom};
use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::{Db, DbError};

/// Appends waiting for the writer before rooms wait (backpressure).
pub const APPEND_QUEUE: usize = 4096;
/// Most updates one group commit writes.
pub const MAX_GROUP_COMMIT_UPDATES: usize = 4096;
/// Group-commit writers running at once (one commits while the next batch gathers).
pub const GROUP_COMMIT_WRITERS: usize = 2;

const APPEND_SQL: &str = "WITH input AS (
         SELECT r, u, ord FROM unnest($1::uuid[], $2::bytea[]) WITH ORDINALITY AS t(r, u, ord)),
     inserted AS (
         INSERT INTO room_updates (room_id, update) SELECT r, u FROM input ORDER BY ord
         RETURNING room_id, seq)
     SELECT room_id, max(seq) FROM inserted GROUP BY room_id";

struct AppendRequest {
    room: Uuid,
    updates: Vec<Vec<u8>>,
    done: oneshot::Sender<Result<i64, StoreError>>,
}

/// Postgres-backed room storage.
#[derive(Debug, Clone)]
pub struct PgRoomStore {
    db: Db,
    appends: mpsc::Sender<AppendRequest>,
}

impl std::fmt::Debug for AppendRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppendRequest")
            .field("room", &self.room)
            .field("updates", &self.updates.len())
            .finish()
    }
}

impl PgRoomStore {
    /// Wraps the pool and starts the group-commit writers (needs a Tokio runtime).
    pub fn new(db: Db) -> Self {
        let (appends, queue) = mpsc::channel(APPEND_QUEUE);
        let queue = std::sync::Arc::new(tokio::sync::Mutex::new(queue));
        for _ in 0..GROUP_COMMIT_WRITERS {
            tokio::spawn(group_commit_writer(db.clone(), std::sync::Arc::clone(&queue)));
        }
        PgRoomStore { db, appends }
    }
}

fn unavailable(err: impl Into<DbError>) -> StoreError {
    StoreError::Unavailable(err.into().to_string())
}

/// Takes everything queued (after waiting for the first request), commits it at once.
async fn group_commit_writer(db: Db, queue: std::sync::Arc<tokio::sync::Mutex<mpsc::Receiver<AppendRequest>>>) {
    loop {
        let mut batch = Vec::new();
        {
            let mut queue = queue.lock().await;
            let Some(first) = queue.recv().await else { return };
            let mut count = first.updates.len();
            batch.push(first);
            while count < MAX_GROUP_COMMIT_UPDATES {
                match queue.try_recv() {
                    Ok(next) => {
                        count += next.updates.len();
                        batch.push(next);
                    }
                    Err(_) => break,
                }
            }
        }
        match commit(&db, &batch).await {
            Ok(last_seqs) => {
                for request in batch {
                    let seq = last_seqs
                        .get(&request.room)
                        .copied()
                        .ok_or_else(|| StoreError::Unavailable("no sequence".into()));
                    let _ = request.done.send(seq);
                }
            }
            Err(err) => {
                for request in batch {
                    let _ = request.done.send(Err(StoreError::Unavailable(err.to_string())));
                }
            }
        }
    }
}

async fn commit(db: &Db, batch: &[AppendRequest]) -> Result<std::collections::HashMap<Uuid, i64>, DbError> {
    let mut rooms = Vec::new();
    let mut updates: Vec<&[u8]> = Vec::new();
    for request in batch {
        for update in &request.updates {
            rooms.push(request.room);
            updates.push(update);
        }
    }
    let conn = db.conn().await?;
    let statement = conn.prepare_cached(APPEND_SQL).await?;
    let rows = conn.query(&statement, &[&rooms, &updates]).await?;
    Ok(rows.iter().map(|r| (r.get::<_, Uuid>(0), r.get::<_, i64>(1))).collect())
}

#[async_trait]
impl RoomStore for PgRoomStore {
    async fn load(&self, room: Uuid) -> Result<StoredRoom, StoreError> {
        let mut conn = self.db.conn().await.map_err(unavailable)?;
        let txn = conn
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(unavailable)?;
        let remix = txn
            .query_opt("SELECT remix_of, remix_strength FROM rooms WHERE id = $1", &[&room])
            .await
            .map_err(unavailable)?
            .ok_or(StoreError::NotFound)?;
        let remix = match (remix.get::<_, Option<Uuid>>(0), remix.get::<_, Option<f64>>(1)) {
            (Some(clip), Some(strength)) => Some(actors::store::RemixSource { clip, strength }),
            _ => None,
        };
        let snapshot = txn
            .query_opt(
                "SELECT upto_seq, snapshot FROM room_snapshots WHERE room_id = $1",
                &[&room],
            )
            .await
            .map_err(unavailable)?;
        let (snapshot_seq, snapshot_v2) = match snapshot {
            Some(row) => (row.get::<_, i64>(0), Some(row.get::<_, Vec<u8>>(1))),
            None => (0, None),
        };
        let rows = txn
            .query(
                "SELECT seq, update FROM room_updates WHERE room_id = $1 AND seq > $2 ORDER BY seq",
                &[&room, &snapshot_seq],
            )
            .await
            .map_err(unavailable)?;
        txn.commit().await.map_err(unavailable)?;
        let updates = rows
            .iter()
            .map(|r| (r.get::<_, i64>(0), r.get::<_, Vec<u8>>(1)))
            .collect();
        Ok(StoredRoom {
            snapshot_v2,
            snapshot_seq,
            updates,
            remix,
        })
    }

    async fn append(&self, room: Uuid, updates: Vec<Vec<u8>>) -> Result<i64, StoreError> {
        let (done, result) = oneshot::channel();
        self.appends
            .send(AppendRequest { room, updates, done })
            .await
            .map_err(|_| StoreError::Unavailable("writer stopped".into()))?;
        result
            .await
            .map_err(|_| StoreError::Unavailable("writer stopped".into()))?
    }

    async fn set_title(&self, room: Uuid, title: String) -> Result<(), StoreError> {
        let conn = self.db.conn().await.map_err(unavailable)?;
        conn.execute("UPDATE rooms SET title = $2 WHERE id = $1", &[&room, &title])
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn quarantine(&self, room: Uuid, seqs: Vec<i64>) -> Result<(), StoreError> {
        let conn = self.db.conn().await.map_err(unavailable)?;
        conn.execute(
            "WITH moved AS (DELETE FROM room_updates WHERE room_id = $1 AND seq = ANY($2)
                            RETURNING room_id, seq, update)
             INSERT INTO room_updates_quarantine (room_id, seq, update)
             SELECT room_id, seq, update FROM moved ON CONFLICT DO NOTHING",
            &[&room, &seqs],
        )
        .await
        .map_err(unavailable)?;
        Ok(())
    }

    async fn compact(&self, room: Uuid, snapshot_v2: Vec<u8>, upto_seq: i64) -> Result<(), StoreError> {
        let mut conn = self.db.conn().await.map_err(unavailable)?;
        let txn = conn.transaction().await.map_err(unavailable)?;
        txn.execute(
            "INSERT INTO room_snapshots (room_id, upto_seq, snapshot) VALUES ($1, $2, $3)
             ON CONFLICT (room_id) DO UPDATE SET upto_seq = EXCLUDED.upto_seq,
                 snapshot = EXCLUDED.snapshot, updated_at = now()
             WHERE room_snapshots.upto_seq < EXCLUDED.upto_seq",
            &[&room, &upto_seq, &snapshot_v2],
        )
        .await
        .map_err(unavailable)?;
        txn.execute(
            "DELETE FROM room_updates WHERE room_id = $1 AND seq <= $2",
            &[&room, &upto_seq],
        )
        .await
        .map_err(unavailable)?;
        txn.commit().await.map_err(unavailable)?;
        Ok(())
    }
}
