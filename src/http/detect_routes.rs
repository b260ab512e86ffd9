//! `POST /api/detect`: the free public detector. Anyone (signed in or not) sends a video; it is
//! read on a blocking thread, one at a time: its C2PA manifest is verified against our CA, its
//! frames are decoded (`media::upload`) and searched for our watermark, and the clip either
//! names is looked up. A removed, hidden or private clip is reported as made here without
//! revealing anything about it.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use media::upload::{decode_upload, DecodeLimits};
use protocol::provenance::MAX_DETECT_BYTES;
use protocol::{
    C2paReport, DetectReport, ErrorBody, ErrorCode, FingerprintReport, IngredientReport, Verdict, WatermarkReport,
};
use uuid::Uuid;

use super::error::ApiError;
use crate::marking::LIVE_TAG;
use crate::state::AppState;

/// Longest stretch of a video the detector decodes, seconds (enough frames for the watermark's
/// statistics; the rest is not read).
pub const DETECT_MAX_SECONDS: f64 = 60.0;
/// Frames per second the detector samples.
pub const DETECT_SAMPLE_FPS: f64 = 8.0;
/// Longest side of a sampled frame, pixels (the watermark is read at 256).
pub const DETECT_MAX_SIDE: u32 = 512;
/// Fewer decoded frames than this and the watermark cannot rule anything out.
pub const DETECT_MIN_FRAMES: usize = 8;

async fn read_video(mut form: Multipart) -> Result<Vec<u8>, ApiError> {
    let mut fields = 0;
    while let Some(field) = form.next().await {
        fields += 1;
        if fields > super::avatar_routes::MAX_FORM_FIELDS {
            return Err(ApiError::new(ErrorCode::InvalidUpload, "too many form fields"));
        }
        let mut field = field.map_err(|e| ApiError::new(ErrorCode::InvalidUpload, format!("malformed form: {e}")))?;
        let is_video = field.name() == Some("video");
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|e| ApiError::new(ErrorCode::InvalidUpload, format!("the upload broke off: {e}")))?;
            if bytes.len() + chunk.len() > MAX_DETECT_BYTES {
                return Err(ApiError::new(
                    ErrorCode::PayloadTooLarge,
                    format!("the detector reads videos up to {MAX_DETECT_BYTES} bytes"),
                ));
            }
            if is_video {
                bytes.extend_from_slice(&chunk);
            }
        }
        if is_video {
            return Ok(bytes);
        }
    }
    Err(ApiError::new(
        ErrorCode::InvalidUpload,
        "send the video in the field `video`",
    ))
}

/// What the blocking thread found.
struct Signals {
    c2pa: provenance::Verdict,
    watermark: media::watermark::Detection,
    frames: usize,
    decode_error: Option<String>,
}

fn examine(marking: &crate::marking::Marking, bytes: &[u8]) -> Signals {
    let format = if bytes.get(4..8) == Some(b"ftyp") {
        "video/mp4"
    } else {
        "video/webm"
    };
    let c2pa = provenance::verify(&marking.authority, bytes, format);
    let limits = DecodeLimits {
        max_bytes: MAX_DETECT_BYTES,
        max_duration_s: DETECT_MAX_SECONDS,
        sample_fps: DETECT_SAMPLE_FPS,
        max_side: DETECT_MAX_SIDE,
    };
    let (frames, decode_error) = match decode_upload(bytes, &limits) {
        Ok(v) => (v.frames, None),
        // A long video is read no further than the limit: what was decoded is enough.
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let views: Vec<(usize, usize, &[u8])> = frames
        .iter()
        .map(|f| (f.width as usize, f.height as usize, f.rgb.as_slice()))
        .collect();
    Signals {
        c2pa,
        watermark: marking.watermark.detect(&views),
        frames: frames.len(),
        decode_error,
    }
}

/// `POST /api/detect` (multipart `video`; MP4, MOV or WebM, ≤ 50 MiB; no sign-in).
#[utoipa::path(
    post,
    path = "/api/detect",
    tag = "provenance",
    responses((status = 200, description = "the verdict and each signal", body = DetectReport), (status = "4XX", description = "`{code, message}`: see ErrorCode", body = ErrorBody))
)]
pub async fn detect(state: web::Data<AppState>, req: HttpRequest, form: Multipart) -> Result<HttpResponse, ApiError> {
    let address = super::client::client_address(&req, &state.config.trusted_proxies);
    state.detect_limits.admit(&address).map_err(|seconds| {
        ApiError::new(
            ErrorCode::RateLimited,
            "too many videos checked from this address; try later",
        )
        .retry_after(seconds)
    })?;
    let bytes = read_video(form).await?;
    if bytes.is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidUpload, "the video is empty"));
    }
    let Ok(_permit) = state.detect_permits.try_acquire() else {
        return Err(ApiError::new(
            ErrorCode::Unavailable,
            "the detector is busy; try again in a few seconds",
        )
        .retry_after(5));
    };
    let marking = state.clips.marking.clone();
    let s = web::block(move || examine(&marking, &bytes))
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("the detector failed: {e}")))?;
    if s.decode_error.is_some() && !s.c2pa.present {
        return Err(ApiError::new(
            ErrorCode::InvalidUpload,
            format!("not a video we can read: {}", s.decode_error.unwrap_or_default()),
        ));
    }
    let tag = s.watermark.tag.filter(|_| s.watermark.detected);
    let live = tag == Some(LIVE_TAG);
    let by_mark = match tag.filter(|t| *t != LIVE_TAG) {
        Some(t) => state.db.clip_by_watermark_tag(i64::from(t)).await?,
        None => None,
    };
    let by_manifest = s
        .c2pa
        .clip_id
        .as_deref()
        .filter(|_| s.c2pa.valid && s.c2pa.trusted)
        .and_then(|c| Uuid::parse_str(c).ok());
    let clip = by_manifest.or(by_mark);
    let public = match clip {
        Some(c) => state.db.is_public_post(c).await?,
        None => false,
    };
    let ours = (s.c2pa.valid && s.c2pa.trusted) || s.watermark.detected;
    let verdict = if ours {
        Verdict::Reelroom
    } else if s.frames >= DETECT_MIN_FRAMES {
        Verdict::NotReelroom
    } else {
        Verdict::Unknown
    };
    let message = match (verdict, clip, live) {
        (Verdict::Reelroom, Some(_), _) if public => "Made with reelroom: this is a public post.".to_string(),
        (Verdict::Reelroom, Some(_), _) => "Made with reelroom (the clip is private or was removed).".to_string(),
        (Verdict::Reelroom, None, true) => "Made with reelroom: a live preview.".to_string(),
        (Verdict::Reelroom, None, false) => "Made with reelroom.".to_string(),
        (Verdict::NotReelroom, ..) => "No reelroom signal found: no manifest of ours and no watermark.".to_string(),
        (Verdict::Unknown, ..) => "Too little of this video could be read to tell.".to_string(),
    };
    Ok(HttpResponse::Ok().json(DetectReport {
        verdict,
        clip_id: clip.map(|c| c.to_string()),
        post_url: clip.filter(|_| public).map(|c| format!("/#/clip/{c}")),
        message,
        c2pa: C2paReport {
            present: s.c2pa.present,
            valid: s.c2pa.valid,
            trusted: s.c2pa.trusted,
            actions: s.c2pa.actions,
            ingredients: s
                .c2pa
                .ingredients
                .into_iter()
                .map(|i| IngredientReport {
                    title: i.title,
                    relationship: i.relationship,
                    clip_id: i.clip_id,
                    valid: i.valid,
                })
                .collect(),
        },
        watermark: WatermarkReport {
            detected: s.watermark.detected,
            p_value: s.watermark.p_value,
            clip_id: by_mark.map(|c| c.to_string()),
            live,
        },
        fingerprint: FingerprintReport {
            available: false,
            matched: false,
            distance: None,
            clip_id: None,
        },
    }))
}
