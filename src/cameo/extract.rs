//! The extraction queue: one OS thread decodes an enrolment recording (`media::upload`), runs the
//! face pipeline (`faces::enroll`: detection, tracking, landmarks, the head-turn check, quality
//! gates, crops, embedding) and stores the result. Uploads wait in a bounded queue; when it is
//! full the upload is refused (503, retry later) instead of queueing without end. Never runs on
//! an async thread; it reaches Postgres and the object store through the runtime's handle.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Instant;

use media::upload::{decode_upload, DecodeLimits, UploadError};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use protocol::avatar::{FailReason, MAX_RECORDING_SECS, MAX_UPLOAD_BYTES, MIN_RECORDING_SECS};
use tokio::runtime::Handle;
use uuid::Uuid;

use crate::db::avatars::Extracted;
use crate::db::Db;

/// Recordings waiting for extraction at most; more are refused with 503.
pub const EXTRACT_QUEUE: usize = 4;
/// Frames sampled per second of recording.
pub const SAMPLE_FPS: f64 = 5.0;
/// Longest side of a sampled frame, pixels (faces at selfie distance stay > 100 px).
pub const SAMPLE_MAX_SIDE: u32 = 480;
/// Progress is written to Postgres at most this often (fractions of the work).
const PROGRESS_STEP: f32 = 0.1;

/// One recording to process.
#[derive(Debug)]
pub struct ExtractJob {
    pub avatar: Uuid,
    pub video: Vec<u8>,
    pub expected: Vec<faces::Turn>,
    /// Where the raw upload is stored, deleted after extraction unless `keep_raw`.
    pub raw_key: String,
    pub keep_raw: bool,
}

/// The queue's sending side.
#[derive(Debug, Clone)]
pub struct Extractor {
    tx: SyncSender<ExtractJob>,
}

/// The queue is full.
#[derive(Debug, thiserror::Error)]
#[error("avatar extraction is busy; try again in a minute")]
pub struct ExtractBusy;

/// A refusal: what the owner is told.
#[derive(Debug)]
struct Refusal(FailReason, String);

impl Extractor {
    /// Loads the face models and starts the extraction thread.
    pub fn start(
        db: Db,
        objects: Arc<dyn ObjectStore>,
        models_dir: PathBuf,
        rt: Handle,
    ) -> Result<Self, faces::FaceError> {
        let models = faces::FaceModels::load(&models_dir)?;
        let (tx, rx) = sync_channel::<ExtractJob>(EXTRACT_QUEUE);
        let spawned = std::thread::Builder::new()
            .name("avatar-extract".into())
            .spawn(move || {
                for job in rx {
                    let ctx = Ctx {
                        db: &db,
                        objects: &objects,
                        rt: &rt,
                    };
                    let avatar = job.avatar;
                    if catch_unwind(AssertUnwindSafe(|| ctx.run(&models, job))).is_err() {
                        tracing::error!(%avatar, "avatar extraction panicked");
                        let _ = rt.block_on(db.avatar_failed(
                            avatar,
                            FailReason::UnsupportedFormat,
                            "this recording could not be processed",
                        ));
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!(%e, "could not start the avatar extraction thread");
        }
        Ok(Extractor { tx })
    }

    /// Queues a recording; refuses when [`EXTRACT_QUEUE`] are waiting.
    pub fn submit(&self, job: ExtractJob) -> Result<(), ExtractBusy> {
        self.tx.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) | TrySendError::Disconnected(_) => ExtractBusy,
        })
    }
}

struct Ctx<'a> {
    db: &'a Db,
    objects: &'a Arc<dyn ObjectStore>,
    rt: &'a Handle,
}

fn decode_refusal(e: UploadError) -> Refusal {
    match e {
        UploadError::TooLong { seconds } => Refusal(
            FailReason::TooLong,
            format!("the recording is {seconds:.0} s long; keep it under {MAX_RECORDING_SECS:.0} s"),
        ),
        other => Refusal(
            FailReason::UnsupportedFormat,
            format!("this is not a WebM (VP8/VP9) or MP4 (H.264) recording we can read: {other}"),
        ),
    }
}

fn face_refusal(r: faces::Rejection) -> Refusal {
    use faces::Rejection as R;
    let (reason, text) = match &r {
        R::NoFace => (
            FailReason::NoFace,
            "we could not see a face in most of the recording".to_string(),
        ),
        R::TwoFaces => (
            FailReason::TwoFaces,
            "more than one face is in the picture: record alone".into(),
        ),
        R::FaceTooSmall => (
            FailReason::FaceTooSmall,
            "the face is too small: move closer to the camera".into(),
        ),
        R::TooDark => (FailReason::TooDark, "it is too dark to see the face: add light".into()),
        R::TooBlurry => (
            FailReason::TooBlurry,
            "the recording is too blurry: hold still between turns".into(),
        ),
        R::ChallengeNotFollowed { expected, seen } => (
            FailReason::ChallengeNotFollowed,
            format!("the head turns did not follow the challenge (asked {expected:?}, saw {seen:?})"),
        ),
    };
    Refusal(reason, text)
}

impl Ctx<'_> {
    fn run(&self, models: &faces::FaceModels, job: ExtractJob) {
        let started = Instant::now();
        let avatar = job.avatar;
        let outcome = self.extract(models, &job, started);
        if !job.keep_raw || outcome.is_err() {
            // Raw selfie video is biometric: kept only when the owner asks and it succeeded.
            let _ = self
                .rt
                .block_on(self.objects.delete(&ObjectPath::from(job.raw_key.as_str())));
        }
        let written = match outcome {
            Ok(x) => self.rt.block_on(self.db.avatar_ready(avatar, &x, job.keep_raw)),
            Err(Refusal(reason, message)) => {
                tracing::info!(%avatar, ?reason, "avatar recording refused");
                self.rt.block_on(self.db.avatar_failed(avatar, reason, &message))
            }
        };
        if let Err(e) = written {
            tracing::warn!(%avatar, %e, "storing the extraction result failed");
        }
    }

    fn extract(&self, models: &faces::FaceModels, job: &ExtractJob, started: Instant) -> Result<Extracted, Refusal> {
        let limits = DecodeLimits {
            max_bytes: MAX_UPLOAD_BYTES,
            max_duration_s: MAX_RECORDING_SECS,
            sample_fps: SAMPLE_FPS,
            max_side: SAMPLE_MAX_SIDE,
        };
        let video = decode_upload(&job.video, &limits).map_err(decode_refusal)?;
        if video.duration_s < MIN_RECORDING_SECS {
            return Err(Refusal(
                FailReason::TooShort,
                format!(
                    "the recording is {:.1} s long; record at least {MIN_RECORDING_SECS:.0} s",
                    video.duration_s
                ),
            ));
        }
        let frames: Vec<faces::Frame> = video
            .frames
            .iter()
            .map(|f| faces::Frame {
                t_ms: f.t_ms,
                width: f.width,
                height: f.height,
                rgb: &f.rgb,
            })
            .collect();
        let mut last = 0.0f32;
        let mut progress = |p: f32| {
            if p - last >= PROGRESS_STEP {
                last = p;
                let _ = self.rt.block_on(self.db.avatar_progress(job.avatar, p.min(0.99)));
            }
        };
        let enrolment = faces::enroll(models, &frames, &job.expected, &mut progress).map_err(face_refusal)?;
        let mut crop_keys = Vec::with_capacity(enrolment.crops.len());
        for (i, png) in enrolment.crops.iter().enumerate() {
            let key = format!("avatars/{}/crop{i}.png", job.avatar);
            self.rt
                .block_on(self.objects.put(&ObjectPath::from(key.as_str()), png.clone().into()))
                .map_err(|e| Refusal(FailReason::UnsupportedFormat, format!("storing the crops failed: {e}")))?;
            crop_keys.push(key);
        }
        let turns: Vec<String> = enrolment
            .turns
            .iter()
            .map(|t| match t {
                faces::Turn::Left => "left".to_string(),
                faces::Turn::Right => "right".to_string(),
            })
            .collect();
        let extraction = protocol::Extraction {
            frames: enrolment.frames,
            frames_with_face: enrolment.frames_with_face,
            duration_s: video.duration_s,
            turns,
            elapsed_ms: started.elapsed().as_millis() as u64,
        };
        Ok(Extracted {
            reference: enrolment.reference,
            crop_keys,
            embedding: enrolment.embedding.to_vec(),
            extraction: serde_json::to_value(extraction).unwrap_or_default(),
        })
    }
}
