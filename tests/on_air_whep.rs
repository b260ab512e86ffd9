//! An on-air room keeps broadcasting to WHEP players after its last WebSocket leaves, and goes
//! off air when the last of them hangs up (real server, model, encoder and Postgres). Its own
//! test binary: continuous generation would starve the frame-count checks in `live_preview.rs`
//! if the two ran side by side on two cores.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use actors::media::probe::ProbeViewer;
use common::scene::{control, next_of, room_with_shot, send, whep};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_broadcast_goes_on_for_whep_viewers_after_the_room_empties_and_ends_with_them() {
    let mut r = room_with_shot("a green ball bouncing", 2.0, 4.0).await;
    let mut owner = control(&r, &r.owner).await;
    send(&mut owner, json!({"type": "set_on_air", "on_air": true})).await;
    assert_eq!(next_of(&mut owner, &["on_air"]).await["on_air"], true);
    let url = format!("{}/whep/{}", r.server.url, r.id);
    let (live, offer) = ProbeViewer::offer(true).await.unwrap();
    let created = whep(&url, &r.viewer.ticket(&r.id).await, "application/sdp", offer).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let location = created.headers()["location"].to_str().unwrap().to_string();
    live.accept(created.text().await.unwrap()).await.unwrap();
    assert!(live.connected(Duration::from_secs(10)).await);

    // Every WebSocket leaves; the WHEP player keeps watching new chunks, not a held frame.
    owner.close(None).await.unwrap();
    r.script.disconnect().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let encoded = r.server.metric("reelroom_media_frames_encoded_total").await;
    tokio::time::sleep(Duration::from_secs(8)).await;
    let more = r.server.metric("reelroom_media_frames_encoded_total").await - encoded;
    // 8 s at 8 fps is 64 frames; one 2 s chunk and the 2 s hold would give at most 32.
    assert!(more >= 48.0, "{more} frames encoded in 8 s with nobody in the room");

    // The last viewer hangs up: the broadcast ends and the room unloads.
    let res = reqwest::Client::new()
        .delete(format!("{}{location}", r.server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    live.close().await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    let settled = r.server.metric("reelroom_media_frames_encoded_total").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        r.server.metric("reelroom_media_frames_encoded_total").await,
        settled,
        "off air once nobody watches"
    );
}
