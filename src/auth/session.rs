//! Browser sessions: a random token in an HttpOnly cookie, its SHA-256 in Postgres.
//! [`CurrentUser`] is the extractor every signed-in route takes.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, FromRequest, HttpRequest};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use protocol::ErrorCode;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::users::{User, SESSION_TTL_DAYS};
use crate::http::error::ApiError;
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "reelroom_session";

/// A new random session token (32 bytes, base64url).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores for a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The `Set-Cookie` for a fresh session.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::days(i64::from(SESSION_TTL_DAYS)))
        .finish()
}

/// A cookie that clears the session.
pub fn cleared_cookie() -> Cookie<'static> {
    let mut cookie = Cookie::build(SESSION_COOKIE, "").path("/").http_only(true).finish();
    cookie.make_removal();
    cookie
}

/// The signed-in user, from the session cookie; 401 otherwise.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::new(ErrorCode::Internal, "no state"))?;
            let token = token.ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "sign in first"))?;
            match state.db.session_user(&token_hash(&token)).await? {
                Some(user) => Ok(CurrentUser(user)),
                None => Err(ApiError::new(ErrorCode::Unauthorized, "session expired; sign in again")),
            }
        })
    }
}
