//! REST DTOs of the public detector (`POST /api/detect`): whether a video came from reelroom,
//! from its C2PA manifest, its invisible watermark and its fingerprint.

use serde::{Deserialize, Serialize};

/// Largest video the detector reads, bytes (50 MiB).
pub const MAX_DETECT_BYTES: usize = 50 * 1024 * 1024;

/// The detector's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A trusted manifest of ours, or our watermark (p below the threshold).
    Reelroom,
    /// Enough frames were read and no signal of ours was found.
    NotReelroom,
    /// Too little could be read to tell.
    Unknown,
}

/// One ingredient of a C2PA manifest (a remix's parent).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngredientReport {
    pub title: String,
    pub relationship: String,
    pub clip_id: Option<String>,
    pub valid: bool,
}

/// What the C2PA manifest says.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct C2paReport {
    pub present: bool,
    pub valid: bool,
    /// Signed by reelroom's certificate authority.
    pub trusted: bool,
    pub actions: Vec<String>,
    pub ingredients: Vec<IngredientReport>,
}

/// What the invisible watermark says.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WatermarkReport {
    pub detected: bool,
    /// Probability of a signal this strong in a video without our mark.
    pub p_value: f64,
    pub clip_id: Option<String>,
    /// The mark of a live preview (not a stored clip).
    pub live: bool,
}

/// What the fingerprint registry says.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FingerprintReport {
    /// Whether this server keeps a fingerprint registry (not yet: always false).
    pub available: bool,
    pub matched: bool,
    pub distance: Option<u32>,
    pub clip_id: Option<String>,
}

/// `POST /api/detect`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DetectReport {
    pub verdict: Verdict,
    /// The clip it came from (also for removed or private clips, whose content stays hidden).
    pub clip_id: Option<String>,
    /// The public post, when the clip is public.
    pub post_url: Option<String>,
    /// A sentence for people.
    pub message: String,
    pub c2pa: C2paReport,
    pub watermark: WatermarkReport,
    pub fingerprint: FingerprintReport,
}
