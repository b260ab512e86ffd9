//! `/healthz` and `/metrics` (Prometheus text format).

use actix_web::{web, HttpRequest, HttpResponse};
use protocol::ErrorCode;

use super::error::ApiError;
use crate::state::AppState;

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({"status": "ok"})),
        Err(err) => HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({"status": "unavailable", "error": err.to_string()})),
    }
}

/// `GET /metrics`: with `REELROOM_METRICS_TOKEN` set, for `Authorization: Bearer <token>`;
/// otherwise for loopback peers only, not forwarded by a proxy (room, connection and viewer
/// counts are not public).
pub async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let allowed = match &state.config.metrics_token {
        Some(token) => {
            let given = req
                .headers()
                .get("authorization")
                .and_then(|h| h.to_str().ok())
                .and_then(|h| h.strip_prefix("Bearer "))
                .unwrap_or_default();
            // Constant time: the token is a secret.
            given.len() == token.len() && given.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
        }
        // A proxy on this host forwards outside requests from loopback: those carry a
        // forwarding header, and are refused like any outside request.
        None => {
            let forwarded = ["x-forwarded-for", "forwarded", "x-real-ip"]
                .iter()
                .any(|h| req.headers().contains_key(*h));
            !forwarded && req.peer_addr().is_some_and(|a| a.ip().is_loopback())
        }
    };
    if !allowed {
        return Err(ApiError::new(ErrorCode::Forbidden, "metrics are not public"));
    }
    let mut out = String::with_capacity(4096);
    state.metrics.render(&mut out);
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(out))
}
