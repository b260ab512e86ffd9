//! One frame's view of the world ([`Ctx`]): the world coordinates of its pixels, the light's
//! colour factors, and the sky (sun or moon, clouds, stars) that the outdoor places show above
//! their horizon and the indoor ones through their windows. Built by `paint_backdrop` in `mod.rs`;
//! read by every place painter (`outdoor`, `town`, `indoor`, `beyond`).

use super::paint::{add, hash, mix, scale, smooth, Rgb};
use crate::v2::spec::Light;

/// One frame's view of the world: world coordinates of every column and row, light factors.
pub(super) struct Ctx {
    pub(super) light: Light,
    pub(super) seed: u32,
    pub(super) tau: f32,
    pub(super) n: usize,
    pub(super) us: Vec<f32>,
    pub(super) vs: Vec<f32>,
    /// Pixel size in world units.
    pub(super) px: f32,
    pub(super) mul: Rgb,
    pub(super) add: Rgb,
    pub(super) sun_u: f32,
    /// Clouds in view: (cell, centre u, height as a fraction of the sky).
    pub(super) clouds: Vec<(i64, f32, f32)>,
}

impl Ctx {
    /// A lit surface of daylight colour `c`.
    pub(super) fn lit(&self, c: Rgb) -> Rgb {
        [
            c[0] * self.mul[0] + self.add[0],
            c[1] * self.mul[1] + self.add[1],
            c[2] * self.mul[2] + self.add[2],
        ]
    }

    pub(super) fn fill(&self, buf: &mut [[f32; 3]], f: impl Fn(usize, f32, f32) -> Rgb) {
        for (j, &v) in self.vs.iter().enumerate() {
            for (i, &u) in self.us.iter().enumerate() {
                buf[j * self.n + i] = f(i, u, v);
            }
        }
    }

    /// Objects of the world cells of width `w` in view (with two cells of margin): the first
    /// cell's index and one object per cell.
    pub(super) fn visible<T>(&self, w: f32, f: impl Fn(i64) -> T) -> (i64, Vec<T>) {
        let k0 = (self.us[0] / w).floor() as i64 - 2;
        let k1 = (self.us[self.n - 1] / w).floor() as i64 + 2;
        (k0, (k0..=k1).map(f).collect())
    }

    pub(super) fn cell(&self, u: f32, w: f32) -> (i64, f32) {
        let k = (u / w).floor();
        (k as i64, u / w - k)
    }

    /// Sky (with sun or moon, clouds and stars) down to the horizon `hz`.
    pub(super) fn sky(&self, u: f32, v: f32, hz: f32) -> Rgb {
        let t = (v / hz).clamp(0.0, 1.0);
        let (mut col, sun_v, r, sun) = match self.light {
            Light::Day => (
                mix([0.30, 0.55, 0.92], [0.72, 0.85, 0.97], t),
                0.10,
                0.04,
                [1.0, 1.0, 0.88],
            ),
            Light::Sunset => {
                let c = if t < 0.5 {
                    mix([0.32, 0.22, 0.50], [0.93, 0.45, 0.50], t * 2.0)
                } else {
                    mix([0.93, 0.45, 0.50], [1.0, 0.72, 0.35], t * 2.0 - 1.0)
                };
                (c, hz * 0.82, 0.07, [1.0, 0.88, 0.55])
            }
            Light::Night => (
                mix([0.07, 0.09, 0.24], [0.17, 0.21, 0.40], t),
                0.12,
                0.035,
                [0.92, 0.92, 0.84],
            ),
        };
        let (du, dv) = (u - self.sun_u, v - sun_v);
        let mut disc = 0.0;
        if du.abs() < r * 5.0 && dv.abs() < r * 5.0 {
            let d = (du * du + dv * dv).sqrt();
            if self.light != Light::Night && d < r * 5.0 {
                col = add(col, sun, 0.25 * (1.0 - d / (r * 5.0)).powi(2));
            }
            disc = ((r - d) / self.px + 0.5).clamp(0.0, 1.0);
        }
        if self.light != Light::Night {
            let cloud = if self.light == Light::Day {
                [0.97, 0.97, 0.98]
            } else {
                [1.0, 0.74, 0.62]
            };
            for &(k, cx, t) in &self.clouds {
                let dx = (u - cx) / 0.13;
                let dy = (v - t * hz.min(0.7) / 0.5) / 0.035;
                if dx.abs() < 1.5 && dy.abs() < 1.5 {
                    let d2 = dx * dx + dy * dy - 0.35 * (dx * 7.0 + k as f32).sin();
                    col = mix(col, cloud, 0.9 * smooth(1.0, 0.55, d2));
                }
            }
        } else {
            col = mix(col, [1.0, 1.0, 0.95], 0.8 * self.star(u, v, 0.16));
        }
        mix(col, sun, disc)
    }

    /// Brightness of a star in this pixel (a point per occupied cell of a fixed world grid).
    pub(super) fn star(&self, u: f32, v: f32, density: f32) -> f32 {
        const CELL: f32 = 1.0 / 40.0;
        let (ku, kv) = ((u / CELL).floor(), (v / CELL).floor());
        let h = hash(self.seed ^ 0x5EED, ku as i64, kv as i32 as u32);
        if (h & 0xFFFF) as f32 / 65536.0 >= density {
            return 0.0;
        }
        let sx = (ku + 0.15 + 0.7 * ((h >> 16) & 0xFF) as f32 / 256.0) * CELL;
        let sy = (kv + 0.15 + 0.7 * (h >> 24) as f32 / 256.0) * CELL;
        if (u - sx).abs() <= self.px * 0.5 && (v - sy).abs() <= self.px * 0.5 {
            0.6 + 0.4 * (self.tau * 0.5 + (h & 1023) as f32).sin()
        } else {
            0.0
        }
    }

    /// Window panes: the sky as seen from inside.
    pub(super) fn pane(&self, u: f32, v: f32) -> Rgb {
        let c = self.sky(u, v, 0.55);
        if self.light == Light::Night {
            c
        } else {
            scale(c, 0.95)
        }
    }
}
