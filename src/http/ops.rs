//! `/healthz` and `/metrics` (Prometheus text format).

use actix_web::{web, HttpResponse};

use crate::state::AppState;

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({"status": "ok"})),
        Err(err) => HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({"status": "unavailable", "error": err.to_string()})),
    }
}

/// `GET /metrics`.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let mut out = String::with_capacity(4096);
    state.metrics.render(&mut out);
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(out)
}
