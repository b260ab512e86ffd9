//! Avatars in Postgres: recording challenges, the avatar rows the extraction thread fills in,
//! permissions (audience + approved/blocked lists + rules) and the facts the permission
//! decision needs. Called by the avatar routes, the extraction thread and the casting service.

use protocol::avatar::{Audience, AvatarPermissions, AvatarStatus, ChallengeStep, FailReason};
use tokio_postgres::Row;
use uuid::Uuid;

use super::{Db, DbError};
use crate::cameo::permission::Caster;

/// An avatar row.
#[derive(Debug, Clone)]
pub struct AvatarRow {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub handle: String,
    pub status: AvatarStatus,
    pub reason: Option<FailReason>,
    pub message: Option<String>,
    pub progress: f32,
    pub audience: Audience,
    pub rules: String,
    pub crop_keys: Vec<String>,
    pub extraction: Option<serde_json::Value>,
    pub created_at: String,
}

const COLUMNS: &str = "a.id, a.owner_id, u.username, a.status, a.reason, a.message, a.progress, a.audience,
    a.rules, a.crop_keys, a.extraction, to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

fn status(s: &str) -> AvatarStatus {
    match s {
        "ready" => AvatarStatus::Ready,
        "failed" => AvatarStatus::Failed,
        "processing" => AvatarStatus::Processing,
        _ => AvatarStatus::Revoked,
    }
}

fn avatar(r: &Row) -> AvatarRow {
    let reason: Option<String> = r.get(4);
    AvatarRow {
        id: r.get(0),
        owner_id: r.get(1),
        handle: r.get(2),
        status: status(r.get(3)),
        reason: reason.and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok()),
        message: r.get(5),
        progress: r.get(6),
        audience: Audience::parse(r.get(7)).unwrap_or(Audience::OnlyMe),
        rules: r.get(8),
        crop_keys: r.get(9),
        extraction: r.get(10),
        created_at: r.get(11),
    }
}

/// What the extraction thread stores for a ready avatar.
#[derive(Debug)]
pub struct Extracted {
    pub reference: Vec<u8>,
    pub crop_keys: Vec<String>,
    pub embedding: Vec<f32>,
    pub extraction: serde_json::Value,
}

impl Db {
    /// Stores a new challenge for `user`.
    pub async fn create_challenge(
        &self,
        id: Uuid,
        user: Uuid,
        steps: &[ChallengeStep],
        ttl_secs: u64,
    ) -> Result<String, DbError> {
        let steps = serde_json::to_value(steps).unwrap_or_default();
        let row = self
            .conn()
            .await?
            .query_one(
                "INSERT INTO avatar_challenges (id, user_id, steps, expires_at)
                 VALUES ($1, $2, $3, now() + make_interval(secs => $4))
                 RETURNING to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
                &[&id, &user, &steps, &(ttl_secs as f64)],
            )
            .await?;
        Ok(row.get(0))
    }

    /// Uses `user`'s unexpired, unused challenge once; its steps, or `None`.
    pub async fn take_challenge(&self, id: Uuid, user: Uuid) -> Result<Option<Vec<ChallengeStep>>, DbError> {
        let row = self
            .conn()
            .await?
            .query_opt(
                "UPDATE avatar_challenges SET used_at = now()
                  WHERE id = $1 AND user_id = $2 AND used_at IS NULL AND expires_at > now()
                  RETURNING steps",
                &[&id, &user],
            )
            .await?;
        Ok(row.and_then(|r| serde_json::from_value(r.get(0)).ok()))
    }

    /// A new avatar, processing.
    pub async fn insert_avatar(
        &self,
        id: Uuid,
        owner: Uuid,
        challenge: Uuid,
        raw_key: Option<&str>,
        keep_raw: bool,
    ) -> Result<(), DbError> {
        self.conn()
            .await?
            .execute(
                "INSERT INTO avatars (id, owner_id, challenge_id, raw_key, keep_raw) VALUES ($1, $2, $3, $4, $5)",
                &[&id, &owner, &challenge, &raw_key, &keep_raw],
            )
            .await?;
        Ok(())
    }

    pub async fn avatar_progress(&self, id: Uuid, progress: f32) -> Result<(), DbError> {
        self.conn()
            .await?
            .execute(
                "UPDATE avatars SET progress = $2 WHERE id = $1 AND status = 'processing'",
                &[&id, &progress],
            )
            .await?;
        Ok(())
    }

    /// Extraction refused the recording; nothing of it is kept.
    pub async fn avatar_failed(&self, id: Uuid, reason: FailReason, message: &str) -> Result<(), DbError> {
        let reason = serde_json::to_value(reason)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned));
        self.conn()
            .await?
            .execute(
                "UPDATE avatars SET status = 'failed', reason = $2, message = $3, progress = 1,
                        raw_key = NULL, updated_at = now() WHERE id = $1 AND status = 'processing'",
                &[&id, &reason, &message],
            )
            .await?;
        Ok(())
    }

    /// Extraction succeeded.
    pub async fn avatar_ready(&self, id: Uuid, x: &Extracted, raw_kept: bool) -> Result<(), DbError> {
        self.conn()
            .await?
            .execute(
                "UPDATE avatars SET status = 'ready', progress = 1, reference = $2, crop_keys = $3,
                        embedding = $4, extraction = $5, raw_key = CASE WHEN $6 THEN raw_key END,
                        updated_at = now()
                  WHERE id = $1 AND status = 'processing'",
                &[&id, &x.reference, &x.crop_keys, &x.embedding, &x.extraction, &raw_kept],
            )
            .await?;
        Ok(())
    }

    /// One avatar (deleted ones are gone).
    pub async fn avatar(&self, id: Uuid) -> Result<Option<AvatarRow>, DbError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM avatars a JOIN users u ON u.id = a.owner_id WHERE a.id = $1 AND a.status <> 'deleted'"
        );
        Ok(self.conn().await?.query_opt(&sql, &[&id]).await?.map(|r| avatar(&r)))
    }

    /// The owner's avatars, newest first.
    pub async fn avatars_of(&self, owner: Uuid) -> Result<Vec<AvatarRow>, DbError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM avatars a JOIN users u ON u.id = a.owner_id
              WHERE a.owner_id = $1 AND a.status <> 'deleted' ORDER BY a.created_at DESC LIMIT 20"
        );
        Ok(self
            .conn()
            .await?
            .query(&sql, &[&owner])
            .await?
            .iter()
            .map(avatar)
            .collect())
    }

    /// The avatar `@handle` names: its owner's newest ready (or revoked) avatar.
    pub async fn avatar_by_handle(&self, handle: &str) -> Result<Option<AvatarRow>, DbError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM avatars a JOIN users u ON u.id = a.owner_id
              WHERE u.username = $1 AND a.status IN ('ready', 'revoked')
              ORDER BY (a.status = 'ready') DESC, a.created_at DESC LIMIT 1"
        );
        Ok(self
            .conn()
            .await?
            .query_opt(&sql, &[&handle])
            .await?
            .map(|r| avatar(&r)))
    }

    /// The video model's reference crop of a ready avatar.
    pub async fn avatar_reference(&self, id: Uuid) -> Result<Option<Vec<u8>>, DbError> {
        let row = self
            .conn()
            .await?
            .query_opt(
                "SELECT reference FROM avatars WHERE id = $1 AND status = 'ready'",
                &[&id],
            )
            .await?;
        Ok(row.and_then(|r| r.get(0)))
    }

    /// The owner's approved and blocked usernames.
    pub async fn avatar_lists(&self, id: Uuid) -> Result<(Vec<String>, Vec<String>), DbError> {
        let rows = self
            .conn()
            .await?
            .query(
                "SELECT u.username, x.allowed FROM avatar_access x JOIN users u ON u.id = x.user_id
                  WHERE x.avatar_id = $1 ORDER BY u.username",
                &[&id],
            )
            .await?;
        let (mut approved, mut blocked) = (Vec::new(), Vec::new());
        for r in rows {
            if r.get::<_, bool>(1) {
                approved.push(r.get(0));
            } else {
                blocked.push(r.get(0));
            }
        }
        Ok((approved, blocked))
    }

    /// Replaces the permissions; `Err(Some(name))` names an unknown username.
    pub async fn set_avatar_permissions(&self, id: Uuid, p: &AvatarPermissions) -> Result<Result<(), String>, DbError> {
        let mut conn = self.conn().await?;
        let txn = conn.transaction().await?;
        txn.execute(
            "UPDATE avatars SET audience = $2, rules = $3, updated_at = now() WHERE id = $1",
            &[&id, &p.who.as_str(), &p.rules],
        )
        .await?;
        txn.execute("DELETE FROM avatar_access WHERE avatar_id = $1", &[&id])
            .await?;
        for (names, allowed) in [(&p.approved, true), (&p.blocked, false)] {
            for name in names {
                let n = txn
                    .execute(
                        "INSERT INTO avatar_access (avatar_id, user_id, allowed)
                         SELECT $1, id, $3 FROM users WHERE username = $2
                         ON CONFLICT (avatar_id, user_id) DO UPDATE SET allowed = avatar_access.allowed AND $3",
                        &[&id, name, &allowed],
                    )
                    .await?;
                if n == 0 {
                    return Ok(Err(name.clone()));
                }
            }
        }
        txn.commit().await?;
        Ok(Ok(()))
    }

    /// What the permission decision needs to know about `caster` and avatar `id`.
    pub async fn caster_facts(
        &self,
        id: Uuid,
        caster: Uuid,
    ) -> Result<Option<(AvatarStatus, Audience, Caster)>, DbError> {
        let row = self
            .conn()
            .await?
            .query_opt(
                "SELECT a.status, a.audience, a.owner_id = $2,
                        COALESCE((SELECT allowed FROM avatar_access x WHERE x.avatar_id = a.id AND x.user_id = $2), false),
                        COALESCE((SELECT NOT allowed FROM avatar_access x WHERE x.avatar_id = a.id AND x.user_id = $2), false),
                        EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $2 AND f.followee_id = a.owner_id)
                          AND EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = a.owner_id AND f.followee_id = $2)
                   FROM avatars a WHERE a.id = $1 AND a.status <> 'deleted'",
                &[&id, &caster],
            )
            .await?;
        Ok(row.map(|r| {
            (
                status(r.get(0)),
                Audience::parse(r.get(1)).unwrap_or(Audience::OnlyMe),
                Caster {
                    is_owner: r.get(2),
                    approved: r.get(3),
                    blocked: r.get(4),
                    mutual: r.get(5),
                },
            )
        }))
    }

    /// Ready avatars that might be castable by `caster` (the caller filters with `permits`).
    pub async fn castable_candidates(&self, caster: Uuid) -> Result<Vec<AvatarRow>, DbError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM avatars a JOIN users u ON u.id = a.owner_id
              WHERE a.status = 'ready' AND (a.owner_id = $1 OR a.audience = 'everyone'
                 OR a.audience = 'mutuals' AND EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = a.owner_id)
                 OR EXISTS (SELECT 1 FROM avatar_access x WHERE x.avatar_id = a.id AND x.user_id = $1 AND x.allowed))
              ORDER BY (a.owner_id = $1) DESC, u.username LIMIT 200"
        );
        Ok(self
            .conn()
            .await?
            .query(&sql, &[&caster])
            .await?
            .iter()
            .map(avatar)
            .collect())
    }

    /// Ready avatars owned by `a` or `b` whose audience is `mutuals` (a follow changed).
    pub async fn mutual_avatars(&self, a: Uuid, b: Uuid) -> Result<Vec<Uuid>, DbError> {
        let rows = self
            .conn()
            .await?
            .query(
                "SELECT id FROM avatars WHERE owner_id IN ($1, $2) AND audience = 'mutuals' AND status = 'ready'",
                &[&a, &b],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// The likeness embeddings of the reporter's ready avatars and of the avatars a clip casts.
    pub async fn embeddings(&self, owner: Option<Uuid>, clip: Option<Uuid>) -> Result<Vec<(Uuid, Vec<f32>)>, DbError> {
        let rows = self
            .conn()
            .await?
            .query(
                "SELECT a.id, a.embedding FROM avatars a
                  WHERE a.embedding IS NOT NULL AND (a.owner_id = $1 AND a.status = 'ready'
                     OR a.id IN (SELECT avatar_id FROM clip_avatars WHERE clip_id = $2))",
                &[&owner, &clip],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}
