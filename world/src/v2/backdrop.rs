//! Backdrops and weather of the v2 world. `render::render_v2` calls [`paint_backdrop`] for every
//! frame before it draws the subjects and [`apply_weather`] after; the scorer reads place, light
//! and weather back from a frame with [`classify_backdrop`] (implemented in `backdrop_score`).
//!
//! Every place is a function of world coordinates — `u` in frame widths, endless along x, and
//! `v` in frame heights, y down — so pan and zoom only choose which part of it a frame shows,
//! and any pan extends the scene without seams. Details (building heights, trees, colours) come
//! from a hash of the seed and the world cell they sit in, so they vary from scene to scene and
//! never repeat along a pan, while each place keeps its identity.

pub use super::backdrop_score::classify_backdrop;
use super::spec::{Light, Place, Weather};

type Rgb = [f32; 3];

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
fn unit(seed: u32, a: i64, b: u32) -> f32 {
    (hash(seed, a, b) >> 8) as f32 / 16_777_216.0
}

fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

fn scale(a: Rgb, s: f32) -> Rgb {
    [a[0] * s, a[1] * s, a[2] * s]
}

fn add(a: Rgb, b: Rgb, s: f32) -> Rgb {
    [a[0] + b[0] * s, a[1] + b[1] * s, a[2] + b[2] * s]
}

fn smooth(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Fraction of the pixel [t - w/2, t + w/2] below the edge `e` (t > e): anti-aliased edges.
fn below(t: f32, e: f32, w: f32) -> f32 {
    ((t - e) / w + 0.5).clamp(0.0, 1.0)
}

/// Fraction of the pixel [t - w/2, t + w/2] covered by [a, b] repeated with period 1.
fn pcov(t: f32, w: f32, a: f32, b: f32) -> f32 {
    let f = |s: f32| s.floor() * (b - a) + (s - s.floor()).clamp(a, b) - a;
    ((f(t + w * 0.5) - f(t - w * 0.5)) / w).clamp(0.0, 1.0)
}

/// Fraction of the pixel [t - w/2, t + w/2] covered by [a, b].
fn cov(t: f32, w: f32, a: f32, b: f32) -> f32 {
    (((t + w * 0.5).min(b) - (t - w * 0.5).max(a)) / w).clamp(0.0, 1.0)
}

/// Picks one of `palette` for (seed, cell) and jitters it slightly.
fn pick(palette: &[Rgb], seed: u32, cell: i64) -> Rgb {
    let c = palette[hash(seed, cell, 77) as usize % palette.len()];
    let j = 0.9 + 0.2 * unit(seed, cell, 78);
    [(c[0] * j).min(1.0), (c[1] * j).min(1.0), (c[2] * (1.9 - j)).min(1.0)]
}

/// One frame's view of the world: world coordinates of every column and row, light factors.
struct Ctx {
    light: Light,
    seed: u32,
    tau: f32,
    n: usize,
    us: Vec<f32>,
    vs: Vec<f32>,
    /// Pixel size in world units.
    px: f32,
    mul: Rgb,
    add: Rgb,
    sun_u: f32,
    /// Clouds in view: (cell, centre u, height as a fraction of the sky).
    clouds: Vec<(i64, f32, f32)>,
}

impl Ctx {
    /// A lit surface of daylight colour `c`.
    fn lit(&self, c: Rgb) -> Rgb {
        [
            c[0] * self.mul[0] + self.add[0],
            c[1] * self.mul[1] + self.add[1],
            c[2] * self.mul[2] + self.add[2],
        ]
    }

    fn fill(&self, buf: &mut [[f32; 3]], f: impl Fn(usize, f32, f32) -> Rgb) {
        for (j, &v) in self.vs.iter().enumerate() {
            for (i, &u) in self.us.iter().enumerate() {
                buf[j * self.n + i] = f(i, u, v);
            }
        }
    }

    /// Objects of the world cells of width `w` in view (with two cells of margin): the first
    /// cell's index and one object per cell.
    fn visible<T>(&self, w: f32, f: impl Fn(i64) -> T) -> (i64, Vec<T>) {
        let k0 = (self.us[0] / w).floor() as i64 - 2;
        let k1 = (self.us[self.n - 1] / w).floor() as i64 + 2;
        (k0, (k0..=k1).map(f).collect())
    }

    fn cell(&self, u: f32, w: f32) -> (i64, f32) {
        let k = (u / w).floor();
        (k as i64, u / w - k)
    }

    /// Sky (with sun or moon, clouds and stars) down to the horizon `hz`.
    fn sky(&self, u: f32, v: f32, hz: f32) -> Rgb {
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
    fn star(&self, u: f32, v: f32, density: f32) -> f32 {
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
    fn pane(&self, u: f32, v: f32) -> Rgb {
        let c = self.sky(u, v, 0.55);
        if self.light == Light::Night {
            c
        } else {
            scale(c, 0.95)
        }
    }
}

/// Paints the place at absolute frame time `tau` (frames; continuous across chunks) into buf.
/// `pan_x`: camera offset in frame widths (scene content shifts left as pan_x grows; extends
/// seamlessly for any value). `zoom`: 1.0 normal, >1 zoomed in about the frame centre.
#[allow(clippy::too_many_arguments)]
pub fn paint_backdrop(
    place: Place,
    light: Light,
    seed: u32,
    tau: f32,
    pan_x: f32,
    zoom: f32,
    size: usize,
    buf: &mut [[f32; 3]],
) {
    let n = size;
    let zoom = zoom.max(0.05);
    let coord = |i: usize| ((i as f32 + 0.5) / n as f32 - 0.5) / zoom + 0.5;
    let indoor = matches!(place, Place::Stage | Place::Kitchen | Place::Room);
    let (mul, add) = match (light, indoor) {
        (Light::Day, _) => ([1.0, 1.0, 1.0], [0.0; 3]),
        (Light::Sunset, false) => ([1.08, 0.78, 0.60], [0.05, 0.01, 0.03]),
        (Light::Sunset, true) => ([1.08, 0.78, 0.55], [0.04, 0.01, 0.0]),
        (Light::Night, false) => ([0.30, 0.36, 0.58], [0.04, 0.045, 0.08]),
        (Light::Night, true) => ([0.50, 0.45, 0.50], [0.03, 0.03, 0.06]),
    };
    let mut c = Ctx {
        light,
        seed,
        tau,
        n,
        us: (0..n).map(|i| coord(i) + pan_x).collect(),
        vs: (0..n).map(coord).collect(),
        px: 1.0 / (n as f32 * zoom),
        mul,
        add,
        sun_u: 0.2 + 0.6 * unit(seed, 1, 1),
        clouds: Vec::new(),
    };
    if n > 0 {
        let (_, clouds) = c.visible(0.55, |k| {
            (
                k,
                (k as f32 + 0.3 + 0.4 * unit(seed, k, 3)) * 0.55,
                0.06 + 0.16 * unit(seed, k, 4),
            )
        });
        c.clouds = clouds.into_iter().filter(|&(k, ..)| unit(seed, k, 2) >= 0.35).collect();
    }
    let buf = &mut buf[..n * n];
    match place {
        Place::Plain => plain(&c, buf),
        Place::Street => street(&c, buf),
        Place::Rooftop => rooftop(&c, buf),
        Place::Mountain => mountain(&c, buf),
        Place::Beach => beach(&c, buf),
        Place::Forest => forest(&c, buf),
        Place::Stage => stage(&c, buf),
        Place::Kitchen => kitchen(&c, buf),
        Place::Underwater => underwater(&c, buf),
        Place::Space => space(&c, buf),
        Place::Room => room(&c, buf),
        Place::Field => field(&c, buf),
    }
    for p in buf.iter_mut() {
        *p = p.map(|v| v.clamp(0.0, 1.0));
    }
}

fn plain(c: &Ctx, buf: &mut [[f32; 3]]) {
    let tint = [
        0.02 * (unit(c.seed, 5, 0) - 0.5),
        0.0,
        0.02 * (unit(c.seed, 5, 1) - 0.5),
    ];
    c.fill(buf, |_, _, v| {
        let base = mix([0.80, 0.79, 0.76], [0.64, 0.63, 0.60], v.clamp(0.0, 1.0));
        let floor = 1.0 - 0.08 * smooth(0.83, 0.88, v);
        c.lit(add(scale(base, floor), tint, 1.0))
    });
}

fn window_glow(c: &Ctx, h: u32, glass: Rgb) -> Rgb {
    match c.light {
        Light::Day => c.lit(glass),
        Light::Sunset => mix([0.95, 0.62, 0.40], glass, 0.3),
        Light::Night if h % 100 < 55 => [1.0, 0.82, 0.45],
        Light::Night => [0.06, 0.07, 0.12],
    }
}

fn street(c: &Ctx, buf: &mut [[f32; 3]]) {
    const FACADES: [Rgb; 5] = [
        [0.62, 0.32, 0.25],
        [0.80, 0.72, 0.58],
        [0.52, 0.56, 0.62],
        [0.78, 0.60, 0.35],
        [0.85, 0.82, 0.72],
    ];
    let w = 0.30 + 0.08 * unit(c.seed, 6, 0);
    let cols: Vec<_> =
        c.us.iter()
            .map(|&u| {
                let (k, lx) = c.cell(u, w);
                let awning = c.lit(pick(
                    &[[0.8, 0.2, 0.2], [0.2, 0.5, 0.3], [0.2, 0.3, 0.7]],
                    c.seed,
                    k + 99,
                ));
                (
                    k,
                    lx,
                    0.03 + 0.17 * unit(c.seed, k, 7),
                    pick(&FACADES, c.seed, k),
                    awning,
                )
            })
            .collect();
    c.fill(buf, |i, u, v| {
        let (k, lx, top, facade, awning) = cols[i];
        if v < 0.70 {
            let into = below(v, top, c.px);
            if into <= 0.0 {
                return c.sky(u, v, 0.7);
            }
            let shade = if lx < 0.03 { 0.7 } else { 1.0 };
            let mut col = c.lit(scale(facade, shade));
            if v > 0.6 {
                let shop = if c.light == Light::Night {
                    [0.9, 0.7, 0.4]
                } else {
                    c.lit([0.25, 0.30, 0.35])
                };
                col = if v < 0.62 {
                    awning
                } else {
                    mix(col, shop, pcov(lx * 2.0, c.px * 2.0 / w, 0.15, 0.85))
                };
            } else if v > top + 0.035 {
                let (wx, wy) = (lx * 4.0, (v - top - 0.035) / 0.085);
                let win = pcov(wx, c.px * 4.0 / w, 0.22, 0.78) * pcov(wy, c.px / 0.085, 0.25, 0.8);
                if win > 0.0 {
                    let h = hash(c.seed, k, (wx as u32) * 31 + wy as u32);
                    col = mix(col, window_glow(c, h, [0.40, 0.50, 0.60]), win);
                }
            }
            return if into >= 1.0 {
                col
            } else {
                mix(c.sky(u, v, 0.7), col, into)
            };
        }
        if v < 0.78 {
            let curb = if v > 0.77 {
                1.15
            } else {
                1.0 - 0.25 * pcov(u / 0.09, c.px / 0.09, 0.0, 0.08)
            };
            return c.lit(scale([0.66, 0.64, 0.61], curb));
        }
        let dash = pcov(u / 0.2, c.px / 0.2, 0.0, 0.5) * cov(v, c.px, 0.885, 0.90);
        c.lit(mix([0.26, 0.26, 0.28], [0.92, 0.85, 0.45], dash))
    });
}

fn rooftop(c: &Ctx, buf: &mut [[f32; 3]]) {
    let cols: Vec<_> =
        c.us.iter()
            .map(|&u| {
                let (kf, lf) = c.cell(u, 0.075);
                let (kn, ln) = c.cell(u, 0.12);
                let far = if lf < 0.88 {
                    0.28 + 0.22 * unit(c.seed, kf, 8)
                } else {
                    0.6
                };
                let near = if ln < 0.85 {
                    0.42 + 0.18 * unit(c.seed, kn, 9)
                } else {
                    0.66
                };
                (kf, lf, far, kn, ln, near)
            })
            .collect();
    c.fill(buf, |i, u, v| {
        let (kf, lf, far, kn, ln, near) = cols[i];
        if v < 0.64 {
            let (af, an) = (below(v, far, c.px), below(v, near, c.px));
            let mut col = if af < 1.0 && an < 1.0 {
                c.sky(u, v, 0.64)
            } else {
                [0.0; 3]
            };
            if af > 0.0 && an < 1.0 {
                let mut wall = c.lit([0.55, 0.60, 0.70]);
                let wf = pcov(lf * 3.0, c.px * 3.0 / 0.075, 0.3, 0.7) * pcov((v - far) / 0.03, c.px / 0.03, 0.3, 0.75);
                if wf > 0.0 {
                    let h = hash(c.seed, kf, ((v - far) / 0.03) as u32 + 500);
                    wall = mix(wall, window_glow(c, h, [0.62, 0.68, 0.76]), wf * 0.8);
                }
                col = mix(col, wall, af);
            }
            if an > 0.0 {
                let mut wall = c.lit([0.30, 0.33, 0.40]);
                let wn =
                    pcov(ln * 3.0, c.px * 3.0 / 0.12, 0.25, 0.7) * pcov((v - near) / 0.045, c.px / 0.045, 0.3, 0.75);
                if wn > 0.0 {
                    let h = hash(c.seed, kn, ((v - near) / 0.045) as u32 + 900 + (ln * 3.0) as u32 * 7);
                    wall = mix(wall, window_glow(c, h, [0.45, 0.52, 0.62]), wn);
                }
                col = mix(col, wall, an);
            }
            // A string of lights hung across the roof, lit at night.
            let lx = (u / 0.35).rem_euclid(1.0) * 2.0 - 1.0;
            let wire = 0.56 + 0.05 * (1.0 - lx * lx);
            let bulb = pcov(u / 0.03, c.px / 0.03, 0.3, 0.7) * cov(v, c.px.max(0.012), wire, wire + 0.012);
            let glow = if c.light == Light::Night {
                [1.0, 0.85, 0.5]
            } else {
                c.lit([0.85, 0.82, 0.75])
            };
            return mix(mix(col, [0.1; 3], cov(v, c.px, wire - 0.003, wire + 0.003)), glow, bulb);
        }
        let warm = if c.light == Light::Night {
            [0.10, 0.06, 0.02]
        } else {
            [0.0; 3]
        };
        if v < 0.72 {
            let tone = if v < 0.655 {
                1.15
            } else if v > 0.71 {
                0.7
            } else {
                1.0
            };
            return add(c.lit(scale([0.70, 0.68, 0.64], tone)), warm, 1.0);
        }
        let seam = pcov(u / 0.22, c.px / 0.22, 0.0, 0.03)
            .max(cov(v, c.px, 0.82, 0.826))
            .max(cov(v, c.px, 0.93, 0.937));
        add(c.lit(scale([0.64, 0.42, 0.32], 1.0 - 0.3 * seam)), warm, 1.0)
    });
}

/// Top of a range of triangular peaks at u: (top, peak height of the winning peak, shaded side).
fn range(seed: u32, u: f32, spacing: f32, lo: f32, span: f32, slope: f32, salt: u32) -> (f32, f32, bool) {
    let k = (u / spacing).floor() as i64;
    let mut best = (2.0, 0.0, false);
    for kk in k - 2..=k + 2 {
        let cx = (kk as f32 + 0.5 + 0.5 * (unit(seed, kk, salt) - 0.5)) * spacing;
        let pv = lo + span * unit(seed, kk, salt + 1);
        let top = pv + slope * (u - cx).abs();
        if top < best.0 {
            best = (top, pv, u > cx);
        }
    }
    best
}

fn mountain(c: &Ctx, buf: &mut [[f32; 3]]) {
    let cols: Vec<_> =
        c.us.iter()
            .map(|&u| {
                let meadow = 0.66 + 0.025 * (u * 7.0 + unit(c.seed, 0, 10) * 6.0).sin();
                (
                    range(c.seed, u, 0.30, 0.12, 0.12, 1.2, 11),
                    range(c.seed, u, 0.45, 0.28, 0.12, 0.9, 13),
                    meadow,
                )
            })
            .collect();
    c.fill(buf, |i, u, v| {
        let ((ft, fp, fs), (nt, np, ns), meadow) = cols[i];
        let rock = |pv: f32, shaded: bool, base: Rgb, cap: f32| {
            let shade = if shaded { 0.8 } else { 1.0 };
            if v < pv + cap + 0.012 * (u * 70.0).sin() {
                let snow = c.lit([0.95, 0.96, 0.98]);
                scale(
                    if c.light == Light::Night {
                        mix(snow, [0.66, 0.72, 0.90], 0.7)
                    } else {
                        snow
                    },
                    shade,
                )
            } else {
                c.lit(scale(base, shade))
            }
        };
        let (af, an, am) = (below(v, ft, c.px), below(v, nt, c.px), below(v, meadow, c.px));
        let mut col = if af < 1.0 && an < 1.0 && am < 1.0 {
            c.sky(u, v, 0.62)
        } else {
            [0.0; 3]
        };
        if af > 0.0 {
            col = mix(col, rock(fp, fs, [0.58, 0.63, 0.74], 0.12), af);
        }
        if an > 0.0 {
            col = mix(col, rock(np, ns, [0.38, 0.40, 0.45], 0.08), an);
        }
        if am > 0.0 {
            let t = ((v - meadow) / (1.0 - meadow)).clamp(0.0, 1.0);
            let scree = 1.0 + 0.12 * (unit(c.seed, (u * 50.0).floor() as i64, (v * 50.0) as u32 + 7) - 0.5);
            col = mix(
                col,
                c.lit(scale(mix([0.46, 0.47, 0.36], [0.34, 0.36, 0.26], t), scree)),
                am,
            );
        }
        col
    });
}

fn beach(c: &Ctx, buf: &mut [[f32; 3]]) {
    let ph = unit(c.seed, 0, 20) * 6.0;
    c.fill(buf, |_, u, v| {
        let shore = 0.70 + 0.012 * (c.tau * 0.16 + u * 5.0 + ph).sin();
        if v < 0.48 {
            return c.sky(u, v, 0.48);
        }
        if v < shore - 0.014 {
            let t = (v - 0.48) / 0.22;
            let sea = mix([0.16, 0.42, 0.66], [0.20, 0.62, 0.68], t);
            let wave = ((v - 0.48) * 70.0 + 0.6 * (u * 9.0 + ph).sin() - c.tau * 0.25).sin();
            let crest = smooth(0.7, 0.95, wave) * (0.15 + 0.35 * t);
            let horizon = below(v, 0.48, c.px);
            return mix(
                c.sky(u, v, 0.48),
                c.lit(mix(sea, [0.95, 0.97, 0.97], crest * 0.6)),
                horizon,
            );
        }
        if v < shore {
            return c.lit([0.93, 0.96, 0.96]);
        }
        let grain = unit(c.seed, (u * 90.0).floor() as i64, (v * 90.0) as u32) - 0.5;
        let sand = if v < shore + 0.03 {
            [0.74, 0.64, 0.46]
        } else {
            [0.90, 0.80, 0.60]
        };
        c.lit(scale(sand, 1.0 + 0.08 * grain))
    });
}

fn forest(c: &Ctx, buf: &mut [[f32; 3]]) {
    let ph = unit(c.seed, 0, 30) * 6.0;
    // The trunk of cell kk (width w), if any, covering this column: (coverage, bark shade).
    let trunk = |u: f32, w: f32, salt: u32, lo: f32, span: f32| {
        let (k, _) = c.cell(u, w);
        let mut best = (0.0, 1.0);
        for kk in k - 1..=k + 1 {
            let cx = (kk as f32 + 0.2 + 0.6 * unit(c.seed, kk, salt)) * w;
            let hw = lo + span * unit(c.seed, kk, salt + 1);
            let t = cov(u, c.px, cx - hw, cx + hw);
            if t > best.0 && unit(c.seed, kk, salt + 2) < 0.85 {
                best = (t, if u < cx - hw * 0.3 { 1.25 } else { 0.85 });
            }
        }
        best
    };
    let cols: Vec<_> =
        c.us.iter()
            .map(|&u| {
                let bottom = 0.34 + 0.06 * (u * 11.0 + ph).sin() + 0.04 * (u * 27.0 + ph * 2.0).sin();
                let top = 0.04 + 0.05 * (u * 13.0 + ph).sin().abs();
                let bush = 0.70 + 0.025 * (u * 31.0 + ph).sin().abs();
                (
                    bottom,
                    top,
                    bush,
                    trunk(u, 0.06, 31, 0.004, 0.004),
                    trunk(u, 0.17, 34, 0.014, 0.016),
                )
            })
            .collect();
    c.fill(buf, |i, u, v| {
        let (bottom, top, bush, (far, _), (near, bark)) = cols[i];
        let mut col = if v < 0.76 {
            c.lit(mix(
                mix([0.20, 0.32, 0.22], [0.12, 0.22, 0.13], (v - 0.3) * 2.0),
                [0.22, 0.20, 0.15],
                far,
            ))
        } else {
            let h = hash(c.seed, (u * 60.0).floor() as i64, (v * 60.0) as u32);
            c.lit([[0.26, 0.30, 0.14], [0.36, 0.27, 0.15], [0.20, 0.34, 0.13]][h as usize % 3])
        };
        col = mix(
            col,
            c.lit([0.14, 0.32, 0.12]),
            below(v, bush, c.px) * cov(v, c.px, 0.0, 0.78),
        );
        if v < 0.80 {
            col = mix(col, c.lit(scale([0.40, 0.27, 0.16], bark)), near);
        }
        if v < bottom + c.px {
            let leaf = (u * 47.0).sin() * (v * 41.0 + (u * 13.0).sin() * 2.0).sin();
            let canopy = c.lit(if leaf > 0.3 {
                [0.22, 0.45, 0.18]
            } else {
                [0.10, 0.28, 0.12]
            });
            let canopy = mix(canopy, c.sky(u, v, 0.3), 1.0 - below(v, top, c.px));
            col = mix(col, canopy, 1.0 - below(v, bottom, c.px));
        }
        col
    });
}

fn stage(c: &Ctx, buf: &mut [[f32; 3]]) {
    const SPOTS: [Rgb; 5] = [
        [1.0, 0.3, 0.8],
        [0.3, 0.8, 1.0],
        [1.0, 0.75, 0.3],
        [0.4, 1.0, 0.5],
        [1.0, 0.95, 0.85],
    ];
    let (power, house) = match c.light {
        Light::Day => (0.7, [0.12, 0.12, 0.14]),
        Light::Sunset => (0.9, [0.10, 0.04, 0.0]),
        Light::Night => (1.2, [0.0; 3]),
    };
    let (k0, spots) = c.visible(0.4, |kk| {
        let cx = (kk as f32 + 0.3 + 0.4 * unit(c.seed, kk, 40)) * 0.4;
        let th = 0.22 * (c.tau * 0.045 + 6.0 * unit(c.seed, kk, 41)).sin();
        (cx, th, pick(&SPOTS, c.seed, kk))
    });
    let folds: Vec<f32> = c.us.iter().map(|&u| (u * 56.0).sin()).collect();
    c.fill(buf, |i, u, v| {
        let mut col = if v < 0.1 {
            c.lit(if v > 0.085 { [0.8, 0.6, 0.2] } else { [0.30, 0.04, 0.07] })
        } else if v < 0.75 {
            let s = folds[i];
            c.lit(scale([0.42, 0.06, 0.09], 0.55 + 0.45 * s * s))
        } else {
            let row = ((v - 0.75) / 0.035).floor();
            let seam =
                cov(v - 0.75 - row * 0.035, c.px, 0.0, 0.004).max(pcov((u + row * 0.37) / 0.3, c.px / 0.3, 0.0, 0.02));
            c.lit(scale([0.56, 0.36, 0.20], 1.0 - 0.35 * seam))
        };
        col = add(col, house, 1.0);
        let k = ((u / 0.4).floor() as i64 - k0) as usize;
        for &(cx, th, spot) in &spots[k - 1..=k + 1] {
            let d = v + 0.08;
            let r = (u - cx - th * d).abs() / (0.16 * d + 0.01);
            let strength = if v < 0.75 { 0.28 } else { 0.55 };
            col = add(col, spot, power * strength * smooth(1.0, 0.55, r));
        }
        col
    });
}

fn kitchen(c: &Ctx, buf: &mut [[f32; 3]]) {
    let tile = pick(
        &[[0.92, 0.92, 0.88], [0.80, 0.88, 0.92], [0.84, 0.92, 0.84]],
        c.seed,
        50,
    );
    let wood = pick(
        &[[0.55, 0.38, 0.22], [0.40, 0.55, 0.48], [0.30, 0.40, 0.60]],
        c.seed,
        51,
    );
    c.fill(buf, |_, u, v| {
        let (_, lx) = c.cell(u, 0.55);
        let door = |lx: f32, period: f32| 1.0 - 0.5 * pcov(lx * 0.55 / period, c.px / period, 0.0, 0.06);
        if v < 0.55 {
            if (0.0..0.58).contains(&lx) && (0.03..0.27).contains(&v) {
                let handle = if (0.23..0.25).contains(&v) && pcov(lx * 0.55 / 0.145, c.px / 0.145, 0.75, 0.85) > 0.5 {
                    1.5
                } else {
                    1.0
                };
                return c.lit(scale(wood, door(lx, 0.145) * handle));
            }
            if (0.66..0.94).contains(&lx) && (0.08..0.40).contains(&v) {
                let frame = cov(lx, c.px / 0.55, 0.69, 0.91)
                    * cov(v, c.px, 0.1, 0.38)
                    * (1.0 - cov(lx, c.px / 0.55, 0.795, 0.805));
                return mix(c.lit([0.95, 0.95, 0.95]), c.pane(u, v), frame);
            }
            let grout = pcov(u / 0.06, c.px / 0.06, 0.0, 0.12).max(pcov(v / 0.06, c.px / 0.06, 0.0, 0.12));
            return c.lit(mix(tile, [0.58, 0.58, 0.56], grout));
        }
        if v < 0.59 {
            return c.lit(if v < 0.56 {
                [0.48, 0.48, 0.50]
            } else {
                [0.26, 0.26, 0.28]
            });
        }
        if v < 0.75 {
            if v > 0.73 {
                return c.lit([0.15, 0.14, 0.13]);
            }
            let handle = if (0.61..0.625).contains(&v) && pcov(u / 0.15, c.px / 0.15, 0.4, 0.6) > 0.5 {
                1.5
            } else {
                1.0
            };
            return c.lit(scale(wood, 0.9 * door(lx, 0.15) * handle));
        }
        let check = ((u / 0.09).floor() + ((v - 0.75) / 0.05).floor()) as i64 % 2 == 0;
        c.lit(if check { [0.88, 0.86, 0.82] } else { [0.18, 0.18, 0.20] })
    });
}

fn underwater(c: &Ctx, buf: &mut [[f32; 3]]) {
    let sway = 0.5 * (c.tau * 0.07).sin();
    let bubble = |b: i64| {
        let speed = 0.008 + 0.01 * unit(c.seed, b, 61);
        let y = 0.85 - (unit(c.seed, b, 62) + c.tau * speed).rem_euclid(1.0) * 0.95;
        let x = (b as f32 + 0.2 + 0.6 * unit(c.seed, b, 60)) * 0.1 + 0.01 * (c.tau * 0.3 + b as f32).sin();
        (x, y, 0.008 + 0.012 * unit(c.seed, b, 63))
    };
    let (b0, bubbles) = c.visible(0.1, bubble);
    c.fill(buf, |_, u, v| {
        if v >= 0.85 {
            let ripple = (u * 40.0 + (v * 30.0).sin() * 2.0).sin();
            return c.lit(scale([0.55, 0.60, 0.50], 0.9 + 0.08 * ripple));
        }
        let mut col = mix([0.30, 0.72, 0.80], [0.04, 0.25, 0.42], (v / 0.85).clamp(0.0, 1.0));
        let ray = (std::f32::consts::TAU * (u * 2.5 - v * 0.6) + sway)
            .sin()
            .max(0.0)
            .powi(8);
        col = add(col, [0.6, 0.9, 0.9], ray * 0.25 * (1.0 - v));
        let mut col = c.lit(col);
        let k = ((u / 0.1).floor() as i64 - b0) as usize;
        for &(x, y, r) in &bubbles[k - 1..=k + 1] {
            if (u - x).abs() > r + c.px || (v - y).abs() > r + c.px {
                continue;
            }
            let d = ((u - x).powi(2) + (v - y).powi(2)).sqrt();
            if d < r + c.px {
                let ring = (1.0 - ((d - r * 0.8).abs() / c.px.max(r * 0.25))).clamp(0.0, 1.0);
                col = mix(
                    col,
                    [0.85, 0.95, 1.0],
                    (0.25 * below(r, d, c.px) + 0.6 * ring).min(0.85),
                );
            }
        }
        col
    });
}

fn space(c: &Ctx, buf: &mut [[f32; 3]]) {
    const PLANETS: [Rgb; 3] = [[0.85, 0.55, 0.30], [0.30, 0.70, 0.75], [0.60, 0.45, 0.80]];
    let nebula = match c.light {
        Light::Day => [0.14, 0.22, 0.50],
        Light::Sunset => [0.45, 0.16, 0.26],
        Light::Night => [0.04, 0.04, 0.10],
    };
    let lit_dir = match c.light {
        Light::Day => 0.0,
        Light::Sunset => 0.6,
        Light::Night => 1.1,
    };
    let ph = unit(c.seed, 0, 70) * 6.0;
    let cols: Vec<_> =
        c.us.iter()
            .map(|&u| (0.82 + 0.015 * (u * 6.0 + ph).sin(), (u * 3.0 + ph).sin()))
            .collect();
    let rows: Vec<f32> = c.vs.iter().map(|&v| (v * 4.0 + ph).sin()).collect();
    let (c0, craters) = c.visible(0.2, |k| {
        ((k as f32 + unit(c.seed, k, 71)) * 0.2, 0.86 + 0.1 * unit(c.seed, k, 72))
    });
    let (p0, planets) = c.visible(1.3, |k| {
        let (cx, cy) = (
            (k as f32 + 0.2 + 0.6 * unit(c.seed, k, 73)) * 1.3,
            0.18 + 0.25 * unit(c.seed, k, 74),
        );
        (k, cx, cy, 0.11 + 0.08 * unit(c.seed, k, 75), pick(&PLANETS, c.seed, k))
    });
    let ground_col = c.lit([0.58, 0.58, 0.60]);
    for (j, &v) in c.vs.iter().enumerate() {
        for (i, &u) in c.us.iter().enumerate() {
            let (rim, sx) = cols[i];
            let ground = below(v, rim, c.px);
            buf[j * c.n + i] = if ground >= 1.0 {
                let k = ((u / 0.2).floor() as i64 - c0) as usize;
                let hole = craters[k - 1..=k + 1]
                    .iter()
                    .any(|&(cx, cy)| ((u - cx) / 0.05).powi(2) + ((v - cy) / 0.015).powi(2) < 1.0);
                scale(ground_col, if hole { 0.7 } else { 1.0 })
            } else {
                let mut col = add([0.02, 0.02, 0.05], nebula, 0.7 * (0.6 + 0.4 * sx * rows[j]));
                col = mix(col, [1.0, 1.0, 0.95], c.star(u, v, 0.3));
                let k = ((u / 1.3).floor() as i64 - p0) as usize;
                for &(kk, cx, cy, r, tint) in &planets[k - 1..=k + 1] {
                    let (dx, dy) = ((u - cx) / r, (v - cy) / r);
                    let d = (dx * dx + dy * dy).sqrt();
                    if d < 1.0 + c.px / r {
                        let band = 0.85 + 0.15 * (dy * 9.0 + kk as f32).sin();
                        let light = (0.25 + 0.75 * smooth(-0.2, 0.3, -(dx + lit_dir) * 0.7 + 0.3)).min(1.0);
                        col = mix(col, scale(tint, band * light), below(1.0, d, c.px / r));
                    }
                }
                mix(col, ground_col, ground)
            };
        }
    }
}

fn room(c: &Ctx, buf: &mut [[f32; 3]]) {
    let wall = pick(
        &[
            [0.86, 0.80, 0.68],
            [0.70, 0.78, 0.66],
            [0.68, 0.76, 0.84],
            [0.88, 0.74, 0.72],
        ],
        c.seed,
        80,
    );
    c.fill(buf, |_, u, v| {
        if v >= 0.75 {
            let seam = pcov(
                u / 0.07 + 0.3 * ((v * 12.0).floor() * 0.37).fract(),
                c.px / 0.07,
                0.0,
                0.05,
            );
            return c.lit(scale([0.70, 0.50, 0.30], 1.0 - 0.35 * seam - 0.15 * (v - 0.75)));
        }
        if v >= 0.70 {
            return c.lit(if v < 0.705 {
                [0.8, 0.8, 0.78]
            } else {
                [0.93, 0.93, 0.90]
            });
        }
        let (k, lx) = c.cell(u, 0.9);
        let x = lx * 0.9;
        if (0.09..0.37).contains(&x) && (0.11..0.51).contains(&v) {
            let glass = cov(x, c.px, 0.105, 0.355)
                * cov(v, c.px, 0.125, 0.495)
                * (1.0 - cov(x, c.px, 0.225, 0.235))
                * (1.0 - cov(v, c.px, 0.305, 0.315));
            return mix(c.lit([0.95, 0.95, 0.93]), c.pane(u, v), glass);
        }
        if (0.55..0.79).contains(&x) && (0.17..0.39).contains(&v) {
            let art = cov(x, c.px, 0.565, 0.775) * cov(v, c.px, 0.18, 0.38);
            let hill = 0.30 + 0.03 * (x * 40.0 + k as f32).sin();
            let canvas = if v > hill {
                [0.35, 0.60, 0.30]
            } else {
                pick(&[[0.55, 0.75, 0.95], [0.95, 0.70, 0.40]], c.seed, k)
            };
            return c.lit(mix([0.45, 0.28, 0.15], canvas, art));
        }
        let stripe = 1.0 + 0.03 * pcov(u / 0.04, c.px / 0.04, 0.0, 0.5);
        c.lit(scale(wall, stripe))
    });
}

fn field(c: &Ctx, buf: &mut [[f32; 3]]) {
    const FLOWERS: [Rgb; 4] = [
        [0.95, 0.20, 0.20],
        [1.0, 0.85, 0.15],
        [0.95, 0.45, 0.75],
        [0.65, 0.35, 0.90],
    ];
    let ph: Vec<f32> = (0..4).map(|i| unit(c.seed, 0, 90 + i) * 6.0).collect();
    let cols: Vec<_> =
        c.us.iter()
            .map(|&u| {
                let far = 0.50 + 0.04 * (u * 5.0 + ph[0]).sin() + 0.02 * (u * 13.0 + ph[1]).sin();
                let near = 0.62 + 0.05 * (u * 3.3 + ph[2]).sin() + 0.02 * (u * 9.0 + ph[3]).sin();
                (far, near)
            })
            .collect();
    c.fill(buf, |i, u, v| {
        let (far, near) = cols[i];
        let sky = c.sky(u, v, 0.55);
        let col = mix(sky, c.lit([0.45, 0.62, 0.40]), below(v, far, c.px));
        let grass = mix(
            [0.42, 0.72, 0.24],
            [0.28, 0.56, 0.16],
            ((v - near) * 2.5).clamp(0.0, 1.0),
        );
        let mut col = mix(col, c.lit(grass), below(v, near, c.px));
        if v > near + 0.02 {
            const CELL: f32 = 0.035;
            let (ku, kv) = ((u / CELL).floor(), (v / CELL).floor());
            let h = hash(c.seed, ku as i64, kv as u32 + 1000);
            if h % 100 < 40 {
                let fx = (ku + 0.2 + 0.6 * ((h >> 8) & 255) as f32 / 256.0) * CELL;
                let fy = (kv + 0.2 + 0.6 * ((h >> 16) & 255) as f32 / 256.0) * CELL;
                let d = ((u - fx).powi(2) + (v - fy).powi(2)).sqrt();
                col = mix(
                    col,
                    c.lit(FLOWERS[(h >> 24) as usize % 4]),
                    below(0.008f32.max(c.px * 0.6), d, c.px),
                );
            }
        }
        col
    });
}

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
            for f in 0..140i64 {
                let depth = unit(seed, f, 210);
                let y = (unit(seed, f, 211) + tau * (0.010 + 0.02 * depth)).rem_euclid(1.0);
                let x = (unit(seed, f, 212) + 0.02 * (tau * 0.15 + f as f32).sin()).rem_euclid(1.0);
                let r = ((0.005 + 0.009 * depth) * n).max(0.7);
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
