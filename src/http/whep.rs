//! WHEP (WebRTC-HTTP egress, draft-ietf-wish-whep): standard players watch a room's live
//! preview. `POST /whep/{room}` with `Authorization: Bearer <room ticket>` and an SDP offer
//! (`application/sdp`) → `201 Created`, the SDP answer, and `Location: /whep/{room}/{session}`;
//! `DELETE` on that location hangs up. The session part is an HMAC-signed token naming the
//! viewer, so only whoever holds the answer can end the stream.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use actors::media::peer::MAX_SDP_BYTES;
use actors::registry::GetRoom;
use actors::room::{LiveViewer, StopLive, WatchLive};
use protocol::{ErrorBody, ErrorCode};
use uuid::Uuid;

use super::error::ApiError;
use super::room_routes::room_id;
use crate::state::{unix_now, AppState};
use crate::ws::upgrade::ticket_holder;

/// A WHEP session token stays valid this long (the stream itself ends when the peer goes).
pub const WHEP_SESSION_TTL_SECS: i64 = 24 * 3600;
/// High half of the subject WHEP session tokens are signed for (the low half is the viewer): not
/// a user id (those are random v4 UUIDs), so a session token never passes as a room ticket.
const WHEP_SUBJECT_TAG: u64 = 0x5748_4550_5345_5353; // "WHEPSESS"

fn bearer(req: &HttpRequest) -> Result<&str, ApiError> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthorized,
                "send a room ticket as Authorization: Bearer <ticket>",
            )
        })
}

/// `POST /whep/{room}`.
#[utoipa::path(
    post,
    path = "/whep/{room}",
    tag = "live",
    params(("room" = String, Path, description = "room id (UUID)")),
    request_body(content = String, content_type = "application/sdp", description = "an SDP offer to receive VP8"),
    responses((status = 201, description = "the SDP answer; Location names the session", body = String, content_type = "application/sdp"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn offer(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let room = room_id(&path)?;
    let (user, _) = ticket_holder(&state, room, bearer(&req)?).await?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.trim().eq_ignore_ascii_case("application/sdp") {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the offer as application/sdp",
        ));
    }
    if body.len() > MAX_SDP_BYTES {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the offer is longer than {MAX_SDP_BYTES} bytes"),
        ));
    }
    let offer =
        String::from_utf8(body.to_vec()).map_err(|_| ApiError::new(ErrorCode::InvalidSdp, "the offer is not UTF-8"))?;
    let unavailable = || ApiError::new(ErrorCode::Unavailable, "the room is unavailable");
    let room_addr = state.registry.send(GetRoom(room)).await.map_err(|_| unavailable())?;
    let answer = room_addr
        .send(WatchLive {
            viewer: LiveViewer::Whep(user),
            offer,
        })
        .await
        .map_err(|_| unavailable())?
        .map_err(|e| ApiError::new(e.code(), e.to_string()))?;
    let token = state.tickets.sign(
        room,
        Uuid::from_u64_pair(WHEP_SUBJECT_TAG, answer.viewer),
        unix_now() + WHEP_SESSION_TTL_SECS,
    );
    Ok(HttpResponse::Created()
        .insert_header((header::CONTENT_TYPE, "application/sdp"))
        .insert_header((header::LOCATION, format!("/whep/{room}/{token}")))
        .body(answer.sdp))
}

/// `DELETE /whep/{room}/{session}`.
#[utoipa::path(
    delete,
    path = "/whep/{room}/{session}",
    tag = "live",
    params(("room" = String, Path, description = "room id (UUID)"), ("session" = String, Path, description = "WHEP session id")),
    responses((status = 200, description = "hung up"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn hang_up(state: web::Data<AppState>, path: web::Path<(String, String)>) -> Result<HttpResponse, ApiError> {
    let (room, token) = path.into_inner();
    let room = room_id(&room)?;
    let not_found = || ApiError::new(ErrorCode::NotFound, "no such WHEP session");
    let (tag, viewer) = state
        .tickets
        .verify(&token, room, unix_now())
        .map_err(|_| not_found())?
        .as_u64_pair();
    if tag != WHEP_SUBJECT_TAG {
        return Err(not_found());
    }
    let room_addr = state.registry.send(GetRoom(room)).await.map_err(|_| not_found())?;
    match room_addr.send(StopLive(viewer)).await {
        Ok(true) => Ok(HttpResponse::Ok().finish()),
        _ => Err(not_found()),
    }
}
