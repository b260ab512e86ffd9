//! `/api/clips/*`: a clip's details, its video and feed preview (with HTTP range requests:
//! browsers seek and stream MP4 that way) and its poster. Drafts are visible to their owner
//! only; anyone else gets 404, so a draft's existence does not leak.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use protocol::{ClipView, ErrorBody, ErrorCode};
use uuid::Uuid;

use super::error::ApiError;
use crate::auth::CurrentUser;
use crate::db::clips::ClipRow;
use crate::state::AppState;

/// Largest body one video response carries; longer ranges are shortened (206 says so).
pub const MAX_VIDEO_RESPONSE_BYTES: u64 = 8 * 1024 * 1024;

async fn visible_clip(state: &AppState, raw_id: &str, viewer: Uuid) -> Result<ClipRow, ApiError> {
    let id = super::path_id(raw_id, "clip")?;
    state
        .clips
        .visible(id, viewer)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such clip"))
}

/// `GET /api/clips/{id}`.
#[utoipa::path(
    get,
    path = "/api/clips/{id}",
    tag = "clips",
    params(("id" = String, Path, description = "clip id (UUID)")),
    responses((status = 200, description = "the clip and what made it", body = ClipView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn detail(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let c = visible_clip(&state, &path, user.id).await?;
    Ok(HttpResponse::Ok().json(ClipView {
        id: c.id.to_string(),
        owner_id: c.owner_id.to_string(),
        room_id: c.room_id.map(|r| r.to_string()),
        status: c.status,
        seed: c.seed,
        model_id: c.model_id,
        steps: c.steps,
        guidance: c.guidance,
        duration_s: c.duration_s,
        frames: c.frames,
        width: c.width,
        height: c.height,
        video_url: format!("/api/clips/{}/video", c.id),
    }))
}

pub use protocol::range::{parse_range, Unsatisfiable};

/// `GET /api/clips/{id}/video`: `video/mp4`, 200 or 206 with `Content-Range`.
#[utoipa::path(
    get,
    path = "/api/clips/{id}/video",
    tag = "clips",
    params(("id" = String, Path, description = "clip id (UUID)")),
    responses((status = 200, description = "the H.264 MP4", body = Vec<u8>, content_type = "video/mp4"), (status = 206, description = "a byte range of it (Range header)", body = Vec<u8>, content_type = "video/mp4"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn video(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let clip = visible_clip(&state, &path, user.id).await?;
    serve_object(&state, &req, &clip.video_key, clip.video_bytes as u64, "video/mp4").await
}

/// `GET /api/clips/{id}/preview`: the feed loop, `video/mp4` with ranges.
#[utoipa::path(
    get,
    path = "/api/clips/{id}/preview",
    tag = "clips",
    params(("id" = String, Path, description = "clip id (UUID)")),
    responses((status = 200, description = "a short, small MP4 loop", body = Vec<u8>, content_type = "video/mp4"), (status = 206, description = "a byte range of it (Range header)", body = Vec<u8>, content_type = "video/mp4"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn preview(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let clip = visible_clip(&state, &path, user.id).await?;
    let (Some(key), Some(len)) = (clip.preview_key, clip.preview_bytes) else {
        return Err(ApiError::new(ErrorCode::NotFound, "this clip has no preview"));
    };
    serve_object(&state, &req, &key, len as u64, "video/mp4").await
}

/// `GET /api/clips/{id}/poster`: `image/png`.
#[utoipa::path(
    get,
    path = "/api/clips/{id}/poster",
    tag = "clips",
    params(("id" = String, Path, description = "clip id (UUID)")),
    responses((status = 200, description = "a PNG still", body = Vec<u8>, content_type = "image/png"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn poster(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let clip = visible_clip(&state, &path, user.id).await?;
    let Some(key) = clip.poster_key else {
        return Err(ApiError::new(ErrorCode::NotFound, "this clip has no poster"));
    };
    let body = state
        .clips
        .object(&key)
        .await
        .map_err(|e| ApiError::new(ErrorCode::Unavailable, format!("poster storage: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        .body(body))
}

/// `GET /api/clips/{id}/download`: the clip as a file to keep, with a visible moving mark
/// "reelroom · @creator" and the "AI-generated" label in its pixels, watermarked, and C2PA-signed
/// as an edit of the clip. Made once, then stored.
#[utoipa::path(
    get,
    path = "/api/clips/{id}/download",
    tag = "clips",
    params(("id" = String, Path, description = "clip id (UUID)")),
    responses((status = 200, description = "the marked, signed MP4", body = Vec<u8>, content_type = "video/mp4"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn download(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let clip = visible_clip(&state, &path, user.id).await?;
    let (key, len) = state
        .clips
        .download(clip.id)
        .await
        .map_err(|e| ApiError::new(ErrorCode::Unavailable, format!("making the download: {e}")))?;
    let mut res = serve_object(&state, &req, &key, len, "video/mp4").await?;
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        header::HeaderValue::from_str(&format!("attachment; filename=\"reelroom-{}.mp4\"", clip.id))
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?,
    );
    Ok(res)
}

/// Serves stored object `key` (`len` bytes): 200, or 206 with `Content-Range` for a range.
async fn serve_object(
    state: &AppState,
    req: &HttpRequest,
    key: &str,
    len: u64,
    content_type: &'static str,
) -> Result<HttpResponse, ApiError> {
    let asked = req.headers().get(header::RANGE).and_then(|v| v.to_str().ok());
    let range = match parse_range(asked, len) {
        Ok(r) => r,
        Err(Unsatisfiable) => {
            return Err(ApiError::new(
                ErrorCode::RangeNotSatisfiable,
                format!("the resource has {len} bytes"),
            ));
        }
    };
    let asked_range = range.is_some();
    let range = range.unwrap_or(0..len);
    let range = range.start..range.end.min(range.start + MAX_VIDEO_RESPONSE_BYTES);
    // A range request, or a body shortened to the response limit, is answered with 206.
    let partial = asked_range || range.end < len;
    let body = state
        .clips
        .object_range(key, range.clone())
        .await
        .map_err(|e| ApiError::new(ErrorCode::Unavailable, format!("video storage: {e}")))?;
    let mut res = if partial {
        HttpResponse::PartialContent()
    } else {
        HttpResponse::Ok()
    };
    res.content_type(content_type)
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"));
    if partial {
        res.insert_header((
            header::CONTENT_RANGE,
            format!("bytes {}-{}/{len}", range.start, range.end - 1),
        ));
    }
    Ok(res.body(body))
}
