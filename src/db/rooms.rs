//! Rooms and their members.

use protocol::{MemberView, Role, RoomView};
use uuid::Uuid;

use super::{Db, DbError};

fn role(name: &str) -> Role {
    Role::parse(name).unwrap_or(Role::Viewer) // the CHECK constraint makes other values impossible
}

impl Db {
    /// Creates a room owned by `owner`.
    pub async fn create_room(&self, owner: Uuid, title: &str) -> Result<Uuid, DbError> {
        let id = Uuid::new_v4();
        let mut conn = self.conn().await?;
        let txn = conn.transaction().await?;
        txn.execute(
            "INSERT INTO rooms (id, title, owner_id) VALUES ($1, $2, $3)",
            &[&id, &title, &owner],
        )
        .await?;
        txn.execute(
            "INSERT INTO room_members (room_id, user_id, role) VALUES ($1, $2, 'owner')",
            &[&id, &owner],
        )
        .await?;
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
    /// Returns false if the user is the owner.
    pub async fn set_member(&self, room: Uuid, user: Uuid, new_role: Role) -> Result<bool, DbError> {
        let changed = self
            .conn()
            .await?
            .execute(
                "INSERT INTO room_members (room_id, user_id, role) VALUES ($1, $2, $3)
                 ON CONFLICT (room_id, user_id) DO UPDATE SET role = EXCLUDED.role
                 WHERE room_members.role <> 'owner'",
                &[&room, &user, &new_role.as_str()],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Adds `user` to `room` as a viewer unless they are a member already; returns their role
    /// afterwards (`None` if the room does not exist).
    pub async fn join_as_viewer(&self, room: Uuid, user: Uuid) -> Result<Option<Role>, DbError> {
        self.conn()
            .await?
            .execute(
                "INSERT INTO room_members (room_id, user_id, role)
                 SELECT id, $2, 'viewer' FROM rooms WHERE id = $1
                 ON CONFLICT (room_id, user_id) DO NOTHING",
                &[&room, &user],
            )
            .await?;
        Ok(self.room_access(room, user).await?.and_then(|(_, role)| role))
    }

    /// Removes a non-owner member; returns whether a row was removed.
    pub async fn remove_member(&self, room: Uuid, user: Uuid) -> Result<bool, DbError> {
        let removed = self
            .conn()
            .await?
            .execute(
                "DELETE FROM room_members WHERE room_id = $1 AND user_id = $2 AND role <> 'owner'",
                &[&room, &user],
            )
            .await?;
        Ok(removed == 1)
    }
}
