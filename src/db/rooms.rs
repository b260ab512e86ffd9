//! Rooms and their members, the per-account room quota, share links (stored, revocable) and
//! the record of removed members that keeps them from rejoining by link.

use protocol::{MemberView, Role, RoomView, ShareLinkInfo};
use uuid::Uuid;

use super::{Db, DbError};

fn role(name: &str) -> Role {
    Role::parse(name).unwrap_or(Role::Viewer) // the CHECK constraint makes other values impossible
}

/// Locks `owner`'s user row for the rest of `txn` and tells whether they own fewer than
/// `max_owned` rooms. Every room creation (plain or remix) takes this lock first, so
/// concurrent creations by one owner cannot pass the cap together.
pub(super) async fn room_quota_left(
    txn: &tokio_postgres::Transaction<'_>,
    owner: Uuid,
    max_owned: usize,
) -> Result<bool, DbError> {
    // NO KEY UPDATE: serialises with itself, not with rows that merely reference the user.
    txn.execute("SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE", &[&owner])
        .await?;
    let owned: i64 = txn
        .query_one("SELECT count(*) FROM rooms WHERE owner_id = $1", &[&owner])
        .await?
        .get(0);
    Ok(usize::try_from(owned).unwrap_or(usize::MAX) < max_owned)
}

/// Inserts room `id` and its owner's membership (a remix also records its source clip and
/// strength).
pub(super) async fn insert_owned_room(
    txn: &tokio_postgres::Transaction<'_>,
    id: Uuid,
    owner: Uuid,
    title: &str,
    remix: Option<(Uuid, f64)>,
) -> Result<(), DbError> {
    let (clip, strength) = (remix.map(|r| r.0), remix.map(|r| r.1));
    txn.execute(
        "INSERT INTO rooms (id, title, owner_id, remix_of, remix_strength) VALUES ($1, $2, $3, $4, $5)",
        &[&id, &title, &owner, &clip, &strength],
    )
    .await?;
    txn.execute(
        "INSERT INTO room_members (room_id, user_id, role) VALUES ($1, $2, 'owner')",
        &[&id, &owner],
    )
    .await?;
    Ok(())
}

impl Db {
    /// Creates a room owned by `owner`.
    pub async fn create_room(&self, owner: Uuid, title: &str) -> Result<Uuid, DbError> {
        let id = Uuid::new_v4();
        let mut conn = self.conn().await?;
        let txn = conn.transaction().await?;
        insert_owned_room(&txn, id, owner, title, None).await?;
        txn.commit().await?;
        Ok(id)
    }

    /// Rooms `user` belongs to, newest first.
    pub async fn rooms_of(&self, user: Uuid) -> Result<Vec<RoomView>, DbError> {
        let rows = self
            .conn()
            .await?
            .query(
                "SELECT r.id, r.title, m.role FROM room_members m JOIN rooms r ON r.id = m.room_id
                 WHERE m.user_id = $1 ORDER BY r.created_at DESC, r.id",
                &[&user],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| RoomView {
                id: r.get::<_, Uuid>("id").to_string(),
                title: r.get("title"),
                role: role(r.get("role")),
            })
            .collect())
    }

    /// The room's title and `user`'s role in it (`None` if not a member), in one query;
    /// `None` if the room does not exist.
    pub async fn room_access(&self, room: Uuid, user: Uuid) -> Result<Option<(String, Option<Role>)>, DbError> {
        let row = self
            .conn()
            .await?
            .query_opt(
                "SELECT r.title, m.role FROM rooms r
                 LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = $2
                 WHERE r.id = $1",
                &[&room, &user],
            )
            .await?;
        Ok(row.map(|r| (r.get("title"), r.get::<_, Option<&str>>("role").map(role))))
    }

    /// Members of `room`, owner first then by name.
    pub async fn members(&self, room: Uuid) -> Result<Vec<MemberView>, DbError> {
        let rows = self
            .conn()
            .await?
            .query(
                "SELECT u.username, m.role FROM room_members m JOIN users u ON u.id = m.user_id
                 WHERE m.room_id = $1 ORDER BY (m.role = 'owner') DESC, u.username",
                &[&room],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| MemberView {
                username: r.get("username"),
                role: role(r.get("role")),
            })
            .collect())
    }

    /// Adds `user` to `room` with `role`, or changes their role. Never touches the owner.
    /// Returns false if the user is the owner. The owner adding someone by name lifts an
    /// earlier removal (share links admit them again).
    pub async fn set_member(&self, room: Uuid, user: Uuid, new_role: Role) -> Result<bool, DbError> {
        let mut conn = self.conn().await?;
        let txn = conn.transaction().await?;
        let changed = txn
            .execute(
                "INSERT INTO room_members (room_id, user_id, role) VALUES ($1, $2, $3)
                 ON CONFLICT (room_id, user_id) DO UPDATE SET role = EXCLUDED.role
                 WHERE room_members.role <> 'owner'",
                &[&room, &user, &new_role.as_str()],
            )
            .await?;
        txn.execute(
            "DELETE FROM room_bans WHERE room_id = $1 AND user_id = $2",
            &[&room, &user],
        )
        .await?;
        txn.commit().await?;
        Ok(changed == 1)
    }

    /// Removes a non-owner member and records the removal (in one transaction), so that no
    /// share link admits them again; returns whether a member was removed.
    pub async fn remove_member(&self, room: Uuid, user: Uuid) -> Result<bool, DbError> {
        let mut conn = self.conn().await?;
        let txn = conn.transaction().await?;
        let removed = txn
            .execute(
                "DELETE FROM room_members WHERE room_id = $1 AND user_id = $2 AND role <> 'owner'",
                &[&room, &user],
            )
            .await?;
        if removed == 1 {
            txn.execute(
                "INSERT INTO room_bans (room_id, user_id) VALUES ($1, $2)
                 ON CONFLICT (room_id, user_id) DO UPDATE SET removed_at = now()",
                &[&room, &user],
            )
            .await?;
        }
        txn.commit().await?;
        Ok(removed == 1)
    }

    /// Creates a room owned by `owner` unless they already own `max_owned` rooms (`None`).
    /// Concurrent creations by one owner are serialised on their user row, so the cap holds.
    pub async fn create_room_within_quota(
        &self,
        owner: Uuid,
        title: &str,
        max_owned: usize,
    ) -> Result<Option<Uuid>, DbError> {
        let id = Uuid::new_v4();
        let mut conn = self.conn().await?;
        let txn = conn.transaction().await?;
        if !room_quota_left(&txn, owner, max_owned).await? {
            return Ok(None);
        }
        insert_owned_room(&txn, id, owner, title, None).await?;
        txn.commit().await?;
        Ok(Some(id))
    }

    /// Stores a share link of `room` made by `creator`: `token_hash` admits viewers until
    /// `expires_at` (Unix seconds) unless revoked. Expired and revoked links of the room are
    /// purged first; `None` if the room already has `max_live` live links.
    pub async fn create_share_link(
        &self,
        room: Uuid,
        creator: Uuid,
        token_hash: &[u8],
        expires_at: i64,
        max_live: usize,
    ) -> Result<Option<Uuid>, DbError> {
        let id = Uuid::new_v4();
        let mut conn = self.conn().await?;
        let txn = conn.transaction().await?;
        txn.execute("SELECT 1 FROM rooms WHERE id = $1 FOR NO KEY UPDATE", &[&room])
            .await?;
        txn.execute(
            "DELETE FROM share_links
             WHERE room_id = $1 AND (revoked_at IS NOT NULL OR expires_at <= now())",
            &[&room],
        )
        .await?;
        let live: i64 = txn
            .query_one("SELECT count(*) FROM share_links WHERE room_id = $1", &[&room])
            .await?
            .get(0);
        if usize::try_from(live).unwrap_or(usize::MAX) >= max_live {
            return Ok(None);
        }
        txn.execute(
            "INSERT INTO share_links (id, room_id, created_by, token_hash, expires_at)
             VALUES ($1, $2, $3, $4, to_timestamp($5::bigint))",
            &[&id, &room, &creator, &token_hash, &expires_at],
        )
        .await?;
        txn.commit().await?;
        Ok(Some(id))
    }

    /// The live (unrevoked, unexpired) share links of `room`, newest first.
    pub async fn share_links(&self, room: Uuid) -> Result<Vec<ShareLinkInfo>, DbError> {
        let rows = self
            .conn()
            .await?
            .query(
                "SELECT l.id, u.username,
                        extract(epoch FROM l.created_at)::bigint AS created_at,
                        extract(epoch FROM l.expires_at)::bigint AS expires_at
                 FROM share_links l JOIN users u ON u.id = l.created_by
                 WHERE l.room_id = $1 AND l.revoked_at IS NULL AND l.expires_at > now()
                 ORDER BY l.created_at DESC, l.id",
                &[&room],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| ShareLinkInfo {
                id: r.get::<_, Uuid>("id").to_string(),
                created_by: r.get("username"),
                created_at: r.get("created_at"),
                expires_at: r.get("expires_at"),
            })
            .collect())
    }

    /// Revokes a live share link of `room`; false if there is no such live link.
    pub async fn revoke_share_link(&self, room: Uuid, link: Uuid) -> Result<bool, DbError> {
        let revoked = self
            .conn()
            .await?
            .execute(
                "UPDATE share_links SET revoked_at = now()
                 WHERE id = $2 AND room_id = $1 AND revoked_at IS NULL AND expires_at > now()",
                &[&room, &link],
            )
            .await?;
        Ok(revoked == 1)
    }

    /// Joins `user` to `room` through the share link whose token hashes to `token_hash`: as a
    /// viewer, or keeping the role of an existing member. One statement, so a revocation or
    /// removal is either wholly before it or wholly after.
    pub async fn join_by_link(&self, room: Uuid, user: Uuid, token_hash: &[u8]) -> Result<LinkJoin, DbError> {
        let row = self
            .conn()
            .await?
            .query_one(
                "WITH link AS (
                     SELECT room_id FROM share_links
                     WHERE room_id = $1 AND token_hash = $3
                       AND revoked_at IS NULL AND expires_at > now()
                 ), added AS (
                     INSERT INTO room_members (room_id, user_id, role)
                     SELECT room_id, $2, 'viewer' FROM link
                     WHERE NOT EXISTS (SELECT 1 FROM room_bans WHERE room_id = $1 AND user_id = $2)
                     ON CONFLICT (room_id, user_id) DO NOTHING
                     RETURNING role
                 )
                 SELECT EXISTS (SELECT 1 FROM link) AS valid,
                        COALESCE((SELECT role FROM added),
                                 (SELECT role FROM room_members WHERE room_id = $1 AND user_id = $2)) AS role",
                &[&room, &user, &token_hash],
            )
            .await?;
        let role_now: Option<&str> = row.get("role");
        Ok(match (row.get::<_, bool>("valid"), role_now) {
            (false, _) => LinkJoin::InvalidLink,
            (true, Some(name)) => LinkJoin::Member(role(name)),
            // A valid link that added no one and found no membership: a recorded removal.
            (true, None) => LinkJoin::Removed,
        })
    }
}

/// What opening a share link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkJoin {
    /// The caller is a member now (or was already): their role.
    Member(Role),
    /// No live link of this room has that token (unknown, revoked, expired, other room).
    InvalidLink,
    /// The owner removed the caller; only the owner adding them back lifts that.
    Removed,
}
