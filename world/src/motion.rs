//! Object trajectories: position and scale as a function of time (in frames), defined for all
//! times so that chunk after chunk (extension) continues the same physics.

/// Floor line (normalised y) that bouncing objects land on.
pub const FLOOR_Y: f32 = 0.92;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Path {
    Still {
        x: f32,
        y: f32,
    },
    /// Constant velocity; wraps around the frame edges so it never ends.
    Line {
        x: f32,
        y: f32,
        vx: f32,
        vy: f32,
    },
    /// Dropped at rest from `y0` under gravity `g`, restitution `e`, floor contact at `floor`.
    Bounce {
        x: f32,
        vx: f32,
        y0: f32,
        g: f32,
        e: f32,
        floor: f32,
    },
    Orbit {
        cx: f32,
        cy: f32,
        r: f32,
        omega: f32,
        phase: f32,
    },
    Zigzag {
        x: f32,
        y: f32,
        vx: f32,
        amp: f32,
        period: f32,
    },
    /// Radius scale goes linearly from `from` to `to` over `frames`, then stays.
    Scale {
        x: f32,
        y: f32,
        from: f32,
        to: f32,
        frames: f32,
    },
    /// Half of a symmetric pair: distance from the centre line follows a triangle wave between
    /// `contact` (touching) and `outer`; `side` is -1 (left object) or 1 (right object).
    Collide {
        y: f32,
        h0: f32,
        v: f32,
        contact: f32,
        outer: f32,
        side: f32,
    },
}

/// Where an object is at time `tau` (frames): centre x, y and radius scale.
pub fn at(path: &Path, tau: f32) -> (f32, f32, f32) {
    match *path {
        Path::Still { x, y } => (x, y, 1.0),
        Path::Line { x, y, vx, vy } => (wrap(x + vx * tau), wrap(y + vy * tau), 1.0),
        Path::Bounce { x, vx, y0, g, e, floor } => (wrap(x + vx * tau), bounce_y(y0, g, e, floor, tau), 1.0),
        Path::Orbit {
            cx,
            cy,
            r,
            omega,
            phase,
        } => {
            let a = phase + omega * tau;
            (cx + r * a.cos(), cy + r * a.sin(), 1.0)
        }
        Path::Zigzag { x, y, vx, amp, period } => (wrap(x + vx * tau), y + amp * triangle(tau / period), 1.0),
        Path::Scale { x, y, from, to, frames } => {
            let k = (tau / frames).clamp(0.0, 1.0);
            (x, y, from + (to - from) * k)
        }
        Path::Collide {
            y,
            h0,
            v,
            contact,
            outer,
            side,
        } => {
            let span = (outer - contact).max(1e-3);
            // Distance walked from the start, folded into [contact, outer] as a triangle wave.
            let d = (h0 - contact) - v * tau;
            let folded = d.rem_euclid(2.0 * span);
            let h = contact + if folded <= span { folded } else { 2.0 * span - folded };
            (0.5 + side * h, y, 1.0)
        }
    }
}

/// Wraps a coordinate that leaves the frame back in from the other side (with margin so the
/// object fully exits before it re-enters).
fn wrap(v: f32) -> f32 {
    const MARGIN: f32 = 0.25;
    (v + MARGIN).rem_euclid(1.0 + 2.0 * MARGIN) - MARGIN
}

/// Triangle wave with period 1 and range [-1, 1], starting at 0 going up.
fn triangle(p: f32) -> f32 {
    let f = (p + 0.25).rem_euclid(1.0);
    if f < 0.5 {
        4.0 * f - 1.0
    } else {
        3.0 - 4.0 * f
    }
}

/// Height of a ball dropped from rest at `y0` (y down) bouncing on `floor` with restitution `e`.
fn bounce_y(y0: f32, g: f32, e: f32, floor: f32, tau: f32) -> f32 {
    let drop = (floor - y0).max(0.0);
    let t_hit = (2.0 * drop / g).sqrt();
    if tau <= t_hit {
        return y0 + 0.5 * g * tau * tau;
    }
    let mut t = tau - t_hit;
    let mut v = g * t_hit * e;
    // Each arc lasts 2v/g; stop when arcs get shorter than a tenth of a frame (at rest).
    for _ in 0..64 {
        let arc = 2.0 * v / g;
        if arc < 0.1 {
            return floor;
        }
        if t <= arc {
            return floor - (v * t - 0.5 * g * t * t);
        }
        t -= arc;
        v *= e;
    }
    floor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounce_lands_and_rises_again() {
        let p = Path::Bounce {
            x: 0.5,
            vx: 0.0,
            y0: 0.2,
            g: 0.02,
            e: 0.8,
            floor: 0.8,
        };
        let ys: Vec<f32> = (0..40).map(|t| at(&p, t as f32).1).collect();
        assert!(ys.iter().all(|y| *y <= 0.8 + 1e-4));
        let first_hit = ys.iter().position(|y| *y > 0.75).expect("reaches the floor");
        assert!(ys[first_hit + 3] < ys[first_hit], "rises after landing: {ys:?}");
    }

    #[test]
    fn collide_pair_never_overlaps() {
        for tau in 0..200 {
            let l = at(
                &Path::Collide {
                    y: 0.5,
                    h0: 0.35,
                    v: 0.02,
                    contact: 0.1,
                    outer: 0.4,
                    side: -1.0,
                },
                tau as f32,
            );
            let r = at(
                &Path::Collide {
                    y: 0.5,
                    h0: 0.35,
                    v: 0.02,
                    contact: 0.1,
                    outer: 0.4,
                    side: 1.0,
                },
                tau as f32,
            );
            assert!(r.0 - l.0 >= 0.2 - 1e-4);
        }
    }
}
