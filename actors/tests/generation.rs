//! The generation scheduler and its worker threads: a real job on the shipped model, fairness
//! between rooms sharing one worker, a crashing model failing one job only, cancellation and
//! limits.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix::{Actor, Context, Handler};
use actors::generation::*;
use engine::denoiser::Conditioning;
use engine::{Denoiser, EngineError, NativeDenoiser, Prompt, SampleOptions};
use tch::{Device, Kind, Tensor};
use uuid::Uuid;
use world::{Colour, Vocab};

/// Collects every event in arrival order.
#[derive(Debug, Default, Clone)]
struct Log(Arc<Mutex<Vec<JobEvent>>>);

impl Actor for Log {
    type Context = Context<Self>;
}

impl Handler<JobEvent> for Log {
    type Result = ();
    fn handle(&mut self, ev: JobEvent, _ctx: &mut Context<Self>) {
        self.0.lock().expect("log").push(ev);
    }
}

impl Log {
    fn events(&self) -> Vec<JobEvent> {
        self.0.lock().expect("log").clone()
    }

    fn terminal(&self) -> Vec<JobEvent> {
        self.events()
            .into_iter()
            .filter(|e| {
                matches!(
                    e,
                    JobEvent::Finished { .. } | JobEvent::Failed { .. } | JobEvent::Cancelled { .. }
                )
            })
            .collect()
    }

    async fn wait_terminal(&self, n: usize) -> Vec<JobEvent> {
        for _ in 0..600 {
            if self.terminal().len() >= n {
                return self.terminal();
            }
            actix::clock::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out waiting for {n} finished jobs: {:?}", self.terminal());
    }
}

fn job_of(e: &JobEvent) -> JobId {
    match e {
        JobEvent::Queued { job, .. }
        | JobEvent::Started { job, .. }
        | JobEvent::Progress { job, .. }
        | JobEvent::Finished { job, .. }
        | JobEvent::Failed { job, .. }
        | JobEvent::Cancelled { job } => *job,
    }
}

/// A small stand-in model: predicts flat grey after a short pause, and panics when the prompt's
/// first word is unknown (`<unk>`), to crash its worker on purpose.
struct Scripted;

impl Denoiser for Scripted {
    fn name(&self) -> &str {
        "scripted"
    }
    fn device(&self) -> Device {
        Device::Cpu
    }
    fn condition(&self, prompts: &[Prompt]) -> Result<Conditioning, EngineError> {
        let ids: Vec<i64> = prompts.iter().map(|p| p.tokens[0]).collect();
        Ok(Conditioning::Tokens(Tensor::from_slice(&ids)))
    }
    fn predict(
        &self,
        x_t: &Tensor,
        _t: &Tensor,
        cond: &Conditioning,
        _k: &Tensor,
        _m: &Tensor,
    ) -> Result<Tensor, EngineError> {
        let Conditioning::Tokens(ids) = cond else {
            return Err(EngineError::InvalidRequest("tokens expected".into()));
        };
        assert_ne!(ids.int64_value(&[0]), world::vocab::UNK, "scripted crash");
        std::thread::sleep(Duration::from_millis(5));
        Ok(Tensor::zeros(x_t.size(), (Kind::Float, Device::Cpu)))
    }
}

/// Workers that load the shipped model.
fn shipped_factory() -> DenoiserFactory {
    let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../models/reelroom-v1"));
    Arc::new(move |_| Ok(Box::new(NativeDenoiser::load(&dir, Device::Cpu)?) as Box<dyn Denoiser>))
}

fn scripted_factory(builds: Arc<Mutex<usize>>) -> DenoiserFactory {
    Arc::new(move |_| {
        *builds.lock().expect("count") += 1;
        Ok(Box::new(Scripted) as Box<dyn Denoiser>)
    })
}

fn submit(room: Uuid, text: &str, steps: usize, log: &actix::Addr<Log>) -> Submit {
    Submit {
        room,
        user: Uuid::new_v4(),
        on_air: false,
        segments: vec![Segment {
            prompt: Prompt::text(&Vocab::new(), text),
            chunks: 1,
            seed: 0,
        }],
        options: SampleOptions {
            steps,
            guidance: 1.0,
            ..Default::default()
        },
        events: log.clone().recipient(),
        leases: Vec::new(),
    }
}

#[actix::test]
async fn a_job_on_the_shipped_model_streams_progress_and_finishes() {
    let scheduler = Scheduler::start(1, shipped_factory()).expect("start");
    let log = Log::default();
    let addr = log.clone().start();
    let mut job = submit(Uuid::new_v4(), "a blue ball moving right", 8, &addr);
    job.options.guidance = engine::DEFAULT_GUIDANCE;
    let id = scheduler.send(job).await.expect("mailbox").expect("admitted");
    let done = log.wait_terminal(1).await;
    let JobEvent::Finished { job, frames, .. } = &done[0] else {
        panic!("{done:?}")
    };
    assert_eq!(*job, id);
    assert_eq!(frames.len(), world::FRAMES * world::SIZE * world::SIZE * 3);
    let clip = world::Clip {
        frames: world::FRAMES,
        size: world::SIZE,
        rgb: frames.to_vec(),
    };
    assert_eq!(world::score_clip(&clip).colour, Some(Colour::Blue));
    let steps: Vec<usize> = log
        .events()
        .iter()
        .filter_map(|e| {
            if let JobEvent::Progress { step, .. } = e {
                Some(*step)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(steps, (1..=8).collect::<Vec<_>>(), "a preview after every step");
}

#[actix::test]
async fn two_rooms_share_one_worker_in_turns() {
    let scheduler = Scheduler::start(1, scripted_factory(Arc::default())).expect("start");
    let log = Log::default();
    let addr = log.clone().start();
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let a1 = scheduler
        .send(submit(a, "a red ball", 4, &addr))
        .await
        .expect("mailbox")
        .expect("a1");
    let a2 = scheduler
        .send(submit(a, "a red ball", 4, &addr))
        .await
        .expect("mailbox")
        .expect("a2");
    let a3 = scheduler
        .send(submit(a, "a red ball", 4, &addr))
        .await
        .expect("mailbox")
        .expect("a3");
    let b1 = scheduler
        .send(submit(b, "a red ball", 4, &addr))
        .await
        .expect("mailbox")
        .expect("b1");
    let order: Vec<JobId> = log.wait_terminal(4).await.iter().map(job_of).collect();
    assert_eq!(
        order,
        vec![a1, a2, b1, a3],
        "b's job runs before a's third (a1 was already running)"
    );
    let b1_positions: Vec<usize> = log
        .events()
        .iter()
        .filter_map(|e| match e {
            JobEvent::Queued { job, position } if *job == b1 => Some(*position),
            _ => None,
        })
        .collect();
    assert_eq!(
        b1_positions.first(),
        Some(&2),
        "queued behind a2 only: {b1_positions:?}"
    );
}

#[actix::test]
async fn a_crash_fails_one_job_and_the_next_succeeds() {
    let builds = Arc::new(Mutex::new(0));
    let scheduler = Scheduler::start(1, scripted_factory(builds.clone())).expect("start");
    let log = Log::default();
    let addr = log.clone().start();
    let room = Uuid::new_v4();
    let bad = scheduler
        .send(submit(room, "zzzz crash", 4, &addr))
        .await
        .expect("mailbox")
        .expect("bad");
    let good = scheduler
        .send(submit(room, "a red ball", 4, &addr))
        .await
        .expect("mailbox")
        .expect("good");
    let done = log.wait_terminal(2).await;
    assert!(
        matches!(&done[0], JobEvent::Failed { job, reason, .. } if *job == bad && reason.contains("crashed")),
        "{done:?}"
    );
    assert!(
        matches!(&done[1], JobEvent::Finished { job, .. } if *job == good),
        "{done:?}"
    );
    assert_eq!(
        *builds.lock().expect("count"),
        2,
        "the worker rebuilt its model after the crash"
    );
}

#[actix::test]
async fn cancel_stops_running_and_queued_jobs() {
    let scheduler = Scheduler::start(1, scripted_factory(Arc::default())).expect("start");
    let log = Log::default();
    let addr = log.clone().start();
    let room = Uuid::new_v4();
    let running = scheduler
        .send(submit(room, "a red ball", 60, &addr))
        .await
        .expect("mailbox")
        .expect("running");
    let queued = scheduler
        .send(submit(room, "a red ball", 60, &addr))
        .await
        .expect("mailbox")
        .expect("queued");
    actix::clock::sleep(Duration::from_millis(50)).await;
    assert_eq!(scheduler.send(CancelRoom(room)).await.expect("mailbox"), 2);
    let done = log.wait_terminal(2).await;
    assert!(done.iter().all(|e| matches!(e, JobEvent::Cancelled { .. })), "{done:?}");
    let steps = log
        .events()
        .iter()
        .filter(|e| matches!(e, JobEvent::Progress { job, .. } if *job == running))
        .count();
    assert!(steps < 60, "stopped early ({steps} steps)");
    assert!(!log
        .events()
        .iter()
        .any(|e| matches!(e, JobEvent::Started { job, .. } if *job == queued)));
    actix::clock::sleep(Duration::from_millis(100)).await;
    assert!(!scheduler.send(Cancel(running)).await.expect("mailbox"), "already gone");
}

#[actix::test]
async fn limits_are_refused_with_a_reason() {
    let scheduler = Scheduler::start(1, scripted_factory(Arc::default())).expect("start");
    let log = Log::default();
    let addr = log.clone().start();
    let room = Uuid::new_v4();
    for _ in 0..queue::MAX_ACTIVE_PER_ROOM {
        scheduler
            .send(submit(room, "a red ball", 60, &addr))
            .await
            .expect("mailbox")
            .expect("admitted");
    }
    let refused = scheduler
        .send(submit(room, "a red ball", 4, &addr))
        .await
        .expect("mailbox");
    assert_eq!(refused, Err(SubmitError::Admit(AdmitError::RoomLimit)));
    let mut bad = submit(Uuid::new_v4(), "a red ball", 4, &addr);
    bad.segments[0].chunks = 0;
    assert_eq!(scheduler.send(bad).await.expect("mailbox"), Err(SubmitError::BadChunks));
    scheduler.send(CancelRoom(room)).await.expect("mailbox");
}

#[actix::test]
async fn live_prompts_steer_a_running_job() {
    let scheduler = Scheduler::start(1, shipped_factory()).expect("start");
    let log = Log::default();
    let addr = log.clone().start();
    let mut job = submit(Uuid::new_v4(), "a red ball moving right", 8, &addr);
    job.options.guidance = engine::DEFAULT_GUIDANCE;
    job.segments[0].chunks = 2;
    let id = scheduler.send(job).await.expect("mailbox").expect("admitted");
    // Wait for the first preview, then edit the prompt.
    for _ in 0..400 {
        if log.events().iter().any(|e| matches!(e, JobEvent::Progress { .. })) {
            break;
        }
        actix::clock::sleep(Duration::from_millis(5)).await;
    }
    let blue = Prompt::text(&Vocab::new(), "a blue ball moving right");
    assert!(scheduler
        .send(SetPrompts {
            job: id,
            prompts: vec![blue]
        })
        .await
        .expect("mailbox"));
    let done = log.wait_terminal(1).await;
    let JobEvent::Finished { frames, .. } = &done[0] else {
        panic!("{done:?}")
    };
    let per_chunk = world::FRAMES * world::SIZE * world::SIZE * 3;
    let last_chunk = world::Clip {
        frames: world::FRAMES - world::CONTEXT_FRAMES,
        size: world::SIZE,
        rgb: frames[per_chunk..].to_vec(),
    };
    assert_eq!(
        world::score_clip(&last_chunk).colour,
        Some(Colour::Blue),
        "the edit steered the job"
    );
}

#[actix::test]
async fn a_withdrawn_consent_lease_stops_the_job_before_its_next_step() {
    let scheduler = Scheduler::start(1, scripted_factory(Arc::default())).expect("start");
    let log = Log::default();
    let addr = log.clone().start();
    let leases = actors::consent::Leases::default();
    let avatar = Uuid::new_v4();
    let mut job = submit(Uuid::new_v4(), "a blue ball", 64, &addr);
    job.leases = vec![leases.grant(avatar, job.user, "alice", 0).expect("lease")];
    let id = scheduler.send(job).await.expect("mailbox").expect("admitted");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !log.events().iter().any(|e| matches!(e, JobEvent::Progress { .. })) {
        assert!(std::time::Instant::now() < deadline, "{:?}", log.events());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(leases.withdraw(avatar, None), 1);
    let done = log.wait_terminal(1).await;
    let JobEvent::Failed {
        job, refused_avatar, ..
    } = &done[0]
    else {
        panic!("{done:?}")
    };
    assert_eq!((*job, refused_avatar.as_deref()), (id, Some("alice")));
    let steps = log
        .events()
        .iter()
        .filter(|e| matches!(e, JobEvent::Progress { .. }))
        .count();
    assert!(steps < 64, "stopped early, after {steps} steps");
}
