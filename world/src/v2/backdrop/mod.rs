//! Backdrops and weather of the v2 world. `render::render_v2` calls [`paint_backdrop`] for every
//! frame before it draws the subjects and [`apply_weather`] after; the scorer reads place, light
//! and weather back from a frame with [`classify_backdrop`] (implemented in `backdrop_score`).
//!
//! Every place is a function of world coordinates — `u` in frame widths, endless along x, and
//! `v` in frame heights, y down — so pan and zoom only choose which part of it a frame shows,
//! and any pan extends the scene without seams. Details (building heights, trees, colours) come
//! from a hash of the seed and the world cell they sit in, so they vary from scene to scene and
//! never repeat along a pan, while each place keeps its identity.
//!
//! The painters live in submodules: `outdoor` (plain, mountain, beach, forest, field), `town`
//! (street, rooftop), `indoor` (stage, kitchen, room), `beyond` (underwater, space) and `weather`;
//! `view` holds the per-frame `Ctx` and the shared sky, `paint` the colour and coverage arithmetic
//! they all use.

mod beyond;
mod indoor;
mod outdoor;
mod paint;
mod town;
mod view;
mod weather;

pub use super::backdrop_score::classify_backdrop;
pub(crate) use paint::hash;
pub use weather::{apply_weather, RAIN_SLANT};

use super::spec::{Light, Place};
use beyond::{space, underwater};
use indoor::{kitchen, room, stage};
use outdoor::{beach, field, forest, mountain, plain};
use paint::unit;
use town::{rooftop, street};
use view::Ctx;

/// Paints the place at absolute frame time `tau` (frames; continuous across chunks) into buf.
/// `pan_x`: camera offset in frame widths (scene content shifts left as pan_x grows; extends
/// seamlessly for any value). `zoom`: 1.0 normal, >1 zoomed in about the frame centre.
#[allow(clippy::too_many_arguments)]
pub fn paint_backdrop(
    place: Place,
    light: Light,
    seed: u32,
    tau: f32,
    pan_x: f32,
    zoom: f32,
    size: usize,
    buf: &mut [[f32; 3]],
) {
    let n = size;
    if n == 0 {
        return;
    }
    let zoom = zoom.max(0.05);
    let coord = |i: usize| ((i as f32 + 0.5) / n as f32 - 0.5) / zoom + 0.5;
    let indoor = matches!(place, Place::Stage | Place::Kitchen | Place::Room);
    let (mul, add) = match (light, indoor) {
        (Light::Day, _) => ([1.0, 1.0, 1.0], [0.0; 3]),
        (Light::Sunset, false) => ([1.08, 0.78, 0.60], [0.05, 0.01, 0.03]),
        (Light::Sunset, true) => ([1.08, 0.78, 0.55], [0.04, 0.01, 0.0]),
        (Light::Night, false) => ([0.30, 0.36, 0.58], [0.04, 0.045, 0.08]),
        (Light::Night, true) => ([0.50, 0.45, 0.50], [0.03, 0.03, 0.06]),
    };
    let mut c = Ctx {
        light,
        seed,
        tau,
        n,
        us: (0..n).map(|i| coord(i) + pan_x).collect(),
        vs: (0..n).map(coord).collect(),
        px: 1.0 / (n as f32 * zoom),
        mul,
        add,
        sun_u: 0.2 + 0.6 * unit(seed, 1, 1),
        clouds: Vec::new(),
    };
    let (_, clouds) = c.visible(0.55, |k| {
        let cx = (k as f32 + 0.3 + 0.4 * unit(seed, k, 3)) * 0.55;
        (k, cx, 0.06 + 0.16 * unit(seed, k, 4))
    });
    c.clouds = clouds.into_iter().filter(|&(k, ..)| unit(seed, k, 2) >= 0.35).collect();
    let buf = &mut buf[..n * n];
    match place {
        Place::Plain => plain(&c, buf),
        Place::Street => street(&c, buf),
        Place::Rooftop => rooftop(&c, buf),
        Place::Mountain => mountain(&c, buf),
        Place::Beach => beach(&c, buf),
        Place::Forest => forest(&c, buf),
        Place::Stage => stage(&c, buf),
        Place::Kitchen => kitchen(&c, buf),
        Place::Underwater => underwater(&c, buf),
        Place::Space => space(&c, buf),
        Place::Room => room(&c, buf),
        Place::Field => field(&c, buf),
    }
    for p in buf.iter_mut() {
        *p = p.map(|v| v.clamp(0.0, 1.0));
    }
}
