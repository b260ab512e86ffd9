//! Backdrops of the v2 world: every place, light and weather is deterministic, distinct from the
//! others, pans without seams, and can be read back from a frame by `classify_backdrop` even with
//! subjects in front of it, after a blur, and for seeds the classifier never saw.
//! `BACKDROP_SHEET=/tmp/sheet.png cargo test -p world --test backdrop sheet` writes a contact
//! sheet of every place × light (and the weathers) for a look; `BACKDROP_MISSES=/tmp/miss.png`
//! one of the frames the classifier got wrong.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use world::v2::backdrop::{apply_weather, classify_backdrop, paint_backdrop};
use world::v2::backdrop_score::{blur_rgb, render_frame};
use world::v2::render::{half, render_v2, slot_sprites};
use world::v2::sample::{sample_v2, ConceptSplit};
use world::v2::{Light, Place, Weather};

/// Least mean absolute difference between two places (same light and seed).
const PLACE_MIN_DIFF: f32 = 0.06;
/// Least mean luminance of a night frame (subjects must stay visible).
const NIGHT_MIN_LUMA: f32 = 0.12;
/// Fog must scale the luminance spread by at most this.
const FOG_MAX_CONTRAST: f32 = 0.6;
/// Least mean absolute change of a snow/rain frame from one frame time to the next.
const PARTICLE_MIN_MOTION: f32 = 0.004;
/// Classifier accuracy floors (held-out seeds, occluded; sharp, noisy, blurred once and twice).
const MIN_PLACE_ACC: f32 = 0.95;
const MIN_LIGHT_ACC: f32 = 0.95;
const MIN_WEATHER_ACC: f32 = 0.90;
/// Held-out seeds for accuracy.
const TEST_SEEDS: [u32; 2] = [17, 4242];
/// Whole rendered scenes the classifier reads back.
const RENDERED_SCENES: u32 = 200;

fn paint(place: Place, light: Light, seed: u32, tau: f32, pan: f32, zoom: f32, size: usize) -> Vec<[f32; 3]> {
    let mut buf = vec![[0f32; 3]; size * size];
    paint_backdrop(place, light, seed, tau, pan, zoom, size, &mut buf);
    buf
}

fn luma(p: [f32; 3]) -> f32 {
    0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]
}

fn mad(a: &[[f32; 3]], b: &[[f32; 3]]) -> f32 {
    let s: f32 = a
        .iter()
        .zip(b)
        .map(|(p, q)| (0..3).map(|c| (p[c] - q[c]).abs()).sum::<f32>())
        .sum();
    s / (a.len() * 3) as f32
}

fn std_luma(a: &[[f32; 3]]) -> f32 {
    let m = a.iter().map(|&p| luma(p)).sum::<f32>() / a.len() as f32;
    (a.iter().map(|&p| (luma(p) - m).powi(2)).sum::<f32>() / a.len() as f32).sqrt()
}

/// Small deterministic generator for test cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
}

#[test]
fn painting_is_deterministic_and_in_range() {
    for place in Place::ALL {
        for weather in Weather::ALL {
            let a = render_frame(place, Light::Sunset, weather, 9, 33.0, 0.4, 1.2, 64);
            let b = render_frame(place, Light::Sunset, weather, 9, 33.0, 0.4, 1.2, 64);
            assert_eq!(a, b, "{place:?} {weather:?}");
        }
        let buf = paint(place, Light::Day, 3, 5.0, -2.7, 0.7, 128);
        assert!(buf.iter().flatten().all(|v| (0.0..=1.0).contains(v)), "{place:?}");
    }
    // Degenerate sizes do nothing rather than panic.
    paint_backdrop(Place::Street, Light::Day, 1, 0.0, 0.0, 1.0, 0, &mut []);
    apply_weather(Weather::Rain, Light::Day, 1, 0.0, 0, &mut []);
    let _ = classify_backdrop(&[], 0, &[]);
    let _ = classify_backdrop(&[128; 12], 2, &[true; 4]);
}

#[test]
fn every_pair_of_places_differs() {
    for light in Light::ALL {
        for seed in [1, 2] {
            let frames: Vec<_> = Place::ALL
                .iter()
                .map(|&p| paint(p, light, seed, 0.0, 0.0, 1.0, 64))
                .collect();
            for i in 0..frames.len() {
                for j in i + 1..frames.len() {
                    let d = mad(&frames[i], &frames[j]);
                    assert!(
                        d > PLACE_MIN_DIFF,
                        "{:?} vs {:?} ({light:?}): {d}",
                        Place::ALL[i],
                        Place::ALL[j]
                    );
                }
            }
        }
    }
}

#[test]
fn seeds_vary_details() {
    for place in Place::ALL {
        if place == Place::Plain {
            continue;
        }
        let d = mad(
            &paint(place, Light::Day, 1, 0.0, 0.0, 1.0, 64),
            &paint(place, Light::Day, 2, 0.0, 0.0, 1.0, 64),
        );
        assert!(d > 0.005, "{place:?} looks the same for two seeds: {d}");
    }
}

#[test]
fn light_changes_the_sky_and_the_mood() {
    let sky = |b: &[[f32; 3]]| {
        let top = &b[..64 * 6];
        let s = top
            .iter()
            .fold([0f32; 3], |a, p| [a[0] + p[0], a[1] + p[1], a[2] + p[2]]);
        s.map(|v| v / top.len() as f32)
    };
    let mean_luma = |b: &[[f32; 3]]| b.iter().map(|&p| luma(p)).sum::<f32>() / b.len() as f32;
    for place in Place::ALL {
        for seed in 0..6 {
            let pan = seed as f32 * 1.1 - 3.0;
            let [day, sunset, night] = Light::ALL.map(|l| paint(place, l, seed, 0.0, pan, 1.0, 64));
            let (sd, ss) = (sky(&day), sky(&sunset));
            let warmth = |c: [f32; 3]| c[0] - c[2];
            assert!(
                warmth(ss) > warmth(sd) + 0.05,
                "{place:?}: sunset sky {ss:?} not warmer than day {sd:?}"
            );
            let (ld, ln) = (mean_luma(&day), mean_luma(&night));
            assert!(ln < ld * 0.8, "{place:?}: night {ln} not darker than day {ld}");
            assert!(ln >= NIGHT_MIN_LUMA, "{place:?}: night too dark ({ln})");
        }
    }
}

#[test]
fn weather_moves_and_fog_lowers_contrast() {
    for light in Light::ALL {
        let base = paint(Place::Street, light, 5, 10.0, 0.0, 1.0, 64);
        for weather in Weather::ALL {
            let frame = |tau: f32| {
                let mut b = base.clone();
                apply_weather(weather, light, 5, tau, 64, &mut b);
                b
            };
            let (a, b) = (frame(10.0), frame(11.0));
            assert_eq!(a, frame(10.0), "{weather:?} not deterministic");
            let motion = mad(&a, &b);
            match weather {
                Weather::Clear => assert_eq!(a, base),
                Weather::Snow | Weather::Rain => assert!(
                    motion > PARTICLE_MIN_MOTION,
                    "{weather:?} {light:?} does not move: {motion}"
                ),
                Weather::Fog => {
                    let ratio = std_luma(&a) / std_luma(&base);
                    assert!(ratio < FOG_MAX_CONTRAST, "fog keeps contrast ({light:?}): {ratio}");
                }
            }
        }
    }
    // Snow drifts down: a small step in time moves flakes by a small amount, not a jump.
    let mut a = vec![[0.2f32; 3]; 64 * 64];
    let mut b = a.clone();
    apply_weather(Weather::Snow, Light::Day, 1, 40.0, 64, &mut a);
    apply_weather(Weather::Snow, Light::Day, 1, 40.05, 64, &mut b);
    assert!(mad(&a, &b) < 0.01, "snow jumps: {}", mad(&a, &b));
}

/// Mean absolute difference between `b` and `a` moved left by `k` columns (`n`×`n` frames).
fn shifted_mad(a: &[[f32; 3]], b: &[[f32; 3]], n: usize, k: usize) -> f32 {
    let mut sum = 0.0;
    for y in 0..n {
        for x in 0..n - k {
            let (p, q) = (b[y * n + x], a[y * n + x + k]);
            sum += (0..3).map(|c| (p[c] - q[c]).abs()).sum::<f32>();
        }
    }
    sum / ((n - k) * n * 3) as f32
}

#[test]
fn pan_shifts_content_continuously() {
    let n = 128;
    for place in Place::ALL {
        for start in [0.0, 2.5, -3.0] {
            let a = paint(place, Light::Day, 8, 0.0, start, 1.0, n);
            // Two whole pixels: the same picture moved left by exactly two columns.
            let b = paint(place, Light::Day, 8, 0.0, start + 2.0 / n as f32, 1.0, n);
            let (shifted, still) = (shifted_mad(&a, &b, n, 2), shifted_mad(&a, &b, n, 0));
            assert!(
                shifted < 0.004,
                "{place:?} at {start}: 2-pixel pan is not a shift ({shifted})"
            );
            // 1 % of the width (1.28 px): closer to the picture moved by one pixel than unmoved.
            let c = paint(place, Light::Day, 8, 0.0, start + 0.01, 1.0, n);
            let (one, none) = (shifted_mad(&a, &c, n, 1), shifted_mad(&a, &c, n, 0));
            if place == Place::Plain {
                assert!(still < 1e-4 && none < 1e-4, "the plain backdrop has no content to move");
                continue;
            }
            assert!(
                still > 2.0 * shifted,
                "{place:?} at {start}: pan moves nothing ({still} vs {shifted})"
            );
            assert!(
                one < 0.75 * none,
                "{place:?} at {start}: 1 % pan is not a 1-pixel shift ({one} vs {none})"
            );
        }
    }
}

fn occlude(rgb: &mut [u8], size: usize, rng: &mut Rng) -> Vec<bool> {
    let area = 0.20 + 0.15 * rng.next();
    let aspect = 0.5 + 1.5 * rng.next();
    let w = ((area * aspect).sqrt().min(0.95) * size as f32) as usize;
    let h = ((area * size as f32 * size as f32) / w as f32).min(size as f32 * 0.95) as usize;
    let (x0, y0) = (
        ((size - w) as f32 * rng.next()) as usize,
        ((size - h) as f32 * rng.next()) as usize,
    );
    let col = [rng.next(), rng.next(), rng.next()].map(|v| (v * 255.0) as u8);
    let mut ignore = vec![false; size * size];
    for y in y0..y0 + h {
        for x in x0..x0 + w {
            ignore[y * size + x] = true;
            rgb[(y * size + x) * 3..(y * size + x) * 3 + 3].copy_from_slice(&col);
        }
    }
    ignore
}

fn noisy(rgb: &[u8], rng: &mut Rng) -> Vec<u8> {
    rgb.iter()
        .map(|&v| {
            (v as f32 + 10.0 * (rng.next() + rng.next() - 1.0))
                .round()
                .clamp(0.0, 255.0) as u8
        })
        .collect()
}

#[test]
fn classifier_reads_place_light_and_weather_back() {
    let t = Instant::now();
    let _ = classify_backdrop(&[0; 12], 2, &[false; 4]);
    println!("classifier references built in {:?}", t.elapsed());
    let size = 64;
    let mut rng = Rng(99);
    let variants = ["occluded", "occluded+blur", "occluded+noise", "occluded+blur×2"];
    let mut right = [[0usize; 3]; 4];
    let mut total = 0;
    let mut misses = Vec::new();
    let mut miss_frames = Vec::new();
    for seed in TEST_SEEDS {
        for place in Place::ALL {
            for light in Light::ALL {
                for weather in Weather::ALL {
                    let (pan, zoom, tau) = (6.0 * rng.next() - 3.0, 0.7 + 0.8 * rng.next(), 400.0 * rng.next());
                    let mut rgb = render_frame(place, light, weather, seed, tau, pan, zoom, size);
                    let ignore = occlude(&mut rgb, size, &mut rng);
                    let blurred = blur_rgb(&rgb, size);
                    let frames = [
                        rgb.clone(),
                        blurred.clone(),
                        noisy(&rgb, &mut rng),
                        blur_rgb(&blurred, size),
                    ];
                    for (v, frame) in frames.iter().enumerate() {
                        let got = classify_backdrop(frame, size, &ignore);
                        right[v][0] += (got.0 == place) as usize;
                        right[v][1] += (got.1 == light) as usize;
                        right[v][2] += (got.2 == weather) as usize;
                        if got != (place, light, weather) && v < 3 {
                            miss_frames.push(frame.clone());
                            misses.push(format!("{}: {place:?}/{light:?}/{weather:?} → {got:?}", variants[v]));
                        }
                    }
                    total += 1;
                }
            }
        }
    }
    for m in misses.iter().take(40) {
        println!("{m}");
    }
    if let Ok(path) = std::env::var("BACKDROP_MISSES") {
        save_sheet(&path, &miss_frames, size, 12);
    }
    for (v, r) in right.iter().enumerate() {
        let acc = r.map(|k| k as f32 / total as f32);
        println!(
            "{:>15}: place {:.3}  light {:.3}  weather {:.3}  ({total} frames)",
            variants[v], acc[0], acc[1], acc[2]
        );
        assert!(acc[0] >= MIN_PLACE_ACC, "{}: place accuracy {}", variants[v], acc[0]);
        assert!(acc[1] >= MIN_LIGHT_ACC, "{}: light accuracy {}", variants[v], acc[1]);
        assert!(
            acc[2] >= MIN_WEATHER_ACC,
            "{}: weather accuracy {}",
            variants[v],
            acc[2]
        );
    }
}

#[test]
fn classifier_reads_full_size_frames() {
    let size = 128;
    let mut wrong = Vec::new();
    for place in Place::ALL {
        for light in Light::ALL {
            let rgb = render_frame(place, light, Weather::Clear, 31337, 12.0, 0.3, 1.0, size);
            let got = classify_backdrop(&rgb, size, &vec![false; size * size]);
            if (got.0, got.1) != (place, light) {
                wrong.push(format!("{place:?}/{light:?} → {got:?}"));
            }
        }
    }
    assert!(wrong.len() <= 1, "128×128 misread: {wrong:?}");
}

#[test]
fn painting_is_cheap() {
    let mut buf = vec![[0f32; 3]; 128 * 128];
    let mut worst = std::time::Duration::ZERO;
    for place in Place::ALL {
        let t = Instant::now();
        for (i, light) in Light::ALL.into_iter().enumerate() {
            paint_backdrop(place, light, 3, i as f32, 0.1, 1.0, 128, &mut buf);
        }
        let per = t.elapsed() / 3;
        println!("{place:?}: {per:?} per 128×128 frame");
        worst = worst.max(per);
    }
    for weather in Weather::ALL {
        let t = Instant::now();
        apply_weather(weather, Light::Day, 3, 7.0, 128, &mut buf);
        println!("{weather:?}: {:?}", t.elapsed());
    }
    assert!(worst.as_millis() < 50, "painting is slow: {worst:?}");
}

#[test]
fn sheet() {
    let Ok(path) = std::env::var("BACKDROP_SHEET") else {
        return;
    };
    let (n, cols) = (128, 12);
    let mut tiles = Vec::new();
    for light in Light::ALL {
        for place in Place::ALL {
            tiles.push(render_frame(place, light, Weather::Clear, 7, 20.0, 0.0, 1.0, n));
        }
    }
    for weather in &Weather::ALL[1..] {
        for (c, &place) in Place::ALL.iter().enumerate() {
            tiles.push(render_frame(place, Light::ALL[c % 3], *weather, 7, 20.0, 0.0, 1.0, n));
        }
    }
    save_sheet(&path, &tiles, n, cols);
}

/// Writes frames (RGB, `n`×`n`) as a PNG grid `cols` wide.
fn save_sheet(path: &str, frames: &[Vec<u8>], n: usize, cols: usize) {
    let rows = frames.len().div_ceil(cols).max(1);
    let mut img = vec![0u8; rows * n * cols * n * 3];
    for (i, f) in frames.iter().enumerate() {
        let (r, c) = (i / cols, i % cols);
        for y in 0..n {
            let dst = ((r * n + y) * cols * n + c * n) * 3;
            img[dst..dst + n * 3].copy_from_slice(&f[y * n * 3..(y + 1) * n * 3]);
        }
    }
    let file = std::fs::File::create(path).expect("sheet file");
    let mut enc = png::Encoder::new(file, (cols * n) as u32, (rows * n) as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.write_header()
        .expect("png header")
        .write_image_data(&img)
        .expect("png data");
}

#[test]
fn classifier_reads_rendered_scenes() {
    // Whole v2 frames (128×128 renders with emoji subjects, halved to 64×64 as the model sees
    // them), with the layout canvas as the mask of subject pixels.
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let (mut total, mut right) = (0, [0usize; 3]);
    for i in 0..RENDERED_SCENES {
        let mut scene = sample_v2(&mut rng, ConceptSplit::Train);
        scene.seed = 70_000 + i;
        let r = render_v2(&scene, &slot_sprites(&scene, &[]), 8.0 * (i % 7) as f32, 1, 128);
        let (rgb, canvas) = (half(&r.clip.rgb, 1, 128, 3), half(&r.canvas, 1, 128, 4));
        let ignore: Vec<bool> = canvas.chunks_exact(4).map(|p| p[3] > 8).collect();
        let got = classify_backdrop(&rgb, 64, &ignore);
        right[0] += (got.0 == scene.place) as usize;
        right[1] += (got.1 == scene.light) as usize;
        right[2] += (got.2 == scene.weather) as usize;
        total += 1;
    }
    let acc = right.map(|k| k as f32 / total as f32);
    println!(
        "rendered scenes: place {:.3}  light {:.3}  weather {:.3}  ({total} frames)",
        acc[0], acc[1], acc[2]
    );
    assert!(
        acc[0] >= MIN_PLACE_ACC && acc[1] >= MIN_LIGHT_ACC && acc[2] >= MIN_WEATHER_ACC,
        "{acc:?}"
    );
}
