//! A head turn painted onto a flat photo. The face is given depth (a cylinder of head radius
//! plus a ridge for the nose) and rotated about a vertical axis behind it, so the nose moves
//! further than the eyes and the far side is foreshortened, as in a real turn; each output row
//! is resolved with a 1-D depth buffer. Outside the head the photo is left as it is, with a
//! smooth blend in between. All lengths are in photo pixels relative to the face box centre.

/// Rotation axis behind the face surface, in face widths (a head radius ≈ 0.65 face width).
const AXIS_DEPTH: f32 = 0.65;
/// Radius of the cylinder that gives the face its curvature, in face widths.
const CYLINDER_RADIUS: f32 = 0.85;
/// How far the nose ridge stands out of the cylinder (≈ 2 cm on a 14-cm face) …
const NOSE_HEIGHT: f32 = 0.12;
/// … its half-width (Gaussian sigma), in face widths …
const NOSE_SIGMA: f32 = 0.09;
/// … and its vertical extent, in face heights from the box centre (eye line to nose base,
/// as dlib's 5 landmarks place them in its face box).
const NOSE_TOP: f32 = -0.25;
const NOSE_BOTTOM: f32 = 0.12;
const NOSE_FADE: f32 = 0.08;
/// The head region (full weight inside, faded to the untouched photo at the outer edge).
const HEAD_HALF_WIDTH: (f32, f32) = (0.55, 0.95);
const HEAD_ABOVE: (f32, f32) = (0.95, 1.35);
const HEAD_BELOW: (f32, f32) = (0.55, 0.95);
/// Depth given to the untouched background (behind any part of the head).
const BACKGROUND_DEPTH: f32 = -2.0;

/// 1 up to `inner`, 0 from `outer`, a cosine fade in between.
fn ramp(x: f32, inner: f32, outer: f32) -> f32 {
    if x <= inner {
        1.0
    } else if x >= outer {
        0.0
    } else {
        let t = (x - inner) / (outer - inner);
        let c = (t * std::f32::consts::FRAC_PI_2).cos();
        c * c
    }
}

/// The turn of one face: `yaw` in radians, positive = the person's left (toward image right).
#[derive(Clone, Copy, Debug)]
pub(crate) struct HeadWarp {
    pub(crate) face_w: f32,
    pub(crate) face_h: f32,
    pub(crate) yaw: f32,
}

impl HeadWarp {
    fn row_weight(&self, v: f32) -> f32 {
        let rel = v / self.face_h;
        if rel < 0.0 {
            ramp(-rel, HEAD_ABOVE.0, HEAD_ABOVE.1)
        } else {
            ramp(rel, HEAD_BELOW.0, HEAD_BELOW.1)
        }
    }

    fn nose_weight(&self, v: f32) -> f32 {
        let rel = v / self.face_h;
        if rel < NOSE_TOP {
            ramp(NOSE_TOP - rel, 0.0, NOSE_FADE)
        } else {
            ramp(rel - NOSE_BOTTOM, 0.0, NOSE_FADE)
        }
    }

    /// Where the photo point (u, v) lands horizontally, and its depth toward the camera.
    fn forward(&self, u: f32, row_weight: f32, nose: f32) -> (f32, f32) {
        let fw = self.face_w;
        let w = ramp(u.abs() / fw, HEAD_HALF_WIDTH.0, HEAD_HALF_WIDTH.1) * row_weight;
        if w <= 0.0 {
            return (u, BACKGROUND_DEPTH * fw);
        }
        let r = CYLINDER_RADIUS * fw;
        let surface = AXIS_DEPTH * fw * (1.0 - (u / r).powi(2)).max(0.0).sqrt();
        let ridge = NOSE_HEIGHT * fw * (-(u * u) / (2.0 * (NOSE_SIGMA * fw).powi(2))).exp() * nose;
        let z = surface + ridge;
        let (s, c) = self.yaw.sin_cos();
        let turned = u * c + z * s;
        let depth = -u * s + z * c - AXIS_DEPTH * fw;
        (u + w * (turned - u), w * depth + (1.0 - w) * BACKGROUND_DEPTH * fw)
    }

    /// For output positions `first + j·step` (j < `count`) on the row at height `v`, the photo
    /// position `u` whose surface is visible there.
    pub(crate) fn invert_row(&self, v: f32, first: f32, step: f32, count: usize) -> Vec<f32> {
        let identity = (0..count).map(|j| first + j as f32 * step).collect::<Vec<_>>();
        let row = self.row_weight(v);
        if self.yaw == 0.0 || row <= 0.0 || count == 0 {
            return identity;
        }
        let nose = self.nose_weight(v);
        let margin = 2.0 * self.face_w;
        let delta = step / 3.0;
        let start = first - margin;
        let samples = ((count as f32 * step + 2.0 * margin) / delta).ceil() as usize + 1;
        let mut best_depth = vec![f32::NEG_INFINITY; count];
        let mut out = identity;
        let mut prev = (start, self.forward(start, row, nose));
        for k in 1..samples {
            let u = start + k as f32 * delta;
            let cur = (u, self.forward(u, row, nose));
            let ((ua, (oa, da)), (ub, (ob, db))) = (prev, cur);
            let (lo, hi) = (oa.min(ob), oa.max(ob));
            let j0 = ((lo - first) / step).ceil().max(0.0) as usize;
            let j1 = ((hi - first) / step).floor();
            if j1 >= 0.0 {
                let j1 = (j1 as usize).min(count.saturating_sub(1));
                for j in j0..=j1 {
                    let o = first + j as f32 * step;
                    let t = if ob != oa { (o - oa) / (ob - oa) } else { 0.0 };
                    let d = da + t * (db - da);
                    if d > best_depth[j] {
                        best_depth[j] = d;
                        out[j] = ua + t * (ub - ua);
                    }
                }
            }
            prev = cur;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_turn_is_the_identity_and_a_turn_moves_the_nose_more_than_the_eyes() {
        let warp = HeadWarp {
            face_w: 100.0,
            face_h: 100.0,
            yaw: 0.0,
        };
        assert_eq!(warp.invert_row(0.0, -10.0, 1.0, 3), vec![-10.0, -9.0, -8.0]);
        let warp = HeadWarp {
            yaw: 30f32.to_radians(),
            ..warp
        };
        // Where do the nose (u = 0, v = 5) and an eye (u = ±22, v = -25) land?
        let land = |u: f32, v: f32| {
            let row = warp.row_weight(v);
            warp.forward(u, row, warp.nose_weight(v)).0
        };
        let nose = land(0.0, 5.0);
        let eyes = (land(-22.0, -25.0) + land(22.0, -25.0)) / 2.0;
        let iod = land(22.0, -25.0) - land(-22.0, -25.0);
        assert!(nose > eyes && eyes > 0.0, "turning left moves the face to image right");
        let proxy = (nose - eyes) / iod;
        assert!((0.12..0.3).contains(&proxy), "{proxy}");
        // The inverse finds the nose again.
        let back = warp.invert_row(5.0, nose - 0.5, 1.0, 2);
        assert!(back[0].abs() < 1.5, "{back:?}");
    }
}
