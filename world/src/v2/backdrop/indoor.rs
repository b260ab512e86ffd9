//! The indoor places, lit as indoors: a stage with swinging spotlights, a kitchen and a room (whose
//! windows show the sky through [`Ctx::pane`]). Each paints one frame from a [`Ctx`]; called from
//! `paint_backdrop` in `mod.rs`.

use super::paint::{add, cov, mix, pcov, pick, scale, smooth, unit, Rgb};
use super::view::Ctx;
use crate::v2::spec::Light;

pub(super) fn stage(c: &Ctx, buf: &mut [[f32; 3]]) {
    const SPOTS: [Rgb; 5] = [
        [1.0, 0.3, 0.8],
        [0.3, 0.8, 1.0],
        [1.0, 0.75, 0.3],
        [0.4, 1.0, 0.5],
        [1.0, 0.95, 0.85],
    ];
    let (power, house) = match c.light {
        Light::Day => (0.7, [0.16, 0.16, 0.18]),
        Light::Sunset => (0.9, [0.16, 0.07, 0.0]),
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

pub(super) fn kitchen(c: &Ctx, buf: &mut [[f32; 3]]) {
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

pub(super) fn room(c: &Ctx, buf: &mut [[f32; 3]]) {
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
