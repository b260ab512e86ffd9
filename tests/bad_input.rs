//! Hostile or broken clients get a clear close code and reason; nobody else is harmed and
//! the stored document is intact.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use actors::wire;
use common::{Api, TestDb, TestServer, YClient};
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(10);

struct Setup {
    server: TestServer,
    _db: TestDb,
    owner: Api,
    room: String,
    bystander: YClient,
}

async fn setup() -> Setup {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let owner = Api::signup(&server.url, "owner").await;
    let room = owner.create_room("r").await;
    let mut bystander = YClient::connect(&server.ws_url(), &room, &owner.ticket(&room).await).await;
    bystander.insert("title", 0, "safe").await;
    bystander.pump(Duration::from_millis(200)).await;
    Setup {
        server,
        _db: db,
        owner,
        room,
        bystander,
    }
}

async fn attacker(s: &Setup) -> YClient {
    YClient::connect(&s.server.ws_url(), &s.room, &s.owner.ticket(&s.room).await).await
}

/// The bystander still edits, and a fresh client sees the intact document.
async fn others_unharmed(s: &mut Setup) {
    assert!(s.bystander.is_open(), "bystander still connected");
    s.bystander.insert("title", 4, "!").await;
    let fresh = attacker(s).await;
    let mut fresh = fresh;
    assert!(
        fresh.wait_until(|c| c.text("title") == "safe!", WAIT).await,
        "got {:?}",
        fresh.text("title")
    );
    s.bystander.delete("title", 4, 1).await;
    assert!(fresh.wait_until(|c| c.text("title") == "safe", WAIT).await);
}

#[tokio::test]
async fn malformed_frames_are_closed_with_4400() {
    let mut s = setup().await;
    let cases: Vec<(&str, Message)> = vec![
        (
            "bad varint",
            Message::binary(vec![0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80]),
        ),
        ("truncated", Message::binary(vec![0, 2, 50, 1, 2, 3])),
        ("unknown type", Message::binary(vec![42, 0])),
        ("unknown sync type", Message::binary(vec![0, 9, 0])),
        (
            "garbage update",
            Message::binary(wire::encode_update(&[0xff, 0xff, 0xff, 0x01, 0x02])),
        ),
        (
            "garbage state vector",
            Message::binary(wire::encode_sync_step1(&[5, 0xff])),
        ),
        ("garbage awareness", Message::binary(wire::encode_awareness(&[3, 1]))),
        ("text frame", Message::text("hello")),
        ("empty frame", Message::binary(Vec::<u8>::new())),
    ];
    for (name, message) in cases {
        let mut bad = attacker(&s).await;
        bad.send_message(message).await;
        let (code, reason) = bad.expect_close(WAIT).await;
        assert_eq!(code, 4400, "{name}: {reason}");
        assert!(!reason.is_empty(), "{name}: a reason is given");
    }
    others_unharmed(&mut s).await;
}

#[tokio::test]
async fn oversized_messages_are_closed_with_4413() {
    let mut s = setup().await;
    let mut bad = attacker(&s).await;
    bad.send_message(Message::binary(vec![0u8; 17 * 1024 * 1024])).await;
    let (code, reason) = bad.expect_close(WAIT).await;
    assert_eq!(code, 4413, "{reason}");
    let mut big_presence = attacker(&s).await;
    big_presence
        .set_awareness(1, 1, &format!("\"{}\"", "x".repeat(20_000)))
        .await;
    assert_eq!(big_presence.expect_close(WAIT).await.0, 4413);
    others_unharmed(&mut s).await;
}

#[tokio::test]
async fn a_large_document_syncs_in_one_big_first_frame() {
    let s = setup().await;
    let mut writer = attacker(&s).await;
    let chunk = "z".repeat(200_000);
    for i in 0..5u32 {
        writer.insert("body", i * 200_000, &chunk).await; // 200 KB updates: above the 64 KiB default
    }
    let mut late = attacker(&s).await;
    assert!(
        late.wait_until(|c| c.text("body").len() == 1_000_000, WAIT).await,
        "1 MB document synced"
    );
    assert!(writer.is_open());
}

#[tokio::test]
async fn floods_are_closed_with_4429() {
    let mut s = setup().await;
    let mut flooder = attacker(&s).await;
    for i in 0..2_000u64 {
        flooder.set_awareness(77, i + 1, "{}").await;
    }
    let (code, reason) = flooder.expect_close(WAIT).await;
    assert_eq!(code, 4429, "{reason}");
    others_unharmed(&mut s).await;
}

#[tokio::test]
async fn a_slow_consumer_is_closed_and_the_room_keeps_serving_the_others() {
    let mut s = setup().await;
    // The sleeper never reads its socket while writers push ~40 MB through the room (each
    // chunk is deleted again, so the document stays under its size limit).
    let mut sleeper = attacker(&s).await;
    let mut writers = Vec::new();
    for _ in 0..4 {
        writers.push(attacker(&s).await);
    }
    let chunk = "w".repeat(32 * 1024);
    let mut closed = false;
    for round in 0..2_000u32 {
        for w in &mut writers {
            w.insert("bulk", 0, &chunk).await;
            w.delete("bulk", 0, chunk.len() as u32).await;
            w.pump(Duration::from_millis(2)).await; // writers keep reading; only the sleeper does not
        }
        if round % 20 == 19 {
            s.bystander.pump(Duration::from_millis(20)).await;
            if s.server.metric("reelroom_slow_consumers_closed_total").await >= 1.0 {
                closed = true;
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(15)).await; // stay under the per-connection byte rate
    }
    assert!(closed, "the sleeper was closed as a slow consumer");
    let (code, reason) = sleeper.expect_close(Duration::from_secs(30)).await;
    assert_eq!(code, 4408, "{reason}");
    for w in &mut writers {
        w.pump(Duration::from_millis(200)).await;
        assert!(w.is_open(), "writers kept reading and stay connected");
    }
    s.bystander.pump(Duration::from_millis(500)).await;
    others_unharmed(&mut s).await;
}
