//! Live co-editing over `/sync`: convergence, roles, presence, membership changes, tickets,
//! and the control socket — all against the real server and Postgres.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{yclient, Api, TestDb, TestServer, YClient, TEST_SECRET};
use futures_util::{SinkExt, StreamExt};
use reelroom::auth::TicketSigner;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(10);

struct Room {
    server: TestServer,
    _db: TestDb,
    owner: Api,
    editor: Api,
    viewer: Api,
    id: String,
}

async fn room_with_three_members() -> Room {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let owner = Api::signup(&server.url, "owner").await;
    let editor = Api::signup(&server.url, "editor").await;
    let viewer = Api::signup(&server.url, "viewer").await;
    let id = owner.create_room("scene").await;
    owner.set_member(&id, "editor", "editor").await;
    owner.set_member(&id, "viewer", "viewer").await;
    Room {
        _db: db,
        server,
        owner,
        editor,
        viewer,
        id,
    }
}

#[tokio::test]
async fn two_clients_converge_and_a_late_joiner_gets_everything() {
    let r = room_with_three_members().await;
    let ws = r.server.ws_url();
    let mut a = YClient::connect(&ws, &r.id, &r.owner.ticket(&r.id).await).await;
    let mut b = YClient::connect(&ws, &r.id, &r.editor.ticket(&r.id).await).await;
    a.insert("title", 0, "Sunset").await;
    b.insert("title", 0, "Beach ").await; // concurrent with a's edit
    assert!(b.wait_until(|c| c.text("title").len() == 12, WAIT).await);
    assert!(a.wait_until(|c| c.text("title").len() == 12, WAIT).await);
    assert_eq!(a.text("title"), b.text("title"));
    a.delete("title", 0, 1).await;
    assert!(b.wait_until(|c| c.text("title").len() == 11, WAIT).await);
    let late = YClient::connect(&ws, &r.id, &r.viewer.ticket(&r.id).await).await;
    assert_eq!(late.text("title"), b.text("title"));
    // Room lists follow the script's title (trimmed).
    let expected = b.text("title").trim().to_string();
    let mut listed = String::new();
    for _ in 0..100 {
        let (_, rooms) = r.editor.get("/api/rooms").await;
        listed = rooms[0]["title"].as_str().unwrap_or_default().to_string();
        if listed == expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn a_viewer_is_told_and_its_writes_are_neither_stored_nor_broadcast() {
    let mut r = room_with_three_members().await;
    let ws = r.server.ws_url();
    let mut editor = YClient::connect(&ws, &r.id, &r.editor.ticket(&r.id).await).await;
    let mut viewer = YClient::connect(&ws, &r.id, &r.viewer.ticket(&r.id).await).await;
    editor.insert("title", 0, "ok").await;
    assert!(
        viewer.wait_until(|c| c.text("title") == "ok", WAIT).await,
        "viewers receive everything"
    );
    viewer.insert("title", 0, "HACK").await;
    assert!(
        viewer.wait_until(|c| !c.denied.is_empty(), WAIT).await,
        "viewer is told"
    );
    assert!(viewer.denied[0].contains("read-only"));
    assert!(
        viewer.is_open(),
        "the viewer stays connected (stock clients would reconnect in a loop)"
    );
    editor.pump(Duration::from_millis(500)).await;
    assert_eq!(editor.text("title"), "ok");
    r.server.restart();
    let fresh = YClient::connect(&r.server.ws_url(), &r.id, &r.owner.ticket(&r.id).await).await;
    assert_eq!(fresh.text("title"), "ok", "not stored");
}

#[tokio::test]
async fn presence_is_shared_and_removed_when_a_client_leaves() {
    let r = room_with_three_members().await;
    let ws = r.server.ws_url();
    let mut a = YClient::connect(&ws, &r.id, &r.owner.ticket(&r.id).await).await;
    let mut b = YClient::connect(&ws, &r.id, &r.viewer.ticket(&r.id).await).await;
    a.set_awareness(111, 1, r##"{"user":{"name":"owner","color":"#ff0000"}}"##)
        .await;
    b.set_awareness(222, 1, r#"{"user":{"name":"viewer"}}"#).await;
    assert!(
        b.wait_until(
            |c| c.awareness.contains_key(&111) && c.awareness.contains_key(&222),
            WAIT
        )
        .await,
        "echoed to sender too"
    );
    assert!(a.wait_until(|c| c.awareness.contains_key(&222), WAIT).await);
    // A client cannot overwrite or remove someone else's presence.
    b.set_awareness(111, 9, "null").await;
    a.pump(Duration::from_millis(300)).await;
    assert!(a.awareness.contains_key(&111));
    a.disconnect().await;
    assert!(
        b.wait_until(|c| !c.awareness.contains_key(&111), WAIT).await,
        "departed client removed"
    );
    // A newcomer gets the current presence in its greeting.
    let c = YClient::connect(&ws, &r.id, &r.editor.ticket(&r.id).await).await;
    assert!(c.awareness.contains_key(&222) && !c.awareness.contains_key(&111));
}

#[tokio::test]
async fn silent_presence_expires_and_idle_sockets_get_keepalives() {
    let r = room_with_three_members().await;
    let ws = r.server.ws_url();
    let mut a = YClient::connect(&ws, &r.id, &r.owner.ticket(&r.id).await).await;
    let mut b = YClient::connect(&ws, &r.id, &r.editor.ticket(&r.id).await).await;
    a.set_awareness(5, 1, r#"{"user":{"name":"a"}}"#).await;
    assert!(b.wait_until(|c| c.awareness.contains_key(&5), WAIT).await);
    let frames_before = a.frames;
    // a never renews; it stays connected but silent. Expiry is 30 s (+ tick).
    assert!(
        b.wait_until(|c| !c.awareness.contains_key(&5), Duration::from_secs(36))
            .await,
        "expired"
    );
    a.pump(Duration::from_millis(100)).await;
    assert!(
        a.frames > frames_before + 1,
        "the idle client received keepalives (and the removal)"
    );
    assert!(a.is_open() && b.is_open());
}

#[tokio::test]
async fn removing_a_member_closes_their_connections_and_demotion_applies_live() {
    let r = room_with_three_members().await;
    let ws = r.server.ws_url();
    let mut owner = YClient::connect(&ws, &r.id, &r.owner.ticket(&r.id).await).await;
    let mut editor = YClient::connect(&ws, &r.id, &r.editor.ticket(&r.id).await).await;
    editor.insert("title", 0, "a").await;
    assert!(owner.wait_until(|c| c.text("title") == "a", WAIT).await);
    assert_eq!(
        r.owner.set_member(&r.id, "editor", "viewer").await,
        reqwest::StatusCode::OK
    );
    editor.pump(Duration::from_millis(200)).await;
    editor.insert("title", 1, "b").await;
    assert!(editor.wait_until(|c| !c.denied.is_empty(), WAIT).await, "demoted live");
    owner.pump(Duration::from_millis(300)).await;
    assert_eq!(owner.text("title"), "a");
    assert_eq!(
        r.owner.remove_member(&r.id, "editor").await,
        reqwest::StatusCode::NO_CONTENT
    );
    let (code, reason) = editor.expect_close(WAIT).await;
    assert_eq!(code, 4403, "{reason}");
    assert!(reason.contains("removed"));
    assert!(owner.is_open());
}

#[tokio::test]
async fn ticket_misuse_is_refused_at_upgrade() {
    let r = room_with_three_members().await;
    let ws = r.server.ws_url();
    let stranger = Api::signup(&r.server.url, "stranger").await;
    let other_room = stranger.create_room("other").await;
    let signer = TicketSigner::new(TEST_SECRET.as_bytes().to_vec());
    let room_uuid = uuid::Uuid::parse_str(&r.id).unwrap();
    let owner_uuid = uuid::Uuid::parse_str(&r.owner.id).unwrap();
    let stranger_uuid = uuid::Uuid::parse_str(&stranger.id).unwrap();
    let now = reelroom::state::unix_now();

    assert_eq!(yclient::open(&ws, &r.id, "", None).await.err(), Some(401), "no ticket");
    let res = reqwest::get(format!("{}/sync/{}", r.server.url, r.id)).await.unwrap();
    assert_eq!(res.status(), 401, "no ticket param at all");
    assert_eq!(yclient::open(&ws, &r.id, "garbage", None).await.err(), Some(401));
    let expired = signer.sign(room_uuid, owner_uuid, now - 1);
    assert_eq!(
        yclient::open(&ws, &r.id, &expired, None).await.err(),
        Some(401),
        "expired"
    );
    let forged = TicketSigner::new(b"another key entirely, 32 bytes!!".to_vec()).sign(room_uuid, owner_uuid, now + 60);
    assert_eq!(
        yclient::open(&ws, &r.id, &forged, None).await.err(),
        Some(401),
        "bad signature"
    );
    let for_other_room = stranger.ticket(&other_room).await;
    assert_eq!(
        yclient::open(&ws, &r.id, &for_other_room, None).await.err(),
        Some(403),
        "ticket for another room"
    );
    let non_member = signer.sign(room_uuid, stranger_uuid, now + 60);
    assert_eq!(
        yclient::open(&ws, &r.id, &non_member, None).await.err(),
        Some(403),
        "signed but not a member"
    );
    let good = r.owner.ticket(&r.id).await;
    assert_eq!(
        yclient::open(&ws, &r.id, &good, Some("http://evil.example"))
            .await
            .err(),
        Some(403),
        "foreign origin"
    );
    let same_origin = format!("http://{}", r.server.host());
    assert!(
        yclient::open(&ws, &r.id, &good, Some(&same_origin)).await.is_ok(),
        "same origin"
    );
    // A ticket issued before removal stops working once the member is removed.
    let editor_ticket = r.editor.ticket(&r.id).await;
    r.owner.remove_member(&r.id, "editor").await;
    assert_eq!(yclient::open(&ws, &r.id, &editor_ticket, None).await.err(), Some(403));
}

/// Reads control messages until one of `kind` arrives (skipping pings and other types).
async fn next_of_type<S>(control: &mut S, kind: &str) -> serde_json::Value
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let Some(Ok(message)) = control.next().await else {
            panic!("socket ended")
        };
        let Message::Text(text) = message else { continue };
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        if value["type"] == kind {
            return value;
        }
    }
}

#[tokio::test]
async fn control_socket_says_welcome_and_checks_the_version() {
    let r = room_with_three_members().await;
    let ticket = r.editor.ticket(&r.id).await;
    let url = format!("{}/control/{}?ticket={ticket}&v=1", r.server.ws_url(), r.id);
    let (mut control, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let _sync = YClient::connect(&r.server.ws_url(), &r.id, &r.owner.ticket(&r.id).await).await;
    control.send(Message::text(r#"{"type":"hello"}"#)).await.unwrap();
    let welcome = next_of_type(&mut control, "welcome").await;
    assert_eq!(welcome["role"], "editor");
    assert_eq!(welcome["protocol_version"], 1);
    let names: Vec<&str> = welcome["members_online"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["editor", "owner"]);
    control
        .send(Message::text(r#"{"type":"launch_rockets"}"#))
        .await
        .unwrap();
    let error = next_of_type(&mut control, "error").await;
    assert_eq!(error["code"], "invalid_message");

    let wrong_version = format!("{}/control/{}?ticket={ticket}&v=999", r.server.ws_url(), r.id);
    match tokio_tungstenite::connect_async(wrong_version).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => assert_eq!(res.status(), 400),
        other => panic!("expected 400, got {:?}", other.map(|_| ())),
    }
}
