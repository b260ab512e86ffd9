//! What an accepted enrolment keeps: preview crops of the face, the small head-and-shoulders
//! reference for the video model, and the mean embedding.

use crate::image_ops::{crop_square, encode_png};
use crate::{FaceBox, Frame, CROP_SIZE, REFERENCE_SIZE};

/// Preview crop: a square this many face sides wide (hair and chin included) …
const CROP_SCALE: f32 = 1.6;
/// … centred this many face sides above the box centre (dlib's box starts at the brows).
const CROP_LIFT: f32 = 0.12;
/// Reference: a square this many face sides wide (head and shoulders) …
const REFERENCE_SCALE: f32 = 2.8;
/// … centred this many face sides below the box centre.
const REFERENCE_DROP: f32 = 0.55;

/// A PNG-encoded [`CROP_SIZE`]² crop around `face`.
pub(crate) fn face_crop(frame: &Frame, face: &FaceBox) -> Vec<u8> {
    let (cx, cy) = face.centre();
    let side = face.side();
    let rgb = crop_square(frame, cx, cy - CROP_LIFT * side, CROP_SCALE * side, CROP_SIZE);
    encode_png(&rgb, CROP_SIZE)
}

/// The [`REFERENCE_SIZE`]² RGB8 head-and-shoulders crop around `face`.
pub(crate) fn reference(frame: &Frame, face: &FaceBox) -> Vec<u8> {
    let (cx, cy) = face.centre();
    let side = face.side();
    crop_square(
        frame,
        cx,
        cy + REFERENCE_DROP * side,
        REFERENCE_SCALE * side,
        REFERENCE_SIZE as u32,
    )
}

/// The element-wise mean of `embeddings` (`None` when empty).
pub(crate) fn mean_embedding(embeddings: &[[f32; 128]]) -> Option<[f32; 128]> {
    if embeddings.is_empty() {
        return None;
    }
    let mut mean = [0.0f32; 128];
    for e in embeddings {
        for (m, v) in mean.iter_mut().zip(e) {
            *m += v;
        }
    }
    let n = embeddings.len() as f32;
    for m in &mut mean {
        *m /= n;
    }
    Some(mean)
}

/// Up to `count` indices spread evenly over `0..len`.
pub(crate) fn spread(len: usize, count: usize) -> Vec<usize> {
    if len <= count {
        return (0..len).collect();
    }
    (0..count).map(|k| k * len / count + len / (2 * count)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crops_have_the_promised_sizes() {
        let rgb: Vec<u8> = (0..64 * 48 * 3).map(|i| (i % 251) as u8).collect();
        let frame = Frame {
            t_ms: 0,
            width: 64,
            height: 48,
            rgb: &rgb,
        };
        let face = FaceBox {
            x: 20.0,
            y: 10.0,
            w: 20.0,
            h: 20.0,
        };
        assert_eq!(reference(&frame, &face).len(), REFERENCE_SIZE * REFERENCE_SIZE * 3);
        let png = face_crop(&frame, &face);
        assert_eq!(&png[1..4], b"PNG");
        let decoded = image::load_from_memory(&png).map(|i| (i.width(), i.height()));
        assert_eq!(decoded.ok(), Some((CROP_SIZE, CROP_SIZE)));
    }

    #[test]
    fn spread_and_mean() {
        assert_eq!(spread(3, 10), vec![0, 1, 2]);
        assert_eq!(spread(10, 2), vec![2, 7]);
        let m = mean_embedding(&[[1.0; 128], [3.0; 128]]);
        assert_eq!(m.map(|m| m[5]), Some(2.0));
    }
}
