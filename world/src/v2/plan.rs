//! The planner: where each subject instance is, how big and how turned, at any frame time —
//! a dynamic scene layout from the scene's action, relation, sizes and camera. The renderer
//! draws what it says, the model v2 is conditioned on it (a layout canvas), and the scorer
//! compares observed tracks against it. Every action is defined for all times, so chunk after
//! chunk continues the same motion.

use super::spec::{Action, Camera, Relation, SceneV2};
use crate::FPS;

/// One instance at one time, in normalised frame coordinates (0..1, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Subject slot (index into `SceneV2::subjects`).
    pub slot: usize,
    pub cx: f32,
    pub cy: f32,
    /// Height of the sprite as a fraction of the frame.
    pub height: f32,
    /// Rotation in radians.
    pub angle: f32,
    /// Horizontal squash in −1..1 (a spin shows the sprite edge-on and mirrored).
    pub squash: f32,
}

/// Small deterministic hash → 0..1, for per-scene jitter.
fn unit(seed: u32, salt: u32) -> f32 {
    let mut x = seed.wrapping_mul(0x9E37_79B9) ^ salt.wrapping_mul(0x85EB_CA6B);
    x ^= x >> 15;
    x = x.wrapping_mul(0x2C1B_3C6D);
    x ^= x >> 12;
    (x & 0xFFFF) as f32 / 65535.0
}

/// Wraps x into [-0.25, 1.25) so a walker leaves one side and comes back on the other.
fn wrap(x: f32) -> f32 {
    (x + 0.25).rem_euclid(1.5) - 0.25
}

/// Camera at time t (seconds): (pan offset in frame widths, zoom).
pub fn camera(cam: Camera, t: f32) -> (f32, f32) {
    match cam {
        Camera::Fixed => (0.0, 1.0),
        Camera::PanLeft => (-0.06 * t, 1.0),
        Camera::PanRight => (0.06 * t, 1.0),
        // Saturating, so long videos stay framed.
        Camera::ZoomIn => (0.0, 1.0 + 0.5 * (1.0 - (-t / 4.0).exp())),
        Camera::ZoomOut => (0.0, 1.0 / (1.0 + 0.4 * (1.0 - (-t / 4.0).exp()))),
    }
}

/// Motion of a subject whose resting centre is (x0, y0) and height h at time t (seconds).
fn act(action: Action, seed: u32, k: u32, x0: f32, ground_cy: f32, h: f32, t: f32) -> (f32, f32, f32, f32, f32) {
    let dir = if unit(seed, 7) < 0.5 { 1.0 } else { -1.0 };
    // Racers share a direction but not a speed.
    let speed = 0.85 + 0.3 * unit(seed, 8 + 100 * k);
    let tau = std::f32::consts::TAU;
    // (cx, cy, height, angle, squash)
    match action {
        Action::Still => (x0, ground_cy, h, 0.0, 1.0),
        Action::Walk => {
            let x = wrap(x0 + dir * 0.08 * speed * t);
            (
                x,
                ground_cy - 0.02 * (tau * 1.5 * t).sin().abs(),
                h,
                0.06 * (tau * 1.5 * t).sin(),
                1.0,
            )
        }
        Action::Run | Action::Race | Action::Chase => {
            let x = wrap(x0 + dir * 0.2 * speed * t);
            (x, ground_cy - 0.05 * (tau * 2.5 * t).sin().abs(), h, dir * 0.15, 1.0)
        }
        Action::Jump => {
            let x = wrap(x0 + dir * 0.05 * speed * t);
            (
                x,
                ground_cy - 0.3 * (std::f32::consts::PI * t / 0.9).sin().abs(),
                h,
                0.0,
                1.0,
            )
        }
        Action::Bounce => {
            let phase = (t / 1.1).fract();
            let lift = 4.0 * phase * (1.0 - phase);
            // Squashed where it meets the ground.
            let squash = 1.0 + 0.25 * (1.0 - (lift * 4.0).min(1.0));
            (x0, ground_cy - 0.4 * lift, h / squash.sqrt(), 0.0, squash)
        }
        Action::Fly => {
            let x = wrap(x0 + dir * 0.12 * speed * t);
            (
                x,
                0.3 + 0.07 * (tau * 0.6 * t).sin(),
                h,
                0.12 * (tau * 0.6 * t).cos(),
                1.0,
            )
        }
        Action::Swim => {
            let x = wrap(x0 + dir * 0.1 * speed * t);
            (
                x,
                0.5 + 0.05 * (tau * 0.5 * t).sin(),
                h,
                dir * 0.2 * (tau * 0.5 * t).cos(),
                1.0,
            )
        }
        Action::Dance => {
            let s = (tau * 1.0 * t).sin();
            (
                x0 + 0.06 * s,
                ground_cy - 0.03 * (tau * 2.0 * t).sin().abs(),
                h,
                0.35 * s,
                1.0,
            )
        }
        Action::Spin => (x0, ground_cy, h, 0.0, (tau * 0.6 * t).cos()),
        Action::Fall => {
            let period = 2.0;
            let p = (t / period + unit(seed, 9)).fract();
            let top = -h;
            (x0, top + (ground_cy - top) * (p * p), h, 0.8 * p * dir, 1.0)
        }
        Action::Roll => {
            let dist = dir * 0.12 * speed * t;
            (wrap(x0 + dist), ground_cy, h, dist / (h / 2.0).max(0.05), 1.0)
        }
        Action::Orbit => {
            let a = unit(seed, 10) * tau + dir * tau * t / 3.0;
            (0.5 + 0.25 * a.cos(), 0.45 + 0.2 * a.sin(), h, 0.0, 1.0)
        }
        Action::Grow => (x0, ground_cy, h * (0.5 + 0.8 * (1.0 - (-t / 2.0).exp())), 0.0, 1.0),
        Action::Shrink => (x0, ground_cy, h * (0.35 + 0.85 * (-t / 2.0).exp()), 0.0, 1.0),
    }
}

/// Every instance's placement at frame time `tau` (frames since the clip started).
pub fn layout(scene: &SceneV2, tau: f32) -> Vec<Placement> {
    let t = tau / FPS as f32;
    let instances = scene.instances();
    let n = instances.len();
    let ground = scene.place.ground();
    let (pan, zoom) = camera(scene.camera, t);
    let mut out: Vec<Placement> = Vec::with_capacity(n);
    let two = scene.subjects.len() >= 2;
    for (k, &(slot, _)) in instances.iter().enumerate() {
        let subject = &scene.subjects[slot];
        let mut h = subject.scale.height() * (0.9 + 0.2 * unit(scene.seed, 20 + k as u32));
        let lane = (k as f32 + 1.0) / (n as f32 + 1.0);
        let mut x0 = lane + 0.06 * (unit(scene.seed, 30 + k as u32) - 0.5);
        let mut rest = ground - h / 2.0;
        let action = scene.action;
        match (scene.relation, action) {
            (_, Action::Race) | (Some(Relation::InRow), _) => {
                // Lanes one behind the other, a little higher the further back.
                rest -= 0.07 * k as f32;
                if action == Action::Race {
                    x0 = 0.3 + 0.08 * k as f32 * if unit(scene.seed, 7) < 0.5 { 1.0 } else { -1.0 };
                }
            }
            (Some(Relation::Chasing), _) | (_, Action::Chase) if k > 0 => {
                // Follows the one before, a third of the frame behind.
                x0 = out[0].cx - 0.3 * if unit(scene.seed, 7) < 0.5 { 1.0 } else { -1.0 };
            }
            _ => {}
        }
        let mut p = {
            let racer = if action == Action::Race { k as u32 } else { 0 };
            let (cx, cy, hh, angle, squash) = act(action, scene.seed, racer, x0, rest, h, t);
            Placement {
                slot,
                cx,
                cy,
                height: hh,
                angle,
                squash,
            }
        };
        if two && k > 0 && slot == 1 {
            // Place the second subject relative to the first by the relation.
            let a = out[0];
            match scene.relation {
                Some(Relation::OnTop) => {
                    // The second is the bearer: the first rides on it, so swap roles below.
                }
                Some(Relation::Holding) => {
                    h = a.height * 0.5;
                    p = Placement {
                        slot,
                        cx: a.cx + a.height * 0.55,
                        cy: a.cy + a.height * 0.1,
                        height: h,
                        angle: a.angle,
                        squash: 1.0,
                    };
                }
                Some(Relation::Beside) | None => {
                    p.cx = a.cx + (a.height + h) * 0.5 + 0.04;
                    p.cy = a.cy + (a.height - h) * 0.5;
                }
                _ => {}
            }
        }
        out.push(p);
    }
    if scene.relation == Some(Relation::OnTop) && n >= 2 {
        // The first subject sits on the head of the second, following it.
        let bearer = out[1];
        let rider = &mut out[0];
        rider.height = rider.height.min(bearer.height * 0.7);
        rider.cx = bearer.cx;
        rider.cy = bearer.cy - bearer.height / 2.0 - rider.height * 0.45;
        rider.angle = bearer.angle;
        rider.squash = bearer.squash;
    }
    for p in &mut out {
        p.cx = 0.5 + (p.cx - pan - 0.5) * zoom;
        p.cx = wrap(p.cx);
        p.cy = 0.5 + (p.cy - 0.5) * zoom;
        p.height *= zoom;
    }
    out
}
