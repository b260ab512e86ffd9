//! Error codes returned by the REST API (with an HTTP status) and on the control socket.

use serde::{Deserialize, Serialize};

/// A machine-readable error kind. The HTTP status that goes with each is in `http_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request body or a parameter is malformed.
    BadRequest,
    /// Username is not 3-32 characters of `[a-z0-9_]`.
    InvalidUsername,
    /// Password is shorter than the minimum.
    WeakPassword,
    /// A text field is empty or too long.
    InvalidField,
    /// Username already exists.
    UsernameTaken,
    /// Not signed in, or the session / ticket is invalid or expired.
    Unauthorized,
    /// Wrong username or password.
    InvalidCredentials,
    /// Signed in, but not allowed to do this.
    Forbidden,
    /// No such room, user or resource (or not visible to you).
    NotFound,
    /// Too many requests; retry later.
    RateLimited,
    /// The request body is too large.
    PayloadTooLarge,
    /// The WebSocket `Origin` is not in the allowlist.
    OriginNotAllowed,
    /// The client speaks another control-protocol version.
    ProtocolVersionMismatch,
    /// The scene script fails validation; the message names the field.
    InvalidScript,
    /// A control message could not be parsed.
    InvalidMessage,
    /// Something failed on our side.
    Internal,
    /// A dependency (database) is unavailable.
    Unavailable,
    /// The `Range` header asks for bytes the resource does not have.
    RangeNotSatisfiable,
    /// A WebRTC offer could not be negotiated (malformed SDP, no VP8 video to receive).
    InvalidSdp,
    /// The request body has the wrong `Content-Type` (WHEP wants `application/sdp`).
    UnsupportedMediaType,
    /// The resource is not in a state that allows this (a clip posted twice).
    Conflict,
    /// A per-account or per-room cap is reached (rooms owned, live share links); waiting does
    /// not help, removing something does.
    QuotaExceeded,
    /// A shot casts an avatar its owner does not let the caller use (or revoked); the message
    /// names the avatar.
    AvatarNotPermitted,
    /// The upload is not a video we can read, or the challenge is unknown, used or expired.
    InvalidUpload,
}

impl ErrorCode {
    /// The HTTP status code that goes with this error.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest
            | ErrorCode::InvalidUsername
            | ErrorCode::WeakPassword
            | ErrorCode::InvalidField
            | ErrorCode::ProtocolVersionMismatch
            | ErrorCode::InvalidScript
            | ErrorCode::InvalidMessage
            | ErrorCode::InvalidSdp
            | ErrorCode::InvalidUpload => 400,
            ErrorCode::Unauthorized | ErrorCode::InvalidCredentials => 401,
            ErrorCode::Forbidden
            | ErrorCode::OriginNotAllowed
            | ErrorCode::QuotaExceeded
            | ErrorCode::AvatarNotPermitted => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::UsernameTaken | ErrorCode::Conflict => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::RangeNotSatisfiable => 416,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Unavailable => 503,
        }
    }
}

/// The JSON body of every error response: `{"code": "...", "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// What went wrong, for programs.
    pub code: ErrorCode,
    /// What went wrong, for people.
    pub message: String,
}

impl ErrorBody {
    /// Builds an error body.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            code,
            message: message.into(),
        }
    }
}
