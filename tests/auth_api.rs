//! The HTTP contract of accounts, rooms, members and tickets, against the real server and
//! a fresh Postgres database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Api, TestDb, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn signup_login_logout_and_me() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let base = &server.url;
    let http = Api::anonymous(base);
    let signup = |body: Value| {
        let http = http.clone();
        async move {
            http.post(format!("{base}/api/auth/signup"))
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };

    let res = signup(json!({"username": "ann_1", "password": "password123"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("reelroom_session=") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["username"], "ann_1");
    assert!(uuid::Uuid::parse_str(body["id"].as_str().unwrap()).is_ok());

    assert_eq!(
        signup(json!({"username": "ann_1", "password": "password123"}))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    for bad_name in ["an", "Ann", "ann-1", "a b c", &"x".repeat(33), ""] {
        let res = signup(json!({"username": bad_name, "password": "password123"})).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad_name:?}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "invalid_username");
    }
    assert_eq!(
        signup(json!({"username": "bob", "password": "short"})).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        signup(json!({"username": "bob"})).await.status(),
        StatusCode::BAD_REQUEST
    );
    let res = http
        .post(format!("{base}/api/auth/signup"))
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = http
        .post(format!("{base}/api/auth/signup"))
        .json(&json!({"username": "x".repeat(20_000), "password": "p"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let me: Value = http
        .get(format!("{base}/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "ann_1");
    let res = http.post(format!("{base}/api/auth/logout")).send().await.unwrap();
    assert!(res.status().is_success());
    assert_eq!(
        http.get(format!("{base}/api/me")).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );

    let login = |password: &'static str| {
        let http = http.clone();
        async move {
            http.post(format!("{base}/api/auth/login"))
                .json(&json!({"username": "ann_1", "password": password}))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(login("wrong-password").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        http.get(format!("{base}/api/me")).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let res = login("password123").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        http.get(format!("{base}/api/me")).send().await.unwrap().status(),
        StatusCode::OK
    );

    // Passwords are stored as argon2 hashes.
    let row = db
        .client()
        .await
        .query_one("SELECT password_hash FROM users WHERE username = 'ann_1'", &[])
        .await
        .unwrap();
    assert!(row.get::<_, String>(0).starts_with("$argon2id$"));
}

#[tokio::test]
async fn rooms_members_and_tickets() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let owner = Api::signup(&server.url, "owner").await;
    let friend = Api::signup(&server.url, "friend").await;
    let stranger = Api::signup(&server.url, "stranger").await;

    let (status, room) = owner.post("/api/rooms", json!({"title": "Beach scene"})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(room["title"], "Beach scene");
    assert_eq!(room["role"], "owner");
    let room_id = room["id"].as_str().unwrap().to_string();
    assert_eq!(
        owner.post("/api/rooms", json!({"title": ""})).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        owner.post("/api/rooms", json!({"title": "x".repeat(500)})).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        Api::anonymous(&server.url)
            .post(format!("{}/api/rooms", server.url))
            .json(&json!({"title": "t"}))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );

    let (_, listed) = owner.get("/api/rooms").await;
    assert_eq!(
        listed,
        json!([{"id": room_id, "title": "Beach scene", "role": "owner"}])
    );
    let (_, none) = friend.get("/api/rooms").await;
    assert_eq!(none, json!([]));

    // Tickets: members only; 404 for unknown rooms.
    assert_eq!(
        friend
            .post(&format!("/api/rooms/{room_id}/ticket"), Value::Null)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        owner
            .post(&format!("/api/rooms/{}/ticket", uuid::Uuid::new_v4()), Value::Null)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        owner.post("/api/rooms/not-a-uuid/ticket", Value::Null).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, ticket) = owner.post(&format!("/api/rooms/{room_id}/ticket"), Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ticket["role"], "owner");
    let expires = ticket["expires_at"].as_i64().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (now + 290..=now + 310).contains(&expires),
        "expires_at {expires} vs now {now}"
    );

    // Members: owner only.
    assert_eq!(owner.set_member(&room_id, "friend", "editor").await, StatusCode::OK);
    assert_eq!(
        owner.set_member(&room_id, "nobody_here", "editor").await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        owner.set_member(&room_id, "friend", "owner").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        owner.set_member(&room_id, "owner", "viewer").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        friend.set_member(&room_id, "stranger", "editor").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        stranger.set_member(&room_id, "stranger", "editor").await,
        StatusCode::FORBIDDEN
    );
    let (_, listed) = friend.get("/api/rooms").await;
    assert_eq!(listed[0]["role"], "editor");
    let (status, ticket) = friend.post(&format!("/api/rooms/{room_id}/ticket"), Value::Null).await;
    assert_eq!((status, ticket["role"].clone()), (StatusCode::OK, json!("editor")));
    assert_eq!(owner.set_member(&room_id, "friend", "viewer").await, StatusCode::OK);
    let (_, detail) = owner.get(&format!("/api/rooms/{room_id}")).await;
    assert_eq!(
        detail["members"],
        json!([{"username": "owner", "role": "owner"}, {"username": "friend", "role": "viewer"}])
    );
    assert_eq!(
        stranger.get(&format!("/api/rooms/{room_id}")).await.0,
        StatusCode::FORBIDDEN
    );

    assert_eq!(friend.remove_member(&room_id, "owner").await, StatusCode::FORBIDDEN);
    assert_eq!(owner.remove_member(&room_id, "friend").await, StatusCode::NO_CONTENT);
    assert_eq!(owner.remove_member(&room_id, "friend").await, StatusCode::NOT_FOUND);
    assert_eq!(
        friend
            .post(&format!("/api/rooms/{room_id}/ticket"), Value::Null)
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    let (status, body) = owner.get("/api/nothing-here").await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::NOT_FOUND, json!("not_found"))
    );
    let health = reqwest::get(format!("{}/healthz", server.url)).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

#[tokio::test]
async fn repeated_failed_logins_are_throttled() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    Api::signup(&server.url, "target").await;
    let http = Api::anonymous(&server.url);
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let res = http
            .post(format!("{}/api/auth/login", server.url))
            .json(&json!({"username": "target", "password": "guess-guess"}))
            .send()
            .await
            .unwrap();
        statuses.push(res.status().as_u16());
    }
    assert_eq!(&statuses[..10], &[401; 10]);
    assert_eq!(&statuses[10..], &[429, 429]);
    let res = http
        .post(format!("{}/api/auth/login", server.url))
        .json(&json!({"username": "target", "password": "password123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits out the window"
    );
}
