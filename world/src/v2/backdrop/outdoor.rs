//! The open landscapes: the plain backdrop, mountains, beach, forest and flowering field. Each
//! paints one frame from a [`Ctx`]; called from `paint_backdrop` in `mod.rs`.

use super::paint::{add, below, cov, hash, mix, scale, smooth, unit, Rgb};
use super::view::Ctx;
use crate::v2::spec::Light;

pub(super) fn plain(c: &Ctx, buf: &mut [[f32; 3]]) {
    let tint = [
        0.06 * (unit(c.seed, 5, 0) - 0.5),
        0.0,
        0.06 * (unit(c.seed, 5, 1) - 0.5),
    ];
    c.fill(buf, |_, _, v| {
        let base = mix([0.80, 0.79, 0.76], [0.64, 0.63, 0.60], v.clamp(0.0, 1.0));
        let floor = 1.0 - 0.08 * smooth(0.83, 0.88, v);
        c.lit(add(scale(base, floor), tint, 1.0))
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

pub(super) fn mountain(c: &Ctx, buf: &mut [[f32; 3]]) {
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
            } else if c.light == Light::Night {
                // Moonlit rock stands out pale against the night sky.
                scale(mix(c.lit(base), [0.36, 0.40, 0.55], 0.5), shade)
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

pub(super) fn beach(c: &Ctx, buf: &mut [[f32; 3]]) {
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

pub(super) fn forest(c: &Ctx, buf: &mut [[f32; 3]]) {
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

pub(super) fn field(c: &Ctx, buf: &mut [[f32; 3]]) {
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
