//! Remixing against the real server, model and Postgres: a posted clip is remixed into a new
//! room of the remixer's whose script starts as the source's; its generation starts from the
//! source's frames; the posted remix records its parent, and lineage shows the chain.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::scene::{control, next_of, room_with_shot, send};
use common::YClient;
use reqwest::StatusCode;
use serde_json::json;
use yrs::{Array, GetString, Map, ReadTxn, Transact};

/// The first shot's prompt in a synced script.
fn first_prompt(client: &YClient) -> Option<String> {
    let txn = client.doc.transact();
    let shots = txn.get_array("shots")?;
    let Some(yrs::Out::YMap(shot)) = shots.get(&txn, 0) else {
        return None;
    };
    match shot.get(&txn, "prompt") {
        Some(yrs::Out::YText(text)) => Some(text.get_string(&txn)),
        _ => None,
    }
}

#[tokio::test]
async fn a_remix_starts_from_the_source_and_joins_its_chain() {
    let r = room_with_shot("a red ball bouncing on the floor", 2.0, 4.0).await;
    let mut owner = control(&r, &r.owner).await;
    send(&mut owner, json!({"type": "generate"})).await;
    let done = next_of(&mut owner, &["job_finished", "job_failed"]).await;
    let source = done["clip_id"].as_str().expect("a draft").to_string();
    let remix_path = format!("/api/clips/{source}/remix");
    assert_eq!(
        r.editor.post(&remix_path, json!({})).await.0,
        StatusCode::NOT_FOUND,
        "drafts are private"
    );
    let (status, _) = r
        .owner
        .post(
            &format!("/api/clips/{source}/post"),
            json!({"title": "Bouncy", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // The editor remixes it: a room of theirs, starting from the source's script.
    assert_eq!(
        r.editor.post(&remix_path, json!({"strength": 0})).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        r.editor.post(&remix_path, json!({"strength": 1.5})).await.0,
        StatusCode::BAD_REQUEST
    );
    let (status, room) = r.editor.post(&remix_path, json!({"strength": 0.5})).await;
    assert_eq!(status, StatusCode::CREATED, "{room}");
    assert_eq!(
        (room["title"].as_str(), room["role"].as_str()),
        (Some("Remix of Bouncy"), Some("owner"))
    );
    let remix_room = room["id"].as_str().unwrap().to_string();
    let mut script = YClient::connect(&r.server.ws_url(), &remix_room, &r.editor.ticket(&remix_room).await).await;
    assert!(
        script
            .wait_until(|c| first_prompt(c).is_some(), Duration::from_secs(5))
            .await
    );
    assert_eq!(
        first_prompt(&script).as_deref(),
        Some("a red ball bouncing on the floor")
    );
    assert_eq!(
        r.owner.get(&format!("/api/rooms/{remix_room}")).await.0,
        StatusCode::FORBIDDEN,
        "the remixer's room"
    );

    // Generating there starts from the source's frames; the posted remix records its parent.
    let ticket = r.editor.ticket(&remix_room).await;
    let url = format!("{}/control/{remix_room}?ticket={ticket}&v=1", r.server.ws_url());
    let mut editor = tokio_tungstenite::connect_async(url).await.unwrap().0;
    send(&mut editor, json!({"type": "generate"})).await;
    let done = next_of(&mut editor, &["job_finished", "job_failed", "error"]).await;
    assert_eq!(done["type"], "job_finished", "{done}");
    let remix = done["clip_id"].as_str().unwrap().to_string();
    let (status, _) = r
        .editor
        .post(
            &format!("/api/clips/{remix}/post"),
            json!({"title": "Bouncier", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, lineage) = r.viewer.get(&format!("/api/clips/{remix}/lineage")).await;
    assert_eq!(lineage["ancestors"][0]["id"], source.as_str(), "{lineage}");
    assert_eq!(lineage["ancestors"][0]["author"], "owner");
    let (_, lineage) = r.viewer.get(&format!("/api/clips/{source}/lineage")).await;
    assert_eq!(lineage["descendants"][0]["id"], remix.as_str());
    let feed = r.viewer.get("/api/feed/latest").await.1;
    assert_eq!(feed["items"][0]["parent_id"], source.as_str());
    assert_eq!(feed["items"][1]["remixes"], 1);
    assert_eq!(feed["items"][0]["parent_author"], "owner", "remixed from @owner");

    // Every clip has a poster (PNG at display size) and a feed preview (a small MP4 loop).
    let bytes = |path: String| {
        let viewer = &r.viewer;
        async move {
            let res = viewer.http.get(format!("{}{path}", viewer.base)).send().await.unwrap();
            let kind = res.headers()["content-type"].to_str().unwrap().to_string();
            (res.status(), kind, res.bytes().await.unwrap())
        }
    };
    let (status, kind, poster) = bytes(format!("/api/clips/{remix}/poster")).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/png"));
    let info = png::Decoder::new(std::io::Cursor::new(poster.to_vec()))
        .read_info()
        .unwrap()
        .info()
        .clone();
    assert_eq!((info.width, info.height), (256, 256));
    let (status, kind, preview) = bytes(format!("/api/clips/{remix}/preview")).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "video/mp4"));
    let (_, _, video) = bytes(format!("/api/clips/{remix}/video")).await;
    assert_eq!(&preview[4..8], b"ftyp");
    assert!(
        preview.len() * 2 < video.len(),
        "preview {} B, video {} B",
        preview.len(),
        video.len()
    );

    // Deleting the post deletes all its media from storage.
    let objects = r.server.data_dir().join("objects").join("clips");
    let media: Vec<_> = std::fs::read_dir(&objects)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with(&remix))
        .collect();
    assert_eq!(media.len(), 4, "video, preview, poster, frames: {media:?}");
    let res = r
        .editor
        .http
        .delete(format!("{}/api/clips/{remix}", r.editor.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    for name in media {
        assert!(!objects.join(&name).exists(), "{name} is deleted");
    }
    assert_eq!(
        bytes(format!("/api/clips/{remix}/poster")).await.0,
        StatusCode::NOT_FOUND
    );
    script.disconnect().await;
}
