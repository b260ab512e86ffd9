//! Checks done before any WebSocket is accepted: Origin, ticket, membership.

use actix_web::{web, HttpRequest};
use protocol::{ErrorCode, Role};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::TicketError;
use crate::http::error::ApiError;
use crate::state::{unix_now, AppState};

/// Query string of both sockets.
#[derive(Debug, Deserialize)]
pub struct UpgradeQuery {
    /// Signed room ticket.
    pub ticket: Option<String>,
    /// Control-protocol version (control socket only).
    pub v: Option<u32>,
}

/// Who is connecting, as checked.
#[derive(Debug, Clone)]
pub struct Authorized {
    /// Room.
    pub room_id: Uuid,
    /// User.
    pub user_id: Uuid,
    /// Their username.
    pub username: String,
    /// Their current role (from the database, not the ticket).
    pub role: Role,
}

/// Same-origin by default: the Origin's host must equal the request's Host. Requests
/// without an Origin (non-browser clients) carry no ambient cookies and need a ticket anyway.
fn origin_allowed(req: &HttpRequest, allowlist: &[String]) -> bool {
    let Some(origin) = req.headers().get("origin").and_then(|o| o.to_str().ok()) else {
        return true;
    };
    let origin = origin.trim_end_matches('/');
    if !allowlist.is_empty() {
        return allowlist.iter().any(|allowed| allowed == "*" || allowed == origin);
    }
    let origin_host = origin.split_once("://").map_or(origin, |(_, host)| host);
    let host = req
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// Runs every check; the error becomes the upgrade's HTTP response (401/403/404).
pub async fn authorize(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    room: &str,
    query: &UpgradeQuery,
) -> Result<Authorized, ApiError> {
    if !origin_allowed(req, &state.config.allowed_origins) {
        return Err(ApiError::new(ErrorCode::OriginNotAllowed, "origin not allowed"));
    }
    let room_id = crate::http::room_routes::room_id(room)?;
    let ticket = query
        .ticket
        .as_deref()
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "missing ticket"))?;
    let (user_id, role) = ticket_holder(state, room_id, ticket).await?;
    let user = state
        .db
        .user_by_id(user_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "no such user"))?;
    Ok(Authorized {
        room_id,
        user_id,
        username: user.username,
        role,
    })
}

/// The member a room ticket names and their current role (not the one at ticket time: a
/// removed member gets nothing). 401 for a bad or expired ticket, 403 for another room's.
pub async fn ticket_holder(state: &AppState, room: Uuid, ticket: &str) -> Result<(Uuid, Role), ApiError> {
    let user = state
        .tickets
        .verify(ticket, room, unix_now())
        .map_err(|err| match err {
            TicketError::WrongRoom => ApiError::new(ErrorCode::Forbidden, err.to_string()),
            TicketError::Invalid | TicketError::Expired => ApiError::new(ErrorCode::Unauthorized, err.to_string()),
        })?;
    let (_, role) = crate::http::room_routes::role_in(state, room, user).await?;
    Ok((user, role))
}

/// Fault injection for tests (`REELROOM_FAULT_JOIN_DELAY_MS`): widens the gap between the
/// role check at upgrade and the join, where a membership change used to be missed.
static FAULT_JOIN_DELAY: std::sync::LazyLock<Option<std::time::Duration>> = std::sync::LazyLock::new(|| {
    std::env::var("REELROOM_FAULT_JOIN_DELAY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map(std::time::Duration::from_millis)
});

/// Joins the room, retrying while an unloading room hands over to a fresh one.
pub async fn join(
    state: &AppState,
    auth: &Authorized,
    session_id: u64,
    kind: actors::session::SessionKind,
) -> Result<Joined, actors::session::CloseReason> {
    use actors::registry::GetRoom;
    use actors::room::{Join, JoinError};
    use actors::session::{CloseReason, SessionHandle};
    use protocol::CloseCode;
    if let Some(delay) = *FAULT_JOIN_DELAY {
        tokio::time::sleep(delay).await;
    }
    for _ in 0..super::JOIN_RETRIES {
        let room = state
            .registry
            .send(GetRoom(auth.room_id))
            .await
            .map_err(|_| CloseReason::from(CloseCode::ShuttingDown))?;
        let (handle, outbound, closed) =
            SessionHandle::new(session_id, auth.user_id, auth.username.clone(), auth.role, kind);
        match room.send(Join(handle)).await {
            Ok(Ok(())) => {
                recheck_role(state, auth, &room).await?;
                return Ok(Joined { room, outbound, closed });
            }
            Ok(Err(JoinError::Unavailable(err))) => {
                tracing::warn!(room = %auth.room_id, %err, "join failed");
                return Err(CloseReason::new(CloseCode::RoomUnavailable, "room could not be loaded"));
            }
            Ok(Err(JoinError::Closing)) | Err(_) => tokio::time::sleep(super::JOIN_RETRY_DELAY).await,
        }
    }
    Err(CloseCode::RoomUnavailable.into())
}

/// Reads the member's role again once the room holds the session. A removal or role change
/// committed after [`authorize`] read the role, but pushed to the room before this session
/// joined, would otherwise be missed for the life of the socket. Any change after this read
/// reaches the room after the session, so it applies. The socket task forwards no frame
/// before this returns, so nothing the client sends is handled under the stale role.
async fn recheck_role(
    state: &AppState,
    auth: &Authorized,
    room: &actix::Addr<actors::room::RoomActor>,
) -> Result<(), actors::session::CloseReason> {
    use actors::room::MemberChanged;
    use protocol::CloseCode;
    let current = match state.db.room_access(auth.room_id, auth.user_id).await {
        Ok(access) => access.and_then(|(_, role)| role),
        Err(err) => {
            tracing::warn!(room = %auth.room_id, %err, "re-reading the role at join failed");
            return Err(CloseCode::RoomUnavailable.into());
        }
    };
    if current != Some(auth.role) {
        tracing::info!(room = %auth.room_id, user = %auth.user_id, ?current, "membership changed while joining");
        let change = MemberChanged {
            user_id: auth.user_id,
            role: current,
        };
        room.send(change)
            .await
            .map_err(|_| actors::session::CloseReason::from(CloseCode::ShuttingDown))?;
    }
    Ok(())
}

/// A joined session's ends.
#[derive(Debug)]
pub struct Joined {
    /// The room.
    pub room: actix::Addr<actors::room::RoomActor>,
    /// Frames from the room.
    pub outbound: tokio::sync::mpsc::Receiver<actors::session::Outbound>,
    /// Close signal from the room.
    pub closed: tokio::sync::oneshot::Receiver<actors::session::CloseReason>,
}
