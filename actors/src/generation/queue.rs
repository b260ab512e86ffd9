//! The generation queue as plain data: admission limits, round-robin fairness across rooms,
//! on-air rooms first (but never all the time: see [`ON_AIR_STREAK`]), positions and
//! cancellation. The `Scheduler` actor drives it; tests drive
//! it without a runtime.

use std::collections::{HashMap, VecDeque};

use uuid::Uuid;

/// Jobs waiting across all rooms.
pub const MAX_QUEUED_JOBS: usize = 256;
/// Jobs queued or running per room.
pub const MAX_ACTIVE_PER_ROOM: usize = 4;
/// Jobs queued or running per user.
pub const MAX_ACTIVE_PER_USER: usize = 3;

/// On-air jobs served in a row while other jobs wait; then one other job goes. A broadcast
/// keeps its lead (it asks for its next chunk ahead of need), and everyone else still moves:
/// with every worker busy on air, a normal job waits at most this many chunks.
pub const ON_AIR_STREAK: usize = 2;

pub type JobId = u64;

/// What the queue needs to know about a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobTicket {
    pub id: JobId,
    pub room: Uuid,
    pub user: Uuid,
    /// Jobs of on-air rooms go before all others.
    pub on_air: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AdmitError {
    #[error("the generation queue is full")]
    QueueFull,
    #[error("this room already has {MAX_ACTIVE_PER_ROOM} generations queued or running")]
    RoomLimit,
    #[error("you already have {MAX_ACTIVE_PER_USER} generations queued or running")]
    UserLimit,
}

/// Per-room FIFO queues served round-robin (two rings: on-air rooms, then the rest).
#[derive(Debug, Default, Clone)]
pub struct JobQueue {
    /// On-air jobs popped in a row while the other ring had work.
    on_air_streak: usize,
    per_room: HashMap<Uuid, VecDeque<JobTicket>>,
    on_air_ring: VecDeque<Uuid>,
    ring: VecDeque<Uuid>,
    queued: usize,
    active_by_room: HashMap<Uuid, usize>,
    active_by_user: HashMap<Uuid, usize>,
}

fn bump(map: &mut HashMap<Uuid, usize>, key: Uuid, up: bool) {
    let n = map.entry(key).or_default();
    *n = if up { *n + 1 } else { n.saturating_sub(1) };
    if *n == 0 {
        map.remove(&key);
    }
}

impl JobQueue {
    pub fn queued(&self) -> usize {
        self.queued
    }

    /// Queues a job; returns its 1-based position.
    pub fn admit(&mut self, job: JobTicket) -> Result<usize, AdmitError> {
        if self.queued >= MAX_QUEUED_JOBS {
            return Err(AdmitError::QueueFull);
        }
        if self.active_by_room.get(&job.room).copied().unwrap_or(0) >= MAX_ACTIVE_PER_ROOM {
            return Err(AdmitError::RoomLimit);
        }
        if self.active_by_user.get(&job.user).copied().unwrap_or(0) >= MAX_ACTIVE_PER_USER {
            return Err(AdmitError::UserLimit);
        }
        bump(&mut self.active_by_room, job.room, true);
        bump(&mut self.active_by_user, job.user, true);
        let q = self.per_room.entry(job.room).or_default();
        if q.is_empty() {
            if job.on_air {
                self.on_air_ring.push_back(job.room);
            } else {
                self.ring.push_back(job.room);
            }
        }
        q.push_back(job);
        self.queued += 1;
        Ok(self.position(job.id).unwrap_or(self.queued))
    }

    /// Takes the next job: the next on-air room's oldest job, else the next room's; after
    /// [`ON_AIR_STREAK`] on-air jobs in a row, a waiting normal job goes first.
    pub fn pop(&mut self) -> Option<JobTicket> {
        let normal_turn = self.on_air_ring.is_empty() || (!self.ring.is_empty() && self.on_air_streak >= ON_AIR_STREAK);
        if normal_turn {
            self.on_air_streak = 0;
        } else if !self.ring.is_empty() {
            self.on_air_streak += 1;
        }
        let ring = if normal_turn {
            &mut self.ring
        } else {
            &mut self.on_air_ring
        };
        let room = ring.pop_front()?;
        let q = self.per_room.get_mut(&room)?;
        let job = q.pop_front()?;
        if q.is_empty() {
            self.per_room.remove(&room);
        } else {
            ring.push_back(room);
        }
        self.queued -= 1;
        Some(job)
    }

    /// A popped job is over (finished, failed or cancelled while running): frees its slots.
    pub fn release(&mut self, job: &JobTicket) {
        bump(&mut self.active_by_room, job.room, false);
        bump(&mut self.active_by_user, job.user, false);
    }

    /// Removes a queued job; returns it if it was queued.
    pub fn cancel(&mut self, id: JobId) -> Option<JobTicket> {
        let (room, idx) = self
            .per_room
            .iter()
            .find_map(|(r, q)| q.iter().position(|j| j.id == id).map(|i| (*r, i)))?;
        let q = self.per_room.get_mut(&room)?;
        let job = q.remove(idx)?;
        if q.is_empty() {
            self.per_room.remove(&room);
            self.on_air_ring.retain(|r| *r != room);
            self.ring.retain(|r| *r != room);
        }
        self.queued -= 1;
        self.release(&job);
        Some(job)
    }

    /// Removes every queued job of a room.
    pub fn cancel_room(&mut self, room: Uuid) -> Vec<JobTicket> {
        let ids: Vec<JobId> = self
            .per_room
            .get(&room)
            .map(|q| q.iter().map(|j| j.id).collect())
            .unwrap_or_default();
        ids.into_iter().filter_map(|id| self.cancel(id)).collect()
    }

    /// The order jobs will be served in, as things stand (popping a copy: at most
    /// [`MAX_QUEUED_JOBS`] jobs, so this stays cheap and can never disagree with `pop`).
    pub fn order(&self) -> Vec<JobTicket> {
        let mut copy = self.clone();
        std::iter::from_fn(|| copy.pop()).collect()
    }

    /// 1-based position of a queued job.
    pub fn position(&self, id: JobId) -> Option<usize> {
        self.order().iter().position(|j| j.id == id).map(|i| i + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(id: JobId, room: Uuid, on_air: bool) -> JobTicket {
        JobTicket {
            id,
            room,
            user: Uuid::new_v4(),
            on_air,
        }
    }

    #[test]
    fn rooms_take_turns_and_on_air_rooms_go_first() {
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let mut q = JobQueue::default();
        assert_eq!(q.admit(ticket(1, a, false)), Ok(1));
        assert_eq!(q.admit(ticket(2, a, false)), Ok(2));
        assert_eq!(q.admit(ticket(3, a, false)), Ok(3));
        assert_eq!(
            q.admit(ticket(4, b, false)),
            Ok(2),
            "b's first job overtakes a's second"
        );
        assert_eq!(q.admit(ticket(5, c, true)), Ok(1), "on air goes first");
        let order: Vec<JobId> = std::iter::from_fn(|| q.pop()).map(|j| j.id).collect();
        assert_eq!(order, vec![5, 1, 4, 2, 3]);
        assert_eq!(q.queued(), 0);
    }

    #[test]
    fn on_air_rooms_cannot_starve_other_jobs() {
        // The audit's F10: two broadcasters keep their queues full; a third user's job must
        // still go within ON_AIR_STREAK chunks.
        let (air1, air2, normal) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let mut q = JobQueue::default();
        let mut next = 0;
        for _ in 0..2 {
            for room in [air1, air2] {
                next += 1;
                q.admit(ticket(next, room, true)).expect("admit");
            }
        }
        q.admit(ticket(100, normal, false)).expect("admit");
        assert_eq!(q.position(100), Some(ON_AIR_STREAK + 1));
        let mut served = Vec::new();
        while let Some(job) = q.pop() {
            served.push(job.id);
            q.release(&job);
            if job.on_air {
                // A broadcast asks for its next chunk as soon as one starts.
                next += 1;
                if next < 20 {
                    q.admit(ticket(next, job.room, true)).expect("admit");
                }
            }
        }
        let at = served.iter().position(|id| *id == 100).expect("served");
        assert_eq!(
            at, ON_AIR_STREAK,
            "normal job served after {at} on-air jobs: {served:?}"
        );
    }

    #[test]
    fn limits_count_queued_and_running_jobs() {
        let room = Uuid::new_v4();
        let mut q = JobQueue::default();
        for id in 0..MAX_ACTIVE_PER_ROOM as u64 {
            q.admit(ticket(id, room, false)).expect("under the limit");
        }
        assert_eq!(q.admit(ticket(99, room, false)), Err(AdmitError::RoomLimit));
        let running = q.pop().expect("job");
        assert_eq!(
            q.admit(ticket(99, room, false)),
            Err(AdmitError::RoomLimit),
            "running jobs count"
        );
        q.release(&running);
        assert!(q.admit(ticket(99, room, false)).is_ok());
        let user = Uuid::new_v4();
        let mut q = JobQueue::default();
        for id in 0..MAX_ACTIVE_PER_USER as u64 {
            q.admit(JobTicket {
                id,
                room: Uuid::new_v4(),
                user,
                on_air: false,
            })
            .expect("under the limit");
        }
        assert_eq!(
            q.admit(JobTicket {
                id: 50,
                room: Uuid::new_v4(),
                user,
                on_air: false
            }),
            Err(AdmitError::UserLimit)
        );
    }

    #[test]
    fn cancel_removes_and_positions_move_up() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let mut q = JobQueue::default();
        q.admit(ticket(1, a, false)).expect("admit");
        q.admit(ticket(2, b, false)).expect("admit");
        q.admit(ticket(3, b, false)).expect("admit");
        assert_eq!(q.position(3), Some(3));
        assert_eq!(q.cancel(1).map(|j| j.id), Some(1));
        assert_eq!(q.position(3), Some(2));
        assert_eq!(q.cancel(1), None);
        assert_eq!(q.cancel_room(b).len(), 2);
        assert_eq!((q.queued(), q.pop()), (0, None));
    }
}
