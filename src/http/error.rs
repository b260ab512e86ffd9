//! `ApiError`: every REST failure becomes an HTTP status plus `{"code","message"}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use protocol::{ErrorBody, ErrorCode};

use crate::db::DbError;

/// A REST error with its code.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// Machine-readable kind.
    pub code: ErrorCode,
    /// Human text.
    pub message: String,
    /// Seconds to wait before retrying (sent as `Retry-After`), for 429 answers.
    pub retry_after_s: Option<u64>,
}

impl ApiError {
    /// Builds an error.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            retry_after_s: None,
        }
    }

    /// Adds a `Retry-After` (seconds).
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_s = Some(seconds);
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        if let Some(seconds) = self.retry_after_s {
            res.insert_header((actix_web::http::header::RETRY_AFTER, seconds.to_string()));
        }
        res.json(ErrorBody::new(self.code, self.message.clone()))
    }
}

impl From<DbError> for ApiError {
    fn from(err: DbError) -> Self {
        tracing::error!(%err, "database error");
        match err {
            DbError::Pool(_) => ApiError::new(ErrorCode::Unavailable, "database unavailable"),
            DbError::Conflict => ApiError::new(ErrorCode::BadRequest, "already exists"),
            _ => ApiError::new(ErrorCode::Internal, "internal error"),
        }
    }
}

/// Turns actix's JSON extractor errors into our error body.
pub fn json_error(err: actix_web::error::JsonPayloadError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError;
    let api = match &err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::new(ErrorCode::PayloadTooLarge, "request body too large")
        }
        JsonPayloadError::ContentType => {
            ApiError::new(ErrorCode::BadRequest, "expected Content-Type: application/json")
        }
        _ => ApiError::new(ErrorCode::BadRequest, format!("invalid JSON body: {err}")),
    };
    api.into()
}

/// Turns path-parameter errors into our error body.
pub fn path_error(err: actix_web::error::PathError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::new(ErrorCode::NotFound, format!("bad path: {err}")).into()
}
