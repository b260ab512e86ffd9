//! The `Scheduler` actor: owns the generation queue and the workers. Rooms submit jobs, cancel
//! them and swap their prompts (live mode); workers report back when free. Fair across rooms
//! (round-robin), on-air rooms first, per-room and per-user limits (`queue`). Every queued job's
//! room hears its position whenever it changes.

use std::collections::HashMap;
use std::sync::Arc;

use actix::{Actor, AsyncContext, Context, Handler, Message, Recipient};
use engine::{Prompt, SampleOptions};

use uuid::Uuid;

use super::queue::{AdmitError, JobId, JobQueue, JobTicket};
use super::worker::{spawn_worker, DenoiserFactory, Job, JobControl, JobEvent, Segment, WorkerDone, WorkerHandle};

/// Longest extension a job may ask for, in chunks (60 s at 12 new frames per chunk).
pub const MAX_CHUNKS: usize = 40;

#[derive(Debug, Message)]
#[rtype(result = "Result<JobId, SubmitError>")]
pub struct Submit {
    pub room: Uuid,
    pub user: Uuid,
    pub on_air: bool,
    pub segments: Vec<Segment>,
    pub options: SampleOptions,
    pub events: Recipient<JobEvent>,
    /// Consent leases of the avatars the job casts (checked before every step).
    pub leases: Vec<std::sync::Arc<crate::consent::Lease>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    #[error(transparent)]
    Admit(#[from] AdmitError),
    #[error("a job has 1..={MAX_CHUNKS} chunks")]
    BadChunks,
}

/// Cancels a queued or running job; answers whether it existed.
#[derive(Debug, Message)]
#[rtype(result = "bool")]
pub struct Cancel(pub JobId);

/// Cancels every job of a room (it emptied); answers how many.
#[derive(Debug, Message)]
#[rtype(result = "usize")]
pub struct CancelRoom(pub Uuid);

/// Live mode: the job continues with these segment prompts from its next step.
#[derive(Debug, Message)]
#[rtype(result = "bool")]
pub struct SetPrompts {
    pub job: JobId,
    pub prompts: Vec<Prompt>,
}

struct Worker {
    handle: WorkerHandle,
    busy: Option<JobTicket>,
}

pub struct Scheduler {
    queue: JobQueue,
    workers: Vec<Worker>,
    waiting: HashMap<JobId, Job>,
    controls: HashMap<JobId, Arc<JobControl>>,
    /// The queue position each waiting job's room last heard (so only changes are sent).
    told: HashMap<JobId, usize>,
    next_id: JobId,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("queued", &self.queue.queued())
            .field("workers", &self.workers.len())
            .finish()
    }
}

impl Actor for Scheduler {
    type Context = Context<Self>;
}

impl Scheduler {
    /// Starts the scheduler and `workers` worker threads, each building its model with `factory`.
    pub fn start(workers: usize, factory: DenoiserFactory) -> std::io::Result<actix::Addr<Scheduler>> {
        let mut spawn_error = None;
        let addr = Scheduler::create(|ctx| {
            let done = ctx.address().recipient::<WorkerDone>();
            let mut list = Vec::new();
            for i in 0..workers.max(1) {
                match spawn_worker(i, factory.clone(), done.clone()) {
                    Ok(handle) => list.push(Worker { handle, busy: None }),
                    Err(e) => spawn_error = Some(e),
                }
            }
            Scheduler {
                queue: JobQueue::default(),
                workers: list,
                waiting: HashMap::new(),
                controls: HashMap::new(),
                told: HashMap::new(),
                next_id: 1,
            }
        });
        match spawn_error {
            Some(e) => Err(e),
            None => Ok(addr),
        }
    }

    /// Gives queued jobs to idle workers, then tells every still-queued job its position.
    fn dispatch(&mut self) {
        for w in self.workers.iter_mut().filter(|w| w.busy.is_none()) {
            let Some(ticket) = self.queue.pop() else { break };
            let Some(job) = self.waiting.remove(&ticket.id) else {
                continue;
            };
            match w.handle.try_run(job) {
                Ok(()) => w.busy = Some(ticket),
                Err(job) => {
                    // The worker thread is gone: fail the job rather than lose it.
                    job.events.do_send(JobEvent::Failed {
                        job: ticket.id,
                        reason: "no generation worker".into(),
                        refused_avatar: None,
                    });
                    self.queue.release(&ticket);
                    self.controls.remove(&ticket.id);
                }
            }
        }
        for (i, t) in self.queue.order().iter().enumerate() {
            let position = i + 1;
            if let Some(job) = self.waiting.get(&t.id) {
                if self.told.insert(t.id, position) != Some(position) {
                    let _ = job.events.try_send(JobEvent::Queued { job: t.id, position });
                }
            }
        }
        let waiting = &self.waiting;
        self.told.retain(|id, _| waiting.contains_key(id));
    }
}

impl Handler<Submit> for Scheduler {
    type Result = Result<JobId, SubmitError>;

    fn handle(&mut self, msg: Submit, _ctx: &mut Context<Self>) -> Self::Result {
        let chunks: usize = msg.segments.iter().map(|s| s.chunks).sum();
        if chunks == 0 || chunks > MAX_CHUNKS || msg.segments.iter().any(|s| s.chunks == 0) {
            return Err(SubmitError::BadChunks);
        }
        let id = self.next_id;
        let ticket = JobTicket {
            id,
            room: msg.room,
            user: msg.user,
            on_air: msg.on_air,
        };
        let position = self.queue.admit(ticket)?;
        self.next_id += 1;
        // Acknowledged at once (with its id), before a worker may pick it up.
        let _ = msg.events.try_send(JobEvent::Queued { job: id, position });
        self.told.insert(id, position);
        let control = Arc::new(JobControl::with_leases(msg.leases));
        self.controls.insert(id, control.clone());
        let job = Job {
            ticket,
            segments: msg.segments,
            options: msg.options,
            control,
            events: msg.events,
        };
        self.waiting.insert(id, job);
        self.dispatch();
        Ok(id)
    }
}

impl Handler<Cancel> for Scheduler {
    type Result = bool;

    fn handle(&mut self, msg: Cancel, _ctx: &mut Context<Self>) -> bool {
        if self.queue.cancel(msg.0).is_some() {
            if let Some(job) = self.waiting.remove(&msg.0) {
                job.events.do_send(JobEvent::Cancelled { job: msg.0 });
            }
            self.controls.remove(&msg.0);
            self.dispatch();
            return true;
        }
        // Running: the worker stops at its next step and reports `Cancelled`.
        match self.controls.get(&msg.0) {
            Some(control) => {
                control.cancel();
                true
            }
            None => false,
        }
    }
}

impl Handler<CancelRoom> for Scheduler {
    type Result = usize;

    fn handle(&mut self, msg: CancelRoom, ctx: &mut Context<Self>) -> usize {
        let mut ids: Vec<JobId> = self.queue.cancel_room(msg.0).iter().map(|t| t.id).collect();
        for id in &ids {
            if let Some(job) = self.waiting.remove(id) {
                job.events.do_send(JobEvent::Cancelled { job: *id });
            }
            self.controls.remove(id);
        }
        let running: Vec<JobId> = self
            .workers
            .iter()
            .filter_map(|w| w.busy.filter(|t| t.room == msg.0).map(|t| t.id))
            .collect();
        for id in running {
            self.handle(Cancel(id), ctx);
            ids.push(id);
        }
        self.dispatch();
        ids.len()
    }
}

impl Handler<SetPrompts> for Scheduler {
    type Result = bool;

    fn handle(&mut self, msg: SetPrompts, _ctx: &mut Context<Self>) -> bool {
        if let Some(job) = self.waiting.get_mut(&msg.job) {
            for (segment, prompt) in job.segments.iter_mut().zip(msg.prompts) {
                segment.prompt = prompt;
            }
            return true;
        }
        match self.controls.get(&msg.job) {
            Some(control) => {
                control.set_prompts(msg.prompts);
                true
            }
            None => false,
        }
    }
}

impl Handler<WorkerDone> for Scheduler {
    type Result = ();

    fn handle(&mut self, msg: WorkerDone, _ctx: &mut Context<Self>) {
        if let Some(w) = self.workers.get_mut(msg.worker) {
            if let Some(t) = w.busy.take() {
                self.queue.release(&t);
            }
        }
        self.controls.remove(&msg.job);
        self.dispatch();
    }
}
