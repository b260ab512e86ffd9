//! The `RoomStore` rooms use: the append-only update log and compacted snapshots.

use actors::store::{RoomStore, StoreError, StoredRoom};
use async_trait::async_trait;
use uuid::Uuid;

use super::{Db, DbError};

/// Postgres-backed room storage.
#[derive(Debug, Clone)]
pub struct PgRoomStore {
    db: Db,
}

impl PgRoomStore {
    /// Wraps the pool.
    pub fn new(db: Db) -> Self {
        PgRoomStore { db }
    }
}

fn unavailable(err: impl Into<DbError>) -> StoreError {
    StoreError::Unavailable(err.into().to_string())
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
        if txn
            .query_opt("SELECT 1 FROM rooms WHERE id = $1", &[&room])
            .await
            .map_err(unavailable)?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }
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
        })
    }

    async fn append(&self, room: Uuid, updates: Vec<Vec<u8>>) -> Result<i64, StoreError> {
        let conn = self.db.conn().await.map_err(unavailable)?;
        // One statement, one commit; ORDER BY ord keeps the sequence in arrival order.
        let row = conn
            .query_one(
                "WITH inserted AS (
                     INSERT INTO room_updates (room_id, update)
                     SELECT $1, u FROM unnest($2::bytea[]) WITH ORDINALITY AS t(u, ord) ORDER BY ord
                     RETURNING seq)
                 SELECT max(seq) FROM inserted",
                &[&room, &updates],
            )
            .await
            .map_err(unavailable)?;
        row.get::<_, Option<i64>>(0)
            .ok_or_else(|| StoreError::Unavailable("nothing inserted".into()))
    }

    async fn set_title(&self, room: Uuid, title: String) -> Result<(), StoreError> {
        let conn = self.db.conn().await.map_err(unavailable)?;
        conn.execute("UPDATE rooms SET title = $2 WHERE id = $1", &[&room, &title])
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
