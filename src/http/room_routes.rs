//! `/api/rooms/*`: create and list rooms (up to a per-account quota), manage members (owner
//! only), issue tickets, and share links that admit viewers: stored server-side, listed and
//! revoked by the owner, and never admitting someone the owner removed.
//! Membership changes are pushed to the loaded room so live connections follow at once.

use actix_web::{web, HttpResponse};
use actors::registry::NotifyMember;
use actors::room::MemberChanged;
use protocol::{
    CreateRoom, ErrorBody, ErrorCode, JoinRoom, MemberView, Role, RoomDetail, RoomView, SetMemberRole, ShareLinkInfo,
    ShareLinkView, TicketView, MAX_ROOM_TITLE_CHARS,
};
use uuid::Uuid;

use super::error::ApiError;
use crate::auth::session::{new_token, token_hash};
use crate::auth::{CurrentUser, TICKET_TTL_SECS};
use crate::db::rooms::LinkJoin;
use crate::state::{unix_now, AppState};

/// Rooms one account may own (rooms made by remixing count); beyond it `POST /api/rooms`
/// answers 403 `quota_exceeded`. Above the 100 rooms one owner makes in the fan-out benchmark.
pub const MAX_ROOMS_PER_USER: usize = 200;
/// A share link stays valid this long.
pub const SHARE_LINK_TTL_SECS: i64 = 7 * 24 * 3600;
/// Live (unrevoked, unexpired) share links one room may have; beyond it `POST …/share`
/// answers 403 `quota_exceeded` until the owner revokes one. Bounds the rows a room can add.
pub const MAX_LIVE_SHARE_LINKS_PER_ROOM: usize = 20;

/// A room id from a path (404 if it is not one).
pub(crate) fn room_id(raw: &str) -> Result<Uuid, ApiError> {
    super::path_id(raw, "room")
}

/// The caller's role in `room`: 404 if the room does not exist, 403 if not a member.
/// Also the membership check of the WebSocket upgrades.
pub(crate) async fn role_in(state: &AppState, room: Uuid, user: Uuid) -> Result<(String, Role), ApiError> {
    let (title, role) = state
        .db
        .room_access(room, user)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such room"))?;
    let role = role.ok_or_else(|| ApiError::new(ErrorCode::Forbidden, "you are not a member of this room"))?;
    Ok((title, role))
}

/// `POST /api/rooms`.
#[utoipa::path(
    post,
    path = "/api/rooms",
    tag = "rooms",
    request_body = CreateRoom,
    responses((status = 201, description = "the new room", body = RoomView), (status = 403, description = "`quota_exceeded`: the caller owns MAX_ROOMS_PER_USER rooms already", body = ErrorBody), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn create(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    body: web::Json<CreateRoom>,
) -> Result<HttpResponse, ApiError> {
    let title = body.title.trim();
    let chars = title.chars().count();
    if chars == 0 || chars > MAX_ROOM_TITLE_CHARS {
        return Err(ApiError::new(
            ErrorCode::InvalidField,
            format!("title must be 1-{MAX_ROOM_TITLE_CHARS} characters"),
        ));
    }
    let id = state
        .db
        .create_room_within_quota(user.id, title, MAX_ROOMS_PER_USER)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::QuotaExceeded,
                format!("you already own {MAX_ROOMS_PER_USER} rooms, the most one account may own"),
            )
        })?;
    Ok(HttpResponse::Created().json(RoomView {
        id: id.to_string(),
        title: title.to_string(),
        role: Role::Owner,
    }))
}

/// `GET /api/rooms`.
#[utoipa::path(
    get,
    path = "/api/rooms",
    tag = "rooms",
    responses((status = 200, description = "the caller's rooms", body = Vec<RoomView>), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn list(state: web::Data<AppState>, CurrentUser(user): CurrentUser) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.db.rooms_of(user.id).await?))
}

/// `GET /api/rooms/{id}`.
#[utoipa::path(
    get,
    path = "/api/rooms/{id}",
    tag = "rooms",
    params(("id" = String, Path, description = "room id (UUID)")),
    responses((status = 200, description = "the room and its members", body = RoomDetail), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn detail(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let room = room_id(&path)?;
    let (title, role) = role_in(&state, room, user.id).await?;
    let members = state.db.members(room).await?;
    Ok(HttpResponse::Ok().json(RoomDetail {
        id: room.to_string(),
        title,
        role,
        members,
    }))
}

async fn owner_and_target(
    state: &AppState,
    user: Uuid,
    room: &str,
    username: &str,
) -> Result<(Uuid, crate::db::users::User), ApiError> {
    let room = room_id(room)?;
    let (_, role) = role_in(state, room, user).await?;
    if role != Role::Owner {
        return Err(ApiError::new(ErrorCode::Forbidden, "only the owner manages members"));
    }
    let target = state
        .db
        .user_by_name(username)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such user"))?;
    if target.id == user {
        return Err(ApiError::new(ErrorCode::BadRequest, "the owner's role cannot change"));
    }
    Ok((room, target))
}

/// `PUT /api/rooms/{id}/members/{username}` with `{"role": "editor" | "viewer"}`.
#[utoipa::path(
    put,
    path = "/api/rooms/{id}/members/{username}",
    tag = "rooms",
    params(("id" = String, Path, description = "room id (UUID)"), ("username" = String, Path, description = "a username")),
    request_body = SetMemberRole,
    responses((status = 200, description = "the member", body = MemberView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn set_member(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, String)>,
    body: web::Json<SetMemberRole>,
) -> Result<HttpResponse, ApiError> {
    let (room, username) = path.into_inner();
    if body.role == Role::Owner {
        return Err(ApiError::new(ErrorCode::BadRequest, "role must be editor or viewer"));
    }
    let (room, target) = owner_and_target(&state, user.id, &room, &username).await?;
    if !state.db.set_member(room, target.id, body.role).await? {
        return Err(ApiError::new(ErrorCode::BadRequest, "the owner's role cannot change"));
    }
    let change = MemberChanged {
        user_id: target.id,
        role: Some(body.role),
    };
    let _ = state.registry.try_send(NotifyMember { room_id: room, change });
    Ok(HttpResponse::Ok().json(MemberView {
        username: target.username,
        role: body.role,
    }))
}

/// `DELETE /api/rooms/{id}/members/{username}`: removes them and closes their connections.
#[utoipa::path(
    delete,
    path = "/api/rooms/{id}/members/{username}",
    tag = "rooms",
    params(("id" = String, Path, description = "room id (UUID)"), ("username" = String, Path, description = "a username")),
    responses((status = 204, description = "removed; their connections are closed"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn remove_member(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (room, username) = path.into_inner();
    let (room, target) = owner_and_target(&state, user.id, &room, &username).await?;
    if !state.db.remove_member(room, target.id).await? {
        return Err(ApiError::new(ErrorCode::NotFound, "not a member of this room"));
    }
    let change = MemberChanged {
        user_id: target.id,
        role: None,
    };
    // `send` (not try_send): removal must reach the registry even under load.
    let _ = state.registry.send(NotifyMember { room_id: room, change }).await;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/rooms/{id}/ticket`.
#[utoipa::path(
    post,
    path = "/api/rooms/{id}/ticket",
    tag = "rooms",
    params(("id" = String, Path, description = "room id (UUID)")),
    responses((status = 200, description = "a ticket for /sync and /control", body = TicketView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn ticket(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let room = room_id(&path)?;
    let (_, role) = role_in(&state, room, user.id).await?;
    let expires_at = unix_now() + TICKET_TTL_SECS;
    let ticket = state.tickets.sign(room, user.id, expires_at);
    Ok(HttpResponse::Ok().json(TicketView {
        ticket,
        role,
        expires_at,
    }))
}

/// The room of `raw`, if `user` owns it (404 no such room, 403 otherwise).
async fn owned_room(state: &AppState, user: Uuid, raw: &str, what: &str) -> Result<Uuid, ApiError> {
    let room = room_id(raw)?;
    let (_, role) = role_in(state, room, user).await?;
    if role != Role::Owner {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            format!("only the room's owner can {what}"),
        ));
    }
    Ok(room)
}

/// `POST /api/rooms/{id}/share` (owner only): a new link that admits viewers. The token is
/// random and shown only here; the server keeps its hash, which is what decides.
#[utoipa::path(
    post,
    path = "/api/rooms/{id}/share",
    tag = "rooms",
    params(("id" = String, Path, description = "room id (UUID)")),
    responses((status = 200, description = "a share link token", body = ShareLinkView), (status = 403, description = "`forbidden` (not the owner) or `quota_exceeded` (MAX_LIVE_SHARE_LINKS_PER_ROOM live links)", body = ErrorBody), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn share(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let room = owned_room(&state, user.id, &path, "share it").await?;
    let token = new_token();
    let expires_at = unix_now() + SHARE_LINK_TTL_SECS;
    let id = state
        .db
        .create_share_link(
            room,
            user.id,
            &token_hash(&token),
            expires_at,
            MAX_LIVE_SHARE_LINKS_PER_ROOM,
        )
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::QuotaExceeded,
                format!("this room has {MAX_LIVE_SHARE_LINKS_PER_ROOM} live share links; revoke one first"),
            )
        })?;
    Ok(HttpResponse::Ok().json(ShareLinkView {
        id: id.to_string(),
        token,
        expires_at,
    }))
}

/// `GET /api/rooms/{id}/share` (owner only): the room's live share links, newest first.
#[utoipa::path(
    get,
    path = "/api/rooms/{id}/share",
    tag = "rooms",
    params(("id" = String, Path, description = "room id (UUID)")),
    responses((status = 200, description = "live share links (no tokens)", body = Vec<ShareLinkInfo>), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn share_links(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let room = owned_room(&state, user.id, &path, "see its share links").await?;
    Ok(HttpResponse::Ok().json(state.db.share_links(room).await?))
}

/// `DELETE /api/rooms/{id}/share/{link_id}` (owner only): the link admits no one from now on.
/// Whoever joined through it stays a member (remove them to take that back).
#[utoipa::path(
    delete,
    path = "/api/rooms/{id}/share/{link_id}",
    tag = "rooms",
    params(("id" = String, Path, description = "room id (UUID)"), ("link_id" = String, Path, description = "share link id (UUID)")),
    responses((status = 204, description = "revoked"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn revoke_share(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (room, link) = path.into_inner();
    let room = owned_room(&state, user.id, &room, "revoke its share links").await?;
    let link = super::path_id(&link, "share link")?;
    if !state.db.revoke_share_link(room, link).await? {
        return Err(ApiError::new(ErrorCode::NotFound, "no such live share link"));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/rooms/{id}/join` with `{"invite": token}`: joins as a viewer (an existing member
/// keeps their role). Only a stored link of this room, unrevoked and unexpired, admits; and
/// never someone the owner removed.
#[utoipa::path(
    post,
    path = "/api/rooms/{id}/join",
    tag = "rooms",
    params(("id" = String, Path, description = "room id (UUID)")),
    request_body = JoinRoom,
    responses((status = 200, description = "the caller as a member", body = MemberView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn join(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
    body: web::Json<JoinRoom>,
) -> Result<HttpResponse, ApiError> {
    let room = room_id(&path)?;
    match state.db.join_by_link(room, user.id, &token_hash(&body.invite)).await? {
        LinkJoin::Member(role) => Ok(HttpResponse::Ok().json(MemberView {
            username: user.username,
            role,
        })),
        LinkJoin::InvalidLink => Err(ApiError::new(
            ErrorCode::Forbidden,
            "this share link is not valid (revoked, expired, or for another room)",
        )),
        LinkJoin::Removed => Err(ApiError::new(
            ErrorCode::Forbidden,
            "the owner removed you from this room; only they can add you back",
        )),
    }
}
