//! Scorer v2: measures a clip against its scene. A subject is *present* when, at the place in
//! the frame that looks most like its atlas image (searched over positions at the rendered
//! scale), that image beats almost every other concept of the atlas (top [`PRESENT_RANK`] of
//! 1,580) — so a cat counts only if it looks like the cat, not like any blob. Count comes from
//! repeated detection, action from the observed track compared with the track every action
//! would have planned, place/light/weather from the backdrop classifier on the rest.

use std::collections::HashMap;

use super::backdrop::classify_backdrop;
use super::concepts::{Library, Sprite, CELL};
use super::plan::layout;
use super::render::sample_placed;
use super::spec::*;
use crate::render::Clip;

/// A subject is present when its concept ranks within this many of the whole atlas.
pub const PRESENT_RANK: usize = 10;
/// Frames of a clip the presence test looks at (those where the subject is in view).
const PRESENCE_FRAMES: usize = 4;
/// Scales (relative to the planned one) the tracker tries.
const TRACK_SCALES: [f32; 5] = [0.6, 0.8, 1.0, 1.25, 1.55];
/// Candidates whose coverage is within this factor of the subject's take part in its rank.
const COVERAGE_BAND: f32 = 1.2;
/// A subject counts as present within this many of its own sizes of its planned place.
const PLACE_TOLERANCE: f32 = 0.75;
/// Most pixels (at 64×64) the tracker lets a subject move between frames.
const TRACK_STEP: f32 = 8.0;
/// A second detection counts as another instance when it matches at most this much worse.
const COUNT_RATIO: f32 = 1.8;

/// An RGBA template of `side × side` pixels (premultiplied, 0..1).
type Template = Vec<[f32; 4]>;

/// The sprite as the renderer would draw it `side` pixels tall, turned and squashed.
fn template(sprite: &Sprite, side: usize, pose: Pose) -> Template {
    let (angle, squash) = pose.get();
    let h = side as f32;
    let mut out = Vec::with_capacity(side * side);
    for y in 0..side {
        for x in 0..side {
            let (dx, dy) = (x as f32 + 0.5 - h / 2.0, y as f32 + 0.5 - h / 2.0);
            out.push(sample_placed(sprite, h, angle, squash, dx, dy));
        }
    }
    out
}

/// A quantised (angle, squash), so templates can be cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Pose(i32, i32);

impl Pose {
    /// Angles to 15°, squash to 0.1.
    fn of(angle: f32, squash: f32) -> Self {
        let deg = angle.to_degrees().rem_euclid(360.0);
        Pose((deg / 15.0).round() as i32 % 24, (squash * 10.0).round() as i32)
    }

    const UPRIGHT: Pose = Pose(0, 10);

    fn get(self) -> (f32, f32) {
        ((self.0 as f32 * 15.0).to_radians(), self.1 as f32 / 10.0)
    }
}

/// Every atlas concept's template at one side length and pose (cached).
#[derive(Debug, Default)]
pub struct Templates {
    cached: HashMap<(usize, Pose), Vec<Template>>,
}

impl Templates {
    fn all(&mut self, side: usize, pose: Pose) -> &Vec<Template> {
        self.cached.entry((side, pose)).or_insert_with(|| {
            let lib = Library::get();
            (0..lib.len() as u16)
                .map(|id| template(&Sprite::from_rgba(&lib.cell(id), CELL), side, pose))
                .collect()
        })
    }
}

fn frame_f32(clip: &Clip, f: usize) -> Vec<[f32; 3]> {
    clip.frame(f)
        .chunks_exact(3)
        .map(|p| [p[0] as f32 / 255.0, p[1] as f32 / 255.0, p[2] as f32 / 255.0])
        .collect()
}

/// Error of a template composited over flat `bg` against the frame patch at (x, y), after both
/// are normalised to zero mean and unit variance (so fog, night and blur, which scale contrast
/// and shift colour, do not decide the match).
fn patch_error(frame: &[[f32; 3]], size: usize, t: &Template, side: usize, x: usize, y: usize, bg: [f32; 3]) -> f32 {
    let n = (side * side * 3) as f32;
    let (mut sp, mut sp2, mut so, mut so2, mut spo) = (0f32, 0f32, 0f32, 0f32, 0f32);
    for ty in 0..side {
        let row = (y + ty) * size + x;
        for tx in 0..side {
            let [r, g, b, a] = t[ty * side + tx];
            let o = frame[row + tx];
            let pred = [r + bg[0] * (1.0 - a), g + bg[1] * (1.0 - a), b + bg[2] * (1.0 - a)];
            for c in 0..3 {
                sp += pred[c];
                sp2 += pred[c] * pred[c];
                so += o[c];
                so2 += o[c] * o[c];
                spo += pred[c] * o[c];
            }
        }
    }
    let (mp, mo) = (sp / n, so / n);
    let vp = (sp2 / n - mp * mp).max(1e-6);
    let vo = (so2 / n - mo * mo).max(1e-6);
    let cov = spo / n - mp * mo;
    // Mean squared difference of the two normalised patches = 2 (1 − correlation).
    2.0 * (1.0 - cov / (vp.sqrt() * vo.sqrt()))
}

/// Mean colour of the ring just outside a box (the local background).
fn ring_colour(frame: &[[f32; 3]], size: usize, x: usize, y: usize, side: usize) -> [f32; 3] {
    let (x0, y0) = (x.saturating_sub(1), y.saturating_sub(1));
    let (x1, y1) = ((x + side).min(size - 1), (y + side).min(size - 1));
    let mut acc = [0f32; 3];
    let mut n = 0.0;
    for yy in y0..=y1 {
        for xx in x0..=x1 {
            if yy == y0 || yy == y1 || xx == x0 || xx == x1 {
                let p = frame[yy * size + xx];
                acc = [acc[0] + p[0], acc[1] + p[1], acc[2] + p[2]];
                n += 1.0;
            }
        }
    }
    [acc[0] / n, acc[1] / n, acc[2] / n]
}

/// Where to look: around a box's top-left corner (x, y), within `radius` pixels.
#[derive(Debug, Clone, Copy)]
struct Window {
    x: f32,
    y: f32,
    radius: f32,
}

impl Window {
    fn contains(&self, x: usize, y: usize) -> bool {
        (x as f32 - self.x).abs() <= self.radius && (y as f32 - self.y).abs() <= self.radius
    }
}

/// Best (error, x, y) of a template within `window` (or anywhere), skipping boxes overlapping
/// `taken`.
fn search(
    frame: &[[f32; 3]],
    size: usize,
    t: &Template,
    side: usize,
    taken: &[(usize, usize)],
    window: Option<Window>,
) -> Option<(f32, usize, usize)> {
    let mut best: Option<(f32, usize, usize)> = None;
    let step = if size > 64 { 2 } else { 1 };
    for y in (0..=size - side).step_by(step) {
        for x in (0..=size - side).step_by(step) {
            if window.is_some_and(|w| !w.contains(x, y)) {
                continue;
            }
            if taken
                .iter()
                .any(|&(tx, ty)| tx.abs_diff(x) < side * 2 / 3 && ty.abs_diff(y) < side * 2 / 3)
            {
                continue;
            }
            let bg = ring_colour(frame, size, x, y, side);
            let e = patch_error(frame, size, t, side, x, y, bg);
            if best.is_none_or(|b| e < b.0) {
                best = Some((e, x, y));
            }
        }
    }
    best
}

/// Share of a template's pixels its sprite covers.
fn coverage(t: &Template) -> f32 {
    t.iter().map(|p| p[3]).sum::<f32>() / t.len().max(1) as f32
}

/// Rank (0 = best) of `concept` among the atlas templates of similar coverage (within
/// [`COVERAGE_BAND`]) at the patch (x, y): comparing a cat only with things about as solid
/// keeps thin glyphs and full squares from winning on background texture alone.
fn rank_at(frame: &[[f32; 3]], size: usize, all: &[Template], side: usize, x: usize, y: usize, concept: u16) -> usize {
    let bg = ring_colour(frame, size, x, y, side);
    let own_t = &all[concept as usize];
    let own = patch_error(frame, size, own_t, side, x, y, bg);
    let c = coverage(own_t);
    all.iter()
        .filter(|t| {
            let k = coverage(t);
            k >= c / COVERAGE_BAND && k <= c * COVERAGE_BAND
        })
        .filter(|t| patch_error(frame, size, t, side, x, y, bg) < own)
        .count()
}

/// What the scorer measured for one clip.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuredV2 {
    /// Per slot: whether its concept was found (avatar slots: `None`).
    pub present: Vec<Option<bool>>,
    /// Instances of the first slot found.
    pub count: usize,
    pub action: Action,
    pub place: Place,
    pub light: Light,
    pub weather: Weather,
}

/// Up to [`PRESENCE_FRAMES`] frames, spread over the clip, where the slot's planned box lies
/// inside the frame (a falling or panned-away subject is not judged while out of view).
fn visible_frames(scene: &SceneV2, slot: usize, t0: f32, frames: usize) -> Vec<usize> {
    let inside: Vec<usize> = (0..frames)
        .filter(|&f| {
            layout(scene, t0 + f as f32).iter().filter(|p| p.slot == slot).any(|p| {
                let r = p.height / 2.0;
                p.cx - r >= 0.0 && p.cx + r <= 1.0 && p.cy - r >= 0.0 && p.cy + r <= 1.0
            })
        })
        .collect();
    if inside.len() <= PRESENCE_FRAMES {
        return inside;
    }
    (0..PRESENCE_FRAMES)
        .map(|k| inside[k * (inside.len() - 1) / (PRESENCE_FRAMES - 1)])
        .collect()
}

fn side_px(height: f32, size: usize) -> usize {
    ((height * size as f32).round() as usize).clamp(4, size)
}

/// Observed (cx, cy, height) of slot 0 in every frame, searched over scales around the plan.
fn track(clip: &Clip, scene: &SceneV2, t0: f32, cache: &mut Templates, concept: u16) -> Vec<(f32, f32, f32)> {
    let size = clip.size;
    let base = scene.subjects[0].scale.height();
    let start = layout(scene, t0).first().map_or((0.5, 0.5), |p| (p.cx, p.cy));
    let mut last = (start.0 * size as f32, start.1 * size as f32);
    let step = TRACK_STEP * size as f32 / 64.0;
    (0..clip.frames)
        .map(|f| {
            let frame = frame_f32(clip, f);
            let mut best = (f32::MAX, last.0, last.1, base);
            for s in TRACK_SCALES {
                let side = side_px(base * s, size);
                let t = cache.all(side, Pose::UPRIGHT)[concept as usize].clone();
                let half = side as f32 / 2.0;
                let window = Window {
                    x: last.0 - half,
                    y: last.1 - half,
                    radius: step + if f == 0 { half } else { 0.0 },
                };
                if let Some((e, x, y)) = search(&frame, size, &t, side, &[], Some(window)) {
                    if e < best.0 {
                        best = (e, x as f32 + half, y as f32 + half, side as f32 / size as f32);
                    }
                }
            }
            last = (best.1, best.2);
            (best.1 / size as f32, best.2 / size as f32, best.3)
        })
        .collect()
}

/// The action whose planned track (same scene, same seed) is closest to the observed one.
fn nearest_action(scene: &SceneV2, t0: f32, observed: &[(f32, f32, f32)]) -> Action {
    let distance = |a: Action| -> f32 {
        let mut s = scene.clone();
        s.action = a;
        observed
            .iter()
            .enumerate()
            .map(|(f, &(x, y, h))| match layout(&s, t0 + f as f32).first() {
                Some(p) => {
                    let dx = (p.cx - x).abs().min(1.5 - (p.cx - x).abs());
                    dx + (p.cy - y).abs() + 0.2 * (p.height.max(1e-3) / h.max(1e-3)).ln().abs()
                }
                None => 0.0,
            })
            .sum()
    };
    let candidates: Vec<Action> = Action::ALL
        .into_iter()
        .filter(|a| !a.is_group() || scene.instances().len() >= 2)
        .collect();
    candidates
        .into_iter()
        .min_by(|a, b| distance(*a).total_cmp(&distance(*b)))
        .unwrap_or(Action::Still)
}

/// Run, chase and race move the first subject the same way; the scorer reads them as one.
pub fn same_motion(a: Action, b: Action) -> bool {
    let runlike = |x| matches!(x, Action::Run | Action::Chase | Action::Race);
    a == b || (runlike(a) && runlike(b))
}

/// Scores a clip that shows `scene` from frame time `t0`.
pub fn score_v2(clip: &Clip, scene: &SceneV2, t0: f32, cache: &mut Templates) -> MeasuredV2 {
    let size = clip.size;
    let mut present = Vec::new();
    let mut ignore = vec![false; size * size];
    let mut count = 0;
    for (slot, subject) in scene.subjects.iter().enumerate() {
        let SubjectKind::Concept(concept) = subject.kind else {
            present.push(None);
            continue;
        };
        let mut hits = 0;
        let mut looked = 0;
        for f in visible_frames(scene, slot, t0, clip.frames) {
            let frame = frame_f32(clip, f);
            let Some(p) = layout(scene, t0 + f as f32).into_iter().find(|p| p.slot == slot) else {
                continue;
            };
            looked += 1;
            let side = side_px(p.height, size);
            let all = cache.all(side, Pose::of(p.angle, p.squash)).clone();
            let t = &all[concept as usize];
            let mut taken = Vec::new();
            let planned = Window {
                x: p.cx * size as f32 - side as f32 / 2.0,
                y: p.cy * size as f32 - side as f32 / 2.0,
                radius: side as f32 * PLACE_TOLERANCE,
            };
            if let Some((e, x, y)) = search(&frame, size, t, side, &taken, Some(planned)) {
                let rank = rank_at(&frame, size, &all, side, x, y, concept);
                if std::env::var_os("SCORE_DEBUG").is_some() && rank >= PRESENT_RANK {
                    eprintln!("slot {slot} f {f} rank {rank} at ({x},{y}) planned ({:.0},{:.0}) side {side} err {e:.4} pose {:.2} {:.2} {:?}", p.cx * size as f32 - side as f32 / 2.0, p.cy * size as f32 - side as f32 / 2.0, p.angle, p.squash, scene.weather);
                }
                if rank < PRESENT_RANK {
                    hits += 1;
                }
                for yy in y..(y + side).min(size) {
                    for xx in x..(x + side).min(size) {
                        ignore[yy * size + xx] = true;
                    }
                }
                if slot == 0 && count == 0 {
                    taken.push((x, y));
                    count = 1;
                    while count < MAX_INSTANCES {
                        match search(&frame, size, t, side, &taken, None) {
                            Some((e2, x2, y2)) if e2 <= e * COUNT_RATIO + 0.05 => {
                                taken.push((x2, y2));
                                count += 1;
                            }
                            _ => break,
                        }
                    }
                }
            }
        }
        present.push(Some(looked > 0 && hits * 2 > looked));
    }
    let action = match scene.subjects.first().map(|s| s.kind) {
        Some(SubjectKind::Concept(c)) => nearest_action(scene, t0, &track(clip, scene, t0, cache, c)),
        _ => Action::Still,
    };
    let (place, light, weather) = classify_backdrop(clip.frame(clip.frames / 2), size, &ignore);
    MeasuredV2 {
        present,
        count,
        action,
        place,
        light,
        weather,
    }
}

/// How much the first avatar slot looks like `crop` (REF_SIZE² RGB) where the plan puts it:
/// the best contrast-normalised correlation (−1..1) near the planned place, averaged over the
/// frames where it is in view.
pub fn avatar_likeness(clip: &Clip, scene: &SceneV2, t0: f32, crop: &[u8]) -> f32 {
    let Some(slot) = scene.subjects.iter().position(|s| s.kind == SubjectKind::Avatar) else {
        return 0.0;
    };
    let sprite = Sprite::from_reference_rgb(crop, crate::REF_SIZE);
    let size = clip.size;
    let mut total = 0.0;
    let mut n = 0;
    for f in visible_frames(scene, slot, t0, clip.frames) {
        let Some(p) = layout(scene, t0 + f as f32).into_iter().find(|p| p.slot == slot) else {
            continue;
        };
        let side = side_px(p.height, size);
        let t = template(&sprite, side, Pose::of(p.angle, p.squash));
        let window = Window {
            x: p.cx * size as f32 - side as f32 / 2.0,
            y: p.cy * size as f32 - side as f32 / 2.0,
            radius: side as f32 * PLACE_TOLERANCE,
        };
        if let Some((e, _, _)) = search(&frame_f32(clip, f), size, &t, side, &[], Some(window)) {
            total += 1.0 - e / 2.0;
            n += 1;
        }
    }
    if n == 0 {
        0.0
    } else {
        total / n as f32
    }
}
