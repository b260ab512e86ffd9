//! The built-up outdoor places: a street of shop fronts and a city rooftop, with windows that glow
//! by light. Each paints one frame from a [`Ctx`]; called from `paint_backdrop` in `mod.rs`.

use super::paint::{add, below, cov, hash, mix, pcov, pick, scale, unit, Rgb};
use super::view::Ctx;
use crate::v2::spec::Light;

fn window_glow(c: &Ctx, h: u32, glass: Rgb) -> Rgb {
    match c.light {
        Light::Day => c.lit(glass),
        Light::Sunset => mix([0.95, 0.62, 0.40], glass, 0.3),
        Light::Night if h % 100 < 55 => [1.0, 0.82, 0.45],
        Light::Night => [0.06, 0.07, 0.12],
    }
}

pub(super) fn street(c: &Ctx, buf: &mut [[f32; 3]]) {
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

pub(super) fn rooftop(c: &Ctx, buf: &mut [[f32; 3]]) {
    const BUILDINGS: [Rgb; 4] = [
        [0.55, 0.36, 0.30],
        [0.70, 0.64, 0.55],
        [0.40, 0.42, 0.48],
        [0.62, 0.55, 0.42],
    ];
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
                let tone = c.lit(pick(&BUILDINGS, c.seed, kn));
                (kf, lf, far, kn, ln, near, tone)
            })
            .collect();
    c.fill(buf, |i, u, v| {
        let (kf, lf, far, kn, ln, near, tone) = cols[i];
        if v < 0.64 {
            let (af, an) = (below(v, far, c.px), below(v, near, c.px));
            let mut col = if af < 1.0 && an < 1.0 {
                c.sky(u, v, 0.64)
            } else {
                [0.0; 3]
            };
            if af > 0.0 && an < 1.0 {
                let mut wall = c.lit([0.64, 0.63, 0.64]);
                let wf = pcov(lf * 3.0, c.px * 3.0 / 0.075, 0.3, 0.7) * pcov((v - far) / 0.03, c.px / 0.03, 0.3, 0.75);
                if wf > 0.0 {
                    let h = hash(c.seed, kf, ((v - far) / 0.03) as u32 + 500);
                    wall = mix(wall, window_glow(c, h, [0.62, 0.68, 0.76]), wf * 0.8);
                }
                col = mix(col, wall, af);
            }
            if an > 0.0 {
                let mut wall = tone;
                let wn =
                    pcov(ln * 3.0, c.px * 3.0 / 0.12, 0.25, 0.7) * pcov((v - near) / 0.045, c.px / 0.045, 0.3, 0.75);
                if wn > 0.0 {
                    let h = hash(c.seed, kn, ((v - near) / 0.045) as u32 + 900 + (ln * 3.0) as u32 * 7);
                    wall = mix(wall, window_glow(c, h, [0.55, 0.66, 0.78]), wn);
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
