//! The enrolment pipeline: sampling → detection → tracking → landmarks and yaw → quality
//! gates on the frontal frames → the challenge → crops, reference and mean embedding.
//!
//! The quality gates run before the challenge check: yaw comes from landmarks, and landmarks
//! on a face that is too small, too dark or blurred are not a measurement to accept or refuse
//! a challenge on; the person is told what to fix first.

use crate::detect::detect;
use crate::image_ops::luma;
use crate::models::{FaceModels, FrameImage, Landmarks5};
use crate::outputs::{face_crop, mean_embedding, reference, spread};
use crate::pose::{baseline, merged, turn_spans, yaw_proxy, CENTRE_YAW};
use crate::quality::{self, FaceQuality};
use crate::track::track;
use crate::{Enrolment, FaceBox, Frame, Rejection, Turn};

/// Frames closer than this to the previous sampled frame are skipped (≤ ~6.7 samples/s).
pub const MIN_SAMPLE_INTERVAL_MS: u32 = 150;
/// Embeddings averaged into [`Enrolment::embedding`] (spread over the good frontal frames).
pub const MAX_EMBEDDED_FRAMES: usize = 10;
/// When no face is tracked and the frames' median luma is below this, the answer is
/// [`Rejection::TooDark`] rather than [`Rejection::NoFace`]: the person should add light.
pub const DARK_FRAME_LUMA: f32 = 30.0;
/// Share of `progress` spent on detection and landmarks; the rest is the embedding.
const DETECT_SHARE: f32 = 0.8;

/// What the first stages measured; `enroll` decides from it. Public for diagnostics and the
/// measurements in faces/README.md.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Index into the caller's `frames` of each sampled frame.
    pub sampled: Vec<usize>,
    /// Faces the detector found in each sampled frame.
    pub faces_found: Vec<usize>,
    /// The tracked person's face in each sampled frame.
    pub person: Vec<Option<FaceBox>>,
    /// The person's yaw proxy in each sampled frame (raw, before the baseline).
    pub yaw: Vec<Option<f32>>,
    /// Tracks formed (1 = one clean track).
    pub tracks: usize,
    /// Runs of consecutive frames with the person (1 = never lost once found).
    pub runs: usize,
    /// Most frames another face shared with the person.
    pub second_face_frames: usize,
    tracked_check: Option<Rejection>,
}

/// Thins `frames` (sorted by time) to at most one per [`MIN_SAMPLE_INTERVAL_MS`].
fn sample(frames: &[Frame]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..frames.len()).collect();
    order.sort_by_key(|&i| frames[i].t_ms);
    let mut out: Vec<usize> = Vec::new();
    for i in order {
        let keep = match out.last() {
            None => true,
            Some(&j) => frames[i].t_ms >= frames[j].t_ms + MIN_SAMPLE_INTERVAL_MS,
        };
        if keep && frames[i].is_valid() {
            out.push(i);
        }
    }
    out
}

/// Detection, tracking, landmarks and yaw on every sampled frame (`progress` 0 → `share`).
pub fn analyse(models: &FaceModels, frames: &[Frame], progress: &mut dyn FnMut(f32), share: f32) -> Analysis {
    let sampled = sample(frames);
    let n = sampled.len();
    let mut detections: Vec<Vec<FaceBox>> = Vec::with_capacity(n);
    let mut landmarks: Vec<Vec<Option<Landmarks5>>> = Vec::with_capacity(n);
    for (k, &i) in sampled.iter().enumerate() {
        let found = detect(models, &frames[i]);
        let (faces, points) = match found {
            Some(d) => {
                let points = d.faces.iter().map(|f| models.landmarks(&d.image, f)).collect();
                (d.faces, points)
            }
            None => (Vec::new(), Vec::new()),
        };
        detections.push(faces);
        landmarks.push(points);
        progress(share * (k + 1) as f32 / n as f32);
    }
    let tracked = track(&detections);
    let yaw = tracked
        .person
        .iter()
        .enumerate()
        .map(|(k, person)| {
            let face = person.as_ref()?;
            let d = detections[k].iter().position(|f| f == face)?;
            yaw_proxy(landmarks[k][d].as_ref()?)
        })
        .collect();
    Analysis {
        faces_found: detections.iter().map(Vec::len).collect(),
        runs: tracked.runs(),
        tracks: tracked.tracks,
        second_face_frames: tracked.second_face_frames,
        tracked_check: tracked.check().err(),
        person: tracked.person,
        yaw,
        sampled,
    }
}

fn median_frame_luma(frames: &[Frame], sampled: &[usize]) -> f32 {
    let mut values: Vec<f32> = sampled
        .iter()
        .map(|&i| {
            let px: Vec<f32> = frames[i]
                .rgb
                .chunks_exact(3)
                .step_by(7)
                .map(|p| luma(p[0], p[1], p[2]))
                .collect();
            px.iter().sum::<f32>() / px.len().max(1) as f32
        })
        .collect();
    values.sort_by(f32::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// Enrols a person from a selfie video that should follow the head-turn challenge `expected`.
///
/// `frames`: the recording's frames in any order (sorted by `t_ms`, thinned to one per
/// 150 ms; about 5 per second, longest side ≤ 480 px, is what the server sends). `expected`:
/// the challenge, e.g. `[Left, Right]`; the turns seen (repeats of one turn merged, centre
/// phases ignored) must equal it with its own repeats merged. `progress` receives 0 → 1.
pub fn enroll(
    models: &FaceModels,
    frames: &[Frame],
    expected: &[Turn],
    progress: &mut dyn FnMut(f32),
) -> Result<Enrolment, Rejection> {
    progress(0.0);
    let a = analyse(models, frames, progress, DETECT_SHARE);
    if let Some(rejection) = a.tracked_check.clone() {
        if rejection == Rejection::NoFace
            && !a.sampled.is_empty()
            && median_frame_luma(frames, &a.sampled) < DARK_FRAME_LUMA
        {
            return Err(Rejection::TooDark);
        }
        return Err(rejection);
    }

    // Samples with the person and a yaw, and where straight ahead is for this recording.
    let with_face: Vec<(usize, FaceBox, f32)> = (0..a.sampled.len())
        .filter_map(|k| Some((k, a.person[k]?, a.yaw[k]?)))
        .collect();
    let yaws: Vec<f32> = with_face.iter().map(|s| s.2).collect();
    let centre = baseline(&yaws);
    let frame = |k: usize| &frames[a.sampled[k]];
    let measured: Vec<FaceQuality> = with_face
        .iter()
        .map(|&(k, face, _)| quality::measure(frame(k), &face))
        .collect();
    let frontal: Vec<usize> = (0..with_face.len())
        .filter(|&j| (with_face[j].2 - centre).abs() < CENTRE_YAW)
        .collect();
    let gated: Vec<FaceQuality> = if frontal.is_empty() {
        measured.clone()
    } else {
        frontal.iter().map(|&j| measured[j]).collect()
    };
    quality::check(&gated)?;

    let relative: Vec<f32> = yaws.iter().map(|y| y - centre).collect();
    let spans = turn_spans(&relative);
    let seen: Vec<Turn> = spans.iter().map(|s| s.turn).collect();
    if seen != merged(expected) {
        return Err(Rejection::ChallengeNotFollowed {
            expected: expected.to_vec(),
            seen,
        });
    }

    // Good frontal frames: the sharpest is the face of the preview and the reference.
    let good: Vec<usize> = frontal
        .iter()
        .copied()
        .filter(|&j| quality::passes(&measured[j]))
        .collect();
    let pool = if good.is_empty() { frontal } else { good };
    let best = pool
        .iter()
        .copied()
        .max_by(|&x, &y| measured[x].focus.total_cmp(&measured[y].focus))
        .ok_or(Rejection::ChallengeNotFollowed {
            expected: expected.to_vec(),
            seen: seen.clone(),
        })?;
    let (bk, bface, _) = with_face[best];
    let mut crops = vec![face_crop(frame(bk), &bface)];
    for span in spans.iter().take(4) {
        let (k, face, _) = with_face[span.peak];
        crops.push(face_crop(frame(k), &face));
    }

    let picks = spread(pool.len(), MAX_EMBEDDED_FRAMES);
    let mut embeddings = Vec::with_capacity(picks.len());
    for (n, &p) in picks.iter().enumerate() {
        let (k, face, _) = with_face[pool[p]];
        if let Some(e) = FrameImage::new(frame(k)).and_then(|img| models.embed(&img, &face)) {
            embeddings.push(e);
        }
        progress(DETECT_SHARE + (1.0 - DETECT_SHARE) * (n + 1) as f32 / picks.len() as f32);
    }
    let embedding = mean_embedding(&embeddings).ok_or(Rejection::NoFace)?;
    progress(1.0);

    Ok(Enrolment {
        reference: reference(frame(bk), &bface),
        crops,
        embedding,
        frames: a.sampled.len() as u32,
        frames_with_face: a.person.iter().filter(|p| p.is_some()).count() as u32,
        turns: seen,
        yaw: with_face.iter().map(|&(k, _, y)| (frame(k).t_ms, y)).collect(),
    })
}
