//! Measurements behind faces/README.md: model load time, detection rate and yaw proxy per
//! synthesized head yaw, focus/light scores, and a full 10-s enrolment's time and tracking.
//! `cargo run -p faces --example measure [-- --dump DIR]` (DIR: PNGs of synthesized frames
//! at 0°/±35° and the enrolment's crops, to look at).

use std::time::Instant;

use faces::synth::{self, Pose, SynthOptions};
use faces::*;

fn frame<'a>(rgb: &'a [u8], opts: &SynthOptions, t_ms: u32) -> Frame<'a> {
    Frame {
        t_ms,
        width: opts.width,
        height: opts.height,
        rgb,
    }
}

fn main() -> Result<(), FaceError> {
    let dir = default_model_dir();
    let mut loads = Vec::new();
    let mut models = None;
    for _ in 0..3 {
        let t = Instant::now();
        models = Some(FaceModels::load(&dir)?);
        loads.push(t.elapsed().as_secs_f32() * 1000.0);
    }
    let models = models.expect("loaded");
    println!("model load ms: {loads:.0?}");
    let photo = synth::load_test_photo()?;
    let opts = SynthOptions::default();
    let args: Vec<String> = std::env::args().collect();
    let dump = args
        .iter()
        .position(|a| a == "--dump")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from);
    if let Some(dir) = &dump {
        std::fs::create_dir_all(dir).map_err(|source| FaceError::Io {
            path: dir.clone(),
            source,
        })?;
        for deg in [0.0f32, 35.0, -35.0] {
            let rgb = synth::render(&photo, deg, 0.0, &opts);
            let img = image::RgbImage::from_raw(opts.width, opts.height, rgb).expect("size");
            img.save(dir.join(format!("frame{deg:+}.png"))).expect("write");
        }
    }

    let photo_frame = Frame {
        t_ms: 0,
        width: photo.width,
        height: photo.height,
        rgb: &photo.rgb,
    };
    let photo_embedding = embed_face(&models, &photo_frame).expect("photo face");
    println!("\nyaw_deg  detected/20  largest_side  yaw_proxy(min..max)  focus  luma  detect_ms  L2_to_photo");
    for deg in [0.0f32, 10.0, -10.0, 20.0, -20.0, 35.0, -35.0, 50.0, -50.0, 65.0, -65.0] {
        let (mut found, mut side, mut ymin, mut ymax, mut focus, mut luma, mut ms) =
            (0, 0.0, f32::MAX, f32::MIN, 0.0, 0.0, 0.0);
        for k in 0..20 {
            let t = k as f32 * 0.37;
            let rgb = synth::render(&photo, deg, t, &opts);
            let f = frame(&rgb, &opts, 0);
            let start = Instant::now();
            let faces = detect_faces(&models, &f);
            ms += start.elapsed().as_secs_f32() * 1000.0;
            if let Some(b) = faces.iter().max_by(|a, b| a.area().total_cmp(&b.area())) {
                found += 1;
                side += b.side();
                let q = measure_face(&f, b);
                focus += q.focus;
                luma += q.luma;
                if let Some(y) = face_landmarks(&models, &f, b).and_then(|l| yaw_proxy(&l)) {
                    ymin = ymin.min(y);
                    ymax = ymax.max(y);
                }
            }
        }
        let n = found.max(1) as f32;
        let rgb = synth::render(&photo, deg, 0.0, &opts);
        let d = embed_face(&models, &frame(&rgb, &opts, 0)).map(|e| distance(&e, &photo_embedding));
        println!(
            "{deg:>6}  {found:>5}/20  {:>10.0}  {ymin:>8.3}..{ymax:.3}  {:>6.0}  {:>4.0}  {:>6.1}  {:.3}",
            side / n,
            focus / n,
            luma / n,
            ms / 20.0,
            d.unwrap_or(f32::NAN)
        );
    }

    println!("\nvariant            focus(median)  luma(median)  side");
    let base = synth::render(&photo, 0.0, 0.0, &opts);
    let variants: Vec<(&str, Vec<u8>, SynthOptions)> = vec![
        ("sharp", base.clone(), opts),
        ("blur r1", synth::box_blur(&base, 480, 360, 1), opts),
        ("blur r2", synth::box_blur(&base, 480, 360, 2), opts),
        ("blur r3", synth::box_blur(&base, 480, 360, 3), opts),
        ("blur r4", synth::box_blur(&base, 480, 360, 4), opts),
        ("blur r6", synth::box_blur(&base, 480, 360, 6), opts),
        (
            "dark 0.15",
            synth::render(
                &photo,
                0.0,
                0.0,
                &SynthOptions {
                    brightness: 0.15,
                    ..opts
                },
            ),
            opts,
        ),
        (
            "dark 0.3",
            synth::render(
                &photo,
                0.0,
                0.0,
                &SynthOptions {
                    brightness: 0.3,
                    ..opts
                },
            ),
            opts,
        ),
        (
            "tiny 160x120",
            synth::render(
                &photo,
                0.0,
                0.0,
                &SynthOptions {
                    width: 160,
                    height: 120,
                    ..opts
                },
            ),
            SynthOptions {
                width: 160,
                height: 120,
                ..opts
            },
        ),
    ];
    for (name, rgb, o) in &variants {
        let f = frame(rgb, o, 0);
        let faces = detect_faces(&models, &f);
        match faces.first() {
            Some(b) => {
                let q = measure_face(&f, b);
                println!("{name:<16}  {:>8.1}  {:>8.1}  {:>6.0}", q.focus, q.luma, q.side);
            }
            None => println!("{name:<16}  no face"),
        }
    }

    let poses = [
        (Pose::Center, 2.0),
        (Pose::Left, 2.0),
        (Pose::Center, 2.0),
        (Pose::Right, 2.0),
        (Pose::Center, 2.0),
    ];
    let start = Instant::now();
    let frames: Vec<Vec<u8>> = synth::challenge_frames(&photo, &poses, &opts).collect();
    println!(
        "\nsynthesizing 50 frames 480x360: {:.0} ms",
        start.elapsed().as_secs_f32() * 1000.0
    );
    let views: Vec<Frame> = frames
        .iter()
        .enumerate()
        .map(|(k, rgb)| frame(rgb, &opts, k as u32 * 200))
        .collect();
    for (name, o) in [
        (
            "square 320 @10fps",
            SynthOptions {
                width: 320,
                height: 320,
                fps: 10,
                ..opts
            },
        ),
        ("still", SynthOptions { still: true, ..opts }),
        ("two faces", SynthOptions { faces: 2, ..opts }),
    ] {
        let video: Vec<Vec<u8>> = synth::challenge_frames(&photo, &poses, &o).collect();
        let v: Vec<Frame> = video
            .iter()
            .enumerate()
            .map(|(k, rgb)| frame(rgb, &o, k as u32 * 200))
            .collect();
        let a = analyse(&models, &v, &mut |_| {}, 1.0);
        let ys: Vec<f32> = a.yaw.iter().flatten().copied().collect();
        let (lo, hi) = ys.iter().fold((f32::MAX, f32::MIN), |(l, h), y| (l.min(*y), h.max(*y)));
        println!(
            "{name}: found {}/{}, faces/frame max {}, tracks {}, runs {}, second face in {} frames, yaw {lo:.3}..{hi:.3}",
            a.person.iter().filter(|p| p.is_some()).count(), a.sampled.len(),
            a.faces_found.iter().max().unwrap_or(&0), a.tracks, a.runs, a.second_face_frames
        );
    }
    for run in 0..3 {
        let start = Instant::now();
        let a = analyse(&models, &views, &mut |_| {}, 1.0);
        let analyse_ms = start.elapsed().as_secs_f32() * 1000.0;
        let start = Instant::now();
        let result = enroll(&models, &views, &[Turn::Left, Turn::Right], &mut |_| {});
        let ms = start.elapsed().as_secs_f32() * 1000.0;
        if run == 0 {
            let yaws: Vec<String> = a
                .yaw
                .iter()
                .map(|y| y.map_or("-".into(), |y| format!("{y:.2}")))
                .collect();
            println!(
                "\nenrolment of {} frames 480x360: sampled {}, found {}, tracks {}, runs {}, second {}",
                views.len(),
                a.sampled.len(),
                a.person.iter().filter(|p| p.is_some()).count(),
                a.tracks,
                a.runs,
                a.second_face_frames
            );
            println!("yaw: {}", yaws.join(" "));
        }
        match result {
            Ok(e) => {
                if let (Some(dir), 0) = (&dump, run) {
                    for (i, png) in e.crops.iter().enumerate() {
                        std::fs::write(dir.join(format!("crop{i}.png")), png).expect("write");
                    }
                    let img = image::RgbImage::from_raw(32, 32, e.reference.clone()).expect("size");
                    img.save(dir.join("reference.png")).expect("write");
                }
                println!(
                "run {run}: analyse {analyse_ms:.0} ms, enroll {ms:.0} ms, turns {:?}, crops {}, distance to photo {:.3}",
                e.turns, e.crops.len(), distance(&e.embedding, &photo_embedding)
            )
            }
            Err(r) => println!("run {run}: enroll {ms:.0} ms: rejected {r:?}"),
        }
    }
    Ok(())
}
