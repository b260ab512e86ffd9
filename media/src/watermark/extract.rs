//! The detector's first stage (called by `Watermarker::analyse` in `mod.rs`): RGB frames of any
//! size → one high-passed, clipped luma image at a capped working resolution, averaged over
//! time. The watermark is the same in every frame and does not move, so it adds up coherently
//! in the mean while moving content blurs out; the high-pass removes what is left of the
//! content's low frequencies, and the clip stops a few strong edges from dominating the sums.
//!
//! Hostile input: frames whose byte length is short for their claimed size are skipped, huge
//! frames are area-averaged down to at most [`MAX_WORK_SIDE`] on a side, and only
//! [`MAX_DETECT_FRAMES`] frames are read, so time is bounded by the bytes actually supplied and
//! memory by the working-resolution cap.

use std::collections::HashMap;

use super::{
    CLIP_SIGMAS, LOCAL_POWER_FLOOR, LOCAL_POWER_RADIUS, MAX_DETECT_FRAMES, MAX_WORK_SIDE, MIN_CLIP_LEVELS,
    MIN_WORK_SIDE, PRE_HIGHPASS_RADIUS,
};

/// The high-passed mean luma of one group of same-sized frames, at working resolution.
#[derive(Debug, Clone)]
pub(crate) struct Residual {
    pub width: usize,
    pub height: usize,
    /// Working pixels are `reduce × reduce` blocks of input pixels.
    pub reduce: usize,
    /// Row-major, `width × height`.
    pub data: Vec<f32>,
    /// Frames averaged.
    pub frames: usize,
}

/// Bytes one `w × h` RGB frame needs, if that fits in `usize`.
fn frame_len(w: usize, h: usize) -> Option<usize> {
    w.checked_mul(h)?.checked_mul(3)
}

/// Picks the most common valid frame size (ties: the first seen), averages up to
/// [`MAX_DETECT_FRAMES`] of those frames (evenly spaced) and high-passes the mean. `None` when
/// no frame is usable (empty, short, or smaller than [`MIN_WORK_SIDE`] after reduction).
pub(crate) fn residual(frames: &[(usize, usize, &[u8])]) -> Option<Residual> {
    let mut counts: HashMap<(usize, usize), (usize, usize)> = HashMap::new();
    for (i, &(w, h, rgb)) in frames.iter().enumerate() {
        if w == 0 || h == 0 || frame_len(w, h).is_none_or(|n| n > rgb.len()) {
            continue;
        }
        counts.entry((w, h)).or_insert((0, i)).0 += 1;
    }
    let (&(w, h), &(count, _)) = counts
        .iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))?;
    let reduce = w.max(h).div_ceil(MAX_WORK_SIDE).max(1);
    let (ww, wh) = (w / reduce, h / reduce);
    if ww < MIN_WORK_SIDE || wh < MIN_WORK_SIDE {
        return None;
    }
    let group: Vec<&[u8]> = frames
        .iter()
        .filter(|f| (f.0, f.1) == (w, h) && frame_len(w, h).is_some_and(|n| n <= f.2.len()))
        .map(|f| f.2)
        .collect();
    let take = count.min(MAX_DETECT_FRAMES);
    let mut acc = vec![0f64; ww * wh];
    let mut row_sum = vec![0u32; ww];
    for k in 0..take {
        // Evenly spaced when there are more frames than we read.
        let rgb = group[k * count / take];
        for (yr, acc_row) in acc.chunks_exact_mut(ww).enumerate() {
            row_sum.iter_mut().for_each(|v| *v = 0);
            for dy in 0..reduce {
                let start = (yr * reduce + dy) * w * 3;
                let row = &rgb[start..start + ww * reduce * 3];
                for (xr, block) in row.chunks_exact(reduce * 3).enumerate() {
                    // BT.601 luma weights ×256; the offset does not matter after the high-pass.
                    row_sum[xr] += block
                        .chunks_exact(3)
                        .map(|p| 66 * p[0] as u32 + 129 * p[1] as u32 + 25 * p[2] as u32)
                        .sum::<u32>();
                }
            }
            for (a, &s) in acc_row.iter_mut().zip(&row_sum) {
                *a += s as f64;
            }
        }
    }
    let norm = 1.0 / (take as f64 * (reduce * reduce) as f64 * 256.0);
    acc.iter_mut().for_each(|v| *v *= norm);
    Some(Residual {
        width: ww,
        height: wh,
        reduce,
        data: high_pass(&acc, ww, wh),
        frames: take,
    })
}

/// `mean − box mean` over a `(2r+1)²` window (truncated at the borders), then clipped at
/// ±[`CLIP_SIGMAS`] robust standard deviations (1.4826 × median |r|), at least
/// ±[`MIN_CLIP_LEVELS`].
fn high_pass(mean: &[f64], w: usize, h: usize) -> Vec<f32> {
    let stride = w + 1;
    let mut integral = vec![0f64; stride * (h + 1)];
    for y in 0..h {
        let mut run = 0.0;
        for x in 0..w {
            run += mean[y * w + x];
            integral[(y + 1) * stride + x + 1] = integral[y * stride + x + 1] + run;
        }
    }
    let r = PRE_HIGHPASS_RADIUS;
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let sum = integral[y1 * stride + x1] - integral[y0 * stride + x1] - integral[y1 * stride + x0]
                + integral[y0 * stride + x0];
            let local = sum / ((y1 - y0) * (x1 - x0)) as f64;
            out.push((mean[y * w + x] - local) as f32);
        }
    }
    let mut mags: Vec<f32> = out.iter().map(|v| v.abs()).collect();
    let mid = mags.len() / 2;
    let median = *mags.select_nth_unstable_by(mid, f32::total_cmp).1;
    let clip = (CLIP_SIGMAS * 1.4826 * median).max(MIN_CLIP_LEVELS);
    out.iter_mut().for_each(|v| *v = v.clamp(-clip, clip));
    local_weight(&mut out, w, h);
    out
}

/// Divides each residual pixel by its neighbourhood's residual power (plus a floor): busy
/// texture, where content swamps the mark, counts less than smooth areas, where the mark is
/// most of what is left. This is the matched filter's weighting for noise whose variance
/// changes across the picture.
fn local_weight(r: &mut [f32], w: usize, h: usize) {
    let stride = w + 1;
    let mut integral = vec![0f64; stride * (h + 1)];
    for y in 0..h {
        let mut run = 0.0;
        for x in 0..w {
            run += (r[y * w + x] as f64).powi(2);
            integral[(y + 1) * stride + x + 1] = integral[y * stride + x + 1] + run;
        }
    }
    let rad = LOCAL_POWER_RADIUS;
    let floor = (LOCAL_POWER_FLOOR * LOCAL_POWER_FLOOR) as f64;
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(rad), (y + rad + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(rad), (x + rad + 1).min(w));
            let sum = integral[y1 * stride + x1] - integral[y0 * stride + x1] - integral[y1 * stride + x0]
                + integral[y0 * stride + x0];
            let power = sum / ((y1 - y0) * (x1 - x0)) as f64;
            r[y * w + x] = (r[y * w + x] as f64 * floor / (power + floor)) as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_common_size_and_skips_bad_frames() {
        let big = vec![100u8; 64 * 64 * 3];
        let other = vec![0u8; 80 * 80 * 3];
        let short = vec![0u8; 10];
        let frames = [
            (80, 80, other.as_slice()),
            (64, 64, big.as_slice()),
            (64, 64, big.as_slice()),
            (64, 64, short.as_slice()),
            (0, 5, short.as_slice()),
            (usize::MAX, 3, short.as_slice()),
        ];
        let r = residual(&frames).expect("usable");
        assert_eq!((r.width, r.height, r.frames, r.reduce), (64, 64, 2, 1));
        assert!(r.data.iter().all(|v| v.abs() < 1e-3), "flat frames leave no residual");
        assert!(residual(&[(1, 10_000, &vec![0u8; 30_000][..])]).is_none());
        assert!(residual(&[]).is_none());
    }

    #[test]
    fn huge_frames_are_reduced() {
        let w = MAX_WORK_SIDE * 3 + 1;
        let rgb = vec![9u8; w * 40 * 3];
        assert!(residual(&[(w, 40, &rgb[..])]).is_none(), "40 / 4 px is too small");
        let rgb = vec![9u8; w * 200 * 3];
        let r = residual(&[(w, 200, &rgb[..])]).expect("usable");
        assert_eq!((r.reduce, r.width, r.height), (4, w / 4, 50));
    }
}
