//! Posts made fast for feed tests: a clip row inserted as a finished job leaves it (no video
//! needed), posted through the real API; and reading a feed page's ids.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{Api, TestDb};

/// A draft clip row of `owner`, optionally remixing `parent`.
pub async fn draft(db: &TestDb, owner: &Api, parent: Option<&str>) -> String {
    let id = Uuid::new_v4();
    let owner_id = Uuid::parse_str(&owner.id).unwrap();
    let parent = parent.map(|p| Uuid::parse_str(p).unwrap());
    db.client()
        .await
        .execute(
            "INSERT INTO clips (id, owner_id, script, seed, model_id, steps, guidance, duration_s, frames,
                                width, height, video_key, video_bytes, parent_id)
             VALUES ($1, $2, '{}', 1, 'reelroom-v1', 8, 3, 2, 16, 256, 256, $3, 0, $4)",
            &[&id, &owner_id, &format!("clips/{id}.mp4"), &parent],
        )
        .await
        .unwrap();
    id.to_string()
}

/// A posted clip of `owner` (a draft posted through the API), optionally remixing `parent`.
pub async fn posted(db: &TestDb, owner: &Api, title: &str, visibility: &str, parent: Option<&str>) -> String {
    let id = draft(db, owner, parent).await;
    let (status, body) = owner
        .post(
            &format!("/api/clips/{id}/post"),
            json!({"title": title, "visibility": visibility}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    id
}

/// Moves a post's posting time `hours` into the past.
pub async fn backdate(db: &TestDb, clip: &str, hours: f64) {
    db.client()
        .await
        .execute(
            "UPDATE clips SET posted_at = now() - $2 * interval '1 hour' WHERE id = $1",
            &[&Uuid::parse_str(clip).unwrap(), &hours],
        )
        .await
        .unwrap();
}

/// The post ids of a feed page, in order.
pub fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}
