//! `RoomActor`: the one owner of a room's document and presence while the room is loaded.
//!
//! Talks to: session socket tasks (Join / Incoming / Leave, answered through each session's
//! bounded outbound queue), the `RoomStore` (load, append, compact), and the
//! `RoomRegistry` (which starts it, forwards membership changes, and forgets it when idle).
//! The document logic itself lives in [`RoomSync`]; this module is scheduling and fan-out;
//! `messages` holds what it is sent, `handlers` the adapters.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use bytes::Bytes;
use protocol::{CloseCode, MemberOnline, ServerMessage};
use tokio::sync::mpsc::error::TrySendError;
use tracing::{info, warn};
use uuid::Uuid;

use crate::metrics::Metrics;
use crate::registry::{RoomIdle, RoomRegistry};
use crate::session::{CloseReason, Outbound, SessionHandle, SessionId, SessionKind};
use crate::store::{RoomStore, StoredRoom};
use crate::sync::RoomSync;

pub mod casting;
mod generation;
mod handlers;
mod live;
mod messages;

pub use generation::{plan, CancelGeneration, GenerationError, StartGeneration, LIVE_DEBOUNCE};
pub use live::{IsOnAir, LiveCandidate, LiveViewer, SetOnAir, StopLive, WatchLive, AIR_LEAD, AIR_RETRY};
pub use messages::*;

/// Room mailbox capacity; senders wait (backpressure) when it is full.
pub const ROOM_MAILBOX: usize = 1024;
/// Updates committed in one store transaction at most.
pub const MAX_PERSIST_BATCH: usize = 512;
/// Bytes of updates waiting for the store before new writers are refused.
pub const MAX_PENDING_PERSIST_BYTES: usize = 32 * 1024 * 1024;
/// How often the room expires presence and checks whether it is idle.
pub const ROOM_TICK: Duration = Duration::from_secs(1);

struct PendingUpdate {
    from: SessionId,
    update: Vec<u8>,
}

enum Loaded {
    Loading,
    Ready(RoomSync),
    Failed(String),
}

/// One loaded room.
pub struct RoomActor {
    room_id: Uuid,
    store: Arc<dyn RoomStore>,
    registry: Addr<RoomRegistry>,
    metrics: Arc<Metrics>,
    config: RoomConfig,
    state: Loaded,
    sessions: HashMap<SessionId, SessionHandle>,
    pending: Vec<PendingUpdate>,
    pending_bytes: usize,
    persisting: bool,
    last_seq: i64,
    updates_since_snapshot: usize,
    compacting: bool,
    empty_since: Option<Instant>,
    closing: bool,
    /// Title last written to the store (room lists show it).
    stored_title: Option<String>,
    title_dirty: bool,
    /// One title write at a time, so writes cannot land out of order.
    title_writing: bool,
    /// Generation jobs of this room.
    generation: generation::RoomJobs,
    /// The live preview's viewers and the on-air state.
    live: live::RoomLive,
}

impl std::fmt::Debug for RoomActor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoomActor")
            .field("room_id", &self.room_id)
            .finish_non_exhaustive()
    }
}

impl RoomActor {
    /// A room that loads itself from `store` when started.
    pub fn new(
        room_id: Uuid,
        store: Arc<dyn RoomStore>,
        registry: Addr<RoomRegistry>,
        metrics: Arc<Metrics>,
        config: RoomConfig,
    ) -> Self {
        RoomActor {
            room_id,
            store,
            registry,
            metrics,
            config,
            state: Loaded::Loading,
            sessions: HashMap::new(),
            pending: Vec::new(),
            pending_bytes: 0,
            persisting: false,
            last_seq: 0,
            updates_since_snapshot: 0,
            compacting: false,
            empty_since: Some(Instant::now()),
            closing: false,
            stored_title: None,
            title_dirty: false,
            title_writing: false,
            generation: Default::default(),
            live: Default::default(),
        }
    }

    fn finish_load(
        &mut self,
        result: Result<StoredRoom, crate::store::StoreError>,
        started: Instant,
        ctx: &mut Context<Self>,
    ) {
        match result {
            Ok(stored) => {
                let updates: Vec<Vec<u8>> = stored.updates.iter().map(|(_, u)| u.clone()).collect();
                let (sync, report) = RoomSync::load(stored.snapshot_v2.as_deref(), &updates);
                if report.snapshot_failed || !report.skipped.is_empty() {
                    warn!(room = %self.room_id, skipped = report.skipped.len(), snapshot_failed = report.snapshot_failed, "skipped stored updates that do not apply");
                }
                if !report.skipped.is_empty() {
                    // Out of the log, so the next load does not replay (and skip) them again.
                    let seqs: Vec<i64> = report.skipped.iter().map(|&i| stored.updates[i].0).collect();
                    let store = Arc::clone(&self.store);
                    let room = self.room_id;
                    ctx.spawn(async move { store.quarantine(room, seqs).await }.into_actor(self).map(
                        |result, act, _| {
                            if let Err(err) = result {
                                warn!(room = %act.room_id, %err, "quarantining stored updates failed");
                            }
                        },
                    ));
                }
                self.last_seq = stored.updates.last().map_or(stored.snapshot_seq, |(seq, _)| *seq);
                self.generation.remix = stored.remix;
                self.updates_since_snapshot = updates.len();
                self.state = Loaded::Ready(sync);
                self.metrics.room_load.observe(started.elapsed());
                info!(room = %self.room_id, updates = updates.len(), ms = started.elapsed().as_millis() as u64, "room loaded");
            }
            Err(err) => {
                warn!(room = %self.room_id, %err, "room load failed");
                self.state = Loaded::Failed(err.to_string());
            }
        }
    }

    /// Queues a frame to one session; a full queue closes it as a slow consumer.
    fn send_to(&mut self, id: SessionId, frame: Outbound) {
        let Some(session) = self.sessions.get(&id) else { return };
        let len = outbound_len(&frame);
        match session.outbound.try_send(frame) {
            Ok(()) => {
                Metrics::inc(&self.metrics.messages_out);
                self.metrics
                    .bytes_out
                    .fetch_add(len, std::sync::atomic::Ordering::Relaxed);
            }
            Err(TrySendError::Full(_)) => {
                Metrics::inc(&self.metrics.slow_consumers_closed);
                self.drop_session(id, Some(CloseCode::SlowConsumer.into()));
            }
            Err(TrySendError::Closed(_)) => self.drop_session(id, None),
        }
    }

    /// Sends a binary frame to every sync session except `except`.
    fn broadcast(&mut self, frame: Bytes, except: Option<SessionId>) {
        let targets: Vec<SessionId> = self
            .sessions
            .values()
            .filter(|s| s.kind == SessionKind::Sync && Some(s.id) != except)
            .map(|s| s.id)
            .collect();
        for id in targets {
            self.send_to(id, Outbound::Binary(frame.clone()));
        }
    }

    /// Sends a committed batch as one frame per session: the update itself, or the batch
    /// merged into one update (stock clients read one message per frame, so merging is what
    /// cuts frames in busy rooms). Senders are skipped when the batch is all theirs; otherwise
    /// they get their own edits back, which Yjs ignores (the reference server echoes too).
    fn broadcast_batch(&mut self, applied: Vec<(SessionId, Vec<u8>)>) {
        let Some(&(first_sender, _)) = applied.first() else {
            return;
        };
        let single_sender = applied.iter().all(|(from, _)| *from == first_sender);
        let merged = if applied.len() == 1 {
            Ok(applied[0].1.clone())
        } else {
            yrs::merge_updates_v1(applied.iter().map(|(_, update)| update.as_slice()))
        };
        match merged {
            Ok(update) => {
                let except = single_sender.then_some(first_sender);
                self.broadcast(Bytes::from(crate::wire::encode_update(&update)), except);
            }
            Err(err) => {
                warn!(room = %self.room_id, %err, "merging a batch failed; sending its updates one by one");
                for (from, update) in applied {
                    self.broadcast(Bytes::from(crate::wire::encode_update(&update)), Some(from));
                }
            }
        }
    }

    fn members_online(&self) -> Vec<MemberOnline> {
        let mut by_user: HashMap<Uuid, MemberOnline> = HashMap::new();
        for s in self.sessions.values() {
            by_user.entry(s.user_id).or_insert_with(|| MemberOnline {
                user_id: s.user_id.to_string(),
                username: s.username.clone(),
                role: s.role,
            });
        }
        let mut list: Vec<MemberOnline> = by_user.into_values().collect();
        list.sort_by(|a, b| a.username.cmp(&b.username));
        list
    }

    fn announce_members(&mut self) {
        let message = ServerMessage::MembersOnline {
            members_online: self.members_online(),
        };
        self.send_control(&message);
    }

    /// Sends a JSON message to every control session.
    fn send_control(&mut self, message: &ServerMessage) {
        let Ok(text) = serde_json::to_string(message) else {
            return;
        };
        let controls: Vec<SessionId> = self
            .sessions
            .values()
            .filter(|s| s.kind == SessionKind::Control)
            .map(|s| s.id)
            .collect();
        for id in controls {
            self.send_to(id, Outbound::Text(text.clone()));
        }
    }

    /// Removes a session, closing its socket with `close` if given, and tells the others.
    fn drop_session(&mut self, id: SessionId, close: Option<CloseReason>) {
        let Some(mut session) = self.sessions.remove(&id) else {
            return;
        };
        self.stop_session_stream(id);
        if let Some(reason) = close {
            info!(room = %self.room_id, session = id, user = %session.user_id, code = reason.code.code(), reason = %reason.reason, "closing session");
            session.close(reason);
        }
        if let Loaded::Ready(sync) = &mut self.state {
            if let Some(removal) = sync.session_left(id) {
                self.broadcast(Bytes::from(removal), None);
            }
        }
        if !self.sessions.values().any(|s| s.user_id == session.user_id) {
            self.announce_members();
        }
        if self.sessions.is_empty() {
            self.empty_since = Some(Instant::now());
            if self.on_air() && self.live_viewers() > 0 {
                // WHEP viewers need no WebSocket: the broadcast goes on until they leave.
                self.cancel_jobs_except_air();
            } else {
                self.cancel_jobs();
            }
        }
    }

    fn queue_update(&mut self, from: SessionId, update: Vec<u8>, ctx: &mut Context<Self>) -> Result<(), CloseReason> {
        if self.pending_bytes + update.len() > MAX_PENDING_PERSIST_BYTES {
            if let Loaded::Ready(sync) = &mut self.state {
                sync.persist_failed(&update);
            }
            return Err(CloseReason::new(CloseCode::RoomUnavailable, "storage is behind; retry"));
        }
        self.pending_bytes += update.len();
        self.pending.push(PendingUpdate { from, update });
        self.persist_next(ctx);
        Ok(())
    }

    /// Starts committing the next batch if none is in flight (one at a time keeps order).
    fn persist_next(&mut self, ctx: &mut Context<Self>) {
        if self.persisting || self.pending.is_empty() {
            return;
        }
        let take = self.pending.len().min(MAX_PERSIST_BATCH);
        let batch: Vec<PendingUpdate> = self.pending.drain(..take).collect();
        self.pending_bytes -= batch.iter().map(|p| p.update.len()).sum::<usize>();
        self.persisting = true;
        let store = Arc::clone(&self.store);
        let room = self.room_id;
        let updates: Vec<Vec<u8>> = batch.iter().map(|p| p.update.clone()).collect();
        let started = Instant::now();
        let fut = async move { store.append(room, updates).await };
        ctx.spawn(fut.into_actor(self).map(move |result, act, ctx| {
            act.persisting = false;
            act.metrics.persist.observe(started.elapsed());
            act.finish_persist(batch, result);
            act.script_edited(ctx);
            act.persist_next(ctx);
            act.maybe_compact(ctx);
        }));
    }

    fn finish_persist(&mut self, batch: Vec<PendingUpdate>, result: Result<i64, crate::store::StoreError>) {
        match result {
            Ok(seq) => {
                self.last_seq = seq;
                self.updates_since_snapshot += batch.len();
                self.title_dirty = true;
                let Loaded::Ready(sync) = &mut self.state else { return };
                let mut applied = Vec::with_capacity(batch.len());
                for PendingUpdate { from, update } in batch {
                    let started = Instant::now();
                    let ok = sync.apply_committed(&update);
                    self.metrics.update_apply.observe(started.elapsed());
                    if ok {
                        applied.push((from, update));
                    }
                }
                self.broadcast_batch(applied);
            }
            Err(err) => {
                // Nothing was applied or broadcast: the writers still hold their edits and
                // re-send them when they reconnect and resync.
                Metrics::inc(&self.metrics.persist_failures);
                warn!(room = %self.room_id, %err, "append failed; closing writers");
                if let Loaded::Ready(sync) = &mut self.state {
                    for pending in &batch {
                        sync.persist_failed(&pending.update);
                    }
                }
                let mut writers: Vec<SessionId> = batch.iter().map(|p| p.from).collect();
                writers.dedup();
                for id in writers {
                    self.drop_session(id, Some(CloseCode::RoomUnavailable.into()));
                }
            }
        }
    }

    fn maybe_compact(&mut self, ctx: &mut Context<Self>) {
        if self.compacting || self.updates_since_snapshot < self.config.compact_every {
            return;
        }
        if let Some(fut) = self.compaction() {
            ctx.spawn(fut);
        }
    }

    /// A future that writes a snapshot of everything applied so far.
    fn compaction(&mut self) -> Option<impl ActorFuture<Self, Output = ()> + 'static> {
        let Loaded::Ready(sync) = &self.state else { return None };
        if self.updates_since_snapshot == 0 {
            return None;
        }
        let Some(snapshot) = sync.snapshot_v2() else {
            warn!(room = %self.room_id, "encoding a snapshot failed; keeping the update log");
            return None;
        };
        let upto = self.last_seq;
        let folded = self.updates_since_snapshot;
        let store = Arc::clone(&self.store);
        let room = self.room_id;
        self.compacting = true;
        let fut = async move { store.compact(room, snapshot, upto).await };
        Some(fut.into_actor(self).map(move |result, act, _| {
            act.compacting = false;
            match result {
                Ok(()) => act.updates_since_snapshot = act.updates_since_snapshot.saturating_sub(folded),
                Err(err) => warn!(room = %act.room_id, %err, "compaction failed"),
            }
        }))
    }

    /// Writes the script's title to the store when it changed (at most once per tick).
    fn sync_title(&mut self, ctx: &mut Context<Self>) {
        let Loaded::Ready(sync) = &self.state else { return };
        if !self.title_dirty || self.title_writing {
            return;
        }
        self.title_dirty = false;
        let title: String = sync.title().chars().take(protocol::MAX_ROOM_TITLE_CHARS).collect();
        if title.is_empty() || self.stored_title.as_deref() == Some(title.as_str()) {
            return;
        }
        self.stored_title = Some(title.clone());
        self.title_writing = true;
        let store = Arc::clone(&self.store);
        let room = self.room_id;
        ctx.spawn(
            async move { store.set_title(room, title).await }
                .into_actor(self)
                .map(|result, act, _| {
                    act.title_writing = false;
                    if let Err(err) = result {
                        warn!(room = %act.room_id, %err, "storing the title failed");
                        act.stored_title = None;
                        act.title_dirty = true;
                    }
                }),
        );
    }

    /// Writes a final snapshot (if anything changed since the last one), then stops.
    fn compact_and_stop(&mut self, ctx: &mut Context<Self>) {
        match self.compaction() {
            Some(fut) => {
                ctx.wait(fut.map(|_, _, ctx: &mut Context<Self>| ctx.stop()));
            }
            None => ctx.stop(),
        }
    }

    fn tick(&mut self, ctx: &mut Context<Self>) {
        if let Loaded::Ready(sync) = &mut self.state {
            if let Some(removal) = sync.expire_awareness(Instant::now()) {
                self.broadcast(Bytes::from(removal), None);
            }
        }
        self.sync_title(ctx);
        if self.sessions.is_empty() && self.on_air() && self.live_viewers() == 0 {
            self.cancel_jobs(); // the last viewer of a broadcast with nobody in the room left
        }
        let idle = self.sessions.is_empty()
            && self.live_viewers() == 0
            && !self.persisting
            && self.pending.is_empty()
            && self.empty_since.is_some_and(|t| t.elapsed() >= self.config.idle_grace);
        let failed = matches!(self.state, Loaded::Failed(_)) && self.sessions.is_empty();
        if (idle || failed) && !self.closing {
            self.closing = true;
            let _ = self.registry.try_send(RoomIdle {
                room_id: self.room_id,
                addr: ctx.address(),
            });
            self.compact_and_stop(ctx);
        }
    }
}

fn outbound_len(frame: &Outbound) -> u64 {
    match frame {
        Outbound::Binary(b) => b.len() as u64,
        Outbound::Text(t) => t.len() as u64,
    }
}

impl Actor for RoomActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(ROOM_MAILBOX);
        self.metrics.rooms.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let store = Arc::clone(&self.store);
        let room = self.room_id;
        let started = Instant::now();
        // `wait` holds every other message until the document is loaded.
        ctx.wait(
            async move { store.load(room).await }
                .into_actor(self)
                .map(move |result, act, ctx| {
                    act.finish_load(result, started, ctx);
                    act.maybe_compact(ctx);
                }),
        );
        ctx.run_interval(ROOM_TICK, |act, ctx| act.tick(ctx));
    }

    fn stopped(&mut self, _ctx: &mut Context<Self>) {
        self.metrics.rooms.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        self.stop_media();
        for (_, mut session) in self.sessions.drain() {
            session.close(CloseCode::RoomUnavailable.into());
        }
        info!(room = %self.room_id, "room unloaded");
    }
}
