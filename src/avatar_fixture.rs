//! `reelroom avatar-fixture`: writes a selfie-like video for tests that record through a real
//! browser: the packaged public-domain face photo animated through head poses, as the YUV4MPEG2
//! file Chromium's fake camera plays (`--use-file-for-fake-video-capture`).

use std::path::Path;

use anyhow::{bail, Context};
use faces::synth::{self, Pose, SynthOptions};

/// Seconds each pose is held (the avatar page shows each challenge step about this long).
pub const POSE_SECONDS: f32 = 2.5;
/// Seconds of centre pose appended, so the fake camera does not loop inside a recording.
pub const TAIL_SECONDS: f32 = 6.0;

fn pose(name: &str) -> anyhow::Result<Pose> {
    Ok(match name {
        "center" | "centre" => Pose::Center,
        "left" => Pose::Left,
        "right" => Pose::Right,
        other => bail!("unknown pose {other:?} (center, left, right)"),
    })
}

/// `avatar-fixture --steps center,left,right --out FILE.y4m [--still] [--faces 2]
/// [--size 480] [--fps 15] [--brightness 1.0]`
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let get = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1));
    if args.iter().any(|a| a == "--help") {
        println!("avatar-fixture --steps center,left,right --out FILE.y4m [--still] [--faces 2] [--size 480] [--fps 15] [--brightness 1.0]");
        return Ok(());
    }
    let out = get("--out").context("--out FILE.y4m")?;
    let steps = get("--steps").map_or("center,left,right", String::as_str);
    let mut poses = steps
        .split(',')
        .map(|s| Ok((pose(s.trim())?, POSE_SECONDS)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    poses.push((Pose::Center, TAIL_SECONDS));
    let size: u32 = get("--size").map_or(Ok(480), |s| s.parse()).context("--size")?;
    let fps: u32 = get("--fps").map_or(Ok(15), |s| s.parse()).context("--fps")?;
    let opts = SynthOptions {
        width: size,
        height: size,
        fps,
        faces: get("--faces").map_or(Ok(1), |s| s.parse()).context("--faces")?,
        brightness: get("--brightness")
            .map_or(Ok(1.0), |s| s.parse())
            .context("--brightness")?,
        still: args.iter().any(|a| a == "--still"),
    };
    let photo = synth::load_test_photo().context("the packaged test photo (run `make face-models`)")?;
    let frames = synth::challenge_frames(&photo, &poses, &opts);
    synth::write_y4m(Path::new(out), frames, opts.width, opts.height, opts.fps)
        .with_context(|| format!("writing {out}"))?;
    println!("{out}");
    Ok(())
}
