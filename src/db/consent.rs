//! Consent in Postgres: the signed grant each avatar use creates (written in the same
//! transaction as the clip), the hash-chained audit log, revocation with its cascade through
//! remixes, the owner's removal of one use, and notices. Called by the clip store and the
//! avatar routes; signatures come from [`ServerKey`].

use deadpool_postgres::GenericClient;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Db, DbError};
use crate::cameo::signing::ServerKey;

/// Serialises audit-log appends (one chain).
const AUDIT_LOCK: i64 = 0x7265_656c_6175_6474;

/// Appends `kind` + canonical JSON `payload` to the audit log inside the caller's transaction.
pub async fn audit(
    txn: &impl GenericClient,
    key: &ServerKey,
    kind: &str,
    payload: &serde_json::Value,
) -> Result<i64, DbError> {
    txn.execute("SELECT pg_advisory_xact_lock($1)", &[&AUDIT_LOCK]).await?;
    let prev: Vec<u8> = txn
        .query_opt("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1", &[])
        .await?
        .map_or_else(|| vec![0; 32], |r| r.get(0));
    let payload = payload.to_string();
    let hash = Sha256::new()
        .chain_update(&prev)
        .chain_update(kind.as_bytes())
        .chain_update(payload.as_bytes())
        .finalize()
        .to_vec();
    let signature = key.sign(&hash);
    let row = txn
        .query_one(
            "INSERT INTO audit_log (kind, payload, prev_hash, hash, signature) VALUES ($1, $2, $3, $4, $5) RETURNING seq",
            &[&kind, &payload, &prev, &hash, &signature],
        )
        .await?;
    Ok(row.get(0))
}

/// Tells `user` something.
pub async fn notify(
    txn: &impl GenericClient,
    user: Uuid,
    kind: &str,
    text: &str,
    clip: Option<Uuid>,
) -> Result<(), DbError> {
    txn.execute(
        "INSERT INTO notices (id, user_id, kind, text, clip_id) VALUES ($1, $2, $3, $4, $5)",
        &[&Uuid::new_v4(), &user, &kind, &text, &clip],
    )
    .await?;
    Ok(())
}

/// Records the uses of a just-inserted clip (same transaction): one signed grant per cast
/// avatar, the remix parent's avatars inherited, and the clip hidden at once when any of them
/// was revoked meanwhile (the avatar rows are locked first, so a revocation that commits
/// concurrently waits for this transaction and then sees the clip).
pub async fn record_casts(
    txn: &impl GenericClient,
    key: &ServerKey,
    clip: Uuid,
    caster: Uuid,
    parent: Option<Uuid>,
    grants: &[(Uuid, Uuid)],
) -> Result<(), DbError> {
    let mut all: Vec<Uuid> = grants.iter().map(|(a, _)| *a).collect();
    if let Some(parent) = parent {
        for r in txn
            .query("SELECT avatar_id FROM clip_avatars WHERE clip_id = $1", &[&parent])
            .await?
        {
            all.push(r.get(0));
        }
    }
    if all.is_empty() {
        return Ok(());
    }
    txn.query("SELECT 1 FROM avatars WHERE id = ANY($1) FOR SHARE", &[&all])
        .await?;
    for (avatar, grant) in grants {
        let Some(row) = txn
            .query_opt(
                "SELECT a.owner_id, a.audience, u.username,
                        (SELECT username FROM users WHERE id = $2),
                        to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')
                   FROM avatars a JOIN users u ON u.id = a.owner_id WHERE a.id = $1",
                &[avatar, &caster],
            )
            .await?
        else {
            continue;
        };
        let (owner, audience, handle, cast_by, at): (Uuid, String, String, String, String) =
            (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
        // The exact string signed is stored and served: verification never re-serialises.
        let payload = serde_json::json!({
            "audience": audience,
            "avatar_id": avatar.to_string(),
            "cast_by": cast_by,
            "clip_id": clip.to_string(),
            "grant_id": grant.to_string(),
            "granted_at": at,
            "owner": handle,
        })
        .to_string();
        let signature = key.sign(payload.as_bytes());
        txn.execute(
            "INSERT INTO grants (id, avatar_id, owner_id, cast_by, clip_id, audience, payload, signature)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[grant, avatar, &owner, &caster, &clip, &audience, &payload, &signature],
        )
        .await?;
        txn.execute(
            "INSERT INTO clip_avatars (clip_id, avatar_id, grant_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&clip, avatar, grant],
        )
        .await?;
        audit(
            txn,
            key,
            "grant",
            &serde_json::json!({"grant_id": grant.to_string(), "avatar_id": avatar.to_string(), "clip_id": clip.to_string()}),
        )
        .await?;
        if owner != caster {
            notify(
                txn,
                owner,
                "cast",
                &format!("@{cast_by} cast your avatar in a clip"),
                Some(clip),
            )
            .await?;
        }
    }
    if let Some(parent) = parent {
        txn.execute(
            "INSERT INTO clip_avatars (clip_id, avatar_id, grant_id)
             SELECT $1, avatar_id, grant_id FROM clip_avatars WHERE clip_id = $2 ON CONFLICT DO NOTHING",
            &[&clip, &parent],
        )
        .await?;
    }
    txn.execute(
        "UPDATE clips SET hidden_at = now(), hidden_reason = 'avatar_revoked'
          WHERE id = $1 AND EXISTS (SELECT 1 FROM clip_avatars ca JOIN avatars a ON a.id = ca.avatar_id
                                     WHERE ca.clip_id = $1 AND a.status IN ('revoked', 'deleted'))",
        &[&clip],
    )
    .await?;
    Ok(())
}

/// The clips a revocation hides: those casting the avatar and every remix below them.
const USES_AND_REMIXES: &str = "WITH RECURSIVE tree(id) AS (
        SELECT clip_id FROM clip_avatars WHERE avatar_id = $1
        UNION SELECT c.id FROM clips c JOIN tree t ON c.parent_id = t.id)";

/// A stored grant.
#[derive(Debug, Clone)]
pub struct GrantRow {
    pub id: Uuid,
    pub avatar_id: Uuid,
    pub owner: String,
    pub cast_by: String,
    pub clip_id: Option<Uuid>,
    pub audience: String,
    pub granted_at: String,
    pub payload: String,
    pub signature: Vec<u8>,
}

/// One clip that uses an avatar, for its owner.
#[derive(Debug, Clone)]
pub struct UseRow {
    pub clip_id: Uuid,
    pub grant_id: Uuid,
    pub author: String,
    pub status: String,
    pub hidden: bool,
    pub has_poster: bool,
    pub created_at: String,
}

impl Db {
    /// Revokes (or deletes) an avatar: in one transaction, marks it, hides every clip that
    /// uses it and every remix of those, logs it and tells the clips' authors. Returns how many
    /// clips were hidden.
    pub async fn revoke_avatar(&self, key: &ServerKey, avatar: Uuid, delete: bool) -> Result<u64, DbError> {
        let mut conn = self.conn().await?;
        let txn = conn.transaction().await?;
        let status = if delete { "deleted" } else { "revoked" };
        txn.execute(
            "UPDATE avatars SET status = $2, updated_at = now(),
                    embedding = CASE WHEN $3 THEN NULL ELSE embedding END,
                    reference = CASE WHEN $3 THEN NULL ELSE reference END
              WHERE id = $1",
            &[&avatar, &status, &delete],
        )
        .await?;
        let authors = txn
            .query(
                &format!(
                    "{USES_AND_REMIXES}
                     UPDATE clips c SET hidden_at = now(), hidden_reason = 'avatar_revoked'
                      FROM tree WHERE c.id = tree.id AND c.hidden_at IS NULL
                      RETURNING c.id, c.owner_id"
                ),
                &[&avatar],
            )
            .await?;
        for r in &authors {
            notify(
                &txn,
                r.get(1),
                "avatar_revoked",
                "An avatar in this clip was withdrawn by its owner, so the clip is hidden",
                Some(r.get(0)),
            )
            .await?;
        }
        audit(
            &txn,
            key,
            if delete { "avatar_deleted" } else { "revocation" },
            &serde_json::json!({"avatar_id": avatar.to_string(), "clips_hidden": authors.len()}),
        )
        .await?;
        txn.commit().await?;
        Ok(authors.len() as u64)
    }

    /// Re-enables a revoked avatar (hidden clips stay hidden).
    pub async fn enable_avatar(&self, key: &ServerKey, avatar: Uuid) -> Result<bool, DbError> {
        let mut conn = self.conn().await?;
        let txn = conn.transaction().await?;
        let n = txn
            .execute(
                "UPDATE avatars SET status = 'ready', updated_at = now()
                  WHERE id = $1 AND status = 'revoked' AND reference IS NOT NULL",
                &[&avatar],
            )
            .await?;
        if n > 0 {
            audit(
                &txn,
                key,
                "reenabled",
                &serde_json::json!({"avatar_id": avatar.to_string()}),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(n > 0)
    }

    /// Every clip that uses the avatar, drafts of other people included, newest first.
    pub async fn avatar_uses(&self, avatar: Uuid) -> Result<Vec<UseRow>, DbError> {
        let rows = self
            .conn()
            .await?
            .query(
                "SELECT c.id, ca.grant_id, u.username, c.status, c.hidden_at IS NOT NULL, c.poster_key IS NOT NULL,
                        to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
                   FROM clip_avatars ca JOIN clips c ON c.id = ca.clip_id JOIN users u ON u.id = c.owner_id
                  WHERE ca.avatar_id = $1 ORDER BY c.created_at DESC LIMIT 500",
                &[&avatar],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| UseRow {
                clip_id: r.get(0),
                grant_id: r.get(1),
                author: r.get(2),
                status: r.get(3),
                hidden: r.get(4),
                has_poster: r.get(5),
                created_at: r.get(6),
            })
            .collect())
    }

    /// The owner removes one use: the clip becomes `removed` (row kept for remix chains) and
    /// its author is told why. Returns the clip's object keys to delete, or `None` if the clip
    /// does not use the avatar.
    pub async fn remove_use(&self, key: &ServerKey, avatar: Uuid, clip: Uuid) -> Result<Option<Vec<String>>, DbError> {
        let mut conn = self.conn().await?;
        let txn = conn.transaction().await?;
        let Some(row) = txn
            .query_opt(
                "SELECT c.owner_id, c.video_key, c.preview_key, c.poster_key, c.frames_key, c.download_key
                   FROM clip_avatars ca JOIN clips c ON c.id = ca.clip_id
                  WHERE ca.avatar_id = $1 AND ca.clip_id = $2 FOR UPDATE OF c",
                &[&avatar, &clip],
            )
            .await?
        else {
            return Ok(None);
        };
        let keys: Vec<String> = (1..6).filter_map(|i| row.get::<_, Option<String>>(i)).collect();
        txn.execute(
            "UPDATE clips SET status = 'removed', hidden_at = COALESCE(hidden_at, now()),
                    hidden_reason = COALESCE(hidden_reason, 'removed_by_avatar_owner'),
                    poster_key = NULL, preview_key = NULL, download_key = NULL
              WHERE id = $1",
            &[&clip],
        )
        .await?;
        notify(
            &txn,
            row.get(0),
            "use_removed",
            "The person whose avatar appears in this clip removed it",
            Some(clip),
        )
        .await?;
        audit(
            &txn,
            key,
            "use_removed",
            &serde_json::json!({"avatar_id": avatar.to_string(), "clip_id": clip.to_string()}),
        )
        .await?;
        txn.commit().await?;
        Ok(Some(keys))
    }

    /// The poster of a clip that uses `avatar` (for the avatar's owner).
    pub async fn use_poster_key(&self, avatar: Uuid, clip: Uuid) -> Result<Option<String>, DbError> {
        let row = self
            .conn()
            .await?
            .query_opt(
                "SELECT c.poster_key FROM clip_avatars ca JOIN clips c ON c.id = ca.clip_id
                  WHERE ca.avatar_id = $1 AND ca.clip_id = $2 AND c.status <> 'removed'",
                &[&avatar, &clip],
            )
            .await?;
        Ok(row.and_then(|r| r.get(0)))
    }

    /// The newest clip whose pixels carry watermark `tag`.
    pub async fn clip_by_watermark_tag(&self, tag: i64) -> Result<Option<Uuid>, DbError> {
        let row = self
            .conn()
            .await?
            .query_opt(
                "SELECT id FROM clips WHERE watermark_tag = $1 ORDER BY created_at DESC LIMIT 1",
                &[&tag],
            )
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Whether the clip is a public post anyone may see (the detector links only those).
    pub async fn is_public_post(&self, clip: Uuid) -> Result<bool, DbError> {
        let row = self
            .conn()
            .await?
            .query_opt(
                "SELECT 1 FROM clips WHERE id = $1 AND status = 'posted' AND visibility = 'public' AND hidden_at IS NULL",
                &[&clip],
            )
            .await?;
        Ok(row.is_some())
    }

    /// A grant by id.
    pub async fn grant(&self, id: Uuid) -> Result<Option<GrantRow>, DbError> {
        let row = self
            .conn()
            .await?
            .query_opt(
                "SELECT g.id, g.avatar_id, o.username, c.username, g.clip_id, g.audience,
                        to_char(g.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), g.payload, g.signature
                   FROM grants g JOIN users o ON o.id = g.owner_id JOIN users c ON c.id = g.cast_by
                  WHERE g.id = $1",
                &[&id],
            )
            .await?;
        Ok(row.map(|r| GrantRow {
            id: r.get(0),
            avatar_id: r.get(1),
            owner: r.get(2),
            cast_by: r.get(3),
            clip_id: r.get(4),
            audience: r.get(5),
            granted_at: r.get(6),
            payload: r.get(7),
            signature: r.get(8),
        }))
    }

    /// The caller's latest notices.
    pub async fn notices(&self, user: Uuid) -> Result<Vec<protocol::Notice>, DbError> {
        let rows = self
            .conn()
            .await?
            .query(
                "SELECT id, kind, text, clip_id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
                   FROM notices WHERE user_id = $1 ORDER BY created_at DESC LIMIT 50",
                &[&user],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| protocol::Notice {
                id: r.get::<_, Uuid>(0).to_string(),
                kind: r.get(1),
                text: r.get(2),
                clip_id: r.get::<_, Option<Uuid>>(3).map(|c| c.to_string()),
                created_at: r.get(4),
            })
            .collect())
    }

    /// Files a report; `hide` hides the clip at once (pending review).
    pub async fn file_report(
        &self,
        reporter: Uuid,
        report: &protocol::NewReport,
        clip: Uuid,
        hide: Option<Uuid>,
    ) -> Result<Uuid, DbError> {
        let mut conn = self.conn().await?;
        let txn = conn.transaction().await?;
        let id = Uuid::new_v4();
        let reason = match report.reason {
            protocol::ReportReason::Likeness => "likeness",
            protocol::ReportReason::Other => "other",
        };
        let status = if hide.is_some() { "hidden" } else { "queued" };
        txn.execute(
            "INSERT INTO reports (id, reporter_id, target, target_id, reason, details, status, matched_avatar)
             VALUES ($1, $2, 'clip', $3, $4, $5, $6, $7)",
            &[&id, &reporter, &clip, &reason, &report.details, &status, &hide],
        )
        .await?;
        if hide.is_some() {
            txn.execute(
                "UPDATE clips SET hidden_at = COALESCE(hidden_at, now()),
                        hidden_reason = COALESCE(hidden_reason, 'likeness_report') WHERE id = $1",
                &[&clip],
            )
            .await?;
        }
        txn.commit().await?;
        Ok(id)
    }
}
