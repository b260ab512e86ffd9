//! `GET /sync/{room}?ticket=…`: the y-websocket endpoint.
//!
//! One task per connection owns the socket. It forwards inbound binary frames to the
//! `RoomActor` (awaiting the room's bounded mailbox: per-connection backpressure) and
//! writes what the room queues for it. Rate limits, size limits and keepalives live here.

use std::sync::atomic::Ordering;
use std::time::Instant;

use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::AggregatedMessage;
use actors::metrics::Metrics;
use actors::room::{Incoming, Leave};
use actors::session::{CloseReason, SessionKind};
use actors::wire;
use protocol::CloseCode;
use tracing::Instrument;

use super::limits::RateLimiter;
use super::upgrade::{authorize, join, Authorized, UpgradeQuery};
use super::{accept, close_with, write_frame, CLIENT_IDLE_TIMEOUT, KEEPALIVE_INTERVAL, MAX_INBOUND_MESSAGE_BYTES};
use crate::http::error::ApiError;
use crate::state::AppState;

/// The upgrade handler.
pub async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    path: web::Path<String>,
    query: web::Query<UpgradeQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let auth = authorize(&req, &state, &path, &query).await?;
    let (response, session, stream) = accept(&req, body, MAX_INBOUND_MESSAGE_BYTES)?;
    let session_id = state.next_session_id();
    let span = tracing::info_span!("sync", room = %auth.room_id, user = %auth.user_id, session = session_id);
    actix_web::rt::spawn(run(session, stream, auth, state.into_inner(), session_id).instrument(span));
    Ok(response)
}

async fn run(
    mut socket: actix_ws::Session,
    mut stream: actix_ws::AggregatedMessageStream,
    auth: Authorized,
    state: std::sync::Arc<AppState>,
    session_id: u64,
) {
    let metrics = &state.metrics;
    let mut joined = match join(&state, &auth, session_id, SessionKind::Sync).await {
        Ok(joined) => joined,
        Err(reason) => return close_with(socket, &reason).await,
    };
    metrics.connections.fetch_add(1, Ordering::Relaxed);
    tracing::info!(role = ?auth.role, "sync session open");
    let mut limiter = RateLimiter::default();
    let mut ticker = tokio::time::interval(KEEPALIVE_INTERVAL / 3);
    let mut last_sent = Instant::now();
    let mut last_heard = Instant::now();
    let close: Option<CloseReason> = loop {
        tokio::select! {
            biased;
            reason = &mut joined.closed => break reason.ok(),
            frame = joined.outbound.recv() => {
                let Some(frame) = frame else { break None };
                if let Err(close) = write_frame(&mut socket, frame, &mut joined.closed, metrics).await {
                    break close;
                }
                last_sent = Instant::now();
            }
            message = stream.recv() => {
                last_heard = Instant::now();
                match message {
                    Some(Ok(AggregatedMessage::Binary(frame))) => {
                        Metrics::inc(&metrics.messages_in);
                        metrics.bytes_in.fetch_add(frame.len() as u64, Ordering::Relaxed);
                        if !limiter.allow(frame.len(), last_heard) {
                            Metrics::inc(&metrics.bad_input_closed);
                            break Some(CloseCode::RateLimited.into());
                        }
                        match joined.room.send(Incoming { session: session_id, frame }).await {
                            Ok(Ok(())) => {}
                            Ok(Err(reason)) => break Some(reason),
                            Err(_) => break Some(CloseCode::RoomUnavailable.into()),
                        }
                    }
                    Some(Ok(AggregatedMessage::Text(_))) => {
                        Metrics::inc(&metrics.bad_input_closed);
                        break Some(CloseReason::new(CloseCode::MalformedMessage, "binary frames only"));
                    }
                    Some(Ok(AggregatedMessage::Ping(payload))) => {
                        if socket.pong(&payload).await.is_err() { break None }
                    }
                    Some(Ok(AggregatedMessage::Pong(_))) => {}
                    Some(Ok(AggregatedMessage::Close(_))) | None => break None,
                    Some(Err(err)) => match protocol_error(&err) {
                        Some(reason) => {
                            Metrics::inc(&metrics.bad_input_closed);
                            break Some(reason);
                        }
                        None => break None, // the peer vanished (EOF): not bad input
                    },
                }
            }
            _ = ticker.tick() => {
                if last_heard.elapsed() >= CLIENT_IDLE_TIMEOUT {
                    break Some(CloseCode::IdleTimeout.into());
                }
                if last_sent.elapsed() >= KEEPALIVE_INTERVAL {
                    if socket.binary(wire::encode_keepalive()).await.is_err() { break None }
                    last_sent = Instant::now();
                }
                if socket.ping(b"").await.is_err() { break None }
            }
        }
    };
    // Always delivered, even to a full mailbox, so the room never keeps a dead session.
    joined.room.do_send(Leave(session_id));
    metrics.connections.fetch_sub(1, Ordering::Relaxed);
    if let Some(reason) = &close {
        tracing::info!(code = reason.code.code(), reason = %reason.reason, "closing sync session");
        close_with(socket, reason).await;
    } else {
        let _ = socket.close(None).await;
    }
}

/// Maps a WebSocket protocol error to our close code; `None` when the peer simply went away.
pub fn protocol_error(err: &actix_ws::ProtocolError) -> Option<CloseReason> {
    let too_large = || CloseReason::new(CloseCode::MessageTooLarge, "message over the size limit");
    match err {
        actix_ws::ProtocolError::Overflow => Some(too_large()),
        actix_ws::ProtocolError::Io(io) if io.to_string().contains("maximum continuation size") => Some(too_large()),
        actix_ws::ProtocolError::Io(_) => None,
        other => Some(CloseReason::new(CloseCode::MalformedMessage, other.to_string())),
    }
}
