//! The room actor's message handlers: thin adapters from actix messages to `RoomActor`
//! methods and the plain-Rust `RoomSync`.

use std::time::Instant;

use actix::prelude::*;
use bytes::Bytes;
use protocol::{CloseCode, MemberOnline};

use super::messages::*;
use super::{Loaded, RoomActor};
use crate::metrics::Metrics;
use crate::session::{CloseReason, Outbound, SessionId, SessionKind};
use crate::sync::{Effect, Peer, SyncError};

impl Handler<Join> for RoomActor {
    type Result = Result<(), JoinError>;

    fn handle(&mut self, Join(session): Join, _ctx: &mut Context<Self>) -> Self::Result {
        if self.closing {
            return Err(JoinError::Closing);
        }
        let greeting = match &self.state {
            Loaded::Ready(sync) => sync.greeting(),
            Loaded::Failed(err) => return Err(JoinError::Unavailable(err.clone())),
            Loaded::Loading => return Err(JoinError::Unavailable("still loading".into())),
        };
        let id = session.id;
        let kind = session.kind;
        let new_user = !self.sessions.values().any(|s| s.user_id == session.user_id);
        self.sessions.insert(id, session);
        self.empty_since = None;
        if kind == SessionKind::Sync {
            for frame in greeting {
                self.send_to(id, Outbound::Binary(Bytes::from(frame)));
            }
        }
        if new_user {
            self.announce_members();
        }
        Ok(())
    }
}

impl Handler<Incoming> for RoomActor {
    type Result = Result<(), CloseReason>;

    fn handle(&mut self, msg: Incoming, ctx: &mut Context<Self>) -> Self::Result {
        let Some(session) = self.sessions.get(&msg.session) else {
            return Ok(()); // already removed (kicked); its socket is closing
        };
        let role = session.role;
        let Loaded::Ready(sync) = &mut self.state else {
            return Err(CloseCode::RoomUnavailable.into());
        };
        let peer = Peer {
            session: msg.session,
            role,
            username: &session.username,
        };
        let effects = match sync.handle_frame(peer, &msg.frame, Instant::now()) {
            Ok(effects) => effects,
            Err(err) => {
                Metrics::inc(&self.metrics.bad_input_closed);
                let code = match err {
                    SyncError::Awareness(crate::awareness::AwarenessError::StateTooLarge) | SyncError::DocumentFull => {
                        CloseCode::MessageTooLarge
                    }
                    SyncError::TooManyTypes => CloseCode::MessageTooLarge,
                    _ => CloseCode::MalformedMessage,
                };
                tracing::info!(room = %self.room_id, session = msg.session, %err, "refused a frame");
                self.drop_session(msg.session, None);
                return Err(CloseReason::new(code, err.to_string()));
            }
        };
        for effect in effects {
            match effect {
                Effect::Reply(frame) => {
                    if !role.can_write() && frame.first() == Some(&(crate::wire::MSG_AUTH as u8)) {
                        Metrics::inc(&self.metrics.writes_refused);
                    }
                    self.send_to(msg.session, Outbound::Binary(Bytes::from(frame)));
                }
                Effect::BroadcastAll(frame) => self.broadcast(Bytes::from(frame), None),
                Effect::Persist(update) => {
                    if let Err(reason) = self.queue_update(msg.session, update, ctx) {
                        self.drop_session(msg.session, None);
                        return Err(reason);
                    }
                }
            }
        }
        Ok(())
    }
}

impl Handler<Leave> for RoomActor {
    type Result = ();

    fn handle(&mut self, Leave(id): Leave, _ctx: &mut Context<Self>) {
        self.drop_session(id, None);
    }
}

impl Handler<MemberChanged> for RoomActor {
    type Result = ();

    fn handle(&mut self, msg: MemberChanged, _ctx: &mut Context<Self>) {
        let ids: Vec<SessionId> = self
            .sessions
            .values()
            .filter(|s| s.user_id == msg.user_id)
            .map(|s| s.id)
            .collect();
        for id in ids {
            match msg.role {
                None => self.drop_session(
                    id,
                    Some(CloseReason::new(
                        CloseCode::Forbidden,
                        "you were removed from this room",
                    )),
                ),
                Some(role) => {
                    if let Some(session) = self.sessions.get_mut(&id) {
                        session.role = role;
                    }
                }
            }
        }
        if msg.role.is_some() {
            self.announce_members();
        } else {
            // Their WHEP streams end too (their sessions' streams ended with the sessions).
            self.stop_user_streams(msg.user_id);
        }
    }
}

impl Handler<Shutdown> for RoomActor {
    type Result = ();

    fn handle(&mut self, _: Shutdown, ctx: &mut Context<Self>) {
        self.closing = true;
        let ids: Vec<SessionId> = self.sessions.keys().copied().collect();
        for id in ids {
            self.drop_session(id, Some(CloseCode::ShuttingDown.into()));
        }
        self.compact_and_stop(ctx);
    }
}

impl Handler<GetMembersOnline> for RoomActor {
    type Result = Vec<MemberOnline>;

    fn handle(&mut self, _: GetMembersOnline, _ctx: &mut Context<Self>) -> Self::Result {
        self.members_online()
    }
}

impl Handler<GetState> for RoomActor {
    type Result = Result<Vec<u8>, JoinError>;

    fn handle(&mut self, _: GetState, _ctx: &mut Context<Self>) -> Self::Result {
        match &self.state {
            Loaded::Ready(sync) => Ok(sync.state_v1()),
            Loaded::Failed(err) => Err(JoinError::Unavailable(err.clone())),
            Loaded::Loading => Err(JoinError::Unavailable("still loading".into())),
        }
    }
}
