//! `MediaActor`: one per room with viewers. Owns the viewers' connections, the room's encoder
//! thread and fan-out task. Talks to: the room (frames, watch requests from control sessions
//! and WHEP, sessions leaving, stop), each connection's event handler (`ViewerGone`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use actix::prelude::*;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::encoder::{spawn_encoder, EncoderHandle};
use super::fanout::{run_fanout, FanoutControl, FANOUT_CONTROL_QUEUE, FANOUT_FRAME_QUEUE};
use super::peer::{negotiate, MediaConfig, ViewerPeer};
use super::playout::StreamInput;
use super::{MediaError, ViewerGone, ViewerId};
use crate::metrics::Metrics;
use crate::session::SessionId;

/// Viewers of one room served directly; past this, an SFU takes over (docs/ARCHITECTURE.md).
pub const MAX_VIEWERS_PER_ROOM: usize = 300;
/// Live streams one account may hold in one room (tabs, a TV, a phone): one account cannot
/// take the room's slots from everyone else.
pub const MAX_VIEWERS_PER_USER: usize = 4;
/// Media actor mailbox.
pub const MEDIA_MAILBOX: usize = 256;

/// Rooms streaming at once in this process: each has an encoder thread, so this bounds the
/// threads and CPU that live previews can take (`room::live` refuses a new one past it).
pub const MAX_LIVE_ROOMS: usize = 64;

static NEXT_VIEWER: AtomicU64 = AtomicU64::new(1);
/// Media actors alive now.
static LIVE_ROOMS: AtomicUsize = AtomicUsize::new(0);

/// Rooms streaming now (media actors alive).
pub fn live_rooms() -> usize {
    LIVE_ROOMS.load(Ordering::Relaxed)
}

struct Viewer {
    peer: Arc<ViewerPeer>,
    session: Option<SessionId>,
    user: Uuid,
}

/// The room's live preview.
pub struct MediaActor {
    room: Uuid,
    config: MediaConfig,
    metrics: Arc<Metrics>,
    encoder: Option<EncoderHandle>,
    fanout: Option<mpsc::Sender<FanoutControl>>,
    viewers: HashMap<ViewerId, Viewer>,
    by_session: HashMap<SessionId, ViewerId>,
    /// `viewers.len()`, shared with the room (viewers keep a room loaded).
    viewer_count: Arc<AtomicUsize>,
    /// Offers being negotiated, per user: they count against the caps, so concurrent offers
    /// cannot pass the checks together.
    negotiating: HashMap<Uuid, usize>,
}

impl std::fmt::Debug for MediaActor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaActor")
            .field("room", &self.room)
            .field("viewers", &self.viewers.len())
            .finish_non_exhaustive()
    }
}

impl MediaActor {
    pub fn new(room: Uuid, config: MediaConfig, metrics: Arc<Metrics>) -> Self {
        MediaActor {
            room,
            config,
            metrics,
            encoder: None,
            fanout: None,
            viewers: HashMap::new(),
            by_session: HashMap::new(),
            viewer_count: Arc::new(AtomicUsize::new(0)),
            negotiating: HashMap::new(),
        }
    }

    /// Why `user` may not open one more stream, if so.
    fn refuse(&self, user: Uuid) -> Option<MediaError> {
        let pending: usize = self.negotiating.values().sum();
        if self.viewers.len() + pending >= MAX_VIEWERS_PER_ROOM {
            return Some(MediaError::Full(format!(
                "this room already has {MAX_VIEWERS_PER_ROOM} live viewers"
            )));
        }
        let mine = self.viewers.values().filter(|v| v.user == user).count()
            + self.negotiating.get(&user).copied().unwrap_or(0);
        (mine >= MAX_VIEWERS_PER_USER).then(|| {
            MediaError::Full(format!(
                "you already watch this room on {MAX_VIEWERS_PER_USER} connections"
            ))
        })
    }

    fn negotiation_done(&mut self, user: Uuid) {
        if let Some(n) = self.negotiating.get_mut(&user) {
            *n -= 1;
            if *n == 0 {
                self.negotiating.remove(&user);
            }
        }
    }

    /// How many viewers watch, readable by the room without a message.
    pub fn viewer_count(&self) -> Arc<AtomicUsize> {
        self.viewer_count.clone()
    }

    fn remove(&mut self, id: ViewerId) {
        let Some(viewer) = self.viewers.remove(&id) else { return };
        if let Some(session) = viewer.session {
            if self.by_session.get(&session) == Some(&id) {
                self.by_session.remove(&session);
            }
        }
        if let Some(fanout) = &self.fanout {
            let _ = fanout.try_send(FanoutControl::Remove(id));
        }
        self.metrics.media_viewers.fetch_sub(1, Ordering::Relaxed);
        self.viewer_count.store(self.viewers.len(), Ordering::Relaxed);
        actix::spawn(async move {
            let _ = viewer.peer.pc.close().await;
        });
        tracing::info!(room = %self.room, viewer = id, viewers = self.viewers.len(), "viewer left the live preview");
    }
}

impl Actor for MediaActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        LIVE_ROOMS.fetch_add(1, Ordering::Relaxed);
        ctx.set_mailbox_capacity(MEDIA_MAILBOX);
        let (frames_tx, frames_rx) = mpsc::channel(FANOUT_FRAME_QUEUE);
        let (control_tx, control_rx) = mpsc::channel(FANOUT_CONTROL_QUEUE);
        match spawn_encoder(self.room, self.config.mark.clone(), frames_tx, self.metrics.clone()) {
            Ok(encoder) => self.encoder = Some(encoder),
            Err(err) => tracing::error!(room = %self.room, %err, "live encoder thread could not start"),
        }
        self.fanout = Some(control_tx);
        actix::spawn(run_fanout(frames_rx, control_rx, self.metrics.clone()));
    }

    fn stopped(&mut self, _ctx: &mut Context<Self>) {
        LIVE_ROOMS.fetch_sub(1, Ordering::Relaxed);
        let ids: Vec<ViewerId> = self.viewers.keys().copied().collect();
        for id in ids {
            self.remove(id);
        }
    }
}

/// The answer to a viewer's offer.
#[derive(Debug, Clone)]
pub struct WatchAnswer {
    pub viewer: ViewerId,
    pub sdp: String,
}

/// A viewer offers to receive the live preview (from a control session, or WHEP without one).
/// A session's new offer replaces its previous stream.
#[derive(Message, Debug)]
#[rtype(result = "Result<WatchAnswer, MediaError>")]
pub struct Watch {
    pub session: Option<SessionId>,
    /// Who watches (their streams end if they are removed from the room).
    pub user: Uuid,
    pub offer: String,
}

impl Handler<Watch> for MediaActor {
    type Result = ResponseActFuture<Self, Result<WatchAnswer, MediaError>>;

    fn handle(&mut self, msg: Watch, ctx: &mut Context<Self>) -> Self::Result {
        let replaced = msg.session.and_then(|s| self.by_session.get(&s).copied());
        if replaced.is_none() {
            if let Some(refusal) = self.refuse(msg.user) {
                return Box::pin(fut::ready(Err(refusal)));
            }
        }
        let Some(keyframes) = self.encoder.as_ref().map(|e| e.keyframes.clone()) else {
            return Box::pin(fut::ready(Err(MediaError::Unavailable("no live encoder".into()))));
        };
        *self.negotiating.entry(msg.user).or_default() += 1;
        let id = NEXT_VIEWER.fetch_add(1, Ordering::Relaxed);
        let config = self.config.clone();
        let gone = ctx.address().recipient();
        Box::pin(
            async move { negotiate(id, msg.offer, &config, keyframes, gone).await }
                .into_actor(self)
                .map(move |result, act, _ctx| {
                    act.negotiation_done(msg.user);
                    let (sdp, peer, track) = result?;
                    if let Some(old) = replaced {
                        act.remove(old);
                    }
                    if let Some(session) = msg.session {
                        act.by_session.insert(session, id);
                    }
                    act.viewers.insert(
                        id,
                        Viewer {
                            peer: Arc::new(peer),
                            session: msg.session,
                            user: msg.user,
                        },
                    );
                    act.metrics.media_viewers.fetch_add(1, Ordering::Relaxed);
                    act.viewer_count.store(act.viewers.len(), Ordering::Relaxed);
                    if let Some(fanout) = &act.fanout {
                        if fanout.try_send(FanoutControl::Add(track)).is_err() {
                            act.remove(id);
                            return Err(MediaError::Unavailable("the room's fan-out is busy".into()));
                        }
                    }
                    if let Some(encoder) = &act.encoder {
                        // The newcomer's decoder starts at a keyframe showing the current picture.
                        encoder.keyframes.request_urgent();
                        encoder.push(StreamInput::Refresh);
                    }
                    tracing::info!(room = %act.room, viewer = id, viewers = act.viewers.len(), "viewer joined the live preview");
                    Ok(WatchAnswer { viewer: id, sdp })
                }),
        )
    }
}

/// A trickled ICE candidate for a session's stream.
#[derive(Message, Debug)]
#[rtype(result = "Result<(), MediaError>")]
pub struct AddCandidate {
    pub session: SessionId,
    pub candidate: String,
    pub sdp_mid: Option<String>,
    pub sdp_mline_index: Option<u16>,
}

impl Handler<AddCandidate> for MediaActor {
    type Result = ResponseFuture<Result<(), MediaError>>;

    fn handle(&mut self, msg: AddCandidate, _ctx: &mut Context<Self>) -> Self::Result {
        let peer = self
            .by_session
            .get(&msg.session)
            .and_then(|id| self.viewers.get(id))
            .map(|v| v.peer.clone());
        Box::pin(async move {
            let peer = peer.ok_or(MediaError::NotFound)?;
            peer.add_candidate(msg.candidate, msg.sdp_mid, msg.sdp_mline_index)
                .await
        })
    }
}

/// A viewer stops watching: by id (WHEP `DELETE`), the stream of a session that left, or
/// every stream of a user removed from the room.
#[derive(Message, Debug)]
#[rtype(result = "bool")]
pub enum StopWatching {
    Viewer(ViewerId),
    Session(SessionId),
    User(Uuid),
}

impl Handler<StopWatching> for MediaActor {
    type Result = bool;

    fn handle(&mut self, msg: StopWatching, _ctx: &mut Context<Self>) -> bool {
        let ids: Vec<ViewerId> = match msg {
            StopWatching::Viewer(id) => vec![id],
            StopWatching::Session(s) => self.by_session.get(&s).copied().into_iter().collect(),
            StopWatching::User(u) => self
                .viewers
                .iter()
                .filter(|(_, v)| v.user == u)
                .map(|(id, _)| *id)
                .collect(),
        };
        let ids: Vec<ViewerId> = ids.into_iter().filter(|id| self.viewers.contains_key(id)).collect();
        for id in &ids {
            self.remove(*id);
        }
        !ids.is_empty()
    }
}

impl Handler<ViewerGone> for MediaActor {
    type Result = ();

    fn handle(&mut self, ViewerGone(id): ViewerGone, _ctx: &mut Context<Self>) {
        self.remove(id);
    }
}

/// Frames for the stream (previews, finished clips, on-air chunks).
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub struct StreamFrames(pub StreamInput);

impl Handler<StreamFrames> for MediaActor {
    type Result = ();

    fn handle(&mut self, StreamFrames(input): StreamFrames, _ctx: &mut Context<Self>) {
        if self.viewers.is_empty() {
            return; // nobody watches: nothing to encode
        }
        if let Some(encoder) = &self.encoder {
            encoder.push(input);
        }
    }
}

/// The room unloads: close every viewer and stop.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub struct StopMedia;

impl Handler<StopMedia> for MediaActor {
    type Result = ();

    fn handle(&mut self, _msg: StopMedia, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}
