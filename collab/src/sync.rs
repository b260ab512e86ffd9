//! The room's document logic, as plain Rust: the `yrs::Doc`, the awareness table, and what
//! to do with each incoming y-websocket frame. `RoomActor` drives it; tests drive it
//! directly without a runtime.
//!
//! Durability rule: a document update is *validated* here when it arrives, but applied to
//! the doc (and broadcast) only after the store committed it — see [`RoomSync::apply_committed`].

use std::collections::HashMap;
use std::time::Instant;

use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, Options, ReadTxn, StateVector, Transact, Update};

use crate::awareness::{AwarenessError, AwarenessTable};
use crate::wire::{self, WireError, YMessage};
use crate::yscan::{self, ScanError};
use crate::SessionId;
use protocol::Role;

/// Largest document a room may hold (its encoded state, bounded from above by the stored
/// snapshot plus every update accepted since). A script is a few KiB; this leaves room for a
/// long editing history and refuses a room used as a dump (4413).
pub const MAX_DOCUMENT_BYTES: usize = 8 * 1024 * 1024;
/// Shared types (arrays, maps, texts) a document may hold. yrs deletes and serializes nested
/// types recursively (so does Yjs in the browser), and nesting needs one type per level, so
/// this bounds the recursion any document can cause: a script uses a few per shot.
pub const MAX_SHARED_TYPES: u64 = 4096;
/// The only update a viewer may send: the empty one every client answers step 1 with.
pub const EMPTY_UPDATE_V1: [u8; 2] = [0, 0];

/// What the room must do after handling a frame.
#[derive(Debug, PartialEq, Eq)]
pub enum Effect {
    /// Send these bytes to the sender only.
    Reply(Vec<u8>),
    /// Send to every session of the room, sender included (awareness).
    BroadcastAll(Vec<u8>),
    /// Persist this v1 update; once committed, apply it and send it to the others.
    Persist(Vec<u8>),
}

/// Why a frame was refused. The session is closed with a matching close code.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SyncError {
    /// Bad framing.
    #[error("{0}")]
    Wire(#[from] WireError),
    /// A document update that does not decode.
    #[error("malformed document update")]
    BadUpdate,
    /// A document update outside the accepted shape (too deep, counts past its length, …).
    #[error("document update refused: {0}")]
    UpdateRefused(#[source] ScanError),
    /// A state vector that does not decode.
    #[error("malformed state vector")]
    BadStateVector,
    /// The update would take the document past [`MAX_DOCUMENT_BYTES`].
    #[error("the document is full ({MAX_DOCUMENT_BYTES} bytes)")]
    DocumentFull,
    /// The update builds on changes the room does not have (it would stay pending in yrs, whose
    /// encoder panics on some pending states).
    #[error("the update builds on changes this room does not have; reload the room")]
    MissingDependencies,
    /// The update would take the document past [`MAX_SHARED_TYPES`].
    #[error("the document has too many nested objects ({MAX_SHARED_TYPES})")]
    TooManyTypes,
    /// Bad awareness update.
    #[error("{0}")]
    Awareness(#[from] AwarenessError),
}

/// Reason sent (as an auth permission-denied message) when a viewer tries to write.
pub const VIEWER_WRITE_DENIED: &str = "read-only: viewers cannot edit this room";

/// Who sent a frame, as the room knows them.
#[derive(Debug, Clone, Copy)]
pub struct Peer<'a> {
    /// The connection.
    pub session: SessionId,
    /// Their role now (re-read on every frame: a demotion applies to the next message).
    pub role: Role,
    /// Their account name: presence shows this, whatever the client claims.
    pub username: &'a str,
}

/// What loading found in storage that it could not use.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoadReport {
    /// The snapshot did not decode or apply.
    pub snapshot_failed: bool,
    /// Indices (into the update list) of updates that did not decode or apply; the room
    /// quarantines them so they are not replayed again.
    pub skipped: Vec<usize>,
}

/// The document and presence of one room.
#[derive(Debug)]
pub struct RoomSync {
    doc: Doc,
    awareness: AwarenessTable,
    /// Upper bound of the document's encoded size: stored bytes plus applied updates.
    doc_bytes: usize,
    /// Upper bound of the document's shared types: counted at load plus applied updates'.
    types: u64,
    /// Accepted updates waiting for the store (they count against both limits until they
    /// are applied or their commit fails).
    in_flight_bytes: usize,
    in_flight_types: u64,
    /// Per client, the clock after its accepted updates still in flight: the next update of
    /// a fast typist builds on these before the document has them.
    in_flight_clocks: HashMap<u64, u64>,
}

impl Default for RoomSync {
    fn default() -> Self {
        Self::new()
    }
}

impl RoomSync {
    /// An empty room. Offsets are UTF-16 like Yjs in the browser, so any server-side text
    /// index agrees with clients on non-ASCII text.
    pub fn new() -> Self {
        let options = Options {
            offset_kind: yrs::OffsetKind::Utf16,
            ..Options::default()
        };
        RoomSync {
            doc: Doc::with_options(options),
            awareness: AwarenessTable::default(),
            doc_bytes: 0,
            types: 0,
            in_flight_bytes: 0,
            in_flight_types: 0,
            in_flight_clocks: HashMap::new(),
        }
    }

    /// Loads stored state: a v2 snapshot (if any) then v1 updates in commit order.
    /// Updates that do not scan, decode or apply (or panic inside yrs) are skipped and
    /// reported rather than failing the room: one bad row must not keep a room from loading.
    pub fn load(snapshot_v2: Option<&[u8]>, updates_v1: &[Vec<u8>]) -> (Self, LoadReport) {
        let mut room = RoomSync::new();
        let mut report = LoadReport::default();
        if let Some(bytes) = snapshot_v2 {
            // Our own encoding (v2 has no cheap pre-scan); still guarded against panics.
            let applied = decode_update(bytes, Update::decode_v2).is_some_and(|u| room.apply(u));
            report.snapshot_failed = !applied;
            room.doc_bytes += bytes.len();
        }
        // One transaction per update: yrs integrates a long run of updates inside a single
        // transaction much more slowly (measured: 6.3 s vs 0.19 s for 100k keystrokes, `cargo bench --bench room_load`).
        for (index, bytes) in updates_v1.iter().enumerate() {
            let applied = yscan::scan_update_v1(bytes).is_ok()
                && decode_update(bytes, Update::decode_v1).is_some_and(|u| room.apply(u));
            if applied {
                room.doc_bytes += bytes.len();
            } else {
                report.skipped.push(index);
            }
        }
        room.types = room.count_types();
        (room, report)
    }

    /// Applies a decoded update in its own transaction; a panic inside yrs is caught and
    /// reported as a refusal (the transaction is dropped, as yrs does on any early return).
    fn apply(&mut self, update: Update) -> bool {
        let doc = &self.doc;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            doc.transact_mut().apply_update(update).is_ok()
        }))
        .unwrap_or(false)
    }

    /// The doc, read-only, for reading the script.
    pub fn doc(&self) -> &Doc {
        &self.doc
    }

    /// Messages a new sync session gets first: our step 1 (so its offline edits come up)
    /// and the current presence.
    pub fn greeting(&self) -> Vec<Vec<u8>> {
        let sv = self.doc.transact().state_vector().encode_v1();
        let mut out = vec![wire::encode_sync_step1(&sv)];
        if let Some(state) = self.awareness.full_state() {
            out.push(wire::encode_awareness(&state));
        }
        out
    }

    /// Handles one binary frame from `peer`. At most one reply per kind of request, however
    /// many messages the frame holds, so no frame is answered with more than it costs to send
    /// plus one copy of the document and one of the presence table.
    pub fn handle_frame(&mut self, peer: Peer<'_>, frame: &[u8], now: Instant) -> Result<Vec<Effect>, SyncError> {
        let messages = wire::decode_frame(frame)?;
        let mut effects = Vec::new();
        let (mut answered_step1, mut answered_query, mut denied) = (false, false, false);
        let (mut accepted_bytes, mut accepted_types) = (0, 0);
        for message in messages {
            match message {
                YMessage::SyncStep1(sv) => {
                    yscan::scan_state_vector_v1(sv).map_err(|_| SyncError::BadStateVector)?;
                    let sv = decode_state_vector(sv).ok_or(SyncError::BadStateVector)?;
                    if !std::mem::replace(&mut answered_step1, true) {
                        let diff = self.doc.transact().encode_state_as_update_v1(&sv);
                        effects.push(Effect::Reply(wire::encode_sync_step2(&diff)));
                    }
                }
                YMessage::SyncStep2(update) | YMessage::Update(update) => {
                    if update == EMPTY_UPDATE_V1 {
                        continue; // the empty step 2 every client sends on connect
                    }
                    if !peer.role.can_write() {
                        // Never decoded: a viewer's bytes do not reach yrs at all.
                        if !std::mem::replace(&mut denied, true) {
                            effects.push(Effect::Reply(wire::encode_permission_denied(VIEWER_WRITE_DENIED)));
                        }
                        continue;
                    }
                    let shape = yscan::scan_update_v1(update).map_err(SyncError::UpdateRefused)?;
                    decode_update(update, Update::decode_v1).ok_or(SyncError::BadUpdate)?;
                    if shape.is_empty() {
                        continue;
                    }
                    if !self.builds_on_known(&shape) {
                        return Err(SyncError::MissingDependencies);
                    }
                    accepted_bytes += update.len();
                    accepted_types += shape.types;
                    let bytes = self.in_flight_bytes + accepted_bytes;
                    if self.doc_bytes + bytes > MAX_DOCUMENT_BYTES && !self.measure_fits(bytes) {
                        return Err(SyncError::DocumentFull);
                    }
                    let types = self.in_flight_types + accepted_types;
                    if self.types + types > MAX_SHARED_TYPES && !self.types_fit(types) {
                        return Err(SyncError::TooManyTypes);
                    }
                    for (&client, &(_, end)) in &shape.ranges {
                        let known = self.in_flight_clocks.entry(client).or_default();
                        *known = (*known).max(end);
                    }
                    effects.push(Effect::Persist(update.to_vec()));
                }
                YMessage::Awareness(update) => {
                    if let Some(changed) = self.awareness.apply(peer.session, peer.username, update, now)? {
                        effects.push(Effect::BroadcastAll(wire::encode_awareness(&changed)));
                    }
                }
                YMessage::QueryAwareness => {
                    if std::mem::replace(&mut answered_query, true) {
                        continue;
                    }
                    if let Some(state) = self.awareness.full_state() {
                        effects.push(Effect::Reply(wire::encode_awareness(&state)));
                    }
                }
                YMessage::Auth => {}
            }
        }
        self.in_flight_bytes += accepted_bytes;
        self.in_flight_types += accepted_types;
        Ok(effects)
    }

    /// Whether the document plus the updates in flight hold everything `shape` builds on.
    fn builds_on_known(&self, shape: &yscan::UpdateShape) -> bool {
        let sv = self.doc.transact().state_vector();
        shape.integrates_after(|client| {
            let applied = u64::from(sv.get(&yrs::block::ClientID::new(client)));
            applied.max(self.in_flight_clocks.get(&client).copied().unwrap_or(0))
        })
    }

    /// An accepted update's commit failed: it no longer counts against the limits, and later
    /// updates may not build on it (its writer is closed and resends after reconnecting).
    pub fn persist_failed(&mut self, update_v1: &[u8]) {
        let shape = yscan::scan_update_v1(update_v1).ok();
        self.leave_flight(update_v1.len(), shape.as_ref());
        for client in shape.iter().flat_map(|shape| shape.ranges.keys()) {
            self.in_flight_clocks.remove(client);
        }
    }

    /// An accepted update (`bytes` long, of `shape` when it scans) is no longer in flight.
    fn leave_flight(&mut self, bytes: usize, shape: Option<&yscan::UpdateShape>) {
        let types = shape.map_or(0, |shape| shape.types);
        self.in_flight_bytes = self.in_flight_bytes.saturating_sub(bytes);
        self.in_flight_types = self.in_flight_types.saturating_sub(types);
        if self.in_flight_bytes == 0 {
            self.in_flight_clocks.clear(); // all applied: the document's clocks say it all
        }
    }

    /// Shared types in the document now (deleted ones that were collected do not count).
    fn count_types(&self) -> u64 {
        yscan::scan_update_v1(&self.state_v1()).map_or(0, |shape| shape.types)
    }

    /// The type bound says full: count the document's real types once and keep the count.
    fn types_fit(&mut self, extra: u64) -> bool {
        self.types = self.count_types();
        self.types + extra <= MAX_SHARED_TYPES
    }

    /// The size bound says full: measure the real state once (updates that overwrote or
    /// deleted text take less than their bytes) and keep the measured size.
    fn measure_fits(&mut self, extra: usize) -> bool {
        self.doc_bytes = self.state_v1().len();
        self.doc_bytes + extra <= MAX_DOCUMENT_BYTES
    }

    /// Applies an update the store has committed; false if yrs refused it (or panicked).
    /// Committed updates passed the scan on arrival; a refusal here is a yrs defect, and the
    /// next load skips the row and quarantines it.
    pub fn apply_committed(&mut self, update_v1: &[u8]) -> bool {
        let shape = yscan::scan_update_v1(update_v1).ok();
        self.leave_flight(update_v1.len(), shape.as_ref());
        let Some(shape) = shape else {
            return false;
        };
        let applied = decode_update(update_v1, Update::decode_v1).is_some_and(|u| self.apply(u));
        if applied {
            self.doc_bytes += update_v1.len();
            self.types += shape.types;
        }
        applied
    }

    /// A session left: the awareness removal to broadcast, if it had presence.
    pub fn session_left(&mut self, session: SessionId) -> Option<Vec<u8>> {
        self.awareness
            .remove_session(session)
            .map(|u| wire::encode_awareness(&u))
    }

    /// Presence entries that timed out, as a removal to broadcast.
    pub fn expire_awareness(&mut self, now: Instant) -> Option<Vec<u8>> {
        self.awareness.expire(now).map(|u| wire::encode_awareness(&u))
    }

    /// The whole document as a v2 update (the compacted snapshot format).
    /// `None` if yrs panicked encoding it (a pending state stored before clients' updates were
    /// checked for missing dependencies): the room then keeps its log instead of compacting.
    pub fn snapshot_v2(&self) -> Option<Vec<u8>> {
        let doc = &self.doc;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            doc.transact().encode_state_as_update_v2(&StateVector::default())
        }))
        .ok()
    }

    /// The whole document as a v1 update (what clients speak).
    pub fn state_v1(&self) -> Vec<u8> {
        self.doc.transact().encode_state_as_update_v1(&StateVector::default())
    }

    /// The script's title (`title` Y.Text), trimmed.
    pub fn title(&self) -> String {
        use yrs::GetString;
        let txn = self.doc.transact();
        txn.get_text("title")
            .map(|t| t.get_string(&txn).trim().to_string())
            .unwrap_or_default()
    }

    /// Number of live presence entries.
    pub fn presence_count(&self) -> usize {
        self.awareness.live_count()
    }
}

/// Decodes an update, treating a panic inside yrs on hostile bytes as malformed input.
/// Only called on bytes that passed [`yscan`] (or on our own snapshots), so yrs's recursion
/// is bounded by [`yscan::MAX_VALUE_DEPTH`]: a stack overflow cannot be caught.
fn decode_update(bytes: &[u8], decode: fn(&[u8]) -> Result<Update, yrs::encoding::read::Error>) -> Option<Update> {
    std::panic::catch_unwind(|| decode(bytes)).ok()?.ok()
}

/// Decodes a state vector that passed the scan, panics counted as malformed.
fn decode_state_vector(bytes: &[u8]) -> Option<StateVector> {
    std::panic::catch_unwind(|| StateVector::decode_v1(bytes)).ok()?.ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{GetString, Text};

    fn edit(doc: &Doc, at: u32, chunk: &str) -> Vec<u8> {
        let text = doc.get_or_insert_text("title");
        let before = doc.transact().state_vector();
        text.insert(&mut doc.transact_mut(), at, chunk);
        doc.transact().encode_state_as_update_v1(&before)
    }

    fn title(room: &RoomSync) -> String {
        let txn = room.doc().transact();
        txn.get_text("title").map(|t| t.get_string(&txn)).unwrap_or_default()
    }

    fn now() -> Instant {
        Instant::now()
    }

    fn peer(session: SessionId, role: Role) -> Peer<'static> {
        Peer {
            session,
            role,
            username: "ann",
        }
    }

    #[test]
    fn greeting_starts_with_our_step1() {
        let room = RoomSync::new();
        assert_eq!(room.greeting(), vec![wire::encode_sync_step1(&[0])]);
    }

    #[test]
    fn an_editor_update_is_persisted_before_it_is_applied() {
        let mut room = RoomSync::new();
        let client = Doc::new();
        let update = edit(&client, 0, "hi");
        let effects = room
            .handle_frame(peer(1, Role::Editor), &wire::encode_update(&update), now())
            .expect("valid");
        assert_eq!(effects, vec![Effect::Persist(update.clone())]);
        assert_eq!(title(&room), "", "not applied until committed");
        assert!(room.apply_committed(&update));
        assert_eq!(title(&room), "hi");
    }

    #[test]
    fn step1_is_answered_with_the_missing_state() {
        let (mut room, _) = RoomSync::load(None, &[edit(&Doc::new(), 0, "stored")]);
        let effects = room
            .handle_frame(peer(1, Role::Viewer), &wire::encode_sync_step1(&[0]), now())
            .expect("valid");
        let [Effect::Reply(reply)] = effects.as_slice() else {
            panic!("one reply expected: {effects:?}")
        };
        let Ok(messages) = wire::decode_frame(reply) else {
            panic!("reply decodes")
        };
        let [YMessage::SyncStep2(update)] = messages.as_slice() else {
            panic!("step 2 expected")
        };
        let client = Doc::new();
        client
            .transact_mut()
            .apply_update(Update::decode_v1(update).expect("update"))
            .expect("applies");
        assert_eq!(
            client.get_or_insert_text("title").get_string(&client.transact()),
            "stored"
        );
    }

    #[test]
    fn a_viewer_is_denied_and_nothing_is_persisted_but_its_empty_step2_is_fine() {
        let mut room = RoomSync::new();
        let update = edit(&Doc::new(), 0, "no");
        let effects = room
            .handle_frame(peer(1, Role::Viewer), &wire::encode_update(&update), now())
            .expect("valid");
        assert_eq!(
            effects,
            vec![Effect::Reply(wire::encode_permission_denied(VIEWER_WRITE_DENIED))]
        );
        let empty = Doc::new().transact().encode_state_as_update_v1(&StateVector::default());
        let effects = room
            .handle_frame(peer(1, Role::Viewer), &wire::encode_sync_step2(&empty), now())
            .expect("valid");
        assert!(effects.is_empty());
    }

    #[test]
    fn malformed_updates_and_state_vectors_are_errors() {
        let mut room = RoomSync::new();
        let bad_update = wire::encode_update(&[0xff, 0xff, 0xff, 0x01]);
        assert!(matches!(
            room.handle_frame(peer(1, Role::Owner), &bad_update, now()),
            Err(SyncError::UpdateRefused(_))
        ));
        let bad_sv = wire::encode_sync_step1(&[9, 0xff]);
        assert_eq!(
            room.handle_frame(peer(1, Role::Owner), &bad_sv, now()),
            Err(SyncError::BadStateVector)
        );
        assert!(room.handle_frame(peer(1, Role::Owner), &[77], now()).is_err());
    }

    #[test]
    fn presence_is_broadcast_to_all_and_removed_when_the_session_leaves() {
        let mut room = RoomSync::new();
        let mut update = Vec::new();
        wire::write_var_uint(&mut update, 1);
        wire::write_var_uint(&mut update, 42);
        wire::write_var_uint(&mut update, 1);
        wire::write_var_bytes(&mut update, br#"{"user":{"name":"ann"}}"#);
        let effects = room
            .handle_frame(peer(7, Role::Viewer), &wire::encode_awareness(&update), now())
            .expect("valid");
        assert_eq!(effects, vec![Effect::BroadcastAll(wire::encode_awareness(&update))]);
        assert_eq!(room.presence_count(), 1);
        assert_eq!(room.greeting().len(), 2, "newcomers get presence too");
        assert!(room.session_left(7).is_some());
        assert_eq!(room.presence_count(), 0);
    }

    #[test]
    fn a_snapshot_reloads_to_the_same_document() {
        let client = Doc::new();
        let updates = vec![edit(&client, 0, "abc"), edit(&client, 3, "def")];
        let (room, report) = RoomSync::load(None, &updates);
        assert_eq!(report, LoadReport::default());
        let (reloaded, _) = RoomSync::load(room.snapshot_v2().as_deref(), &[]);
        assert_eq!(title(&reloaded), "abcdef");
        let (_, report) = RoomSync::load(None, &[updates[0].clone(), vec![0xff, 0x00, 0x13]]);
        assert_eq!(report.skipped, vec![1], "garbage in storage is skipped, not fatal");
        let (_, report) = RoomSync::load(Some(&[0xff, 0x13]), &[]);
        assert!(report.snapshot_failed);
    }

    #[test]
    fn a_deeply_nested_update_is_refused_before_yrs_and_a_viewer_is_never_decoded() {
        let mut room = RoomSync::new();
        let deep = wire::encode_update(&crate::yscan::tests::nested_any_update(10_000));
        assert!(matches!(
            room.handle_frame(peer(1, Role::Editor), &deep, now()),
            Err(SyncError::UpdateRefused(crate::yscan::ScanError::TooDeep))
        ));
        // A viewer gets the read-only answer whatever the bytes are, even undecodable ones.
        for bytes in [deep, wire::encode_update(&[0xff, 0xff, 0xff, 0x01])] {
            let effects = room
                .handle_frame(peer(2, Role::Viewer), &bytes, now())
                .expect("answered");
            assert_eq!(
                effects,
                vec![Effect::Reply(wire::encode_permission_denied(VIEWER_WRITE_DENIED))]
            );
        }
    }

    #[test]
    fn one_frame_gets_one_answer_per_request_kind() {
        let (mut room, _) = RoomSync::load(None, &[edit(&Doc::new(), 0, "stored")]);
        let mut update = Vec::new();
        wire::write_var_uint(&mut update, 1);
        wire::write_var_uint(&mut update, 42);
        wire::write_var_uint(&mut update, 1);
        wire::write_var_bytes(&mut update, br#"{"user":{"name":"ann"}}"#);
        room.handle_frame(peer(7, Role::Viewer), &wire::encode_awareness(&update), now())
            .expect("presence");
        let mut frame = Vec::new();
        for _ in 0..wire::MAX_MESSAGES_PER_FRAME / 2 {
            frame.extend(wire::encode_sync_step1(&[0]));
            frame.extend(wire::encode_query_awareness());
        }
        let effects = room.handle_frame(peer(1, Role::Viewer), &frame, now()).expect("valid");
        assert_eq!(
            effects.len(),
            2,
            "one step 2 and one presence copy, not {}",
            effects.len()
        );
        // The audit's 8-byte step 1 declaring 2^28 entries.
        let mut sv = Vec::new();
        wire::write_var_uint(&mut sv, 1 << 28);
        sv.extend([1, 1]);
        assert_eq!(
            room.handle_frame(peer(1, Role::Viewer), &wire::encode_sync_step1(&sv), now()),
            Err(SyncError::BadStateVector)
        );
    }

    #[test]
    fn nesting_shared_types_is_bounded_and_the_deepest_allowed_document_deletes_safely() {
        use yrs::{Array, ArrayPrelim, ArrayRef};
        // Runs on a thread with a quarter of a room thread's stack (16 MiB): the margin.
        let worker = std::thread::Builder::new()
            .stack_size(4 * 1024 * 1024)
            .spawn(|| {
                let client = Doc::new();
                let mut room = RoomSync::new();
                let root = client.get_or_insert_array("shots");
                let mut parent: ArrayRef = root;
                let mut refused_at = None;
                for level in 0..=MAX_SHARED_TYPES {
                    let before = client.transact().state_vector();
                    let child = parent.push_back(&mut client.transact_mut(), ArrayPrelim::default());
                    let update = client.transact().encode_state_as_update_v1(&before);
                    match room.handle_frame(peer(1, Role::Editor), &wire::encode_update(&update), now()) {
                        Ok(effects) => {
                            for effect in effects {
                                let Effect::Persist(update) = effect else { continue };
                                assert!(room.apply_committed(&update));
                            }
                        }
                        Err(err) => {
                            assert_eq!(err, SyncError::TooManyTypes);
                            refused_at = Some(level);
                            break;
                        }
                    }
                    parent = child;
                }
                assert_eq!(
                    refused_at,
                    Some(MAX_SHARED_TYPES),
                    "root types are not items: only nested ones count"
                );
                // Deleting the outermost array deletes every level recursively inside yrs. (From
                // a replica of what the room holds: the author's doc has the refused level too.)
                let replica = Doc::new();
                let state = Update::decode_v1(&room.state_v1()).expect("state");
                replica.transact_mut().apply_update(state).expect("applies");
                let before = replica.transact().state_vector();
                replica
                    .get_or_insert_array("shots")
                    .remove(&mut replica.transact_mut(), 0);
                let update = replica.transact().encode_state_as_update_v1(&before);
                let effects = room
                    .handle_frame(peer(1, Role::Editor), &wire::encode_update(&update), now())
                    .expect("a delete is accepted");
                for effect in effects {
                    let Effect::Persist(update) = effect else { continue };
                    assert!(room.apply_committed(&update));
                }
                room.state_v1().len()
            })
            .expect("thread");
        assert!(worker.join().expect("no overflow, no panic") > 0);
    }

    #[test]
    fn fuzz_finding_an_update_with_a_gap_is_refused_and_snapshots_still_encode() {
        // fuzz/artifacts/sync_frame/crash-79c67d1d…: a GC run at clock 1 (nothing at 0) and
        // an empty delete range. Accepted, it stayed pending in yrs and the next snapshot
        // panicked inside yrs (`merge_pending_v2` unwraps), killing the room's thread.
        let frame = [0, 2, 16, 1, 1, 1, 1, 0, 16, 3, 255, 16, 1, 0, 0, 0, 0, 0, 0];
        let (mut room, _) = RoomSync::load(None, &[edit(&Doc::new(), 0, "stored")]);
        assert!(room.handle_frame(peer(1, Role::Editor), &frame, now()).is_err());
        let gap_only = [1, 1, 1, 1, 0, 16, 0];
        assert_eq!(
            room.handle_frame(peer(1, Role::Editor), &wire::encode_update(&gap_only), now()),
            Err(SyncError::MissingDependencies)
        );
        assert!(room.snapshot_v2().is_some());
        // fuzz/corpus/update_scan/regression-gc-gap: structs starting at clock 68 of a client
        // the room has never seen; yrs overflowed a subtraction integrating it.
        let gc_gap = [
            4, 1, 1, 68, 3, 1, 0, 1, 1, 1, 1, 1, 0, 117, 1, 1, 0, 1, 1, 1, 3, 1, 0, 1, 1, 1, 1, 1, 0, 1,
        ];
        let refused = room.handle_frame(peer(1, Role::Editor), &wire::encode_update(&gc_gap), now());
        assert!(refused.is_err(), "{refused:?}");
        // fuzz/corpus/sync_frame/regression-self-parent: an item whose parent is itself (yrs
        // kept it pending; the next snapshot panicked).
        let frame = [
            0, 2, 33, 1, 2, 73, 0, 7, 1, 5, b's', b'h', b'o', b't', b's', 0, 35, 0, 73, 1, 6, b'p', b'r', b'o', b'm',
            b'p', b't', 7, b'u', b'n', b' ', b'c', b'h', b'a', b't', 0,
        ];
        assert_eq!(
            room.handle_frame(peer(1, Role::Editor), &frame, now()),
            Err(SyncError::MissingDependencies)
        );
        assert!(room.snapshot_v2().is_some());
    }

    #[test]
    fn a_fast_typist_builds_on_updates_still_in_flight() {
        let mut room = RoomSync::new();
        let client = Doc::new();
        let first = edit(&client, 0, "ab");
        let second = edit(&client, 2, "cd");
        for update in [&first, &second] {
            let effects = room
                .handle_frame(peer(1, Role::Editor), &wire::encode_update(update), now())
                .expect("accepted before the first is committed");
            assert_eq!(effects.len(), 1);
        }
        assert!(room.apply_committed(&first) && room.apply_committed(&second));
        assert_eq!(title(&room), "abcd");
    }

    #[test]
    fn the_document_has_a_size_limit() {
        let mut room = RoomSync::new();
        let client = Doc::new();
        let chunk = "x".repeat(1024 * 1024);
        let mut accepted = 0;
        for i in 0..MAX_DOCUMENT_BYTES / chunk.len() + 1 {
            let update = edit(&client, (i * chunk.len()) as u32, &chunk);
            match room.handle_frame(peer(1, Role::Editor), &wire::encode_update(&update), now()) {
                Ok(effects) => {
                    for effect in effects {
                        let Effect::Persist(update) = effect else { continue };
                        assert!(room.apply_committed(&update));
                    }
                    accepted += 1;
                }
                Err(err) => {
                    assert_eq!(err, SyncError::DocumentFull);
                    break;
                }
            }
        }
        assert_eq!(
            accepted,
            MAX_DOCUMENT_BYTES / chunk.len() - 1,
            "the limit holds within one chunk"
        );
    }
}
