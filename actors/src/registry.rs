//! `RoomRegistry`: knows which rooms are loaded and starts a `RoomActor` on first use.
//!
//! Talks to: the server's socket handlers (`GetRoom`), the REST side (`NotifyMember` when
//! a member is removed or changes role), and rooms (`RoomIdle` when one unloads itself).
//! Rooms are spread round-robin over a few arbiters so they use every core.

use std::collections::HashMap;
use std::sync::Arc;

use actix::prelude::*;
use uuid::Uuid;

use crate::metrics::Metrics;
use crate::room::{MemberChanged, RoomActor, RoomConfig, Shutdown};
use crate::store::RoomStore;

/// Stack of each room thread. Rooms decode clients' updates; the pre-scan (`yscan`) bounds
/// yrs's recursion to [`crate::yscan::MAX_VALUE_DEPTH`] levels (measured: well under 1 MiB),
/// and this explicit size (rather than the platform default) keeps that margin known.
pub const ROOM_THREAD_STACK_BYTES: usize = 16 * 1024 * 1024;

/// Starts one room thread (an actix arbiter with its own single-threaded runtime) with a stack
/// of [`ROOM_THREAD_STACK_BYTES`]; rooms are started on these with `start_in_arbiter`.
pub fn spawn_room_arbiter(index: usize) -> std::io::Result<ArbiterHandle> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name(format!("room-{index}"))
        .stack_size(ROOM_THREAD_STACK_BYTES)
        .spawn(move || {
            let system = actix::System::new();
            // The receiver waits for exactly this one handle; it cannot have gone away.
            let _ = tx.send(Arbiter::current());
            let _ = system.run();
        })?;
    rx.recv()
        .map_err(|_| std::io::Error::other("room thread exited before starting"))
}

/// Returns the address of the room, starting (and loading) it if needed.
#[derive(Message, Debug)]
#[rtype(result = "Addr<RoomActor>")]
pub struct GetRoom(pub Uuid);

/// A room decided to unload; forget it if it is still the registered one.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub struct RoomIdle {
    /// The room.
    pub room_id: Uuid,
    /// Its address (a newer actor for the same room must not be forgotten).
    pub addr: Addr<RoomActor>,
}

/// Forward a membership change to the room if it is loaded.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub struct NotifyMember {
    /// The room.
    pub room_id: Uuid,
    /// The change.
    pub change: MemberChanged,
}

/// Closes every session (4001) and unloads every room; answered once all rooms heard it.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub struct ShutdownAll;

/// Number of rooms currently loaded (tests and metrics).
#[derive(Message, Debug)]
#[rtype(result = "usize")]
pub struct LoadedRooms;

/// The registry of loaded rooms.
pub struct RoomRegistry {
    rooms: HashMap<Uuid, Addr<RoomActor>>,
    store: Arc<dyn RoomStore>,
    metrics: Arc<Metrics>,
    config: RoomConfig,
    arbiters: Vec<ArbiterHandle>,
    next_arbiter: usize,
}

impl std::fmt::Debug for RoomRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoomRegistry")
            .field("rooms", &self.rooms.len())
            .finish_non_exhaustive()
    }
}

impl RoomRegistry {
    /// A registry whose rooms run on `arbiters` (at least one).
    pub fn new(
        store: Arc<dyn RoomStore>,
        metrics: Arc<Metrics>,
        config: RoomConfig,
        arbiters: Vec<ArbiterHandle>,
    ) -> Self {
        RoomRegistry {
            rooms: HashMap::new(),
            store,
            metrics,
            config,
            arbiters,
            next_arbiter: 0,
        }
    }
}

impl Actor for RoomRegistry {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(crate::room::ROOM_MAILBOX);
    }
}

impl Handler<GetRoom> for RoomRegistry {
    type Result = Addr<RoomActor>;

    fn handle(&mut self, GetRoom(room_id): GetRoom, ctx: &mut Context<Self>) -> Self::Result {
        if let Some(addr) = self.rooms.get(&room_id) {
            if addr.connected() {
                return addr.clone();
            }
        }
        let room = RoomActor::new(
            room_id,
            Arc::clone(&self.store),
            ctx.address(),
            Arc::clone(&self.metrics),
            self.config.clone(),
        );
        let addr = if self.arbiters.is_empty() {
            room.start()
        } else {
            let arbiter = &self.arbiters[self.next_arbiter % self.arbiters.len()];
            self.next_arbiter += 1;
            RoomActor::start_in_arbiter(arbiter, move |_| room)
        };
        self.rooms.insert(room_id, addr.clone());
        addr
    }
}

impl Handler<RoomIdle> for RoomRegistry {
    type Result = ();

    fn handle(&mut self, msg: RoomIdle, _ctx: &mut Context<Self>) {
        if self.rooms.get(&msg.room_id) == Some(&msg.addr) {
            self.rooms.remove(&msg.room_id);
        }
    }
}

impl Handler<NotifyMember> for RoomRegistry {
    type Result = ();

    fn handle(&mut self, msg: NotifyMember, _ctx: &mut Context<Self>) {
        if let Some(addr) = self.rooms.get(&msg.room_id) {
            // A full room mailbox must not block the registry; the change is also enforced
            // at the next upgrade (role is read from the database there).
            let _ = addr.try_send(msg.change);
        }
    }
}

impl Handler<ShutdownAll> for RoomRegistry {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, _: ShutdownAll, _ctx: &mut Context<Self>) -> Self::Result {
        let rooms: Vec<Addr<RoomActor>> = self.rooms.drain().map(|(_, addr)| addr).collect();
        Box::pin(async move {
            for room in rooms {
                let _ = room.send(Shutdown).await;
            }
        })
    }
}

impl Handler<LoadedRooms> for RoomRegistry {
    type Result = usize;

    fn handle(&mut self, _: LoadedRooms, _ctx: &mut Context<Self>) -> usize {
        self.rooms.len()
    }
}
