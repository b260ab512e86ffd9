//! `/api` routes of the social feed: post a draft, read feeds (latest, following, a profile),
//! like and follow. Visibility and authorship are checked in the queries that apply them.

use actix_web::{web, HttpResponse};
use protocol::feed::{DEFAULT_FEED_PAGE, MAX_CAPTION_CHARS, MAX_FEED_PAGE, MAX_POST_TITLE_CHARS};
use protocol::{ErrorBody, ErrorCode, FeedPage, FollowView, LikeView, PostClip, PostView, ProfileView};
use uuid::Uuid;

use super::error::ApiError;
use super::paging::PageQuery;
use super::rate_limit::SocialWrite;
use crate::auth::CurrentUser;
use crate::db::feed::{Cursor, Feed, PostOutcome};
use crate::db::for_you::ForYouCursor;
use crate::state::AppState;

fn clip_id(raw: &str) -> Result<Uuid, ApiError> {
    super::path_id(raw, "clip")
}

/// `POST /api/clips/{id}/post`.
#[utoipa::path(
    post,
    path = "/api/clips/{id}/post",
    tag = "feed",
    params(("id" = String, Path, description = "draft clip id (UUID)")),
    request_body = PostClip,
    responses((status = 204, description = "posted"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn post(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
    body: web::Json<PostClip>,
) -> Result<HttpResponse, ApiError> {
    state.write_limits.admit(user.id, SocialWrite::Post)?;
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
#[utoipa::path(
    get,
    path = "/api/feed/latest",
    tag = "feed",
    params(PageQuery),
    responses((status = 200, description = "public posts, newest first", body = FeedPage), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn latest(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    page(&state, user.id, Feed::Latest, &q).await
}

/// `GET /api/feed/for-you`: ranked, each post with its score explained.
#[utoipa::path(
    get,
    path = "/api/feed/for-you",
    tag = "feed",
    params(PageQuery),
    responses((status = 200, description = "ranked posts, each with its score explained", body = FeedPage), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn for_you(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let cursor = q.cursor(ForYouCursor::decode)?;
    let limit = q.limit(DEFAULT_FEED_PAGE, MAX_FEED_PAGE)?;
    let (items, next) = state.db.for_you(user.id, cursor, limit).await?;
    Ok(HttpResponse::Ok().json(FeedPage {
        items,
        next_cursor: next.map(|c| c.encode()),
    }))
}

/// `GET /api/clips/{id}/post`: one post.
#[utoipa::path(
    get,
    path = "/api/clips/{id}/post",
    tag = "feed",
    params(("id" = String, Path, description = "clip id (UUID)")),
    responses((status = 200, description = "the post", body = PostView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn get_post(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let clip = clip_id(&path)?;
    let post = state
        .db
        .post(user.id, clip)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such post"))?;
    Ok(HttpResponse::Ok().json(post))
}

/// `GET /api/users/{username}`: a profile header.
#[utoipa::path(
    get,
    path = "/api/users/{username}",
    tag = "users",
    params(("username" = String, Path, description = "a username")),
    responses((status = 200, description = "the profile header", body = ProfileView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn user_profile(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let profile = state
        .db
        .profile(user.id, &path)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such user"))?;
    Ok(HttpResponse::Ok().json(profile))
}

/// `GET /api/feed/following`.
#[utoipa::path(
    get,
    path = "/api/feed/following",
    tag = "feed",
    params(PageQuery),
    responses((status = 200, description = "posts by people the caller follows, newest first", body = FeedPage), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
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
#[utoipa::path(
    get,
    path = "/api/users/{username}/posts",
    tag = "users",
    params(("username" = String, Path, description = "a username"), PageQuery),
    responses((status = 200, description = "their posts the caller may see, newest first", body = FeedPage), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn user_posts(
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
#[utoipa::path(
    put,
    path = "/api/clips/{id}/like",
    tag = "feed",
    params(("id" = String, Path, description = "post id (UUID)")),
    responses((status = 200, description = "liked", body = LikeView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn like(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.write_limits.admit(user.id, SocialWrite::Like)?;
    set_like(&state, user.id, &path, true).await
}

/// `DELETE /api/clips/{id}/like`.
#[utoipa::path(
    delete,
    path = "/api/clips/{id}/like",
    tag = "feed",
    params(("id" = String, Path, description = "post id (UUID)")),
    responses((status = 200, description = "not liked", body = LikeView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn unlike(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.write_limits.admit(user.id, SocialWrite::Like)?;
    set_like(&state, user.id, &path, false).await
}

async fn set_follow(state: &AppState, follower: Uuid, username: &str, follow: bool) -> Result<HttpResponse, ApiError> {
    let followee = user_named(state, username).await?;
    if followee == follower {
        return Err(ApiError::new(ErrorCode::BadRequest, "you cannot follow yourself"));
    }
    let followers = state.db.set_follow(follower, followee, follow).await?;
    if !follow {
        // Mutuals-only avatars: a running job of someone no longer mutual stops.
        state.cameo.follows_changed(follower, followee).await?;
    }
    Ok(HttpResponse::Ok().json(FollowView {
        username: username.to_string(),
        following: follow,
        followers,
    }))
}

/// `PUT /api/users/{username}/follow`.
#[utoipa::path(
    put,
    path = "/api/users/{username}/follow",
    tag = "users",
    params(("username" = String, Path, description = "a username")),
    responses((status = 200, description = "followed", body = FollowView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn follow(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.write_limits.admit(user.id, SocialWrite::Follow)?;
    set_follow(&state, user.id, &path, true).await
}

/// `DELETE /api/users/{username}/follow`.
#[utoipa::path(
    delete,
    path = "/api/users/{username}/follow",
    tag = "users",
    params(("username" = String, Path, description = "a username")),
    responses((status = 200, description = "not followed", body = FollowView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn unfollow(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.write_limits.admit(user.id, SocialWrite::Follow)?;
    set_follow(&state, user.id, &path, false).await
}
