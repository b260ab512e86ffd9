//! Nothing acknowledged is lost: restarts, `kill -9`, compaction, and room eviction/reload.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Api, TestDb, TestServer, YClient};

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn kill_9_right_after_an_edit_reached_another_client_loses_nothing() {
    let db = TestDb::create().await;
    let mut server = TestServer::start(&db.conn, &[]);
    let owner = Api::signup(&server.url, "owner").await;
    let friend = Api::signup(&server.url, "friend").await;
    let room = owner.create_room("r").await;
    owner.set_member(&room, "friend", "editor").await;
    let mut a = YClient::connect(&server.ws_url(), &room, &owner.ticket(&room).await).await;
    let mut b = YClient::connect(&server.ws_url(), &room, &friend.ticket(&room).await).await;
    for i in 0..20u32 {
        a.insert("title", i, "x").await;
    }
    a.insert("title", 20, "!").await;
    assert!(b.wait_until(|c| c.text("title").ends_with('!'), WAIT).await);
    server.crash_and_restart(); // the moment b saw it, the server dies
    let fresh = YClient::connect(&server.ws_url(), &room, &owner.ticket(&room).await).await;
    assert_eq!(fresh.text("title"), format!("{}!", "x".repeat(20)));

    // A graceful restart keeps it too, and stops cleanly.
    server.restart();
    let again = YClient::connect(&server.ws_url(), &room, &owner.ticket(&room).await).await;
    assert_eq!(again.text("title"), fresh.text("title"));
}

#[tokio::test]
async fn the_log_is_compacted_and_an_idle_room_is_evicted_then_reloaded() {
    let db = TestDb::create().await;
    let server = TestServer::start(
        &db.conn,
        &[("REELROOM_COMPACT_EVERY", "25"), ("REELROOM_ROOM_IDLE_GRACE_MS", "300")],
    );
    let owner = Api::signup(&server.url, "owner").await;
    let room = owner.create_room("r").await;
    let mut a = YClient::connect(&server.ws_url(), &room, &owner.ticket(&room).await).await;
    for i in 0..100u32 {
        a.insert("title", i, "y").await;
    }
    let mut watcher = YClient::connect(&server.ws_url(), &room, &owner.ticket(&room).await).await;
    assert!(watcher.wait_until(|c| c.text("title").len() == 100, WAIT).await);
    let pg = db.client().await;
    // Polls end at the first success; the long bound is for a loaded machine (CI runs the
    // whole suite on two shared cores).
    let mut compacted = false;
    for _ in 0..200 {
        let snapshots: i64 = pg
            .query_one("SELECT count(*) FROM room_snapshots", &[])
            .await
            .unwrap()
            .get(0);
        let updates: i64 = pg
            .query_one("SELECT count(*) FROM room_updates", &[])
            .await
            .unwrap()
            .get(0);
        if snapshots == 1 && updates < 25 {
            compacted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(compacted, "log compacted into a snapshot");
    assert!(server.metric("reelroom_rooms").await >= 1.0);
    a.disconnect().await;
    watcher.disconnect().await;
    let mut evicted = false;
    for _ in 0..200 {
        if server.metric("reelroom_rooms").await == 0.0 {
            evicted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(evicted, "empty room unloaded after the grace period");
    let updates: i64 = pg
        .query_one("SELECT count(*) FROM room_updates", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(updates, 0, "final compaction on unload");
    let reloaded = YClient::connect(&server.ws_url(), &room, &owner.ticket(&room).await).await;
    assert_eq!(reloaded.text("title"), "y".repeat(100));
}

#[tokio::test]
async fn offline_edits_made_while_the_server_was_down_are_merged_on_reconnect() {
    let db = TestDb::create().await;
    let mut server = TestServer::start(&db.conn, &[]);
    let owner = Api::signup(&server.url, "owner").await;
    let room = owner.create_room("r").await;
    let mut a = YClient::connect(&server.ws_url(), &room, &owner.ticket(&room).await).await;
    a.insert("title", 0, "online ").await;
    let mut b = YClient::connect(&server.ws_url(), &room, &owner.ticket(&room).await).await;
    assert!(b.wait_until(|c| c.text("title") == "online ", WAIT).await);
    server.kill9();
    let doc = a.into_doc();
    common::yclient::local_edit(&doc, |txn, t| yrs::Text::insert(t, txn, 7, "offline"), "title");
    server.crash_and_restart();
    let a = YClient::connect_with_doc(&server.ws_url(), &room, &owner.ticket(&room).await, doc).await;
    assert_eq!(a.text("title"), "online offline");
    let mut c = YClient::connect(&server.ws_url(), &room, &owner.ticket(&room).await).await;
    assert!(
        c.wait_until(|c| c.text("title") == "online offline", WAIT).await,
        "uploaded in step 2 and stored"
    );
}
