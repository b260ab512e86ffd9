//! `GET /control/{room}?ticket=…&v=…`: JSON control messages (`protocol::ClientMessage` in,
//! `protocol::ServerMessage` out): `hello` → `welcome`, `ping` → `pong`, `generate` and
//! `cancel`, `set_on_air` and the live preview's WebRTC offer and candidates (handed to the room
//! actor); the room pushes `members_online`, `on_air` and job events.

use std::sync::atomic::Ordering;
use std::time::Instant;

use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::AggregatedMessage;
use actors::media::MediaError;
use actors::room::{
    CancelGeneration, GenerationError, GetMembersOnline, IsOnAir, Leave, LiveCandidate, LiveViewer, SetOnAir,
    StartGeneration, WatchLive,
};
use actors::session::{CloseReason, SessionKind};
use protocol::{ClientMessage, CloseCode, ErrorCode, ServerMessage, PROTOCOL_VERSION};
use tracing::Instrument;

use super::limits::RateLimiter;
use super::sync::protocol_error;
use super::upgrade::{authorize, join, Authorized, UpgradeQuery};
use super::{accept, close_with, write_frame, CLIENT_IDLE_TIMEOUT, KEEPALIVE_INTERVAL, MAX_CONTROL_MESSAGE_BYTES};
use crate::http::error::ApiError;
use crate::state::AppState;

/// The upgrade handler; the protocol version (`?v=`) must match ours.
pub async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    path: web::Path<String>,
    query: web::Query<UpgradeQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let auth = authorize(&req, &state, &path, &query).await?;
    if query.v != Some(PROTOCOL_VERSION) {
        return Err(ApiError::new(
            ErrorCode::ProtocolVersionMismatch,
            format!("this server speaks control protocol v{PROTOCOL_VERSION}; connect with ?v={PROTOCOL_VERSION}"),
        ));
    }
    let (response, session, stream) = accept(&req, body, MAX_CONTROL_MESSAGE_BYTES)?;
    let session_id = state.next_session_id();
    let span = tracing::info_span!("control", room = %auth.room_id, user = %auth.user_id, session = session_id);
    actix_web::rt::spawn(run(session, stream, auth, state.into_inner(), session_id).instrument(span));
    Ok(response)
}

/// The `error` answer to a failed generation request, if it failed.
fn generation_error(result: Result<Result<(), GenerationError>, actix::MailboxError>) -> Option<ServerMessage> {
    match result {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(ServerMessage::Error {
            code: e.code(),
            message: e.to_string(),
        }),
        Err(_) => Some(ServerMessage::Error {
            code: ErrorCode::Unavailable,
            message: "the room is unavailable".into(),
        }),
    }
}

/// The `error` answer to a failed live-preview request.
fn media_error(result: Result<Result<ServerMessage, MediaError>, actix::MailboxError>) -> ServerMessage {
    match result {
        Ok(Ok(message)) => message,
        Ok(Err(e)) => ServerMessage::Error {
            code: e.code(),
            message: e.to_string(),
        },
        Err(_) => ServerMessage::Error {
            code: ErrorCode::Unavailable,
            message: "the room is unavailable".into(),
        },
    }
}

fn encode(message: &ServerMessage) -> String {
    serde_json::to_string(message)
        .unwrap_or_else(|_| String::from("{\"type\":\"error\",\"code\":\"internal\",\"message\":\"encoding failed\"}"))
}

async fn run(
    mut socket: actix_ws::Session,
    mut stream: actix_ws::AggregatedMessageStream,
    auth: Authorized,
    state: std::sync::Arc<AppState>,
    session_id: u64,
) {
    let mut joined = match join(&state, &auth, session_id, SessionKind::Control).await {
        Ok(joined) => joined,
        Err(reason) => return close_with(socket, &reason).await,
    };
    state.metrics.connections.fetch_add(1, Ordering::Relaxed);
    let mut limiter = RateLimiter::default();
    let mut ticker = tokio::time::interval(KEEPALIVE_INTERVAL);
    let mut last_heard = Instant::now();
    let close: Option<CloseReason> = loop {
        tokio::select! {
            biased;
            reason = &mut joined.closed => break reason.ok(),
            frame = joined.outbound.recv() => {
                let Some(frame) = frame else { break None };
                if let Err(close) = write_frame(&mut socket, frame, &mut joined.closed, &state.metrics).await {
                    break close;
                }
            }
            message = stream.recv() => {
                last_heard = Instant::now();
                let text = match message {
                    Some(Ok(AggregatedMessage::Text(text))) => text,
                    Some(Ok(AggregatedMessage::Binary(_))) => break Some(CloseReason::new(CloseCode::MalformedMessage, "text (JSON) frames only")),
                    Some(Ok(AggregatedMessage::Ping(p))) => { if socket.pong(&p).await.is_err() { break None } continue }
                    Some(Ok(AggregatedMessage::Pong(_))) => continue,
                    Some(Ok(AggregatedMessage::Close(_))) | None => break None,
                    Some(Err(err)) => break protocol_error(&err),
                };
                if !limiter.allow(text.len(), last_heard) {
                    break Some(CloseCode::RateLimited.into());
                }
                let reply = match serde_json::from_str::<ClientMessage>(&text) {
                    Ok(ClientMessage::Hello) => {
                        let members_online = joined.room.send(GetMembersOnline).await.unwrap_or_default();
                        let welcome = ServerMessage::Welcome { protocol_version: PROTOCOL_VERSION, role: auth.role, members_online };
                        if socket.text(encode(&welcome)).await.is_err() { break None }
                        joined.room.send(IsOnAir).await.unwrap_or(false).then_some(ServerMessage::OnAir { on_air: true })
                    }
                    Ok(ClientMessage::Ping) => Some(ServerMessage::Pong),
                    // Success is announced to the whole room (`job_queued`); only errors answer here.
                    Ok(ClientMessage::Generate { shot_id, steps, guidance, seed }) => {
                        let ask = StartGeneration { session: session_id, shot_id, steps, guidance, seed };
                        generation_error(joined.room.send(ask).await.map(|r| r.map(|_| ())))
                    }
                    Ok(ClientMessage::Cancel { job_id }) => {
                        generation_error(joined.room.send(CancelGeneration { session: session_id, job_id }).await)
                    }
                    Ok(ClientMessage::SetOnAir { on_air }) => {
                        generation_error(joined.room.send(SetOnAir { session: session_id, on_air }).await)
                    }
                    Ok(ClientMessage::WebrtcOffer { sdp }) => {
                        let ask = WatchLive { viewer: LiveViewer::Session(session_id), offer: sdp };
                        let answer = joined.room.send(ask).await.map(|r| r.map(|a| ServerMessage::WebrtcAnswer { sdp: a.sdp }));
                        Some(media_error(answer))
                    }
                    Ok(ClientMessage::IceCandidate { candidate, sdp_mid, sdp_mline_index }) => {
                        let ask = LiveCandidate { session: session_id, candidate, sdp_mid, sdp_mline_index };
                        match joined.room.send(ask).await {
                            Ok(Ok(())) => None,
                            other => Some(media_error(other.map(|r| r.map(|()| ServerMessage::Pong)))),
                        }
                    }
                    Err(err) => Some(ServerMessage::Error { code: ErrorCode::InvalidMessage, message: format!("unknown or malformed message: {err}") }),
                };
                if let Some(reply) = reply {
                    if socket.text(encode(&reply)).await.is_err() { break None }
                }
            }
            _ = ticker.tick() => {
                if last_heard.elapsed() >= CLIENT_IDLE_TIMEOUT { break Some(CloseCode::IdleTimeout.into()) }
                if socket.ping(b"").await.is_err() { break None }
            }
        }
    };
    joined.room.do_send(Leave(session_id));
    state.metrics.connections.fetch_sub(1, Ordering::Relaxed);
    match &close {
        Some(reason) => close_with(socket, reason).await,
        None => {
            let _ = socket.close(None).await;
        }
    }
}
