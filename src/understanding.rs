//! How the video model reads a prompt, as the wire type [`protocol::Understanding`]:
//! [`understanding`] converts the parser's [`world::v2::Understood`] (for `make generate` too),
//! and `GET /api/understand?text=…` answers it for the studio's live read-out under each shot.

use actix_web::{web, HttpRequest, HttpResponse};
use protocol::{Correction, ErrorBody, ErrorCode, Understanding, UnderstoodSubject};
use serde::Deserialize;
use world::v2::understand::MatchKind;
use world::v2::Understood;

use crate::auth::CurrentUser;
use crate::http::error::ApiError;

/// Longest `text` `GET /api/understand` takes, in bytes (longer: 413 `payload_too_large`): any
/// shot prompt the script allows, at up to 4 UTF-8 bytes a character. The parser itself reads
/// only the first `world::v2::text::MAX_PROMPT_CHARS` characters and says `truncated`.
pub const MAX_UNDERSTAND_TEXT_BYTES: usize = 4 * protocol::script::MAX_PROMPT_CHARS;

/// The wire name of how a subject's words were matched.
fn matched_name(kind: MatchKind) -> &'static str {
    match kind {
        MatchKind::Name => "name",
        MatchKind::Keyword => "keyword",
        MatchKind::Synonym => "synonym",
        MatchKind::Spelling => "spelling",
        MatchKind::Emoji => "emoji",
        MatchKind::Avatar => "avatar",
    }
}

/// The parser's reading of a prompt as the API shows it.
pub fn understanding(u: &Understood) -> Understanding {
    Understanding {
        subjects: u
            .subjects
            .iter()
            .map(|s| UnderstoodSubject {
                concept: s.name.clone(),
                concept_fr: s.name_fr.clone(),
                emoji: s.emoji.clone(),
                count: s.count,
                size: s.scale.name().to_string(),
                words: s.words.clone(),
                matched: matched_name(s.matched).to_string(),
            })
            .collect(),
        action: u.action.map(|a| a.name().to_string()),
        relation: u.relation.map(|r| r.name().to_string()),
        place: u.place.map(|p| p.name().to_string()),
        light: u.light.map(|l| l.name().to_string()),
        weather: u.weather.map(|w| w.name().to_string()),
        camera: u.camera.map(|c| c.name().to_string()),
        ignored: u.ignored.clone(),
        corrected: u
            .corrected
            .iter()
            .map(|(typed, read)| Correction {
                typed: typed.clone(),
                read: read.clone(),
            })
            .collect(),
        truncated: u.truncated,
        summary: u.summary(),
    }
}

/// Reads `text` (any length; the parser bounds its own work).
pub fn understand_text(text: &str) -> Understanding {
    understanding(&world::v2::understand(text))
}

/// `?text=…` of `GET /api/understand`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnderstandQuery {
    /// The prompt, English or French (at most `MAX_UNDERSTAND_TEXT_BYTES` bytes once decoded).
    text: Option<String>,
}

/// `GET /api/understand?text=…`.
#[utoipa::path(
    get,
    path = "/api/understand",
    tag = "studio",
    params(UnderstandQuery),
    responses(
        (status = 200, description = "how the video model reads the prompt", body = Understanding),
        (status = 413, description = "`payload_too_large`: text is over MAX_UNDERSTAND_TEXT_BYTES bytes", body = ErrorBody),
        (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody)
    )
)]
pub async fn get(req: HttpRequest, CurrentUser(_user): CurrentUser) -> Result<HttpResponse, ApiError> {
    // Refuse an over-long query before decoding it (percent-encoding triples a byte at most).
    if req.query_string().len() > 3 * MAX_UNDERSTAND_TEXT_BYTES + 64 {
        return Err(too_long());
    }
    let query = web::Query::<UnderstandQuery>::from_query(req.query_string())
        .map_err(|e| ApiError::new(ErrorCode::BadRequest, format!("bad query: {e}")))?;
    let text = query
        .into_inner()
        .text
        .ok_or_else(|| ApiError::new(ErrorCode::BadRequest, "text is required"))?;
    if text.len() > MAX_UNDERSTAND_TEXT_BYTES {
        return Err(too_long());
    }
    // The first call loads the concept library; keep that (and the parse) off the async workers.
    let understood = web::block(move || understand_text(&text))
        .await
        .map_err(|_| ApiError::new(ErrorCode::Internal, "internal error"))?;
    Ok(HttpResponse::Ok().json(understood))
}

fn too_long() -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("text must be at most {MAX_UNDERSTAND_TEXT_BYTES} bytes"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cat_dancing_on_a_rooftop_at_sunset() {
        let u = understand_text("a cat dancing on a rooftop at sunset");
        assert_eq!(u.subjects.len(), 1, "{u:?}");
        assert_eq!(u.subjects[0].emoji, "🐈");
        assert_eq!(u.subjects[0].concept, "cat");
        assert_eq!(u.subjects[0].count, 1);
        assert_eq!(u.subjects[0].size, "normal");
        assert_eq!(u.action.as_deref(), Some("dance"));
        assert_eq!(u.place.as_deref(), Some("rooftop"));
        assert_eq!(u.light.as_deref(), Some("sunset"));
        assert_eq!(u.weather, None);
        assert!(u.ignored.is_empty(), "{u:?}");
        assert!(!u.truncated);
        assert!(
            u.summary.contains("cat") && u.summary.contains("dance"),
            "{}",
            u.summary
        );
    }

    #[test]
    fn spelling_corrections_and_unknown_words_are_listed() {
        let u = understand_text("an elefant and a zorblax");
        assert!(
            u.corrected.iter().any(|c| c.typed == "elefant" && c.read == "elephant"),
            "{u:?}"
        );
        assert!(u.subjects.iter().any(|s| s.matched == "spelling"), "{u:?}");
        assert!(u.ignored.iter().any(|w| w == "zorblax"), "{u:?}");
    }

    #[test]
    fn a_long_prompt_is_truncated_not_refused() {
        let text = "cat ".repeat(200);
        assert!(text.len() <= MAX_UNDERSTAND_TEXT_BYTES);
        assert!(understand_text(&text).truncated);
    }
}
