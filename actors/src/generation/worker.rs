//! A generation worker: one OS thread that owns one model on one device and runs jobs one at a
//! time, reporting progress to the job's room. Never runs on an async or arbiter thread. A panic
//! inside a job fails only that job; the worker then rebuilds its model and carries on.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix::{Message, Recipient};
use engine::sampler::{append_chunk, chunk_options, sample};
use engine::{Denoiser, EngineError, Prompt, SampleOptions, StepAction};

use super::queue::{JobId, JobTicket};

/// Builds worker `i`'s model (e.g. on GPU `i`); called at start and again after a crash.
pub type DenoiserFactory = Arc<dyn Fn(usize) -> Result<Box<dyn Denoiser>, EngineError> + Send + Sync>;

/// What the room hears about a job.
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub enum JobEvent {
    Queued {
        job: JobId,
        position: usize,
    },
    Started {
        job: JobId,
        worker: usize,
    },
    /// After every denoising step: the current clean estimate (RGB, 16 × 64 × 64 × 3).
    Progress {
        job: JobId,
        step: usize,
        steps: usize,
        chunk: usize,
        chunks: usize,
        eta_ms: u64,
        frames: Arc<Vec<u8>>,
    },
    /// All frames (chunks joined, context frames not repeated).
    Finished {
        job: JobId,
        frames: Arc<Vec<u8>>,
        elapsed_ms: u64,
    },
    Failed {
        job: JobId,
        reason: String,
        /// Set when a cast avatar's consent ended mid-job (`@handle`).
        refused_avatar: Option<String>,
    },
    Cancelled {
        job: JobId,
    },
}

/// Shared between the scheduler (which sets it) and the worker (which reads it between steps).
#[derive(Debug, Default)]
pub struct JobControl {
    cancelled: AtomicBool,
    /// One per cast avatar; the job stops at its next step once any is withdrawn.
    leases: Vec<Arc<crate::consent::Lease>>,
    /// New prompts for the job's segments (live mode), taken by the worker between steps.
    live_prompts: Mutex<Option<Vec<Prompt>>>,
}

impl JobControl {
    /// A control for a job that casts avatars under these leases.
    pub fn with_leases(leases: Vec<Arc<crate::consent::Lease>>) -> Self {
        JobControl {
            leases,
            ..Default::default()
        }
    }

    /// The first cast avatar whose consent ended (its `@handle`).
    pub fn refused_avatar(&self) -> Option<&str> {
        self.leases.iter().find(|l| !l.allowed()).map(|l| l.handle.as_str())
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// Replaces the segments' prompts from the next step on (live mode).
    pub fn set_prompts(&self, prompts: Vec<Prompt>) {
        if let Ok(mut p) = self.live_prompts.lock() {
            *p = Some(prompts);
        }
    }

    fn take_prompts(&self) -> Option<Vec<Prompt>> {
        self.live_prompts.lock().ok().and_then(|mut p| p.take())
    }
}

/// A stretch of a job with one prompt (one shot of a script).
#[derive(Debug, Clone)]
pub struct Segment {
    pub prompt: Prompt,
    /// Chunks of this segment; each continues from the last frames before it.
    pub chunks: usize,
    pub seed: u64,
}

#[derive(Debug)]
pub struct Job {
    pub ticket: JobTicket,
    pub segments: Vec<Segment>,
    /// Steps, guidance and remix source (the first chunk only); seeds come from the segments.
    pub options: SampleOptions,
    pub control: Arc<JobControl>,
    pub events: Recipient<JobEvent>,
}

impl Job {
    pub fn chunks(&self) -> usize {
        self.segments.iter().map(|s| s.chunks).sum()
    }
}

/// Told to the scheduler when a worker is free again.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct WorkerDone {
    pub worker: usize,
    pub job: JobId,
}

#[derive(Debug)]
pub struct WorkerHandle {
    tx: SyncSender<Job>,
}

impl WorkerHandle {
    /// Hands a job to an idle worker; gives it back if the worker is busy or gone.
    pub fn try_run(&self, job: Job) -> Result<(), Box<Job>> {
        self.tx.try_send(job).map_err(|e| match e {
            TrySendError::Full(j) | TrySendError::Disconnected(j) => Box::new(j),
        })
    }
}

enum Outcome {
    Finished(Vec<u8>),
    Cancelled,
    /// A cast avatar's consent ended: the job stopped before its next step.
    Refused(String),
}

fn run_job(den: &dyn Denoiser, job: &Job) -> Result<Outcome, EngineError> {
    let started = Instant::now();
    let chunks = job.chunks();
    let total_steps = job.options.steps * chunks;
    let mut prompts: Vec<Prompt> = job.segments.iter().map(|s| s.prompt.clone()).collect();
    let mut all: Vec<u8> = Vec::new();
    let mut chunk = 0;
    for (seg_index, segment) in job.segments.iter().enumerate() {
        for k in 0..segment.chunks {
            if let Some(p) = job.control.take_prompts() {
                prompts = p;
            }
            // Chunk k of a segment starts k × NEW_FRAMES_PER_CHUNK frames in, so model v2's
            // planned motion continues across chunks.
            let mut prompt = prompts
                .get(seg_index)
                .cloned()
                .unwrap_or_else(|| segment.prompt.clone())
                .at_frame((k * engine::sampler::NEW_FRAMES_PER_CHUNK) as f32);
            let opts = chunk_options(&job.options, segment.seed.wrapping_add(k as u64), &all);
            if let Some(handle) = job.control.refused_avatar() {
                return Ok(Outcome::Refused(handle.to_owned()));
            }
            let g = sample(den, &prompt.clone(), &opts, &mut |p| {
                // Consent is checked before every step, not only when the job starts.
                if job.control.is_cancelled() || job.control.refused_avatar().is_some() {
                    return StepAction::Stop;
                }
                let done = chunk * job.options.steps + p.step;
                let per_step = started.elapsed().as_secs_f64() / done as f64;
                let eta_ms = (per_step * total_steps.saturating_sub(done) as f64 * 1000.0) as u64;
                let _ = job.events.try_send(JobEvent::Progress {
                    job: job.ticket.id,
                    step: p.step,
                    steps: p.steps,
                    chunk: chunk + 1,
                    chunks,
                    eta_ms,
                    frames: Arc::new(p.frames.to_vec()),
                });
                let Some(next) = job.control.take_prompts() else {
                    return StepAction::Continue;
                };
                let changed = next.get(seg_index).filter(|n| **n != prompt).cloned();
                prompts = next;
                match changed {
                    Some(n) => {
                        prompt = n.clone();
                        StepAction::Prompt(n)
                    }
                    None => StepAction::Continue,
                }
            })?;
            if g.stopped {
                return Ok(match job.control.refused_avatar() {
                    Some(handle) => Outcome::Refused(handle.to_owned()),
                    None => Outcome::Cancelled,
                });
            }
            append_chunk(&mut all, &g.frames);
            chunk += 1;
        }
    }
    Ok(Outcome::Finished(all))
}

/// Jobs a worker holds beyond the one it runs (it only gets work when idle).
const WORKER_QUEUE: usize = 1;

/// Starts worker `index` on its own thread.
pub fn spawn_worker(
    index: usize,
    factory: DenoiserFactory,
    done: Recipient<WorkerDone>,
) -> std::io::Result<WorkerHandle> {
    let (tx, rx) = sync_channel::<Job>(WORKER_QUEUE);
    std::thread::Builder::new()
        .name(format!("gen-worker-{index}"))
        .spawn(move || {
            let mut model = factory(index);
            if let Err(e) = &model {
                tracing::error!(worker = index, error = %e, "generation worker could not load its model");
            }
            for job in rx {
                let id = job.ticket.id;
                let event = match &model {
                    Err(e) => JobEvent::Failed {
                        job: id,
                        reason: format!("model unavailable: {e}"),
                        refused_avatar: None,
                    },
                    Ok(den) => {
                        job.events.do_send(JobEvent::Started { job: id, worker: index });
                        let started = Instant::now();
                        match catch_unwind(AssertUnwindSafe(|| run_job(den.as_ref(), &job))) {
                            Ok(Ok(Outcome::Finished(frames))) => JobEvent::Finished {
                                job: id,
                                frames: Arc::new(frames),
                                elapsed_ms: started.elapsed().as_millis() as u64,
                            },
                            Ok(Ok(Outcome::Cancelled)) => JobEvent::Cancelled { job: id },
                            Ok(Ok(Outcome::Refused(handle))) => JobEvent::Failed {
                                job: id,
                                reason: format!("@{handle}'s owner no longer lets you cast them: the video stopped"),
                                refused_avatar: Some(handle),
                            },
                            Ok(Err(e)) => JobEvent::Failed {
                                job: id,
                                reason: e.to_string(),
                                refused_avatar: None,
                            },
                            Err(_) => {
                                tracing::error!(
                                    worker = index,
                                    job = id,
                                    "generation worker crashed; restarting its model"
                                );
                                model = factory(index);
                                JobEvent::Failed {
                                    job: id,
                                    reason: "the generation worker crashed".into(),
                                    refused_avatar: None,
                                }
                            }
                        }
                    }
                };
                job.events.do_send(event);
                done.do_send(WorkerDone { worker: index, job: id });
            }
        })?;
    Ok(WorkerHandle { tx })
}
