//! `/api` routes around posts: comments (one level of replies), removing a post (its media
//! too), views, and remix lineage. Authorship and visibility are checked in the queries.

use actix_web::{web, HttpResponse};
use protocol::feed::{
    DEFAULT_REMIX_STRENGTH, MAX_COMMENT_CHARS, MAX_COMMENT_PAGE, MAX_LINEAGE_PAGE, MIN_REMIX_STRENGTH,
};
use protocol::script::SceneScript;
use protocol::{CommentPage, ErrorCode, LineageView, NewComment, RemixRequest, Role, RoomView, MAX_ROOM_TITLE_CHARS};

use super::error::ApiError;
use super::paging::PageQuery;
use super::path_id;
use crate::auth::CurrentUser;
use crate::db::feed::Cursor;
use crate::db::social::CommentRefusal;
use crate::state::AppState;

/// `POST /api/clips/{id}/comments`.
pub async fn add_comment(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
    body: web::Json<NewComment>,
) -> Result<HttpResponse, ApiError> {
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

/// `DELETE /api/comments/{id}`: your own comment.
pub async fn delete_comment(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let comment = path_id(&path, "comment")?;
    if state.db.delete_comment(user.id, comment).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::new(ErrorCode::NotFound, "no such comment of yours"))
    }
}

/// `DELETE /api/clips/{id}`: your own post or draft; its video is deleted from storage.
pub async fn remove(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let clip = path_id(&path, "clip")?;
    let keys = state
        .db
        .remove_clip(user.id, clip)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such clip of yours"))?;
    for key in keys {
        if let Err(err) = state.clips.delete_video(&key).await {
            // The row is already removed (no one can reach the bytes); they are orphaned.
            tracing::warn!(%clip, %err, "deleting a removed clip's media failed");
        }
    }
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/clips/{id}/view`: counts a view.
pub async fn view(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let clip = path_id(&path, "post")?;
    if state.db.record_view(user.id, clip).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::new(ErrorCode::NotFound, "no such post"))
    }
}

fn lineage_cursor(raw: &str) -> Option<(i32, Cursor)> {
    let (depth, rest) = raw.split_once('_')?;
    Some((depth.parse().ok()?, Cursor::decode(rest)?))
}

/// `GET /api/clips/{id}/lineage`.
pub async fn lineage(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let clip = path_id(&path, "clip")?;
    let limit = q.limit(MAX_LINEAGE_PAGE.min(50), MAX_LINEAGE_PAGE)?;
    let after = q.cursor(lineage_cursor)?;
    let (ancestors, descendants, next) = state
        .db
        .lineage(user.id, clip, after, limit)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such clip"))?;
    Ok(HttpResponse::Ok().json(LineageView {
        ancestors,
        descendants,
        next_cursor: next.map(|(d, c)| format!("{d}_{}", c.encode())),
    }))
}

/// `POST /api/clips/{id}/remix`: a new room of the caller's remixing a visible post.
pub async fn remix(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
    body: web::Json<RemixRequest>,
) -> Result<HttpResponse, ApiError> {
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
    let room = state
        .db
        .create_remix_room(user.id, &title, clip, strength, update)
        .await?;
    Ok(HttpResponse::Created().json(RoomView {
        id: room.to_string(),
        title,
        role: Role::Owner,
    }))
}
