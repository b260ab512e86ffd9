//! Draws random scenes (for training) or scenes with chosen attributes (for evaluation).

use rand::Rng;

use crate::motion::{Path, FLOOR_Y};
use crate::spec::*;

/// (colour, shape, motion) triples never shown in training, to measure generalisation.
pub const HELD_OUT_TRIPLES: [(Colour, Shape, Motion); 10] = [
    (Colour::Red, Shape::Triangle, Motion::Orbit),
    (Colour::Orange, Shape::Square, Motion::Bounce),
    (Colour::Yellow, Shape::Ball, Motion::Left),
    (Colour::Green, Shape::Triangle, Motion::Grow),
    (Colour::Blue, Shape::Square, Motion::Zigzag),
    (Colour::Purple, Shape::Ball, Motion::Up),
    (Colour::Red, Shape::Square, Motion::Shrink),
    (Colour::Green, Shape::Ball, Motion::Down),
    (Colour::Blue, Shape::Triangle, Motion::Still),
    (Colour::Purple, Shape::Triangle, Motion::Right),
];

pub fn is_held_out(colour: Colour, shape: Shape, motion: Motion) -> bool {
    HELD_OUT_TRIPLES.contains(&(colour, shape, motion))
}

/// What the caller fixes; everything left `None` is drawn at random.
#[derive(Debug, Clone, Default)]
pub struct SceneRequest {
    pub count: Option<usize>,
    pub colour: Option<Colour>,
    pub shape: Option<Shape>,
    pub motion: Option<Motion>,
    /// Draw the main object as a character with this look.
    pub look: Option<CharacterLook>,
    /// Training draws avoid the held-out triples.
    pub exclude_held_out: bool,
    /// Allow characters when the shape is drawn at random.
    pub allow_character: bool,
}

fn pick<T: Copy, R: Rng>(rng: &mut R, items: &[T]) -> T {
    items[rng.gen_range(0..items.len())]
}

fn hsv(h: f32, s: f32, v: f32) -> [f32; 3] {
    let h = h.rem_euclid(360.0) / 60.0;
    let c = v * s;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    [r + m, g + m, b + m]
}

/// A saturated RGB for a colour name (hue jittered a little).
pub fn object_rgb<R: Rng>(rng: &mut R, colour: Colour) -> [f32; 3] {
    hsv(
        colour.hue() + rng.gen_range(-6.0..6.0),
        rng.gen_range(0.8..1.0),
        rng.gen_range(0.82..1.0),
    )
}

/// A random character look: two saturated colours of clearly different hues and a texture.
pub fn random_look<R: Rng>(rng: &mut R) -> CharacterLook {
    let h = rng.gen_range(0.0..360.0);
    let h2 = h + rng.gen_range(80.0..280.0);
    CharacterLook {
        base: hsv(h, rng.gen_range(0.6..1.0), rng.gen_range(0.75..1.0)),
        accent: hsv(h2, rng.gen_range(0.6..1.0), rng.gen_range(0.6..1.0)),
        kind: pick(
            rng,
            &[
                LookKind::Face,
                LookKind::Stripes,
                LookKind::Checker,
                LookKind::Dots,
                LookKind::Split,
            ],
        ),
    }
}

fn muted<R: Rng>(rng: &mut R, lo: f32, hi: f32) -> [f32; 3] {
    let l = rng.gen_range(lo..hi);
    let tint = [
        rng.gen_range(-0.06..0.06),
        rng.gen_range(-0.06..0.06),
        rng.gen_range(-0.06..0.06),
    ];
    [l + tint[0], l + tint[1], l + tint[2]]
}

fn random_background<R: Rng>(rng: &mut R) -> Background {
    let kind = pick(
        rng,
        &[
            BackgroundKind::Plain,
            BackgroundKind::Gradient,
            BackgroundKind::Texture,
            BackgroundKind::Landscape,
        ],
    );
    let colours = match kind {
        BackgroundKind::Landscape => {
            let sky = muted(rng, 0.55, 0.8);
            let ground = muted(rng, 0.25, 0.45);
            [
                [sky[0] - 0.03, sky[1], sky[2] + 0.06],
                [ground[0], ground[1] + 0.05, ground[2]],
            ]
        }
        _ => [muted(rng, 0.2, 0.8), muted(rng, 0.2, 0.8)],
    };
    let pan = if rng.gen_bool(0.25) {
        pick(rng, &[-1.0, 1.0]) * rng.gen_range(0.01..0.02)
    } else {
        0.0
    };
    Background {
        kind,
        colours,
        seed: rng.gen(),
        pan,
    }
}

fn radius_for<R: Rng>(rng: &mut R, size: Size) -> f32 {
    match size {
        Size::Small => rng.gen_range(0.08..0.10),
        Size::Medium => rng.gen_range(0.11..0.13),
        Size::Big => rng.gen_range(0.14..0.16),
    }
}

/// Path of object `i` of `n` sharing `motion`, spread so they do not overlap.
fn path_for<R: Rng>(rng: &mut R, motion: Motion, r: f32, i: usize, n: usize) -> Path {
    let slot = |k: usize| {
        if n == 1 {
            0.5
        } else {
            0.25 + 0.5 * k as f32 / (n - 1) as f32
        }
    };
    let jitter = if n == 1 { 0.2 } else { 0.04 };
    let across = |rng: &mut R| (slot(i) + rng.gen_range(-jitter..jitter)).clamp(0.22, 0.78);
    let speed = rng.gen_range(0.028..0.036);
    match motion {
        Motion::Still => Path::Still {
            x: across(rng),
            y: if n == 1 { rng.gen_range(0.3..0.7) } else { 0.5 },
        },
        Motion::Right | Motion::Left => {
            let start = rng.gen_range(0.12..0.24);
            let (x, vx) = if motion == Motion::Right {
                (start, speed)
            } else {
                (1.0 - start, -speed)
            };
            Path::Line {
                x,
                y: across(rng),
                vx,
                vy: 0.0,
            }
        }
        Motion::Up | Motion::Down => {
            let start = rng.gen_range(0.12..0.24);
            let (y, vy) = if motion == Motion::Down {
                (start, speed)
            } else {
                (1.0 - start, -speed)
            };
            Path::Line {
                x: across(rng),
                y,
                vx: 0.0,
                vy,
            }
        }
        Motion::Bounce => {
            let y0 = rng.gen_range(0.15..0.35);
            let floor = FLOOR_Y - r;
            let hit = rng.gen_range(4.5f32..7.5);
            Path::Bounce {
                x: across(rng),
                vx: rng.gen_range(-0.006..0.006),
                y0,
                g: 2.0 * (floor - y0) / (hit * hit),
                e: rng.gen_range(0.7..0.85),
                floor,
            }
        }
        Motion::Orbit => {
            let turn = if rng.gen_bool(0.5) { 1.0 } else { -1.0 };
            Path::Orbit {
                cx: 0.5 + rng.gen_range(-0.04..0.04),
                cy: 0.5 + rng.gen_range(-0.04..0.04),
                r: rng.gen_range(0.2..0.26),
                omega: turn * std::f32::consts::TAU / rng.gen_range(14.0..20.0),
                phase: rng.gen_range(0.0..std::f32::consts::TAU) + std::f32::consts::TAU * i as f32 / n as f32,
            }
        }
        Motion::Zigzag => {
            let start = rng.gen_range(0.12..0.22);
            let (x, vx) = if rng.gen_bool(0.5) {
                (start, speed)
            } else {
                (1.0 - start, -speed)
            };
            Path::Zigzag {
                x,
                y: across(rng),
                vx,
                amp: rng.gen_range(0.1..0.14),
                period: rng.gen_range(6.0..9.0),
            }
        }
        Motion::Grow | Motion::Shrink => {
            let (small, big) = (0.55, 1.6);
            let (from, to) = if motion == Motion::Grow {
                (small, big)
            } else {
                (big, small)
            };
            Path::Scale {
                x: across(rng),
                y: rng.gen_range(0.4..0.6),
                from,
                to,
                frames: 15.0,
            }
        }
        Motion::Collide => {
            let outer = 0.5 - r - 0.03;
            Path::Collide {
                y: 0.5,
                h0: outer - rng.gen_range(0.0..0.04),
                v: rng.gen_range(0.02..0.03),
                contact: r,
                outer,
                side: if i == 0 { -1.0 } else { 1.0 },
            }
        }
    }
}

/// Draws a scene; the main object (index 0) carries the requested attributes.
pub fn sample_scene<R: Rng>(rng: &mut R, req: &SceneRequest) -> SceneSpec {
    let count = req.count.unwrap_or_else(|| {
        let u: f32 = rng.gen();
        if req.look.is_some() || u < 0.65 {
            1
        } else if u < 0.9 {
            2
        } else {
            3
        }
    });
    let motion = req.motion.unwrap_or_else(|| {
        if count == 2 && rng.gen_bool(0.3) {
            Motion::Collide
        } else {
            pick(rng, &Motion::SINGLE)
        }
    });
    let want_character =
        req.look.is_some() || (req.shape.is_none() && req.allow_character && count == 1 && rng.gen_bool(0.25));
    let mut objects = Vec::with_capacity(count);
    for i in 0..count {
        let (mut colour, mut shape) = (
            if i == 0 { req.colour } else { None }.unwrap_or_else(|| pick(rng, &Colour::ALL)),
            if i == 0 { req.shape } else { None }.unwrap_or_else(|| pick(rng, &Shape::PLAIN)),
        );
        // Redraw until the triple is allowed (training skips the held-out ones).
        while req.exclude_held_out && i == 0 && shape != Shape::Character && is_held_out(colour, shape, motion) {
            colour = req.colour.unwrap_or_else(|| pick(rng, &Colour::ALL));
            shape = req.shape.unwrap_or_else(|| pick(rng, &Shape::PLAIN));
            if req.colour.is_some() && req.shape.is_some() {
                break;
            }
        }
        let look = if i == 0 && want_character {
            Some(req.look.unwrap_or_else(|| random_look(rng)))
        } else {
            None
        };
        if look.is_some() {
            shape = Shape::Character;
        }
        let size = if count > 1 {
            pick(rng, &[Size::Small, Size::Medium])
        } else {
            pick(rng, &[Size::Small, Size::Medium, Size::Big])
        };
        let radius = if look.is_some() {
            radius_for(rng, Size::Big)
        } else {
            radius_for(rng, size)
        };
        let pattern = if look.is_some() || rng.gen_bool(0.7) {
            Pattern::Solid
        } else {
            pick(rng, &[Pattern::Striped, Pattern::Dotted])
        };
        objects.push(ObjectSpec {
            shape,
            colour,
            rgb: object_rgb(rng, colour),
            size,
            radius,
            pattern,
            look,
            path: path_for(rng, motion, radius, i, count),
        });
    }
    if motion == Motion::Collide && count == 2 {
        // Both halves of a collision share speed and height and touch at the centre line.
        let contact = (objects[0].radius + objects[1].radius) / 2.0;
        let outer = 0.5 - objects[0].radius.max(objects[1].radius) - 0.03;
        if let Path::Collide { y, h0, v, .. } = objects[0].path {
            for (k, o) in objects.iter_mut().enumerate() {
                let side = if k == 0 { -1.0 } else { 1.0 };
                o.path = Path::Collide {
                    y,
                    h0: h0.min(outer),
                    v,
                    contact,
                    outer,
                    side,
                };
            }
        }
    }
    SceneSpec {
        objects,
        motion,
        background: random_background(rng),
    }
}
