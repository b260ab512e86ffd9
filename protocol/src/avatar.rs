//! REST DTOs of cameos: the recording challenge, an avatar's processing status, who may cast it,
//! the signed consent grants its uses create, where it is used, and likeness reports.

use serde::{Deserialize, Serialize};

/// A challenge expires this long after it is issued.
pub const CHALLENGE_TTL_SECS: u64 = 120;
/// Head turns a challenge asks for.
pub const CHALLENGE_TURNS: usize = 2;
/// Digits a challenge asks the person to say.
pub const CHALLENGE_DIGITS: usize = 4;
/// Shortest accepted recording, seconds.
pub const MIN_RECORDING_SECS: f64 = 3.0;
/// Longest accepted recording, seconds.
pub const MAX_RECORDING_SECS: f64 = 15.0;
/// Largest accepted upload, bytes (25 MiB).
pub const MAX_UPLOAD_BYTES: usize = 25 * 1024 * 1024;
/// Longest free-text rule an owner may give, in characters.
pub const MAX_RULES_CHARS: usize = 1_000;
/// Most usernames in an approved or blocked list.
pub const MAX_PERMISSION_LIST: usize = 200;
/// Longest likeness-report details, in characters.
pub const MAX_REPORT_DETAILS_CHARS: usize = 2_000;

/// One thing the person does while recording, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChallengeStep {
    /// Face the camera.
    LookCenter,
    /// Turn the head to the person's left (the face moves to the right of a mirrored preview).
    TurnLeft,
    /// Turn the head to the person's right.
    TurnRight,
    /// Say these digits out loud.
    SayDigits { digits: String },
}

/// `POST /api/avatars/challenge`: what to do while recording, valid until `expires_at`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Challenge {
    pub id: String,
    pub steps: Vec<ChallengeStep>,
    /// RFC 3339.
    pub expires_at: String,
}

/// Where an avatar is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AvatarStatus {
    /// The upload is being decoded and checked.
    Processing,
    /// Usable (subject to its permissions).
    Ready,
    /// Extraction refused the recording; `reason` says why.
    Failed,
    /// The owner revoked it: every use is hidden and new casts are refused.
    Revoked,
}

/// Why a recording was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FailReason {
    /// Not a WebM (VP8/VP9) or MP4 (H.264) video, or it does not decode.
    UnsupportedFormat,
    /// Shorter than [`MIN_RECORDING_SECS`].
    TooShort,
    /// Longer than [`MAX_RECORDING_SECS`].
    TooLong,
    /// No face in most of the recording.
    NoFace,
    /// More than one face.
    TwoFaces,
    /// The face is too small (move closer).
    FaceTooSmall,
    /// Too dark to see the face.
    TooDark,
    /// Too blurry.
    TooBlurry,
    /// The head turns did not follow the challenge (or the face never moved).
    ChallengeNotFollowed,
}

/// The owner's audience for an avatar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Only the owner (the default).
    OnlyMe,
    /// The owner and the usernames in `approved`.
    Approved,
    /// The owner and people who follow the owner and whom the owner follows.
    Mutuals,
    /// Anyone signed in (except `blocked`).
    Everyone,
}

impl Audience {
    /// The stable lowercase name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::OnlyMe => "only_me",
            Audience::Approved => "approved",
            Audience::Mutuals => "mutuals",
            Audience::Everyone => "everyone",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "only_me" => Some(Audience::OnlyMe),
            "approved" => Some(Audience::Approved),
            "mutuals" => Some(Audience::Mutuals),
            "everyone" => Some(Audience::Everyone),
            _ => None,
        }
    }
}

/// `PUT /api/avatars/{id}/permissions` (owner only), also returned in the owner's view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AvatarPermissions {
    pub who: Audience,
    /// Usernames allowed when `who` is `approved` (ignored otherwise).
    #[serde(default)]
    pub approved: Vec<String>,
    /// Usernames never allowed, whatever `who` says.
    #[serde(default)]
    pub blocked: Vec<String>,
    /// The owner's own rules, shown to whoever casts the avatar.
    #[serde(default)]
    pub rules: String,
}

/// `GET /api/avatars/{id}`: an avatar as its owner (or a permitted caster) sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AvatarView {
    pub id: String,
    /// The owner's username; prompts cast the avatar as `@handle`.
    pub handle: String,
    pub status: AvatarStatus,
    /// Set when `status` is `failed`.
    pub reason: Option<FailReason>,
    /// A sentence for people, when `status` is `failed`.
    pub message: Option<String>,
    /// 0-1 while processing.
    pub progress: f32,
    /// RFC 3339.
    pub created_at: String,
    /// URLs of the reference crops (PNG), once ready.
    pub crops: Vec<String>,
    /// The owner's rules (shown to casters).
    pub rules: String,
    /// Only for the owner.
    pub permissions: Option<AvatarPermissions>,
    /// Only for the owner: what extraction measured (frames with one face, yaw track).
    pub extraction: Option<Extraction>,
}

/// What extraction measured on an enrolment recording.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Extraction {
    /// Frames sampled from the recording.
    pub frames: u32,
    /// Sampled frames where exactly one face was found.
    pub frames_with_face: u32,
    /// Recording length, seconds.
    pub duration_s: f64,
    /// Head turns seen, in order (`left` / `right`).
    pub turns: Vec<String>,
    /// Milliseconds the extraction took.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub elapsed_ms: u64,
}

/// `GET /api/avatars/castable`: avatars the caller may cast now.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CastableAvatar {
    pub id: String,
    pub handle: String,
    /// The owner's rules, to show before casting.
    pub rules: String,
    /// URL of the main reference crop.
    pub crop_url: String,
}

/// Where a clip using an avatar stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UseState {
    /// A draft, seen only in its room.
    Draft,
    /// Posted to the feed.
    Posted,
    /// Hidden (the avatar was revoked or a likeness report is pending).
    Hidden,
    /// Removed by the avatar's owner or after review; media deleted.
    Removed,
}

/// `GET /api/avatars/{id}/uses`: one clip that casts the avatar.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AvatarUse {
    pub clip_id: String,
    pub grant_id: String,
    /// Who cast the avatar.
    pub author: String,
    pub state: UseState,
    /// Poster URL, while the media exists.
    pub poster_url: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// `GET /api/grants/{id}`: a consent record, signed by the server (Ed25519).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantView {
    pub id: String,
    pub avatar_id: String,
    pub owner: String,
    pub cast_by: String,
    /// The clip the use made (absent while the job runs).
    pub clip_id: Option<String>,
    /// The audience in force when the use was granted.
    pub audience: Audience,
    /// RFC 3339.
    pub granted_at: String,
    /// The exact bytes that were signed (canonical JSON).
    pub payload: String,
    /// Ed25519 signature of `payload`, base64.
    pub signature: String,
    /// The server's Ed25519 public key, base64.
    pub public_key: String,
    /// Whether `signature` verifies against `payload` and `public_key`.
    pub verified: bool,
}

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportTarget {
    Clip,
}

/// Why something is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    /// "Uses my likeness without consent".
    Likeness,
    /// Anything else against the rules.
    Other,
}

/// `POST /api/reports`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewReport {
    pub target: ReportTarget,
    pub id: String,
    pub reason: ReportReason,
    #[serde(default)]
    pub details: String,
}

/// What happened to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// The clip is hidden until a reviewer decides (the reporter's avatar matches it).
    Hidden,
    /// Waiting for a reviewer; the clip stays up meanwhile.
    Queued,
}

/// The answer to `POST /api/reports`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportReceipt {
    pub id: String,
    pub status: ReportStatus,
}

/// `GET /api/notifications`: something that happened to the caller.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notice {
    pub id: String,
    /// `cast` (your avatar was used), `use_removed` (a clip of yours was removed by an avatar's
    /// owner), `avatar_revoked`, `report_hidden`.
    pub kind: String,
    /// A sentence for people.
    pub text: String,
    pub clip_id: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}
