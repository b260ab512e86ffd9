//! Video generation: the [`scheduler::Scheduler`] actor queues jobs fairly across rooms and
//! hands them to [`worker`] threads that each own one model (engine) on one device. Rooms hear
//! queue positions, per-step progress with preview frames, and the outcome as [`JobEvent`]s.

pub mod queue;
pub mod scheduler;
pub mod worker;

pub use queue::{AdmitError, JobId};
pub use scheduler::{Cancel, CancelRoom, Scheduler, SetPrompts, Submit, SubmitError, MAX_CHUNKS};
pub use worker::{DenoiserFactory, JobEvent, Segment};
