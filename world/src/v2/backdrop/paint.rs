//! Colour and coverage arithmetic shared by every painter of the backdrop: the seeded hash that
//! is the only source of randomness, RGB mixing, smooth steps, anti-aliased pixel coverage and
//! palette picks. Used by the other `backdrop` submodules; `hash` is also used by `backdrop_score`
//! (through `backdrop::hash`) to draw the pan, zoom and time of its reference frames.

pub(super) type Rgb = [f32; 3];

/// A 32-bit hash of (seed, a, b): the only source of randomness here.
pub(crate) fn hash(seed: u32, a: i64, b: u32) -> u32 {
    let mut h = seed ^ 0x9E37_79B9;
    for w in [a as u32, (a >> 32) as u32, b] {
        h = (h ^ w).wrapping_mul(0x85EB_CA6B);
        h ^= h >> 13;
        h = h.wrapping_mul(0xC2B2_AE35);
        h ^= h >> 16;
    }
    h
}

/// Uniform in [0, 1) from (seed, a, b).
pub(super) fn unit(seed: u32, a: i64, b: u32) -> f32 {
    (hash(seed, a, b) >> 8) as f32 / 16_777_216.0
}

pub(super) fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

pub(super) fn scale(a: Rgb, s: f32) -> Rgb {
    [a[0] * s, a[1] * s, a[2] * s]
}

pub(super) fn add(a: Rgb, b: Rgb, s: f32) -> Rgb {
    [a[0] + b[0] * s, a[1] + b[1] * s, a[2] + b[2] * s]
}

pub(super) fn smooth(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Fraction of the pixel [t - w/2, t + w/2] below the edge `e` (t > e): anti-aliased edges.
pub(super) fn below(t: f32, e: f32, w: f32) -> f32 {
    ((t - e) / w + 0.5).clamp(0.0, 1.0)
}

/// Fraction of the pixel [t - w/2, t + w/2] covered by [a, b] repeated with period 1.
pub(super) fn pcov(t: f32, w: f32, a: f32, b: f32) -> f32 {
    let f = |s: f32| s.floor() * (b - a) + (s - s.floor()).clamp(a, b) - a;
    ((f(t + w * 0.5) - f(t - w * 0.5)) / w).clamp(0.0, 1.0)
}

/// Fraction of the pixel [t - w/2, t + w/2] covered by [a, b].
pub(super) fn cov(t: f32, w: f32, a: f32, b: f32) -> f32 {
    (((t + w * 0.5).min(b) - (t - w * 0.5).max(a)) / w).clamp(0.0, 1.0)
}

/// Picks one of `palette` for (seed, cell) and jitters it slightly.
pub(super) fn pick(palette: &[Rgb], seed: u32, cell: i64) -> Rgb {
    let c = palette[hash(seed, cell, 77) as usize % palette.len()];
    let j = 0.9 + 0.2 * unit(seed, cell, 78);
    [(c[0] * j).min(1.0), (c[1] * j).min(1.0), (c[2] * (1.9 - j)).min(1.0)]
}
