//! reelroom's wire types, shared by the server and (through ts-rs) the web app.
//!
//! Owns: ids, the control-socket messages, REST DTOs, error codes, WebSocket close codes
//! and the scene-script schema with its validator. Depends on serde only; the `ts`
//! feature adds the TypeScript twins checked for drift in `tests/ts_drift.rs`, the `openapi`
//! feature the REST DTOs' OpenAPI schemas (the server's `/api/openapi.json`).

pub mod api;
pub mod avatar;
pub mod close;
pub mod control;
pub mod error;
pub mod feed;
pub mod provenance;
pub mod range;
pub mod role;
pub mod script;
pub mod understand;

pub use api::*;
pub use avatar::{
    Audience, AvatarPermissions, AvatarStatus, AvatarUse, AvatarView, CastableAvatar, Challenge, ChallengeStep,
    Extraction, FailReason, GrantView, NewReport, Notice, ReportReason, ReportReceipt, ReportStatus, ReportTarget,
    UseState,
};
pub use close::CloseCode;
pub use control::{ClientMessage, MemberOnline, ServerMessage};
pub use error::{ErrorBody, ErrorCode};
pub use feed::{
    CommentPage, CommentView, FeedPage, FollowView, ForYouScore, LikeView, LineageNode, LineageView, NewComment,
    PostClip, PostView, ProfileView, RemixRequest, Visibility,
};
pub use provenance::{C2paReport, DetectReport, FingerprintReport, IngredientReport, Verdict, WatermarkReport};
pub use role::Role;
pub use understand::{Correction, Understanding, UnderstoodSubject};

/// Version of the control protocol; clients send it as `?v=` when they open `/control`.
pub const PROTOCOL_VERSION: u32 = 1;
