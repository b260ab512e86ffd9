//! The room's side of video generation: turns the script into a job for the `Scheduler`,
//! relays the job's events to the room's control sessions, cancels jobs when asked (by their
//! author or the owner) or when the room empties, and, while the script's `settings.live` is on,
//! steers running jobs with the edited prompts (debounced).

use std::collections::HashMap;
use std::time::Duration;

use actix::prelude::*;
use engine::sampler::{chunks_for, NEW_FRAMES_PER_CHUNK};
use engine::{Prompt, SampleOptions};
use protocol::script::{SceneScript, ScriptError};
use protocol::{ErrorCode, Role, ServerMessage};
use uuid::Uuid;
use world::{Vocab, FPS};

use super::{casting, Loaded, RoomActor};
use crate::consent::{AvatarRef, Cast, CastError};
use crate::generation::{Cancel, CancelRoom, JobEvent, JobId, Segment, SetPrompts, Submit, MAX_CHUNKS};
use crate::media::StreamInput;
use crate::session::SessionId;
use crate::store::ClipDraft;

/// The model finished clips record (the shipped engine model).
pub const MODEL_ID: &str = "reelroom-v1";

/// Script edits are gathered this long before they steer a live job.
pub const LIVE_DEBOUNCE: Duration = Duration::from_millis(150);

/// A member asks for a video of the script (or of one shot).
#[derive(Message, Debug)]
#[rtype(result = "Result<JobId, GenerationError>")]
pub struct StartGeneration {
    pub session: SessionId,
    pub shot_id: Option<String>,
    pub steps: Option<u32>,
    pub guidance: Option<f64>,
    pub seed: Option<u64>,
}

/// A member cancels one of the room's jobs.
#[derive(Message, Debug)]
#[rtype(result = "Result<(), GenerationError>")]
pub struct CancelGeneration {
    pub session: SessionId,
    pub job_id: JobId,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GenerationError {
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{}: {}", .0.field, .0.message)]
    InvalidScript(ScriptError),
    #[error("{0}")]
    Busy(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("no such job in this room")]
    NotFound,
    /// A shot casts an avatar the caller may not use (the message names it).
    #[error("{0}")]
    AvatarNotPermitted(String),
}

impl GenerationError {
    pub fn code(&self) -> ErrorCode {
        match self {
            GenerationError::Forbidden(_) => ErrorCode::Forbidden,
            GenerationError::InvalidScript(_) => ErrorCode::InvalidScript,
            GenerationError::Busy(_) => ErrorCode::RateLimited,
            GenerationError::Unavailable(_) => ErrorCode::Unavailable,
            GenerationError::NotFound => ErrorCode::NotFound,
            GenerationError::AvatarNotPermitted(_) => ErrorCode::AvatarNotPermitted,
        }
    }
}

/// Who started a job, what it renders (for live steering) and what made it (for the clip).
#[derive(Debug, Clone)]
pub(super) struct RoomJob {
    user: Uuid,
    shot_id: Option<String>,
    script: serde_json::Value,
    seed: u64,
    steps: u32,
    guidance: f64,
    /// The avatars it casts, with their consent leases (kept for live re-planning and the clip).
    casts: Vec<Cast>,
}

impl RoomJob {
    /// One chunk of an on-air stream, rendering `shot_id`.
    pub(super) fn on_air(user: Uuid, shot_id: String, script: &SceneScript, seed: u64) -> Self {
        RoomJob {
            user,
            shot_id: Some(shot_id),
            script: serde_json::to_value(script).unwrap_or_default(),
            seed,
            steps: script.settings.steps,
            guidance: script.settings.guidance,
            casts: Vec::new(),
        }
    }
}

/// The room's running and queued jobs.
#[derive(Debug, Default)]
pub(super) struct RoomJobs {
    pub(super) jobs: HashMap<JobId, RoomJob>,
    live_timer: Option<SpawnHandle>,
    /// The clip this room remixes: whole-script and first-shot jobs start from its frames,
    /// and the room's clips record it as their parent.
    pub(super) remix: Option<crate::store::RemixSource>,
}

/// The job's segments: one per shot (the chosen one, or all in order), each long enough for
/// its duration; the first chunk makes 16 frames, each later one 12 new frames.
pub fn plan(
    script: &SceneScript,
    shot_id: Option<&str>,
    seed: Option<u64>,
    vocab: &Vocab,
) -> Result<Vec<Segment>, ScriptError> {
    let shots = chosen_shots(script, shot_id)?;
    if shots.is_empty() {
        return Err(ScriptError::new("shots", "add a shot to generate"));
    }
    let mut segments = Vec::with_capacity(shots.len());
    for (n, (i, shot)) in shots.into_iter().enumerate() {
        if shot.prompt.trim().is_empty() {
            return Err(ScriptError::new(format!("shots[{i}].prompt"), "is empty"));
        }
        let chunks = if n == 0 {
            chunks_for(shot.duration_s)
        } else {
            ((shot.duration_s * FPS as f64).ceil() as usize)
                .div_ceil(NEW_FRAMES_PER_CHUNK)
                .max(1)
        };
        segments.push(Segment {
            prompt: Prompt::text(vocab, &shot.prompt).with_scene_seed(seed.unwrap_or(shot.seed)),
            chunks,
            seed: seed.unwrap_or(shot.seed),
        });
    }
    if segments.iter().map(|s| s.chunks).sum::<usize>() > MAX_CHUNKS {
        return Err(ScriptError::new(
            "shots",
            format!("the video would be longer than {} s", engine::MAX_SECONDS),
        ));
    }
    Ok(segments)
}

/// The shots a job renders, with their index: the chosen one, or all in order.
fn chosen_shots<'a>(
    script: &'a SceneScript,
    shot_id: Option<&str>,
) -> Result<Vec<(usize, &'a protocol::script::Shot)>, ScriptError> {
    Ok(match shot_id {
        Some(id) => match script.shots.iter().position(|s| s.id == id) {
            Some(i) => vec![(i, &script.shots[i])],
            None => return Err(ScriptError::new("shot_id", format!("no shot {id:?} in the script"))),
        },
        None => script.shots.iter().enumerate().collect(),
    })
}

/// Gives each segment's prompt the crops of the avatars its shot casts.
fn apply_casts(
    segments: &mut [Segment],
    script: &SceneScript,
    shot_id: Option<&str>,
    casts: &[Cast],
) -> Result<(), GenerationError> {
    if casts.is_empty() {
        return Ok(());
    }
    let shots = chosen_shots(script, shot_id).map_err(GenerationError::InvalidScript)?;
    for (segment, (_, shot)) in segments.iter_mut().zip(shots) {
        segment.prompt = segment
            .prompt
            .clone()
            .with_avatars(casting::crops_for(shot, casts))
            .map_err(|e| GenerationError::Unavailable(e.to_string()))?;
    }
    Ok(())
}

fn event_message(event: &JobEvent) -> ServerMessage {
    let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    match event {
        JobEvent::Queued { job, position } => ServerMessage::JobQueued {
            job_id: *job,
            position: n(*position),
        },
        JobEvent::Started { job, .. } => ServerMessage::JobStarted { job_id: *job },
        JobEvent::Progress {
            job,
            step,
            steps,
            chunk,
            chunks,
            eta_ms,
            ..
        } => ServerMessage::JobProgress {
            job_id: *job,
            step: n(*step),
            steps: n(*steps),
            chunk: n(*chunk),
            chunks: n(*chunks),
            eta_ms: *eta_ms,
        },
        JobEvent::Finished {
            job,
            frames,
            elapsed_ms,
        } => ServerMessage::JobFinished {
            job_id: *job,
            frames: n(frames.len() / (world::SIZE * world::SIZE * 3)),
            elapsed_ms: *elapsed_ms,
            clip_id: None,
        },
        JobEvent::Failed {
            job,
            reason,
            refused_avatar,
        } => ServerMessage::JobFailed {
            job_id: *job,
            message: reason.clone(),
            code: refused_avatar.as_ref().map(|_| ErrorCode::AvatarNotPermitted),
        },
        JobEvent::Cancelled { job } => ServerMessage::JobCancelled { job_id: *job },
    }
}

impl RoomActor {
    pub(super) fn script(&self) -> Result<SceneScript, ScriptError> {
        match &self.state {
            Loaded::Ready(sync) => crate::script::read_script(sync.doc()),
            _ => Err(ScriptError::new("script", "the room is not loaded")),
        }
    }

    /// The script changed: steer live jobs once edits pause for [`LIVE_DEBOUNCE`].
    pub(super) fn script_edited(&mut self, ctx: &mut Context<Self>) {
        if self.generation.jobs.is_empty() {
            return;
        }
        if let Some(timer) = self.generation.live_timer.take() {
            ctx.cancel_future(timer);
        }
        self.generation.live_timer = Some(ctx.run_later(LIVE_DEBOUNCE, |act, _ctx| {
            act.generation.live_timer = None;
            act.steer_live_jobs();
        }));
    }

    fn steer_live_jobs(&mut self) {
        let Ok(script) = self.script() else { return };
        let Some(scheduler) = self.config.scheduler.clone() else {
            return;
        };
        if !script.settings.live {
            return;
        }
        let vocab = Vocab::new();
        for (id, job) in &self.generation.jobs {
            if let Ok(mut segments) = plan(&script, job.shot_id.as_deref(), None, &vocab) {
                // Edits keep the avatars cast when the job started (a newly named `@handle` is
                // not cast mid-job: it renders as a generic figure until a new job checks it).
                if apply_casts(&mut segments, &script, job.shot_id.as_deref(), &job.casts).is_err() {
                    continue;
                }
                scheduler.do_send(SetPrompts {
                    job: *id,
                    prompts: segments.into_iter().map(|s| s.prompt).collect(),
                });
            }
        }
    }

    /// Cancels every job but the on-air chunk (the broadcast outlives the room's last WebSocket
    /// while WHEP viewers watch it).
    pub(super) fn cancel_jobs_except_air(&mut self) {
        let Some(scheduler) = &self.config.scheduler else {
            return;
        };
        for id in self.generation.jobs.keys().filter(|id| !self.is_air_job(**id)) {
            scheduler.do_send(Cancel(*id));
        }
    }

    /// The room emptied (or is closing): nobody is left to watch, so its jobs stop.
    pub(super) fn cancel_jobs(&mut self) {
        self.end_air();
        if let (false, Some(scheduler)) = (self.generation.jobs.is_empty(), &self.config.scheduler) {
            scheduler.do_send(CancelRoom(self.room_id));
        }
    }
}

impl Handler<StartGeneration> for RoomActor {
    type Result = ResponseActFuture<Self, Result<JobId, GenerationError>>;

    fn handle(&mut self, msg: StartGeneration, ctx: &mut Context<Self>) -> Self::Result {
        let prepared = (|| {
            let session = self
                .sessions
                .get(&msg.session)
                .ok_or(GenerationError::Forbidden("not in this room"))?;
            if !session.role.can_write() {
                return Err(GenerationError::Forbidden("viewers cannot start generations"));
            }
            let user = session.user_id;
            let scheduler =
                self.config.scheduler.clone().ok_or_else(|| {
                    GenerationError::Unavailable("video generation is not enabled on this server".into())
                })?;
            let script = self.script().map_err(GenerationError::InvalidScript)?;
            let steps = msg.steps.unwrap_or(script.settings.steps);
            if !(protocol::script::MIN_STEPS..=protocol::script::MAX_STEPS).contains(&steps) {
                return Err(GenerationError::InvalidScript(ScriptError::new(
                    "steps",
                    "out of range",
                )));
            }
            let guidance = msg.guidance.unwrap_or(script.settings.guidance);
            if !(0.0..=protocol::script::MAX_GUIDANCE).contains(&guidance) {
                return Err(GenerationError::InvalidScript(ScriptError::new(
                    "guidance",
                    "out of range",
                )));
            }
            let segments = plan(&script, msg.shot_id.as_deref(), msg.seed, &Vocab::new())
                .map_err(GenerationError::InvalidScript)?;
            let first_shot = script.shots.first().map(|shot| shot.id.clone());
            let mut refs: Vec<AvatarRef> = Vec::new();
            for (_, shot) in chosen_shots(&script, msg.shot_id.as_deref()).map_err(GenerationError::InvalidScript)? {
                for r in casting::shot_refs(shot) {
                    if !refs.contains(&r) {
                        refs.push(r);
                    }
                }
            }
            let job = RoomJob {
                user,
                shot_id: msg.shot_id.clone(),
                script: serde_json::to_value(&script).unwrap_or_default(),
                seed: segments.first().map_or(0, |s| s.seed),
                steps,
                guidance,
                casts: Vec::new(),
            };
            let options = SampleOptions {
                steps: steps as usize,
                guidance,
                ..Default::default()
            };
            let submit = Submit {
                room: self.room_id,
                user,
                on_air: false,
                segments,
                options,
                events: ctx.address().recipient(),
                leases: Vec::new(),
            };
            Ok((scheduler, submit, job, first_shot, refs, script))
        })();
        let (scheduler, mut submit, mut job, first_shot, refs, script) = match prepared {
            Ok(p) => p,
            Err(e) => return Box::pin(fut::ready(Err(e))),
        };
        // A remix room's first chunk starts from the source clip's frames (SDEdit).
        let remix = self
            .generation
            .remix
            .filter(|_| msg.shot_id.is_none() || msg.shot_id == first_shot)
            .zip(self.config.clips.clone());
        let casting = self.config.casting.clone();
        let shot_id = msg.shot_id;
        Box::pin(
            async move {
                // Consent is checked here, when the job starts, and by the worker before every
                // step (through the leases).
                let mut casts = Vec::new();
                if !refs.is_empty() {
                    let casting = casting
                        .ok_or_else(|| GenerationError::Unavailable("avatars are not enabled on this server".into()))?;
                    casts = casting.cast(submit.user, refs).await.map_err(|e| match e {
                        CastError::NotPermitted(_) => GenerationError::AvatarNotPermitted(e.to_string()),
                        CastError::Unavailable(m) => GenerationError::Unavailable(m),
                    })?;
                    apply_casts(&mut submit.segments, &script, shot_id.as_deref(), &casts)?;
                    submit.leases = casts.iter().map(|c| c.lease.clone()).collect();
                }
                if let Some((source, clips)) = remix {
                    let frames = clips
                        .source_frames(source.clip)
                        .await
                        .map_err(|e| GenerationError::Unavailable(format!("the remixed clip's frames: {e}")))?;
                    let chunk = world::FRAMES * world::SIZE * world::SIZE * 3;
                    if frames.len() < chunk {
                        return Err(GenerationError::Unavailable(
                            "the remixed clip has too few frames".into(),
                        ));
                    }
                    submit.options.remix = Some((frames[..chunk].to_vec(), source.strength));
                }
                let id = scheduler
                    .send(submit)
                    .await
                    .map_err(|_| GenerationError::Unavailable("the generation scheduler is not running".into()))?
                    .map_err(|e| GenerationError::Busy(e.to_string()))?;
                Ok((id, casts))
            }
            .into_actor(self)
            .map(move |res: Result<(JobId, Vec<Cast>), GenerationError>, act, _ctx| {
                let (id, casts) = res?;
                job.casts = casts;
                act.generation.jobs.insert(id, job);
                Ok(id)
            }),
        )
    }
}

impl Handler<CancelGeneration> for RoomActor {
    type Result = Result<(), GenerationError>;

    fn handle(&mut self, msg: CancelGeneration, _ctx: &mut Context<Self>) -> Self::Result {
        let session = self
            .sessions
            .get(&msg.session)
            .ok_or(GenerationError::Forbidden("not in this room"))?;
        let job = self.generation.jobs.get(&msg.job_id).ok_or(GenerationError::NotFound)?;
        if job.user != session.user_id && session.role != Role::Owner {
            return Err(GenerationError::Forbidden(
                "only the job's author or the room's owner can cancel it",
            ));
        }
        if let Some(scheduler) = &self.config.scheduler {
            scheduler.do_send(Cancel(msg.job_id));
        }
        Ok(())
    }
}

/// A job event ready for the control sockets (after its clip was stored).
#[derive(Message, Debug)]
#[rtype(result = "()")]
struct Announce(ServerMessage);

impl Handler<Announce> for RoomActor {
    type Result = ();

    fn handle(&mut self, Announce(message): Announce, _ctx: &mut Context<Self>) {
        self.send_control(&message);
    }
}

impl Handler<JobEvent> for RoomActor {
    type Result = ();

    fn handle(&mut self, event: JobEvent, ctx: &mut Context<Self>) {
        match &event {
            JobEvent::Progress { frames, .. } => self.stream(StreamInput::Preview(frames.clone())),
            JobEvent::Finished {
                job,
                frames,
                elapsed_ms,
            } if self.is_air_job(*job) => {
                self.generation.jobs.remove(job);
                self.air_chunk_finished(frames, Duration::from_millis(*elapsed_ms), ctx);
            }
            JobEvent::Failed { job, .. } | JobEvent::Cancelled { job } if self.is_air_job(*job) => {
                self.generation.jobs.remove(job);
                self.air_chunk_ended(matches!(event, JobEvent::Cancelled { .. }), ctx);
            }
            _ => {}
        }
        if let JobEvent::Finished { job, .. } | JobEvent::Failed { job, .. } | JobEvent::Cancelled { job } = &event {
            let room_job = self.generation.jobs.remove(job);
            if let JobEvent::Finished { frames, .. } = &event {
                if room_job.is_some() {
                    // Everyone watching sees the finished clip play through once.
                    self.stream(StreamInput::Play(frames.clone()));
                }
            }
            if let (JobEvent::Finished { frames, .. }, Some(room_job), Some(clips)) =
                (&event, room_job, self.config.clips.clone())
            {
                // Keep the clip first, then announce the job with the clip's id.
                let draft = ClipDraft {
                    room_id: self.room_id,
                    owner_id: room_job.user,
                    script: room_job.script,
                    seed: room_job.seed,
                    model_id: MODEL_ID.to_string(),
                    steps: room_job.steps,
                    guidance: room_job.guidance,
                    fps: FPS as u32,
                    size: world::SIZE,
                    frames: frames.clone(),
                    parent: self.generation.remix.map(|r| r.clip),
                    avatars: room_job.casts.iter().map(|c| c.lease.clone()).collect(),
                };
                let mut message = event_message(&event);
                let (room, addr) = (self.room_id, ctx.address());
                // Detached from the actor: the clip is kept even if the room unloads meanwhile.
                actix::spawn(async move {
                    match (&mut message, clips.save_draft(draft).await) {
                        (ServerMessage::JobFinished { clip_id, .. }, Ok(id)) => *clip_id = Some(id.to_string()),
                        (_, Err(err)) => tracing::warn!(%room, %err, "keeping a finished clip failed"),
                        _ => {}
                    }
                    addr.do_send(Announce(message));
                });
                return;
            }
        }
        self.send_control(&event_message(&event));
    }
}
