//! Users and browser sessions.

use tokio_postgres::Row;
use uuid::Uuid;

use super::{Db, DbError};

/// How long a browser session lasts.
pub const SESSION_TTL_DAYS: i32 = 30;

/// A stored user.
#[derive(Debug, Clone)]
pub struct User {
    /// Id.
    pub id: Uuid,
    /// Unique name.
    pub username: String,
}

fn user(row: &Row) -> User {
    User {
        id: row.get("id"),
        username: row.get("username"),
    }
}

impl Db {
    /// Creates a user; `DbError::Conflict` if the name is taken.
    pub async fn create_user(&self, username: &str, password_hash: &str) -> Result<User, DbError> {
        let id = Uuid::new_v4();
        self.conn()
            .await?
            .execute(
                "INSERT INTO users (id, username, password_hash) VALUES ($1, $2, $3)",
                &[&id, &username, &password_hash],
            )
            .await
            .map_err(DbError::from_pg)?;
        Ok(User {
            id,
            username: username.to_string(),
        })
    }

    /// A user and their password hash, by name.
    pub async fn user_with_hash(&self, username: &str) -> Result<Option<(User, String)>, DbError> {
        let row = self
            .conn()
            .await?
            .query_opt(
                "SELECT id, username, password_hash FROM users WHERE username = $1",
                &[&username],
            )
            .await?;
        Ok(row.map(|r| (user(&r), r.get("password_hash"))))
    }

    /// A user by name.
    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>, DbError> {
        let row = self
            .conn()
            .await?
            .query_opt("SELECT id, username FROM users WHERE username = $1", &[&username])
            .await?;
        Ok(row.as_ref().map(user))
    }

    /// A user by id.
    pub async fn user_by_id(&self, id: Uuid) -> Result<Option<User>, DbError> {
        let row = self
            .conn()
            .await?
            .query_opt("SELECT id, username FROM users WHERE id = $1", &[&id])
            .await?;
        Ok(row.as_ref().map(user))
    }

    /// Stores a browser session (by the token's hash).
    pub async fn create_session(&self, user_id: Uuid, token_hash: &[u8]) -> Result<(), DbError> {
        self.conn()
            .await?
            .execute(
                "INSERT INTO auth_sessions (token_hash, user_id, expires_at)
                 VALUES ($1, $2, now() + make_interval(days => $3))",
                &[&token_hash, &user_id, &SESSION_TTL_DAYS],
            )
            .await?;
        Ok(())
    }

    /// The user of an unexpired session.
    pub async fn session_user(&self, token_hash: &[u8]) -> Result<Option<User>, DbError> {
        let row = self
            .conn()
            .await?
            .query_opt(
                "SELECT u.id, u.username FROM auth_sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = $1 AND s.expires_at > now()",
                &[&token_hash],
            )
            .await?;
        Ok(row.as_ref().map(user))
    }

    /// Ends a session.
    pub async fn delete_session(&self, token_hash: &[u8]) -> Result<(), DbError> {
        self.conn()
            .await?
            .execute("DELETE FROM auth_sessions WHERE token_hash = $1", &[&token_hash])
            .await?;
        Ok(())
    }
}
