//! Share links against the real server and Postgres: the owner makes one, anyone signed in who
//! opens it joins the room as a viewer (to watch it on air), members keep their role, and a
//! link is no ticket (nor a ticket a link).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Api, TestDb, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn share(api: &Api, room: &str) -> (StatusCode, Value) {
    api.post(&format!("/api/rooms/{room}/share"), Value::Null).await
}

async fn join(api: &Api, room: &str, invite: &str) -> (StatusCode, Value) {
    api.post(&format!("/api/rooms/{room}/join"), json!({ "invite": invite }))
        .await
}

#[tokio::test]
async fn a_share_link_admits_viewers_and_nothing_more() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let owner = Api::signup(&server.url, "owner").await;
    let editor = Api::signup(&server.url, "editor").await;
    let fan = Api::signup(&server.url, "fan").await;
    let room = owner.create_room("on air tonight").await;
    let other_room = owner.create_room("another").await;
    owner.set_member(&room, "editor", "editor").await;

    // Only the owner shares.
    assert_eq!(share(&editor, &room).await.0, StatusCode::FORBIDDEN);
    assert_eq!(share(&fan, &room).await.0, StatusCode::FORBIDDEN);
    let (status, link) = share(&owner, &room).await;
    assert_eq!(status, StatusCode::OK, "{link}");
    let token = link["token"].as_str().unwrap();
    assert!(link["expires_at"].as_i64().unwrap() > 0);

    // A stranger is no member until they open the link; then they watch as a viewer.
    assert_eq!(
        fan.post(&format!("/api/rooms/{room}/ticket"), Value::Null).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, joined) = join(&fan, &room, token).await;
    assert_eq!(
        (status, joined["role"].as_str()),
        (StatusCode::OK, Some("viewer")),
        "{joined}"
    );
    let (status, ticket) = fan.post(&format!("/api/rooms/{room}/ticket"), Value::Null).await;
    assert_eq!((status, ticket["role"].as_str()), (StatusCode::OK, Some("viewer")));
    // Opening it again changes nothing; a member keeps their role.
    assert_eq!(join(&fan, &room, token).await.1["role"], "viewer");
    assert_eq!(join(&editor, &room, token).await.1["role"], "editor");
    assert_eq!(join(&owner, &room, token).await.1["role"], "owner");

    // The link is for its room only, is not a ticket, and a ticket is not a link.
    assert_eq!(join(&fan, &other_room, token).await.0, StatusCode::FORBIDDEN);
    let ticket = owner.ticket(&room).await;
    assert_eq!(join(&fan, &room, &ticket).await.0, StatusCode::FORBIDDEN);
    assert_eq!(join(&fan, &room, "garbage").await.0, StatusCode::FORBIDDEN);
    let ws = format!("{}/control/{room}?ticket={token}&v=1", server.ws_url());
    assert!(
        tokio_tungstenite::connect_async(ws).await.is_err(),
        "a link opens no socket"
    );
    // Not signed in: 401.
    let anonymous = Api::anonymous(&server.url);
    let res = anonymous
        .post(format!("{}/api/rooms/{room}/join", server.url))
        .json(&json!({ "invite": token }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
