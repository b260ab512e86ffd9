//! Consent routes: an avatar's permissions, its uses (and removing one), revocation,
//! re-enabling and deletion (owner only, checked here against the row), signed grants,
//! likeness reports and notices. After every change the casting service revises the leases of
//! running jobs, so they stop at their next step.

use actix_web::{web, HttpResponse};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use protocol::avatar::{MAX_PERMISSION_LIST, MAX_REPORT_DETAILS_CHARS, MAX_RULES_CHARS};
use protocol::{
    Audience, AvatarPermissions, AvatarUse, AvatarView, ErrorBody, ErrorCode, GrantView, NewReport, Notice,
    ReportReason, ReportReceipt, ReportStatus, UseState,
};
use uuid::Uuid;

use super::avatar_routes::{private_png, view};
use super::error::ApiError;
use super::path_id;
use super::rate_limit::SocialWrite;
use crate::auth::CurrentUser;
use crate::db::avatars::AvatarRow;
use crate::state::AppState;

/// The avatar, if the caller owns it (404 otherwise: others learn nothing).
async fn owned(state: &AppState, raw: &str, owner: Uuid) -> Result<AvatarRow, ApiError> {
    let id = path_id(raw, "avatar")?;
    match state.db.avatar(id).await? {
        Some(a) if a.owner_id == owner => Ok(a),
        _ => Err(ApiError::new(ErrorCode::NotFound, "no such avatar")),
    }
}

async fn fresh_view(state: &AppState, id: Uuid, viewer: Uuid) -> Result<HttpResponse, ApiError> {
    let a = state
        .db
        .avatar(id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such avatar"))?;
    Ok(HttpResponse::Ok().json(view(state, a, viewer).await?))
}

/// `PUT /api/avatars/{id}/permissions` (owner only).
#[utoipa::path(
    put,
    path = "/api/avatars/{id}/permissions",
    tag = "avatars",
    params(("id" = String, Path, description = "avatar id (UUID)")),
    request_body = AvatarPermissions,
    responses((status = 200, description = "the avatar", body = AvatarView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn set_permissions(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
    body: web::Json<AvatarPermissions>,
) -> Result<HttpResponse, ApiError> {
    state.write_limits.admit(user.id, SocialWrite::Consent)?;
    let a = owned(&state, &path, user.id).await?;
    let mut p = body.into_inner();
    p.rules = p.rules.trim().to_owned();
    if p.rules.chars().count() > MAX_RULES_CHARS {
        return Err(ApiError::new(
            ErrorCode::InvalidField,
            format!("rules are at most {MAX_RULES_CHARS} characters"),
        ));
    }
    if p.approved.len() > MAX_PERMISSION_LIST || p.blocked.len() > MAX_PERMISSION_LIST {
        return Err(ApiError::new(
            ErrorCode::InvalidField,
            format!("at most {MAX_PERMISSION_LIST} usernames per list"),
        ));
    }
    if let Err(name) = state.db.set_avatar_permissions(a.id, &p).await? {
        return Err(ApiError::new(
            ErrorCode::InvalidField,
            format!("no user named {name:?}"),
        ));
    }
    let stopped = state.cameo.revise(a.id).await?;
    tracing::info!(avatar = %a.id, who = p.who.as_str(), stopped, "avatar permissions changed");
    fresh_view(&state, a.id, user.id).await
}

/// `GET /api/avatars/{id}/uses` (owner only): every clip using the avatar, drafts included.
#[utoipa::path(
    get,
    path = "/api/avatars/{id}/uses",
    tag = "avatars",
    params(("id" = String, Path, description = "avatar id (UUID)")),
    responses((status = 200, description = "clips that cast it", body = Vec<AvatarUse>), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn uses(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let a = owned(&state, &path, user.id).await?;
    let out: Vec<AvatarUse> = state
        .db
        .avatar_uses(a.id)
        .await?
        .into_iter()
        .map(|u| {
            let state = match (u.status.as_str(), u.hidden) {
                ("removed", _) => UseState::Removed,
                (_, true) => UseState::Hidden,
                ("posted", _) => UseState::Posted,
                _ => UseState::Draft,
            };
            AvatarUse {
                // The owner sees the poster of any use, drafts included, while it exists.
                poster_url: (u.has_poster && state != UseState::Removed)
                    .then(|| format!("/api/avatars/{}/uses/{}/poster", a.id, u.clip_id)),
                clip_id: u.clip_id.to_string(),
                grant_id: u.grant_id.to_string(),
                author: u.author,
                state,
                created_at: u.created_at,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// `GET /api/avatars/{id}/uses/{clip_id}/poster` (owner only).
#[utoipa::path(
    get,
    path = "/api/avatars/{id}/uses/{clip_id}/poster",
    tag = "avatars",
    params(("id" = String, Path, description = "avatar id (UUID)"), ("clip_id" = String, Path, description = "clip id (UUID)")),
    responses((status = 200, description = "a PNG still", body = Vec<u8>, content_type = "image/png"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn use_poster(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (raw, clip) = path.into_inner();
    let a = owned(&state, &raw, user.id).await?;
    let clip = path_id(&clip, "clip")?;
    let key = state
        .db
        .use_poster_key(a.id, clip)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such use"))?;
    private_png(&state, &key).await
}

/// `DELETE /api/avatars/{id}/uses/{clip_id}` (owner only): removes that clip.
#[utoipa::path(
    delete,
    path = "/api/avatars/{id}/uses/{clip_id}",
    tag = "avatars",
    params(("id" = String, Path, description = "avatar id (UUID)"), ("clip_id" = String, Path, description = "clip id (UUID)")),
    responses((status = 204, description = "removed"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn remove_use(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    state.write_limits.admit(user.id, SocialWrite::Consent)?;
    let (raw, clip) = path.into_inner();
    let a = owned(&state, &raw, user.id).await?;
    let clip = path_id(&clip, "clip")?;
    let keys = state
        .db
        .remove_use(&state.cameo.key, a.id, clip)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "this clip does not use your avatar"))?;
    for key in keys {
        if let Err(e) = state.clips.delete_object(&key).await {
            tracing::warn!(%clip, %key, %e, "deleting a removed clip's media failed");
        }
    }
    Ok(HttpResponse::NoContent().finish())
}

async fn revoke_or_delete(state: &AppState, user: Uuid, raw: &str, delete: bool) -> Result<AvatarRow, ApiError> {
    state.write_limits.admit(user, SocialWrite::Consent)?;
    let a = owned(state, raw, user).await?;
    // Running jobs stop first (at their next step), then the database hides every use.
    let stopped = state.cameo.withdraw_all(a.id);
    let hidden = state.db.revoke_avatar(&state.cameo.key, a.id, delete).await?;
    tracing::info!(avatar = %a.id, delete, stopped, hidden, "avatar revoked");
    if delete {
        for key in &a.crop_keys {
            let _ = state.clips.delete_object(key).await;
        }
    }
    Ok(a)
}

/// `POST /api/avatars/{id}/revoke` (owner only).
#[utoipa::path(
    post,
    path = "/api/avatars/{id}/revoke",
    tag = "avatars",
    params(("id" = String, Path, description = "avatar id (UUID)")),
    responses((status = 200, description = "revoked: every use hidden", body = AvatarView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn revoke(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let a = revoke_or_delete(&state, user.id, &path, false).await?;
    fresh_view(&state, a.id, user.id).await
}

/// `POST /api/avatars/{id}/enable` (owner only): castable again; hidden clips stay hidden.
#[utoipa::path(
    post,
    path = "/api/avatars/{id}/enable",
    tag = "avatars",
    params(("id" = String, Path, description = "avatar id (UUID)")),
    responses((status = 200, description = "the avatar", body = AvatarView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn enable(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.write_limits.admit(user.id, SocialWrite::Consent)?;
    let a = owned(&state, &path, user.id).await?;
    if !state.db.enable_avatar(&state.cameo.key, a.id).await? {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "only a revoked avatar can be enabled",
        ));
    }
    fresh_view(&state, a.id, user.id).await
}

/// `DELETE /api/avatars/{id}` (owner only): revokes it and erases its crops and embedding.
#[utoipa::path(
    delete,
    path = "/api/avatars/{id}",
    tag = "avatars",
    params(("id" = String, Path, description = "avatar id (UUID)")),
    responses((status = 204, description = "deleted"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn delete(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    revoke_or_delete(&state, user.id, &path, true).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/grants/{id}`: a signed consent record (public: it is what provenance points to).
#[utoipa::path(
    get,
    path = "/api/grants/{id}",
    tag = "avatars",
    params(("id" = String, Path, description = "grant id (UUID)")),
    responses((status = 200, description = "the grant with its signature", body = GrantView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn grant(state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path, "grant")?;
    let g = state
        .db
        .grant(id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such grant"))?;
    let verified = state.cameo.key.verify(g.payload.as_bytes(), &g.signature);
    Ok(HttpResponse::Ok().json(GrantView {
        id: g.id.to_string(),
        avatar_id: g.avatar_id.to_string(),
        owner: g.owner,
        cast_by: g.cast_by,
        clip_id: g.clip_id.map(|c| c.to_string()),
        audience: Audience::parse(&g.audience).unwrap_or(Audience::OnlyMe),
        granted_at: g.granted_at,
        payload: g.payload,
        signature: B64.encode(&g.signature),
        public_key: state.cameo.key.public_b64(),
        verified,
    }))
}

/// `POST /api/reports`: "uses my likeness without consent" (or another reason). A likeness
/// report hides the clip at once when the reporter's own verified avatar matches an avatar the
/// clip casts (face-embedding distance); otherwise it waits for review.
#[utoipa::path(
    post,
    path = "/api/reports",
    tag = "reports",
    request_body = NewReport,
    responses((status = 201, description = "filed", body = ReportReceipt), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn report(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    body: web::Json<NewReport>,
) -> Result<HttpResponse, ApiError> {
    state.write_limits.admit(user.id, SocialWrite::Report)?;
    let r = body.into_inner();
    if r.details.chars().count() > MAX_REPORT_DETAILS_CHARS {
        return Err(ApiError::new(
            ErrorCode::InvalidField,
            format!("details are at most {MAX_REPORT_DETAILS_CHARS} characters"),
        ));
    }
    let clip = path_id(&r.id, "clip")?;
    state
        .clips
        .visible(clip, user.id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such clip"))?;
    let mut matched = None;
    if r.reason == ReportReason::Likeness {
        let mine = state.db.embeddings(Some(user.id), None).await?;
        let cast = state.db.embeddings(None, Some(clip)).await?;
        matched = likeness_match(&mine, &cast);
    }
    let id = state.db.file_report(user.id, &r, clip, matched).await?;
    let status = if matched.is_some() {
        ReportStatus::Hidden
    } else {
        ReportStatus::Queued
    };
    Ok(HttpResponse::Created().json(ReportReceipt {
        id: id.to_string(),
        status,
    }))
}

/// The reporter's avatar that is, or looks like (dlib face-embedding distance), an avatar the
/// clip casts.
fn likeness_match(mine: &[(Uuid, Vec<f32>)], cast: &[(Uuid, Vec<f32>)]) -> Option<Uuid> {
    let as_array = |v: &[f32]| <[f32; 128]>::try_from(v).ok();
    mine.iter().find_map(|(ra, re)| {
        cast.iter()
            .any(|(ca, ce)| {
                ra == ca
                    || matches!((as_array(re), as_array(ce)), (Some(a), Some(b)) if faces::distance(&a, &b) < faces::SAME_PERSON_DISTANCE)
            })
            .then_some(*ra)
    })
}

/// `GET /api/notifications`.
#[utoipa::path(
    get,
    path = "/api/notifications",
    tag = "users",
    responses((status = 200, description = "the caller's latest notices", body = Vec<Notice>), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn notifications(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.db.notices(user.id).await?))
}
