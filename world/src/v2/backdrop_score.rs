//! Reads place, light and weather back from a frame, for the v2 scorer (through
//! `backdrop::classify_backdrop`) and the backdrop tests. Hand-designed features — mean colours
//! and contrast of horizontal bands, edge directions, colour bins, the haze of the darkest
//! channel, isolated bright specks (snow), thin bright ridges, short and leaning like rain
//! streaks — are matched against those of reference renders of fixed seeds (random pan, zoom and
//! time; sharp, blurred once and twice), made once at first use: the nearest reference gives the
//! place and light, then the nearest among the references of that scene gives the weather.
//! Subject pixels (`ignore`, grown by one cell for soft edges) are left out of every feature; a
//! feature with too few visible pixels is skipped.

use std::sync::OnceLock;

use super::backdrop::{apply_weather, hash, paint_backdrop};
use super::spec::{Light, Place, Weather};

/// Frames are read on a grid of at most this many cells a side.
const GRID: usize = 64;
const BANDS: usize = 8;
/// Bands for the edge measures (horizontal and vertical luminance steps in each).
const EDGE_BANDS: usize = 4;
/// Weather measures: specks in the top and bottom halves, short and long vertical ridges,
/// ridges leaning like rain, fine texture, local contrast.
const WEATHER_F: usize = 7;
/// Band means (3 × BANDS), band contrast (BANDS), edges, 5 global colour measures, 6 hue
/// bins, weather measures.
const NF: usize = 4 * BANDS + 2 * EDGE_BANDS + 5 + 6 + WEATHER_F;
/// Least luminance step (after the classifier's own blur) that makes a speck or a ridge.
const RIDGE: f32 = 0.02;
/// Longest vertical ridge run (grid cells) that still counts as a rain streak.
const RAIN_RUN: u16 = 14;
/// Seeds of the reference renders (tests hold out others).
const REF_SEEDS: [u32; 5] = [0xB0D1, 0xB0D2, 0xB0D3, 0xB0D4, 0xB0D5];
/// Neighbours that vote on the scene (place and light), and then on the weather among the
/// references of that scene.
const SCENE_K: usize = 1;
const WEATHER_K: usize = 1;
/// Weight of the weather measures when matching the scene, and when matching the weather.
const SCENE_WEATHER_WEIGHT: f32 = 1.5;
const WEATHER_WEIGHT: f32 = 1.5;

type Features = [f32; NF];
/// A reference: its features and what it shows.
type Sample = (Features, Place, Light, Weather);

/// A frame on the grid as planes: red, green, blue and visibility (1 where seen, else 0).
struct Planes {
    rgb: [Vec<f32>; 3],
    seen: Vec<f32>,
    g: usize,
}

/// The frame on the grid: each cell the mean of the visible pixels that fall in it.
fn to_grid(rgb: &[u8], size: usize, ignore: &[bool]) -> Planes {
    let g = size.clamp(1, GRID);
    let (mut sum, mut seen) = (
        [vec![0f32; g * g], vec![0f32; g * g], vec![0f32; g * g]],
        vec![0f32; g * g],
    );
    let cell: Vec<usize> = (0..size).map(|x| x * g / size).collect();
    if g == size && ignore.len() >= size * size && rgb.len() >= size * size * 3 {
        // One pixel per cell.
        for (i, px) in rgb.chunks_exact(3).take(size * size).enumerate() {
            if ignore[i] {
                continue;
            }
            for c in 0..3 {
                sum[c][i] = px[c] as f32 * (1.0 / 255.0);
            }
            seen[i] = 1.0;
        }
    } else {
        for (y, &cy) in cell.iter().enumerate() {
            for (x, &cx) in cell.iter().enumerate() {
                let i = y * size + x;
                if ignore.get(i).copied().unwrap_or(false) || rgb.len() < (i + 1) * 3 {
                    continue;
                }
                let j = cy * g + cx;
                for (c, plane) in sum.iter_mut().enumerate() {
                    plane[j] += rgb[i * 3 + c] as f32 * (1.0 / 255.0);
                }
                seen[j] += 1.0;
            }
        }
    }
    for plane in &mut sum {
        for (v, &n) in plane.iter_mut().zip(&seen) {
            *v /= n.max(1.0);
        }
    }
    seen.iter_mut().for_each(|n| *n = n.min(1.0));
    // Subject edges are soft: a cell next to an ignored pixel is not trusted either.
    if ignore.iter().take(size * size).any(|&h| h) {
        let mut hidden = vec![0f32; g * g];
        for (i, _) in ignore.iter().enumerate().take(size * size).filter(|(_, &h)| h) {
            hidden[cell[i / size] * g + cell[i % size]] = 1.0;
        }
        for (s, h) in seen.iter_mut().zip(box3(&hidden, g)) {
            if h > 0.0 {
                *s = 0.0;
            }
        }
    }
    Planes { rgb: sum, seen, g }
}

/// Sum over each cell's 3×3 neighbourhood (zero outside the grid).
fn box3(src: &[f32], g: usize) -> Vec<f32> {
    let mut rows = src.to_vec();
    for (s, d) in src.chunks_exact(g).zip(rows.chunks_exact_mut(g)) {
        for (d, s) in d[1..].iter_mut().zip(s) {
            *d += s;
        }
        for (d, s) in d.iter_mut().zip(&s[1..]) {
            *d += s;
        }
    }
    let mut out = rows.clone();
    for (d, s) in out[g..].iter_mut().zip(&rows) {
        *d += s;
    }
    for (d, s) in out.iter_mut().zip(&rows[g.min(rows.len())..]) {
        *d += s;
    }
    out
}

/// 3×3 box blur of a plane over visible cells only; `count` is `box3(seen)`.
fn blur_plane(plane: &[f32], seen: &[f32], count: &[f32], g: usize) -> Vec<f32> {
    let masked: Vec<f32> = plane.iter().zip(seen).map(|(v, m)| v * m).collect();
    box3(&masked, g)
        .iter()
        .zip(count)
        .map(|(s, n)| s / n.max(1.0))
        .collect()
}

/// Weighted running mean: answers NaN when too little was seen.
#[derive(Default, Clone, Copy)]
struct Mean(f32, f32);

impl Mean {
    fn push(&mut self, v: f32, w: f32) {
        self.0 += v * w;
        self.1 += w;
    }
    fn get(self, min: f32) -> f32 {
        if self.1 >= min.max(1.0) {
            self.0 / self.1
        } else {
            f32::NAN
        }
    }
}

/// The planes at half resolution (2×2 means of visible cells): colour statistics need no more.
fn halve(p: &Planes) -> Planes {
    if p.g < 2 {
        return Planes {
            rgb: p.rgb.clone(),
            seen: p.seen.clone(),
            g: p.g,
        };
    }
    let (g, h) = (p.g, p.g / 2);
    // Sum of a plane (times visibility) over 2×2 blocks.
    let pool = |plane: Option<&Vec<f32>>| -> Vec<f32> {
        let mut out = vec![0f32; h * h];
        for y in 0..2 * h {
            let dst = &mut out[(y / 2) * h..(y / 2 + 1) * h];
            let seen = &p.seen[y * g..y * g + 2 * h];
            match plane {
                Some(plane) => {
                    let src = &plane[y * g..y * g + 2 * h];
                    for ((d, s), m) in dst.iter_mut().zip(src.chunks_exact(2)).zip(seen.chunks_exact(2)) {
                        *d += s[0] * m[0] + s[1] * m[1];
                    }
                }
                None => {
                    for (d, m) in dst.iter_mut().zip(seen.chunks_exact(2)) {
                        *d += m[0] + m[1];
                    }
                }
            }
        }
        out
    };
    let seen = pool(None);
    let rgb = p
        .rgb
        .each_ref()
        .map(|c| pool(Some(c)).iter().zip(&seen).map(|(v, n)| v / n.max(1.0)).collect());
    Planes {
        rgb,
        seen: seen.iter().map(|n| n.min(1.0)).collect(),
        g: h,
    }
}

fn features(rgb: &[u8], size: usize, ignore: &[bool]) -> Features {
    features_of(&to_grid(rgb, size, ignore))
}

/// The grid 3×3-blurred over visible cells (what a softer frame of the same scene looks like).
fn blurred(p: &Planes) -> Planes {
    let count = box3(&p.seen, p.g);
    Planes {
        rgb: p.rgb.each_ref().map(|c| blur_plane(c, &p.seen, &count, p.g)),
        seen: p.seen.clone(),
        g: p.g,
    }
}

fn features_of(full: &Planes) -> Features {
    let half = halve(full);
    let [r, gr, b] = &half.rgb;
    let (m, g) = (&half.seen, half.g);
    let l: Vec<f32> = (0..g * g)
        .map(|i| 0.299 * r[i] + 0.587 * gr[i] + 0.114 * b[i])
        .collect();
    let band_min = (g * g / BANDS) as f32 * 0.05;
    let mut f = [f32::NAN; NF];
    let (mut bands, mut band_sq) = ([[Mean::default(); 3]; BANDS], [Mean::default(); BANDS]);
    let mut edges = [[Mean::default(); 2]; EDGE_BANDS];
    let mut global = [Mean::default(); 5];
    let mut hues = [0f32; 6];
    for y in 0..g {
        let (band, eb) = (y * BANDS / g, y * EDGE_BANDS / g);
        for i in y * g..(y + 1) * g {
            let (w, v, p) = (m[i], l[i], [r[i], gr[i], b[i]]);
            for c in 0..3 {
                bands[band][c].push(p[c], w);
            }
            band_sq[band].push(v * v, w);
            if i + 1 < (y + 1) * g {
                edges[eb][0].push((l[i + 1] - v).abs(), w * m[i + 1]);
            }
            if i + g < g * g {
                edges[eb][1].push((l[i + g] - v).abs(), w * m[i + g]);
            }
            let (hi, lo) = (p[0].max(p[1]).max(p[2]), p[0].min(p[1]).min(p[2]));
            for (k, x) in [hi - lo, (v < 0.1) as u8 as f32, (v > 0.85) as u8 as f32, lo, v]
                .into_iter()
                .enumerate()
            {
                global[k].push(x, w);
            }
            if w > 0.0 && hi - lo > 0.15 {
                let h = if hi == p[0] {
                    (p[1] - p[2]) / (hi - lo)
                } else if hi == p[1] {
                    2.0 + (p[2] - p[0]) / (hi - lo)
                } else {
                    4.0 + (p[0] - p[1]) / (hi - lo)
                };
                hues[((h + 6.0) as usize) % 6] += 1.0;
            }
        }
    }
    // Specks (brighter than the cells two away in both directions: snow) and thin bright
    // vertical ridges (brighter across only: rain streaks, but also trunks and window frames),
    // on the full grid's luminance after a 3×3 blur.
    let (m, g) = (&full.seen, full.g);
    let luma: Vec<f32> = (0..g * g)
        .map(|i| 0.299 * full.rgb[0][i] + 0.587 * full.rgb[1][i] + 0.114 * full.rgb[2][i])
        .collect();
    let l = blur_plane(&luma, m, &box3(m, g), g);
    let (mut specks, mut fine, mut local) = ([Mean::default(); 2], Mean::default(), Mean::default());
    let mut ridge_map = vec![false; g * g];
    for y in 2..g.saturating_sub(2) {
        for i in y * g + 2..(y + 1) * g - 2 {
            let (v, w, e, n, s) = (l[i], l[i - 2], l[i + 2], l[i - 2 * g], l[i + 2 * g]);
            if m[i] * m[i - 2] * m[i + 2] * m[i - 2 * g] * m[i + 2 * g] == 0.0 {
                continue;
            }
            let (hr, vr) = (v - w.max(e), v - n.max(s));
            specks[(y >= g / 2) as usize].push((hr > RIDGE && vr > RIDGE) as u8 as f32, 1.0);
            ridge_map[i] = hr > RIDGE && vr < RIDGE * 0.5;
            fine.push((v - (w + e + n + s) * 0.25).abs(), 1.0);
            let (hi, lo) = [w, e, n, s].iter().fold((v, v), |(hi, lo), &x| {
                (if x > hi { x } else { hi }, if x < lo { x } else { lo })
            });
            local.push(hi - lo, 1.0);
        }
    }
    // Vertical runs of ridge cells (a run may step one column per row): short runs are rain.
    let run = |down: bool| {
        let mut len = vec![0u16; g * g];
        for step in 1..g {
            let (y, prev) = if down {
                (step, step - 1)
            } else {
                (g - 1 - step, g - step)
            };
            for x in 0..g {
                if ridge_map[y * g + x] {
                    let p = prev * g + x;
                    let left = if x > 0 { len[p - 1] } else { 0 };
                    let right = if x + 1 < g { len[p + 1] } else { 0 };
                    len[y * g + x] = len[p].max(left).max(right) + 1;
                }
            }
        }
        len
    };
    let (down, up) = (run(true), run(false));
    let (mut short, mut long, mut lean) = (0.0, 0.0, 0.0);
    for i in 0..g * g {
        if ridge_map[i] {
            // Rain falls leftwards (backdrop::RAIN_SLANT): its ridges continue down-left.
            if i + g < g * g && i % g > 0 && i % g + 1 < g {
                lean += ridge_map[i + g - 1] as u8 as f32 - ridge_map[i + g + 1] as u8 as f32;
            }
            let len = down[i] + up[i] - 1;
            if (3..=RAIN_RUN).contains(&len) {
                short += 1.0;
            } else if len > RAIN_RUN {
                long += 1.0;
            }
        }
    }
    for (k, band) in bands.iter().enumerate() {
        for c in 0..3 {
            f[k * 3 + c] = band[c].get(band_min);
        }
        let mean = 0.299 * f[k * 3] + 0.587 * f[k * 3 + 1] + 0.114 * f[k * 3 + 2];
        f[3 * BANDS + k] = (band_sq[k].get(band_min) - mean * mean).max(0.0).sqrt();
    }
    let seen = global[4].1.max(1.0);
    let checked = fine.1.max(1.0);
    let rest = edges
        .iter()
        .flatten()
        .map(|e| e.get(band_min))
        .chain(global.iter().map(|m| m.get(1.0)))
        .chain(hues.iter().map(|h| h / seen));
    let weather = [
        specks[0].get(16.0),
        specks[1].get(16.0),
        short / checked,
        long / checked,
        lean / checked,
        fine.get(16.0),
        local.get(16.0),
    ];
    for (slot, v) in f[4 * BANDS..].iter_mut().zip(rest.chain(weather)) {
        *slot = v;
    }
    f
}

/// Weight of each feature group in the distance (after scaling by the feature's spread), when
/// matching the scene (place and light) or, among references of that scene, the weather.
fn weight(i: usize, weather: bool) -> f32 {
    match i {
        _ if i < 3 * BANDS => 1.0,
        _ if i < 4 * BANDS => 0.7,
        _ if i < 4 * BANDS + 2 * EDGE_BANDS => 0.7,
        _ if i < 4 * BANDS + 2 * EDGE_BANDS + 5 => 1.0,
        _ if i < NF - WEATHER_F => 0.6,
        _ if weather => WEATHER_WEIGHT,
        _ => SCENE_WEATHER_WEIGHT,
    }
}

struct Reference {
    samples: Vec<Sample>,
    /// 1 / spread of each feature over the references.
    scale: Features,
}

/// Renders one frame of the place at `size` as RGB bytes (used for references and tests).
#[allow(clippy::too_many_arguments)]
pub fn render_frame(
    place: Place,
    light: Light,
    weather: Weather,
    seed: u32,
    tau: f32,
    pan: f32,
    zoom: f32,
    size: usize,
) -> Vec<u8> {
    let mut buf = vec![[0f32; 3]; size * size];
    paint_backdrop(place, light, seed, tau, pan, zoom, size, &mut buf);
    apply_weather(weather, light, seed, tau, size, &mut buf);
    to_bytes(&buf)
}

fn to_bytes(buf: &[[f32; 3]]) -> Vec<u8> {
    buf.iter()
        .flat_map(|p| p.map(|c| (c * 255.0 + 0.5).clamp(0.0, 255.0) as u8))
        .collect()
}

/// 3×3 box blur of an RGB byte frame (references include blurred renders).
pub fn blur_rgb(rgb: &[u8], size: usize) -> Vec<u8> {
    let n = size * size;
    let (seen, count) = (vec![1.0; n], box3(&vec![1.0; n], size));
    let [r, g, b] = [0, 1, 2].map(|c| {
        blur_plane(
            &(0..n).map(|i| rgb[i * 3 + c] as f32).collect::<Vec<_>>(),
            &seen,
            &count,
            size,
        )
    });
    (0..n)
        .flat_map(|i| [r[i], g[i], b[i]].map(|c| (c + 0.5).clamp(0.0, 255.0) as u8))
        .collect()
}

/// The references of one seed: every place, light and weather at a random pan, zoom and time.
fn references_of(seed: u32) -> Vec<Sample> {
    let none = vec![false; GRID * GRID];
    let mut samples = Vec::new();
    for place in Place::ALL {
        for light in Light::ALL {
            for weather in Weather::ALL {
                let salt = (place as u32) * 16 + (light as u32) * 4 + weather as u32;
                let r = |k: u32| (hash(seed, salt as i64, k) >> 8) as f32 / 16_777_216.0;
                let (pan, zoom, tau) = (6.0 * r(1) - 3.0, 0.7 + 0.8 * r(2), 300.0 * r(3));
                let rgb = render_frame(place, light, weather, seed, tau, pan, zoom, GRID);
                // Sharp, blurred once and twice: generated frames are softer than renders.
                let sharp = to_grid(&rgb, GRID, &none);
                let once = blurred(&sharp);
                let twice = blurred(&once);
                for grid in [&sharp, &once, &twice] {
                    samples.push((features_of(grid), place, light, weather));
                }
            }
        }
    }
    samples
}

fn reference() -> &'static Reference {
    static REF: OnceLock<Reference> = OnceLock::new();
    REF.get_or_init(|| {
        // One thread per seed; joined in seed order, so the result does not depend on timing.
        let samples: Vec<Sample> = std::thread::scope(|scope| {
            let jobs: Vec<_> = REF_SEEDS
                .iter()
                .map(|&seed| scope.spawn(move || references_of(seed)))
                .collect();
            jobs.into_iter()
                .flat_map(|job| job.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        });
        let mut scale = [1f32; NF];
        for (i, s) in scale.iter_mut().enumerate() {
            let vals: Vec<f32> = samples.iter().map(|x| x.0[i]).filter(|v| v.is_finite()).collect();
            let m = vals.iter().sum::<f32>() / vals.len().max(1) as f32;
            let var = vals.iter().map(|v| (v - m).powi(2)).sum::<f32>() / vals.len().max(1) as f32;
            *s = 1.0 / var.sqrt().max(1e-4);
        }
        Reference { samples, scale }
    })
}

/// Reads place, light and weather back from an RGB u8 frame (size*size*3 bytes), ignoring
/// pixels where `ignore[i]` is true (subject pixels). Returns the best guess.
pub fn classify_backdrop(rgb: &[u8], size: usize, ignore: &[bool]) -> (Place, Light, Weather) {
    let reference = reference();
    let f = features(rgb, size, ignore);
    let weights =
        [false, true].map(|w| std::array::from_fn::<f32, NF, _>(|i| (weight(i, w) * reference.scale[i]).powi(2)));
    let distance = |r: &Features, w: &Features| {
        let (mut d, mut used) = (0.0, 0.0);
        for i in 0..NF {
            if f[i].is_finite() && r[i].is_finite() {
                d += (f[i] - r[i]).powi(2) * w[i];
                used += 1.0;
            }
        }
        if used > 0.0 {
            d / used
        } else {
            f32::INFINITY
        }
    };
    // The k nearest references (of those `keep` accepts), each with its vote.
    let nearest = |k: usize, w: &Features, keep: &dyn Fn(&Sample) -> bool| {
        let mut near: Vec<(f32, usize)> = reference
            .samples
            .iter()
            .enumerate()
            .filter(|(_, s)| keep(s))
            .map(|(j, s)| (distance(&s.0, w), j))
            .collect();
        near.sort_by(|a, b| a.0.total_cmp(&b.0));
        near.truncate(k);
        near.into_iter().map(|(d, j)| (1.0 / (d + 1e-3), &reference.samples[j]))
    };
    let best = |v: &[f32]| {
        v.iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(i, _)| i)
    };
    let (mut places, mut lights, mut weathers) = ([0f32; 12], [0f32; 3], [0f32; 4]);
    for (vote, &(_, p, l, _)) in nearest(SCENE_K, &weights[0], &|_| true) {
        places[p as usize] += vote;
        lights[l as usize] += vote;
    }
    let (place, light) = (Place::ALL[best(&places)], Light::ALL[best(&lights)]);
    for (vote, &(_, _, _, w)) in nearest(WEATHER_K, &weights[1], &|s| s.1 == place && s.2 == light) {
        weathers[w as usize] += vote;
    }
    (place, light, Weather::ALL[best(&weathers)])
}
