//! Clips: a finished job's frames become an H.264 MP4, a feed preview (short, small MP4) and a
//! poster (PNG), encoded on a blocking thread and stored through `object_store` (a local folder
//! by default) beside the raw frames, and a draft row in Postgres. Reads serve the clip routes;
//! drafts are visible to their owner only.

use std::ops::Range;
use std::sync::Arc;

use actors::store::{ClipDraft, ClipStore, StoreError};
use async_trait::async_trait;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use uuid::Uuid;

use super::{Db, DbError};

/// A clip as the API shows it.
#[derive(Debug, Clone)]
pub struct ClipRow {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub room_id: Option<Uuid>,
    pub status: String,
    pub seed: i64,
    pub model_id: String,
    pub steps: i32,
    pub guidance: f64,
    pub duration_s: f64,
    pub frames: i32,
    pub width: i32,
    pub height: i32,
    pub video_key: String,
    pub video_bytes: i64,
    pub script: serde_json::Value,
    /// Absent for clips made before posters existed.
    pub poster_key: Option<String>,
    pub preview_key: Option<String>,
    pub preview_bytes: Option<i64>,
}

/// Postgres rows + object storage for clips.
#[derive(Debug, Clone)]
pub struct PgClipStore {
    db: Db,
    objects: Arc<dyn ObjectStore>,
    /// Signs the consent grants of cast avatars.
    key: Arc<crate::cameo::signing::ServerKey>,
    /// Watermarks and C2PA-signs every clip.
    pub marking: crate::marking::Marking,
}

/// Lowercase hex SHA-256.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl PgClipStore {
    pub fn new(
        db: Db,
        objects: Arc<dyn ObjectStore>,
        key: Arc<crate::cameo::signing::ServerKey>,
        marking: crate::marking::Marking,
    ) -> Self {
        Self {
            db,
            objects,
            key,
            marking,
        }
    }

    async fn username(&self, id: Uuid) -> Result<String, DbError> {
        let row = self
            .db
            .conn()
            .await?
            .query_one("SELECT username FROM users WHERE id = $1", &[&id])
            .await?;
        Ok(row.get(0))
    }

    /// The download of a clip (made and stored on first request): its object key and length.
    pub async fn download(&self, clip: Uuid) -> Result<(String, u64), StoreError> {
        let conn = self.db.conn().await.map_err(unavailable)?;
        let row = conn
            .query_one(
                "SELECT c.download_key, c.frames_key, c.frames, u.username, c.video_key, c.model_id, c.seed, c.steps, c.script
                   FROM clips c JOIN users u ON u.id = c.owner_id WHERE c.id = $1",
                &[&clip],
            )
            .await
            .map_err(unavailable)?;
        if let Some(key) = row.get::<_, Option<String>>(0) {
            let meta = self
                .objects
                .head(&ObjectPath::from(key.as_str()))
                .await
                .map_err(unavailable)?;
            return Ok((key, meta.size));
        }
        let frames_key: Option<String> = row.get(1);
        let frames_key = frames_key.ok_or(StoreError::NotFound)?;
        let frames = self.object(&frames_key).await.map_err(unavailable)?.to_vec();
        let count = row.get::<_, i32>(2).max(1) as usize;
        let size = ((frames.len() / count / 3) as f64).sqrt() as usize;
        let creator: String = row.get(3);
        let parent = self
            .object(&row.get::<_, String>(4))
            .await
            .map_err(unavailable)?
            .to_vec();
        let claims = provenance::ClipClaims {
            clip_id: clip.to_string(),
            model_id: row.get(5),
            seed: row.get::<_, i64>(6) as u64,
            steps: row.get::<_, i32>(7) as u32,
            script_sha256: sha256_hex(row.get::<_, serde_json::Value>(8).to_string().as_bytes()),
            creator: format!("@{creator}"),
            grant_ids: Vec::new(),
            watermark_tag: Some(crate::marking::watermark_tag(clip)),
        };
        let (mark, authority) = (self.marking.clip_mark(clip), self.marking.authority.clone());
        let mp4 = tokio::task::spawn_blocking(move || {
            let moving = media::label::MovingMark {
                text: format!("reelroom · @{creator}"),
                inner: &mark,
            };
            let video = media::encode_mp4_marked(&frames, size, world::FPS as u32, &moving).map_err(unavailable)?;
            // Signed as an edit of the clip (its parent ingredient): the chain verifies offline.
            provenance::sign_mp4(&authority, &video.mp4, &claims, Some(&parent)).map_err(unavailable)
        })
        .await
        .map_err(unavailable)??;
        let key = format!("clips/{clip}.download.mp4");
        let len = mp4.len() as u64;
        self.objects
            .put(&ObjectPath::from(key.as_str()), mp4.into())
            .await
            .map_err(unavailable)?;
        conn.execute("UPDATE clips SET download_key = $2 WHERE id = $1", &[&clip, &key])
            .await
            .map_err(unavailable)?;
        Ok((key, len))
    }

    /// A clip's signed MP4 (a remix's parent), if it is still stored.
    async fn signed_video(&self, clip: Uuid) -> Option<Vec<u8>> {
        let conn = self.db.conn().await.ok()?;
        let row = conn
            .query_opt(
                "SELECT video_key FROM clips WHERE id = $1 AND status <> 'removed'",
                &[&clip],
            )
            .await
            .ok()??;
        let key: String = row.get(0);
        self.object(&key).await.ok().map(|b| b.to_vec())
    }

    /// The object store (avatar crops and uploads live beside the clips).
    pub fn objects(&self) -> &Arc<dyn ObjectStore> {
        &self.objects
    }

    /// The clip if `viewer` may see it (drafts: their owner only; posts: by visibility).
    pub async fn visible(&self, id: Uuid, viewer: Uuid) -> Result<Option<ClipRow>, DbError> {
        let conn = self.db.conn().await?;
        let sql = format!(
            "SELECT id, owner_id, room_id, status, seed, model_id, steps, guidance, duration_s, frames,
                    width, height, video_key, video_bytes, script, poster_key, preview_key, preview_bytes
               FROM clips c WHERE c.id = $2 AND {}",
            super::feed::VISIBLE
        );
        let row = conn.query_opt(&sql, &[&viewer, &id]).await?;
        Ok(row.map(|r| ClipRow {
            id: r.get(0),
            owner_id: r.get(1),
            room_id: r.get(2),
            status: r.get(3),
            seed: r.get(4),
            model_id: r.get(5),
            steps: r.get(6),
            guidance: r.get(7),
            duration_s: r.get(8),
            frames: r.get(9),
            width: r.get(10),
            height: r.get(11),
            video_key: r.get(12),
            video_bytes: r.get(13),
            script: r.get(14),
            poster_key: r.get(15),
            preview_key: r.get(16),
            preview_bytes: r.get(17),
        }))
    }

    /// Deletes a stored object (its clip was removed).
    pub async fn delete_object(&self, key: &str) -> Result<(), object_store::Error> {
        self.objects.delete(&ObjectPath::from(key)).await
    }

    /// A whole stored object (a poster: small).
    pub async fn object(&self, key: &str) -> Result<bytes::Bytes, object_store::Error> {
        self.objects.get(&ObjectPath::from(key)).await?.bytes().await
    }

    /// Bytes `range` of a stored object (video, preview or poster).
    pub async fn object_range(&self, key: &str, range: Range<u64>) -> Result<bytes::Bytes, object_store::Error> {
        self.objects.get_range(&ObjectPath::from(key), range).await
    }
}

#[async_trait]
impl ClipStore for PgClipStore {
    async fn save_draft(&self, draft: ClipDraft) -> Result<Uuid, StoreError> {
        let id = Uuid::new_v4();
        // Grant ids are drawn now so the C2PA manifest can name them; the rows are written
        // with the clip's, in one transaction.
        let grants: Vec<(Uuid, Uuid)> = draft.avatars.iter().map(|l| (l.avatar, Uuid::new_v4())).collect();
        let mark = self.marking.clip_mark(id);
        let claims = provenance::ClipClaims {
            clip_id: id.to_string(),
            model_id: draft.model_id.clone(),
            seed: draft.seed,
            steps: draft.steps,
            script_sha256: sha256_hex(draft.script.to_string().as_bytes()),
            creator: format!("@{}", self.username(draft.owner_id).await.map_err(unavailable)?),
            grant_ids: grants.iter().map(|(_, g)| g.to_string()).collect(),
            watermark_tag: Some(mark.tag),
        };
        // A remix is signed as an edit of its parent's signed video: the chain verifies offline.
        let parent_video = match draft.parent {
            Some(parent) => self.signed_video(parent).await,
            None => None,
        };
        let (frames, size, fps) = (draft.frames.clone(), draft.size, draft.fps);
        let authority = self.marking.authority.clone();
        let (video, preview, poster) = tokio::task::spawn_blocking(move || {
            let mut video = media::encode_mp4_marked(&frames, size, fps, &mark).map_err(unavailable)?;
            video.mp4 =
                provenance::sign_mp4(&authority, &video.mp4, &claims, parent_video.as_deref()).map_err(unavailable)?;
            let mut preview = media::encode_preview_marked(&frames, size, fps, &mark).map_err(unavailable)?;
            // The feed loop is signed too, with the clip's own claims. Not as an edit of the clip:
            // that would embed the clip's manifest chain and make a remix's preview as large as
            // its video (previews must stay small).
            preview.mp4 = provenance::sign_mp4(&authority, &preview.mp4, &claims, None).map_err(unavailable)?;
            let poster = media::poster_png_marked(&frames, size, &mark).map_err(unavailable)?;
            Ok::<_, StoreError>((video, preview, poster))
        })
        .await
        .map_err(unavailable)??;
        let key = format!("clips/{id}.mp4");
        let frames_key = format!("clips/{id}.rgb");
        let preview_key = format!("clips/{id}.preview.mp4");
        let poster_key = format!("clips/{id}.poster.png");
        let bytes = video.mp4.len() as i64;
        let preview_bytes = preview.mp4.len() as i64;
        // The model's own frames are kept too, so a remix starts from exactly them (not a
        // decoded MP4).
        let objects: [(&str, bytes::Bytes); 4] = [
            (&key, video.mp4.into()),
            (&preview_key, preview.mp4.into()),
            (&poster_key, poster.into()),
            (&frames_key, draft.frames.to_vec().into()),
        ];
        for (path, body) in objects {
            self.objects
                .put(&ObjectPath::from(path), body.into())
                .await
                .map_err(unavailable)?;
        }
        let mut conn = self.db.conn().await.map_err(unavailable)?;
        let txn = conn.transaction().await.map_err(unavailable)?;
        txn.execute(
            "INSERT INTO clips (id, owner_id, room_id, script, seed, model_id, steps, guidance, duration_s, frames,
                                width, height, video_key, video_bytes, frames_key, parent_id,
                                preview_key, preview_bytes, poster_key, watermark_tag)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
            &[
                &id,
                &draft.owner_id,
                &draft.room_id,
                &draft.script,
                &(draft.seed as i64),
                &draft.model_id,
                &(draft.steps as i32),
                &draft.guidance,
                &video.duration_s,
                &(video.frames as i32),
                &(video.width as i32),
                &(video.height as i32),
                &key,
                &bytes,
                &frames_key,
                &draft.parent,
                &preview_key,
                &preview_bytes,
                &poster_key,
                &i64::from(crate::marking::watermark_tag(id)),
            ],
        )
        .await
        .map_err(unavailable)?;
        super::consent::record_casts(&txn, &self.key, id, draft.owner_id, draft.parent, &grants)
            .await
            .map_err(unavailable)?;
        txn.commit().await.map_err(unavailable)?;
        Ok(id)
    }

    async fn source_frames(&self, clip: Uuid) -> Result<Vec<u8>, StoreError> {
        let conn = self.db.conn().await.map_err(unavailable)?;
        let key: Option<String> = conn
            .query_opt(
                "SELECT frames_key FROM clips WHERE id = $1 AND status <> 'removed'",
                &[&clip],
            )
            .await
            .map_err(unavailable)?
            .and_then(|r| r.get(0));
        let key = key.ok_or(StoreError::NotFound)?;
        let bytes = self
            .objects
            .get(&ObjectPath::from(key.as_str()))
            .await
            .map_err(unavailable)?
            .bytes()
            .await
            .map_err(unavailable)?;
        Ok(bytes.to_vec())
    }
}
