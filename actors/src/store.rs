//! How rooms reach durable storage. `actors` holds no SQL: the server implements
//! [`RoomStore`] over Postgres and hands it to the registry.

use async_trait::async_trait;
use uuid::Uuid;

/// What a room loads at start: the compacted snapshot and the log after it.
#[derive(Debug, Default, Clone)]
pub struct StoredRoom {
    /// Whole-document snapshot, v2 encoding.
    pub snapshot_v2: Option<Vec<u8>>,
    /// Highest log sequence number folded into the snapshot (0 if none).
    pub snapshot_seq: i64,
    /// `(seq, v1 update)` after the snapshot, in commit order.
    pub updates: Vec<(i64, Vec<u8>)>,
    /// Set when the room was made by remixing a clip.
    pub remix: Option<RemixSource>,
}

/// The clip a room remixes and how far from it generation starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RemixSource {
    pub clip: Uuid,
    /// Noise level the source frames start from (1 = pure noise, nothing kept).
    pub strength: f64,
}

/// A storage failure. Rooms treat every one as "not committed".
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or refused the write.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The room does not exist.
    #[error("room not found")]
    NotFound,
}

/// Durable room state: an append-only update log plus compacted snapshots.
#[async_trait]
pub trait RoomStore: Send + Sync + 'static {
    /// Loads a room's snapshot and the updates after it, consistently.
    async fn load(&self, room: Uuid) -> Result<StoredRoom, StoreError>;
    /// Appends updates in order in one transaction; returns the last sequence number.
    /// Returning `Ok` means committed: the room broadcasts only after this.
    async fn append(&self, room: Uuid, updates: Vec<Vec<u8>>) -> Result<i64, StoreError>;
    /// Replaces the snapshot with `snapshot_v2`, which covers every update up to `upto_seq`,
    /// and deletes those updates, atomically.
    async fn compact(&self, room: Uuid, snapshot_v2: Vec<u8>, upto_seq: i64) -> Result<(), StoreError>;
    /// Records the script's current title (shown in room lists).
    async fn set_title(&self, room: Uuid, title: String) -> Result<(), StoreError>;
    /// Moves stored updates that no longer apply out of the log (kept aside, not replayed).
    async fn quarantine(&self, room: Uuid, seqs: Vec<i64>) -> Result<(), StoreError>;
}

/// A finished job's frames and what made them, to be kept as a draft clip.
#[derive(Debug, Clone)]
pub struct ClipDraft {
    pub room_id: Uuid,
    pub owner_id: Uuid,
    /// The script as it was when the job started.
    pub script: serde_json::Value,
    pub seed: u64,
    pub model_id: String,
    pub steps: u32,
    pub guidance: f64,
    pub fps: u32,
    /// Side of the square frames, pixels.
    pub size: usize,
    /// RGB frames, frame-major.
    pub frames: std::sync::Arc<Vec<u8>>,
    /// The clip this one remixes.
    pub parent: Option<Uuid>,
    /// Consent leases of the avatars it casts: the store signs a grant for each, and hides the
    /// clip when one was withdrawn before it was kept.
    pub avatars: Vec<std::sync::Arc<crate::consent::Lease>>,
}

/// Where finished clips go (encoded, stored, recorded): implemented by the server.
#[async_trait]
pub trait ClipStore: Send + Sync + std::fmt::Debug {
    /// Encodes and stores the clip; returns its id.
    async fn save_draft(&self, draft: ClipDraft) -> Result<Uuid, StoreError>;
    /// A stored clip's model frames (RGB, frame-major), to start a remix from.
    async fn source_frames(&self, clip: Uuid) -> Result<Vec<u8>, StoreError>;
}
