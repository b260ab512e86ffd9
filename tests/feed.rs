//! The social feed against the real server and Postgres: posting drafts (validation,
//! authorship), the latest / following / profile feeds with keyset pagination, visibility in
//! every read, likes and follows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use common::posts::ids;
use common::{Api, TestDb, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn draft(db: &TestDb, owner: &Api) -> String {
    common::posts::draft(db, owner, None).await
}

async fn post(api: &Api, clip: &str, title: &str, visibility: &str) -> (StatusCode, Value) {
    api.post(
        &format!("/api/clips/{clip}/post"),
        json!({"title": title, "caption": "made in reelroom", "visibility": visibility}),
    )
    .await
}

async fn put(api: &Api, path: &str) -> (StatusCode, Value) {
    let res = api.http.put(format!("{}{path}", api.base)).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn delete(api: &Api, path: &str) -> (StatusCode, Value) {
    let res = api.http.delete(format!("{}{path}", api.base)).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn anas_profile(api: &Api) -> HashSet<String> {
    ids(&api.get("/api/users/ana/posts?limit=50").await.1)
        .into_iter()
        .collect()
}

struct World {
    server: TestServer,
    db: TestDb,
    ana: Api,
    ben: Api,
    cat: Api,
}

async fn world() -> World {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let ana = Api::signup(&server.url, "ana").await;
    let ben = Api::signup(&server.url, "ben").await;
    let cat = Api::signup(&server.url, "cat").await;
    World {
        server,
        db,
        ana,
        ben,
        cat,
    }
}

#[tokio::test]
async fn posting_checks_the_author_the_draft_and_the_fields() {
    let w = world().await;
    let clip = draft(&w.db, &w.ana).await;
    assert_eq!(
        w.ben.get(&format!("/api/clips/{clip}")).await.0,
        StatusCode::NOT_FOUND,
        "drafts are private"
    );
    let (status, e) = post(&w.ana, &clip, "  ", "public").await;
    assert_eq!(
        (status, e["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_field"))
    );
    assert_eq!(
        post(&w.ana, &clip, &"x".repeat(121), "public").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(post(&w.ana, &clip, "ok", "everyone").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(
        post(&w.ben, &clip, "mine now", "public").await.0,
        StatusCode::NOT_FOUND,
        "not ben's draft"
    );
    assert_eq!(
        post(&w.ana, &clip, "A red ball", "public").await.0,
        StatusCode::NO_CONTENT
    );
    let (status, e) = post(&w.ana, &clip, "again", "public").await;
    assert_eq!((status, e["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));
    let (status, seen) = w.ben.get(&format!("/api/clips/{clip}")).await;
    assert_eq!((status, seen["status"].as_str()), (StatusCode::OK, Some("posted")));
}

#[tokio::test]
async fn feeds_page_newest_first_and_respect_visibility() {
    let w = world().await;
    let mut public = Vec::new();
    for i in 0..5 {
        let clip = draft(&w.db, &w.ana).await;
        assert_eq!(
            post(&w.ana, &clip, &format!("take {i}"), "public").await.0,
            StatusCode::NO_CONTENT
        );
        public.push(clip);
    }
    let followers_only = draft(&w.db, &w.ana).await;
    post(&w.ana, &followers_only, "for my followers", "followers").await;
    let unlisted = draft(&w.db, &w.ana).await;
    post(&w.ana, &unlisted, "link only", "unlisted").await;
    let still_draft = draft(&w.db, &w.ana).await;

    // Latest, in pages of 2: every public post once, newest first, then the end.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    for expected in [2, 2, 1] {
        let (status, page) = w.ben.get(&format!("/api/feed/latest?limit=2&cursor={cursor}")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(ids(&page).len(), expected);
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => assert_eq!(expected, 1, "the last page has no cursor"),
        }
    }
    public.reverse();
    assert_eq!(seen, public, "newest first, no repeats, nothing hidden leaks in");
    let first = w.ben.get("/api/feed/latest").await.1;
    assert_eq!(first["items"][0]["author"], "ana");
    assert_eq!(first["items"][0]["title"], "take 4");
    assert_eq!(
        first["items"][0]["video_url"],
        format!("/api/clips/{}/video", public[0])
    );
    assert_eq!(w.ben.get("/api/feed/latest?limit=0").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(w.ben.get("/api/feed/latest?limit=51").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(
        w.ben.get("/api/feed/latest?cursor=nonsense").await.0,
        StatusCode::BAD_REQUEST
    );

    // Unlisted: by link only. Followers-only: not for ben until he follows.
    assert_eq!(w.ben.get(&format!("/api/clips/{unlisted}")).await.0, StatusCode::OK);
    assert_eq!(
        w.ben.get(&format!("/api/clips/{followers_only}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.ben.get(&format!("/api/clips/{still_draft}")).await.0,
        StatusCode::NOT_FOUND
    );
    let bens_view = anas_profile(&w.ben).await;
    assert!(bens_view.contains(&public[0]) && !bens_view.contains(&followers_only) && !bens_view.contains(&unlisted));
    let anas_view = anas_profile(&w.ana).await;
    assert!(
        anas_view.contains(&followers_only) && anas_view.contains(&unlisted),
        "the author sees all her posts"
    );
    assert!(!anas_view.contains(&still_draft), "drafts are not posts");
    assert_eq!(ids(&w.ben.get("/api/feed/following").await.1), Vec::<String>::new());

    // Ben follows ana: her followers-only post shows in his following feed and by link.
    let (status, f) = put(&w.ben, "/api/users/ana/follow").await;
    assert_eq!(
        (status, f["following"].as_bool(), f["followers"].as_i64()),
        (StatusCode::OK, Some(true), Some(1))
    );
    let following = ids(&w.ben.get("/api/feed/following?limit=50").await.1);
    assert_eq!(following.len(), 6, "5 public + 1 for followers; unlisted stays out");
    assert_eq!(following[0], followers_only);
    assert_eq!(
        w.ben.get(&format!("/api/clips/{followers_only}")).await.0,
        StatusCode::OK
    );
    assert!(ids(&w.cat.get("/api/feed/latest?limit=50").await.1)
        .iter()
        .all(|id| *id != followers_only));
    // Unfollow: gone again.
    assert_eq!(delete(&w.ben, "/api/users/ana/follow").await.1["followers"], 0);
    assert_eq!(
        w.ben.get(&format!("/api/clips/{followers_only}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        put(&w.ben, "/api/users/ben/follow").await.0,
        StatusCode::BAD_REQUEST,
        "not yourself"
    );
    assert_eq!(put(&w.ben, "/api/users/nobody/follow").await.0, StatusCode::NOT_FOUND);
    drop(w.server);
}

#[tokio::test]
async fn likes_count_once_per_person_and_only_on_visible_posts() {
    let w = world().await;
    let clip = draft(&w.db, &w.ana).await;
    post(&w.ana, &clip, "like me", "public").await;
    let secret = draft(&w.db, &w.ana).await;
    post(&w.ana, &secret, "followers only", "followers").await;

    let (status, l) = put(&w.ben, &format!("/api/clips/{clip}/like")).await;
    assert_eq!(
        (status, l["liked"].as_bool(), l["likes"].as_i64()),
        (StatusCode::OK, Some(true), Some(1))
    );
    assert_eq!(
        put(&w.ben, &format!("/api/clips/{clip}/like")).await.1["likes"],
        1,
        "once per person"
    );
    assert_eq!(put(&w.cat, &format!("/api/clips/{clip}/like")).await.1["likes"], 2);
    let page = w.ben.get("/api/feed/latest").await.1;
    assert_eq!(
        (page["items"][0]["likes"].as_i64(), page["items"][0]["liked"].as_bool()),
        (Some(2), Some(true))
    );
    assert_eq!(w.ana.get("/api/feed/latest").await.1["items"][0]["liked"], false);
    assert_eq!(delete(&w.ben, &format!("/api/clips/{clip}/like")).await.1["likes"], 1);
    assert_eq!(
        delete(&w.ben, &format!("/api/clips/{clip}/like")).await.1["likes"],
        1,
        "unlike twice"
    );
    assert_eq!(
        put(&w.ben, &format!("/api/clips/{secret}/like")).await.0,
        StatusCode::NOT_FOUND,
        "cannot see it"
    );
    let unposted = draft(&w.db, &w.ana).await;
    assert_eq!(
        put(&w.ana, &format!("/api/clips/{unposted}/like")).await.0,
        StatusCode::NOT_FOUND,
        "drafts"
    );
    assert_eq!(put(&w.ben, "/api/clips/not-a-uuid/like").await.0, StatusCode::NOT_FOUND);
}
