//! HTTP routes: REST under `/api`, the two WebSockets, ops endpoints, and the web app.

pub mod auth_routes;
pub mod avatar_routes;
pub mod client;
pub mod clip_routes;
pub mod consent_routes;
pub mod detect_routes;
pub mod error;
pub mod feed_routes;
pub mod openapi;
pub mod ops;
pub mod paging;
pub mod rate_limit;
pub mod room_routes;
pub mod social_routes;
pub mod whep;

use actix_files::{Files, NamedFile};
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::web;
use protocol::ErrorCode;

use crate::understanding;
use crate::ws;
use openapi::SessionCookie;

/// An id from a URL path; anything that is not a UUID names nothing (404 "no such {what}").
pub(crate) fn path_id(raw: &str, what: &str) -> Result<uuid::Uuid, error::ApiError> {
    uuid::Uuid::parse_str(raw).map_err(|_| error::ApiError::new(ErrorCode::NotFound, format!("no such {what}")))
}

/// Largest JSON request body accepted by the REST API.
pub const MAX_JSON_BODY_BYTES: usize = 16 * 1024;

/// Declares the REST routes once: [`HTTP_ROUTES`] (method, path), their registration, and the
/// OpenAPI document listing their handlers, so the document cannot leave a route out.
macro_rules! rest_routes {
    ($($method:ident $path:literal => $module:ident :: $handler:ident;)*) => {
        /// `(method, path)` of every REST route, as registered.
        pub const HTTP_ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        fn documented_routes(cfg: &mut web::ServiceConfig) {
            // One resource per (method, path): the method guard moves to the resource, so a
            // path with two methods is two resources and each request finds its own.
            cfg$(.route($path, web::$method().to($module::$handler)))*;
        }

        /// The OpenAPI document of [`HTTP_ROUTES`].
        #[derive(utoipa::OpenApi)]
        #[openapi(
            info(title = "reelroom", description = "Make AI videos together: rooms, clips, the social feed and live preview."),
            paths($($module::$handler),*),
            modifiers(&SessionCookie),
            security(("session" = [])),
        )]
        #[derive(Debug)]
        pub struct ApiDoc;
    };
}

rest_routes! {
    post "/api/auth/signup" => auth_routes::signup;
    post "/api/auth/login" => auth_routes::login;
    post "/api/auth/logout" => auth_routes::logout;
    get "/api/me" => auth_routes::me;
    post "/api/rooms" => room_routes::create;
    get "/api/rooms" => room_routes::list;
    get "/api/rooms/{id}" => room_routes::detail;
    post "/api/rooms/{id}/ticket" => room_routes::ticket;
    post "/api/rooms/{id}/share" => room_routes::share;
    get "/api/rooms/{id}/share" => room_routes::share_links;
    delete "/api/rooms/{id}/share/{link_id}" => room_routes::revoke_share;
    post "/api/rooms/{id}/join" => room_routes::join;
    put "/api/rooms/{id}/members/{username}" => room_routes::set_member;
    delete "/api/rooms/{id}/members/{username}" => room_routes::remove_member;
    get "/api/clips/{id}" => clip_routes::detail;
    delete "/api/clips/{id}" => social_routes::remove;
    get "/api/clips/{id}/video" => clip_routes::video;
    get "/api/clips/{id}/preview" => clip_routes::preview;
    get "/api/clips/{id}/poster" => clip_routes::poster;
    get "/api/clips/{id}/download" => clip_routes::download;
    post "/api/clips/{id}/post" => feed_routes::post;
    get "/api/clips/{id}/post" => feed_routes::get_post;
    put "/api/clips/{id}/like" => feed_routes::like;
    delete "/api/clips/{id}/like" => feed_routes::unlike;
    post "/api/clips/{id}/view" => social_routes::view;
    post "/api/clips/{id}/comments" => social_routes::add_comment;
    get "/api/clips/{id}/comments" => social_routes::comments;
    get "/api/clips/{id}/lineage" => social_routes::lineage;
    post "/api/clips/{id}/remix" => social_routes::remix;
    delete "/api/comments/{id}" => social_routes::delete_comment;
    get "/api/feed/for-you" => feed_routes::for_you;
    get "/api/feed/latest" => feed_routes::latest;
    get "/api/feed/following" => feed_routes::following;
    get "/api/understand" => understanding::get;
    post "/api/avatars/challenge" => avatar_routes::new_challenge;
    get "/api/avatars/mine" => avatar_routes::mine;
    get "/api/avatars/castable" => avatar_routes::castable;
    post "/api/avatars" => avatar_routes::upload;
    get "/api/avatars/{id}" => avatar_routes::detail;
    delete "/api/avatars/{id}" => consent_routes::delete;
    get "/api/avatars/{id}/crops/{n}" => avatar_routes::crop;
    put "/api/avatars/{id}/permissions" => consent_routes::set_permissions;
    get "/api/avatars/{id}/uses" => consent_routes::uses;
    get "/api/avatars/{id}/uses/{clip_id}/poster" => consent_routes::use_poster;
    delete "/api/avatars/{id}/uses/{clip_id}" => consent_routes::remove_use;
    post "/api/avatars/{id}/revoke" => consent_routes::revoke;
    post "/api/avatars/{id}/enable" => consent_routes::enable;
    get "/api/grants/{id}" => consent_routes::grant;
    post "/api/reports" => consent_routes::report;
    get "/api/notifications" => consent_routes::notifications;
    post "/api/detect" => detect_routes::detect;
    get "/api/users/{username}" => feed_routes::user_profile;
    get "/api/users/{username}/posts" => feed_routes::user_posts;
    put "/api/users/{username}/follow" => feed_routes::follow;
    delete "/api/users/{username}/follow" => feed_routes::unfollow;
    post "/whep/{room}" => whep::offer;
    delete "/whep/{room}/{session}" => whep::hang_up;
}

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
    .route("/api/openapi.json", web::get().to(openapi::document));
    documented_routes(cfg);
    cfg.service(web::scope("/api").default_service(web::to(|| async {
        Err::<actix_web::HttpResponse, _>(error::ApiError::new(ErrorCode::NotFound, "no such API route"))
    })));
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
