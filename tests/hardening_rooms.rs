//! Caps on what one account can make, against the real server and Postgres (security review
//! F9): an account owns at most `MAX_ROOMS_PER_USER` rooms, even when it asks for many at once,
//! and a room has at most `MAX_LIVE_SHARE_LINKS_PER_ROOM` live share links. Both answer 403
//! `quota_exceeded`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Api, TestDb, TestServer};
use reelroom::http::room_routes::{MAX_LIVE_SHARE_LINKS_PER_ROOM, MAX_ROOMS_PER_USER};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Rooms created concurrently at the edge of the quota.
const BURST: usize = 30;
/// Rooms left under the quota when the burst starts.
const ROOMS_LEFT: usize = 10;

async fn create(api: &Api, title: &str) -> (StatusCode, Value) {
    api.post("/api/rooms", json!({ "title": title })).await
}

#[tokio::test]
async fn an_account_owns_at_most_max_rooms_per_user_even_in_a_burst() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let alice = Api::signup(&server.url, "alice").await;
    let bob = Api::signup(&server.url, "bob").await;

    for i in 0..MAX_ROOMS_PER_USER - ROOMS_LEFT {
        alice.create_room(&format!("room {i}")).await;
    }
    // The last few go to a burst of concurrent requests: exactly as many succeed as are left.
    let burst = futures_util::future::join_all((0..BURST).map(|i| {
        let alice = &alice;
        async move { create(alice, &format!("burst {i}")).await }
    }))
    .await;
    let created = burst.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    assert_eq!(created, ROOMS_LEFT, "{burst:?}");
    for (status, body) in burst.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_eq!(*status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "quota_exceeded", "{body}");
    }
    let (status, body) = create(&alice, "one too many").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("quota_exceeded"))
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains(&MAX_ROOMS_PER_USER.to_string()),
        "{body}"
    );
    let (_, rooms) = alice.get("/api/rooms").await;
    assert_eq!(rooms.as_array().unwrap().len(), MAX_ROOMS_PER_USER);

    // Per account: bob still creates rooms, and membership in them does not count for alice.
    let bobs = bob.create_room("bob's").await;
    assert_eq!(bob.set_member(&bobs, "alice", "editor").await, StatusCode::OK);
    assert_eq!(create(&alice, "still no").await.0, StatusCode::FORBIDDEN);
    let stored: i64 = db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM rooms r JOIN users u ON u.id = r.owner_id WHERE u.username = 'alice'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, MAX_ROOMS_PER_USER as i64);
}

#[tokio::test]
async fn a_room_has_at_most_max_live_share_links() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let owner = Api::signup(&server.url, "owner").await;
    let room = owner.create_room("popular").await;
    let share = format!("/api/rooms/{room}/share");
    let mut ids = Vec::new();
    for _ in 0..MAX_LIVE_SHARE_LINKS_PER_ROOM {
        let (status, link) = owner.post(&share, Value::Null).await;
        assert_eq!(status, StatusCode::OK, "{link}");
        ids.push(link["id"].as_str().unwrap().to_string());
    }
    let (status, body) = owner.post(&share, Value::Null).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("quota_exceeded")),
        "{body}"
    );
    // Revoking one makes room for one.
    let revoked = owner
        .http
        .delete(format!("{}{share}/{}", server.url, ids[0]))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(revoked, StatusCode::NO_CONTENT);
    assert_eq!(owner.post(&share, Value::Null).await.0, StatusCode::OK);
    assert_eq!(owner.post(&share, Value::Null).await.0, StatusCode::FORBIDDEN);
    let (_, listed) = owner.get(&share).await;
    assert_eq!(listed.as_array().unwrap().len(), MAX_LIVE_SHARE_LINKS_PER_ROOM);
}
