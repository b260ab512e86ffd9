//! The room's side of the live preview and of going on air: starts the room's `MediaActor` on
//! its first viewer and forwards watch requests (checked here: control sessions must be in the
//! room; WHEP viewers were checked by their ticket), hands it every job's frames, and while on
//! air keeps generating one chunk after another from the current script, each continuing from
//! the last frames of the one before, paced so generation stays just ahead of playback.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use engine::sampler::{append_chunk, chunk_options};
use engine::SampleOptions;
use protocol::{Role, ServerMessage};
use uuid::Uuid;
use world::{Vocab, CONTEXT_FRAMES, FPS, SIZE};

use super::generation::{plan, GenerationError, RoomJob};
use super::RoomActor;
use crate::generation::{Cancel, JobId, Segment, Submit};
use crate::media::actor::MAX_LIVE_ROOMS;
use crate::media::{
    AddCandidate, MediaActor, MediaError, StopMedia, StopWatching, StreamFrames, StreamInput, Watch, WatchAnswer,
};
use crate::session::SessionId;

/// An on-air room asks for its next chunk this much before playback would run dry.
pub const AIR_LEAD: Duration = Duration::from_millis(500);
/// After a failed on-air chunk, the next try waits this long.
pub const AIR_RETRY: Duration = Duration::from_secs(1);

/// The room's media and on-air state.
#[derive(Debug, Default)]
pub(super) struct RoomLive {
    media: Option<Addr<MediaActor>>,
    /// The media actor's viewer count (WHEP viewers have no session but keep the room loaded).
    viewers: Arc<AtomicUsize>,
    air: Option<OnAir>,
    /// Bumped whenever the room goes on air, so a timer of an earlier airing does nothing.
    air_epoch: u64,
}

#[derive(Debug)]
struct OnAir {
    /// Who put the room on air (the jobs run as theirs).
    user: Uuid,
    job: Option<JobId>,
    /// Chunks generated so far (picks the shot and the seed).
    chunks: u64,
    /// The last frames generated (at most `CONTEXT_FRAMES`): the next chunk continues from them.
    tail: Vec<u8>,
    /// When the frames generated so far will have played.
    playout_end: Instant,
}

/// Watch the live preview: a control session's user, or a WHEP viewer (ticket already checked).
#[derive(Message, Debug)]
#[rtype(result = "Result<WatchAnswer, MediaError>")]
pub struct WatchLive {
    pub viewer: LiveViewer,
    pub offer: String,
}

/// Who asks to watch.
#[derive(Debug, Clone, Copy)]
pub enum LiveViewer {
    /// A control socket of this room.
    Session(SessionId),
    /// A WHEP player whose ticket names this user.
    Whep(Uuid),
}

/// A trickled ICE candidate from a control session.
#[derive(Message, Debug)]
#[rtype(result = "Result<(), MediaError>")]
pub struct LiveCandidate {
    pub session: SessionId,
    pub candidate: String,
    pub sdp_mid: Option<String>,
    pub sdp_mline_index: Option<u16>,
}

/// A WHEP viewer hangs up.
#[derive(Message, Debug)]
#[rtype(result = "bool")]
pub struct StopLive(pub crate::media::ViewerId);

/// The owner puts the room on air or takes it off.
#[derive(Message, Debug)]
#[rtype(result = "Result<(), GenerationError>")]
pub struct SetOnAir {
    pub session: SessionId,
    pub on_air: bool,
}

/// Whether the room is on air (for a control session's welcome).
#[derive(Message, Debug)]
#[rtype(result = "bool")]
pub struct IsOnAir;

impl RoomActor {
    fn media(&mut self) -> Result<Addr<MediaActor>, MediaError> {
        let config = self
            .config
            .media
            .clone()
            .ok_or_else(|| MediaError::Unavailable("live preview is off on this server".into()))?;
        if self.live.media.as_ref().is_none_or(|m| !m.connected()) {
            if crate::media::actor::live_rooms() >= MAX_LIVE_ROOMS {
                return Err(MediaError::Full(format!(
                    "this server already streams {MAX_LIVE_ROOMS} rooms; try again later"
                )));
            }
            let actor = MediaActor::new(self.room_id, config, self.metrics.clone());
            self.live.viewers = actor.viewer_count();
            self.live.media = Some(actor.start());
        }
        self.live
            .media
            .clone()
            .ok_or(MediaError::Unavailable("no live media".into()))
    }

    /// Live viewers now watching (with or without a control session).
    pub(super) fn live_viewers(&self) -> usize {
        self.live.viewers.load(Ordering::Relaxed)
    }

    /// Frames for viewers, if anyone watches.
    pub(super) fn stream(&mut self, input: StreamInput) {
        if let Some(media) = &self.live.media {
            let _ = media.try_send(StreamFrames(input));
        }
    }

    /// A session left: its stream ends with it.
    pub(super) fn stop_session_stream(&mut self, session: SessionId) {
        if let Some(media) = &self.live.media {
            media.do_send(StopWatching::Session(session));
        }
    }

    /// A member was removed: every stream they watch ends.
    pub(super) fn stop_user_streams(&mut self, user: Uuid) {
        if let Some(media) = &self.live.media {
            media.do_send(StopWatching::User(user));
        }
    }

    /// The room unloads: every viewer's connection closes.
    pub(super) fn stop_media(&mut self) {
        if let Some(media) = self.live.media.take() {
            media.do_send(StopMedia);
        }
    }

    pub(super) fn on_air(&self) -> bool {
        self.live.air.is_some()
    }

    pub(super) fn is_air_job(&self, job: JobId) -> bool {
        self.live.air.as_ref().is_some_and(|a| a.job == Some(job))
    }

    /// Off air (the owner, a cancel, or nobody left); the caller cancels the running chunk.
    pub(super) fn end_air(&mut self) {
        if self.live.air.take().is_some() {
            self.send_control(&ServerMessage::OnAir { on_air: false });
        }
    }

    fn schedule_air_chunk(&mut self, delay: Duration, ctx: &mut Context<Self>) {
        let epoch = self.live.air_epoch;
        ctx.run_later(delay, move |act, ctx| {
            if act.live.air_epoch == epoch {
                act.next_air_chunk(ctx);
            }
        });
    }

    /// An on-air chunk finished: its new frames play next, and the following chunk is asked
    /// for shortly before they run out.
    pub(super) fn air_chunk_finished(&mut self, frames: &[u8], elapsed: Duration, ctx: &mut Context<Self>) {
        let per = SIZE * SIZE * 3;
        let Some(air) = self.live.air.as_mut() else { return };
        // The engine's chaining rule: after the first chunk, the repeated context is dropped.
        let mut so_far = std::mem::take(&mut air.tail);
        let new = append_chunk(&mut so_far, frames).to_vec();
        so_far.drain(..so_far.len().saturating_sub(CONTEXT_FRAMES * per));
        air.tail = so_far;
        let now = Instant::now();
        air.playout_end = air.playout_end.max(now) + Duration::from_secs_f64((new.len() / per) as f64 / FPS as f64);
        air.job = None;
        air.chunks += 1;
        let delay = air
            .playout_end
            .saturating_duration_since(now)
            .saturating_sub(elapsed + AIR_LEAD);
        self.schedule_air_chunk(delay, ctx);
        self.stream(StreamInput::Play(Arc::new(new)));
    }

    /// An on-air chunk failed or was cancelled: retry (failure) or go off air (cancel).
    pub(super) fn air_chunk_ended(&mut self, cancelled: bool, ctx: &mut Context<Self>) {
        if cancelled {
            self.end_air();
        } else if let Some(air) = self.live.air.as_mut() {
            air.job = None;
            self.schedule_air_chunk(AIR_RETRY, ctx);
        }
    }

    fn next_air_chunk(&mut self, ctx: &mut Context<Self>) {
        let Some(air) = self.live.air.as_mut() else { return };
        let (user, chunks, tail) = (air.user, air.chunks, air.tail.clone());
        let Some(scheduler) = self.config.scheduler.clone() else {
            return;
        };
        let script = match self.script() {
            Ok(s) => s,
            Err(e) => return self.air_failed(GenerationError::InvalidScript(e), ctx),
        };
        let segments = match plan(&script, None, None, &Vocab::new()) {
            Ok(s) => s,
            Err(e) => return self.air_failed(GenerationError::InvalidScript(e), ctx),
        };
        // Shots take turns, one chunk each, round and round.
        let shot = (chunks % segments.len() as u64) as usize;
        let segment = &segments[shot];
        let seed = segment.seed.wrapping_add(chunks);
        let base = SampleOptions {
            steps: script.settings.steps as usize,
            guidance: script.settings.guidance,
            ..Default::default()
        };
        let options = chunk_options(&base, seed, &tail);
        let job = RoomJob::on_air(user, script.shots[shot].id.clone(), &script, seed);
        let submit = Submit {
            room: self.room_id,
            user,
            on_air: true,
            segments: vec![Segment {
                // On air continues each shot's planned motion turn after turn.
                prompt: segment
                    .prompt
                    .at_frame((chunks / segments.len() as u64) as f32 * engine::sampler::NEW_FRAMES_PER_CHUNK as f32),
                chunks: 1,
                seed,
            }],
            options,
            events: ctx.address().recipient(),
            // On-air chunks cast no avatar crops (see `RoomJob::on_air`): nobody's likeness
            // is rendered without a consent lease.
            leases: Vec::new(),
        };
        ctx.spawn(
            scheduler
                .send(submit)
                .into_actor(self)
                .map(move |res, act, ctx| match res {
                    Ok(Ok(id)) => {
                        act.generation.jobs.insert(id, job);
                        match act.live.air.as_mut() {
                            Some(air) => air.job = Some(id),
                            None => {
                                // Went off air meanwhile.
                                if let Some(s) = &act.config.scheduler {
                                    s.do_send(Cancel(id));
                                }
                            }
                        }
                    }
                    Ok(Err(e)) => act.air_failed(GenerationError::Busy(e.to_string()), ctx),
                    Err(_) => act.air_failed(GenerationError::Unavailable("the scheduler is not running".into()), ctx),
                }),
        );
    }

    fn air_failed(&mut self, error: GenerationError, ctx: &mut Context<Self>) {
        self.send_control(&ServerMessage::Error {
            code: error.code(),
            message: format!("on air: {error}"),
        });
        if self.live.air.is_some() {
            self.schedule_air_chunk(AIR_RETRY, ctx);
        }
    }
}

impl Handler<WatchLive> for RoomActor {
    type Result = ResponseFuture<Result<WatchAnswer, MediaError>>;

    fn handle(&mut self, msg: WatchLive, _ctx: &mut Context<Self>) -> Self::Result {
        let (session, user) = match msg.viewer {
            LiveViewer::Session(id) => match self.sessions.get(&id) {
                Some(s) => (Some(id), s.user_id),
                None => return Box::pin(async { Err(MediaError::Unavailable("not in this room".into())) }),
            },
            LiveViewer::Whep(user) => (None, user),
        };
        let media = match self.media() {
            Ok(media) => media,
            Err(err) => return Box::pin(async { Err(err) }),
        };
        Box::pin(async move {
            media
                .send(Watch {
                    session,
                    user,
                    offer: msg.offer,
                })
                .await
                .unwrap_or_else(|_| Err(MediaError::Unavailable("the room's media stopped".into())))
        })
    }
}

impl Handler<LiveCandidate> for RoomActor {
    type Result = ResponseFuture<Result<(), MediaError>>;

    fn handle(&mut self, msg: LiveCandidate, _ctx: &mut Context<Self>) -> Self::Result {
        let media = self.live.media.clone();
        Box::pin(async move {
            let media = media.ok_or(MediaError::NotFound)?;
            let ask = AddCandidate {
                session: msg.session,
                candidate: msg.candidate,
                sdp_mid: msg.sdp_mid,
                sdp_mline_index: msg.sdp_mline_index,
            };
            media.send(ask).await.unwrap_or(Err(MediaError::NotFound))
        })
    }
}

impl Handler<StopLive> for RoomActor {
    type Result = ResponseFuture<bool>;

    fn handle(&mut self, StopLive(viewer): StopLive, _ctx: &mut Context<Self>) -> Self::Result {
        let media = self.live.media.clone();
        Box::pin(async move {
            match media {
                Some(m) => m.send(StopWatching::Viewer(viewer)).await.unwrap_or(false),
                None => false,
            }
        })
    }
}

impl Handler<SetOnAir> for RoomActor {
    type Result = Result<(), GenerationError>;

    fn handle(&mut self, msg: SetOnAir, ctx: &mut Context<Self>) -> Self::Result {
        let session = self
            .sessions
            .get(&msg.session)
            .ok_or(GenerationError::Forbidden("not in this room"))?;
        if session.role != Role::Owner {
            return Err(GenerationError::Forbidden("only the room's owner can go on air"));
        }
        let user = session.user_id;
        match (msg.on_air, self.live.air.is_some()) {
            (true, false) => {
                if self.config.scheduler.is_none() {
                    return Err(GenerationError::Unavailable(
                        "video generation is not enabled on this server".into(),
                    ));
                }
                self.script().map_err(GenerationError::InvalidScript)?;
                self.live.air = Some(OnAir {
                    user,
                    job: None,
                    chunks: 0,
                    tail: Vec::new(),
                    playout_end: Instant::now(),
                });
                self.live.air_epoch += 1;
                self.send_control(&ServerMessage::OnAir { on_air: true });
                self.next_air_chunk(ctx);
            }
            (false, true) => {
                if let (Some(job), Some(scheduler)) =
                    (self.live.air.as_ref().and_then(|a| a.job), &self.config.scheduler)
                {
                    scheduler.do_send(Cancel(job));
                }
                self.end_air();
            }
            _ => {}
        }
        Ok(())
    }
}

impl Handler<IsOnAir> for RoomActor {
    type Result = bool;

    fn handle(&mut self, _: IsOnAir, _ctx: &mut Context<Self>) -> bool {
        self.live.air.is_some()
    }
}
