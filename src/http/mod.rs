//! HTTP routes: REST under `/api`, the two WebSockets, ops endpoints, and the web app.

pub mod auth_routes;
pub mod clip_routes;
pub mod error;
pub mod feed_routes;
pub mod ops;
pub mod paging;
pub mod room_routes;
pub mod social_routes;
pub mod whep;

use actix_files::{Files, NamedFile};
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::web;
use protocol::ErrorCode;

use crate::ws;

/// An id from a URL path; anything that is not a UUID names nothing (404 "no such {what}").
pub(crate) fn path_id(raw: &str, what: &str) -> Result<uuid::Uuid, error::ApiError> {
    uuid::Uuid::parse_str(raw).map_err(|_| error::ApiError::new(ErrorCode::NotFound, format!("no such {what}")))
}

/// Largest JSON request body accepted by the REST API.
pub const MAX_JSON_BODY_BYTES: usize = 16 * 1024;

/// Registers every route. `frontend_dir` holds the built web app.
pub fn configure(cfg: &mut web::ServiceConfig, frontend_dir: std::path::PathBuf) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(MAX_JSON_BODY_BYTES)
            .error_handler(error::json_error),
    )
    .app_data(web::PathConfig::default().error_handler(error::path_error))
    .route("/healthz", web::get().to(ops::healthz))
    .route("/metrics", web::get().to(ops::metrics))
    .route("/sync/{room}", web::get().to(ws::sync::upgrade))
    .route("/control/{room}", web::get().to(ws::control::upgrade))
    .route("/whep/{room}", web::post().to(whep::offer))
    .route("/whep/{room}/{session}", web::delete().to(whep::hang_up))
    .service(
        web::scope("/api")
            .route("/auth/signup", web::post().to(auth_routes::signup))
            .route("/auth/login", web::post().to(auth_routes::login))
            .route("/auth/logout", web::post().to(auth_routes::logout))
            .route("/me", web::get().to(auth_routes::me))
            .route("/rooms", web::post().to(room_routes::create))
            .route("/rooms", web::get().to(room_routes::list))
            .route("/rooms/{id}", web::get().to(room_routes::detail))
            .route("/rooms/{id}/ticket", web::post().to(room_routes::ticket))
            .route("/rooms/{id}/share", web::post().to(room_routes::share))
            .route("/rooms/{id}/join", web::post().to(room_routes::join))
            .route("/clips/{id}", web::get().to(clip_routes::detail))
            .route("/clips/{id}/video", web::get().to(clip_routes::video))
            .route("/clips/{id}/post", web::post().to(feed_routes::post))
            .route("/clips/{id}/like", web::put().to(feed_routes::like))
            .route("/clips/{id}/like", web::delete().to(feed_routes::unlike))
            .route("/clips/{id}", web::delete().to(social_routes::remove))
            .route("/clips/{id}/view", web::post().to(social_routes::view))
            .route("/clips/{id}/comments", web::post().to(social_routes::add_comment))
            .route("/clips/{id}/comments", web::get().to(social_routes::comments))
            .route("/clips/{id}/lineage", web::get().to(social_routes::lineage))
            .route("/clips/{id}/remix", web::post().to(social_routes::remix))
            .route("/comments/{id}", web::delete().to(social_routes::delete_comment))
            .route("/feed/latest", web::get().to(feed_routes::latest))
            .route("/feed/following", web::get().to(feed_routes::following))
            .route("/users/{username}/posts", web::get().to(feed_routes::profile))
            .route("/users/{username}/follow", web::put().to(feed_routes::follow))
            .route("/users/{username}/follow", web::delete().to(feed_routes::unfollow))
            .route("/rooms/{id}/members/{username}", web::put().to(room_routes::set_member))
            .route(
                "/rooms/{id}/members/{username}",
                web::delete().to(room_routes::remove_member),
            )
            .default_service(web::to(|| async {
                Err::<actix_web::HttpResponse, _>(error::ApiError::new(ErrorCode::NotFound, "no such API route"))
            })),
    );
    if !frontend_dir.is_dir() {
        tracing::warn!(dir = %frontend_dir.display(), "web app not built (run `make frontend`); serving the API only");
        return;
    }
    let index = frontend_dir.join("index.html");
    cfg.service(
        Files::new("/", frontend_dir)
            .index_file("index.html")
            .default_handler(fn_service(move |req: ServiceRequest| {
                let index = index.clone();
                async move {
                    let (req, _) = req.into_parts();
                    let file = NamedFile::open_async(&index).await?;
                    let res = file.into_response(&req);
                    Ok(ServiceResponse::new(req, res))
                }
            })),
    );
}
