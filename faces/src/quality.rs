//! Quality gates measured on the face box of the frontal frames: size, light and focus.
//! Each gate compares the median over those frames with a named threshold, so one bad frame
//! does not reject a recording and one good frame does not accept a bad one.

use crate::image_ops::luma_crop;
use crate::{FaceBox, Frame, Rejection};

/// Smallest accepted face box side, in frame pixels (frames have a longest side ≤ 480 px).
/// dlib's embedding of a face drifts from the full-resolution one by L2 ≈ 0.09 at 96 px and
/// ≈ 0.16 at 64 px (research §2.4); 80 px keeps the drift well under
/// [`crate::SAME_PERSON_DISTANCE`].
pub const MIN_FACE_SIDE: f32 = 80.0;

/// Lowest accepted mean BT.601 luma (0–255) inside the face box. A lit face reads 90–180; at
/// 40 the camera's noise and compression dominate the skin texture the embedder needs.
pub const MIN_FACE_LUMA: f32 = 40.0;

/// Lowest accepted focus score: the variance of the 4-neighbour Laplacian of the face box's
/// luma, resampled to [`FOCUS_SIZE`]² (about the embedder's 150-px chip, so the score does not
/// depend on the face's size in the frame) and scaled by (128 / mean luma)² (so it does not
/// depend on exposure either). Measured on the synthesized 480×360 videos (faces/README.md):
/// frontal frames score ≈ 100, after a 3×3 box blur ≈ 50, 5×5 ≈ 22, 7×7 ≈ 11.
pub const MIN_FACE_BLUR_SCORE: f32 = 18.0;

/// Side of the resampled face used for the focus score.
const FOCUS_SIZE: u32 = 128;
/// Side of the resampled face used for the light measurement.
const LIGHT_SIZE: u32 = 48;

/// Measurements of one face in one frame (what the gates compare).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaceQuality {
    /// Longer side of the face box, frame pixels (vs [`MIN_FACE_SIDE`]).
    pub side: f32,
    /// Mean luma inside the box (vs [`MIN_FACE_LUMA`]).
    pub luma: f32,
    /// Focus score (vs [`MIN_FACE_BLUR_SCORE`]).
    pub focus: f32,
}

/// Measures `face` in `frame`.
pub fn measure(frame: &Frame, face: &FaceBox) -> FaceQuality {
    let (cx, cy) = face.centre();
    let side = face.side();
    let light = luma_crop(frame, cx, cy, side, LIGHT_SIZE);
    let luma = light.iter().sum::<f32>() / light.len() as f32;
    let exposure = (128.0 / luma.max(1.0)).powi(2);
    let focus = laplacian_variance(&luma_crop(frame, cx, cy, side, FOCUS_SIZE), FOCUS_SIZE) * exposure;
    FaceQuality { side, luma, focus }
}

/// Variance of the 4-neighbour Laplacian over the interior of a `size`² luma image.
pub(crate) fn laplacian_variance(luma: &[f32], size: u32) -> f32 {
    let n = size as usize;
    let mut sum = 0.0f64;
    let mut sum2 = 0.0f64;
    let mut count = 0.0f64;
    for y in 1..n - 1 {
        for x in 1..n - 1 {
            let c = luma[y * n + x];
            let l = luma[y * n + x - 1] + luma[y * n + x + 1] + luma[(y - 1) * n + x] + luma[(y + 1) * n + x] - 4.0 * c;
            sum += l as f64;
            sum2 += (l as f64) * (l as f64);
            count += 1.0;
        }
    }
    if count == 0.0 {
        return 0.0;
    }
    let mean = sum / count;
    (sum2 / count - mean * mean) as f32
}

fn median(mut values: Vec<f32>) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f32::total_cmp);
    values[values.len() / 2]
}

/// The medians of `measured` against the gates, in the order a person would fix them:
/// distance to the camera, then light, then focus.
pub(crate) fn check(measured: &[FaceQuality]) -> Result<(), Rejection> {
    let side = median(measured.iter().map(|q| q.side).collect());
    if side < MIN_FACE_SIDE {
        return Err(Rejection::FaceTooSmall);
    }
    let luma = median(measured.iter().map(|q| q.luma).collect());
    if luma < MIN_FACE_LUMA {
        return Err(Rejection::TooDark);
    }
    let focus = median(measured.iter().map(|q| q.focus).collect());
    if focus < MIN_FACE_BLUR_SCORE {
        return Err(Rejection::TooBlurry);
    }
    Ok(())
}

/// Whether one frame passes every gate (used to pick the frames to embed).
pub(crate) fn passes(q: &FaceQuality) -> bool {
    q.side >= MIN_FACE_SIDE && q.luma >= MIN_FACE_LUMA && q.focus >= MIN_FACE_BLUR_SCORE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_image_has_no_focus_and_a_checkerboard_has_a_lot() {
        let flat = vec![128.0; 16 * 16];
        assert_eq!(laplacian_variance(&flat, 16), 0.0);
        let board: Vec<f32> = (0..256)
            .map(|i| if (i % 16 + i / 16) % 2 == 0 { 0.0 } else { 255.0 })
            .collect();
        assert!(laplacian_variance(&board, 16) > 1e5);
    }

    #[test]
    fn gates_use_the_median() {
        let good = FaceQuality {
            side: 150.0,
            luma: 120.0,
            focus: 300.0,
        };
        let dark = FaceQuality { luma: 20.0, ..good };
        assert_eq!(check(&[good, good, dark]), Ok(()));
        assert_eq!(check(&[good, dark, dark]), Err(Rejection::TooDark));
        let small = FaceQuality { side: 50.0, ..dark };
        assert_eq!(check(&[small, small, good]), Err(Rejection::FaceTooSmall));
        let blurred = FaceQuality { focus: 5.0, ..good };
        assert_eq!(check(&[blurred]), Err(Rejection::TooBlurry));
    }
}
