//! Faults while people work, against the real server: the database goes away and comes back.
//! Writers get a clear status, nothing acknowledged is lost, and the server recovers by
//! itself. (A client that stops reading: `bad_input.rs`; see docs/RELIABILITY.md.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Api, TestServer, YClient};
use reelroom::db::cluster::PrivateCluster;

const WAIT: Duration = Duration::from_secs(15);
/// How long Postgres stays down (the issue's fault: 30 s).
const OUTAGE: Duration = Duration::from_secs(30);

#[tokio::test]
async fn postgres_down_for_30_s_while_people_type() {
    // A cluster of its own: stopping the shared test cluster would fail every other test.
    let dir = std::env::temp_dir().join(format!("reelroom-fault-pg-{}", uuid::Uuid::new_v4().simple()));
    let ensure_dir = dir.clone();
    let cluster = tokio::task::spawn_blocking(move || PrivateCluster::ensure(&ensure_dir))
        .await
        .unwrap()
        .expect("own cluster");
    reelroom::db::create_database_if_missing(&cluster.connection_string("postgres"), "faults")
        .await
        .unwrap();
    let server = TestServer::start(&cluster.connection_string("faults"), &[]);
    let owner = Api::signup(&server.url, "owner").await;
    let room = owner.create_room("r").await;
    let mut writer = YClient::connect(&server.ws_url(), &room, &owner.ticket(&room).await).await;
    let mut reader = YClient::connect(&server.ws_url(), &room, &owner.ticket(&room).await).await;
    writer.insert("title", 0, "before ").await;
    assert!(
        reader.wait_until(|c| c.text("title") == "before ", WAIT).await,
        "acknowledged"
    );

    tokio::task::spawn_blocking(move || cluster.stop())
        .await
        .unwrap()
        .expect("stop");
    writer.insert("title", 7, "during").await;
    let (code, reason) = writer.expect_close(WAIT).await;
    assert_eq!(code, 4503, "a writer learns its edit is not stored: {reason}");
    assert!(
        reader.is_open(),
        "a reader is not disconnected by someone else's failed write"
    );
    let offline = writer.into_doc(); // the edit stays in the client's replica
    tokio::time::sleep(OUTAGE).await;

    let restart_dir = dir.clone();
    tokio::task::spawn_blocking(move || PrivateCluster::ensure(&restart_dir))
        .await
        .unwrap()
        .expect("restart");
    // The server recovers by itself: new tickets, and the writer's edit goes up on reconnect.
    let mut ticket = None;
    for _ in 0..50 {
        let (status, body) = owner
            .post(&format!("/api/rooms/{room}/ticket"), serde_json::Value::Null)
            .await;
        if status.is_success() {
            ticket = body["ticket"].as_str().map(str::to_string);
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let ticket = ticket.expect("the server serves again once Postgres is back");
    let _writer = YClient::connect_with_doc(&server.ws_url(), &room, &ticket, offline).await;
    assert!(
        reader.wait_until(|c| c.text("title") == "before during", WAIT).await,
        "reader has {:?}",
        reader.text("title")
    );
    let mut fresh = YClient::connect(&server.ws_url(), &room, &owner.ticket(&room).await).await;
    assert!(fresh.wait_until(|c| c.text("title") == "before during", WAIT).await);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
