//! The security review's attacks on the live preview, over the wire against the real server:
//! one account cannot take a room's stream slots, and members cannot point the server's
//! connectivity checks at arbitrary addresses. (docs/RELIABILITY.md)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actors::media::actor::MAX_VIEWERS_PER_USER;
use actors::media::ice_filter::MAX_TRICKLED_CANDIDATES;
use actors::media::probe::ProbeViewer;
use common::scene::{control, next_of, room_with_shot, send, whep};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn one_viewer_cannot_take_every_live_slot() {
    let r = room_with_shot("a blue square moving left", 2.0, 4.0).await;
    let url = format!("{}/whep/{}", r.server.url, r.id);
    let ticket = r.viewer.ticket(&r.id).await;
    let mut held = Vec::new();
    for _ in 0..MAX_VIEWERS_PER_USER {
        let (probe, offer) = ProbeViewer::offer(false).await.unwrap();
        let created = whep(&url, &ticket, "application/sdp", offer).await;
        assert_eq!(created.status(), StatusCode::CREATED);
        held.push(probe);
    }
    let (_, offer) = ProbeViewer::offer(false).await.unwrap();
    let refused = whep(&url, &ticket, "application/sdp", offer).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert!(body["message"].as_str().unwrap().contains("connections"), "{body}");
    // The owner still gets in.
    let (_, offer) = ProbeViewer::offer(false).await.unwrap();
    let owner_ticket = r.owner.ticket(&r.id).await;
    assert_eq!(
        whep(&url, &owner_ticket, "application/sdp", offer).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn trickled_candidates_are_filtered_and_counted() {
    let r = room_with_shot("a blue square moving left", 2.0, 4.0).await;
    let mut c = control(&r, &r.viewer).await;
    let (_probe, offer) = ProbeViewer::offer(false).await.unwrap();
    send(&mut c, json!({"type": "webrtc_offer", "sdp": offer})).await;
    assert_eq!(
        next_of(&mut c, &["webrtc_answer", "error"]).await["type"],
        "webrtc_answer"
    );
    let candidate = |address: &str| json!({"type": "ice_candidate", "candidate": format!("candidate:1 1 udp 2122260223 {address} 9 typ host"), "sdp_mid": "0", "sdp_mline_index": 0});
    // Multicast is never a peer: refused with a reason, and the socket stays.
    send(&mut c, candidate("224.0.0.251")).await;
    let refused = next_of(&mut c, &["error"]).await;
    assert_eq!(refused["code"], "invalid_sdp", "{refused}");
    assert!(
        refused["message"].as_str().unwrap().contains("not unicast"),
        "{refused}"
    );
    // A flood of candidates stops at the cap (the server sent STUN to each before).
    for i in 1..MAX_TRICKLED_CANDIDATES {
        send(&mut c, candidate(&format!("127.0.0.{}", i + 1))).await;
    }
    send(&mut c, candidate("127.0.0.99")).await;
    let capped = next_of(&mut c, &["error"]).await;
    assert!(
        capped["message"].as_str().unwrap().contains("ICE candidates"),
        "{capped}"
    );
}
