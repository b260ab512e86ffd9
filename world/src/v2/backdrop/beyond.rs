//! The places away from the ordinary sky: underwater (light rays, rising bubbles) and space
//! (nebula, stars, planets over a cratered ground). Each paints one frame from a [`Ctx`]; called
//! from `paint_backdrop` in `mod.rs`.

use super::paint::{add, below, mix, pick, scale, smooth, unit, Rgb};
use super::view::Ctx;
use crate::v2::spec::Light;

pub(super) fn underwater(c: &Ctx, buf: &mut [[f32; 3]]) {
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

pub(super) fn space(c: &Ctx, buf: &mut [[f32; 3]]) {
    const PLANETS: [Rgb; 3] = [[0.85, 0.55, 0.30], [0.30, 0.70, 0.75], [0.60, 0.45, 0.80]];
    let nebula = match c.light {
        Light::Day => [0.14, 0.22, 0.50],
        Light::Sunset => [0.45, 0.16, 0.26],
        Light::Night => [0.06, 0.06, 0.15],
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
                let mut col = add(scale(nebula, 0.4), nebula, 0.5 * (0.6 + 0.4 * sx * rows[j]));
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
