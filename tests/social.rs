//! Comments, removing posts and remix lineage against the real server and Postgres.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::posts::posted;
use common::{Api, TestDb, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn delete(api: &Api, path: &str) -> StatusCode {
    api.http
        .delete(format!("{}{path}", api.base))
        .send()
        .await
        .unwrap()
        .status()
}

async fn comment(api: &Api, clip: &str, body: &str, reply_to: Option<&str>) -> (StatusCode, Value) {
    api.post(
        &format!("/api/clips/{clip}/comments"),
        json!({"body": body, "reply_to": reply_to}),
    )
    .await
}

#[tokio::test]
async fn comments_have_one_level_of_replies_and_page_oldest_first() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let ana = Api::signup(&server.url, "ana").await;
    let ben = Api::signup(&server.url, "ben").await;
    let clip = posted(&db, &ana, "a red ball", "public", None).await;
    let secret = posted(&db, &ana, "for followers", "followers", None).await;

    let (status, first) = comment(&ben, &clip, "love the bounce", None).await;
    assert_eq!(
        (status, first["author"].as_str()),
        (StatusCode::CREATED, Some("ben")),
        "{first}"
    );
    let first_id = first["id"].as_str().unwrap();
    let (status, reply) = comment(&ana, &clip, "thanks!", Some(first_id)).await;
    assert_eq!(
        (status, reply["reply_to"].as_str()),
        (StatusCode::CREATED, Some(first_id))
    );
    let reply_id = reply["id"].as_str().unwrap().to_string();
    assert_eq!(
        comment(&ben, &clip, "deeper", Some(&reply_id)).await.0,
        StatusCode::BAD_REQUEST,
        "one level"
    );
    assert_eq!(comment(&ben, &clip, "   ", None).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(
        comment(&ben, &clip, &"x".repeat(1001), None).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        comment(&ben, &secret, "can I see this?", None).await.0,
        StatusCode::NOT_FOUND
    );
    for i in 0..3 {
        comment(&ben, &clip, &format!("more {i}"), None).await;
    }
    // Pages of 2, oldest first: 5 comments in 3 pages.
    let mut bodies = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = ben
            .get(&format!("/api/clips/{clip}/comments?limit=2&cursor={cursor}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        bodies.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["body"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(bodies, ["love the bounce", "thanks!", "more 0", "more 1", "more 2"]);
    let count = |page: Value| page["items"][0]["comments"].as_i64();
    assert_eq!(count(ben.get("/api/feed/latest").await.1), Some(5));
    // A comment's author, or the post's author, deletes it (nobody else); its reply stays.
    let cat = Api::signup(&server.url, "cat").await;
    assert_eq!(
        delete(&cat, &format!("/api/comments/{first_id}")).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        delete(&ben, &format!("/api/comments/{first_id}")).await,
        StatusCode::NO_CONTENT
    );
    let page = ben.get(&format!("/api/clips/{clip}/comments")).await.1;
    assert_eq!(
        (page["items"][0]["deleted"].as_bool(), page["items"][0]["body"].as_str()),
        (Some(true), Some(""))
    );
    assert_eq!(page["items"][1]["body"], "thanks!");
    assert_eq!(count(ben.get("/api/feed/latest").await.1), Some(4));
    // The post's author removes someone else's comment on her post (the review's F21).
    let spam = page["items"][2]["id"].as_str().unwrap().to_string();
    assert_eq!(
        delete(&ana, &format!("/api/comments/{spam}")).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(count(ben.get("/api/feed/latest").await.1), Some(3));
}

#[tokio::test]
async fn removing_a_post_hides_it_deletes_its_video_and_keeps_the_chain() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let ana = Api::signup(&server.url, "ana").await;
    let ben = Api::signup(&server.url, "ben").await;
    let cat = Api::signup(&server.url, "cat").await;
    let root = posted(&db, &ana, "root", "public", None).await;
    let middle = posted(&db, &ben, "middle", "public", Some(&root)).await;
    let leaf = posted(&db, &cat, "leaf", "public", Some(&middle)).await;
    let sibling = posted(&db, &cat, "sibling", "followers", Some(&root)).await;
    let video = server
        .data_dir()
        .join("objects")
        .join("clips")
        .join(format!("{middle}.mp4"));
    std::fs::create_dir_all(video.parent().unwrap()).unwrap();
    std::fs::write(&video, b"mp4 bytes").unwrap();
    assert_eq!(
        ana.get("/api/feed/latest").await.1["items"].as_array().unwrap().len(),
        3
    );
    assert_eq!(
        ana.get("/api/feed/latest?limit=50").await.1["items"][2]["remixes"],
        2,
        "root: one public remix and one for followers"
    );

    // Lineage from the leaf: ancestors nearest first; from the root: descendants by depth.
    let (status, l) = ana.get(&format!("/api/clips/{leaf}/lineage")).await;
    assert_eq!(status, StatusCode::OK, "{l}");
    let ancestors: Vec<&str> = l["ancestors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ancestors, [middle.as_str(), root.as_str()]);
    assert_eq!(l["ancestors"][0]["depth"], -1);
    let l = ana.get(&format!("/api/clips/{root}/lineage?limit=1")).await.1;
    assert_eq!(l["descendants"][0]["id"], middle.as_str());
    let cursor = l["next_cursor"].as_str().unwrap();
    let l = ana
        .get(&format!("/api/clips/{root}/lineage?limit=1&cursor={cursor}"))
        .await
        .1;
    let page: Vec<(&str, &str)> = l["descendants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n["state"].as_str().unwrap()))
        .collect();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].1, "hidden", "ana does not follow cat");
    assert!(
        page[0].0.starts_with("hidden-"),
        "the hidden post keeps its place, not its id"
    );
    let cursor = l["next_cursor"].as_str().unwrap();
    let l = ana
        .get(&format!("/api/clips/{root}/lineage?limit=1&cursor={cursor}"))
        .await
        .1;
    assert_eq!(l["descendants"][0]["id"], leaf.as_str());
    assert_eq!(l["descendants"][0]["depth"], 2);
    assert!(l["next_cursor"].is_null());
    assert!(
        !cursor.contains(&sibling.replace('-', "")) && !cursor.contains(&sibling),
        "no cursor names it"
    );

    // Ben removes the middle post: gone from feeds and by link, its video deleted, the chain intact.
    assert_eq!(
        delete(&ana, &format!("/api/clips/{middle}")).await,
        StatusCode::NOT_FOUND,
        "not hers"
    );
    assert_eq!(
        delete(&ben, &format!("/api/clips/{middle}")).await,
        StatusCode::NO_CONTENT
    );
    assert!(!video.exists(), "the video is deleted from storage");
    assert_eq!(ana.get(&format!("/api/clips/{middle}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        ben.get(&format!("/api/clips/{middle}")).await.0,
        StatusCode::NOT_FOUND,
        "nor for its author"
    );
    assert!(ana.get("/api/feed/latest").await.1["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["id"] != middle.as_str()));
    let l = ana.get(&format!("/api/clips/{leaf}/lineage")).await.1;
    assert_eq!(l["ancestors"][0]["state"], "removed");
    assert!(l["ancestors"][0]["title"].is_null() && l["ancestors"][0]["author"].is_null());
    assert_eq!(
        l["ancestors"][1]["id"],
        root.as_str(),
        "the chain goes on through the removed post"
    );
    assert_eq!(
        delete(&ben, &format!("/api/clips/{middle}")).await,
        StatusCode::NOT_FOUND,
        "only once"
    );
    assert_eq!(
        ana.get(&format!("/api/clips/{middle}/lineage")).await.0,
        StatusCode::NOT_FOUND
    );
    // Views count once per request on visible posts only.
    let view = |api: &Api, clip: &str| {
        let url = format!("{}/api/clips/{clip}/view", api.base);
        let http = api.http.clone();
        async move { http.post(url).send().await.unwrap().status() }
    };
    assert_eq!(view(&ana, &root).await, StatusCode::NO_CONTENT);
    assert_eq!(view(&ana, &sibling).await, StatusCode::NOT_FOUND);
    assert_eq!(ana.get("/api/users/ana/posts").await.1["items"][0]["views"], 1);
}
