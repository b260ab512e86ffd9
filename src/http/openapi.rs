//! `GET /api/openapi.json`: the OpenAPI 3.1 document of the REST API, generated (utoipa) from
//! the handlers' annotations and the one route list in [`super::HTTP_ROUTES`].

use std::sync::LazyLock;

use actix_web::HttpResponse;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::OpenApi;

use super::ApiDoc;
use crate::auth::SESSION_COOKIE;

/// Declares the session cookie every signed-in route reads.
#[derive(Debug)]
pub struct SessionCookie;

impl utoipa::Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "set by /api/auth/signup and /api/auth/login",
            ))),
        );
    }
}

/// The document, rendered once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
});

/// `GET /api/openapi.json`.
pub async fn document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(DOCUMENT.as_str())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::http::HTTP_ROUTES;

    /// Every registered route is documented with the same method and path, and nothing else is.
    #[test]
    fn the_document_matches_the_routes() {
        let doc = ApiDoc::openapi();
        let documented: BTreeSet<(String, String)> = doc
            .paths
            .paths
            .iter()
            .flat_map(|(path, item)| {
                let ops = [
                    ("get", item.get.is_some()),
                    ("put", item.put.is_some()),
                    ("post", item.post.is_some()),
                    ("delete", item.delete.is_some()),
                    ("patch", item.patch.is_some()),
                ];
                ops.into_iter()
                    .filter(|(_, present)| *present)
                    .map(|(method, _)| (method.to_string(), path.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let routed: BTreeSet<(String, String)> = HTTP_ROUTES
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        assert_eq!(routed.len(), HTTP_ROUTES.len(), "a route is registered twice");
        let undocumented: Vec<_> = routed.difference(&documented).collect();
        let unrouted: Vec<_> = documented.difference(&routed).collect();
        assert!(
            undocumented.is_empty(),
            "routes missing from the document: {undocumented:?}"
        );
        assert!(unrouted.is_empty(), "documented but not routed: {unrouted:?}");
    }

    /// Every path parameter is declared, and every referenced schema exists.
    #[test]
    fn the_document_is_complete() {
        let json = serde_json::to_value(ApiDoc::openapi()).expect("serializes");
        for (path, item) in json["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                let declared: BTreeSet<&str> = op["parameters"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .filter(|p| p["in"] == "path")
                            .filter_map(|p| p["name"].as_str())
                            .collect()
                    })
                    .unwrap_or_default();
                let in_path: BTreeSet<&str> = path
                    .split('/')
                    .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
                    .collect();
                assert_eq!(declared, in_path, "{method} {path}: path parameters");
                assert!(
                    op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                    "{method} {path}: responses"
                );
            }
        }
        let text = json.to_string();
        let schemas = json["components"]["schemas"].as_object().expect("schemas");
        for reference in text.split("\"#/components/schemas/").skip(1) {
            let name = reference.split('"').next().unwrap_or_default();
            assert!(
                schemas.contains_key(name),
                "schema {name} is referenced but not defined"
            );
        }
        for name in [
            "PostView",
            "FeedPage",
            "ForYouScore",
            "LineageView",
            "ErrorBody",
            "ErrorCode",
        ] {
            assert!(schemas.contains_key(name), "{name} is described");
        }
    }
}
