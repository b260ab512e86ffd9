//! Messages of the `/control/{room}` WebSocket: JSON text frames tagged by `type`.
//!
//! Clients open the socket with `?v=PROTOCOL_VERSION`; a mismatch is refused at upgrade.
//! Generation jobs are started, cancelled and followed here, the room goes on air here, and the
//! live preview's WebRTC connection is negotiated here (the browser offers, receive-only).

use serde::{Deserialize, Serialize};

use crate::{ErrorCode, Role};

/// Client → server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// First message; answered by `welcome`.
    Hello,
    /// Liveness probe; answered by `pong`.
    Ping,
    /// Generate a video from the room's script: one shot (`shot_id`) or, when absent, every shot
    /// in order (each continuing from the last frames of the one before). Answered by
    /// `job_queued`, or `error` (`invalid_script` naming the field, `forbidden` for viewers,
    /// `rate_limited` when the room or user has too many jobs, `unavailable`). While the
    /// script's `settings.live` is on, edits steer the running job at its next step.
    Generate {
        /// Only this shot; all shots when absent.
        #[serde(default)]
        shot_id: Option<String>,
        /// Overrides `settings.steps`.
        #[serde(default)]
        steps: Option<u32>,
        /// Overrides `settings.guidance`.
        #[serde(default)]
        guidance: Option<f64>,
        /// Overrides the shots' seeds.
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(type = "number | null"))]
        seed: Option<u64>,
    },
    /// Cancel one of this room's jobs (its author, or the room's owner).
    Cancel {
        /// The job.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        job_id: u64,
    },
    /// Watch the room's live preview: a WebRTC offer (receive-only video) from this client,
    /// answered by `webrtc_answer` (non-trickle: the answer carries the server's candidates).
    /// Any member may watch; a new offer replaces this socket's previous stream.
    WebrtcOffer {
        /// SDP offer.
        sdp: String,
    },
    /// A trickled ICE candidate of this socket's stream (optional: the server also learns
    /// peer-reflexive candidates from connectivity checks).
    IceCandidate {
        /// `candidate:` attribute value, as in `RTCIceCandidate.candidate`.
        candidate: String,
        /// Media section id.
        #[serde(default)]
        sdp_mid: Option<String>,
        /// Media section index.
        #[serde(default)]
        sdp_mline_index: Option<u16>,
    },
    /// The owner puts the room on air (it then generates continuously, chunk after chunk,
    /// from the current script, for everyone watching) or takes it off air.
    SetOnAir {
        /// On or off.
        on_air: bool,
    },
}

/// Server → client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// Answer to `hello`.
    Welcome {
        /// The server's control-protocol version.
        protocol_version: u32,
        /// The caller's role in the room.
        role: Role,
        /// Members with at least one open connection to the room.
        members_online: Vec<MemberOnline>,
    },
    /// Sent whenever someone joins or leaves the room.
    MembersOnline {
        /// Members with at least one open connection to the room.
        members_online: Vec<MemberOnline>,
    },
    /// Answer to `ping`.
    Pong,
    /// A job waits; sent again whenever its place in the queue changes.
    JobQueued {
        /// The job.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        job_id: u64,
        /// 1 = next to run.
        position: u32,
    },
    /// A job started on a worker.
    JobStarted {
        /// The job.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        job_id: u64,
    },
    /// After every denoising step (the frames themselves stream as video).
    JobProgress {
        /// The job.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        job_id: u64,
        /// Step within the chunk, 1-based.
        step: u32,
        /// Steps per chunk.
        steps: u32,
        /// Chunk, 1-based.
        chunk: u32,
        /// Chunks in the job.
        chunks: u32,
        /// Estimated time left, in milliseconds.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        eta_ms: u64,
    },
    /// A job finished.
    JobFinished {
        /// The job.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        job_id: u64,
        /// Frames generated.
        frames: u32,
        /// Time from start to finish, in milliseconds.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        elapsed_ms: u64,
        /// The draft clip (`GET /api/clips/{id}/video`), visible to the job's author.
        clip_id: Option<String>,
    },
    /// A job failed; the room can start another.
    JobFailed {
        /// The job.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        job_id: u64,
        /// Why, for people.
        message: String,
        /// Why, for programs (`avatar_not_permitted` when a cast avatar's consent ended).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        code: Option<ErrorCode>,
    },
    /// A job was cancelled (by a member, or because the room emptied).
    JobCancelled {
        /// The job.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        job_id: u64,
    },
    /// Answer to `webrtc_offer`.
    WebrtcAnswer {
        /// SDP answer, with the server's ICE candidates.
        sdp: String,
    },
    /// The room went on or off air (sent to everyone, and in reply to `hello` when on air).
    OnAir {
        /// On or off.
        on_air: bool,
    },
    /// A request failed; the socket stays open unless a close frame follows.
    Error {
        /// What went wrong, for programs.
        code: ErrorCode,
        /// What went wrong, for people.
        message: String,
    },
}

/// One member currently connected to a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MemberOnline {
    /// User id (UUID).
    pub user_id: String,
    /// Username.
    pub username: String,
    /// Role in this room.
    pub role: Role,
}
