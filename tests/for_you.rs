//! The for-you feed, profiles, single posts, unique views, write limits and the OpenAPI
//! document, against the real server and Postgres.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::posts::{backdate, ids};
use common::{Api, TestDb, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

/// A post of `owner` made `hours_ago`.
async fn posted(
    db: &TestDb,
    owner: &Api,
    title: &str,
    visibility: &str,
    parent: Option<&str>,
    hours_ago: f64,
) -> String {
    let id = common::posts::posted(db, owner, title, visibility, parent).await;
    backdate(db, &id, hours_ago).await;
    id
}

async fn send(api: &Api, method: reqwest::Method, path: &str) -> (StatusCode, Value) {
    let res = api
        .http
        .request(method, format!("{}{path}", api.base))
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn for_you_ranks_by_an_explained_score_and_pages_stably() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let ana = Api::signup(&server.url, "ana").await;
    let ben = Api::signup(&server.url, "ben").await;
    let cat = Api::signup(&server.url, "cat").await;
    let fresh = posted(&db, &ana, "fresh", "public", None, 0.0).await;
    let liked = posted(&db, &ana, "liked", "public", None, 1.0).await;
    let old = posted(&db, &ben, "three days old", "public", None, 72.0).await;
    let ancient = posted(&db, &ben, "a month old", "public", None, 24.0 * 30.0).await;
    let for_followers = posted(&db, &ben, "for followers", "followers", None, 0.0).await;
    let unlisted = posted(&db, &ben, "unlisted", "unlisted", None, 0.0).await;
    let own = posted(&db, &cat, "cat's own", "public", None, 0.0).await;
    for fan in [&ben, &cat] {
        assert_eq!(
            send(fan, reqwest::Method::PUT, &format!("/api/clips/{liked}/like"))
                .await
                .0,
            StatusCode::OK
        );
    }

    let (status, page) = cat.get("/api/feed/for-you").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let order = ids(&page);
    assert_eq!(order.len(), 3, "public posts of others within the window: {page}");
    for excluded in [&ancient, &for_followers, &unlisted, &own] {
        assert!(!order.contains(excluded));
    }
    assert_eq!(order[2], old, "the old post ranks last");
    let items = page["items"].as_array().unwrap();
    let mut last_total = f64::INFINITY;
    for item in items {
        let s = &item["score"];
        let (total, recency, engagement, unseen) = (
            s["total"].as_f64().unwrap(),
            s["recency"].as_f64().unwrap(),
            s["engagement"].as_f64().unwrap(),
            s["unseen"].as_f64().unwrap(),
        );
        assert!((total - (recency + engagement + unseen)).abs() < 1e-9, "{s}");
        assert!(
            (0.0..=1.0).contains(&recency) && (0.0..=1.0).contains(&engagement),
            "{s}"
        );
        assert_eq!(unseen, 0.5, "cat has seen nothing");
        assert!(total <= last_total, "best first");
        last_total = total;
        assert!(s["reason"].as_str().unwrap().contains("likes"), "{s}");
    }
    let liked_score = &items.iter().find(|i| i["id"] == liked.as_str()).unwrap()["score"];
    assert!(liked_score["engagement"].as_f64().unwrap() > 0.0);
    assert!(
        liked_score["reason"].as_str().unwrap().contains("2 likes"),
        "{liked_score}"
    );
    assert_eq!(order[0], liked, "two likes outweigh an hour of age");

    // Seeing a post takes away its unseen bonus in the next ranking.
    assert_eq!(
        cat.post(&format!("/api/clips/{liked}/view"), json!({})).await.0,
        StatusCode::NO_CONTENT
    );
    let page = cat.get("/api/feed/for-you").await.1;
    assert_eq!(ids(&page)[0], fresh, "{page}");
    let seen = &page["items"][1]["score"];
    assert_eq!(seen["unseen"], 0.0);
    assert!(seen["reason"].as_str().unwrap().contains("+ seen 0.00"), "{seen}");

    // Pages hold still while the reader scrolls: views after the first page do not reshuffle.
    let first = cat.get("/api/feed/for-you?limit=1").await.1;
    assert_eq!(ids(&first), [fresh.as_str()]);
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    cat.post(&format!("/api/clips/{old}/view"), json!({})).await;
    let second = cat.get(&format!("/api/feed/for-you?limit=1&cursor={cursor}")).await.1;
    assert_eq!(ids(&second), [liked.as_str()], "{second}");
    let cursor = second["next_cursor"].as_str().unwrap().to_string();
    let third = cat.get(&format!("/api/feed/for-you?limit=1&cursor={cursor}")).await.1;
    assert_eq!(ids(&third), [old.as_str()], "{third}");
    assert_eq!(third["items"][0]["score"]["unseen"], 0.5, "ranked as of the first page");
    assert!(third["next_cursor"].is_null(), "{third}");

    for bad in [
        "garbage",
        "1_x_00000000000000000000000000000000",
        "1_inf_00000000000000000000000000000000",
    ] {
        let (status, e) = cat.get(&format!("/api/feed/for-you?cursor={bad}")).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_request")),
            "{bad}"
        );
    }
    assert_eq!(cat.get("/api/feed/for-you?limit=51").await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn profiles_single_posts_and_parent_authors_respect_visibility() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let ana = Api::signup(&server.url, "ana").await;
    let ben = Api::signup(&server.url, "ben").await;
    let cat = Api::signup(&server.url, "cat").await;
    let public = posted(&db, &ana, "public", "public", None, 0.0).await;
    let secret = posted(&db, &ana, "for followers", "followers", None, 0.0).await;
    posted(&db, &ana, "unlisted", "unlisted", None, 0.0).await;
    let remix = posted(&db, &ben, "remix", "public", Some(&public), 0.0).await;
    let remix_of_secret = posted(&db, &ben, "remix of a secret", "public", Some(&secret), 0.0).await;

    let (status, p) = cat.get("/api/users/ana").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        p,
        json!({"username": "ana", "followers": 0, "following": 0, "posts": 1,
               "followed_by_you": false, "is_you": false})
    );
    assert_eq!(
        send(&cat, reqwest::Method::PUT, "/api/users/ana/follow").await.0,
        StatusCode::OK
    );
    let p = cat.get("/api/users/ana").await.1;
    assert_eq!(
        (
            p["followers"].as_i64(),
            p["posts"].as_i64(),
            p["followed_by_you"].as_bool()
        ),
        (Some(1), Some(2), Some(true))
    );
    let p = ana.get("/api/users/ana").await.1;
    assert_eq!(
        (p["posts"].as_i64(), p["is_you"].as_bool()),
        (Some(3), Some(true)),
        "{p}"
    );
    assert_eq!(cat.get("/api/users/cat").await.1["following"], 1);
    let (status, e) = cat.get("/api/users/nobody").await;
    assert_eq!((status, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));

    // One post: everything a card shows, "remixed from @ana" only where ana's post is visible.
    let (status, post) = cat.get(&format!("/api/clips/{remix}/post")).await;
    assert_eq!(status, StatusCode::OK, "{post}");
    assert_eq!(post["parent_author"], "ana");
    assert_eq!(post["poster_url"], format!("/api/clips/{remix}/poster"));
    assert_eq!(post["preview_url"], format!("/api/clips/{remix}/preview"));
    assert!(post["score"].is_null());
    assert_eq!(
        cat.get(&format!("/api/clips/{remix_of_secret}/post")).await.1["parent_author"],
        "ana"
    );
    let dan = Api::signup(&server.url, "dan").await;
    let hidden = dan.get(&format!("/api/clips/{remix_of_secret}/post")).await.1;
    assert!(hidden["parent_author"].is_null(), "dan does not follow ana: {hidden}");
    assert_eq!(hidden["parent_id"], secret.as_str(), "the chain still shows a parent");
    assert_eq!(
        dan.get(&format!("/api/clips/{secret}/post")).await.0,
        StatusCode::NOT_FOUND
    );
    let latest = dan.get("/api/feed/latest").await.1;
    let card = latest["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == remix.as_str())
        .unwrap();
    assert_eq!(card["parent_author"], "ana");
    assert_eq!(
        cat.get(&format!("/api/clips/{}/post", Uuid::new_v4())).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(cat.get("/api/clips/not-a-uuid/post").await.0, StatusCode::NOT_FOUND);

    // Views count each viewer once.
    for viewer in [&cat, &cat, &dan] {
        assert_eq!(
            viewer.post(&format!("/api/clips/{public}/view"), json!({})).await.0,
            StatusCode::NO_CONTENT
        );
    }
    assert_eq!(cat.get(&format!("/api/clips/{public}/post")).await.1["views"], 2);
}

#[tokio::test]
async fn social_writes_are_rate_limited_per_user() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let ana = Api::signup(&server.url, "ana").await;
    let ben = Api::signup(&server.url, "ben").await;
    let clip = posted(&db, &ana, "chatty", "public", None, 0.0).await;
    let path = format!("/api/clips/{clip}/comments");
    // 20 comments a minute (MAX_COMMENTS_PER_WINDOW).
    for i in 0..20 {
        let (status, body) = ben.post(&path, json!({"body": format!("comment {i}")})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let res = ben
        .http
        .post(format!("{}{path}", ben.base))
        .json(&json!({"body": "one too many"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["code"], "rate_limited");
    assert!(e["message"].as_str().unwrap().contains("comments"), "{e}");
    assert_eq!(
        ana.post(&path, json!({"body": "mine still works"})).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        send(&ben, reqwest::Method::PUT, &format!("/api/clips/{clip}/like"))
            .await
            .0,
        StatusCode::OK,
        "likes have their own limit"
    );
    assert_eq!(
        ben.get(&path).await.1["items"].as_array().unwrap().len(),
        21,
        "nothing lost"
    );
    let (status, e) = ana.post(&path, json!({"body": "x".repeat(1001)})).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_field"))
    );
}

#[tokio::test]
async fn the_openapi_document_is_served_and_every_operation_is_routed() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let ana = Api::signup(&server.url, "ana").await;
    let (status, doc) = ana.get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{}", doc["openapi"]);
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 25, "{} paths", paths.len());
    // The probe tells a missing route from a handler's own 404 by the fallback's message.
    let (status, e) = ana.get("/api/no-such-thing").await;
    assert_eq!(
        (status, e["message"].as_str()),
        (StatusCode::NOT_FOUND, Some("no such API route"))
    );
    let mut probed = 0;
    for (path, item) in paths {
        let concrete = path
            .replace("{username}", "nobody")
            .replace("{session}", "nosession")
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    Uuid::new_v4().to_string()
                } else {
                    seg.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().unwrap().keys() {
            if path.starts_with("/api/auth/") {
                continue; // signing in or out would change the probe's own session
            }
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let res = ana
                .http
                .request(m, format!("{}{concrete}", ana.base))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = res.status();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert_ne!(
                body["message"], "no such API route",
                "{method} {path} is documented but not routed"
            );
            assert!(status.as_u16() < 500, "{method} {path}: {status} {body}");
            probed += 1;
        }
    }
    assert!(probed >= 30, "{probed} operations probed");
}
