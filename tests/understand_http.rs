//! `GET /api/understand?text=…` against the real server: how the model reads an English and a
//! French prompt, unknown and misspelt words, the length limit and the session it requires.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Api, TestDb, TestServer};
use reelroom::understanding::MAX_UNDERSTAND_TEXT_BYTES;
use reqwest::StatusCode;
use serde_json::Value;

/// GET `/api/understand` with `text` (query-encoded by reqwest).
async fn understand(api: &Api, text: &str) -> (StatusCode, Value) {
    let res = api
        .http
        .get(format!("{}/api/understand", api.base))
        .query(&[("text", text)])
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_server_says_how_it_reads_a_prompt() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let ann = Api::signup(&server.url, "ann").await;

    // English: one cat, dancing, on a rooftop, at sunset; absent settings are null.
    let (status, u) = understand(&ann, "a cat dancing on a rooftop at sunset").await;
    assert_eq!(status, StatusCode::OK, "{u}");
    assert_eq!(u["subjects"].as_array().unwrap().len(), 1, "{u}");
    let cat = &u["subjects"][0];
    assert_eq!(cat["emoji"], "🐈", "{u}");
    assert_eq!(cat["concept"], "cat");
    assert_eq!(cat["concept_fr"], "chat");
    assert_eq!(cat["count"], 1);
    assert_eq!(cat["size"], "normal");
    assert_eq!(cat["words"], "cat");
    assert_eq!(cat["matched"], "name");
    assert_eq!(u["action"], "dance");
    assert_eq!(u["place"], "rooftop");
    assert_eq!(u["light"], "sunset");
    for absent in ["relation", "weather", "camera"] {
        assert!(u.get(absent).is_some_and(Value::is_null), "{absent} is null: {u}");
    }
    assert_eq!(u["ignored"], serde_json::json!([]));
    assert_eq!(u["corrected"], serde_json::json!([]));
    assert_eq!(u["truncated"], false);
    let summary = u["summary"].as_str().unwrap();
    for part in ["🐈", "cat", "dance", "rooftop", "sunset"] {
        assert!(summary.contains(part), "{part} in {summary:?}");
    }

    // French reads the same scene.
    let (status, u) = understand(&ann, "un chat qui danse sur un toit au coucher du soleil").await;
    assert_eq!(status, StatusCode::OK, "{u}");
    assert_eq!(u["subjects"][0]["emoji"], "🐈", "{u}");
    assert_eq!(u["subjects"][0]["concept"], "cat");
    assert_eq!(
        (&u["action"], &u["place"], &u["light"]),
        (&"dance".into(), &"rooftop".into(), &"sunset".into())
    );
    assert_eq!(u["ignored"], serde_json::json!([]), "{u}");

    // Unknown words are listed, misspelt ones corrected.
    let (status, u) = understand(&ann, "a zorblax and an elefant dancing").await;
    assert_eq!(status, StatusCode::OK, "{u}");
    assert_eq!(u["ignored"], serde_json::json!(["zorblax"]), "{u}");
    assert_eq!(
        u["corrected"],
        serde_json::json!([{"typed": "elefant", "read": "elephant"}]),
        "{u}"
    );
    assert_eq!(u["subjects"][0]["matched"], "spelling", "{u}");
    assert_eq!(u["action"], "dance");

    // Empty text: nothing understood, not an error.
    let (status, u) = understand(&ann, "").await;
    assert_eq!(status, StatusCode::OK, "{u}");
    assert_eq!(u["subjects"], serde_json::json!([]));
    assert_eq!(u["summary"], "");

    // Longer than the parser reads: answered, and said to be truncated.
    let (status, u) = understand(&ann, &"cat ".repeat(300)).await;
    assert_eq!(status, StatusCode::OK, "{u}");
    assert_eq!(u["truncated"], true, "{u}");

    // Longer than the route takes: 413 payload_too_large, in bytes (multi-byte characters count).
    let (status, body) = understand(&ann, &"é".repeat(MAX_UNDERSTAND_TEXT_BYTES / 2 + 1)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], "payload_too_large");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    let (status, u) = understand(&ann, &"a".repeat(MAX_UNDERSTAND_TEXT_BYTES)).await;
    assert_eq!(status, StatusCode::OK, "exactly the limit is fine: {u}");

    // No text parameter at all: 400 bad_request.
    let (status, body) = ann.get("/api/understand").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "bad_request");

    // Without a session: 401 unauthorized.
    let anon = Api::anonymous(&server.url);
    let res = anon
        .get(format!("{}/api/understand", server.url))
        .query(&[("text", "a cat")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "unauthorized");
}
