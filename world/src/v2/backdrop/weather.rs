//! Weather drawn over a finished frame: fog, snow and slanted rain ([`apply_weather`],
//! [`RAIN_SLANT`]). `render::render_v2` calls it after the subjects are drawn; `backdrop_score`
//! uses it to build its reference frames. Re-exported from `backdrop`.

use super::paint::{mix, scale, unit, Rgb};
use crate::v2::spec::{Light, Weather};

/// Overlays weather on a finished frame (after subjects are drawn): snow flakes drifting down,
/// rain streaks, or fog (a blend toward a light-dependent haze that lowers contrast). Clear is a
/// no-op. Deterministic in (seed, tau); particles move continuously with tau.
pub fn apply_weather(weather: Weather, light: Light, seed: u32, tau: f32, size: usize, buf: &mut [[f32; 3]]) {
    let n = size as f32;
    let bright = match light {
        Light::Day => [1.0, 1.0, 1.0],
        Light::Sunset => [1.0, 0.88, 0.80],
        Light::Night => [0.62, 0.66, 0.78],
    };
    let buf = &mut buf[..size * size];
    match weather {
        Weather::Clear => {}
        Weather::Fog => {
            let haze = match light {
                Light::Day => [0.82, 0.84, 0.86],
                Light::Sunset => [0.90, 0.76, 0.66],
                Light::Night => [0.30, 0.32, 0.40],
            };
            let ph = unit(seed, 0, 200) * 6.0;
            let sx: Vec<f32> = (0..size)
                .map(|x| (x as f32 / n * 4.0 + tau * 0.03 + ph).sin())
                .collect();
            for (y, row) in buf.chunks_exact_mut(size).enumerate() {
                let y = y as f32 / n;
                let sy = (y * 3.0 - tau * 0.02).sin();
                for (p, &sx) in row.iter_mut().zip(&sx) {
                    *p = mix(*p, haze, 0.52 + 0.15 * (1.0 - y) + 0.08 * sx * sy);
                }
            }
        }
        Weather::Snow => {
            for p in buf.iter_mut() {
                *p = mix(*p, scale([0.86, 0.88, 0.92], bright[0]), 0.12);
            }
            for f in 0..200i64 {
                let depth = unit(seed, f, 210);
                let y = (unit(seed, f, 211) + tau * (0.010 + 0.02 * depth)).rem_euclid(1.0);
                let x = (unit(seed, f, 212) + 0.02 * (tau * 0.15 + f as f32).sin()).rem_euclid(1.0);
                let r = ((0.006 + 0.010 * depth) * n).max(0.75);
                disc(buf, size, x * n, y * n, r, mix(bright, [1.0; 3], 0.3), 0.95);
            }
        }
        Weather::Rain => {
            for p in buf.iter_mut() {
                *p = mix(scale(*p, 0.85), [0.45, 0.48, 0.55], 0.12);
            }
            for d in 0..100i64 {
                let len = 0.07 + 0.05 * unit(seed, d, 220);
                let y0 = (unit(seed, d, 221) + tau * (0.18 + 0.08 * unit(seed, d, 222))).rem_euclid(1.0 + len) - len;
                let x0 = unit(seed, d, 223) * 1.1;
                let alpha = 0.35 + 0.25 * unit(seed, d, 224);
                let col = scale([0.80, 0.83, 0.90], bright[1]);
                let (ya, yb) = ((y0 * n).max(0.0) as usize, ((y0 + len) * n).min(n) as usize);
                for y in ya..yb {
                    let x = (x0 - RAIN_SLANT * (y as f32 / n - y0)) * n - 0.5;
                    let (xi, fx) = (x.floor(), x - x.floor());
                    for (xx, a) in [(xi, 1.0 - fx), (xi + 1.0, fx)] {
                        if xx >= 0.0 && (xx as usize) < size {
                            let p = &mut buf[y * size + xx as usize];
                            *p = mix(*p, col, alpha * a);
                        }
                    }
                }
            }
        }
    }
}

/// Sideways drift of rain streaks per unit of fall (wind from the right).
pub const RAIN_SLANT: f32 = 0.35;

/// A soft disc of radius `r` pixels at (cx, cy), blended toward `col` with `alpha`.
fn disc(buf: &mut [[f32; 3]], size: usize, cx: f32, cy: f32, r: f32, col: Rgb, alpha: f32) {
    let (x0, x1) = (
        (cx - r - 1.0).max(0.0) as usize,
        ((cx + r + 1.0).max(0.0) as usize).min(size),
    );
    let (y0, y1) = (
        (cy - r - 1.0).max(0.0) as usize,
        ((cy + r + 1.0).max(0.0) as usize).min(size),
    );
    for y in y0..y1 {
        for x in x0..x1 {
            let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
            let a = (r + 0.5 - d).clamp(0.0, 1.0) * alpha;
            if a > 0.0 {
                buf[y * size + x] = mix(buf[y * size + x], col, a);
            }
        }
    }
}
