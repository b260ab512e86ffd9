//! `/api` routes of the social feed: post a draft, read feeds (latest, following, a profile),
//! like and follow. Visibility and authorship are checked in the queries that apply them.

use actix_web::{web, HttpResponse};
use protocol::feed::{DEFAULT_FEED_PAGE, MAX_CAPTION_CHARS, MAX_FEED_PAGE, MAX_POST_TITLE_CHARS};
use protocol::{ErrorCode, FeedPage, FollowView, LikeView, PostClip};
use uuid::Uuid;

use super::error::ApiError;
use super::paging::PageQuery;
use crate::auth::CurrentUser;
use crate::db::feed::{Cursor, Feed, PostOutcome};
use crate::state::AppState;

fn clip_id(raw: &str) -> Result<Uuid, ApiError> {
    super::path_id(raw, "clip")
}

/// `POST /api/clips/{id}/post`.
pub async fn post(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
    body: web::Json<PostClip>,
) -> Result<HttpResponse, ApiError> {
    let clip = clip_id(&path)?;
    let title = body.title.trim();
    let chars = title.chars().count();
    if chars == 0 || chars > MAX_POST_TITLE_CHARS {
        return Err(ApiError::new(
            ErrorCode::InvalidField,
            format!("title must be 1-{MAX_POST_TITLE_CHARS} characters"),
        ));
    }
    if body.caption.chars().count() > MAX_CAPTION_CHARS {
        return Err(ApiError::new(
            ErrorCode::InvalidField,
            format!("caption must be at most {MAX_CAPTION_CHARS} characters"),
        ));
    }
    match state
        .db
        .post_clip(clip, user.id, title, body.caption.trim(), body.visibility)
        .await?
    {
        PostOutcome::Posted => Ok(HttpResponse::NoContent().finish()),
        PostOutcome::NotFound => Err(ApiError::new(ErrorCode::NotFound, "no such draft of yours")),
        PostOutcome::NotDraft => Err(ApiError::new(ErrorCode::Conflict, "this clip is already posted")),
    }
}

async fn page(state: &AppState, viewer: Uuid, feed: Feed, q: &PageQuery) -> Result<HttpResponse, ApiError> {
    let cursor = q.cursor(Cursor::decode)?;
    let limit = q.limit(DEFAULT_FEED_PAGE, MAX_FEED_PAGE)?;
    let (items, next) = state.db.feed(viewer, feed, cursor, limit).await?;
    Ok(HttpResponse::Ok().json(FeedPage {
        items,
        next_cursor: next.map(|c| c.encode()),
    }))
}

/// `GET /api/feed/latest`.
pub async fn latest(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    page(&state, user.id, Feed::Latest, &q).await
}

/// `GET /api/feed/following`.
pub async fn following(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    page(&state, user.id, Feed::Following, &q).await
}

async fn user_named(state: &AppState, username: &str) -> Result<Uuid, ApiError> {
    Ok(state
        .db
        .user_by_name(username)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such user"))?
        .id)
}

/// `GET /api/users/{username}/posts`.
pub async fn profile(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let author = user_named(&state, &path).await?;
    page(&state, user.id, Feed::Author(author), &q).await
}

async fn set_like(state: &AppState, viewer: Uuid, raw: &str, like: bool) -> Result<HttpResponse, ApiError> {
    let clip = clip_id(raw)?;
    let (liked, likes) = state
        .db
        .set_like(viewer, clip, like)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such post"))?;
    Ok(HttpResponse::Ok().json(LikeView { liked, likes }))
}

/// `PUT /api/clips/{id}/like`.
pub async fn like(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_like(&state, user.id, &path, true).await
}

/// `DELETE /api/clips/{id}/like`.
pub async fn unlike(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_like(&state, user.id, &path, false).await
}

async fn set_follow(state: &AppState, follower: Uuid, username: &str, follow: bool) -> Result<HttpResponse, ApiError> {
    let followee = user_named(state, username).await?;
    if followee == follower {
        return Err(ApiError::new(ErrorCode::BadRequest, "you cannot follow yourself"));
    }
    let followers = state.db.set_follow(follower, followee, follow).await?;
    Ok(HttpResponse::Ok().json(FollowView {
        username: username.to_string(),
        following: follow,
        followers,
    }))
}

/// `PUT /api/users/{username}/follow`.
pub async fn follow(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_follow(&state, user.id, &path, true).await
}

/// `DELETE /api/users/{username}/follow`.
pub async fn unfollow(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_follow(&state, user.id, &path, false).await
}
