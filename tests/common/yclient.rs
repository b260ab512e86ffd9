//! A y-websocket client over tokio-tungstenite with a yrs document: what a stock Yjs client
//! does on the wire (step 1 on open, answers step 1 with step 2, applies updates, awareness).

use std::collections::HashMap;
use std::time::Duration;

use actors::wire::{self, YMessage};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, GetString, ReadTxn, StateVector, Text, Transact, Update};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One simulated collaborator.
pub struct YClient {
    ws: Option<Ws>,
    /// The local replica.
    pub doc: Doc,
    /// Awareness entries seen: client id → JSON state.
    pub awareness: HashMap<u64, String>,
    /// Permission-denied reasons received.
    pub denied: Vec<String>,
    /// Close frame received: (code, reason).
    pub closed: Option<(u16, String)>,
    /// Received the server's step 2.
    pub synced: bool,
    /// Frames received.
    pub frames: usize,
}

/// Opens `/sync/{room}?ticket=…`, optionally with an Origin header. Err = HTTP status.
pub async fn open(ws_url: &str, room: &str, ticket: &str, origin: Option<&str>) -> Result<Ws, u16> {
    let mut request = format!("{ws_url}/sync/{room}?ticket={ticket}")
        .into_client_request()
        .unwrap();
    if let Some(origin) = origin {
        request.headers_mut().insert("origin", origin.parse().unwrap());
    }
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(256 << 20))
        .max_frame_size(Some(256 << 20));
    match tokio_tungstenite::connect_async_with_config(request, Some(config), false).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => Err(res.status().as_u16()),
        Err(err) => panic!("websocket connect failed: {err}"),
    }
}

impl YClient {
    /// Connects with a new empty doc and completes the handshake.
    pub async fn connect(ws_url: &str, room: &str, ticket: &str) -> YClient {
        Self::connect_with_doc(ws_url, room, ticket, Doc::new()).await
    }

    /// Opens the socket without the handshake (for tests of what happens before it).
    pub async fn open_raw(ws_url: &str, room: &str, ticket: &str) -> YClient {
        let ws = open(ws_url, room, ticket, None)
            .await
            .unwrap_or_else(|status| panic!("upgrade refused: {status}"));
        YClient {
            ws: Some(ws),
            doc: Doc::new(),
            awareness: HashMap::new(),
            denied: Vec::new(),
            closed: None,
            synced: false,
            frames: 0,
        }
    }

    /// Connects with an existing replica (its offline edits go up in step 2).
    pub async fn connect_with_doc(ws_url: &str, room: &str, ticket: &str, doc: Doc) -> YClient {
        let ws = open(ws_url, room, ticket, None)
            .await
            .unwrap_or_else(|status| panic!("upgrade refused: {status}"));
        let mut client = YClient {
            ws: Some(ws),
            doc,
            awareness: HashMap::new(),
            denied: Vec::new(),
            closed: None,
            synced: false,
            frames: 0,
        };
        let sv = client.doc.transact().state_vector().encode_v1();
        client.send(wire::encode_sync_step1(&sv)).await;
        assert!(
            client.wait_until(|c| c.synced, Duration::from_secs(10)).await,
            "sync handshake"
        );
        client
    }

    /// Sends a raw binary frame.
    pub async fn send(&mut self, frame: Vec<u8>) {
        if let Some(ws) = &mut self.ws {
            let _ = ws.send(Message::binary(frame)).await;
        }
    }

    /// Sends an arbitrary message (text frames, oversized frames…).
    pub async fn send_message(&mut self, message: Message) {
        if let Some(ws) = &mut self.ws {
            let _ = ws.send(message).await;
        }
    }

    fn handle(&mut self, frame: &[u8]) -> Vec<Vec<u8>> {
        self.frames += 1;
        let mut replies = Vec::new();
        for message in wire::decode_frame(frame).expect("server frames decode") {
            match message {
                YMessage::SyncStep1(sv) => {
                    let sv = StateVector::decode_v1(sv).unwrap();
                    replies.push(wire::encode_sync_step2(
                        &self.doc.transact().encode_state_as_update_v1(&sv),
                    ));
                }
                YMessage::SyncStep2(update) | YMessage::Update(update) => {
                    self.doc
                        .transact_mut()
                        .apply_update(Update::decode_v1(update).unwrap())
                        .unwrap();
                    if matches!(message, YMessage::SyncStep2(_)) {
                        self.synced = true;
                    }
                }
                YMessage::Awareness(update) => {
                    let mut reader = wire::Reader::new(update);
                    for _ in 0..reader.var_uint().unwrap() {
                        let client = reader.var_uint().unwrap();
                        let _clock = reader.var_uint().unwrap();
                        let state = reader.var_string().unwrap();
                        if state == "null" {
                            self.awareness.remove(&client);
                        } else {
                            self.awareness.insert(client, state.to_string());
                        }
                    }
                }
                YMessage::Auth => {
                    // [2, 0, reason]
                    let mut reader = wire::Reader::new(frame);
                    let _ = reader.var_uint();
                    let _ = reader.var_uint();
                    self.denied.push(reader.var_string().unwrap_or_default().to_string());
                }
                YMessage::QueryAwareness => {}
            }
        }
        replies
    }

    /// Reads frames until `cond` holds or `timeout` passes; false on timeout or close.
    pub async fn wait_until(&mut self, cond: impl Fn(&YClient) -> bool, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if cond(self) {
                return true;
            }
            let Some(ws) = &mut self.ws else { return false };
            let next = tokio::time::timeout_at(deadline, ws.next()).await;
            match next {
                Err(_) => return cond(self),
                Ok(Some(Ok(Message::Binary(bytes)))) => {
                    for reply in self.handle(&bytes) {
                        self.send(reply).await;
                    }
                }
                Ok(Some(Ok(Message::Close(frame)))) => {
                    self.closed =
                        Some(frame.map_or((1005, String::new()), |f| (u16::from(f.code), f.reason.to_string())));
                    self.ws = None;
                    return cond(self);
                }
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(_)) | None) => {
                    self.closed.get_or_insert((1006, String::new()));
                    self.ws = None;
                    return cond(self);
                }
            }
        }
    }

    /// Reads whatever arrives for `duration`.
    pub async fn pump(&mut self, duration: Duration) {
        self.wait_until(|_| false, duration).await;
    }

    /// Waits for the server to close the socket; returns (code, reason).
    pub async fn expect_close(&mut self, timeout: Duration) -> (u16, String) {
        assert!(
            self.wait_until(|c| c.closed.is_some(), timeout).await,
            "expected the server to close the socket"
        );
        self.closed.clone().unwrap()
    }

    /// Text of root `Y.Text` `name`.
    pub fn text(&self, name: &str) -> String {
        let txn = self.doc.transact();
        txn.get_text(name).map(|t| t.get_string(&txn)).unwrap_or_default()
    }

    /// Edits locally (insert at `index`, ASCII) and sends the update, as a stock client does.
    pub async fn insert(&mut self, name: &str, index: u32, chunk: &str) {
        let update = local_edit(&self.doc, |txn, text| text.insert(txn, index, chunk), name);
        self.send(wire::encode_update(&update)).await;
    }

    /// Deletes locally and sends the update.
    pub async fn delete(&mut self, name: &str, index: u32, len: u32) {
        let update = local_edit(&self.doc, |txn, text| text.remove_range(txn, index, len), name);
        self.send(wire::encode_update(&update)).await;
    }

    /// Publishes an awareness state for `client` at `clock`.
    pub async fn set_awareness(&mut self, client: u64, clock: u64, json: &str) {
        let mut update = Vec::new();
        wire::write_var_uint(&mut update, 1);
        wire::write_var_uint(&mut update, client);
        wire::write_var_uint(&mut update, clock);
        wire::write_var_bytes(&mut update, json.as_bytes());
        self.send(wire::encode_awareness(&update)).await;
    }

    /// Closes the socket cleanly.
    pub async fn disconnect(&mut self) {
        if let Some(mut ws) = self.ws.take() {
            let _ = ws
                .close(Some(tokio_tungstenite::tungstenite::protocol::CloseFrame {
                    code: CloseCode::Normal,
                    reason: "bye".into(),
                }))
                .await;
        }
    }

    /// Whether the socket is still open (as far as we know).
    pub fn is_open(&self) -> bool {
        self.ws.is_some()
    }

    /// Takes the replica (e.g. to keep editing offline).
    pub fn into_doc(self) -> Doc {
        self.doc
    }
}

/// Applies an edit to `doc` and returns the v1 update it produced.
pub fn local_edit(doc: &Doc, edit: impl FnOnce(&mut yrs::TransactionMut, &yrs::TextRef), name: &str) -> Vec<u8> {
    let text = doc.get_or_insert_text(name);
    let before = doc.transact().state_vector();
    {
        let mut txn = doc.transact_mut();
        edit(&mut txn, &text);
    }
    doc.transact().encode_state_as_update_v1(&before)
}
