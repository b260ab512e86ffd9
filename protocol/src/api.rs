//! REST request and response bodies of `/api/...`.

use serde::{Deserialize, Serialize};

use crate::Role;

/// Minimum password length accepted at sign-up.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Maximum password length (argon2 input is bounded to keep hashing cheap to refuse).
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Username length bounds; characters are `[a-z0-9_]`.
pub const MIN_USERNAME_CHARS: usize = 3;
/// See [`MIN_USERNAME_CHARS`].
pub const MAX_USERNAME_CHARS: usize = 32;
/// Maximum room title length, in characters.
pub const MAX_ROOM_TITLE_CHARS: usize = 120;

/// Whether `name` is a valid username: 3-32 characters of `[a-z0-9_]`.
pub fn is_valid_username(name: &str) -> bool {
    (MIN_USERNAME_CHARS..=MAX_USERNAME_CHARS).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// `POST /api/auth/signup` and `POST /api/auth/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Credentials {
    /// 3-32 characters of `[a-z0-9_]`.
    pub username: String,
    /// At least 8 characters.
    pub password: String,
}

/// A user as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    /// User id (UUID).
    pub id: String,
    /// Unique username.
    pub username: String,
}

/// `POST /api/rooms`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateRoom {
    /// 1-120 characters.
    pub title: String,
}

/// A room as one member sees it (`role` is the caller's role).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomView {
    /// Room id (UUID).
    pub id: String,
    /// Display title.
    pub title: String,
    /// The caller's role in this room.
    pub role: Role,
}

/// A member of a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberView {
    /// The member's username.
    pub username: String,
    /// The member's role.
    pub role: Role,
}

/// `GET /api/rooms/{id}`: the room with its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomDetail {
    /// Room id (UUID).
    pub id: String,
    /// Display title.
    pub title: String,
    /// The caller's role.
    pub role: Role,
    /// Everyone in the room, owner first.
    pub members: Vec<MemberView>,
}

/// `PUT /api/rooms/{id}/members/{username}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetMemberRole {
    /// `editor` or `viewer` (there is one owner, fixed at creation).
    pub role: Role,
}

/// `POST /api/rooms/{id}/ticket`: a signed, short-lived pass for the room's WebSockets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketView {
    /// Opaque; pass as `?ticket=` to `/sync/{room}` and `/control/{room}`.
    pub ticket: String,
    /// The caller's role when the ticket was issued (re-checked at upgrade).
    pub role: Role,
    /// Unix seconds after which the ticket is refused.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub expires_at: i64,
}

/// `POST /api/rooms/{id}/share` (owner only): a link that lets any signed-in person join the
/// room as a viewer (to watch it on air, say): `#/join/{room_id}/{token}` in the web app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareLinkView {
    /// The link's id (UUID), for `DELETE /api/rooms/{id}/share/{link_id}`.
    pub id: String,
    /// Opaque; `POST /api/rooms/{id}/join` takes it. Shown once: the server keeps only a hash.
    pub token: String,
    /// Unix seconds after which the link no longer admits anyone.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub expires_at: i64,
}

/// One live share link of a room, as `GET /api/rooms/{id}/share` (owner only) lists it: no token
/// (the server keeps only its hash), enough to tell links apart and revoke one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareLinkInfo {
    /// The link's id (UUID).
    pub id: String,
    /// Who made it.
    pub created_by: String,
    /// Unix seconds when it was made.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at: i64,
    /// Unix seconds after which it no longer admits anyone.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub expires_at: i64,
}

/// `POST /api/rooms/{id}/join`: join through a share link. Answered with the caller's role
/// (viewer, or their existing role if they were already a member).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JoinRoom {
    /// The share link's token.
    pub invite: String,
}

/// `GET /api/clips/{id}`: a clip and what made it (drafts: visible to their owner only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClipView {
    /// Clip id (UUID).
    pub id: String,
    /// Who generated it.
    pub owner_id: String,
    /// The room it was made in (absent once the room is deleted).
    pub room_id: Option<String>,
    /// `draft` until posted.
    pub status: String,
    /// Seed of the first shot.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seed: i64,
    /// The model that made it.
    pub model_id: String,
    /// Denoising steps per chunk.
    pub steps: i32,
    /// Classifier-free guidance scale.
    pub guidance: f64,
    /// Length in seconds.
    pub duration_s: f64,
    /// Frames (8 per second).
    pub frames: i32,
    /// Video width in pixels.
    pub width: i32,
    /// Video height in pixels.
    pub height: i32,
    /// The H.264 MP4 (supports HTTP range requests).
    pub video_url: String,
}
