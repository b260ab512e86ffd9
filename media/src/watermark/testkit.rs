//! Synthetic clips and the attacks the watermark must survive, shared by `tests/watermark.rs`,
//! `benches/watermark.rs` and any robustness tool: procedural content (moving shapes on
//! gradients, made at 64 px and upscaled like the model's frames; drifting textured noise; a
//! pan/zoom over a photo), and H.264 / VP8 re-encodes through media's own encoders and upload
//! decoder, area downscale, crop and Gaussian blur (those live in `attack.rs`). Not used on
//! the serving path.

use crate::frame::upscale;

/// Frame rate of our clips.
pub const CLIP_FPS: u32 = 8;

/// One video: same-sized RGB frames.
#[derive(Debug, Clone, PartialEq)]
pub struct Clip {
    pub width: usize,
    pub height: usize,
    pub frames: Vec<Vec<u8>>,
}

impl Clip {
    /// The frames as [`super::Watermarker::detect`] takes them.
    pub fn refs(&self) -> Vec<(usize, usize, &[u8])> {
        self.frames
            .iter()
            .map(|f| (self.width, self.height, f.as_slice()))
            .collect()
    }
}

/// A tiny deterministic generator (splitmix64) for content.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Moving coloured discs and boxes over a drifting two-colour gradient, drawn at 64 × 64 and
/// upscaled ×4 (nearest neighbour), as the model's frames are.
pub fn shapes(seed: u64, frames: usize) -> Clip {
    let mut rng = Rng::new(seed);
    let (n, k) = (64usize, 4usize);
    let c0: Vec<f64> = (0..3).map(|_| rng.range(20.0, 235.0)).collect();
    let c1: Vec<f64> = (0..3).map(|_| rng.range(20.0, 235.0)).collect();
    let angle = rng.range(0.0, std::f64::consts::TAU);
    let objects: Vec<[f64; 9]> = (0..rng.range(2.0, 6.0) as usize)
        .map(|_| {
            let colour = [rng.range(0.0, 255.0), rng.range(0.0, 255.0), rng.range(0.0, 255.0)];
            let (x, y, r) = (rng.range(0.0, 64.0), rng.range(0.0, 64.0), rng.range(4.0, 14.0));
            let (vx, vy, disc) = (rng.range(-2.0, 2.0), rng.range(-2.0, 2.0), rng.range(0.0, 1.0));
            [x, y, r, vx, vy, disc, colour[0], colour[1], colour[2]]
        })
        .collect();
    let out = (0..frames)
        .map(|t| {
            let t = t as f64;
            let mut small = Vec::with_capacity(n * n * 3);
            for y in 0..n {
                for x in 0..n {
                    let g = ((x as f64 * angle.cos() + y as f64 * angle.sin()) / 90.0 + t * 0.01).rem_euclid(1.0);
                    let mut px = [0.0; 3];
                    for c in 0..3 {
                        px[c] = c0[c] * (1.0 - g) + c1[c] * g;
                    }
                    for o in &objects {
                        let (dx, dy) = (x as f64 - (o[0] + o[3] * t), y as f64 - (o[1] + o[4] * t));
                        let inside = if o[5] < 0.5 {
                            dx * dx + dy * dy < o[2] * o[2]
                        } else {
                            dx.abs() < o[2] && dy.abs() < o[2] * 0.6
                        };
                        if inside {
                            px = [o[6], o[7], o[8]];
                        }
                    }
                    small.extend(px.map(|v| v.clamp(0.0, 255.0) as u8));
                }
            }
            upscale(&small, n, k)
        })
        .collect();
    Clip {
        width: n * k,
        height: n * k,
        frames: out,
    }
}

/// Smooth value noise at `scale` px per lattice cell, sampled at `(x, y)`.
fn value_noise(lattice: &[f64], side: usize, x: f64, y: f64) -> f64 {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let at = |i: f64, j: f64| lattice[(j as usize % side) * side + i as usize % side];
    let s = |t: f64| t * t * (3.0 - 2.0 * t);
    let top = at(x0, y0) * (1.0 - s(fx)) + at(x0 + 1.0, y0) * s(fx);
    let bottom = at(x0, y0 + 1.0) * (1.0 - s(fx)) + at(x0 + 1.0, y0 + 1.0) * s(fx);
    top * (1.0 - s(fy)) + bottom * s(fy)
}

/// Drifting multi-octave coloured noise (grass, gravel, clouds), 256 × 256.
pub fn texture(seed: u64, frames: usize) -> Clip {
    let mut rng = Rng::new(seed);
    let side = 64;
    let lattices: Vec<Vec<f64>> = (0..3)
        .map(|_| (0..side * side).map(|_| rng.range(-1.0, 1.0)).collect())
        .collect();
    let tint: Vec<f64> = (0..3).map(|_| rng.range(60.0, 190.0)).collect();
    let contrast = rng.range(15.0, 70.0);
    let (vx, vy) = (rng.range(-3.0, 3.0), rng.range(-3.0, 3.0));
    let base_scale = rng.range(6.0, 24.0);
    let out = (0..frames)
        .map(|t| {
            let mut rgb = Vec::with_capacity(256 * 256 * 3);
            for y in 0..256 {
                for x in 0..256 {
                    let (px, py) = (x as f64 + vx * t as f64 + 1000.0, y as f64 + vy * t as f64 + 1000.0);
                    let mut v = 0.0;
                    for (o, lattice) in lattices.iter().enumerate() {
                        let f = base_scale / (1 << o) as f64;
                        v += value_noise(lattice, side, px / f, py / f) / (1 << o) as f64;
                    }
                    for (c, tint) in tint.iter().enumerate() {
                        let shade = 1.0 + 0.25 * (c as f64 - 1.0) * v;
                        rgb.push((tint * shade + contrast * v).clamp(0.0, 255.0) as u8);
                    }
                }
            }
            rgb
        })
        .collect();
    Clip {
        width: 256,
        height: 256,
        frames: out,
    }
}

/// A slow pan and zoom over a photo (`rgb`, `w × h`), bilinear, 256 × 256 frames.
pub fn pan_zoom(photo: &[u8], w: usize, h: usize, seed: u64, frames: usize) -> Clip {
    let mut rng = Rng::new(seed);
    let short = w.min(h) as f64;
    let zoom0 = rng.range(0.35, 0.95) * short;
    let zoom1 = (zoom0 * rng.range(0.85, 1.15)).min(short - 2.0);
    let max_side = zoom0.max(zoom1);
    let (x0, y0) = (rng.range(0.0, w as f64 - max_side), rng.range(0.0, h as f64 - max_side));
    let (x1, y1) = (rng.range(0.0, w as f64 - max_side), rng.range(0.0, h as f64 - max_side));
    let sample = |x: f64, y: f64, c: usize| -> f64 {
        let (xi, yi) = ((x.floor() as usize).min(w - 2), (y.floor() as usize).min(h - 2));
        let (fx, fy) = (x - xi as f64, y - yi as f64);
        let p = |i: usize, j: usize| photo[(j * w + i) * 3 + c] as f64;
        (p(xi, yi) * (1.0 - fx) + p(xi + 1, yi) * fx) * (1.0 - fy)
            + (p(xi, yi + 1) * (1.0 - fx) + p(xi + 1, yi + 1) * fx) * fy
    };
    let out = (0..frames)
        .map(|t| {
            let a = if frames > 1 {
                t as f64 / (frames - 1) as f64 * 0.25
            } else {
                0.0
            };
            let (ox, oy, side) = (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a, zoom0 + (zoom1 - zoom0) * a);
            let mut rgb = Vec::with_capacity(256 * 256 * 3);
            for y in 0..256 {
                for x in 0..256 {
                    let (sx, sy) = (
                        ox + (x as f64 + 0.5) * side / 256.0,
                        oy + (y as f64 + 0.5) * side / 256.0,
                    );
                    for c in 0..3 {
                        rgb.push(sample(sx, sy, c).clamp(0.0, 255.0) as u8);
                    }
                }
            }
            rgb
        })
        .collect();
    Clip {
        width: 256,
        height: 256,
        frames: out,
    }
}
