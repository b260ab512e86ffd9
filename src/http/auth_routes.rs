//! `/api/auth/*` and `/api/me`: sign up, sign in, sign out, who am I.

use actix_web::{web, HttpRequest, HttpResponse};
use protocol::{Credentials, ErrorBody, ErrorCode, UserView, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};

use super::error::ApiError;
use crate::auth::session::{cleared_cookie, new_token, session_cookie, token_hash};
use crate::auth::{CurrentUser, SESSION_COOKIE};
use crate::db::users::User;
use crate::db::DbError;
use crate::state::AppState;

fn view(user: &User) -> UserView {
    UserView {
        id: user.id.to_string(),
        username: user.username.clone(),
    }
}

async fn start_session(state: &AppState, user: &User) -> Result<actix_web::cookie::Cookie<'static>, ApiError> {
    let token = new_token();
    state.db.create_session(user.id, &token_hash(&token)).await?;
    Ok(session_cookie(token, state.config.secure_cookies))
}

/// `POST /api/auth/signup`.
#[utoipa::path(
    post,
    path = "/api/auth/signup",
    tag = "auth",
    request_body = Credentials,
    responses((status = 201, description = "signed up and in (session cookie set)", body = UserView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Credentials>,
) -> Result<HttpResponse, ApiError> {
    let Credentials { username, password } = body.into_inner();
    if !protocol::is_valid_username(&username) {
        return Err(ApiError::new(
            ErrorCode::InvalidUsername,
            "username must be 3-32 characters of a-z, 0-9 and _",
        ));
    }
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(ApiError::new(
            ErrorCode::WeakPassword,
            format!("password must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(ApiError::new(
            ErrorCode::WeakPassword,
            format!("password must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    // Counted once the request is well formed (a typo in a form costs nothing).
    let address = super::client::client_address(&req, &state.config.trusted_proxies);
    if let Err(retry_after) = state.signup_limits.admit(&address) {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            "too many new accounts from your network; try again later",
        )
        .retry_after(retry_after));
    }
    if state.db.user_by_name(&username).await?.is_some() {
        return Err(ApiError::new(ErrorCode::UsernameTaken, "that username is taken"));
    }
    // One sign-up hashes at a time; sign-ins never wait behind a wave of them.
    let _permit = state
        .signup_hashing
        .acquire()
        .await
        .map_err(|_| ApiError::new(ErrorCode::Internal, "shutting down"))?;
    let hash = state.passwords.hash(password).await.map_err(|err| {
        tracing::error!(%err, "hashing failed");
        ApiError::new(ErrorCode::Internal, "hashing failed")
    })?;
    let user = match state.db.create_user(&username, &hash).await {
        Ok(user) => user,
        Err(DbError::Conflict) => return Err(ApiError::new(ErrorCode::UsernameTaken, "that username is taken")),
        Err(err) => return Err(err.into()),
    };
    let cookie = start_session(&state, &user).await?;
    Ok(HttpResponse::Created().cookie(cookie).json(view(&user)))
}

/// `POST /api/auth/login`. Failures are throttled per (account, address) and per address (429):
/// someone else's wrong guesses never lock an account's owner out.
#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = "auth",
    request_body = Credentials,
    responses((status = 200, description = "signed in (session cookie set)", body = UserView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Credentials>,
) -> Result<HttpResponse, ApiError> {
    let Credentials { username, password } = body.into_inner();
    let address = super::client::client_address(&req, &state.config.trusted_proxies);
    let keys = crate::auth::throttle::login_keys(&username, &address);
    let account_key = keys[0].clone();
    if state.login_throttle.blocked(&keys) {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            "too many failed sign-ins; try again in a few minutes",
        ));
    }
    let denied = || {
        state.login_throttle.failed(&keys);
        ApiError::new(ErrorCode::InvalidCredentials, "wrong username or password")
    };
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(denied());
    }
    let Some((user, hash)) = state.db.user_with_hash(&username).await? else {
        return Err(denied());
    };
    if !state.passwords.verify(password, hash).await {
        return Err(denied());
    }
    state.login_throttle.succeeded(&account_key);
    let cookie = start_session(&state, &user).await?;
    Ok(HttpResponse::Ok().cookie(cookie).json(view(&user)))
}

/// `POST /api/auth/logout`: ends the session (idempotent).
#[utoipa::path(
    post,
    path = "/api/auth/logout",
    tag = "auth",
    responses((status = 204, description = "signed out"), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn logout(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        state.db.delete_session(&token_hash(cookie.value())).await?;
    }
    Ok(HttpResponse::NoContent().cookie(cleared_cookie()).finish())
}

/// `GET /api/me`.
#[utoipa::path(
    get,
    path = "/api/me",
    tag = "auth",
    responses((status = 200, description = "the signed-in user", body = UserView), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn me(CurrentUser(user): CurrentUser) -> HttpResponse {
    HttpResponse::Ok().json(view(&user))
}
