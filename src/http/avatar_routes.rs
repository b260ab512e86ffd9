//! `/api/avatars/*` for making an avatar: the recording challenge, the upload (multipart,
//! bounded while it streams in, handed to the extraction queue), its status and crops, the
//! caller's avatars and the ones they may cast. Consent changes are in `consent_routes`.

use actix_multipart::Multipart;
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::ObjectStoreExt;
use protocol::avatar::{CHALLENGE_TTL_SECS, MAX_UPLOAD_BYTES};
use protocol::{AvatarPermissions, AvatarStatus, AvatarView, CastableAvatar, Challenge, ErrorBody, ErrorCode};
use uuid::Uuid;

use super::error::ApiError;
use super::path_id;
use super::rate_limit::SocialWrite;
use crate::auth::CurrentUser;
use crate::cameo::challenge;
use crate::cameo::extract::ExtractJob;
use crate::db::avatars::AvatarRow;
use crate::state::AppState;

/// Longest non-video multipart field (the challenge id, `keep_raw`).
pub const MAX_FORM_FIELD_BYTES: usize = 64;
/// Most multipart fields read from one upload.
pub const MAX_FORM_FIELDS: usize = 4;

/// The avatar as `viewer` may see it: everything for the owner, crops and rules for casters.
pub(super) async fn view(state: &AppState, a: AvatarRow, viewer: Uuid) -> Result<AvatarView, ApiError> {
    let owner = a.owner_id == viewer;
    let permissions = if owner {
        let (approved, blocked) = state.db.avatar_lists(a.id).await?;
        Some(AvatarPermissions {
            who: a.audience,
            approved,
            blocked,
            rules: a.rules.clone(),
        })
    } else {
        None
    };
    let ready = a.status == AvatarStatus::Ready;
    Ok(AvatarView {
        crops: if ready || owner {
            (0..a.crop_keys.len())
                .map(|i| format!("/api/avatars/{}/crops/{i}", a.id))
                .collect()
        } else {
            Vec::new()
        },
        id: a.id.to_string(),
        handle: a.handle,
        status: a.status,
        reason: a.reason,
        message: a.message,
        progress: a.progress,
        created_at: a.created_at,
        rules: a.rules,
        permissions,
        extraction: if owner {
            a.extraction.and_then(|x| serde_json::from_value(x).ok())
        } else {
            None
        },
    })
}

/// The avatar if `viewer` owns it or may cast it; 404 otherwise (existence does not leak).
pub(super) async fn visible_avatar(state: &AppState, raw: &str, viewer: Uuid) -> Result<AvatarRow, ApiError> {
    let id = path_id(raw, "avatar")?;
    let not_found = || ApiError::new(ErrorCode::NotFound, "no such avatar");
    let a = state.db.avatar(id).await?.ok_or_else(not_found)?;
    if a.owner_id == viewer || state.cameo.permits(id, viewer).await? {
        Ok(a)
    } else {
        Err(not_found())
    }
}

/// `POST /api/avatars/challenge`.
#[utoipa::path(
    post,
    path = "/api/avatars/challenge",
    tag = "avatars",
    responses((status = 200, description = "what to do while recording", body = Challenge), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn new_challenge(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    state.write_limits.admit(user.id, SocialWrite::Enrol)?;
    let steps = challenge::new_steps(&mut rand::thread_rng());
    let id = Uuid::new_v4();
    let expires_at = state
        .db
        .create_challenge(id, user.id, &steps, CHALLENGE_TTL_SECS)
        .await?;
    Ok(HttpResponse::Ok().json(Challenge {
        id: id.to_string(),
        steps,
        expires_at,
    }))
}

fn bad_upload(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidUpload, message)
}

/// Reads the form: the challenge id, the video (at most [`MAX_UPLOAD_BYTES`], refused as soon
/// as it grows past that), and `keep_raw`.
async fn read_form(mut form: Multipart) -> Result<(String, Vec<u8>, bool), ApiError> {
    let (mut challenge, mut video, mut keep_raw) = (None, None, false);
    let mut fields = 0;
    while let Some(field) = form.next().await {
        fields += 1;
        if fields > MAX_FORM_FIELDS {
            return Err(bad_upload("too many form fields"));
        }
        let mut field = field.map_err(|e| bad_upload(format!("malformed form: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        let cap = if name == "video" {
            MAX_UPLOAD_BYTES
        } else {
            MAX_FORM_FIELD_BYTES
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| bad_upload(format!("the upload broke off: {e}")))?;
            if bytes.len() + chunk.len() > cap {
                return Err(ApiError::new(
                    ErrorCode::PayloadTooLarge,
                    format!("{name} is larger than {cap} bytes"),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "challenge" => challenge = Some(String::from_utf8_lossy(&bytes).trim().to_owned()),
            "video" => video = Some(bytes),
            "keep_raw" => keep_raw = bytes == b"true",
            _ => {}
        }
    }
    match (challenge, video) {
        (Some(c), Some(v)) if !v.is_empty() => Ok((c, v, keep_raw)),
        _ => Err(bad_upload("send the fields `challenge` and `video`")),
    }
}

/// `POST /api/avatars` (multipart: `challenge`, `video`, optional `keep_raw`).
#[utoipa::path(
    post,
    path = "/api/avatars",
    tag = "avatars",
    responses((status = 202, description = "processing", body = AvatarView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn upload(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    state.write_limits.admit(user.id, SocialWrite::Enrol)?;
    let extractor = state.cameo.extractor.clone().ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unavailable,
            "avatar extraction is not available on this server",
        )
    })?;
    let (challenge, video, keep_raw) = read_form(form).await?;
    let challenge = Uuid::parse_str(&challenge).map_err(|_| bad_upload("unknown challenge"))?;
    let steps = state
        .db
        .take_challenge(challenge, user.id)
        .await?
        .ok_or_else(|| bad_upload("the challenge is unknown, already used or expired: start again"))?;
    let id = Uuid::new_v4();
    let raw_key = format!("avatars/{id}/upload.raw");
    state
        .clips
        .objects()
        .put(&ObjectPath::from(raw_key.as_str()), video.clone().into())
        .await
        .map_err(|e| ApiError::new(ErrorCode::Unavailable, format!("upload storage: {e}")))?;
    state
        .db
        .insert_avatar(id, user.id, challenge, Some(&raw_key), keep_raw)
        .await?;
    let job = ExtractJob {
        avatar: id,
        video,
        expected: challenge::expected_turns(&steps),
        raw_key,
        keep_raw,
    };
    if let Err(busy) = extractor.submit(job) {
        state
            .db
            .avatar_failed(id, protocol::FailReason::UnsupportedFormat, "the server was busy")
            .await?;
        return Err(ApiError::new(ErrorCode::Unavailable, busy.to_string()).retry_after(30));
    }
    let row = state
        .db
        .avatar(id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "the avatar vanished"))?;
    Ok(HttpResponse::Accepted().json(view(&state, row, user.id).await?))
}

/// `GET /api/avatars/{id}`.
#[utoipa::path(
    get,
    path = "/api/avatars/{id}",
    tag = "avatars",
    params(("id" = String, Path, description = "avatar id (UUID)")),
    responses((status = 200, description = "the avatar", body = AvatarView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn detail(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let a = visible_avatar(&state, &path, user.id).await?;
    Ok(HttpResponse::Ok().json(view(&state, a, user.id).await?))
}

/// `GET /api/avatars/mine`.
#[utoipa::path(
    get,
    path = "/api/avatars/mine",
    tag = "avatars",
    responses((status = 200, description = "the caller's avatars, newest first", body = Vec<AvatarView>), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn mine(state: web::Data<AppState>, CurrentUser(user): CurrentUser) -> Result<HttpResponse, ApiError> {
    let mut out = Vec::new();
    for a in state.db.avatars_of(user.id).await? {
        out.push(view(&state, a, user.id).await?);
    }
    Ok(HttpResponse::Ok().json(out))
}

/// `GET /api/avatars/castable`.
#[utoipa::path(
    get,
    path = "/api/avatars/castable",
    tag = "avatars",
    responses((status = 200, description = "avatars the caller may cast now", body = Vec<CastableAvatar>), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn castable(state: web::Data<AppState>, CurrentUser(user): CurrentUser) -> Result<HttpResponse, ApiError> {
    let mut out = Vec::new();
    for a in state.db.castable_candidates(user.id).await? {
        // The SQL narrows; the one decision (blocked lists, mutual both ways) decides.
        if state.cameo.permits(a.id, user.id).await? {
            out.push(CastableAvatar {
                crop_url: format!("/api/avatars/{}/crops/0", a.id),
                id: a.id.to_string(),
                handle: a.handle,
                rules: a.rules,
            });
        }
    }
    Ok(HttpResponse::Ok().json(out))
}

/// `GET /api/avatars/{id}/crops/{n}`: a reference crop (PNG).
#[utoipa::path(
    get,
    path = "/api/avatars/{id}/crops/{n}",
    tag = "avatars",
    params(("id" = String, Path, description = "avatar id (UUID)"), ("n" = usize, Path, description = "crop index")),
    responses((status = 200, description = "a PNG", body = Vec<u8>, content_type = "image/png"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn crop(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, usize)>,
) -> Result<HttpResponse, ApiError> {
    let (raw, n) = path.into_inner();
    let a = visible_avatar(&state, &raw, user.id).await?;
    let key = a
        .crop_keys
        .get(n)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such crop"))?;
    private_png(&state, key).await
}

/// A stored PNG of someone's likeness (crop or poster): never cached by shared caches.
pub(super) async fn private_png(state: &AppState, key: &str) -> Result<HttpResponse, ApiError> {
    let body = state
        .clips
        .object(key)
        .await
        .map_err(|e| ApiError::new(ErrorCode::Unavailable, format!("image storage: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header(("Cache-Control", "private, no-store"))
        .body(body))
}
