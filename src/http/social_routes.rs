//! `/api` routes around posts: comments (one level of replies), removing a post (its media
//! too), views, and remix lineage. Authorship and visibility are checked in the queries.

use actix_web::{web, HttpResponse};
use protocol::feed::{
    DEFAULT_REMIX_STRENGTH, MAX_COMMENT_CHARS, MAX_COMMENT_PAGE, MAX_LINEAGE_PAGE, MIN_REMIX_STRENGTH,
};
use protocol::script::SceneScript;
use protocol::{
    CommentPage, CommentView, ErrorBody, ErrorCode, LineageView, NewComment, RemixRequest, Role, RoomView,
    MAX_ROOM_TITLE_CHARS,
};

use super::error::ApiError;
use super::paging::PageQuery;
use super::path_id;
use super::rate_limit::SocialWrite;
use crate::auth::CurrentUser;
use crate::db::feed::Cursor;
use crate::db::social::CommentRefusal;
use crate::state::AppState;

/// `POST /api/clips/{id}/comments`.
#[utoipa::path(
    post,
    path = "/api/clips/{id}/comments",
    tag = "comments",
    params(("id" = String, Path, description = "post id (UUID)")),
    request_body = NewComment,
    responses((status = 201, description = "the comment", body = CommentView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn add_comment(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
    body: web::Json<NewComment>,
) -> Result<HttpResponse, ApiError> {
    state.write_limits.admit(user.id, SocialWrite::Comment)?;
    let clip = path_id(&path, "post")?;
    let text = body.body.trim();
    let chars = text.chars().count();
    if chars == 0 || chars > MAX_COMMENT_CHARS {
        return Err(ApiError::new(
            ErrorCode::InvalidField,
            format!("a comment is 1-{MAX_COMMENT_CHARS} characters"),
        ));
    }
    let reply_to = match body.reply_to.as_deref() {
        Some(raw) => Some(path_id(raw, "comment").map_err(|_| ApiError::new(ErrorCode::BadRequest, "bad reply_to"))?),
        None => None,
    };
    match state.db.add_comment(user.id, clip, text, reply_to).await? {
        Ok(comment) => Ok(HttpResponse::Created().json(comment)),
        Err(CommentRefusal::NoPost) => Err(ApiError::new(ErrorCode::NotFound, "no such post")),
        Err(CommentRefusal::BadParent) => Err(ApiError::new(
            ErrorCode::BadRequest,
            "reply_to must be a top-level comment of this post (replies are one level deep)",
        )),
    }
}

/// `GET /api/clips/{id}/comments`.
#[utoipa::path(
    get,
    path = "/api/clips/{id}/comments",
    tag = "comments",
    params(("id" = String, Path, description = "post id (UUID)"), PageQuery),
    responses((status = 200, description = "comments, oldest first", body = CommentPage), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn comments(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let clip = path_id(&path, "post")?;
    let limit = q.limit(MAX_COMMENT_PAGE.min(50), MAX_COMMENT_PAGE)?;
    let cursor = q.cursor(Cursor::decode)?;
    let (items, next) = state
        .db
        .comments(user.id, clip, cursor, limit)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such post"))?;
    Ok(HttpResponse::Ok().json(CommentPage {
        items,
        next_cursor: next.map(|c| c.encode()),
    }))
}

/// `DELETE /api/comments/{id}`: your own comment, or any comment on your post.
#[utoipa::path(
    delete,
    path = "/api/comments/{id}",
    tag = "comments",
    params(("id" = String, Path, description = "comment id (UUID)")),
    responses((status = 204, description = "deleted (its replies stay)"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn delete_comment(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.write_limits.admit(user.id, SocialWrite::Delete)?;
    let comment = path_id(&path, "comment")?;
    if state.db.delete_comment(user.id, comment).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::new(
            ErrorCode::NotFound,
            "no such comment that you may delete",
        ))
    }
}

/// `DELETE /api/clips/{id}`: your own post or draft; its video is deleted from storage.
#[utoipa::path(
    delete,
    path = "/api/clips/{id}",
    tag = "clips",
    params(("id" = String, Path, description = "clip id (UUID)")),
    responses((status = 204, description = "removed, with its media"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn remove(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.write_limits.admit(user.id, SocialWrite::Delete)?;
    let clip = path_id(&path, "clip")?;
    let keys = state
        .db
        .remove_clip(user.id, clip)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such clip of yours"))?;
    for key in keys {
        if let Err(err) = state.clips.delete_object(&key).await {
            // The row is already removed (no one can reach the bytes); they are orphaned.
            tracing::warn!(%clip, %err, "deleting a removed clip's media failed");
        }
    }
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/clips/{id}/view`: counts a view.
#[utoipa::path(
    post,
    path = "/api/clips/{id}/view",
    tag = "feed",
    params(("id" = String, Path, description = "post id (UUID)")),
    responses((status = 204, description = "recorded"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn view(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.write_limits.admit(user.id, SocialWrite::View)?;
    let clip = path_id(&path, "post")?;
    if state.db.record_view(user.id, clip).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::new(ErrorCode::NotFound, "no such post"))
    }
}

/// `GET /api/clips/{id}/lineage`.
#[utoipa::path(
    get,
    path = "/api/clips/{id}/lineage",
    tag = "remix",
    params(("id" = String, Path, description = "clip id (UUID)"), PageQuery),
    responses((status = 200, description = "ancestors and a page of descendants", body = LineageView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn lineage(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let clip = path_id(&path, "clip")?;
    let limit = q.limit(MAX_LINEAGE_PAGE.min(50), MAX_LINEAGE_PAGE)?;
    let after = q.cursor(crate::db::social::LineageCursor::decode)?;
    let (ancestors, descendants, next) = state
        .db
        .lineage(user.id, clip, after, limit)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such clip"))?;
    Ok(HttpResponse::Ok().json(LineageView {
        ancestors,
        descendants,
        next_cursor: next.map(|c| c.encode()),
    }))
}

/// `POST /api/clips/{id}/remix`: a new room of the caller's remixing a visible post.
#[utoipa::path(
    post,
    path = "/api/clips/{id}/remix",
    tag = "remix",
    params(("id" = String, Path, description = "post id (UUID)")),
    request_body = RemixRequest,
    responses((status = 201, description = "the caller's new room", body = RoomView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn remix(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
    body: web::Json<RemixRequest>,
) -> Result<HttpResponse, ApiError> {
    state.write_limits.admit(user.id, SocialWrite::Remix)?;
    let clip = path_id(&path, "post")?;
    let strength = body.strength.unwrap_or(DEFAULT_REMIX_STRENGTH);
    if !(MIN_REMIX_STRENGTH..=1.0).contains(&strength) {
        return Err(ApiError::new(
            ErrorCode::InvalidField,
            format!("strength must be {MIN_REMIX_STRENGTH}-1"),
        ));
    }
    let (title, script) = state
        .db
        .remixable(user.id, clip)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such post"))?;
    let script: SceneScript = serde_json::from_value(script)
        .map_err(|_| ApiError::new(ErrorCode::Conflict, "this clip kept no script to remix"))?;
    let title: String = format!("Remix of {title}").chars().take(MAX_ROOM_TITLE_CHARS).collect();
    let update = actors::script::script_update(&script);
    let max_owned = crate::http::room_routes::MAX_ROOMS_PER_USER;
    let room = state
        .db
        .create_remix_room(user.id, &title, clip, strength, update, max_owned)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::QuotaExceeded,
                format!("you already own {max_owned} rooms, the most one account may own"),
            )
        })?;
    Ok(HttpResponse::Created().json(RoomView {
        id: room.to_string(),
        title,
        role: Role::Owner,
    }))
}
