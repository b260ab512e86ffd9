//! Head yaw from the 5 landmarks, turns with hysteresis, and the challenge check.
//!
//! Yaw proxy: the nose base's offset from the midpoint of the two eye centres, measured along
//! the eye line (so head roll does not count) and divided by the inter-ocular distance.
//! It is positive when the nose lies to the image's right of the eyes' midpoint, which in the
//! un-mirrored camera image means the person turned to *their* left: yaw > 0 ⇒ [`Turn::Left`].
//! The nose base sits roughly 1.5 cm in front of the mean of the eye corners and the eye
//! centres are about 6.3 cm apart, so for a real head the proxy is about 0.24·tan(yaw):
//! ≈ 0.09 at 20°, ≈ 0.14 at 30° (typical head geometry, not measured on people here). On the
//! synthesized test videos dlib's landmarks answer a 35° turn with +0.17 (left) / −0.11 (right).

use crate::Turn;

/// Entering a turn: |yaw − baseline| at least this (≈ 18° of real head yaw) …
pub const TURN_ENTER_YAW: f32 = 0.08;
/// … and leaving it: |yaw − baseline| below this (≈ 10°). The gap is the hysteresis; a still
/// photo moved by hand stays within ±0.02.
pub const TURN_EXIT_YAW: f32 = 0.04;
/// Frames with |yaw − baseline| below this are frontal (crops, quality gates, embedding).
pub const CENTRE_YAW: f32 = 0.05;
/// A turn counts once this many consecutive samples are past [`TURN_ENTER_YAW`] (at 5 fps:
/// 0.4 s), and ends after this many consecutive samples back inside [`TURN_EXIT_YAW`].
pub const TURN_MIN_SAMPLES: usize = 2;
/// The baseline (the median yaw: where "straight ahead" is for this camera placement) is
/// clamped to ± this, so a video spent mostly turned cannot move the centre onto the turn.
const MAX_BASELINE: f32 = 0.08;

/// The yaw proxy of five dlib landmarks (points 0–1 one eye's corners, 2–3 the other's, 4 the
/// nose base), or `None` for degenerate points. See the module docs for scale and sign.
pub fn yaw_proxy(points: &[(f32, f32); 5]) -> Option<f32> {
    let eye_a = ((points[0].0 + points[1].0) / 2.0, (points[0].1 + points[1].1) / 2.0);
    let eye_b = ((points[2].0 + points[3].0) / 2.0, (points[2].1 + points[3].1) / 2.0);
    let (mut ax, mut ay) = (eye_b.0 - eye_a.0, eye_b.1 - eye_a.1);
    let iod = (ax * ax + ay * ay).sqrt();
    if !iod.is_finite() || iod < 1.0 {
        return None;
    }
    if ax < 0.0 {
        (ax, ay) = (-ax, -ay);
    }
    let mid = ((eye_a.0 + eye_b.0) / 2.0, (eye_a.1 + eye_b.1) / 2.0);
    let (nx, ny) = (points[4].0 - mid.0, points[4].1 - mid.1);
    Some((nx * ax + ny * ay) / (iod * iod))
}

/// Where "straight ahead" is: the median yaw, clamped to ±0.08.
pub(crate) fn baseline(yaw: &[f32]) -> f32 {
    if yaw.is_empty() {
        return 0.0;
    }
    let mut sorted = yaw.to_vec();
    sorted.sort_by(f32::total_cmp);
    sorted[sorted.len() / 2].clamp(-MAX_BASELINE, MAX_BASELINE)
}

fn side(yaw: f32, limit: f32) -> Option<Turn> {
    if yaw >= limit {
        Some(Turn::Left)
    } else if yaw <= -limit {
        Some(Turn::Right)
    } else {
        None
    }
}

/// One turn found in a yaw series: its direction and the sample where it was strongest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TurnSpan {
    pub(crate) turn: Turn,
    pub(crate) peak: usize,
}

/// The turns in a yaw series (already relative to the baseline), in order, with repeats of
/// the same turn merged (keeping the stronger peak).
pub(crate) fn turn_spans(yaw: &[f32]) -> Vec<TurnSpan> {
    let mut seen: Vec<TurnSpan> = Vec::new();
    let mut state: Option<Turn> = None;
    let mut pending: Option<Option<Turn>> = None;
    let mut count = 0;
    for (i, &y) in yaw.iter().enumerate() {
        // The state this sample argues for, if it differs from the current one.
        let want = match state {
            None => side(y, TURN_ENTER_YAW).map(Some),
            Some(t) => match side(y, TURN_ENTER_YAW) {
                Some(other) if other != t => Some(Some(other)),
                _ if y.abs() < TURN_EXIT_YAW => Some(None),
                _ => None,
            },
        };
        match want {
            Some(w) if pending == Some(w) => count += 1,
            Some(w) => {
                pending = Some(w);
                count = 1;
            }
            None => {
                pending = None;
                count = 0;
            }
        }
        if let Some(w) = pending {
            if count >= TURN_MIN_SAMPLES {
                state = w;
                if let Some(turn) = w {
                    if seen.last().map(|s| s.turn) != Some(turn) {
                        seen.push(TurnSpan { turn, peak: i });
                    }
                }
                pending = None;
                count = 0;
            }
        }
        if let (Some(t), Some(last)) = (state, seen.last_mut()) {
            if last.turn == t && y.abs() > yaw[last.peak].abs() && side(y, 0.0) == Some(t) {
                last.peak = i;
            }
        }
    }
    seen
}

/// The turns alone (see [`turn_spans`]).
#[cfg(test)]
pub(crate) fn turns(yaw: &[f32]) -> Vec<Turn> {
    turn_spans(yaw).iter().map(|s| s.turn).collect()
}

/// Merges consecutive repeats ([Left, Left, Right] → [Left, Right]).
pub(crate) fn merged(turns: &[Turn]) -> Vec<Turn> {
    let mut out: Vec<Turn> = Vec::new();
    for &t in turns {
        if out.last() != Some(&t) {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(parts: &[(f32, usize)]) -> Vec<f32> {
        parts.iter().flat_map(|&(y, n)| std::iter::repeat_n(y, n)).collect()
    }

    #[test]
    fn sign_follows_the_nose_side() {
        // Eye centres level at y = 100, 40 px apart; nose 12 px to the image's right of their
        // middle: 12 / 40 = 0.3, a turn to the person's left.
        let p = [
            (70.0, 100.0),
            (90.0, 100.0),
            (130.0, 100.0),
            (110.0, 100.0),
            (112.0, 140.0),
        ];
        let y = yaw_proxy(&p).unwrap_or(0.0);
        assert!((y - 0.3).abs() < 1e-4, "{y}");
        let mirrored = p.map(|(x, y)| (200.0 - x, y));
        assert!((yaw_proxy(&mirrored).unwrap_or(0.0) + 0.3).abs() < 1e-4);
        // The same face rolled by 30°: roll must not read as yaw.
        let (c, s) = (30f32.to_radians().cos(), 30f32.to_radians().sin());
        let rolled = p.map(|(x, y)| (c * x - s * y, s * x + c * y));
        assert!((yaw_proxy(&rolled).unwrap_or(0.0) - 0.3).abs() < 1e-4);
    }

    #[test]
    fn hysteresis_and_debounce() {
        let s = series(&[(0.0, 5), (0.2, 4), (0.05, 3), (0.2, 2), (0.0, 4), (-0.2, 4), (0.0, 3)]);
        // The dip to 0.05 stays above the exit threshold: still one left turn.
        assert_eq!(turns(&s), vec![Turn::Left, Turn::Right]);
        // One spike is not a turn.
        let s = series(&[(0.0, 5), (0.3, 1), (0.0, 5)]);
        assert!(turns(&s).is_empty());
        // Left, back to centre, left again: merged.
        let s = series(&[(0.2, 3), (0.0, 3), (0.2, 3), (0.0, 3), (-0.2, 3)]);
        assert_eq!(turns(&s), vec![Turn::Left, Turn::Right]);
        // Straight from left to right.
        let s = series(&[(0.2, 3), (-0.2, 3)]);
        assert_eq!(turns(&s), vec![Turn::Left, Turn::Right]);
    }

    #[test]
    fn baseline_is_a_clamped_median() {
        assert_eq!(baseline(&[0.05, 0.04, 0.3, 0.06, -0.2]), 0.05);
        assert_eq!(baseline(&[0.3, 0.3, 0.3]), MAX_BASELINE);
    }
}
