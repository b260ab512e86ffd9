//! The two WebSockets: `/sync/{room}` (y-websocket, binary) and `/control/{room}` (JSON).
//! Both authorize at upgrade: Origin allowlist, a signed ticket for this room, and the
//! member's current role read from the database.

pub mod control;
pub mod limits;
pub mod sync;
pub mod upgrade;

use std::time::Duration;

/// Largest inbound message (after joining continuation frames). A first sync of a big
/// offline document arrives as one message, so this is generous.
pub const MAX_INBOUND_MESSAGE_BYTES: usize = 16 * 1024 * 1024;
/// Largest control (JSON) message.
pub const MAX_CONTROL_MESSAGE_BYTES: usize = 64 * 1024;
/// Send something at least this often (the stock client drops a silent socket at 45 s).
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(15);
/// Close a connection that sent nothing (not even a pong) for this long.
pub const CLIENT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// A write to a client's socket that takes longer than this closes it as a slow consumer.
pub const SOCKET_WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a close frame may wait for a client that is not reading.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(30);
/// How many times a join retries while a room is unloading.
pub const JOIN_RETRIES: u32 = 50;
/// Pause between join retries.
pub const JOIN_RETRY_DELAY: Duration = Duration::from_millis(20);

/// Sends a close frame with our code and reason.
pub async fn close_with(session: actix_ws::Session, reason: &actors::session::CloseReason) {
    let mut text = reason.reason.clone();
    text.truncate(120); // close reasons are limited to 123 bytes
    let frame = actix_ws::CloseReason {
        code: actix_ws::CloseCode::Other(reason.code.code()),
        description: Some(text),
    };
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, session.close(Some(frame))).await;
}

/// Writes one frame, racing the room's close signal and [`SOCKET_WRITE_TIMEOUT`], so a client
/// that stops reading cannot pin its task. `Err(Some(reason))`: close with it; `Err(None)`:
/// the socket is already gone.
pub async fn write_frame(
    socket: &mut actix_ws::Session,
    frame: actors::session::Outbound,
    closed: &mut tokio::sync::oneshot::Receiver<actors::session::CloseReason>,
    metrics: &actors::metrics::Metrics,
) -> Result<(), Option<actors::session::CloseReason>> {
    use actors::session::Outbound;
    let write = async {
        match frame {
            Outbound::Binary(bytes) => socket.binary(bytes).await,
            Outbound::Text(text) => socket.text(text).await,
        }
    };
    tokio::select! {
        written = write => written.map_err(|_| None),
        reason = closed => Err(reason.ok()),
        _ = tokio::time::sleep(SOCKET_WRITE_TIMEOUT) => {
            actors::metrics::Metrics::inc(&metrics.slow_consumers_closed);
            Err(Some(protocol::CloseCode::SlowConsumer.into()))
        }
    }
}

/// Completes a WebSocket upgrade with a message size limit (frames and continuations).
pub fn accept(
    req: &actix_web::HttpRequest,
    body: actix_web::web::Payload,
    max_message_bytes: usize,
) -> Result<
    (
        actix_web::HttpResponse,
        actix_ws::Session,
        actix_ws::AggregatedMessageStream,
    ),
    crate::http::error::ApiError,
> {
    let (response, session, stream) = actix_ws::handle(req, body).map_err(|e| {
        crate::http::error::ApiError::new(protocol::ErrorCode::BadRequest, format!("not a WebSocket upgrade: {e}"))
    })?;
    let stream = stream
        .max_frame_size(max_message_bytes)
        .aggregate_continuations()
        .max_continuation_size(max_message_bytes);
    Ok((response, session, stream))
}
