//! Measures a clip against a spec: colour, shape, count and motion of the objects, read from
//! the pixels alone (saturated pixels are objects, backgrounds are muted by construction).

use crate::render::Clip;
use crate::spec::{Colour, Motion, Shape};

/// Pixels with chroma (max − min, 0..1) above this are object pixels.
const FOREGROUND_CHROMA: f32 = 0.35;
/// Connected regions smaller than this many pixels are ignored as specks.
const MIN_REGION_PX: usize = 6;
/// Corner coverage above which an object is a square rather than a ball.
const SQUARE_CORNERS: f32 = 0.3;

/// What the pixels show.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub colour: Option<Colour>,
    pub shape: Option<Shape>,
    pub count: usize,
    pub motion: Option<Motion>,
    /// Fraction of frames whose object area is within 0.5–2× of the median (temporal consistency).
    pub coherence: f32,
    /// Per-frame centroid (x, y) in pixels, `None` where no object is visible.
    pub track: Vec<Option<(f32, f32)>>,
}

fn chroma_hue(p: [u8; 3]) -> (f32, f32) {
    let [r, g, b] = p.map(|c| c as f32 / 255.0);
    let (mx, mn) = (r.max(g).max(b), r.min(g).min(b));
    let c = mx - mn;
    if c <= 1e-6 {
        return (0.0, 0.0);
    }
    let h = if mx == r {
        60.0 * ((g - b) / c).rem_euclid(6.0)
    } else if mx == g {
        60.0 * ((b - r) / c + 2.0)
    } else {
        60.0 * ((r - g) / c + 4.0)
    };
    (c, h)
}

fn hue_distance(a: f32, b: f32) -> f32 {
    let d = (a - b).rem_euclid(360.0);
    d.min(360.0 - d)
}

/// The named colour nearest to a hue.
pub fn nearest_colour(hue: f32) -> Colour {
    let mut best = Colour::Red;
    for c in Colour::ALL {
        if hue_distance(hue, c.hue()) < hue_distance(hue, best.hue()) {
            best = c;
        }
    }
    best
}

/// Median of a hue set on the circle: the sample minimising the summed circular distance would
/// be exact; the circular mean is close enough for clustered hues and O(n).
fn circular_mean(hues: &[f32]) -> Option<f32> {
    if hues.is_empty() {
        return None;
    }
    let (s, c) = hues.iter().fold((0.0f32, 0.0f32), |(s, c), h| {
        (s + h.to_radians().sin(), c + h.to_radians().cos())
    });
    Some(s.atan2(c).to_degrees().rem_euclid(360.0))
}

fn median(v: &mut [f32]) -> Option<f32> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    Some(v[v.len() / 2])
}

/// Per frame: object mask, connected regions (sizes), bounding box of all object pixels.
struct FrameMask {
    area: usize,
    /// Share of the bounding box's corners (outside its inscribed ellipse) covered by object
    /// pixels: ~0 for a ball, ~1 for a square; robust to soft or ragged edges.
    corners: f32,
    regions: usize,
    bbox: Option<(usize, usize, usize, usize)>,
    centroid: Option<(f32, f32)>,
}

fn frame_mask(clip: &Clip, f: usize, hues: &mut Vec<f32>) -> FrameMask {
    let n = clip.size;
    let mut mask = vec![false; n * n];
    let (mut sx, mut sy, mut area) = (0.0, 0.0, 0usize);
    let mut bbox: Option<(usize, usize, usize, usize)> = None;
    for y in 0..n {
        for x in 0..n {
            let (c, h) = chroma_hue(clip.pixel(f, x, y));
            if c > FOREGROUND_CHROMA {
                mask[y * n + x] = true;
                hues.push(h);
                sx += x as f32;
                sy += y as f32;
                area += 1;
                bbox = Some(match bbox {
                    None => (x, y, x, y),
                    Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
                });
            }
        }
    }
    // Count 4-connected regions with a flood fill.
    let mut seen = vec![false; n * n];
    let mut regions = 0;
    let mut stack = Vec::new();
    for start in 0..n * n {
        if !mask[start] || seen[start] {
            continue;
        }
        let mut size = 0;
        stack.push(start);
        seen[start] = true;
        while let Some(i) = stack.pop() {
            size += 1;
            let (x, y) = (i % n, i / n);
            let mut visit = |j: usize| {
                if mask[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < n {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - n);
            }
            if y + 1 < n {
                visit(i + n);
            }
        }
        if size >= MIN_REGION_PX {
            regions += 1;
        }
    }
    let centroid = (area >= MIN_REGION_PX).then(|| (sx / area as f32, sy / area as f32));
    let corners = bbox.map_or(0.0, |b| corner_occupancy(&mask, n, b));
    FrameMask {
        area,
        corners,
        regions,
        bbox,
        centroid,
    }
}

fn corner_occupancy(mask: &[bool], n: usize, (x0, y0, x1, y1): (usize, usize, usize, usize)) -> f32 {
    let (cx, cy) = ((x0 + x1) as f32 / 2.0, (y0 + y1) as f32 / 2.0);
    let (rx, ry) = ((x1 - x0 + 1) as f32 / 2.0, (y1 - y0 + 1) as f32 / 2.0);
    let (mut inside, mut total) = (0usize, 0usize);
    for y in y0..=y1 {
        for x in x0..=x1 {
            let (dx, dy) = ((x as f32 - cx) / rx, (y as f32 - cy) / ry);
            if dx * dx + dy * dy > 1.0 {
                total += 1;
                inside += usize::from(mask[y * n + x]);
            }
        }
    }
    if total == 0 {
        0.0
    } else {
        inside as f32 / total as f32
    }
}

/// Classifies the centroid track and area curve of one object.
fn classify_motion(track: &[(f32, f32, f32)], size: f32) -> Motion {
    let n = track.len();
    let first_area = (track[..3.min(n)].iter().map(|t| t.2).sum::<f32>()) / 3f32.min(n as f32);
    let last_area = (track[n.saturating_sub(3)..].iter().map(|t| t.2).sum::<f32>()) / 3f32.min(n as f32);
    let ratio = last_area / first_area.max(1.0);
    if ratio > 1.8 {
        return Motion::Grow;
    }
    if ratio < 0.55 {
        return Motion::Shrink;
    }
    // Least-squares slopes of x and y over the frame index.
    let mean_t = (n as f32 - 1.0) / 2.0;
    let (mx, my) = (
        track.iter().map(|t| t.0).sum::<f32>() / n as f32,
        track.iter().map(|t| t.1).sum::<f32>() / n as f32,
    );
    let var_t: f32 = (0..n).map(|i| (i as f32 - mean_t).powi(2)).sum::<f32>().max(1e-6);
    let slope = |k: usize| -> f32 {
        track
            .iter()
            .enumerate()
            .map(|(i, t)| (i as f32 - mean_t) * (if k == 0 { t.0 } else { t.1 } - if k == 0 { mx } else { my }))
            .sum::<f32>()
            / var_t
    };
    let (dx, dy) = (slope(0) * (n - 1) as f32, slope(1) * (n - 1) as f32);
    // Orbit: the centroid sweeps most of a turn around its mean at a roughly constant radius
    // (a straight pass sweeps at most half a turn; its radius goes through zero).
    let radii: Vec<f32> = track
        .iter()
        .map(|t| ((t.0 - mx).powi(2) + (t.1 - my).powi(2)).sqrt())
        .collect();
    let mean_r = radii.iter().sum::<f32>() / n as f32;
    let var_r = radii.iter().map(|r| (r - mean_r).powi(2)).sum::<f32>() / n as f32;
    if mean_r > 0.08 * size && var_r.sqrt() < 0.4 * mean_r {
        let mut sweep = 0.0f32;
        for w in track.windows(2) {
            let a0 = (w[0].1 - my).atan2(w[0].0 - mx);
            let a1 = (w[1].1 - my).atan2(w[1].0 - mx);
            let mut d = a1 - a0;
            if d > std::f32::consts::PI {
                d -= std::f32::consts::TAU;
            } else if d < -std::f32::consts::PI {
                d += std::f32::consts::TAU;
            }
            sweep += d;
        }
        if sweep.abs() > 3.6 {
            return Motion::Orbit;
        }
    }
    // Vertical reversals of at least `amp` pixels.
    let reversals = |amp: f32| -> usize {
        let mut count = 0;
        let mut dir = 0i8;
        let mut extreme = track[0].1;
        for t in &track[1..] {
            let d = t.1 - extreme;
            if dir >= 0 && d <= -amp || dir <= 0 && d >= amp {
                if dir != 0 {
                    count += 1;
                }
                dir = if d > 0.0 { 1 } else { -1 };
                extreme = t.1;
            } else if dir > 0 && t.1 > extreme || dir < 0 && t.1 < extreme {
                extreme = t.1;
            }
        }
        count
    };
    if dx.abs() >= 0.18 * size && reversals(0.05 * size) >= 2 {
        return Motion::Zigzag;
    }
    if dx.abs() < 0.18 * size {
        // Bounce: a drop of at least a tenth of the frame, then a rise of a few pixels.
        let (imax, ymax) = track
            .iter()
            .enumerate()
            .fold((0, f32::MIN), |acc, (i, t)| if t.1 > acc.1 { (i, t.1) } else { acc });
        let min_before = track[..=imax].iter().map(|t| t.1).fold(f32::MAX, f32::min);
        let min_after = track[imax..].iter().map(|t| t.1).fold(f32::MAX, f32::min);
        if ymax - min_before >= 0.1 * size && ymax - min_after >= 0.04 * size && imax + 1 < n {
            return Motion::Bounce;
        }
    }
    if dx.abs().max(dy.abs()) >= 0.12 * size {
        return if dx.abs() >= dy.abs() {
            if dx > 0.0 {
                Motion::Right
            } else {
                Motion::Left
            }
        } else if dy > 0.0 {
            Motion::Down
        } else {
            Motion::Up
        };
    }
    Motion::Still
}

/// Reads colour, shape, count and motion off a clip.
pub fn score_clip(clip: &Clip) -> Measured {
    let size = clip.size as f32;
    let mut hues = Vec::new();
    let masks: Vec<FrameMask> = (0..clip.frames).map(|f| frame_mask(clip, f, &mut hues)).collect();
    let mut counts: Vec<f32> = masks.iter().map(|m| m.regions as f32).collect();
    let count = median(&mut counts).unwrap_or(0.0) as usize;
    let colour = circular_mean(&hues).filter(|_| count > 0).map(nearest_colour);
    // Shape, in frames where the object is whole and not tiny: a triangle fills at most about
    // half its bounding box; a square covers the box's corners, a ball leaves them empty.
    let whole: Vec<&FrameMask> = masks
        .iter()
        .filter(|m| {
            m.bbox
                .is_some_and(|(x0, y0, x1, y1)| x0 > 0 && y0 > 0 && x1 + 1 < clip.size && y1 + 1 < clip.size)
                && m.area >= 12
                && m.regions == 1
        })
        .collect();
    let mut fills: Vec<f32> = whole
        .iter()
        .filter_map(|m| {
            m.bbox
                .map(|(x0, y0, x1, y1)| m.area as f32 / ((x1 - x0 + 1) * (y1 - y0 + 1)) as f32)
        })
        .collect();
    let mut corners: Vec<f32> = whole.iter().map(|m| m.corners).collect();
    let shape = median(&mut fills).zip(median(&mut corners)).map(|(fill, corners)| {
        if fill < 0.66 {
            Shape::Triangle
        } else if corners < SQUARE_CORNERS {
            Shape::Ball
        } else {
            Shape::Square
        }
    });
    let track: Vec<Option<(f32, f32)>> = masks.iter().map(|m| m.centroid).collect();
    let visible: Vec<(f32, f32, f32)> = masks
        .iter()
        .filter_map(|m| m.centroid.map(|(x, y)| (x, y, m.area as f32)))
        .collect();
    let motion = (visible.len() >= clip.frames / 2 && count == 1).then(|| classify_motion(&visible, size));
    let mut areas: Vec<f32> = visible.iter().map(|t| t.2).collect();
    let coherence = match median(&mut areas) {
        Some(m) if m > 0.0 => {
            masks
                .iter()
                .filter(|f| (f.area as f32) >= 0.5 * m && (f.area as f32) <= 2.0 * m)
                .count() as f32
                / clip.frames as f32
        }
        _ => 0.0,
    };
    Measured {
        colour,
        shape,
        count,
        motion,
        coherence,
        track,
    }
}

/// Dominant object colour of one frame (`None` if no object pixels).
pub fn frame_colour(clip: &Clip, f: usize) -> Option<Colour> {
    let mut hues = Vec::new();
    let m = frame_mask(clip, f, &mut hues);
    (m.area >= MIN_REGION_PX)
        .then(|| circular_mean(&hues).map(nearest_colour))
        .flatten()
}

/// Chroma-weighted hue histogram (12 bins) of saturated pixels, normalised to sum 1.
fn hue_histogram(pixels: impl Iterator<Item = [u8; 3]>, min_chroma: f32) -> [f32; 12] {
    let mut h = [0f32; 12];
    for p in pixels {
        let (c, hue) = chroma_hue(p);
        if c > min_chroma {
            h[((hue / 30.0) as usize).min(11)] += c;
        }
    }
    let total: f32 = h.iter().sum();
    if total > 0.0 {
        h.iter_mut().for_each(|v| *v /= total);
    }
    h
}

/// Similarity (histogram intersection, 0..1) between the colours of an avatar reference crop
/// (RGB, on neutral grey) and the objects in a clip.
pub fn avatar_similarity(clip: &Clip, reference: &[u8]) -> f32 {
    let r = hue_histogram(reference.chunks_exact(3).map(|p| [p[0], p[1], p[2]]), 0.2);
    let c = hue_histogram(clip.rgb.chunks_exact(3).map(|p| [p[0], p[1], p[2]]), FOREGROUND_CHROMA);
    r.iter().zip(c.iter()).map(|(a, b)| a.min(*b)).sum()
}
