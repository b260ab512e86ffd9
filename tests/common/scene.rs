//! A room with a one-shot script and helpers for its control sockets (JSON messages), shared
//! by the generation and live-preview tests.

use std::time::Duration;

use actors::wire;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;
use yrs::{Any, Array, Map, MapPrelim, Transact};

use super::{Api, TestDb, TestServer, YClient};

pub const WAIT: Duration = Duration::from_secs(60);

pub type Control = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct Room {
    pub server: TestServer,
    pub _db: TestDb,
    pub owner: Api,
    pub editor: Api,
    pub viewer: Api,
    pub id: String,
    pub script: YClient,
}

/// A room whose script has one shot (`duration_s` seconds) and `steps` steps per chunk.
pub async fn room_with_shot(prompt: &str, duration_s: f64, steps: f64) -> Room {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let owner = Api::signup(&server.url, "owner").await;
    let editor = Api::signup(&server.url, "editor").await;
    let viewer = Api::signup(&server.url, "viewer").await;
    let id = owner.create_room("scene").await;
    owner.set_member(&id, "editor", "editor").await;
    owner.set_member(&id, "viewer", "viewer").await;
    let mut script = YClient::connect(&server.ws_url(), &id, &owner.ticket(&id).await).await;
    let update = {
        let shots = script.doc.get_or_insert_array("shots");
        let settings = script.doc.get_or_insert_map("settings");
        let mut txn = script.doc.transact_mut();
        shots.push_back(
            &mut txn,
            MapPrelim::from([
                ("id", Any::from("s1")),
                ("prompt", Any::from(prompt)),
                ("duration_s", Any::from(duration_s)),
                ("seed", Any::from(1.0)),
            ]),
        );
        settings.insert(&mut txn, "steps", Any::from(steps));
        txn.encode_update_v1()
    };
    script.send(wire::encode_update(&update)).await;
    script.pump(Duration::from_millis(300)).await;
    Room {
        server,
        _db: db,
        owner,
        editor,
        viewer,
        id,
        script,
    }
}

pub async fn control(r: &Room, who: &Api) -> Control {
    let ticket = who.ticket(&r.id).await;
    let url = format!("{}/control/{}?ticket={ticket}&v=1", r.server.ws_url(), r.id);
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

pub async fn send(c: &mut Control, v: Value) {
    c.send(Message::text(v.to_string())).await.unwrap();
}

/// The next JSON message whose type is one of `kinds`.
pub async fn next_of(c: &mut Control, kinds: &[&str]) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let message = tokio::time::timeout_at(deadline, c.next())
            .await
            .expect("timed out")
            .expect("socket ended")
            .unwrap();
        let Message::Text(text) = message else { continue };
        let v: Value = serde_json::from_str(&text).unwrap();
        if kinds.contains(&v["type"].as_str().unwrap_or("")) {
            return v;
        }
    }
}

/// Sets the first shot's prompt (as an editor typing would) and lets it reach the room.
pub async fn set_first_prompt(r: &mut Room, prompt: &str) {
    let update = {
        let shots = r.script.doc.get_or_insert_array("shots");
        let mut txn = r.script.doc.transact_mut();
        let Some(yrs::Out::YMap(shot)) = shots.get(&txn, 0) else {
            panic!("shot map")
        };
        shot.insert(&mut txn, "prompt", Any::from(prompt));
        txn.encode_update_v1()
    };
    r.script.send(wire::encode_update(&update)).await;
}

/// Sets one of the script's settings.
pub async fn set_setting(r: &mut Room, key: &str, value: Any) {
    let update = {
        let settings = r.script.doc.get_or_insert_map("settings");
        let mut txn = r.script.doc.transact_mut();
        settings.insert(&mut txn, key, value);
        txn.encode_update_v1()
    };
    r.script.send(wire::encode_update(&update)).await;
    r.script.pump(Duration::from_millis(300)).await;
}

/// A WHEP offer (`POST /whep/{room}` at `url`) with a bearer ticket.
pub async fn whep(url: &str, ticket: &str, content_type: &str, body: String) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .header("Authorization", format!("Bearer {ticket}"))
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}
