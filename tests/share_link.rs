//! Share links against the real server and Postgres: the owner makes one, anyone signed in who
//! opens it joins the room as a viewer (to watch it on air), members keep their role, and a
//! link is no ticket (nor a ticket a link). Links are stored server-side (security review F7):
//! the owner lists and revokes them, an expired or revoked link admits no one, and a member the
//! owner removed cannot come back through any link until the owner adds them again.
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

async fn revoke(api: &Api, room: &str, link: &str) -> StatusCode {
    api.http
        .delete(format!("{}/api/rooms/{room}/share/{link}", api.base))
        .send()
        .await
        .unwrap()
        .status()
}

/// A new link of `room` made by `owner`: (id, token).
async fn new_link(owner: &Api, room: &str) -> (String, String) {
    let (status, link) = share(owner, room).await;
    assert_eq!(status, StatusCode::OK, "{link}");
    (
        link["id"].as_str().unwrap().to_string(),
        link["token"].as_str().unwrap().to_string(),
    )
}

/// Ids of the live links the owner lists.
async fn listed(owner: &Api, room: &str) -> Vec<String> {
    let (status, links) = owner.get(&format!("/api/rooms/{room}/share")).await;
    assert_eq!(status, StatusCode::OK, "{links}");
    links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            assert!(l.get("token").is_none(), "a listing shows no token: {l}");
            l["id"].as_str().unwrap().to_string()
        })
        .collect()
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
    assert!(uuid::Uuid::parse_str(link["id"].as_str().unwrap()).is_ok(), "{link}");

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

#[tokio::test]
async fn the_owner_lists_and_revokes_links_and_a_revoked_link_admits_no_one() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let owner = Api::signup(&server.url, "owner").await;
    let editor = Api::signup(&server.url, "editor").await;
    let fan = Api::signup(&server.url, "fan").await;
    let late = Api::signup(&server.url, "late").await;
    let room = owner.create_room("premiere").await;
    owner.set_member(&room, "editor", "editor").await;
    let (first, first_token) = new_link(&owner, &room).await;
    let (second, second_token) = new_link(&owner, &room).await;

    // The owner sees both, newest first, with who made them; nobody else sees or revokes any.
    assert_eq!(listed(&owner, &room).await, [second.clone(), first.clone()]);
    let (_, links) = owner.get(&format!("/api/rooms/{room}/share")).await;
    assert_eq!(links[0]["created_by"], "owner");
    assert!(links[0]["expires_at"].as_i64().unwrap() > links[0]["created_at"].as_i64().unwrap());
    for other in [&editor, &fan] {
        let (status, body) = other.get(&format!("/api/rooms/{room}/share")).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden"))
        );
        assert_eq!(revoke(other, &room, &first).await, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        listed(&owner, &room).await.len(),
        2,
        "nothing revoked by the refused calls"
    );

    // Revoked: the link admits no one, the other link still does.
    assert_eq!(join(&fan, &room, &first_token).await.1["role"], "viewer");
    assert_eq!(revoke(&owner, &room, &first).await, StatusCode::NO_CONTENT);
    assert_eq!(
        revoke(&owner, &room, &first).await,
        StatusCode::NOT_FOUND,
        "already revoked"
    );
    let (status, body) = join(&late, &room, &first_token).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "{body}"
    );
    assert_eq!(
        late.post(&format!("/api/rooms/{room}/ticket"), Value::Null).await.0,
        StatusCode::FORBIDDEN,
        "no membership came of it"
    );
    assert_eq!(join(&late, &room, &second_token).await.1["role"], "viewer");
    assert_eq!(listed(&owner, &room).await, [second]);
    // Who joined before the revocation stays (removal is how to take that back).
    fan.ticket(&room).await; // asserts 200

    // A link id of another room (someone else's) cannot be revoked through this one.
    let stranger = Api::signup(&server.url, "stranger").await;
    let theirs = stranger.create_room("theirs").await;
    let (their_link, their_token) = new_link(&stranger, &theirs).await;
    assert_eq!(revoke(&owner, &room, &their_link).await, StatusCode::NOT_FOUND);
    assert_eq!(revoke(&owner, &theirs, &their_link).await, StatusCode::FORBIDDEN);
    assert_eq!(
        join(&editor, &theirs, &their_token).await.1["role"],
        "viewer",
        "still live"
    );
    assert_eq!(revoke(&owner, &room, "not-a-uuid").await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_expired_link_admits_no_one() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let owner = Api::signup(&server.url, "owner").await;
    let fan = Api::signup(&server.url, "fan").await;
    let room = owner.create_room("yesterday").await;
    let (id, token) = new_link(&owner, &room).await;
    // Its expiry passes (the row decides, whatever the token says).
    let expired = db
        .client()
        .await
        .execute(
            "UPDATE share_links SET expires_at = now() - interval '1 second' WHERE id::text = $1",
            &[&id],
        )
        .await
        .unwrap();
    assert_eq!(expired, 1);
    let (status, body) = join(&fan, &room, &token).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "{body}"
    );
    assert!(listed(&owner, &room).await.is_empty(), "only live links are listed");
    assert_eq!(revoke(&owner, &room, &id).await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_removed_member_cannot_rejoin_by_any_link_until_the_owner_adds_them_back() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let owner = Api::signup(&server.url, "owner").await;
    let bob = Api::signup(&server.url, "bob").await;
    let room = owner.create_room("secret").await;
    let (_, old_link) = new_link(&owner, &room).await;
    assert_eq!(join(&bob, &room, &old_link).await.1["role"], "viewer");

    assert_eq!(owner.remove_member(&room, "bob").await, StatusCode::NO_CONTENT);
    assert_eq!(
        bob.post(&format!("/api/rooms/{room}/ticket"), Value::Null).await.0,
        StatusCode::FORBIDDEN
    );
    // Neither the link he had nor a fresh one brings him back.
    let (_, new_link_token) = new_link(&owner, &room).await;
    for token in [&old_link, &new_link_token] {
        let (status, body) = join(&bob, &room, token).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden")),
            "{body}"
        );
        assert!(body["message"].as_str().unwrap().contains("removed"), "{body}");
    }
    assert_eq!(
        bob.get(&format!("/api/rooms/{room}")).await.0,
        StatusCode::FORBIDDEN,
        "still no member"
    );

    // The owner adding him by name lifts it: links admit him again (keeping the role given).
    assert_eq!(owner.set_member(&room, "bob", "editor").await, StatusCode::OK);
    assert_eq!(join(&bob, &room, &new_link_token).await.1["role"], "editor");
    // A second removal is recorded again.
    assert_eq!(owner.remove_member(&room, "bob").await, StatusCode::NO_CONTENT);
    assert_eq!(join(&bob, &room, &new_link_token).await.0, StatusCode::FORBIDDEN);
    // Others still join through the same link.
    let carol = Api::signup(&server.url, "carol").await;
    assert_eq!(join(&carol, &room, &new_link_token).await.1["role"], "viewer");
}
